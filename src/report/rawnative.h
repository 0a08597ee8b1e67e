/* The native-frame parts of a raw data file: the 'N' field of frame records, the 'nm' (module) and 'np' (process)
 * records (include/drdotnet/raw.h), read into struct drd_rawdata by the raw reader. */
#ifndef DRD_RAWNATIVE_H
#define DRD_RAWNATIVE_H

#include <stddef.h>

#include "report/rawread.h"

/* Records what the trailing fields of the frame just defined (the last of d->frames) say: its module and address
 * from an 'N <module> <addr hex>' field (other trailing fields are left to other readers). Returns 0, or -1 with
 * err (a malformed 'N' field, an undefined module, out of memory). */
int drd_rawnative_frame(struct drd_rawdata *d, char **fields, int nf, char *err, size_t cap);

/* Reads an 'nm' or 'np' record. Returns 0 when it was one and is good, 1 when the record is neither (the caller
 * goes on with it), -1 with err when it is malformed. */
int drd_rawnative_record(struct drd_rawdata *d, char **fields, int nf, char *err, size_t cap);

/* Frees what the native parts of d hold (the module and frame tables, the owned names). */
void drd_rawnative_free(struct drd_rawdata *d);

#endif
