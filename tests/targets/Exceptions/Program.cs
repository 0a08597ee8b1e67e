// drdotnet test target: throws an exact, known set of exceptions on two threads, then does self-checked work.
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace DrDotnet.Targets;

public static class Program
{
    private const int InvalidOperationCount = 1000;
    private const int WorkerFaultCount = 250;

    public static int Main(string[] args)
    {
        string? goFile = null;
        string? stopFile = null;
        int workMs = 500;
        int extraThrows = 0;
        int hardware = 0;
        int collections = 0;
        bool unhandled = false;

        for (int i = 0; i < args.Length; i++)
        {
            string option = args[i];
            bool ok = option switch
            {
                "--go-file" => TakeText(args, ref i, out goFile),
                "--stop-file" => TakeText(args, ref i, out stopFile),
                "--work-ms" => TakeInt(args, ref i, ref workMs),
                "--extra-throws" => TakeInt(args, ref i, ref extraThrows),
                "--hardware" => TakeInt(args, ref i, ref hardware),
                "--gc" => TakeInt(args, ref i, ref collections),
                "--unhandled" => unhandled = true,
                _ => false,
            };
            if (!ok)
                return Usage("bad or unknown option " + option);
        }
        if (workMs < 0 || extraThrows < 0 || hardware < 0 || collections < 0)
            return Usage("--work-ms, --extra-throws, --hardware and --gc must not be negative");

        Console.WriteLine($"ready {Environment.ProcessId}");
        Console.Out.Flush();

        // Computed once, with a different algorithm than the one the working phase uses.
        long expectedPrimeSum = Work.SumPrimesByTrialDivision(Work.PrimeLimit);

        if (goFile != null)
        {
            while (!File.Exists(goFile))
                Thread.Sleep(20);
        }

        int caughtA = 0;
        int caughtB = 0;
        var threadA = new Thread(() => caughtA = Thrower.ThrowInvalidOperations(InvalidOperationCount, extraThrows))
        {
            Name = "thrower-a",
        };
        var threadB = new Thread(() => caughtB = NestedWorker.Run(WorkerFaultCount))
        {
            Name = "thrower-b",
        };
        threadA.Start();
        threadB.Start();
        threadA.Join();
        threadB.Join();

        int expectedA = InvalidOperationCount + extraThrows;
        if (caughtA != expectedA || caughtB != WorkerFaultCount)
        {
            Console.WriteLine($"MISMATCH thrower-a caught {caughtA} expected {expectedA}, thrower-b caught {caughtB} expected {WorkerFaultCount}");
            Console.Out.Flush();
            return 3;
        }
        Console.WriteLine($"thrown {caughtA + caughtB}");
        Console.Out.Flush();

        if (hardware > 0)
        {
            int caughtHardware = Hardware.Run(hardware);
            if (caughtHardware != 2 * hardware)
            {
                Console.WriteLine($"MISMATCH hardware caught {caughtHardware} expected {2 * hardware}");
                Console.Out.Flush();
                return 3;
            }
            Console.WriteLine($"hardware {caughtHardware}");
            Console.Out.Flush();
        }

        if (collections > 0)
        {
            // induced full collections, a known number of them for runtime-pauses
            for (int i = 0; i < collections; i++)
                GC.Collect();
            Console.WriteLine($"collected {collections}");
            Console.Out.Flush();
        }

        if (unhandled)
            throw new ApplicationException("fatal");

        var clock = Stopwatch.StartNew();
        long lastStopCheck = 0;
        while (true)
        {
            if (!Work.Iterate(expectedPrimeSum))
            {
                Console.WriteLine("SELFCHECK FAILED");
                Console.Out.Flush();
                return 4;
            }

            long elapsed = clock.ElapsedMilliseconds;
            if (stopFile == null)
            {
                if (elapsed >= workMs)
                    break;
            }
            else if (elapsed - lastStopCheck >= 20)
            {
                lastStopCheck = elapsed;
                if (File.Exists(stopFile))
                    break;
            }
        }

        Console.WriteLine("done");
        Console.Out.Flush();
        return 0;
    }

    private static bool TakeText(string[] args, ref int i, out string? value)
    {
        value = i + 1 < args.Length ? args[++i] : null;
        return value != null;
    }

    private static bool TakeInt(string[] args, ref int i, ref int value)
    {
        return TakeText(args, ref i, out string? text) && int.TryParse(text, out value);
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine("Exceptions: " + message);
        Console.Error.WriteLine("usage: Exceptions [--go-file PATH] [--stop-file PATH] [--work-ms N] [--extra-throws N] [--hardware N] [--gc N] [--unhandled]");
        return 2;
    }
}

public static class Thrower
{
    // Throws (in Fail / FailArgument) and catches (here) count + extraArgumentThrows exceptions; returns the catches.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int ThrowInvalidOperations(int count, int extraArgumentThrows = 0)
    {
        int caught = 0;
        for (int i = 0; i < count; i++)
        {
            try
            {
                Fail(i);
            }
            catch (InvalidOperationException)
            {
                caught++;
            }
        }
        for (int i = 0; i < extraArgumentThrows; i++)
        {
            try
            {
                FailArgument(i);
            }
            catch (ArgumentException)
            {
                caught++;
            }
        }
        return caught;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Fail(int i)
    {
        throw new InvalidOperationException("op " + i);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void FailArgument(int i)
    {
        throw new ArgumentException("arg " + i);
    }
}

public static class NestedWorker
{
    public sealed class WorkerFault : Exception
    {
        public WorkerFault(string message) : base(message)
        {
        }
    }

    // Throws (in Explode) and catches (here) count WorkerFaults; returns the catches.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Run(int count)
    {
        int caught = 0;
        for (int i = 0; i < count; i++)
        {
            try
            {
                Explode(i);
            }
            catch (WorkerFault)
            {
                caught++;
            }
        }
        return caught;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Explode(int i)
    {
        throw new WorkerFault("fault " + i);
    }
}

public static class Work
{
    public const int PrimeLimit = 20_000;

    // One unit of work: a sieve (which allocates) checked against the trial-division result.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static bool Iterate(long expectedPrimeSum)
    {
        return SumPrimesBySieve(PrimeLimit) == expectedPrimeSum;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long SumPrimesBySieve(int limit)
    {
        var composite = new bool[limit];
        long sum = 0;
        for (int n = 2; n < limit; n++)
        {
            if (composite[n])
                continue;
            sum += n;
            for (long m = (long)n * n; m < limit; m += n)
                composite[m] = true;
        }
        return sum;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long SumPrimesByTrialDivision(int limit)
    {
        long sum = 0;
        for (int n = 2; n < limit; n++)
        {
            bool prime = true;
            for (int d = 2; d * d <= n; d++)
            {
                if (n % d == 0)
                {
                    prime = false;
                    break;
                }
            }
            if (prime)
                sum += n;
        }
        return sum;
    }
}

// Exceptions the runtime makes from signals: a null dereference (SIGSEGV) and an integer division by zero (SIGFPE).
public static class Hardware
{
    private sealed class Box
    {
        public int Value = 1;
    }

    // Causes and catches count NullReferenceExceptions and count DivideByZeroExceptions; returns the catches.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Run(int count)
    {
        int caught = 0;
        for (int i = 0; i < count; i++)
        {
            try
            {
                Read(null);
            }
            catch (NullReferenceException)
            {
                caught++;
            }
            try
            {
                Divide(i, 0);
            }
            catch (DivideByZeroException)
            {
                caught++;
            }
        }
        return caught;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Read(Box? box) => box!.Value;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Divide(int a, int b) => a / b;
}
