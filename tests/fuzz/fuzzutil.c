/* The fuzz targets' scratch folder and checks (see fuzzutil.h). */
#define _GNU_SOURCE
#include "fuzzutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drdotnet/raw.h"

static char dir[4096];
static char path[4096 + 256];

void drd_fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: check failed: %s: ", file, line, cond);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

/* Removes the scratch folder and everything in it (it only ever holds files). */
static void remove_dir(void)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                unlinkat(dirfd(d), e->d_name, 0);
        closedir(d);
    }
    rmdir(dir);
}

const char *drd_fuzz_dir(void)
{
    if (dir[0])
        return dir;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/drd-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        fprintf(stderr, "fuzz: cannot make a scratch folder in %s: %s\n", tmp && *tmp ? tmp : "/tmp", strerror(errno));
        abort();
    }
    atexit(remove_dir);
    return dir;
}

const char *drd_fuzz_path(const char *name)
{
    snprintf(path, sizeof path, "%s/%s", drd_fuzz_dir(), name);
    return path;
}

const char *drd_fuzz_write(const char *name, const uint8_t *data, size_t size)
{
    const char *p = drd_fuzz_path(name);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        fprintf(stderr, "fuzz: cannot write %s: %s\n", p, strerror(errno));
        abort();
    }
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(fd, data + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            fprintf(stderr, "fuzz: cannot write %s: %s\n", p, strerror(errno));
            abort();
        }
        done += (size_t)n;
    }
    close(fd);
    return p;
}

FILE *drd_fuzz_devnull(void)
{
    static FILE *f;
    if (!f && !(f = fopen("/dev/null", "we")))
        abort();
    return f;
}

int drd_fuzz_utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0; i < n;) {
        unsigned char b = s[i];
        size_t need;
        unsigned char lo = 0x80, hi = 0xbf;
        if (b < 0x80) {
            i++;
            continue;
        }
        if (b >= 0xc2 && b <= 0xdf)
            need = 1;
        else if (b >= 0xe0 && b <= 0xef) {
            need = 2;
            lo = b == 0xe0 ? 0xa0 : 0x80;
            hi = b == 0xed ? 0x9f : 0xbf;
        } else if (b >= 0xf0 && b <= 0xf4) {
            need = 3;
            lo = b == 0xf0 ? 0x90 : 0x80;
            hi = b == 0xf4 ? 0x8f : 0xbf;
        } else
            return 0;
        if (n - i <= need)
            return 0;
        for (size_t k = 1; k <= need; k++) {
            if (s[i + k] < lo || s[i + k] > hi)
                return 0;
            lo = 0x80;
            hi = 0xbf;
        }
        i += need + 1;
    }
    return 1;
}

/* The parameters of the library's profilers (src/profiler/profilers/, whose files need the CLR headers), copied
 * here: the same keys, types, defaults and ranges. */
static const struct drd_param_desc exceptions_params[] = {
    {"duration", DRD_PARAM_INT, "10", "", 0, 86400, NULL},
    {"max_stack_depth", DRD_PARAM_INT, "64", "", 1, DRD_RAW_MAX_DEPTH, NULL},
    {"max_file_mb", DRD_PARAM_INT, "256", "", 1, 4096, NULL},
};
static const struct drd_param_desc cpu_params[] = {
    {"duration", DRD_PARAM_INT, "10", "", 0, 86400, NULL},
    {"frequency", DRD_PARAM_INT, "99", "", 1, 1000, NULL},
    {"mode", DRD_PARAM_ENUM, "cpu", "", 0, 0, "cpu|wall"},
    {"max_stack_depth", DRD_PARAM_INT, "128", "", 1, DRD_RAW_MAX_DEPTH, NULL},
    {"max_file_mb", DRD_PARAM_INT, "256", "", 1, 4096, NULL},
};
static const struct drd_param_desc merged_params[] = {
    {"max_stack_depth", DRD_PARAM_INT, "128", "", 1, DRD_RAW_MAX_DEPTH, NULL},
};
static const struct drd_param_desc pauses_params[] = {
    {"duration", DRD_PARAM_INT, "10", "", 0, 86400, NULL},
    {"max_pauses", DRD_PARAM_INT, "200000", "", 1, 10000000, NULL},
    {"max_file_mb", DRD_PARAM_INT, "256", "", 1, 4096, NULL},
};
/* not a real profiler: one of each type, including a boolean and the widest integer range */
static const struct drd_param_desc wide_params[] = {
    {"flag", DRD_PARAM_BOOL, "false", "", 0, 0, NULL},
    {"n", DRD_PARAM_INT, "0", "", INT64_MIN, INT64_MAX, NULL},
    {"pick", DRD_PARAM_ENUM, "a", "", 0, 0, "a|bb||c"},
};

#define N(a) ((int)(sizeof a / sizeof a[0]))
static const struct drd_profiler_desc exceptions = {"exceptions", "", "", exceptions_params, N(exceptions_params), 3, 0};
static const struct drd_profiler_desc cpu = {"cpu-hotpaths", "", "", cpu_params, N(cpu_params), 3, 0};
static const struct drd_profiler_desc merged = {"merged-stacks", "", "", merged_params, N(merged_params), 1, 0};
static const struct drd_profiler_desc pauses = {"runtime-pauses", "", "", pauses_params, N(pauses_params), 3, 0};
static const struct drd_profiler_desc wide = {"wide", "", "", wide_params, N(wide_params), 3, 0};
static const struct drd_profiler_desc none = {"none", "", "", NULL, 0, 3, 0};
static const struct drd_profiler_desc startup = {"startup-only", "", "", NULL, 0, DRD_PROFILER_STARTUP, 0};
static const struct drd_profiler_desc *const all[] = {&exceptions, &cpu, &merged, &pauses, &wide, &none, &startup};
static const struct drd_profiler_table table = {1, "fuzz", N(all), all};

const struct drd_profiler_table *drd_fuzz_profilers(void)
{
    return &table;
}
