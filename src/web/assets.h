/* The page's files (src/web/static), built into the executable by src/web/embed.cmake. */
#ifndef DRD_ASSETS_H
#define DRD_ASSETS_H

#include <stddef.h>

struct drd_asset {
    const char *path; /* "/index.html", ... */
    const char *type; /* the Content-Type */
    const unsigned char *data;
    size_t size;
};

extern const struct drd_asset drd_assets[];
extern const int drd_assets_count;

#endif
