// drdotnet bundled demo: three threads doing ordinary work, two of them throwing and catching ~150 exceptions/s.
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace DrDotnet.Demo;

public static class Program
{
    public static int Main(string[] args)
    {
        int seconds = 20;
        if (args.Length == 2 && args[0] == "--seconds" && int.TryParse(args[1], out int s) && s >= 0)
            seconds = s;
        else if (args.Length != 0)
        {
            Console.Error.WriteLine("usage: Demo [--seconds N]");
            return 2;
        }

        Console.WriteLine($"ready {Environment.ProcessId}");
        Console.Out.Flush();

        var clock = Stopwatch.StartNew();
        long endMs = seconds * 1000L;
        int batches = 0, badLines = 0, orders = 0, missingSkus = 0;
        int rounds = 0;
        long collatzBest = 0;

        var threads = new[]
        {
            new Thread(() =>
            {
                while (clock.ElapsedMilliseconds < endMs)
                {
                    badLines += OrderImporter.ImportBatch();
                    batches++;
                    Thread.Sleep(20);
                }
            }) { Name = "importer" },
            new Thread(() =>
            {
                while (clock.ElapsedMilliseconds < endMs)
                {
                    missingSkus += Checkout.PriceOrder();
                    orders++;
                    Thread.Sleep(20);
                }
            }) { Name = "checkout" },
            new Thread(() =>
            {
                while (clock.ElapsedMilliseconds < endMs)
                {
                    collatzBest = Cruncher.LongestCollatzChain(20_000);
                    rounds++;
                    Thread.Sleep(5);
                }
            }) { Name = "cruncher" },
        };
        foreach (var thread in threads)
            thread.Start();
        foreach (var thread in threads)
            thread.Join();

        Console.WriteLine($"done batches={batches} bad-lines={badLines} orders={orders} missing-skus={missingSkus} crunch-rounds={rounds} collatz-best={collatzBest}");
        Console.Out.Flush();
        return 0;
    }
}

public static class OrderImporter
{
    // Two of these ten quantities are not integers.
    private static readonly string[] Lines = { "12", "7", "x9", "40", "3", "18", "2.5", "5", "31", "64" };

    // Parses one batch; returns how many lines failed with FormatException.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int ImportBatch()
    {
        int failed = 0;
        foreach (string line in Lines)
        {
            try
            {
                ParseQuantity(line);
            }
            catch (FormatException)
            {
                failed++;
            }
        }
        return failed;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int ParseQuantity(string text)
    {
        return int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);
    }
}

public static class Checkout
{
    // One of these eight SKUs is not in the catalog.
    private static readonly string[] Order = { "apple", "bread", "milk", "eggs", "durian", "rice", "tea", "salt" };

    // Prices one order; returns how many SKUs were missing (KeyNotFoundException from the catalog).
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int PriceOrder()
    {
        int missing = 0;
        decimal total = 0;
        foreach (string sku in Order)
        {
            try
            {
                total += PriceCatalog.GetPrice(sku);
            }
            catch (KeyNotFoundException)
            {
                missing++;
            }
        }
        return missing;
    }
}

public static class PriceCatalog
{
    private static readonly Dictionary<string, decimal> Prices = new()
    {
        ["apple"] = 0.40m, ["bread"] = 2.10m, ["milk"] = 1.15m, ["eggs"] = 3.20m,
        ["rice"] = 1.90m, ["tea"] = 4.50m, ["salt"] = 0.60m,
    };

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static decimal GetPrice(string sku)
    {
        return Prices[sku];
    }
}

public static class Cruncher
{
    // Returns the start value below limit with the longest Collatz chain.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long LongestCollatzChain(int limit)
    {
        int bestStart = 1, bestLength = 1;
        for (int start = 1; start < limit; start++)
        {
            int length = 1;
            for (long n = start; n != 1; length++)
                n = (n & 1) == 0 ? n / 2 : 3 * n + 1;
            if (length > bestLength)
            {
                bestLength = length;
                bestStart = start;
            }
        }
        return bestStart;
    }
}
