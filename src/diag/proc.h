/* What /proc tells about a process: its start time, its pid and temp folder as it sees them, its namespaces. */
#ifndef DRD_PROC_H
#define DRD_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* Reads field 22 (start time in clock ticks since boot) of /proc/<pid>/stat. The value is the same from every
 * pid namespace, so it is also the key the runtime puts in its socket name inside a container (unless the
 * container has its own time namespace, whose boot-time offset shifts it). Returns 0 or -1. */
int drd_proc_start_time(pid_t pid, unsigned long long *ticks);

/* Returns 1 while pid is stopped (state T: SIGSTOP, or t: a debugger's stop), 0 when it runs or is gone. */
int drd_proc_stopped(pid_t pid);

/* Returns 1 if pid still names the process that started at start_ticks. */
int drd_proc_alive(pid_t pid, unsigned long long start_ticks);

/* Returns 1 while pid maps a file whose path contains name (a library copy), 0 when not or when pid is gone. */
int drd_proc_maps_file(pid_t pid, const char *name);

/* A process as it sees itself, next to how this tool sees it. */
struct drd_proc_view {
    pid_t pid; /* as this tool sees it */
    pid_t ns_pid; /* in its own pid namespace: the last value of NSpid (== pid when it shares ours) */
    uid_t uid; /* effective ids, as this tool's user namespace sees them */
    uid_t uids[4]; /* real, effective, saved and file-system uids */
    gid_t gid;
    int ns_known; /* 0 when its namespaces could not be inspected (another user's process, no root) */
    int other_mnt; /* 1 when its mount namespace is not ours */
    int other_root; /* 1 when its files must be reached through /proc/<pid>/root: another mount namespace or
                       another root (chroot) */
    int other_time; /* 1 when its time namespace is not ours: its socket key is then not our start time */
    char tmp[256]; /* its temp folder as it sees it: its TMPDIR when readable and absolute, else /tmp */
    char sock_dir[512]; /* that folder as this tool reaches it: tmp, or /proc/<pid>/root<tmp> */
};

/* Fills *v for pid. What cannot be read (another user's process without root) is taken as "same as ours".
 * Returns 0, or -1 when the process does not exist. */
int drd_proc_view_read(pid_t pid, struct drd_proc_view *v);

/* Whether uid is one of pid's uids (real, effective, saved, file-system), from /proc/<pid>/status. 0 when not,
 * or when the process cannot be read. */
int drd_proc_has_uid(pid_t pid, uid_t uid);

enum drd_libc { DRD_LIBC_UNKNOWN = 0, DRD_LIBC_GLIBC, DRD_LIBC_MUSL };

/* The C library mapped into pid, from /proc/<pid>/maps (musl: ld-musl-*.so.1 or libc.musl-*; glibc: libc.so.6,
 * ld-linux*). Returns DRD_LIBC_UNKNOWN when maps cannot be read or shows neither. */
enum drd_libc drd_proc_libc(pid_t pid);

/* "glibc", "musl" or "an unknown C library". */
const char *drd_proc_libc_name(enum drd_libc libc);

#endif
