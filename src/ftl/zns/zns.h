/*
 * What the rest of vssd sees of the zoned device: its operations table,
 * which src/ftl/ftl.c lists. Everything else is the folder's own
 * (zones.h, zns_int.h).
 */
#ifndef VSSD_FTL_ZNS_H
#define VSSD_FTL_ZNS_H

#include "ftl/ftl.h"

const struct ftl_ops *zns_ftl_ops(void);

#endif
