// drdotnet test target: a CPU-bound benchmark workload. N threads each repeat a deterministic unit of work
// (integer mixing rounds, sorting a small array, a dictionary insert/lookup mix), every result is checked,
// and at the end the process prints how many units per second all threads together completed.
// With --ticks, a timer thread also prints, for every second of the measured window, the line
// `tick <unix ms at the end of that second> <units all threads completed in it> <process CPU time so far, us>`
// (Shared/Ticker.cs), so that a benchmark can compare the seconds before, during and after something was
// attached to the same process.
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace DrDotnet.Targets;

public static class Program
{
    public static int Main(string[] args)
    {
        int threadCount = Environment.ProcessorCount;
        int seconds = 10;
        int warmup = 2;
        bool ticks = false;

        for (int i = 0; i < args.Length; i++)
        {
            string option = args[i];
            if (option == "--ticks")
            {
                ticks = true;
                continue;
            }
            string? value = i + 1 < args.Length ? args[++i] : null;
            int n = 0;
            bool ok = value != null && int.TryParse(value, out n);
            if (ok && option == "--threads" && n >= 1 && n <= 1024)
                threadCount = n;
            else if (ok && option == "--seconds" && n >= 1)
                seconds = n;
            else if (ok && option == "--warmup" && n >= 0)
                warmup = n;
            else
            {
                Console.Error.WriteLine("CpuBench: bad or unknown option " + option);
                Console.Error.WriteLine("usage: CpuBench [--threads N] [--seconds S] [--warmup S] [--ticks]");
                return 2;
            }
        }

        Console.WriteLine($"ready {Environment.ProcessId}");
        Console.Out.Flush();

        // The expected result of every seed, computed once here and itself checked against a constant, so a
        // wrong result anywhere (here or on a worker) is caught.
        ulong[] expected = Unit.ExpectedResults();
        ulong digest = Unit.Digest(expected);
        if (digest != Unit.ExpectedDigest)
        {
            Console.WriteLine($"SELFCHECK FAILED digest {digest:x16} expected {Unit.ExpectedDigest:x16}");
            Console.Out.Flush();
            return 4;
        }

        var workers = new Worker[threadCount];
        var threads = new Thread[threadCount];
        for (int t = 0; t < threadCount; t++)
        {
            var worker = new Worker(t, expected);
            workers[t] = worker;
            threads[t] = new Thread(worker.Run) { Name = $"bench-{t}" };
        }
        foreach (var thread in threads)
            thread.Start();

        Thread.Sleep(warmup * 1000);
        long before = Completed(workers);
        var clock = Stopwatch.StartNew();
        Thread? ticker = null;
        if (ticks)
        {
            ticker = new Thread(() => Ticker.Run(() => Completed(workers), clock, before, seconds)) { Name = "ticker", IsBackground = true };
            ticker.Start();
        }
        Thread.Sleep(seconds * 1000);
        long after = Completed(workers);
        double elapsed = clock.Elapsed.TotalSeconds;
        ticker?.Join();

        Worker.StopRequested = true;
        foreach (var thread in threads)
            thread.Join();

        foreach (var worker in workers)
        {
            if (worker.Failure != null)
            {
                Console.WriteLine($"SELFCHECK FAILED {worker.Failure}");
                Console.Out.Flush();
                return 4;
            }
        }

        Console.WriteLine($"throughput {(long)((after - before) / elapsed)}");
        Console.Out.Flush();
        return 0;
    }

    private static long Completed(Worker[] workers)
    {
        long sum = 0;
        foreach (var worker in workers)
            sum += Volatile.Read(ref worker.Units);
        return sum;
    }
}

public sealed class Worker
{
    public static volatile bool StopRequested;

    public long Units;
    public string? Failure;

    private readonly int _index;
    private readonly ulong[] _expected;
    private readonly Unit _unit = new();

    public Worker(int index, ulong[] expected)
    {
        _index = index;
        _expected = expected;
    }

    // Runs units until StopRequested or the first wrong result; each thread starts at a different seed.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Run()
    {
        int seed = (_index * 7) % Unit.SeedCount;
        try
        {
            while (!StopRequested)
            {
                ulong result = _unit.Run(seed);
                if (result != _expected[seed])
                {
                    Failure = $"thread {_index} seed {seed}: {result:x16} expected {_expected[seed]:x16}";
                    return;
                }
                Volatile.Write(ref Units, Units + 1);
                seed = (seed + 1) % Unit.SeedCount;
            }
        }
        catch (InvalidOperationException e)
        {
            Failure = $"thread {_index} seed {seed}: {e.Message}";
        }
    }
}

// One unit of work, on buffers reused from unit to unit (so the steady state does not allocate).
public sealed class Unit
{
    public const int SeedCount = 64;
    public const ulong ExpectedDigest = 0x844a14603b09abd3;

    private const int MixRounds = 160;
    private const int SortSize = 512;
    private const int MapInserts = 256;
    private const int MapLookups = 512;
    private const int KeyRange = 1024;

    private readonly uint[] _state = new uint[16];
    private readonly int[] _block = new int[SortSize];
    private readonly Dictionary<int, int> _map = new(KeyRange);

    public static ulong[] ExpectedResults()
    {
        var unit = new Unit();
        var results = new ulong[SeedCount];
        for (int seed = 0; seed < SeedCount; seed++)
            results[seed] = unit.Run(seed);
        return results;
    }

    public static ulong Digest(ulong[] results)
    {
        ulong h = 14695981039346656037;
        foreach (ulong r in results)
            h = (h ^ r) * 1099511628211;
        return h;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public ulong Run(int seed)
    {
        uint mixed = Mix(seed);
        ulong sorted = SortBlock(mixed);
        ulong mapped = DictionaryMix(mixed);
        return ((ulong)mixed << 32) ^ sorted ^ (mapped * 0x9E3779B97F4A7C15);
    }

    // ChaCha-style add-rotate-xor rounds over 16 words seeded from the seed; returns a digest of the state.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public uint Mix(int seed)
    {
        uint[] s = _state;
        for (int i = 0; i < s.Length; i++)
            s[i] = (uint)(seed * 0x9E3779B9) + (uint)i * 0x85EBCA6B;
        for (int round = 0; round < MixRounds; round++)
        {
            Quarter(s, 0, 4, 8, 12);
            Quarter(s, 1, 5, 9, 13);
            Quarter(s, 2, 6, 10, 14);
            Quarter(s, 3, 7, 11, 15);
            Quarter(s, 0, 5, 10, 15);
            Quarter(s, 1, 6, 11, 12);
            Quarter(s, 2, 7, 8, 13);
            Quarter(s, 3, 4, 9, 14);
        }
        uint h = 0;
        for (int i = 0; i < s.Length; i++)
            h = (h ^ s[i]) * 16777619;
        return h;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Quarter(uint[] s, int a, int b, int c, int d)
    {
        s[a] += s[b]; s[d] = uint.RotateLeft(s[d] ^ s[a], 16);
        s[c] += s[d]; s[b] = uint.RotateLeft(s[b] ^ s[c], 12);
        s[a] += s[b]; s[d] = uint.RotateLeft(s[d] ^ s[a], 8);
        s[c] += s[d]; s[b] = uint.RotateLeft(s[b] ^ s[c], 7);
    }

    // Fills the block with pseudo-random ints, sorts it, checks order and sum; returns a position-weighted sum.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public ulong SortBlock(uint seed)
    {
        int[] block = _block;
        uint x = seed | 1;
        long sum = 0;
        for (int i = 0; i < block.Length; i++)
        {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            block[i] = (int)(x % 100_000);
            sum += block[i];
        }
        Array.Sort(block);
        ulong weighted = 0;
        long sortedSum = 0;
        for (int i = 0; i < block.Length; i++)
        {
            if (i > 0 && block[i - 1] > block[i])
                throw new InvalidOperationException("block not sorted");
            sortedSum += block[i];
            weighted += (ulong)block[i] * (ulong)(i + 1);
        }
        if (sortedSum != sum)
            throw new InvalidOperationException("sort changed the sum");
        return weighted;
    }

    // Inserts and updates keys, then looks keys up (hits and misses); checks the map's size against a count
    // kept on the side; returns a digest of what the lookups found.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public ulong DictionaryMix(uint seed)
    {
        Dictionary<int, int> map = _map;
        map.Clear();
        uint x = seed * 747796405 + 2891336453;
        int added = 0;
        for (int i = 0; i < MapInserts; i++)
        {
            x = x * 747796405 + 2891336453;
            int key = (int)((x >> 8) % KeyRange);
            if (map.TryGetValue(key, out int old))
                map[key] = old + i;
            else
            {
                map.Add(key, i);
                added++;
            }
        }
        if (map.Count != added)
            throw new InvalidOperationException("map size mismatch");
        ulong found = 0;
        int misses = 0;
        for (int j = 0; j < MapLookups; j++)
        {
            x = x * 747796405 + 2891336453;
            int key = (int)((x >> 8) % KeyRange);
            if (map.TryGetValue(key, out int value))
                found += (ulong)value * (ulong)(j + 1);
            else
                misses++;
        }
        return found ^ ((ulong)misses << 40) ^ ((ulong)added << 52);
    }
}
