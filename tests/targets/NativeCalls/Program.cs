// drdotnet test target: a thread "comparer" calls libc's memcmp through P/Invoke over two equal 16 MiB buffers in
// a loop, so that nearly all of its CPU is in that C function; for checking that native frames get their names.
// Prints how many comparisons it made and how many bytes they covered. With --spin-lib PATH, the thread calls
// that library's `long drd_native_spin(long n)` instead (a library the test builds, which may exist only in the
// target's mount namespace), and prints how many calls it made.
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DrDotnet.Targets;

public static class Program
{
    public static int Main(string[] args)
    {
        string? stopFile = null, spinLib = null;
        int seconds = 30;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--stop-file" && i + 1 < args.Length)
                stopFile = args[++i];
            else if (args[i] == "--seconds" && i + 1 < args.Length && int.TryParse(args[i + 1], out seconds))
                i++;
            else if (args[i] == "--spin-lib" && i + 1 < args.Length)
                spinLib = args[++i];
            else
            {
                Console.Error.WriteLine("usage: NativeCalls [--stop-file PATH] [--seconds N] [--spin-lib PATH]");
                return 2;
            }
        }

        ThreadStart work = Comparer.Run;
        if (spinLib != null)
        {
            var spin = Marshal.GetDelegateForFunctionPointer<Spinner.SpinFn>(
                NativeLibrary.GetExport(NativeLibrary.Load(spinLib), "drd_native_spin"));
            work = () => Spinner.Run(spin);
        }
        var comparer = new Thread(work) { Name = "comparer" };
        comparer.Start();
        Console.WriteLine($"ready {Environment.ProcessId}");
        Console.Out.Flush();

        var clock = Stopwatch.StartNew();
        while (clock.ElapsedMilliseconds < seconds * 1000L && (stopFile == null || !File.Exists(stopFile)))
            Thread.Sleep(50);
        Comparer.Stop = true;
        comparer.Join();
        if (spinLib != null)
            Console.WriteLine($"spun {Spinner.Calls} times");
        else
            Console.WriteLine($"compared {Comparer.Calls} times, {Comparer.Bytes} bytes, all equal: {Comparer.AllEqual}");
        Console.WriteLine("done");
        return 0;
    }
}

public static class Spinner
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate long SpinFn(long n);

    public static long Calls;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Run(SpinFn spin)
    {
        while (!Comparer.Stop)
        {
            spin(1 << 24);
            Calls++;
        }
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
