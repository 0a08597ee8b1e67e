/* The raw data files that the library writes in a session folder, read only by src/report.
 *
 * Version 1. UTF-8 text, one record per line, fields separated by one TAB, lines end with '\n'. Append-only:
 * a record only refers to ids defined on earlier lines. Names never contain TAB or newline (the writer
 * replaces control characters with a space). A reader must refuse anything else without crashing.
 *
 *   drdotnet-raw <TAB> 1 <TAB> <profiler>          first line
 *   f <TAB> <id> <TAB> <name>                        a frame (function) name; ids count up from 1
 *   t <TAB> <id> <TAB> <name>                        a type name; ids count up from 1
 *   s <TAB> <id> <TAB> <f1>,<f2>,...                 a stack, leaf frame first; ids count up from 1
 *
 * exceptions (counts add up over the file; a line reports what grew since the previous one):
 *   x <TAB> <type id> <TAB> <stack id> <TAB> <count>                       thrown from that stack
 *   c <TAB> <type id> <TAB> <stack id> <TAB> <frame id> <TAB> <count>      of those, caught in that frame
 *
 * every profiler, last line when the session ended normally:
 *   end <TAB> <events> <TAB> <dropped>             events recorded, events lost (queue full, caps)
 */
#ifndef DRDOTNET_RAW_H
#define DRDOTNET_RAW_H

#define DRD_RAW_MAGIC "drdotnet-raw"
#define DRD_RAW_MAX_LINE 65536 /* longest line a reader must accept */
#define DRD_RAW_MAX_DEPTH 256 /* most frames in one stack record */

#endif
