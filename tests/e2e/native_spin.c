/* A C library for tests/e2e/native.sh: one function that burns CPU, built by the test into a folder that only the
 * target's mount namespace sees, to check that its frames are named from the file as the target sees it. */
long drd_native_spin(long n);

long drd_native_spin(long n)
{
    volatile long x = 0;
    for (long i = 0; i < n; i++)
        x = x + (i ^ (x >> 3));
    return x;
}
