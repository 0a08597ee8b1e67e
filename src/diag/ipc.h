/* The diagnostics IPC wire format: building requests and parsing replies, byte for byte, with no I/O. */
#ifndef DRD_IPC_H
#define DRD_IPC_H

#include <stddef.h>
#include <stdint.h>

#include "common/guid.h"

#define DRD_IPC_MAGIC "DOTNET_IPC_V1" /* 13 characters, sent with its NUL: 14 bytes */
#define DRD_IPC_HEADER_SIZE 20
#define DRD_IPC_MAX_MESSAGE 65535

enum drd_ipc_command_set {
    DRD_IPC_SET_DUMP = 0x01,
    DRD_IPC_SET_EVENTPIPE = 0x02,
    DRD_IPC_SET_PROFILER = 0x03,
    DRD_IPC_SET_PROCESS = 0x04,
    DRD_IPC_SET_SERVER = 0xff,
};

enum {
    DRD_IPC_PROFILER_ATTACH = 0x01,
    DRD_IPC_PROFILER_STARTUP = 0x02,
    DRD_IPC_PROCESS_INFO = 0x00,
    DRD_IPC_PROCESS_RESUME = 0x01,
    DRD_IPC_PROCESS_INFO2 = 0x04,
    DRD_IPC_PROCESS_INFO3 = 0x08,
    DRD_IPC_SERVER_OK = 0x00,
    DRD_IPC_SERVER_ERROR = 0xff,
};

/* Error codes the diagnostics server and the runtime answer with. */
#define DRD_IPC_E_BAD_ENCODING 0x80131384u
#define DRD_IPC_E_UNKNOWN_COMMAND 0x80131385u
#define DRD_IPC_E_UNKNOWN_MAGIC 0x80131386u
#define DRD_IPC_E_NOTSUPPORTED 0x80131515u
#define DRD_IPC_E_NOT_YET_AVAILABLE 0x8013135bu
#define DRD_IPC_E_RUNTIME_UNINITIALIZED 0x80131371u
#define DRD_IPC_E_PROFILER_ALREADY_ACTIVE 0x8013136au
#define DRD_IPC_E_PROFILER_NOT_ATTACHABLE 0x80131368u
#define DRD_IPC_E_TIMEOUT_WAITING_FOR_CONCURRENT_GC 0x80131379u

struct drd_ipc_header {
    uint16_t size; /* whole message, header included */
    uint8_t command_set;
    uint8_t command_id;
    uint16_t reserved;
};

/* Writes a 20-byte header for a message of total_size bytes. Returns 0, or -1 if total_size < 20. */
int drd_ipc_header_write(uint8_t *out, size_t total_size, uint8_t set, uint8_t id);

/* Parses the first 20 bytes of in. Returns 0, or -1 when len < 20, the magic is wrong or size < 20. */
int drd_ipc_header_parse(const uint8_t *in, size_t len, struct drd_ipc_header *h);

/* A request with no payload (ProcessInfo, ResumeRuntime, ...). Returns 0 or -1 when cap < 20. */
int drd_ipc_build_empty(uint8_t *buf, size_t cap, uint8_t set, uint8_t id, size_t *out_len);

/* AttachProfiler: u32 timeout_ms, 16 GUID bytes, UTF-16 path with its NUL (count includes the NUL),
 * u32 client_len + client bytes. Returns 0, or -1 when the message would not fit in cap or in 65535 bytes
 * or the path is not valid text. */
int drd_ipc_build_attach(uint8_t *buf, size_t cap, uint32_t timeout_ms, const uint8_t guid[16], const char *path_utf8,
                         const void *client, size_t client_len, size_t *out_len);

/* A reply from the server: either OK with a payload, or ERROR with a code. */
struct drd_ipc_reply {
    int is_error;
    uint32_t code; /* ERROR: the HRESULT; OK with a 4-byte payload: that value */
    const uint8_t *payload; /* points into the caller's buffer */
    size_t payload_len;
};

/* Interprets a header and its payload. Returns 0, or -1 when the reply is neither OK nor ERROR, or an ERROR
 * reply lacks its 4-byte code. */
int drd_ipc_reply_parse(const struct drd_ipc_header *h, const uint8_t *payload, size_t len, struct drd_ipc_reply *r);

#define DRD_PI_MAX_CMDLINE 4096

struct drd_process_info {
    uint64_t pid; /* as the target sees it */
    uint8_t cookie[16];
    char command_line[DRD_PI_MAX_CMDLINE];
    char os[64];
    char arch[64];
    char entry_assembly[256]; /* version >= 2, else "" */
    char clr_version[128]; /* version >= 2, else "" */
    char runtime_id[128]; /* version 3 with its inner version >= 1, else "" */
};

/* Parses a ProcessInfo (version 1), ProcessInfo2 (2) or ProcessInfo3 (3) payload. Strings too long for their
 * field are cut at a character boundary. Returns 0, or -1 when the payload is truncated or malformed. */
int drd_ipc_parse_process_info(const uint8_t *p, size_t len, int version, struct drd_process_info *out);

/* The name of a known error code, or NULL. */
const char *drd_ipc_code_name(uint32_t code);

#endif
