// A busy target for soak tests: threads that compute, allocate and throw, each checking its own results.
using System.Runtime.CompilerServices;

namespace DrDotnet.Targets;

public static class Program
{
    static volatile bool stop;
    static long rounds, failures;

    public static int Main(string[] args)
    {
        string? stopFile = null;
        int seconds = 3600;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--stop-file") stopFile = args[++i];
            else if (args[i] == "--seconds") seconds = int.Parse(args[++i]);
            else { Console.Error.WriteLine($"unknown option {args[i]}"); return 2; }
        }
        Console.WriteLine($"ready {Environment.ProcessId}");
        var threads = new List<Thread>();
        foreach (var (name, work) in new (string, Action)[] { ("compute", Compute), ("allocate", Allocate), ("throw", Throw) })
        {
            var t = new Thread(() => Loop(work)) { Name = name, IsBackground = true };
            t.Start();
            threads.Add(t);
        }
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline && (stopFile == null || !File.Exists(stopFile)))
            Thread.Sleep(50);
        stop = true;
        foreach (var t in threads) t.Join();
        long f = Interlocked.Read(ref failures);
        Console.WriteLine($"rounds {Interlocked.Read(ref rounds)} failures {f}");
        return f == 0 ? 0 : 4;
    }

    static void Loop(Action work)
    {
        while (!stop)
        {
            work();
            Interlocked.Increment(ref rounds);
        }
    }

    static readonly long PrimeSum = SumPrimes(5000);

    [MethodImpl(MethodImplOptions.NoInlining)]
    static long SumPrimes(int n)
    {
        long sum = 0;
        for (int i = 2; i < n; i++)
        {
            bool prime = true;
            for (int d = 2; d * d <= i; d++)
                if (i % d == 0) { prime = false; break; }
            if (prime) sum += i;
        }
        return sum;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void Compute()
    {
        if (SumPrimes(5000) != PrimeSum) Interlocked.Increment(ref failures);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void Allocate()
    {
        var list = new List<int[]>();
        for (int i = 0; i < 200; i++) list.Add(new int[i + 1]);
        long total = 0;
        foreach (var a in list) total += a.Length;
        if (total != 200 * 201 / 2) Interlocked.Increment(ref failures);
        Thread.Sleep(1);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void Throw()
    {
        int caught = 0;
        for (int i = 0; i < 20; i++)
        {
            try { Fail(i); }
            catch (InvalidOperationException e) when (e.Message == "busy " + i) { caught++; }
        }
        if (caught != 20) Interlocked.Increment(ref failures);
        Thread.Sleep(1);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void Fail(int i) => throw new InvalidOperationException("busy " + i);
}
