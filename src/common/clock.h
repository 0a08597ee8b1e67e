/* The clocks both sides read (the library in the target, the tool): monotonic time for durations and deadlines,
 * wall time for what a person reads, a thread's CPU time. Static inline, no state: safe in any callback and in a
 * signal handler (clock_gettime is async-signal-safe). */
#ifndef DRD_CLOCK_H
#define DRD_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Nanoseconds on the monotonic clock. */
static inline uint64_t drd_clock_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Nanoseconds on the monotonic clock as of the kernel's last tick (a few ms behind at most, several times cheaper
 * to read): for rates, not for timestamps. */
static inline uint64_t drd_clock_mono_coarse_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Milliseconds on the monotonic clock. */
static inline int64_t drd_clock_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds since the Unix epoch (the wall clock: may jump; not for durations). */
static inline int64_t drd_clock_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Nanoseconds since the Unix epoch (the wall clock: may jump; not for durations). */
static inline int64_t drd_clock_wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The CPU-time clock of thread tid of this process, as the kernel numbers per-thread clocks (the scheduler's
 * clock of that one thread); for clock_gettime and timer_create. */
static inline clockid_t drd_clock_thread_cpu(uint32_t tid)
{
    return (clockid_t)((~(unsigned)tid << 3) | 6);
}

/* The CPU time thread tid of this process has used, in nanoseconds; 0 when the thread is gone. */
static inline uint64_t drd_clock_thread_cpu_ns(uint32_t tid)
{
    struct timespec ts;
    if (clock_gettime(drd_clock_thread_cpu(tid), &ts))
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

#endif
