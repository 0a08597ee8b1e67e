/* The drdotnet command: its verbs (one cmd_<verb>.c each) and what only they need. */
#ifndef DRD_CLI_H
#define DRD_CLI_H

#include "tool/run.h"
#include "tool/tool.h"

/* The verbs. */
int drd_cmd_ps(int argc, char **argv);
int drd_cmd_profilers(int argc, char **argv);
int drd_cmd_profile(int argc, char **argv);
int drd_cmd_launch(int argc, char **argv);
int drd_cmd_sessions(int argc, char **argv);
int drd_cmd_show(int argc, char **argv);
int drd_cmd_export(int argc, char **argv);
int drd_cmd_diff(int argc, char **argv);
int drd_cmd_serve(int argc, char **argv);

/* 1 if arg is -h or --help. */
/* The options of the commands that build reports from a session (show, export) on native frames:
 * --fold-native=true|false (runs of unnamed frames of one library as one frame, the default) and
 * --symbols=true|false (function names from the target's files, the default). Report-time choices, not profiler
 * parameters: the data is recorded the same way, and any session can be shown either way later. Returns 1 when
 * arg was one of them (applied), 0 when it is not, -1 when its value is neither true nor false (said). */
int drd_cli_native_option(const char *arg);
#define DRD_CLI_NATIVE_USAGE "[--fold-native=true|false] [--symbols=true|false]"

int drd_cli_is_help(const char *arg);

#endif
