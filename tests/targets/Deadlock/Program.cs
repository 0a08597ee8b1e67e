// drdotnet test target: two background threads take two monitors in opposite orders and deadlock; the
// process stays up (deadlocked) until told to stop.
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace DrDotnet.Targets;

public static class Program
{
    public static int Main(string[] args)
    {
        string? stopFile = null;
        int seconds = 30;

        for (int i = 0; i < args.Length; i++)
        {
            string option = args[i];
            string? value = i + 1 < args.Length ? args[++i] : null;
            if (option == "--stop-file" && value != null)
                stopFile = value;
            else if (option == "--seconds" && int.TryParse(value, out int s) && s >= 0)
                seconds = s;
            else
            {
                Console.Error.WriteLine("Deadlock: bad or unknown option " + option);
                Console.Error.WriteLine("usage: Deadlock [--stop-file PATH] [--seconds N]");
                return 2;
            }
        }

        Console.WriteLine($"ready {Environment.ProcessId}");
        Console.Out.Flush();

        // Background threads: they never finish, and must not keep the process alive.
        new Thread(LockOrder.TakeAThenB) { Name = "locker-a", IsBackground = true }.Start();
        new Thread(LockOrder.TakeBThenA) { Name = "locker-b", IsBackground = true }.Start();

        // Until the stop file appears or the time is up, whichever comes first.
        long limitMs = seconds * 1000L;
        var clock = Stopwatch.StartNew();
        bool deadlocked = false;
        while (clock.ElapsedMilliseconds < limitMs && (stopFile == null || !File.Exists(stopFile)))
        {
            if (!deadlocked && LockOrder.BothHoldTheirFirstLock.IsSet)
            {
                deadlocked = true;
                Console.WriteLine("deadlocked");
                Console.Out.Flush();
            }
            Thread.Sleep(20);
        }

        if (!deadlocked && !LockOrder.BothHoldTheirFirstLock.IsSet)
        {
            Console.WriteLine("NOT DEADLOCKED");
            Console.Out.Flush();
            Environment.Exit(3);
        }
        Environment.Exit(0);
        return 0;
    }
}

public static class LockOrder
{
    // Plain objects, so the locks are monitors (Monitor.Enter), not System.Threading.Lock.
    public static readonly object LockA = new();
    public static readonly object LockB = new();

    // Set once each thread holds its first lock and has slept: from then on both inner attempts must block.
    public static readonly CountdownEvent BothHoldTheirFirstLock = new(2);

    public static int InnerEntered;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void TakeAThenB()
    {
        lock (LockA)
        {
            Thread.Sleep(200);
            BothHoldTheirFirstLock.Signal();
            BothHoldTheirFirstLock.Wait();
            lock (LockB)
            {
                InnerEntered++; // never reached
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void TakeBThenA()
    {
        lock (LockB)
        {
            Thread.Sleep(200);
            BothHoldTheirFirstLock.Signal();
            BothHoldTheirFirstLock.Wait();
            lock (LockA)
            {
                InnerEntered++; // never reached
            }
        }
    }
}
