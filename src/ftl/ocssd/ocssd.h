/*
 * What the rest of vssd sees of the Open-Channel SSD 2.0 device: its operations table, which
 * src/ftl/ftl.c lists. Everything else is the folder's own (ocssd_int.h).
 */
#ifndef VSSD_FTL_OCSSD_H
#define VSSD_FTL_OCSSD_H

#include "ftl/ftl.h"

const struct ftl_ops *ocssd_ftl_ops(void);

#endif
