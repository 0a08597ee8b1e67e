// A target with static fields of every kind, some initialized and holding known objects, the others never touched
// (their classes not loaded, loaded but not initialized, failed, or impossible to load): a heap walk that names
// static roots must name the first and survive the others. Prints "ready <pid>", works on one thread (a lock, an
// exception caught, small allocations) until the stop file exists, then checks what its statics hold and exits 0.
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace DrDotnet.Statics;

// --- the objects that initialized statics hold: one type each, retaining a known, large amount (so that each is
// among the heap's ten biggest retainers)
public sealed class Shelf
{
    public int Items;
    public readonly byte[] Stock = new byte[2_000_000];
}

public sealed class Ledger
{
    public readonly byte[] Pages = new byte[1_800_000];
}

public sealed class Basket
{
    public readonly byte[] Fruit = new byte[1_600_000];
}

public sealed class Sack
{
    public readonly byte[] Grain = new byte[1_400_000];
}

public sealed class Token
{
    public readonly byte[] Data = new byte[120];
}

public sealed class Crate
{
    public int Items;
}

public sealed class ShelfEmptyException : Exception
{
    public ShelfEmptyException() : base("the shelf is empty") { }
}

// --- initialized
public static class Warehouse // a static readonly reference field, no static constructor (beforefieldinit)
{
    public static readonly Shelf Main = new();
    public static void Restock() { lock (Main) { Main.Items++; } }
}

public static class Books // a static constructor
{
    public static readonly Ledger Current;
    static Books() { Current = new Ledger(); }
}

public static class Pool<T> // a generic class: its statics exist per instantiation (Token and int here, no other)
{
    public static readonly List<T> Items = new();
}

public static class PerThread // [ThreadStatic]: set on the main thread only
{
    [ThreadStatic] public static Basket? Current;
}

public static class Plugin // only ever initialized in the copies of this assembly loaded into collectible contexts
{
    public static Sack? Held;
    public static void Fill() => Held = new Sack();
}

// --- never touched: no code that runs refers to them
public static class Depot // the same as Warehouse, never used: the runtime never loads the class
{
    public static readonly Crate Main = new();
    public static void Restock() { lock (Main) { Main.Items++; } }
}

public static class Archive // a static constructor that never ran
{
    public static Ledger? Old;
    static Archive() { Old = new Ledger(); }
}

public static class BrokenUnused // a static constructor that would throw, never run
{
    public static readonly Crate Held = new();
    static BrokenUnused() { throw new InvalidOperationException("never run"); }
}

public static class PerThreadUnused
{
    [ThreadStatic] public static Basket? Current;
}

public static class Registry<T> // a generic class never instantiated
{
    public static readonly Dictionary<string, T> Entries = new();
}

public static class Orphan // its field's type lives in the missing assembly
{
    public static readonly DrDotnet.Gone.Part Item = new();
}

public sealed class OrphanChild : DrDotnet.Gone.BasePart // its base type lives in the missing assembly
{
    public static OrphanChild? Instance;
}

// --- touched, but not initialized
public static class LoadedOnly // the class is loaded (typeof), its statics never initialized
{
    public static readonly Crate Main = new();
    static LoadedOnly() { Main.Items = 1; }
}

public static class Broken // a static constructor that throws: the type is unusable afterwards
{
    public static readonly Crate Held = new();
    static Broken() { throw new InvalidOperationException("this type cannot be initialized"); }
}

public static class Spare // touched from a method that cannot be compiled: its field's type is missing
{
    public static DrDotnet.Gone.Part? Item;
}

public static class Program
{
    static volatile bool stop;
    static long rounds, caught;

    public static int Main(string[] args)
    {
        string? stopFile = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--stop-file" && i + 1 < args.Length) stopFile = args[++i];
            else { Console.Error.WriteLine("usage: Statics [--stop-file PATH]"); return 2; }
        }

        Warehouse.Restock();
        GC.KeepAlive(Books.Current);
        for (int i = 0; i < 10_000; i++) Pool<Token>.Items.Add(new Token());
        for (int i = 0; i < 100; i++) Pool<int>.Items.Add(i);
        PerThread.Current = new Basket();
        Console.WriteLine($"loaded only: {typeof(LoadedOnly).Name}");
        Console.WriteLine($"broken: {TouchBroken()}");
        Console.WriteLine($"spare: {TouchSpare()}");
        var kept = LoadPlugin("kept");
        var unloaded = LoadAndUnloadPlugin();
        Console.WriteLine($"plugin unloaded: {unloaded}");

        Console.WriteLine($"ready {Environment.ProcessId}");
        var worker = new Thread(Work) { Name = "work", IsBackground = true };
        worker.Start();
        while (stopFile == null || !File.Exists(stopFile))
            Thread.Sleep(50);
        stop = true;
        worker.Join();

        // what the initialized statics hold is intact, and the main thread's thread-static too
        bool ok = Warehouse.Main.Items == rounds + 1 && Books.Current.Pages.Length == 1_800_000 &&
                  Pool<Token>.Items.Count == 10_000 && Pool<int>.Items.Count == 100 &&
                  PerThread.Current?.Fruit.Length == 1_600_000 && unloaded && kept.Assemblies.Any();
        Console.WriteLine($"rounds {rounds} caught {caught} {(ok ? "statics intact" : "SELFCHECK FAILED")}");
        return ok ? 0 : 4;
    }

    static void Work()
    {
        while (!stop)
        {
            Warehouse.Restock();
            Interlocked.Increment(ref rounds);
            try
            {
                Take(rounds);
            }
            catch (ShelfEmptyException)
            {
                caught++;
            }
            Thread.Sleep(5);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void Take(long n)
    {
        var order = new int[16]; // a small allocation every round
        order[0] = (int)n;
        if (n % 4 == 0)
            throw new ShelfEmptyException();
    }

    static string TouchBroken()
    {
        try
        {
            return Broken.Held.ToString() ?? "";
        }
        catch (TypeInitializationException e)
        {
            return $"{e.GetType().Name} ({e.InnerException?.Message})";
        }
    }

    static string TouchSpare()
    {
        try
        {
            return ReadSpare();
        }
        catch (FileNotFoundException e)
        {
            return $"{e.GetType().Name} ({e.FileName})";
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static string ReadSpare() => Spare.Item?.Data.Length.ToString() ?? "none"; // cannot be compiled: Part is missing

    // A copy of this assembly in a collectible context whose Plugin.Held is set: the copy's statics live in that
    // context's own storage.
    [MethodImpl(MethodImplOptions.NoInlining)]
    static AssemblyLoadContext LoadPlugin(string name)
    {
        var context = new AssemblyLoadContext(name, isCollectible: true);
        var copy = context.LoadFromAssemblyPath(typeof(Program).Assembly.Location);
        copy.GetType("DrDotnet.Statics.Plugin")!.GetMethod("Fill", BindingFlags.Public | BindingFlags.Static)!
            .Invoke(null, null);
        return context;
    }

    // Another such context, unloaded: true once the runtime has collected it.
    static bool LoadAndUnloadPlugin()
    {
        var weak = Unload();
        for (int i = 0; i < 50 && weak.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Thread.Sleep(10);
        }
        return !weak.IsAlive;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static WeakReference Unload()
    {
        var context = LoadPlugin("unloaded");
        var weak = new WeakReference(context);
        context.Unload();
        return weak;
    }
}
