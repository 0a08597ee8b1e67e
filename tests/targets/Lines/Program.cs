// drdotnet test target: a thread spins in a loop whose body is on one known line (through a small method it calls
// on that line, as real code does), and another throws and catches exceptions from one known line. It prints those
// lines (from [CallerLineNumber], so nothing is hard-coded) and what it did, for checking the reports' source lines.
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace DrDotnet.Targets;

public static class Program
{
    public static int Main(string[] args)
    {
        string? stopFile = null;
        int seconds = 30, throws = 0;
        for (int i = 0; i < args.Length; i++)
        {
            bool ok = i + 1 < args.Length;
            if (ok && args[i] == "--stop-file")
                stopFile = args[++i];
            else if (ok && args[i] == "--seconds")
                ok = int.TryParse(args[++i], out seconds) && seconds >= 0;
            else if (ok && args[i] == "--throws")
                ok = int.TryParse(args[++i], out throws) && throws >= 0;
            else
                ok = false;
            if (!ok)
            {
                Console.Error.WriteLine("usage: Lines [--stop-file PATH] [--seconds N] [--throws N]");
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
        Console.Out.Flush();

        long limitMs = seconds * 1000L;
        var clock = Stopwatch.StartNew();
        while (clock.ElapsedMilliseconds < limitMs && (stopFile == null || !File.Exists(stopFile)))
            Thread.Sleep(50);
        Hot.Stop = true;
        spinner.Join();
        Console.WriteLine($"done {Hot.Sink}");
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
