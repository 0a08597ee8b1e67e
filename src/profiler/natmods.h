/* The native modules (ELF objects) of the target: which one holds a code address, at what load address, with
 * which build-id, so that the tool can name native frames from the files later. Read from the dynamic loader's
 * list (dl_iterate_phdr) on the worker thread: once at the first lookup, and again when an address falls outside
 * every known module and the loader's list changed since. */
#ifndef DRD_NATMODS_H
#define DRD_NATMODS_H

#include <stddef.h>
#include <stdint.h>

#define DRD_NATMODS_MAX 1024 /* modules kept in a session; later ones are not named by module */
#define DRD_BUILD_ID_MAX 64  /* bytes of a build-id kept (GNU ld writes 20) */

/* One module as loaded. Addresses in "ELF" terms are the file's own virtual addresses; in memory they are bias
 * higher. */
struct drd_natmod {
    uint32_t id;          /* the raw file's module id, 0 until its 'nm' record is written (by rawout) */
    char *path;           /* as the loader knows it (absolute for files; "linux-vdso.so.1" for the vDSO) */
    const char *base;     /* the last component of path */
    uint64_t bias;        /* load bias: memory address minus ELF address */
    uint64_t exec_lo, exec_hi; /* ELF address range of the executable segments */
    uint64_t exec_off;    /* file offset of the first executable segment */
    uint8_t build_id[DRD_BUILD_ID_MAX];
    size_t build_id_len;  /* 0 when the module has none */
};

struct drd_natmods;

/* An empty table. Returns NULL when out of memory. */
struct drd_natmods *drd_natmods_create(void);

/* Frees the table and its modules. Accepts NULL. */
void drd_natmods_destroy(struct drd_natmods *m);

/* The module whose executable segments hold ip, re-reading the loader's list once when none does and the list
 * changed. Returns NULL when no module holds ip. The module stays valid until the table is destroyed. Worker
 * thread only (takes the loader's lock; allocates); never from a signal handler. */
struct drd_natmod *drd_natmods_find(struct drd_natmods *m, uint64_t ip);

/* Finds the GNU build-id (an NT_GNU_BUILD_ID note named "GNU") in len bytes of ELF notes (a PT_NOTE segment's
 * content; align is the segment's p_align: 8 pads names and contents to 8 bytes, anything else to 4). Copies at
 * most cap bytes of it into out. Returns the bytes copied (0 when the notes hold none or are malformed: never
 * reads past len). Pure: no I/O. */
size_t drd_natmods_build_id(const uint8_t *notes, size_t len, uint64_t align, uint8_t *out, size_t cap);

#endif
