// One small target with a known workload for every profiler, compiled for .NET 8, 9 and 10 (Runtimes.csproj). From
// the start it holds 20,000 Session objects in a static list (heap-snapshot), 2,000 copies of one string value
// (duplicated-strings) and a thread named "waiter" blocked in Waiter.WaitForever (merged-stacks). Each other
// workload runs when its file appears in the --dir folder, once, then prints "<name> done":
//   go-exceptions  1,000 InvalidOperationException thrown by Thrower.Throw and caught
//   go-cpu         Spinner.Spin burns the CPU for --spin-ms (default 2,000 ms) on one thread
//   go-alloc       --payloads Payload objects (48 bytes each) then --arrays int[256] (1,048 bytes each); with
//                  --interleave 1, the two sizes in turn (as many Payloads as fit between two arrays)
//   go-gc          20 induced gen2 collections
// It prints "ready <pid> <runtime version>", then works until the file "stop" appears, checks what it holds and
// exits 0 (4 if its data changed under it).
using System.Runtime.CompilerServices;

namespace DrDotnet.Targets;

public sealed class Payload
{
    public long A, B, C, D; // 48 bytes per object on 64-bit, the header included
}

public sealed class Session
{
    public readonly byte[] Buffer = new byte[1024];
    public readonly int Id;
    public Session(int id) => Id = id;
}

static class Thrower
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Throw(int i) => throw new InvalidOperationException($"number {i}");

    public static int ThrowAndCatch(int n)
    {
        int caught = 0;
        for (int i = 0; i < n; i++)
        {
            try { Throw(i); }
            catch (InvalidOperationException) { caught++; }
        }
        return caught;
    }
}

static class Spinner
{
    public static volatile int Sink;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Spin(int ms)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int x = 1;
        while (clock.ElapsedMilliseconds < ms)
            for (int i = 0; i < 100_000; i++)
                x = x * 31 + i;
        Sink = x;
    }
}

static class Waiter
{
    static readonly object Gate = new();

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void WaitForever()
    {
        lock (Gate)
            Monitor.Wait(Gate);
    }
}

public static class Program
{
    static readonly List<Session> Sessions = new();
    static readonly List<string> Strings = new();
    public static volatile object? Sink;

    public static int Main(string[] args)
    {
        string? dir = null;
        int payloads = 2_000_000, arrays = 100_000, spinMs = 2_000;
        bool interleave = false;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--dir": dir = args[i + 1]; break;
                case "--payloads": payloads = int.Parse(args[i + 1]); break;
                case "--arrays": arrays = int.Parse(args[i + 1]); break;
                case "--spin-ms": spinMs = int.Parse(args[i + 1]); break;
                case "--interleave": interleave = args[i + 1] == "1"; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        if (dir == null || args.Length % 2 != 0)
        {
            Console.Error.WriteLine("usage: Runtimes --dir FOLDER [--payloads N] [--arrays N] [--interleave 0|1] [--spin-ms MS]");
            return 2;
        }
        for (int i = 0; i < 20_000; i++)
            Sessions.Add(new Session(i));
        var chars = "A value this program holds two thousand times".ToCharArray();
        chars[0] = 'a'; // no literal holds the value: exactly as many copies as made below
        for (int i = 0; i < 2_000; i++)
            Strings.Add(new string(chars));
        new Thread(Waiter.WaitForever) { Name = "waiter", IsBackground = true }.Start();
        Console.WriteLine($"ready {Environment.ProcessId} {Environment.Version}");

        var done = new HashSet<string>();
        while (!File.Exists(Path.Combine(dir, "stop")))
        {
            foreach (var name in new[] { "exceptions", "cpu", "alloc", "gc" })
            {
                if (done.Contains(name) || !File.Exists(Path.Combine(dir, "go-" + name)))
                    continue;
                done.Add(name);
                string result = name switch
                {
                    "exceptions" => $"caught {Thrower.ThrowAndCatch(1_000)}",
                    "cpu" => Run(() => Spinner.Spin(spinMs)),
                    "alloc" => Run(() => { if (interleave) Interleave(payloads, arrays); else Allocate(payloads, arrays); }),
                    _ => Run(Collect),
                };
                Console.WriteLine($"{name} done {result}");
            }
            Thread.Sleep(20);
        }
        bool ok = Sessions.Count == 20_000 && Sessions[19_999].Id == 19_999 &&
                  Strings.All(s => s.Length == chars.Length && s.AsSpan().SequenceEqual(chars));
        Console.WriteLine(ok ? "done" : "SELFCHECK FAILED");
        return ok ? 0 : 4;
    }

    static string Run(Action work)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        work();
        return $"in {clock.ElapsedMilliseconds} ms";
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void Allocate(int payloads, int arrays)
    {
        for (int i = 0; i < payloads; i++)
            Sink = new Payload { A = i };
        for (int i = 0; i < arrays; i++)
            Sink = new int[256];
    }

    // The same objects, the two sizes in turn: what a sampler that favours one size gets wrong
    [MethodImpl(MethodImplOptions.NoInlining)]
    static void Interleave(int payloads, int arrays)
    {
        int made = 0;
        for (int i = 0; i < arrays; i++)
        {
            Sink = new int[256];
            for (long end = (long)payloads * (i + 1) / arrays; made < end; made++)
                Sink = new Payload { A = made };
        }
    }

    static void Collect()
    {
        for (int i = 0; i < 20; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true);
            Thread.Sleep(10);
        }
    }
}
