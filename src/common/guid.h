/* GUIDs as text and as the 16 bytes the runtime compares. */
#ifndef DRD_GUID_H
#define DRD_GUID_H

#include <stdint.h>

/* Parses "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" (braces optional) into the GUID's memory layout
 * (Data1, Data2, Data3 little-endian, then Data4 as is). Returns 0 or -1. */
int drd_guid_parse(const char *text, uint8_t out[16]);

#endif
