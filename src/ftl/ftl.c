/*
 * The one table of FTLs: which one serves each `ftl=` value. Adding an FTL
 * is a folder under src/ftl and a row here.
 */
#include "ftl/ftl.h"

#include "ftl/conv/conv.h"
#include "ftl/ocssd/ocssd.h"

/* One row per ftl= value: the FTL behind the namespace, what the host runs
 * over it, and what a host of blocks is told when that is nothing it can use.
 * Adding an FTL is a folder and a row. */
static const struct ftl_kind {
	const struct ftl_ops *(*ops)(void);
	enum ftl_host host;
	const char *block_refusal;
} kinds[] = {
	[FTL_CONV] = {conv_ftl_ops, FTL_HOST_NONE, NULL},
	[FTL_OCSSD] = {ocssd_ftl_ops, FTL_HOST_NONE,
		       "ftl=ocssd is a raw Open-Channel SSD 2.0 device: it serves vector commands, "
		       "not block reads and writes, so it needs a host FTL such as ftl=pblk (pblk "
		       "over the same device)"},
	[FTL_PBLK] = {ocssd_ftl_ops, FTL_HOST_PBLK, NULL},
};

const struct ftl_ops *ftl_ops_for(const struct vssd_config *cfg)
{
	return kinds[cfg->ftl].ops();
}

enum ftl_host ftl_host_for(const struct vssd_config *cfg)
{
	return kinds[cfg->ftl].host;
}

const char *ftl_block_refusal(const struct vssd_config *cfg)
{
	return kinds[cfg->ftl].block_refusal;
}

int ftl_check_config(const struct vssd_config *cfg, const struct geometry *geo, char *err,
		     size_t errlen)
{
	const struct ftl_ops *ops = ftl_ops_for(cfg);

	return ops->check_config ? ops->check_config(cfg, geo, err, errlen) : 0;
}
