// drdotnet test target: a thread "comparer" calls libc's memcmp through P/Invoke over two equal 16 MiB buffers in
// a loop, so that nearly all of its CPU is in that C function; for checking that native frames get their names.
// Prints how many comparisons it made and how many bytes they covered.
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
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--stop-file" && i + 1 < args.Length)
                stopFile = args[++i];
            else if (args[i] == "--seconds" && i + 1 < args.Length && int.TryParse(args[i + 1], out seconds))
                i++;
            else
            {
                Console.Error.WriteLine("usage: NativeCalls [--stop-file PATH] [--seconds N]");
                return 2;
            }
        }

        var comparer = new Thread(Comparer.Run) { Name = "comparer" };
        comparer.Start();
        Console.WriteLine($"ready {Environment.ProcessId}");
        Console.Out.Flush();

        var clock = Stopwatch.StartNew();
        while (clock.ElapsedMilliseconds < seconds * 1000L && (stopFile == null || !File.Exists(stopFile)))
            Thread.Sleep(50);
        Comparer.Stop = true;
        comparer.Join();
        Console.WriteLine($"compared {Comparer.Calls} times, {Comparer.Bytes} bytes, all equal: {Comparer.AllEqual}");
        Console.WriteLine("done");
        return 0;
    }
}

public static class Comparer
{
    public static volatile bool Stop;
    public static long Calls, Bytes;
    public static bool AllEqual = true;

    // libc's memcmp itself (the C library's name: "libc" alone would find the linker script libc.so on a machine
    // with development files).
    [DllImport("libc.so.6", EntryPoint = "memcmp")]
    private static extern int MemCmp(byte[] a, byte[] b, nuint count);

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Run()
    {
        const int size = 16 << 20;
        var a = new byte[size];
        var b = new byte[size];
        for (int i = 0; i < size; i++)
            a[i] = b[i] = (byte)(i * 31);
        while (!Stop)
        {
            if (MemCmp(a, b, (nuint)size) != 0)
                AllEqual = false;
            Calls++;
            Bytes += size;
        }
    }
}
