// drdotnet test target: a thread spins in a loop whose body is on one known line (through a small method it calls
// on that line, as real code does), another throws and catches exceptions from one known line, and allocates
// arrays of a known type on another. It prints those
// lines (from [CallerLineNumber], so nothing is hard-coded) and what it did, for checking the reports' source lines.
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace DrDotnet.Targets;

public static class Program
{
    public static int Main(string[] args)
    {
        string? stopFile = null;
        int seconds = 30, throws = 0, allocations = 0;
        for (int i = 0; i < args.Length; i++)
        {
            bool ok = i + 1 < args.Length;
            if (ok && args[i] == "--stop-file")
                stopFile = args[++i];
            else if (ok && args[i] == "--seconds")
                ok = int.TryParse(args[++i], out seconds) && seconds >= 0;
            else if (ok && args[i] == "--throws")
                ok = int.TryParse(args[++i], out throws) && throws >= 0;
            else if (ok && args[i] == "--allocate")
                ok = int.TryParse(args[++i], out allocations) && allocations >= 0;
            else
                ok = false;
            if (!ok)
            {
                Console.Error.WriteLine("usage: Lines [--stop-file PATH] [--seconds N] [--throws N] [--allocate N]");
                return 2;
            }
        }
        Console.WriteLine($"ready {Environment.ProcessId}");
        Console.WriteLine($"loop-line {Hot.LoopLine}");
        Console.Out.Flush();

        var spinner = new Thread(Hot.Spin) { Name = "spinner" };
        spinner.Start();
        int caught = Thrower.ThrowMany(throws);
        Console.WriteLine($"throw-line {Thrower.ThrowLine}");
        Console.WriteLine($"call-line {Thrower.CallLine}");
        Console.WriteLine($"caught {caught}");
        Console.WriteLine($"alloc-line {Allocator.AllocLine}");
        Console.WriteLine($"alloc-call-line {Allocator.CallLine}");
        Console.Out.Flush();
        Console.Out.Flush();

        long limitMs = seconds * 1000L;
        var clock = Stopwatch.StartNew();
        long allocated = allocations > 0 ? Allocator.Run(allocations, limitMs, stopFile) : 0;
        while (clock.ElapsedMilliseconds < limitMs && (stopFile == null || !File.Exists(stopFile)))
            Thread.Sleep(50);
        Hot.Stop = true;
        spinner.Join();
        Console.WriteLine($"done {Hot.Sink} {allocated}");
        return 0;
    }

    // The number of the line it is called from.
    public static int Line([CallerLineNumber] int line = 0) => line;
}

public static class Hot
{
    public static volatile bool Stop;
    public static long Sink;
    public static readonly int LoopLine = FindLoopLine();

    static int FindLoopLine() => Program.Line() + 9; // the line of the loop's body in Spin, below

    public static void Spin()
    {
        long x = 1;
        while (!Stop)
        {
            for (int i = 0; i < 100000; i++)
            {
                x = x * 6364136223846793005L + i; x ^= x >> 29; // the loop's body, all on this line
            }
        }
        Sink = x;
    }
}

public static class Thrower
{
    public static int ThrowLine, CallLine;

    public static int ThrowMany(int n)
    {
        int caught = 0;
        for (int i = 0; i < n; i++)
        {
            try
            {
                CallLine = Program.Line() + 1;
                Fail(i);
            }
            catch (InvalidOperationException)
            {
                caught++;
            }
        }
        return caught;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void Fail(int i)
    {
        ThrowLine = Program.Line() + 1;
        throw new InvalidOperationException("fail " + i);
    }
}

public static class Allocator
{
    public static readonly int AllocLine = Program.Line() + 4; // the allocating line in One, below

    // One array of 4,096 longs: the allocating frame, one statement on one line
    [MethodImpl(MethodImplOptions.NoInlining)]
    static long[] One() => new long[4096];

    public static readonly int CallLine = Program.Line() + 9; // the line in AllocateMany that calls One, below

    // n arrays; compiled optimized at once, as Run: a method that loops would otherwise run as on-stack-replaced code
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static long AllocateMany(int n)
    {
        long sum = 0;
        for (int i = 0; i < n; i++)
        {
            long[] a = One();
            a[i % a.Length] = i;
            sum += a.Length;
        }
        return sum;
    }

    // --allocate N: N arrays every 50 ms until the time is up or the stop file appears
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static long Run(int n, long limitMs, string? stopFile)
    {
        long sum = 0;
        var clock = Stopwatch.StartNew();
        while (clock.ElapsedMilliseconds < limitMs && (stopFile == null || !File.Exists(stopFile)))
        {
            sum += AllocateMany(n);
            Thread.Sleep(50);
        }
        return sum;
    }
}
