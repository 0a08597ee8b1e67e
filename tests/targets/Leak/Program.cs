// A target that leaks a known number of objects into a static collection, beside churn that does not leak.
//
// The leak is in steps that follow the full GCs: each time the count of gen-2 collections changes (a profiler's
// forced GC is one), the program adds --batch Shop.Cart objects to the static dictionary Shop.CartStore.Carts and
// prints `leaked <total carts> gc2 <gen-2 collections seen>`. So between two heap snapshots taken with forced GCs the
// carts grow by exactly one batch (the program does nothing else that needs a full GC: the dictionary is sized once
// at the start, the churn dies young). The churn: 500 Shop.Receipt objects made at the start stay in a static array
// (a live count that never grows), and a thread allocates more as fast as it can in short bursts, dropping each at
// once (objects that live a while, then die, would push the collector into full GCs of its own).
// With --heap-mb N it first builds about N MB of live objects under Shop.Catalog.Root (a tree of Shop.Shelf nodes,
// each with a Shop.Product array and their byte buffers) for measuring the page on a large heap.
using System.Runtime.CompilerServices;

namespace Shop;

public sealed class Cart
{
    public long Id, Customer, Created, Items, Total, Discount, Tax, Shipping;
    public long A, B, C, D, E, F, G, H; // 16 longs: 144 bytes with the header on 64-bit
    public Cart(long id) => Id = id;
}

public sealed class Receipt
{
    public long Number, Amount, When;
    public Receipt(long n) => Number = n;
}

public static class CartStore
{
    public static readonly Dictionary<int, Cart> Carts = new(200_000);
}

public sealed class Product
{
    public readonly byte[] Data;
    public Product(int size) => Data = new byte[size];
}

public sealed class Shelf
{
    public readonly List<Shelf> Children = new();
    public Product[] Products = Array.Empty<Product>();
}

public static class Catalog
{
    public static Shelf? Root;

    // About mb megabytes of live objects: shelves of 64 products of 1 KiB (plus headers), in a tree 16 wide.
    public static long Build(int mb)
    {
        long bytes = 0, target = (long)mb << 20;
        Root = new Shelf();
        var level = new List<Shelf> { Root };
        while (bytes < target)
        {
            var next = new List<Shelf>();
            foreach (var parent in level)
            {
                for (int c = 0; c < 16 && bytes < target; c++)
                {
                    var s = new Shelf { Products = new Product[64] };
                    for (int p = 0; p < 64; p++)
                        s.Products[p] = new Product(1000);
                    bytes += 64 * (1000 + 24 + 24) + 600;
                    parent.Children.Add(s);
                    next.Add(s);
                }
                if (bytes >= target) break;
            }
            level = next;
        }
        return bytes;
    }
}

public static class Program
{
    static readonly Receipt[] Ring = new Receipt[500];
    public static volatile object? Sink;
    static volatile bool stop;

    public static int Main(string[] args)
    {
        string? stopFile = null;
        int batch = 5000, heapMb = 0;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--stop-file": stopFile = args[++i]; break;
                case "--batch": batch = int.Parse(args[++i]); break;
                case "--heap-mb": heapMb = int.Parse(args[++i]); break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        if (heapMb > 0)
            Console.WriteLine($"catalog {Catalog.Build(heapMb) >> 20} MB");
        // the dictionary's one large allocation happens now, not in the first batch (where it could start a full GC of
        // its own, and with it a second batch between two snapshots)
        Console.WriteLine($"store {CartStore.Carts.Count}");
        var churn = new Thread(Churn) { IsBackground = true, Name = "churn" };
        churn.Start();
        Thread.Sleep(100);
        GC.Collect();
        int seen = GC.CollectionCount(2);
        Console.WriteLine($"ready {Environment.ProcessId} gc2 {seen}");
        Console.Out.Flush();
        while (stopFile == null || !File.Exists(stopFile))
        {
            int now = GC.CollectionCount(2);
            if (now != seen && batch > 0)
            {
                seen = now;
                AddCarts(batch);
                Console.WriteLine($"leaked {CartStore.Carts.Count} gc2 {seen}");
                Console.Out.Flush();
            }
            Thread.Sleep(5);
        }
        stop = true;
        churn.Join();
        Console.WriteLine($"done {CartStore.Carts.Count}");
        return 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void AddCarts(int n)
    {
        int start = CartStore.Carts.Count;
        for (int i = 0; i < n; i++)
            CartStore.Carts.Add(start + i, new Cart(start + i));
    }

    // Bursts of 20,000 receipts, a millisecond's pause between them.
    static void Churn()
    {
        long n = 0;
        for (int i = 0; i < Ring.Length; i++)
            Ring[i] = new Receipt(n++);
        while (!stop)
        {
            for (int i = 0; i < 20_000; i++, n++)
                Sink = new Receipt(n);
            Thread.Sleep(1);
        }
    }
}
