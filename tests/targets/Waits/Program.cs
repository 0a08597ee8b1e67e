// A target whose waits are known: a lock convoy, SemaphoreSlim and ManualResetEventSlim waits of known counts,
// and sync-over-async work that starves the thread pool. Each phase measures itself and prints what it measured.
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace DrDotnet.Targets;

public static class Program
{
    static readonly object Gate = new();
    static readonly Lock LockGate = new(); // System.Threading.Lock: its contention events come from managed code

    public static int Main(string[] args)
    {
        string? go = null, stop = null;
        int convoyThreads = 0, convoyRounds = 0, holdMs = 5, sems = 0, mres = 0, starve = 0, exitAfterMs = -1;
        int lockThreads = 0, lockRounds = 0;
        int stormSeconds = 0, benchSeconds = 0, warmup = 2, benchPairs = 24;
        bool ticks = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--go-file": go = args[++i]; break;
                case "--stop-file": stop = args[++i]; break;
                case "--convoy": convoyThreads = int.Parse(args[++i]); convoyRounds = int.Parse(args[++i]); break;
                case "--lock-convoy": lockThreads = int.Parse(args[++i]); lockRounds = int.Parse(args[++i]); break;
                case "--hold-ms": holdMs = int.Parse(args[++i]); break;
                case "--semaphore": sems = int.Parse(args[++i]); break;
                case "--mres": mres = int.Parse(args[++i]); break;
                case "--starve": starve = int.Parse(args[++i]); break;
                case "--exit-after-ms": exitAfterMs = int.Parse(args[++i]); break;
                case "--storm": stormSeconds = int.Parse(args[++i]); break;
                case "--bench": benchSeconds = int.Parse(args[++i]); break;
                case "--warmup": warmup = int.Parse(args[++i]); break;
                case "--pairs": benchPairs = int.Parse(args[++i]); break;
                case "--ticks": ticks = true; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        Console.WriteLine($"ready {Environment.ProcessId}");
        Console.Out.Flush();
        if (benchSeconds > 0)
            return Bench(benchPairs, 1, warmup, benchSeconds, ticks);
        WaitForFile(go);
        if (exitAfterMs >= 0)
        {
            Thread.Sleep(exitAfterMs);
            Console.WriteLine("exiting early");
            return 0;
        }
        if (convoyThreads > 0)
            Convoy(convoyThreads, convoyRounds, holdMs);
        if (lockThreads > 0)
            LockConvoy(lockThreads, lockRounds);
        if (sems > 0)
            SemaphoreWaits(sems);
        if (mres > 0)
            EventWaits(mres);
        if (starve > 0)
            Starve(starve);
        if (stormSeconds > 0)
            Storm(stormSeconds);
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

    // The lock's holder: keeps it for ms milliseconds, spinning (a known method holding for a known time).
    [MethodImpl(MethodImplOptions.NoInlining)]
    static void HoldLock(int ms)
    {
        var sw = Stopwatch.StartNew();
        while (sw.ElapsedMilliseconds < ms)
            Thread.SpinWait(100);
    }

    // One waiter: enters the lock the main thread holds (so every entry is contended), then holds it itself. It
    // starts 20 ms after its thread, once the main thread is spinning in HoldLock: the owner caught at the wait's
    // start is there, not in Thread.Start.
    static int WaitLine; // the line of ConvoyWaiter's lock statement, for the reports' source lines

    // The number of the line it is called from.
    static int Line([CallerLineNumber] int line = 0) => line;

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void ConvoyWaiter(int holdMs, long[] waited, int slot)
    {
        Thread.Sleep(20);
        long t0 = Stopwatch.GetTimestamp();
        WaitLine = Line() + 1;
        lock (Gate)
        {
            waited[slot] = Stopwatch.GetTimestamp() - t0;
            HoldLock(holdMs);
        }
    }

    // rounds x threads contended acquisitions: in each round the main thread takes the lock, starts the waiters,
    // holds it 100 ms while they all block, and lets them through one by one (each holding holdMs).
    static void Convoy(int threads, int rounds, int holdMs)
    {
        long total = 0;
        var waited = new long[threads];
        for (int r = 0; r < rounds; r++)
        {
            var list = new List<Thread>();
            lock (Gate)
            {
                for (int t = 0; t < threads; t++)
                {
                    int slot = t;
                    var th = new Thread(() => ConvoyWaiter(holdMs, waited, slot)) { Name = $"convoy-{slot}" };
                    th.Start();
                    list.Add(th);
                }
                HoldLock(100);
            }
            foreach (var th in list)
                th.Join();
            total += waited.Sum();
        }
        double ms = total * 1000.0 / Stopwatch.Frequency;
        Console.WriteLine($"convoy {rounds * threads} {ms:F3}");
        Console.WriteLine($"convoy-wait-line {WaitLine}");
        Console.Out.Flush();
    }

    // The convoy on a System.Threading.Lock: the main thread holds it 100 ms in HoldLock while the waiters,
    // started 20 ms before, block; then they pass one by one, each holding it 5 ms.
    static void LockConvoy(int threads, int rounds)
    {
        long total = 0;
        var waited = new long[threads];
        for (int r = 0; r < rounds; r++)
        {
            var list = new List<Thread>();
            lock (LockGate)
            {
                for (int t = 0; t < threads; t++)
                {
                    int slot = t;
                    var th = new Thread(() => LockWaiter(waited, slot)) { Name = $"lock-{slot}" };
                    th.Start();
                    list.Add(th);
                }
                HoldLock(100);
            }
            foreach (var th in list)
                th.Join();
            total += waited.Sum();
        }
        Console.WriteLine($"lockconvoy {rounds * threads} {total * 1000.0 / Stopwatch.Frequency:F3}");
        Console.Out.Flush();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void LockWaiter(long[] waited, int slot)
    {
        Thread.Sleep(20);
        long t0 = Stopwatch.GetTimestamp();
        lock (LockGate)
        {
            waited[slot] = Stopwatch.GetTimestamp() - t0;
            HoldLock(5);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void WaitOnSemaphore(SemaphoreSlim sem) => sem.Wait();

    // n waits on a SemaphoreSlim, each released 5 ms after the waiter blocked.
    static void SemaphoreWaits(int n)
    {
        using var sem = new SemaphoreSlim(0);
        var releaser = new Thread(() =>
        {
            for (int i = 0; i < n; i++)
            {
                Thread.Sleep(5);
                sem.Release();
            }
        });
        var sw = Stopwatch.StartNew();
        releaser.Start();
        for (int i = 0; i < n; i++)
            WaitOnSemaphore(sem);
        releaser.Join();
        Console.WriteLine($"semaphore {n} {sw.Elapsed.TotalMilliseconds:F3}");
        Console.Out.Flush();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void WaitOnEvent(ManualResetEventSlim ev) => ev.Wait();

    // n waits on a ManualResetEventSlim, each set 5 ms later; the waiter resets it and counts down a
    // second event for the setter, which it never waits on while the waiter does.
    static void EventWaits(int n)
    {
        using var ev = new ManualResetEventSlim(false, 0);
        int done = 0;
        var setter = new Thread(() =>
        {
            for (int i = 0; i < n; i++)
            {
                Thread.Sleep(5);
                ev.Set();
                while (Volatile.Read(ref done) <= i)
                    Thread.Sleep(1);
            }
        });
        var sw = Stopwatch.StartNew();
        setter.Start();
        for (int i = 0; i < n; i++)
        {
            WaitOnEvent(ev);
            ev.Reset();
            Volatile.Write(ref done, i + 1);
        }
        setter.Join();
        Console.WriteLine($"mres {n} {sw.Elapsed.TotalMilliseconds:F3}");
        Console.Out.Flush();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static int BlockOnResult() => Task.Run(async () =>
    {
        await Task.Delay(20);
        return 1;
    }).Result;

    // Sync over async: n pool work items each block on .Result of a task that needs a pool thread to finish.
    static void Starve(int n)
    {
        var sw = Stopwatch.StartNew();
        var items = new Task[n];
        for (int i = 0; i < n; i++)
            items[i] = Task.Run(() => BlockOnResult());
        Task.WaitAll(items);
        Console.WriteLine($"starve {n} {sw.Elapsed.TotalMilliseconds:F3}");
        Console.Out.Flush();
    }

    // Short contended acquisitions for seconds s, about as many as the threads can make: a contention storm.
    static void Storm(int seconds)
    {
        long count = 0;
        var until = Stopwatch.GetTimestamp() + seconds * Stopwatch.Frequency;
        var threads = new Thread[4];
        for (int t = 0; t < threads.Length; t++)
        {
            threads[t] = new Thread(() =>
            {
                long mine = 0;
                while (Stopwatch.GetTimestamp() < until)
                {
                    lock (Gate)
                    {
                        mine++;
                        Thread.SpinWait(200);
                    }
                }
                Interlocked.Add(ref count, mine);
            });
            threads[t].Start();
        }
        foreach (var th in threads)
            th.Join();
        Console.WriteLine($"storm {count}");
        Console.Out.Flush();
    }

    // The benchmark's workload: pairs of threads, each pair taking its own lock in turn, holding it holdMs (asleep)
    // and then sleeping as long outside it, so that most acquisitions find the lock held by the other and block:
    // about 400 contended acquisitions a second per pair (24 pairs: about 10,000), at little CPU. With ticks,
    // prints the acquisitions of each second.
    static int Bench(int pairs, int holdMs, int warmup, int seconds, bool ticks)
    {
        var counts = new long[pairs * 2 * 16];
        var stop = false;
        for (int p = 0; p < pairs; p++)
        {
            var gate = new object();
            for (int k = 0; k < 2; k++)
            {
                int slot = (p * 2 + k) * 16;
                new Thread(() =>
                {
                    while (!Volatile.Read(ref stop))
                    {
                        lock (gate)
                            Thread.Sleep(holdMs);
                        counts[slot]++;
                        Thread.Sleep(holdMs); // the other thread of the pair takes it meanwhile: it is held again on return
                    }
                }) { Name = $"bench-{p}-{k}", IsBackground = true }.Start();
            }
        }
        long Total()
        {
            long n = 0;
            for (int t = 0; t < pairs * 2; t++)
                n += Volatile.Read(ref counts[t * 16]);
            return n;
        }
        Thread.Sleep(warmup * 1000);
        var clock = Stopwatch.StartNew();
        long before = Total();
        if (ticks)
            Ticker.Run(Total, clock, before, seconds);
        else
            Thread.Sleep(seconds * 1000);
        Console.WriteLine($"acquired {Total() - before} in {clock.Elapsed.TotalSeconds:F1} s");
        Volatile.Write(ref stop, true);
        return 0;
    }
}
