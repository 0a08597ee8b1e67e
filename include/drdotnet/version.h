/* Versions that the tool and the library must agree on. */
#ifndef DRDOTNET_VERSION_H
#define DRDOTNET_VERSION_H

#define DRD_VERSION "0.1.0"
/* Bumped when struct drd_profiler_table or its descriptors change shape. */
#define DRD_DESCRIPTOR_ABI 2
/* Bumped when the client-data text format changes (see clientdata.h). */
#define DRD_CLIENT_DATA_VERSION 1
/* Bumped when the raw data record format changes (see raw.h). */
#define DRD_RAW_VERSION 1

#endif
