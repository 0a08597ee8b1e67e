// A real ASP.NET Core application (Kestrel, routing, JSON) with a few endpoints of known behaviour, for the tests
// that profile an app under HTTP load: /json serializes a page of the catalog, /lock takes a shared lock, /fail
// throws and catches an OrderRejectedException, /alloc allocates 100 Invoice objects (280 bytes each), /compute
// spends about a millisecond in Pricing.Quote. The catalog (5,000 items, each with its own copy of the same
// category string) is held by a static field. Usage: Web [--urls http://127.0.0.1:0]; prints
// "ready <pid> <address>" once it listens.
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace DrDotnet.Web;

public sealed record CatalogItem(int Id, string Name, string Category, decimal Price);

[InlineArray(32)]
public struct InvoiceLines
{
    long first;
}

// About 280 bytes in one object (its lines inline), so that a sampled allocation profile sees enough of them
public sealed class Invoice
{
    public InvoiceLines Lines;
    public int Number;
}

public sealed class OrderRejectedException : Exception
{
    public OrderRejectedException(int id) : base($"order {id} rejected") { }
}

public static class Catalog
{
    public const int Size = 5_000;
    public static readonly List<CatalogItem> Items = Build();

    static List<CatalogItem> Build()
    {
        // a new string object per item: 5,000 copies of one value, which no literal holds (the literal differs in
        // its first letter)
        var category = "Kitchen and garden tools, seasonal".ToCharArray();
        category[0] = 'k';
        var items = new List<CatalogItem>(Size);
        for (int i = 0; i < Size; i++)
            items.Add(new CatalogItem(i, $"item {i}", new string(category), 1.5m + i));
        return items;
    }

    public static List<CatalogItem> Page(int n) => Items.GetRange(n * 20 % (Size - 20), 20);
}

public static class Counter
{
    static readonly object Gate = new();
    static long value;

    public static long Next()
    {
        lock (Gate) { return ++value; }
    }
}

public static class Orders
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Place(int id) => throw new OrderRejectedException(id);

    public static string TryPlace(int id)
    {
        try
        {
            Place(id);
            return "placed";
        }
        catch (OrderRejectedException)
        {
            return "rejected";
        }
    }
}

public static class Billing
{
    public static volatile Invoice? Last;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int MakeInvoices(int n)
    {
        int sum = 0;
        for (int i = 0; i < n; i++)
        {
            var invoice = new Invoice { Number = i };
            invoice.Lines[i % 32] = i;
            sum += 32 * sizeof(long);
            Last = invoice;
        }
        return sum;
    }
}

public static class Pricing
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static double Quote(int seed)
    {
        double x = seed;
        for (int i = 1; i < 400_000; i++)
            x = x * 1.0000001 + Math.Sqrt(i) % 7;
        return x;
    }
}

public static class Program
{
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        int n = 0;
        app.MapGet("/json", () => Results.Json(Catalog.Page(Interlocked.Increment(ref n))));
        app.MapGet("/lock", () => Counter.Next().ToString());
        app.MapGet("/fail", () => Orders.TryPlace(Interlocked.Increment(ref n)));
        app.MapGet("/alloc", () => Billing.MakeInvoices(100).ToString());
        app.MapGet("/compute", () => Pricing.Quote(Interlocked.Increment(ref n)).ToString("F0"));
        app.Start();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Console.WriteLine($"ready {Environment.ProcessId} {address} catalog {Catalog.Items.Count}");
        app.WaitForShutdown();
        Console.WriteLine("stopped");
    }
}
