// drdotnet test target: a plain, quiet running .NET process that sleeps until told to stop.
using System.Diagnostics;

namespace DrDotnet.Targets;

public static class Program
{
    public static int Main(string[] args)
    {
        string? stopFile = null;
        int? seconds = null;

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
                Console.Error.WriteLine("usage: Idle [--stop-file PATH] [--seconds N]");
                return 2;
            }
        }

        // With only --stop-file, wait for it without a time limit; with both, whichever comes first.
        long limitMs = seconds.HasValue || stopFile == null ? (seconds ?? 30) * 1000L : long.MaxValue;

        Console.WriteLine($"ready {Environment.ProcessId}");
        Console.Out.Flush();

        var clock = Stopwatch.StartNew();
        while (clock.ElapsedMilliseconds < limitMs && (stopFile == null || !File.Exists(stopFile)))
            Thread.Sleep(50);

        return 0;
    }
}
