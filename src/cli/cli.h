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
int drd_cli_is_help(const char *arg);

#endif
