/* Parsing a GUID from its text form into its memory layout. */
#include "common/guid.h"

#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int drd_guid_parse(const char *text, uint8_t out[16])
{
    size_t n = strlen(text);
    if (n == 38 && text[0] == '{' && text[37] == '}') {
        text++;
        n = 36;
    }
    if (n != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-')
        return -1;
    uint8_t b[16]; /* the bytes in text order */
    int k = 0;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            continue;
        int hi = hexval(text[i]), lo = hexval(text[i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        b[k++] = (uint8_t)(hi << 4 | lo);
        i++;
    }
    /* Data1 (4 bytes), Data2 and Data3 (2 bytes each) are little-endian in memory; Data4 stays in order. */
    out[0] = b[3], out[1] = b[2], out[2] = b[1], out[3] = b[0];
    out[4] = b[5], out[5] = b[4];
    out[6] = b[7], out[7] = b[6];
    memcpy(out + 8, b + 8, 8);
    return 0;
}
