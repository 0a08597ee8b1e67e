// A target with known memory behaviour: induced GCs, duplicated strings, allocations of known types, a leak.
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DrDotnet.Targets;

public sealed class Payload
{
    public long A, B, C, D; // 32 bytes of fields: 48 bytes per object with the header on 64-bit
}

public sealed class Session
{
    public readonly byte[] Buffer = new byte[1024];
    public readonly int Id;
    public Session(int id) => Id = id;
}

public static class Program
{
    static readonly List<string> Strings = new();
    static readonly List<Session> Sessions = new();
    static readonly List<object> Keep = new();
    public static volatile object? Sink;

    public static int Main(string[] args)
    {
        string? go = null, stop = null, grow = null;
        int gcs = 0, dups = 0, payloads = 0, arrays = 0, leak = 0, bench = 0, threads = 2;
        bool ticks = false, mixed = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--go-file": go = args[++i]; break;
                case "--stop-file": stop = args[++i]; break;
                case "--grow-file": grow = args[++i]; break;
                case "--gc": gcs = int.Parse(args[++i]); break;
                case "--dup": dups = int.Parse(args[++i]); break;
                case "--payloads": payloads = int.Parse(args[++i]); break;
                case "--arrays": arrays = int.Parse(args[++i]); break;
                case "--leak": leak = int.Parse(args[++i]); break;
                case "--bench": bench = int.Parse(args[++i]); break;
                case "--ticks": ticks = true; break;
                case "--threads": threads = int.Parse(args[++i]); break;
                case "--mixed": mixed = true; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        Console.WriteLine($"ready {Environment.ProcessId}");
        if (leak > 0)
        {
            AddSessions(leak);
            Console.WriteLine($"sessions {Sessions.Count}");
        }
        WaitFor(go);
        if (bench > 0)
            return Bench(bench, ticks, threads, mixed);
        for (int i = 0; i < gcs; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true);
            Thread.Sleep(20);
        }
        if (gcs > 0) Console.WriteLine($"collected {gcs}");
        if (dups > 0)
        {
            MakeDuplicates(dups);
            Console.WriteLine($"strings {Strings.Count}");
        }
        if (payloads > 0 || arrays > 0)
        {
            Allocate(payloads, arrays);
            Console.WriteLine($"allocated {payloads} {arrays}");
        }
        if (grow != null)
        {
            WaitFor(grow);
            AddSessions(10_000);
            Console.WriteLine($"sessions {Sessions.Count}");
        }
        // keep working until told to stop, checking what we hold
        while (stop != null && !File.Exists(stop))
        {
            Sink = new byte[256];
            Thread.Sleep(20);
        }
        foreach (var s in Strings)
            if (!s.AsSpan().SequenceEqual(DuplicateChars)) { Console.WriteLine("SELFCHECK FAILED"); return 4; }
        Console.WriteLine("done");
        return 0;
    }

    // The duplicated value exists only in the strings made below: no literal holds it (the literal differs in
    // its first letter), so the heap holds exactly as many copies as were made.
    static readonly char[] DuplicateChars = BuildChars();

    static char[] BuildChars()
    {
        var chars = "A value that this program holds many times over".ToCharArray();
        chars[0] = 'a';
        return chars;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void MakeDuplicates(int n)
    {
        for (int i = 0; i < n; i++)
            Strings.Add(new string(DuplicateChars)); // a new string object each time, same value
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void Allocate(int payloads, int arrays)
    {
        for (int i = 0; i < payloads; i++)
            Sink = new Payload { A = i };
        for (int i = 0; i < arrays; i++)
            Sink = new int[256]; // 1,048 bytes each on 64-bit
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void AddSessions(int n)
    {
        int start = Sessions.Count;
        for (int i = 0; i < n; i++)
            Sessions.Add(new Session(start + i));
    }

    // An allocation-heavy benchmark: `--threads` threads (2 unless told) work for the given seconds (after 2 s of
    // warm-up) and the program prints how many thousand units of work per second they did. A unit is one
    // allocation of a short-lived object of a few sizes (nothing else: the worst case for an allocation
    // profiler), or with --mixed one small piece of string and list work that allocates about ten objects (a
    // list, its array, strings, a builder, a split) along with the work (closer to what an application does).
    // With ticks, a timer thread also prints, for every second of the measured window, the line
    // `tick <unix ms at the end of that second> <units all threads did in it> <process CPU time so far, us>`, so
    // that a benchmark can compare the seconds before, during and after something was attached to the same
    // process; at the end, `allocated <MB per second over the window>`.
    static int Bench(int seconds, bool ticks, int nthreads, bool mixed)
    {
        long count = 0;
        bool measuring = false, done = false;
        var threads = new Thread[nthreads];
        // Every thread's running total of units, published every 1000 for the timer thread; one counter per 128
        // bytes, so that two threads never write to the same cache line.
        var totals = new PaddedCounter[threads.Length];
        for (int t = 0; t < threads.Length; t++)
        {
            int slot = t;
            threads[t] = new Thread(() =>
            {
                long local = 0, total = 0;
                var keep = new object[64];
                int seed = slot * 1_000_003;
                while (!Volatile.Read(ref done))
                {
                    if (mixed)
                    {
                        for (int i = 0; i < 1000; i++)
                            keep[i & 63] = MixedUnit(seed + i);
                        seed += 1000;
                    }
                    else
                    {
                        for (int i = 0; i < 1000; i++)
                            keep[i & 63] = (i % 3) switch { 0 => new Payload { A = i }, 1 => new int[16], _ => new string('x', 24) };
                    }
                    total += 1000;
                    Volatile.Write(ref totals[slot].Value, total);
                    if (Volatile.Read(ref measuring)) local += 1000;
                }
                Interlocked.Add(ref count, local);
            }) { Name = $"alloc-{t}" };
            threads[t].Start();
        }
        Thread.Sleep(2000);
        Volatile.Write(ref measuring, true);
        long bytesAtStart = GC.GetTotalAllocatedBytes(false);
        var clock = Stopwatch.StartNew();
        Thread? ticker = null;
        if (ticks)
        {
            long start = Allocated(totals);
            ticker = new Thread(() => Ticker.Run(() => Allocated(totals), clock, start, seconds)) { Name = "ticker", IsBackground = true };
            ticker.Start();
        }
        Thread.Sleep(seconds * 1000);
        ticker?.Join();
        Volatile.Write(ref done, true);
        long bytes = GC.GetTotalAllocatedBytes(false) - bytesAtStart;
        double elapsed = clock.Elapsed.TotalSeconds;
        foreach (var t in threads) t.Join();
        Console.WriteLine($"throughput {Interlocked.Read(ref count) / seconds / 1000}");
        Console.WriteLine($"allocated {bytes / elapsed / 1e6:F0}");
        return 0;
    }

    // One unit of the mixed benchmark: a list filled and summed, numbers formatted into strings, a builder, a split.
    [MethodImpl(MethodImplOptions.NoInlining)]
    static object MixedUnit(int n)
    {
        var list = new List<int>(8);
        for (int k = 0; k < 8; k++)
            list.Add(n ^ (k * 7919));
        int sum = 0;
        foreach (int v in list)
            sum += v & 0xff;
        string name = string.Concat("item-", n.ToString(), "-", (sum & 0x3f).ToString());
        var sb = new System.Text.StringBuilder(48);
        sb.Append(name).Append('-').Append(sum);
        return sb.ToString().Split('-');
    }

    [StructLayout(LayoutKind.Explicit, Size = 128)]
    struct PaddedCounter
    {
        [FieldOffset(64)] public long Value;
    }

    static long Allocated(PaddedCounter[] totals)
    {
        long sum = 0;
        for (int t = 0; t < totals.Length; t++)
            sum += Volatile.Read(ref totals[t].Value);
        return sum;
    }

    static void WaitFor(string? path)
    {
        while (path != null && !File.Exists(path))
            Thread.Sleep(20);
    }
}
