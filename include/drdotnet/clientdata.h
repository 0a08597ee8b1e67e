/* The session request that the tool hands to the library: AttachProfiler's client data, or the file named
 * by DRDOTNET_SESSION_FILE in startup mode.
 *
 * Format (version 1): UTF-8 text, one "key=value" per line ending in '\n', at most DRD_CD_MAX_BYTES in all.
 *   v=1                    first line, the format version
 *   session=<id>           the session id ([A-Za-z0-9._-], at most 127 chars)
 *   out=<dir>              absolute path of the session folder, as the target sees it
 *   profiler=<names>       the profiler's name, or the names of the session's profilers separated by commas
 *   mode=attach|startup
 *   tool=<version>         optional: the version of the tool that made the request; a library of another
 *                          version refuses the session with a sentence (a hand-written request may leave it out)
 *   param.<key>=<value>    one per parameter the user gave (keys [a-z0-9_], values printable, no newline); in a
 *                          session of several profilers "param.<profiler>.<key>" for one profiler's, and a bare
 *                          key for every profiler that declares it (duration, max_file_mb)
 * Unknown keys without the "param." prefix are refused, so a newer tool cannot silently half-work. */
#ifndef DRDOTNET_CLIENTDATA_H
#define DRDOTNET_CLIENTDATA_H

#include <stddef.h>

#define DRD_CD_MAX_BYTES 8192
#define DRD_CD_MAX_PARAMS 32
#define DRD_CD_MAX_ID 128
#define DRD_CD_MAX_PATH 1024
#define DRD_CD_MAX_NAME 256
#define DRD_CD_MAX_KEY 64
#define DRD_CD_MAX_VALUE 256

enum drd_cd_mode { DRD_MODE_ATTACH = 0, DRD_MODE_STARTUP = 1 };

struct drd_cd_param {
    char key[DRD_CD_MAX_KEY];
    char value[DRD_CD_MAX_VALUE];
};

struct drd_client_data {
    char session_id[DRD_CD_MAX_ID];
    char out_dir[DRD_CD_MAX_PATH];
    char profiler[DRD_CD_MAX_NAME];
    enum drd_cd_mode mode;
    char tool[32]; /* the tool's DRD_VERSION, or "" when the request did not say */
    int n_params;
    struct drd_cd_param params[DRD_CD_MAX_PARAMS];
};

/* Writes cd into buf (no NUL counted in *len). Returns 0, or -1 when a field is invalid or buf too small. */
int drd_cd_encode(const struct drd_client_data *cd, char *buf, size_t cap, size_t *len);

/* Parses len bytes (need not be NUL-terminated). Returns 0, or -1 with a sentence in err. */
int drd_cd_decode(const void *buf, size_t len, struct drd_client_data *cd, char *err, size_t errcap);

/* Adds a parameter; returns -1 with err when the key or value is malformed or there are too many. */
int drd_cd_add_param(struct drd_client_data *cd, const char *key, const char *value, char *err, size_t errcap);

/* Checks that an id is safe as a single path component of a session folder. Returns 1 if it is. */
int drd_session_id_valid(const char *id);

#endif
