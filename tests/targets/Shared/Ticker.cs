// The benchmarks' per-second ticks, shared by the CpuBench and Memory targets (compiled into both).
using System.Diagnostics;

namespace DrDotnet.Targets;

static class Ticker
{
    // One line per second of the measured window: `tick <unix ms at the end of that second> <units done in it>
    // <the process's CPU time so far, us>`, where total() gives the units done so far. Each second ends at a
    // deadline counted from the window's start (not from the previous wake-up), so a late wake-up shortens the
    // next interval instead of shifting all later ones; the lines cover exactly the window's first `seconds`.
    public static void Run(Func<long> total, Stopwatch clock, long start, int seconds)
    {
        long previous = start;
        for (int k = 1; k <= seconds; k++)
        {
            long deadline = k * 1000L;
            long left;
            while ((left = deadline - clock.ElapsedMilliseconds) > 0)
                Thread.Sleep((int)left);
            long now = total();
            long stamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            long cpu = (long)Environment.CpuUsage.TotalTime.TotalMicroseconds;
            Console.WriteLine($"tick {stamp} {now - previous} {cpu}");
            Console.Out.Flush();
            previous = now;
        }
    }
}
