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
 * A frame line may end with more TAB fields, each starting with a letter that says whose it is; a reader ignores
 * a field whose letter it does not know:
 *   N <module id> <address hex>    (one field, spaces inside) a native frame: the module's 'nm' record and the
 *                                  address in the module's own ELF terms (memory address minus its load bias; a
 *                                  caller's return address minus one). The name is the module's file name; the
 *                                  tool names the function. Native frames of different addresses have distinct ids.
 *   nm <TAB> <id> <TAB> <path> <TAB> <build-id hex or -> <TAB> <load bias hex> <TAB> <exec lo hex> <TAB>
 *      <exec hi hex> <TAB> <exec file offset hex>     a native module (ELF object) of the target, before its first
 *      frame; ids count up from 1; path as the target sees it (in its mount namespace); exec lo/hi the ELF address
 *      range of its executable segments, exec file offset the file offset of the first of them (pprof's Mapping)
 *   np <TAB> <start ticks>                            the target's start time (field 22 of /proc/<pid>/stat),
 *      before the first 'nm': the tool reads a module's file through /proc/<pid>/root only while that process lives
 *
 * A frame record may carry trailing TAB fields, each named by its first letter; a reader ignores a field whose
 * letter it does not know. Managed code sites:
 *   f <TAB> <id> <TAB> <name> <TAB> M <assembly id> <method token hex> <IL offset or -1>   a managed frame at that
 *     IL offset (the sampled instruction, or the call a return address comes back to); one id per (method,
 *     offset), so frames of one method may share a name
 *   mm <TAB> <assembly id> <TAB> <MVID, 32 hex digits as stored, or -> <TAB> <file path>   an assembly (module),
 *     before the first frame that names it; ids count up from 1. The tool finds the PDB from the file and checks
 *     the file's MVID against this one.
 *   z <TAB> <wall ns> <TAB> <monotonic ns> <TAB> <start began> <TAB> <start ended>     once, after the profiler's
 *       start: the session's one clock. Every timed record counts ns since the session's zero, taken once before
 *       any profiler starts; this line gives the zero's wall time (ns since the Unix epoch) and CLOCK_MONOTONIC
 *       reading (perf and other tools on that machine time by it), and when this profiler's start began and ended
 *       (ns since the zero). A file whose times count from elsewhere says so with m clock_origin_ns <ns since the
 *       zero>; waits counts from the session's zero and says so (m clock_origin_ns 0); a waits file of an older
 *       library, which counted from its own start and did not say, is placed at <start ended>.
 *   n <TAB> <tid> <TAB> <name>                        a thread's name as the OS knew it (comm), before its records
 *
 * exceptions (counts add up over the file; a line reports what grew since the previous one):
 *   x <TAB> <type id> <TAB> <stack id> <TAB> <count>                       thrown from that stack
 *   c <TAB> <type id> <TAB> <stack id> <TAB> <frame id> <TAB> <count>      of those, caught in that frame
 *   e <TAB> <ns> <TAB> <tid> <TAB> <type id> <TAB> <stack id> <TAB> <catcher frame id, 0 for a throw>  one throw
 *       or catch on the timeline: at most timeline_per_s a second and timeline_max a session (parameters); the
 *       counts above hold them all, m timeline_left_off <n> says how many the timeline left off so far
 *
 * cpu-hotpaths: m (mode, frequency, period_ns), n <tid> <thread name>, p <tid> <stack id> <weight ns> <ns>
 *   (<ns>: when it was taken; older files have no such field)
 * merged-stacks: n <tid> <thread name>, w <tid> <stack id>
 * runtime-pauses: u <start ns> <duration ns> <suspend reason> <generation or -1> <induced 0/1> <tid>
 *   (<tid>: the thread that suspended the runtime, for a GC the one that triggered it; older files have none)
 * duplicated-strings: m <fact> <value>, d <count> <length> <object size> <wasted bytes> <value, \ \t \n \r escaped>
 * allocations: m mode <exact|allocation-sampled|allocation-tick>,
 *              a <type id> <stack id> <samples> <estimated objects x 1024> <estimated bytes>,
 *              e <ns> <tid> <type id> <stack id>  one sample on the timeline (capped as exceptions' e records are,
 *              with m timeline_left_off), n <tid> <thread name>
 * heap-snapshot: sf <index> <static field name>, c <class id hex> <type id>, m <fact> <value>; the graph itself is
 *   heap-snapshot.graph, binary little-endian: "DRDGRPH1", then records, each a tag byte:
 *   'O' u64 object, u64 class id, u64 size, u32 n, n x u64 referenced objects
 *   'R' u64 object, u8 root kind (0 other, 1 stack, 2 finalizer, 3 handle), u8 flags (1 pinning, 2 weak,
 *       4 interior, 8 refcounted), u64 root id
 *   'S' u64 object, u32 static field index (an 'sf' line)
 * leaks: the heap-snapshot lines (sf, t, c; the types are the classes' own numbering), and per snapshot
 *   g <k from 1> <offset> <bytes> <ms since the first> <objects> <heap bytes> <pause ns> <gc ns>: snapshot k's graph
 *   is the bytes from offset in leaks.graph, heap-snapshot.graph's format (its own "DRDGRPH1" first);
 *   m snapshots_asked <n>, m interval_ms <ms>
 * waits (times in ns on the session's clock): m <fact> <value> (clock_origin_ns, runtime, lock_ids, wait_handles,
 *          min_wait_us, max_stacks_per_s; at the end the counts
 *          lock_events, wait_events, pool_events, short_waits, capped_waits, records_dropped, waits_begun_before,
 *          lock_inner_waits, no_thread_entry), n <tid> <thread name>,
 *        g <lock|wait> <key> <stack id> <count> <total ns> <max ns>   exact: what a (key, stack) gained since its
 *          previous line; key is the lock's id for a lock, 1 + the wait source for a wait (1 unknown, 2 monitor)
 *        w <lock|wait> <tid> <key> <owner tid or 0> <stack id or 0> <duration ns> <end ns>  one wait
 *          (left out when the library's queue was full: records_dropped)
 *        o <lock id> <owner tid> <stack id or 0> <run|sys:<n>>  the lock's owner caught while a thread waited for it:
 *          its stack (run), or the system call n it was blocked in, not signalled (stack 0); facts owner_stacks
 *          (0 off, 1 on, 2 no SIGPROF to share, 3 runtime before 8), owner_stacks_per_s, and at the end owner_sent,
 *          owner_taken, owner_blocked, owner_gone, owner_limited, owner_busy, owner_lost
 *        h <tid> <waits> <lock ns> <blocked ns>  a thread's exact totals (at the end); facts max_records_per_s, and at the
 *          end records_capped, records_size_capped: waits not written as w records (past max_records_per_s, or once
 *          the file passed three quarters of max_file_mb), counted in g and h all the same
 *        p <ns> <start|stop> <active workers> <retired workers>   a thread-pool worker started/stopped
 *        j <ns> <new worker count> <reason> <throughput x 1000>  a thread-pool adjustment (reason as
 *          the runtime's ThreadPoolWorkerThreadAdjustmentAdjustment: 6 starvation, 8 cooperative blocking, ...)
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
