/* The diagnostics IPC client: socket discovery, one-request connections with deadlines, ProcessInfo, attach. */
#define _GNU_SOURCE
#include "diag/diag.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/clock.h"

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

/* 1 when st, a socket found for pid, belongs to pid's user (one of its real, effective, saved or file-system
 * uids) or to root: a socket that another user made under pid's name in a shared temp folder is not pid's runtime,
 * and this tool would otherwise send it the session request and show its answers as pid's. */
static int owned_by(pid_t pid, const struct stat *st)
{
    return st->st_uid == 0 || drd_proc_has_uid(pid, st->st_uid);
}

/* Looks in dir for the live socket of the process that this tool sees as pid and that names its socket after
 * name_pid (its pid in its own namespace); with check_key, the socket's key must be pid's start time. The newest
 * by mtime wins. Returns 0, 1 when none, -1 on EACCES. */
static int scan_for(const char *dir, pid_t pid, pid_t name_pid, int check_key, char *path, size_t cap)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == EACCES ? -1 : 1;
    unsigned long long start;
    int have_start = check_key && drd_proc_start_time(pid, &start) == 0;
    struct dirent *e;
    time_t best = 0;
    int found = 1;
    while ((e = readdir(d))) {
        pid_t p;
        unsigned long long key;
        if (parse_socket_name(e->d_name, &p, &key) || p != name_pid)
            continue;
        if (have_start && key != start)
            continue; /* a stale socket of an earlier process with the same pid */
        char full[1024];
        struct stat st;
        if (snprintf(full, sizeof full, "%s/%s", dir, e->d_name) >= (int)sizeof full)
            continue;
        if (lstat(full, &st) || !S_ISSOCK(st.st_mode) || !owned_by(pid, &st))
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

/* 1 when v's socket folder is another than the one this tool scans first, or its socket bears another pid. */
static int elsewhere(const struct drd_proc_view *v)
{
    return v->ns_pid != v->pid || v->other_root || strcmp(v->sock_dir, tmp_dir()) != 0;
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
    struct drd_proc_view v;
    if (pid <= 0 || drd_proc_view_read(pid, &v))
        return set_err(err, DRD_DIAG_NO_PROCESS, "no process with pid %d", (int)pid);
    /* first the tool's own temp folder, as on a plain host; then the target's, as it sees it: its TMPDIR, through
     * /proc/<pid>/root when it lives in another mount namespace, under its pid inside its own pid namespace */
    int r = 1;
    if (v.ns_pid == pid && !v.other_root)
        r = scan_for(tmp_dir(), pid, pid, 1, path, cap);
    const char *denied_dir = tmp_dir();
    if (r != 0 && elsewhere(&v)) {
        int r2 = scan_for(v.sock_dir, pid, v.ns_pid, !v.other_time, path, cap);
        if (r2 == 0 || r == 1) {
            r = r2;
            denied_dir = v.sock_dir;
        }
    }
    if (r == 0)
        return 0;
    if (r < 0)
        return set_err(err, DRD_DIAG_PERMISSION,
                       "permission denied reading %s, where pid %d keeps its diagnostics socket; run drdotnet as root "
                       "or as uid %u",
                       denied_dir, (int)pid, (unsigned)v.uid);
    char comm[64] = "?", proc[64];
    snprintf(proc, sizeof proc, "/proc/%d/comm", (int)pid);
    FILE *f = fopen(proc, "re");
    if (f) {
        if (fgets(comm, sizeof comm, f))
            comm[strcspn(comm, "\n")] = 0;
        fclose(f);
    }
    char where[96] = "";
    if (v.ns_pid != pid)
        snprintf(where, sizeof where, ", pid %d in its own namespace: a container?", (int)v.ns_pid);
    else if (v.other_mnt)
        snprintf(where, sizeof where, ", in another mount namespace: a container?");
    int denied;
    if (has_coreclr(pid, &denied))
        return set_err(err, DRD_DIAG_DISABLED,
                       "pid %d (%s%s) runs .NET but its diagnostics are disabled (it was started with "
                       "DOTNET_EnableDiagnostics=0?); restart it without that setting, or use 'drdotnet launch'%s",
                       (int)pid, comm, where,
                       *where ? " or the startup recipe of the README's Containers section" : "");
    if (denied)
        return set_err(err, DRD_DIAG_PERMISSION,
                       "permission denied: cannot inspect pid %d (%s%s), a process of uid %u or a protected one; run "
                       "drdotnet as root or as that user",
                       (int)pid, comm, where, (unsigned)v.uid);
    return set_err(err, DRD_DIAG_NOT_DOTNET, "pid %d (%s%s) is not a .NET process (no .NET runtime found in it)",
                   (int)pid, comm, where);
}

/* Waits for fd to be ready for events until deadline. Returns 1 ready, 0 timed out, -1 error. */
static int wait_fd(int fd, short events, long long deadline)
{
    for (;;) {
        long long left = deadline - drd_clock_mono_ms();
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
            return set_err(err, DRD_DIAG_PROTOCOL, "the runtime closed the connection after %zu of %zu bytes", got,
                           len);
        got += (size_t)n;
    }
    return 0;
}

/* Fills addr with path. A path too long for sun_path (108 bytes: /proc/<pid>/root/<a long TMPDIR>/...) goes
 * through its folder: the folder is opened and the socket named /proc/self/fd/<n>/<name>, which the kernel
 * resolves through the open descriptor; *dir_fd is then that descriptor, to close after the connect. Returns 0,
 * or -1 with errno. */
static int socket_address(const char *path, struct sockaddr_un *addr, int *dir_fd)
{
    *dir_fd = -1;
    if (strlen(path) < sizeof addr->sun_path) {
        strcpy(addr->sun_path, path);
        return 0;
    }
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash || slash == path || (size_t)(slash - path) >= sizeof dir) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = 0;
    int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int n = snprintf(addr->sun_path, sizeof addr->sun_path, "/proc/self/fd/%d/%s", fd, slash + 1);
    if (n < 0 || (size_t)n >= sizeof addr->sun_path) {
        close(fd);
        errno = ENAMETOOLONG;
        return -1;
    }
    *dir_fd = fd;
    return 0;
}

int drd_diag_request(const char *socket_path, const uint8_t *req, size_t req_len, int timeout_ms, uint8_t *payload,
                     size_t cap, struct drd_ipc_reply *r, struct drd_diag_error *err)
{
    long long deadline = drd_clock_mono_ms() + timeout_ms;
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int dir_fd = -1;
    if (socket_address(socket_path, &addr, &dir_fd)) {
        int e = errno;
        return set_err(err, e == EACCES ? DRD_DIAG_PERMISSION : e == ENOENT ? DRD_DIAG_NO_PROCESS : DRD_DIAG_IO,
                       "cannot reach %s: %s", socket_path, strerror(e));
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        if (dir_fd >= 0)
            close(dir_fd);
        return set_err(err, DRD_DIAG_IO, "socket: %s", strerror(errno));
    }
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
    if (dir_fd >= 0)
        close(dir_fd);
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

/* Appends a process to *v (growing it). Returns 0, or -1 with errno ENOMEM. */
static int add_proc(struct drd_dotnet_process **v, size_t *n, size_t *cap, pid_t pid, const char *socket_path)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        struct drd_dotnet_process *nv = realloc(*v, ncap * sizeof *nv);
        if (!nv) {
            errno = ENOMEM;
            return -1;
        }
        *v = nv;
        *cap = ncap;
    }
    struct drd_dotnet_process *p = &(*v)[(*n)++];
    struct drd_proc_view view;
    memset(p, 0, sizeof *p);
    p->pid = pid;
    p->ns_pid = pid;
    if (drd_proc_view_read(pid, &view) == 0) {
        p->ns_pid = view.ns_pid;
        p->other_mnt = view.other_mnt;
    }
    snprintf(p->socket_path, sizeof p->socket_path, "%s", socket_path);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
    FILE *f = fopen(path, "re");
    if (f) {
        if (fgets(p->name, sizeof p->name, f))
            p->name[strcspn(p->name, "\n")] = 0;
        fclose(f);
    }
    return 0;
}

static int listed(const struct drd_dotnet_process *v, size_t n, pid_t pid)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].pid == pid)
            return 1;
    return 0;
}

/* The /proc pass: every process not listed yet whose socket lies in its own temp folder, seen through
 * /proc/<pid>/root when it lives in another mount namespace and named after its pid in its own pid namespace. */
static int scan_proc(struct drd_dotnet_process **v, size_t *n, size_t *cap)
{
    DIR *d = opendir("/proc");
    if (!d)
        return 0; /* no /proc: nothing more to find */
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0 || pid > 0x7fffffff || listed(*v, *n, (pid_t)pid))
            continue;
        struct drd_proc_view view;
        unsigned long long start;
        if (drd_proc_view_read((pid_t)pid, &view) || !elsewhere(&view) || drd_proc_start_time((pid_t)pid, &start))
            continue;
        char sock[1024];
        struct stat st;
        if (view.other_time) {
            /* its key is its start time as its own time namespace counts it: look for any key */
            if (scan_for(view.sock_dir, (pid_t)pid, view.ns_pid, 0, sock, sizeof sock) != 0)
                continue;
        } else if (snprintf(sock, sizeof sock, "%s/dotnet-diagnostic-%d-%llu-socket", view.sock_dir, (int)view.ns_pid,
                            start) >= (int)sizeof sock ||
                   lstat(sock, &st) || !S_ISSOCK(st.st_mode) || !owned_by((pid_t)pid, &st))
            continue;
        rc = add_proc(v, n, cap, (pid_t)pid, sock);
    }
    closedir(d);
    return rc;
}

int drd_diag_list(const char *tmpdir, struct drd_dotnet_process **out)
{
    const char *dir = tmpdir ? tmpdir : tmp_dir();
    DIR *d = opendir(dir);
    *out = NULL;
    if (!d && tmpdir)
        return -1;
    size_t n = 0, cap = 0;
    struct drd_dotnet_process *v = NULL;
    struct dirent *e;
    int rc = 0;
    while (d && rc == 0 && (e = readdir(d))) {
        pid_t pid;
        unsigned long long key, start;
        if (parse_socket_name(e->d_name, &pid, &key))
            continue;
        if (drd_proc_start_time(pid, &start) || start != key)
            continue; /* dead, or the pid now belongs to another process */
        if (listed(v, n, pid))
            continue;
        char sock[1024];
        struct stat st;
        if (snprintf(sock, sizeof sock, "%s/%s", dir, e->d_name) >= (int)sizeof sock || lstat(sock, &st) ||
            !S_ISSOCK(st.st_mode) || !owned_by(pid, &st))
            continue;
        rc = add_proc(&v, &n, &cap, pid, sock);
    }
    if (d)
        closedir(d);
    if (rc == 0 && !tmpdir)
        rc = scan_proc(&v, &n, &cap);
    if (rc) {
        free(v);
        return -1;
    }
    if (n)
        qsort(v, n, sizeof *v, cmp_proc);
    *out = v;
    return (int)n;
}

/* The work shared by the threads of drd_diag_process_info_all. */
struct probe_job {
    const struct drd_dotnet_process *procs;
    struct drd_diag_probe *out;
    int n;
    atomic_int next;
    long long deadline;
};

static void probe_one(struct probe_job *j, int i)
{
    struct drd_diag_probe *o = &j->out[i];
    long long left = j->deadline - (long long)drd_clock_mono_ms();
    if (left <= 0) {
        o->ok = 0;
        set_err(&o->err, DRD_DIAG_TIMEOUT, "the runtime did not answer in time");
        return;
    }
    o->ok = drd_diag_process_info(j->procs[i].pid, (int)left, &o->info, &o->err) == 0;
}

static void *probe_worker(void *arg)
{
    struct probe_job *j = arg;
    for (int i; (i = atomic_fetch_add(&j->next, 1)) < j->n;)
        probe_one(j, i);
    return NULL;
}

int drd_diag_process_info_all(const struct drd_dotnet_process *procs, int n, int timeout_ms,
                              struct drd_diag_probe *out)
{
    struct probe_job j = {.procs = procs, .out = out, .n = n, .deadline = (long long)drd_clock_mono_ms() + timeout_ms};
    atomic_init(&j.next, 0);
    pthread_t threads[DRD_DIAG_PROBE_THREADS];
    int started = 0, rc = 0, e = 0;
    for (; started < n && started < DRD_DIAG_PROBE_THREADS; started++)
        if ((e = pthread_create(&threads[started], NULL, probe_worker, &j)) != 0)
            break;
    if (started == 0 && n > 0) {
        /* no thread at all: the calling thread does the work, under the same deadline */
        probe_worker(&j);
        errno = e;
        rc = -1;
    }
    for (int t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    return rc;
}
