/* The diagnostics IPC wire format (see ipc.h): little-endian framing, requests and reply parsing. */
#include "diag/ipc.h"

#include <string.h>

#include "clr/utf16.h"

static void put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint16_t get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

int drd_ipc_header_write(uint8_t *out, size_t total_size, uint8_t set, uint8_t id)
{
    if (total_size < DRD_IPC_HEADER_SIZE || total_size > DRD_IPC_MAX_MESSAGE)
        return -1;
    memcpy(out, DRD_IPC_MAGIC, 14); /* includes the NUL */
    put_u16(out + 14, (uint16_t)total_size);
    out[16] = set;
    out[17] = id;
    put_u16(out + 18, 0);
    return 0;
}

int drd_ipc_header_parse(const uint8_t *in, size_t len, struct drd_ipc_header *h)
{
    if (len < DRD_IPC_HEADER_SIZE || memcmp(in, DRD_IPC_MAGIC, 14) != 0)
        return -1;
    h->size = get_u16(in + 14);
    h->command_set = in[16];
    h->command_id = in[17];
    h->reserved = get_u16(in + 18);
    return h->size < DRD_IPC_HEADER_SIZE ? -1 : 0;
}

int drd_ipc_build_empty(uint8_t *buf, size_t cap, uint8_t set, uint8_t id, size_t *out_len)
{
    if (cap < DRD_IPC_HEADER_SIZE)
        return -1;
    drd_ipc_header_write(buf, DRD_IPC_HEADER_SIZE, set, id);
    *out_len = DRD_IPC_HEADER_SIZE;
    return 0;
}

int drd_ipc_build_attach(uint8_t *buf, size_t cap, uint32_t timeout_ms, const uint8_t guid[16], const char *path_utf8,
                         const void *client, size_t client_len, size_t *out_len)
{
    char16_t path16[2048];
    size_t units = 0;
    size_t plen = strlen(path_utf8);
    if (plen == 0 || drd_utf8_to_utf16(path_utf8, plen, path16, sizeof path16 / sizeof path16[0] - 1, &units))
        return -1;
    path16[units++] = 0; /* the count includes the terminating NUL */
    size_t total = DRD_IPC_HEADER_SIZE + 4 + 16 + 4 + units * 2 + 4 + client_len;
    if (total > DRD_IPC_MAX_MESSAGE || total > cap || client_len > DRD_IPC_MAX_MESSAGE)
        return -1;
    uint8_t *p = buf;
    drd_ipc_header_write(p, total, DRD_IPC_SET_PROFILER, DRD_IPC_PROFILER_ATTACH);
    p += DRD_IPC_HEADER_SIZE;
    put_u32(p, timeout_ms);
    p += 4;
    memcpy(p, guid, 16);
    p += 16;
    put_u32(p, (uint32_t)units);
    p += 4;
    for (size_t i = 0; i < units; i++, p += 2)
        put_u16(p, path16[i]);
    put_u32(p, (uint32_t)client_len);
    p += 4;
    if (client_len)
        memcpy(p, client, client_len);
    *out_len = total;
    return 0;
}

int drd_ipc_reply_parse(const struct drd_ipc_header *h, const uint8_t *payload, size_t len, struct drd_ipc_reply *r)
{
    memset(r, 0, sizeof *r);
    if (h->command_set != DRD_IPC_SET_SERVER)
        return -1;
    r->payload = payload;
    r->payload_len = len;
    if (h->command_id == DRD_IPC_SERVER_ERROR) {
        if (len < 4)
            return -1;
        r->is_error = 1;
        r->code = get_u32(payload);
        return 0;
    }
    if (h->command_id != DRD_IPC_SERVER_OK)
        return -1;
    if (len >= 4)
        r->code = get_u32(payload);
    return 0;
}

/* Reads one IPC string at *pos into out (UTF-8, cut to cap). Returns 0, or -1 when it runs past len. */
static int get_string(const uint8_t *p, size_t len, size_t *pos, char *out, size_t cap)
{
    if (len - *pos < 4)
        return -1;
    uint32_t count = get_u32(p + *pos);
    *pos += 4;
    if (count > (len - *pos) / 2)
        return -1;
    out[0] = 0;
    char16_t chunk[256];
    size_t written = 0;
    for (uint32_t i = 0; i < count;) {
        uint32_t n = count - i < 256 ? count - i : 256;
        for (uint32_t k = 0; k < n; k++)
            chunk[k] = get_u16(p + *pos + 2 * (i + k));
        /* stop at the NUL that ends the string */
        uint32_t m = 0;
        while (m < n && chunk[m])
            m++;
        /* keep a surrogate pair together across chunks */
        if (m == n && n == 256 && chunk[255] >= 0xd800 && chunk[255] <= 0xdbff)
            m = n = 255;
        size_t w = 0;
        int full = written + 1 >= cap;
        if (!full)
            full = drd_utf16_to_utf8(chunk, m, out + written, cap - written, &w) != 0;
        written += w;
        if (m < n || full)
            break; /* the end of the string, or the field is full: keep a prefix, never skip ahead */
        i += n;
    }
    *pos += (size_t)count * 2;
    return 0;
}

int drd_ipc_parse_process_info(const uint8_t *p, size_t len, int version, struct drd_process_info *out)
{
    memset(out, 0, sizeof *out);
    size_t pos = 0;
    uint32_t inner = 0;
    if (version == 3) {
        if (len < 4)
            return -1;
        inner = get_u32(p);
        pos = 4;
    }
    if (len - pos < 24)
        return -1;
    out->pid = (uint64_t)get_u32(p + pos) | ((uint64_t)get_u32(p + pos + 4) << 32);
    memcpy(out->cookie, p + pos + 8, 16);
    pos += 24;
    if (get_string(p, len, &pos, out->command_line, sizeof out->command_line) ||
        get_string(p, len, &pos, out->os, sizeof out->os) || get_string(p, len, &pos, out->arch, sizeof out->arch))
        return -1;
    if (version >= 2) {
        if (get_string(p, len, &pos, out->entry_assembly, sizeof out->entry_assembly) ||
            get_string(p, len, &pos, out->clr_version, sizeof out->clr_version))
            return -1;
    }
    if (version == 3 && inner >= 1) {
        if (get_string(p, len, &pos, out->runtime_id, sizeof out->runtime_id))
            return -1;
    }
    return 0;
}

const char *drd_ipc_code_name(uint32_t code)
{
    switch (code) {
    case DRD_IPC_E_BAD_ENCODING: return "BAD_ENCODING";
    case DRD_IPC_E_UNKNOWN_COMMAND: return "UNKNOWN_COMMAND";
    case DRD_IPC_E_UNKNOWN_MAGIC: return "UNKNOWN_MAGIC";
    case DRD_IPC_E_NOTSUPPORTED: return "NOTSUPPORTED";
    case DRD_IPC_E_NOT_YET_AVAILABLE: return "NOT_YET_AVAILABLE";
    case DRD_IPC_E_RUNTIME_UNINITIALIZED: return "RUNTIME_UNINITIALIZED";
    case DRD_IPC_E_PROFILER_ALREADY_ACTIVE: return "CORPROF_E_PROFILER_ALREADY_ACTIVE";
    case DRD_IPC_E_PROFILER_NOT_ATTACHABLE: return "CORPROF_E_PROFILER_NOT_ATTACHABLE";
    case DRD_IPC_E_TIMEOUT_WAITING_FOR_CONCURRENT_GC: return "CORPROF_E_TIMEOUT_WAITING_FOR_CONCURRENT_GC";
    case 0x80004005u: return "E_FAIL";
    case 0x80070057u: return "E_INVALIDARG";
    case 0x8007000eu: return "E_OUTOFMEMORY";
    }
    return NULL;
}
