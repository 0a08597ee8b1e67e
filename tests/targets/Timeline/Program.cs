// A target that does three known things at known moments, each on a thread of its own, for the session's timeline:
// a burst of exceptions thrown and caught on one thread, then a forced blocking GC, then a lock convoy. Each phase
// prints its OS thread ids and its start and end (CLOCK_MONOTONIC ns, as Stopwatch reads it on Linux: the clock the
// profiler's session times by, whose zero the raw files give), so a test can find each phase in the trace, in that
// order and on the right thread.
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace DrDotnet.Targets;

public sealed class TimelineBurstException : Exception
{
    public TimelineBurstException(int i) : base("burst " + i) { }
}

public static class Program
{
    static readonly object Gate = new();

    public static int Main(string[] args)
    {
        string? go = null, stop = null;
        int burst = 200, convoyThreads = 4, convoyRounds = 3, holdMs = 20, gapMs = 300;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--go-file": go = args[++i]; break;
                case "--stop-file": stop = args[++i]; break;
                case "--burst": burst = int.Parse(args[++i]); break;
                case "--convoy": convoyThreads = int.Parse(args[++i]); convoyRounds = int.Parse(args[++i]); break;
                case "--hold-ms": holdMs = int.Parse(args[++i]); break;
                case "--gap-ms": gapMs = int.Parse(args[++i]); break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        Console.WriteLine($"ready {Environment.ProcessId}");
        Console.Out.Flush();
        WaitForFile(go);
        Thread.Sleep(gapMs);
        RunOn("tl-thrower", () => Burst(burst));
        Thread.Sleep(gapMs);
        RunOn("tl-collector", ForcedGc);
        Thread.Sleep(gapMs);
        Convoy(convoyThreads, convoyRounds, holdMs);
        Thread.Sleep(gapMs);
        Console.WriteLine("done");
        Console.Out.Flush();
        WaitForFile(stop);
        return 0;
    }

    static void WaitForFile(string? path)
    {
        if (path == null)
            return;
        while (!File.Exists(path))
            Thread.Sleep(20);
    }

    static void RunOn(string name, Action work)
    {
        var t = new Thread(() => work()) { Name = name };
        t.Start();
        t.Join();
    }

    // The OS thread id of the calling thread, as the kernel numbers it (/proc/thread-self -> <pid>/task/<tid>).
    static long OsTid()
    {
        string? target = new DirectoryInfo("/proc/thread-self").LinkTarget;
        return target == null ? -1 : long.Parse(target[(target.LastIndexOf('/') + 1)..]);
    }

    static long NowNs()
    {
        long ts = Stopwatch.GetTimestamp();
        return Stopwatch.Frequency == 1_000_000_000 ? ts : (long)(ts * (1e9 / Stopwatch.Frequency));
    }

    static void Say(string line)
    {
        lock (Console.Out)
        {
            Console.WriteLine(line);
            Console.Out.Flush();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void ThrowOne(int i) => throw new TimelineBurstException(i);

    // Phase 1: count exceptions thrown and caught on this one thread.
    static void Burst(int count)
    {
        long tid = OsTid(), start = NowNs();
        int caught = 0;
        for (int i = 0; i < count; i++)
        {
            try
            {
                ThrowOne(i);
            }
            catch (TimelineBurstException)
            {
                caught++;
            }
        }
        Say($"exceptions tid={tid} start={start} end={NowNs()} count={caught}");
    }

    // Phase 2: one blocking, forced collection of every generation, from this thread.
    static void ForcedGc()
    {
        long tid = OsTid(), start = NowNs();
        var sw = Stopwatch.StartNew();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        Say($"gc tid={tid} start={start} end={NowNs()} ms={sw.Elapsed.TotalMilliseconds:F3}");
    }

    // Phase 3: threads taking one lock in turn, each holding it holdMs (spinning) rounds times.
    static void Convoy(int threads, int rounds, int holdMs)
    {
        long start = NowNs();
        var tids = new long[threads];
        var ready = new Barrier(threads);
        var all = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int me = t;
            all[t] = new Thread(() =>
            {
                tids[me] = OsTid();
                ready.SignalAndWait();
                for (int r = 0; r < rounds; r++)
                    ConvoyWaiter(holdMs);
            }) { Name = "tl-convoy-" + t };
            all[t].Start();
        }
        foreach (var t in all)
            t.Join();
        Say($"convoy tids={string.Join(",", tids)} start={start} end={NowNs()}");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void ConvoyWaiter(int holdMs)
    {
        lock (Gate)
        {
            var sw = Stopwatch.StartNew();
            while (sw.ElapsedMilliseconds < holdMs)
                Thread.SpinWait(100);
        }
    }
}
