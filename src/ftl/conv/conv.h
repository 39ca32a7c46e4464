/*
 * What the rest of vssd sees of the conventional page-mapped FTL (with FDP): its operations table,
 * which src/ftl/ftl.c lists. Everything else is the folder's own (conv_int.h).
 */
#ifndef VSSD_FTL_CONV_H
#define VSSD_FTL_CONV_H

#include "ftl/ftl.h"

const struct ftl_ops *conv_ftl_ops(void);

#endif
