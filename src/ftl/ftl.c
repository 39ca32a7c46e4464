/*
 * The one table of FTLs: which one serves each `ftl=` value. Adding an FTL
 * is a folder under src/ftl and a row here.
 */
#include "ftl/ftl.h"

#include "ftl/conv/conv.h"
#include "ftl/ocssd/ocssd.h"
#include "ftl/zns/zns.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>

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
	[FTL_ZNS] = {zns_ftl_ops, FTL_HOST_NONE,
		     "ftl=zns is a zoned namespace: each zone is written at its write pointer, "
		     "which a block host writing anywhere (NBD) cannot do; zoned hosts reach it "
		     "over NVMe/TCP (`vssd serve --transport tcp`), by fio's zonemode=zbd (`vssd "
		     "sim` jobs, the fio engine), `vssd torture`, or the library's zone calls"},
	[FTL_ZNS_HOST] =
		{zns_ftl_ops, FTL_HOST_ZFTL,
		 "ftl=zns-host puts zftl, a host FTL, over the zoned device in `vssd sim` "
		 "(and `vssd compare` / `vssd sweep`) only: other frontends do not support "
		 "it; they serve the zoned device itself with ftl=zns"},
};

/* Parameters that belong to one FTL: given with another, an error. */
static const struct {
	const char *name;
	size_t off;
	enum vssd_ftl ftl;
} own_params[] = {
	{"zns_zone_bytes", offsetof(struct vssd_config, zns_zone_bytes), FTL_ZNS},
	{"zns_zone_cap_bytes", offsetof(struct vssd_config, zns_zone_cap_bytes), FTL_ZNS},
	{"zns_zone_dies", offsetof(struct vssd_config, zns_zone_dies), FTL_ZNS},
	{"zns_max_open", offsetof(struct vssd_config, zns_max_open), FTL_ZNS},
	{"zns_max_active", offsetof(struct vssd_config, zns_max_active), FTL_ZNS},
	{"zns_offline_zones", offsetof(struct vssd_config, zns_offline_zones), FTL_ZNS},
	{"zns_read_only_pe", offsetof(struct vssd_config, zns_read_only_pe), FTL_ZNS},
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

	for (size_t i = 0; i < sizeof(own_params) / sizeof(own_params[0]); i++)
		if (kinds[cfg->ftl].ops != kinds[own_params[i].ftl].ops &&
		    *(const uint64_t *)((const uint8_t *)cfg + own_params[i].off)) {
			snprintf(
				err, errlen, "%s: only with ftl=%s or %s-host", own_params[i].name,
				ftl_ops_for(&(struct vssd_config){.ftl = own_params[i].ftl})->name,
				ftl_ops_for(&(struct vssd_config){.ftl = own_params[i].ftl})->name);
			return -EINVAL;
		}
	return ops->check_config ? ops->check_config(cfg, geo, err, errlen) : 0;
}
