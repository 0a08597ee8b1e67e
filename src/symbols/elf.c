/* Naming native frames from the ELF files of the target's modules through elfutils' libdwfl (why: symbols.h). */
#define _GNU_SOURCE
#include "symbols/symbols.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

#include <elfutils/libdwfl.h>

/* One module opened for naming: its own Dwfl, so modules never overlap, at bias 0 (addresses are ELF ones). */
struct opened {
    Dwfl *dwfl;
    Dwfl_Module *mod;
};

static char *debuginfo_path; /* NULL: elfutils' default (".debug" beside the file, /usr/lib/debug) */

static const Dwfl_Callbacks callbacks = {
    .find_elf = dwfl_build_id_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .debuginfo_path = &debuginfo_path,
};

/* Whether mod's build-id is hex (the one the target loaded). */
static int same_build_id(Dwfl_Module *mod, const char *hex)
{
    const unsigned char *bits = NULL;
    GElf_Addr vaddr;
    int n = dwfl_module_build_id(mod, &bits, &vaddr);
    if (n <= 0 || (size_t)n * 2 != strlen(hex))
        return 0;
    for (int i = 0; i < n; i++) {
        char two[3];
        snprintf(two, sizeof two, "%02x", bits[i]);
        if (memcmp(two, hex + 2 * i, 2) != 0)
            return 0;
    }
    return 1;
}

/* Opens a regular file for reading without blocking on a FIFO or a device: at path below root_fd as if that
 * were "/" (every symlink resolving inside it) when root_fd >= 0, else at path itself. Returns an fd or -1. */
static int open_regular(int root_fd, const char *path)
{
    int fd = -1;
    int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
    if (root_fd >= 0) {
#ifdef SYS_openat2
        struct open_how how = {.flags = (uint64_t)flags, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
        fd = (int)syscall(SYS_openat2, root_fd, path, &how, sizeof how);
#endif
    } else
        fd = open(path, flags);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) || !S_ISREG(st.st_mode))) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* Reports the file open at fd (consumed) as a module of a new Dwfl when its build-id is m's. Returns 0 with o
 * filled, or -1 with m->symbols saying why. */
static int open_file(struct drd_rawread_module *m, int fd, struct opened *o)
{
    if (fd < 0) {
        m->symbols = "no such regular file where the target sees it, nor here";
        return -1;
    }
    o->dwfl = dwfl_begin(&callbacks);
    if (!o->dwfl) {
        close(fd);
        return -1;
    }
    dwfl_report_begin(o->dwfl);
    const char *base = strrchr(m->path, '/');
    o->mod = dwfl_report_elf(o->dwfl, base ? base + 1 : m->path, m->path, fd, 0, true);
    if (!o->mod)
        close(fd); /* consumed only on success */
    dwfl_report_end(o->dwfl, NULL, NULL);
    if (o->mod && same_build_id(o->mod, m->build_id)) {
        m->symbols = "read";
        return 0;
    }
    m->symbols = o->mod ? "the file's build-id differs from the one the target loaded" : "not an ELF file";
    dwfl_end(o->dwfl);
    o->dwfl = NULL;
    o->mod = NULL;
    return -1;
}

/* Opens module m where the target sees it (inside root, the target's root folder, when root is not ""), else at
 * its path on this machine. A module without a file path or a build-id to check it by is not opened. Returns 0
 * or -1. */
static int open_module(struct drd_rawread_module *m, const char *root, struct opened *o)
{
    if (m->path[0] != '/' || !m->build_id[0]) {
        m->symbols = m->path[0] != '/' ? "no file (not a path)" : "no build-id to check its file by";
        return -1;
    }
    if (root[0]) {
        int root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        int fd = root_fd >= 0 ? open_regular(root_fd, m->path) : -1;
        if (root_fd >= 0)
            close(root_fd);
        if (open_file(m, fd, o) == 0)
            return 0;
    }
    return open_file(m, open_regular(-1, m->path), o);
}

int drd_symbols_own(struct drd_rawdata *d, char *name)
{
    if (!name)
        return -1;
    if ((d->n_owned & (d->n_owned - 1)) == 0) {
        size_t ncap = d->n_owned ? (size_t)d->n_owned * 2 : 16;
        char **no = realloc(d->owned, ncap * sizeof *no);
        if (!no) {
            free(name);
            return -1;
        }
        d->owned = no;
    }
    d->owned[d->n_owned++] = name;
    return 0;
}

/* Names the frames of module index mi (0-based) that o can name. Returns 0 or -1 (out of memory). */
static int name_frames(struct drd_rawdata *d, uint32_t mi, struct opened *o)
{
    GElf_Addr bias = 0;
    if (!dwfl_module_getelf(o->mod, &bias))
        return 0;
    const char *lib = strrchr(d->modules[mi].path, '/');
    lib = lib ? lib + 1 : d->modules[mi].path;
    for (uint32_t i = 0; i < d->n_native; i++) {
        struct drd_rawread_native *n = &d->native[i];
        if (n->module != mi + 1 || n->folded)
            continue;
        GElf_Off off;
        GElf_Sym sym;
        const char *fn = dwfl_module_addrinfo(o->mod, n->addr + bias, &off, &sym, NULL, NULL, NULL);
        if (!fn || !fn[0])
            continue;
        char *name;
        if (asprintf(&name, "%s (%s)", fn, lib) < 0 || drd_symbols_own(d, name))
            return -1;
        drd_rawread_clean_text(name);
        d->frames[i] = name;
        n->named = 1;
    }
    return 0;
}

int drd_symbols_name(struct drd_rawdata *d, const char *root)
{
    if (d->n_native == 0 || d->n_modules == 0)
        return 0;
    uint8_t *used = calloc(d->n_modules, 1);
    if (!used)
        return -1;
    for (uint32_t i = 0; i < d->n_native; i++)
        if (d->native[i].module)
            used[d->native[i].module - 1] = 1;
    int rc = 0;
    for (uint32_t mi = 0; mi < d->n_modules && rc == 0; mi++) {
        struct opened o;
        if (!used[mi] || open_module(&d->modules[mi], root, &o))
            continue;
        rc = name_frames(d, mi, &o);
        dwfl_end(o.dwfl);
    }
    free(used);
    return rc;
}
