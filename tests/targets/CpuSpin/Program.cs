// drdotnet test target: one thread busy-loops in a known method, one sleeps in another, and (with --generic)
// a third busy-loops in a method of a generic class; for checking where a CPU profiler puts the time.
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DrDotnet.Targets;

public static class Program
{
    public static int Main(string[] args)
    {
        string? stopFile = null;
        int seconds = 30;
        bool generic = false;
        PosixSignalRegistration? sigprof = null;

        for (int i = 0; i < args.Length; i++)
        {
            string option = args[i];
            bool ok;
            if (option == "--generic")
            {
                generic = true;
                ok = true;
            }
            else if (option == "--handle-sigprof")
            {
                // SIGPROF (27 on Linux) handled by the app, as another profiler would: a signal sampler must refuse
                sigprof = PosixSignalRegistration.Create((PosixSignal)27, context => context.Cancel = true);
                ok = true;
            }
            else if (option == "--stop-file" && i + 1 < args.Length)
            {
                stopFile = args[++i];
                ok = true;
            }
            else if (option == "--seconds" && i + 1 < args.Length)
            {
                ok = int.TryParse(args[++i], out seconds) && seconds >= 0;
            }
            else
            {
                ok = false;
            }
            if (!ok)
            {
                Console.Error.WriteLine("CpuSpin: bad or unknown option " + option);
                Console.Error.WriteLine("usage: CpuSpin [--stop-file PATH] [--seconds N] [--generic] [--handle-sigprof]");
                return 2;
            }
        }

        Console.WriteLine($"ready {Environment.ProcessId}");
        Console.Out.Flush();

        var threads = new List<Thread>
        {
            new Thread(RunSpinner) { Name = "spinner" },
            new Thread(Sleeper.SleepForever) { Name = "sleeper" },
        };
        if (generic)
            threads.Add(new Thread(() => new Hot<int>().Spin()) { Name = "generic-spinner" });
        foreach (var thread in threads)
            thread.Start();

        // Until the stop file appears or the time is up, whichever comes first.
        long limitMs = seconds * 1000L;
        var clock = Stopwatch.StartNew();
        while (clock.ElapsedMilliseconds < limitMs && (stopFile == null || !File.Exists(stopFile)))
            Thread.Sleep(50);

        Stop.Requested = true;
        foreach (var thread in threads)
            thread.Join();

        sigprof?.Dispose();
        Console.WriteLine("done");
        Console.Out.Flush();
        return 0;
    }

    public static volatile int SpinnerReturns;

    // The spinner thread's method, so that a profiler's stacks show SpinForever under a caller of this program
    // (a frame-pointer walk must get through JIT code to see it). The statement after the call keeps it from
    // becoming a tail call.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RunSpinner()
    {
        Spinner.SpinForever();
        SpinnerReturns++;
    }
}

public static class Stop
{
    public static volatile bool Requested;
}

public static class Spinner
{
    // Written once per batch so the JIT has to compute the loop; read by nobody.
    public static volatile int Sink;

    // Burns one core until Stop.Requested: integer mixing, the stop flag checked every 2^20 iterations.
    // Optimized from its first call: its loop never goes through on-stack replacement, whose frame hides the
    // caller from a frame-pointer walk (Hot<T>.Spin below keeps the default tiering).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void SpinForever()
    {
        uint x = 2463534242;
        while (!Stop.Requested)
        {
            for (int i = 0; i < (1 << 20); i++)
            {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
            }
            Sink = (int)x;
        }
    }
}

public static class Sleeper
{
    // Sleeps in 50 ms steps until Stop.Requested: on CPU almost never.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void SleepForever()
    {
        while (!Stop.Requested)
            Thread.Sleep(50);
    }
}

public sealed class Hot<T>
{
    public static volatile int Sink;

    // Like Spinner.SpinForever, in a method of a generic class (instantiated over int: its own native code).
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Spin()
    {
        uint x = 88172645;
        while (!Stop.Requested)
        {
            for (int i = 0; i < (1 << 20); i++)
            {
                x = x * 1664525 + 1013904223;
                x ^= x >> 16;
            }
            Sink = (int)x;
        }
    }
}
