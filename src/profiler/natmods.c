/* The target's native modules from the dynamic loader's list: load bias, executable range and build-id of each,
 * found on the worker thread and only when an address needs them (names are the tool's job, from the files). */
#define _GNU_SOURCE
#include "profiler/natmods.h"

#include <elf.h>
#include <link.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct drd_natmods {
    struct drd_natmod *mods[DRD_NATMODS_MAX]; /* every module met, in id order */
    uint32_t n_mods;
    struct drd_natmod *live[DRD_NATMODS_MAX]; /* those in the loader's list at the last scan, by address */
    uint32_t n_live;
    int scanned;
    unsigned long long adds, subs; /* the loader's counters at the last scan (glibc) */
    char exe[4096];                /* the main program's path ("" until read) */
};

struct drd_natmods *drd_natmods_create(void)
{
    return calloc(1, sizeof(struct drd_natmods));
}

void drd_natmods_destroy(struct drd_natmods *m)
{
    if (!m)
        return;
    for (uint32_t i = 0; i < m->n_mods; i++) {
        free(m->mods[i]->path);
        free(m->mods[i]);
    }
    free(m);
}

static size_t pad(size_t n, size_t align)
{
    return (n + align - 1) & ~(align - 1);
}

size_t drd_natmods_build_id(const uint8_t *notes, size_t len, uint64_t align, uint8_t *out, size_t cap)
{
    size_t al = align == 8 ? 8 : 4, pos = 0;
    while (pos <= len && len - pos >= 12) {
        uint32_t hdr[3]; /* namesz, descsz, type */
        memcpy(hdr, notes + pos, sizeof hdr);
        size_t left = len - pos - 12;
        size_t name_room = pad(hdr[0], al);
        if (name_room > left || hdr[1] > left - name_room)
            return 0;
        const uint8_t *name = notes + pos + 12;
        if (hdr[2] == NT_GNU_BUILD_ID && hdr[0] == 4 && memcmp(name, "GNU", 4) == 0) {
            size_t n = hdr[1] < cap ? hdr[1] : cap;
            memcpy(out, name + name_room, n);
            return n;
        }
        size_t step = 12 + name_room + pad(hdr[1], al);
        if (step > len - pos)
            return 0;
        pos += step;
    }
    return 0;
}

/* Whether [lo, lo+len) of ELF addresses lies in a loaded, readable, file-backed part of a PT_LOAD segment. */
static int loaded(const struct dl_phdr_info *info, uint64_t lo, uint64_t len)
{
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_R) && lo >= ph->p_vaddr && len <= ph->p_filesz &&
            lo - ph->p_vaddr <= ph->p_filesz - len)
            return 1;
    }
    return 0;
}

/* The build-id of a loaded object, read from its PT_NOTE segments in memory. */
static size_t object_build_id(const struct dl_phdr_info *info, uint8_t *out)
{
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE || !loaded(info, ph->p_vaddr, ph->p_filesz))
            continue;
        const uint8_t *notes = (const uint8_t *)(uintptr_t)(info->dlpi_addr + ph->p_vaddr);
        size_t n = drd_natmods_build_id(notes, ph->p_filesz, ph->p_align, out, DRD_BUILD_ID_MAX);
        if (n)
            return n;
    }
    return 0;
}

/* The ELF range of an object's executable segments and the file offset of the first; 0 when it has none. */
static int exec_range(const struct dl_phdr_info *info, uint64_t *lo, uint64_t *hi, uint64_t *off)
{
    int found = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X) || ph->p_memsz == 0)
            continue;
        if (!found || ph->p_vaddr < *lo) {
            *lo = ph->p_vaddr;
            *off = ph->p_offset;
        }
        if (!found || ph->p_vaddr + ph->p_memsz > *hi)
            *hi = ph->p_vaddr + ph->p_memsz;
        found = 1;
    }
    return found;
}

/* The path of an object: the loader's name, or the main program's (which the loader leaves empty). */
static const char *object_path(struct drd_natmods *m, const struct dl_phdr_info *info)
{
    if (info->dlpi_name && info->dlpi_name[0])
        return info->dlpi_name;
    if (!m->exe[0]) {
        ssize_t n = readlink("/proc/self/exe", m->exe, sizeof m->exe - 1);
        if (n <= 0 || (size_t)n >= sizeof m->exe - 1)
            snprintf(m->exe, sizeof m->exe, "[main program]");
        else
            m->exe[n] = 0;
    }
    return m->exe;
}

/* The known module for this object, or a new one (NULL when the table is full or out of memory). */
static struct drd_natmod *module_for(struct drd_natmods *m, const struct dl_phdr_info *info, const char *path,
                                     uint64_t lo, uint64_t hi, uint64_t off)
{
    for (uint32_t i = 0; i < m->n_mods; i++) {
        struct drd_natmod *d = m->mods[i];
        if (d->bias == info->dlpi_addr && d->exec_lo == lo && d->exec_hi == hi && strcmp(d->path, path) == 0)
            return d;
    }
    if (m->n_mods >= DRD_NATMODS_MAX)
        return NULL;
    struct drd_natmod *d = calloc(1, sizeof *d);
    if (!d || !(d->path = strdup(path))) {
        free(d);
        return NULL;
    }
    const char *slash = strrchr(d->path, '/');
    d->base = slash && slash[1] ? slash + 1 : d->path;
    d->bias = info->dlpi_addr;
    d->exec_lo = lo;
    d->exec_hi = hi;
    d->exec_off = off;
    d->build_id_len = object_build_id(info, d->build_id);
    m->mods[m->n_mods++] = d;
    return d;
}

struct scan {
    struct drd_natmods *m;
    int first, changed;
};

static int on_object(struct dl_phdr_info *info, size_t size, void *data)
{
    struct scan *s = data;
    struct drd_natmods *m = s->m;
    if (s->first) {
        s->first = 0;
        if (size >= offsetof(struct dl_phdr_info, dlpi_subs) + sizeof info->dlpi_subs) {
            if (m->scanned && info->dlpi_adds == m->adds && info->dlpi_subs == m->subs)
                return 1; /* nothing loaded or unloaded since the last scan */
            m->adds = info->dlpi_adds;
            m->subs = info->dlpi_subs;
        }
        s->changed = 1;
        m->n_live = 0;
    }
    uint64_t lo = 0, hi = 0, off = 0;
    if (!exec_range(info, &lo, &hi, &off) || m->n_live >= DRD_NATMODS_MAX)
        return 0;
    struct drd_natmod *d = module_for(m, info, object_path(m, info), lo, hi, off);
    if (d)
        m->live[m->n_live++] = d;
    return 0;
}

static int by_start(const void *a, const void *b)
{
    const struct drd_natmod *x = *(struct drd_natmod *const *)a, *y = *(struct drd_natmod *const *)b;
    uint64_t xs = x->bias + x->exec_lo, ys = y->bias + y->exec_lo;
    return (xs > ys) - (xs < ys);
}

/* Re-reads the loader's list when it changed. Returns 1 when the live modules were rebuilt. */
static int rescan(struct drd_natmods *m)
{
    struct scan s = {m, 1, 0};
    dl_iterate_phdr(on_object, &s);
    m->scanned = 1;
    if (s.changed && m->n_live > 1)
        qsort(m->live, m->n_live, sizeof *m->live, by_start);
    return s.changed;
}

/* Binary search of the live modules for ip. */
static struct drd_natmod *live_find(const struct drd_natmods *m, uint64_t ip)
{
    uint32_t lo = 0, hi = m->n_live;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const struct drd_natmod *d = m->live[mid];
        if (ip < d->bias + d->exec_lo)
            hi = mid;
        else if (ip >= d->bias + d->exec_hi)
            lo = mid + 1;
        else
            return m->live[mid];
    }
    return NULL;
}

struct drd_natmod *drd_natmods_find(struct drd_natmods *m, uint64_t ip)
{
    struct drd_natmod *d = m->scanned ? live_find(m, ip) : NULL;
    if (!d && rescan(m))
        d = live_find(m, ip);
    return d;
}
