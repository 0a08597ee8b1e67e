/* Fuzz target: a diagnostics IPC reply as the tool reads it (header, OK or ERROR reply, ProcessInfo v1-v3). */
#include <stdlib.h>
#include <string.h>

#include "diag/ipc.h"
#include "fuzzutil.h"

/* A parsed field is a terminated string of whole UTF-8 characters within its array. */
static void check_field(const char *name, const char *s, size_t cap)
{
    const char *end = memchr(s, 0, cap);
    DRD_FUZZ_CHECK(end != NULL, "ProcessInfo field %s is not terminated", name);
    DRD_FUZZ_CHECK(drd_fuzz_utf8_valid(s, (size_t)(end - s)), "ProcessInfo field %s is not valid UTF-8", name);
}

/* Parses p as each ProcessInfo version, from an exactly sized copy so that ASan sees any read past len. */
static void process_info(const uint8_t *p, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return;
    if (len)
        memcpy(copy, p, len);
    for (int version = 1; version <= 3; version++) {
        struct drd_process_info pi;
        if (drd_ipc_parse_process_info(copy, len, version, &pi))
            continue;
        /* the fixed part and the strings' counts: 24 + 3 * 4, 24 + 5 * 4, 4 + 24 + 3 * 4 bytes */
        static const size_t least[] = {0, 36, 44, 40};
        DRD_FUZZ_CHECK(len >= least[version], "version %d accepted from %zu bytes", version, len);
        check_field("command_line", pi.command_line, sizeof pi.command_line);
        check_field("os", pi.os, sizeof pi.os);
        check_field("arch", pi.arch, sizeof pi.arch);
        check_field("entry_assembly", pi.entry_assembly, sizeof pi.entry_assembly);
        check_field("clr_version", pi.clr_version, sizeof pi.clr_version);
        check_field("runtime_id", pi.runtime_id, sizeof pi.runtime_id);
        if (version == 1)
            DRD_FUZZ_CHECK(!pi.entry_assembly[0] && !pi.clr_version[0], "version 1 filled version 2 fields");
        if (version < 3)
            DRD_FUZZ_CHECK(!pi.runtime_id[0], "version %d filled the runtime id", version);
    }
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the payload parser on its own, whatever the framing says */
    process_info(data, size);

    /* as the client does: 20 header bytes, then exactly the payload the header announces */
    struct drd_ipc_header h;
    if (drd_ipc_header_parse(data, size, &h))
        return 0;
    DRD_FUZZ_CHECK(h.size >= DRD_IPC_HEADER_SIZE, "header accepted with size %u", h.size);
    size_t plen = h.size - DRD_IPC_HEADER_SIZE;
    if (plen > size - DRD_IPC_HEADER_SIZE)
        return 0; /* the client would wait for the rest until its deadline */
    uint8_t *payload = malloc(plen ? plen : 1);
    if (!payload)
        return 0;
    if (plen)
        memcpy(payload, data + DRD_IPC_HEADER_SIZE, plen);
    struct drd_ipc_reply r;
    if (drd_ipc_reply_parse(&h, payload, plen, &r) == 0) {
        DRD_FUZZ_CHECK(r.payload == payload && r.payload_len == plen, "the reply points outside its payload");
        DRD_FUZZ_CHECK(!r.is_error || plen >= 4, "an ERROR reply accepted without its code");
        if (r.is_error)
            (void)drd_ipc_code_name(r.code);
        else
            process_info(r.payload, r.payload_len);
    }
    free(payload);
    return 0;
}
