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
 * cpu-hotpaths: m (mode, frequency, period_ns), n <tid> <thread name>, p <tid> <stack id> <weight ns>
 * merged-stacks: n <tid> <thread name>, w <tid> <stack id>
 * runtime-pauses: u <start ns> <duration ns> <suspend reason> <generation or -1> <induced 0/1>
 * duplicated-strings: m <fact> <value>, d <count> <length> <object size> <wasted bytes> <value, \ \t \n \r escaped>
 * allocations: m mode <exact|allocation-sampled|allocation-tick>,
 *              a <type id> <stack id> <samples> <estimated objects x 1024> <estimated bytes>
 * heap-snapshot: sf <index> <static field name>, c <class id hex> <type id>, m <fact> <value>; the graph itself is
 *   heap-snapshot.graph, binary little-endian: "DRDGRPH1", then records, each a tag byte:
 *   'O' u64 object, u64 class id, u64 size, u32 n, n x u64 referenced objects
 *   'R' u64 object, u8 root kind (0 other, 1 stack, 2 finalizer, 3 handle), u8 flags (1 pinning, 2 weak,
 *       4 interior, 8 refcounted), u64 root id
 *   'S' u64 object, u32 static field index (an 'sf' line)
 * waits: m <fact> <value> (runtime, lock_ids, wait_handles, min_wait_us, max_stacks_per_s; at the end the counts
 *          lock_events, wait_events, pool_events, short_waits, capped_waits, records_dropped, waits_begun_before,
 *          lock_inner_waits, no_thread_entry), n <tid> <thread name>,
 *        g <lock|wait> <key> <stack id> <count> <total ns> <max ns>   exact: what a (key, stack) gained since its
 *          previous line; key is the lock's id for a lock, 1 + the wait source for a wait (1 unknown, 2 monitor)
 *        w <lock|wait> <tid> <key> <owner tid or 0> <stack id or 0> <duration ns> <end ns since start>  one wait
 *          (left out when the library's queue was full: records_dropped)
 *        o <lock id> <owner tid> <stack id or 0> <run|sys:<n>>  the lock's owner caught while a thread waited for it:
 *          its stack (run), or the system call n it was blocked in, not signalled (stack 0); facts owner_stacks
 *          (0 off, 1 on, 2 no SIGPROF to share, 3 runtime before 8), owner_stacks_per_s, and at the end owner_sent,
 *          owner_taken, owner_blocked, owner_gone, owner_limited, owner_busy, owner_lost
 *        h <tid> <waits> <lock ns> <blocked ns>  a thread's exact totals (at the end); facts max_records_per_s, and at the
 *          end records_capped, records_size_capped: waits not written as w records (past max_records_per_s, or once
 *          the file passed three quarters of max_file_mb), counted in g and h all the same
 *        p <ns since start> <start|stop> <active workers> <retired workers>   a thread-pool worker started/stopped
 *        j <ns since start> <new worker count> <reason> <throughput x 1000>  a thread-pool adjustment (reason as
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
