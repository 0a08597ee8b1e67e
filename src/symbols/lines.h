/* Source file and line of the managed frames of a raw file, from the assemblies' Portable PDBs (pdb.h). */
#ifndef DRD_LINES_H
#define DRD_LINES_H

#include "report/rawread.h"

/* For every frame with a code site (assembly, method token, IL offset): finds its line and keeps in d->lines its
 * label "Method (File.cs:42)", the file and the line; d->frames keeps method names, so that reports that count by
 * method still do. Counts the
 * frames given a line and says in d->lines_why why the others have none. Reads each assembly and its PDB once.
 * The files are read inside root ("/proc/<pid>/root" while the target lives: a target in a container sees its own
 * files) when it is not "", else (or when not found there) at the paths the target gave. The environment variable
 * DRDOTNET_LINES=0 turns it off. Never fails: a frame without a line keeps its name. */
void drd_lines_apply(struct drd_rawdata *d, const char *root);

#endif
