/* Reports built by the tool from a session folder: JSON data for scripts and the web UI, text for people. */
#ifndef DRD_REPORT_H
#define DRD_REPORT_H

#include <stdio.h>

#include <jansson.h>

#define DRD_RAW_READ_MAX ((size_t)4 << 30)

/* Loads dir/session.json. Returns a new reference, or NULL with err. */
json_t *drd_session_load(const char *dir, char *err, size_t cap);

/* The sessions root: $DRDOTNET_HOME/sessions or ${XDG_DATA_HOME:-$HOME/.local/share}/drdotnet/sessions. */
int drd_sessions_root(char *out, size_t cap);

/* Session ids under root, newest first (ids sort by time). Returns the count (caller frees with
 * drd_sessions_free), or -1 when root cannot be read (0 when it does not exist). */
int drd_sessions_list(const char *root, char ***ids);
void drd_sessions_free(char **ids, int n);

/* Finds the session folder for what the user typed: an id, a unique prefix of one, or "last".
 * Returns 0 with the folder path, or -1 with err. */
int drd_session_resolve(const char *root, const char *arg, char *dir, size_t cap, char *err, size_t errcap);

/* Builds the report data of a finished session (dispatching on its profiler). Returns a new reference, or NULL
 * with err (no data, malformed data, unknown profiler). */
json_t *drd_report_build(const char *dir, json_t *session, char *err, size_t cap);

/* Prints the session header and the report as text. */
void drd_report_print(FILE *out, json_t *session, json_t *report);

/* The exceptions profiler's report. */
json_t *drd_exceptions_report(const char *raw_path, char *err, size_t cap);
void drd_exceptions_print(FILE *out, json_t *report);

#endif
