/* Reading /proc: start times, pid namespaces, mount and time namespaces, a process's temp folder and libc. */
#define _GNU_SOURCE
#include "diag/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int drd_proc_stopped(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    char *p = strrchr(buf, ')'); /* field 3 follows the command name, which may hold ')' */
    return p && p[1] == ' ' && (p[2] == 'T' || p[2] == 't');
}

int drd_proc_start_time(pid_t pid, unsigned long long *ticks)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    /* the command name (field 2) may hold spaces and parentheses: fields resume after the last ')' */
    char *p = strrchr(buf, ')');
    if (!p)
        return -1;
    p++;
    /* p is now before field 3; field 22 is 19 fields further */
    for (int field = 3; field < 22; field++) {
        p = strchr(p + 1, ' ');
        if (!p)
            return -1;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(p + 1, &end, 10);
    if (errno || end == p + 1)
        return -1;
    *ticks = v;
    return 0;
}

int drd_proc_alive(pid_t pid, unsigned long long start_ticks)
{
    unsigned long long t;
    return drd_proc_start_time(pid, &t) == 0 && t == start_ticks;
}

int drd_proc_maps_file(pid_t pid, const char *name)
{
    char path[64], line[4400];
    snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return 0;
    int found = 0;
    while (!found && fgets(line, sizeof line, f))
        found = strstr(line, name) != NULL;
    fclose(f);
    return found;
}

/* Reads NSpid (last value), the uids and the effective gid from /proc/<pid>/status. Returns 0 or -1. */
static int read_status(pid_t pid, struct drd_proc_view *v)
{
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    int have_ns = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long real, eff, saved, fs;
        if (strncmp(line, "NSpid:", 6) == 0) {
            /* one value per pid namespace, from ours down to the process's own */
            char *p = line + 6, *end;
            for (;;) {
                errno = 0;
                long x = strtol(p, &end, 10);
                if (end == p || errno)
                    break;
                if (x > 0) {
                    v->ns_pid = (pid_t)x;
                    have_ns = 1;
                }
                p = end;
            }
        } else if (sscanf(line, "Uid: %lu %lu %lu %lu", &real, &eff, &saved, &fs) == 4) {
            v->uid = (uid_t)eff;
            v->uids[0] = (uid_t)real;
            v->uids[1] = (uid_t)eff;
            v->uids[2] = (uid_t)saved;
            v->uids[3] = (uid_t)fs;
        }
        else if (sscanf(line, "Gid: %lu %lu", &real, &eff) == 2)
            v->gid = (gid_t)eff;
    }
    fclose(f);
    if (!have_ns)
        v->ns_pid = pid; /* a kernel without NSpid: no pid namespaces to tell apart */
    return 0;
}

int drd_proc_has_uid(pid_t pid, uid_t uid)
{
    struct drd_proc_view v;
    memset(&v, 0, sizeof v);
    v.uids[0] = v.uids[1] = v.uids[2] = v.uids[3] = (uid_t)-1;
    if (read_status(pid, &v))
        return 0;
    for (int i = 0; i < 4; i++)
        if (v.uids[i] == uid)
            return 1;
    return 0;
}

/* Compares /proc/<pid>/<what> with /proc/self/<what> by device and inode. Returns 1 when they differ, 0 when
 * they are the same, -1 when either cannot be inspected. */
static int differs(pid_t pid, const char *what)
{
    char path[96], self[96];
    struct stat a, b;
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, what);
    snprintf(self, sizeof self, "/proc/self/%s", what);
    if (stat(path, &a) || stat(self, &b))
        return -1;
    return a.st_dev != b.st_dev || a.st_ino != b.st_ino;
}

/* The process's TMPDIR from its initial environment (owner or root only). Returns 0 with out, or -1. */
static int read_tmpdir(pid_t pid, char *out, size_t cap)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    char *var = NULL;
    size_t vcap = 0;
    int rc = -1;
    while (getdelim(&var, &vcap, '\0', f) > 0) {
        if (strncmp(var, "TMPDIR=", 7) == 0 && var[7]) {
            rc = snprintf(out, cap, "%s", var + 7) < (int)cap ? 0 : -1;
            break;
        }
    }
    free(var);
    fclose(f);
    return rc;
}

int drd_proc_view_read(pid_t pid, struct drd_proc_view *v)
{
    memset(v, 0, sizeof *v);
    v->pid = pid;
    v->uid = (uid_t)-1;
    v->gid = (gid_t)-1;
    if (pid <= 0 || read_status(pid, v))
        return -1;
    int mnt = differs(pid, "ns/mnt"), root = differs(pid, "root"), tns = differs(pid, "ns/time");
    v->ns_known = mnt >= 0 && root >= 0;
    v->other_mnt = mnt == 1;
    v->other_root = mnt == 1 || root == 1;
    v->other_time = tns == 1;
    /* the runtime takes TMPDIR when set and not empty, else /tmp; a relative one we cannot place */
    if (read_tmpdir(pid, v->tmp, sizeof v->tmp) || v->tmp[0] != '/')
        snprintf(v->tmp, sizeof v->tmp, "/tmp");
    size_t n = strlen(v->tmp);
    while (n > 1 && v->tmp[n - 1] == '/')
        v->tmp[--n] = 0;
    if (v->other_root)
        snprintf(v->sock_dir, sizeof v->sock_dir, "/proc/%d/root%s", (int)pid, n > 1 ? v->tmp : "");
    else
        snprintf(v->sock_dir, sizeof v->sock_dir, "%s", v->tmp);
    return 0;
}

enum drd_libc drd_proc_libc(pid_t pid)
{
    char path[64], line[1024];
    snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return DRD_LIBC_UNKNOWN;
    enum drd_libc found = DRD_LIBC_UNKNOWN;
    while (found != DRD_LIBC_MUSL && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        char *base = strrchr(line, '/');
        if (!base)
            continue;
        base++;
        if (strncmp(base, "ld-musl-", 8) == 0 || strncmp(base, "libc.musl-", 10) == 0)
            found = DRD_LIBC_MUSL;
        else if (strncmp(base, "libc.so.6", 9) == 0 || strncmp(base, "ld-linux", 8) == 0 ||
                 strncmp(base, "libc-2.", 7) == 0)
            found = DRD_LIBC_GLIBC;
    }
    fclose(f);
    return found;
}

const char *drd_proc_libc_name(enum drd_libc libc)
{
    return libc == DRD_LIBC_GLIBC ? "glibc" : libc == DRD_LIBC_MUSL ? "musl" : "an unknown C library";
}
