/* The diagnostics IPC client: socket discovery, one-request connections with deadlines, ProcessInfo, attach. */
#define _GNU_SOURCE
#include "diag/diag.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int set_err(struct drd_diag_error *err, enum drd_diag_code code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return -1;
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

static const char *tmp_dir(void)
{
    const char *t = getenv("TMPDIR");
    return (t && *t) ? t : "/tmp";
}

/* Parses "dotnet-diagnostic-<pid>-<key>-socket". Returns 0 or -1. */
static int parse_socket_name(const char *name, pid_t *pid, unsigned long long *key)
{
    static const char prefix[] = "dotnet-diagnostic-";
    if (strncmp(name, prefix, sizeof prefix - 1) != 0)
        return -1;
    const char *p = name + sizeof prefix - 1;
    char *end;
    errno = 0;
    unsigned long v = strtoul(p, &end, 10);
    if (errno || end == p || *end != '-' || v == 0 || v > 0x7fffffff)
        return -1;
    p = end + 1;
    unsigned long long k = strtoull(p, &end, 10);
    if (errno || end == p || strcmp(end, "-socket") != 0)
        return -1;
    *pid = (pid_t)v;
    *key = k;
    return 0;
}

/* Looks in dir for pid's live socket; the newest by mtime wins. Returns 0, 1 when none, -1 on EACCES. */
static int scan_for(const char *dir, pid_t pid, char *path, size_t cap)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == EACCES ? -1 : 1;
    unsigned long long start;
    int have_start = drd_proc_start_time(pid, &start) == 0;
    struct dirent *e;
    time_t best = 0;
    int found = 1;
    while ((e = readdir(d))) {
        pid_t p;
        unsigned long long key;
        if (parse_socket_name(e->d_name, &p, &key) || p != pid)
            continue;
        if (have_start && key != start)
            continue; /* a stale socket of an earlier process with the same pid */
        char full[1024];
        struct stat st;
        if (snprintf(full, sizeof full, "%s/%s", dir, e->d_name) >= (int)sizeof full)
            continue;
        if (lstat(full, &st) || !S_ISSOCK(st.st_mode))
            continue;
        if (found == 1 || st.st_mtime > best) {
            best = st.st_mtime;
            snprintf(path, cap, "%s", full);
            found = 0;
        }
    }
    closedir(d);
    return found;
}

/* The target's own TMPDIR from its environment, when readable and different. */
static int target_tmpdir(pid_t pid, char *out, size_t cap)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    static char buf[65536];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    for (ssize_t i = 0; i < n;) {
        const char *var = buf + i;
        size_t len = strnlen(var, (size_t)(n - i));
        if (strncmp(var, "TMPDIR=", 7) == 0 && var[7]) {
            snprintf(out, cap, "%s", var + 7);
            return 0;
        }
        i += (ssize_t)len + 1;
    }
    return -1;
}

/* Tells apart a process without .NET and one whose runtime runs without diagnostics. */
static int has_coreclr(pid_t pid, int *denied)
{
    char path[64], line[1024];
    snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
    FILE *f = fopen(path, "re");
    *denied = 0;
    if (!f) {
        *denied = errno == EACCES;
        return 0;
    }
    int found = 0;
    while (!found && fgets(line, sizeof line, f))
        found = strstr(line, "libcoreclr.so") != NULL;
    fclose(f);
    return found;
}

int drd_diag_find_socket(pid_t pid, char *path, size_t cap, struct drd_diag_error *err)
{
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/%d", (int)pid);
    if (pid <= 0 || access(proc, F_OK) != 0)
        return set_err(err, DRD_DIAG_NO_PROCESS, "no process with pid %d", (int)pid);
    int r = scan_for(tmp_dir(), pid, path, cap);
    if (r == 1) {
        char other[512];
        if (target_tmpdir(pid, other, sizeof other) == 0 && strcmp(other, tmp_dir()) != 0)
            r = scan_for(other, pid, path, cap);
    }
    if (r == 0)
        return 0;
    if (r < 0)
        return set_err(err, DRD_DIAG_PERMISSION, "permission denied reading the temp folder of pid %d", (int)pid);
    char comm[64] = "?";
    snprintf(proc, sizeof proc, "/proc/%d/comm", (int)pid);
    FILE *f = fopen(proc, "re");
    if (f) {
        if (fgets(comm, sizeof comm, f))
            comm[strcspn(comm, "\n")] = 0;
        fclose(f);
    }
    int denied;
    if (has_coreclr(pid, &denied))
        return set_err(err, DRD_DIAG_DISABLED,
                       "pid %d (%s) runs .NET but its diagnostics are disabled (it was started with "
                       "DOTNET_EnableDiagnostics=0?); restart it without that setting, or use 'drdotnet launch'",
                       (int)pid, comm);
    if (denied)
        return set_err(err, DRD_DIAG_PERMISSION,
                       "permission denied: cannot inspect pid %d (%s), another user's or a protected process; run "
                       "drdotnet as its user or as root",
                       (int)pid, comm);
    return set_err(err, DRD_DIAG_NOT_DOTNET, "pid %d (%s) is not a .NET process (no .NET runtime found in it)", (int)pid,
                   comm);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for fd to be ready for events until deadline. Returns 1 ready, 0 timed out, -1 error. */
static int wait_fd(int fd, short events, long long deadline)
{
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0)
            return 0;
        struct pollfd p = {.fd = fd, .events = events};
        int r = poll(&p, 1, (int)(left > 1000000 ? 1000000 : left));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            return 0;
        return 1;
    }
}

static int read_exact(int fd, uint8_t *buf, size_t len, long long deadline, struct drd_diag_error *err)
{
    size_t got = 0;
    while (got < len) {
        int w = wait_fd(fd, POLLIN, deadline);
        if (w == 0)
            return set_err(err, DRD_DIAG_TIMEOUT, "the target's runtime did not answer in time");
        if (w < 0)
            return set_err(err, DRD_DIAG_IO, "waiting for the runtime's answer: %s", strerror(errno));
        ssize_t n = recv(fd, buf + got, len - got, 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0)
            return set_err(err, DRD_DIAG_IO, "reading the runtime's answer: %s", strerror(errno));
        if (n == 0)
            return set_err(err, DRD_DIAG_PROTOCOL, "the runtime closed the connection after %zu of %zu bytes", got, len);
        got += (size_t)n;
    }
    return 0;
}

int drd_diag_request(const char *socket_path, const uint8_t *req, size_t req_len, int timeout_ms, uint8_t *payload,
                     size_t cap, struct drd_ipc_reply *r, struct drd_diag_error *err)
{
    long long deadline = now_ms() + timeout_ms;
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(socket_path) >= sizeof addr.sun_path)
        return set_err(err, DRD_DIAG_IO, "socket path too long: %s", socket_path);
    strcpy(addr.sun_path, socket_path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return set_err(err, DRD_DIAG_IO, "socket: %s", strerror(errno));
    int rc = -1;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        if (errno == EACCES || errno == EPERM) {
            set_err(err, DRD_DIAG_PERMISSION, "permission denied on %s: the target runs as another user", socket_path);
            goto out;
        }
        if (errno == ECONNREFUSED || errno == ENOENT) {
            set_err(err, DRD_DIAG_NO_PROCESS, "nobody listens on %s any more (did the process exit?)", socket_path);
            goto out;
        }
        if (errno != EINPROGRESS && errno != EAGAIN) {
            set_err(err, DRD_DIAG_IO, "connecting to %s: %s", socket_path, strerror(errno));
            goto out;
        }
        if (wait_fd(fd, POLLOUT, deadline) != 1) {
            set_err(err, DRD_DIAG_TIMEOUT, "connecting to %s timed out", socket_path);
            goto out;
        }
    }
    size_t sent = 0;
    while (sent < req_len) {
        if (wait_fd(fd, POLLOUT, deadline) != 1) {
            set_err(err, DRD_DIAG_TIMEOUT, "sending the request timed out");
            goto out;
        }
        ssize_t n = send(fd, req + sent, req_len - sent, MSG_NOSIGNAL);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0) {
            set_err(err, DRD_DIAG_IO, "sending the request: %s", strerror(errno));
            goto out;
        }
        sent += (size_t)n;
    }
    uint8_t hdr[DRD_IPC_HEADER_SIZE];
    struct drd_ipc_header h;
    if (read_exact(fd, hdr, sizeof hdr, deadline, err))
        goto out;
    if (drd_ipc_header_parse(hdr, sizeof hdr, &h)) {
        set_err(err, DRD_DIAG_PROTOCOL, "the answer does not start with the diagnostics IPC header");
        goto out;
    }
    size_t plen = h.size - DRD_IPC_HEADER_SIZE;
    if (plen > cap) {
        set_err(err, DRD_DIAG_PROTOCOL, "the answer's payload (%zu bytes) is larger than expected (%zu)", plen, cap);
        goto out;
    }
    if (read_exact(fd, payload, plen, deadline, err))
        goto out;
    if (drd_ipc_reply_parse(&h, payload, plen, r)) {
        set_err(err, DRD_DIAG_PROTOCOL, "unexpected answer (command set 0x%02x, id 0x%02x, %zu payload bytes)",
                h.command_set, h.command_id, plen);
        goto out;
    }
    rc = 0;
out:
    close(fd);
    return rc;
}

static int refused(struct drd_diag_error *err, uint32_t code, const char *what)
{
    const char *name = drd_ipc_code_name(code);
    if (err)
        err->hresult = code;
    if (code == DRD_IPC_E_PROFILER_ALREADY_ACTIVE)
        return set_err(err, DRD_DIAG_ALREADY_LOADED,
                       "a profiler is already loaded in the target (0x%08X %s): wait for the running session to end, "
                       "or stop the other profiler",
                       code, name);
    int r = set_err(err, DRD_DIAG_REFUSED, "the runtime refused %s: 0x%08X%s%s", what, code, name ? " " : "",
                    name ? name : "");
    if (err)
        err->hresult = code;
    return r;
}

int drd_diag_process_info(pid_t pid, int timeout_ms, struct drd_process_info *info, struct drd_diag_error *err)
{
    char sock[512];
    if (drd_diag_find_socket(pid, sock, sizeof sock, err))
        return -1;
    static const struct {
        uint8_t id;
        int version;
    } tries[] = {{DRD_IPC_PROCESS_INFO3, 3}, {DRD_IPC_PROCESS_INFO2, 2}, {DRD_IPC_PROCESS_INFO, 1}};
    for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
        uint8_t req[DRD_IPC_HEADER_SIZE], *payload = malloc(DRD_IPC_MAX_MESSAGE);
        size_t len;
        struct drd_ipc_reply r;
        if (!payload)
            return set_err(err, DRD_DIAG_IO, "out of memory");
        drd_ipc_build_empty(req, sizeof req, DRD_IPC_SET_PROCESS, tries[i].id, &len);
        int rc = drd_diag_request(sock, req, len, timeout_ms, payload, DRD_IPC_MAX_MESSAGE, &r, err);
        if (rc == 0 && r.is_error && r.code == DRD_IPC_E_UNKNOWN_COMMAND) {
            free(payload);
            continue;
        }
        if (rc == 0 && r.is_error)
            rc = refused(err, r.code, "ProcessInfo");
        else if (rc == 0 && drd_ipc_parse_process_info(r.payload, r.payload_len, tries[i].version, info))
            rc = set_err(err, DRD_DIAG_PROTOCOL, "the ProcessInfo answer is malformed");
        free(payload);
        return rc;
    }
    return set_err(err, DRD_DIAG_PROTOCOL, "the runtime knows no ProcessInfo command");
}

int drd_diag_attach(pid_t pid, const char *clsid, const char *lib_path, const void *client_data, size_t client_len,
                    int timeout_ms, struct drd_diag_error *err)
{
    char sock[512];
    uint8_t guid[16];
    if (drd_guid_parse(clsid, guid))
        return set_err(err, DRD_DIAG_PROTOCOL, "bad CLSID '%s'", clsid);
    if (drd_diag_find_socket(pid, sock, sizeof sock, err))
        return -1;
    uint8_t *req = malloc(DRD_IPC_MAX_MESSAGE);
    uint8_t payload[64];
    size_t len;
    struct drd_ipc_reply r;
    int rc = -1;
    if (!req)
        return set_err(err, DRD_DIAG_IO, "out of memory");
    /* The timeout only bounds the runtime's wait for a background GC when the profiler asks for GC events. */
    if (drd_ipc_build_attach(req, DRD_IPC_MAX_MESSAGE, 5000, guid, lib_path, client_data, client_len, &len)) {
        set_err(err, DRD_DIAG_PROTOCOL, "the attach request does not fit in one IPC message");
        goto out;
    }
    if (drd_diag_request(sock, req, len, timeout_ms, payload, sizeof payload, &r, err))
        goto out;
    if (r.is_error) {
        refused(err, r.code, "to load the profiler");
        goto out;
    }
    if (r.payload_len >= 4 && (int32_t)r.code < 0) {
        refused(err, r.code, "to load the profiler");
        goto out;
    }
    rc = 0;
out:
    free(req);
    return rc;
}

static int cmp_proc(const void *a, const void *b)
{
    const struct drd_dotnet_process *x = a, *y = b;
    return (x->pid > y->pid) - (x->pid < y->pid);
}

int drd_diag_list(const char *tmpdir, struct drd_dotnet_process **out)
{
    const char *dir = tmpdir ? tmpdir : tmp_dir();
    DIR *d = opendir(dir);
    *out = NULL;
    if (!d)
        return -1;
    size_t n = 0, cap = 0;
    struct drd_dotnet_process *v = NULL;
    struct dirent *e;
    while ((e = readdir(d))) {
        pid_t pid;
        unsigned long long key, start;
        if (parse_socket_name(e->d_name, &pid, &key))
            continue;
        if (drd_proc_start_time(pid, &start) || start != key)
            continue; /* dead, or the pid now belongs to another process */
        int dup = 0;
        for (size_t i = 0; i < n; i++)
            dup |= v[i].pid == pid;
        if (dup)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            struct drd_dotnet_process *nv = realloc(v, cap * sizeof *v);
            if (!nv) {
                free(v);
                closedir(d);
                errno = ENOMEM;
                return -1;
            }
            v = nv;
        }
        struct drd_dotnet_process *p = &v[n++];
        memset(p, 0, sizeof *p);
        p->pid = pid;
        snprintf(p->socket_path, sizeof p->socket_path, "%s/%s", dir, e->d_name);
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
        FILE *f = fopen(path, "re");
        if (f) {
            if (fgets(p->name, sizeof p->name, f))
                p->name[strcspn(p->name, "\n")] = 0;
            fclose(f);
        }
    }
    closedir(d);
    if (n)
        qsort(v, n, sizeof *v, cmp_proc);
    *out = v;
    return (int)n;
}
