/*
 * The zoned device behind the FTL interface: it maps nothing (the host
 * writes each zone at its write pointer), so it serves the Zoned Namespace
 * command set through the zone operations, and none of the NVM command
 * set's random writes. Nothing is volatile: a completed write is on the
 * media, and the zones are found again there after a power loss.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ftl/zns/zns.h"
#include "ftl/zns/zns_int.h"
#include "util/clock.h"

struct zns_ns {
	struct ftl base; /* must come first */
	struct zns zn;
	struct ftl_env env; /* what it is built over, again at each power loss */
};

static const struct ftl_ops zns_ops;

static struct zns_ns *ns_of(struct ftl *ftl)
{
	return (struct zns_ns *)ftl;
}

static const struct zns *zn_of(const struct ftl *ftl)
{
	return &((const struct zns_ns *)ftl)->zn;
}

/* The zones, new or found again on the media. */
static int load(struct zns_ns *ns, struct ftl_recovery *rec)
{
	uint64_t t0 = mono_ns();
	int rc;

	*rec = (struct ftl_recovery){0};
	if ((rc = zns_init(&ns->zn, ns->env.geo, ns->env.cfg, ns->env.tm, ns->env.media)))
		return rc;
	if (ns->env.media->reopened) {
		rec->recovered = true;
		for (uint32_t i = 0; i < ns->zn.zones.nzones; i++)
			rec->units_scanned += ns->zn.filled[i];
		rec->mapped_units = rec->units_scanned;
		rec->wall_ns = mono_ns() - t0;
	}
	return 0;
}

static void zns_close(struct ftl *ftl)
{
	zns_fini(&ns_of(ftl)->zn);
	free(ftl);
}

static int zns_open(const struct ftl_env *env, struct ftl **out, struct ftl_recovery *rec,
		    void *extra)
{
	struct zns_ns *ns = calloc(1, sizeof(*ns));
	int rc;

	if (!ns)
		return -ENOMEM;
	*ns = (struct zns_ns){.base.ops = &zns_ops, .env = *env};
	if ((rc = load(ns, rec))) {
		zns_close(&ns->base);
		return rc;
	}
	*out = &ns->base;
	return 0;
}

static bool zns_can_power_loss(const struct ftl *ftl)
{
	return ((const struct zns_ns *)ftl)->env.media->keeps_data;
}

/* What the run measured is kept; the zones are read again. */
static int zns_power_loss(struct ftl *ftl, struct ftl_recovery *rec)
{
	struct zns_ns *ns = ns_of(ftl);
	struct zns_counters c = ns->zn.c;
	struct ftl_events ev = ns->zn.ev;
	int rc;

	zns_fini(&ns->zn);
	if ((rc = load(ns, rec)))
		return rc;
	ns->zn.c = c;
	ns->zn.ev = ev;
	return 0;
}

static uint64_t zns_capacity_lbas(const struct ftl *ftl)
{
	const struct zns *zn = zn_of(ftl);

	return (uint64_t)zn->zones.nzones * zn->zones.zone_lbas;
}

static int zns_flush(struct ftl *ftl, const void *extra, uint64_t now_ns, uint64_t *done_ns)
{
	*done_ns = now_ns; /* a completed write is on the media already */
	return 0;
}

static void zns_set_events(struct ftl *ftl, const struct ftl_events *ev)
{
	ns_of(ftl)->zn.ev = *ev;
}

static void zns_zone_info(const struct ftl *ftl, struct ftl_zone_info *out)
{
	const struct zns_zones *zs = &zn_of(ftl)->zones;

	*out = (struct ftl_zone_info){.nzones = zs->nzones,
				      .zone_lbas = zs->zone_lbas,
				      .cap_lbas = zs->cap_lbas,
				      .max_open = zs->max_open,
				      .max_active = zs->max_active};
}

static uint16_t zns_zone_write(struct ftl *ftl, uint64_t slba, uint32_t nlb, const void *buf,
			       bool append, uint64_t now_ns, uint64_t *lba, uint64_t *done_ns)
{
	return zns_write(&ns_of(ftl)->zn, slba, nlb, buf, append, now_ns, lba, done_ns);
}

static uint16_t zns_zone_read(struct ftl *ftl, uint64_t slba, uint32_t nlb, void *buf,
			      uint64_t now_ns, uint64_t *done_ns)
{
	return zns_read(&ns_of(ftl)->zn, slba, nlb, buf, now_ns, done_ns);
}

static uint16_t zns_zone_send(struct ftl *ftl, uint64_t slba, enum nvme_zone_send_action action,
			      bool all, uint64_t now_ns, uint64_t *done_ns)
{
	return zns_send(&ns_of(ftl)->zn, slba, action, all, now_ns, done_ns);
}

static uint16_t zns_zone_report(const struct ftl *ftl, uint64_t slba, uint8_t filter, bool partial,
				void *buf, size_t bytes)
{
	return zns_zones_report(&zn_of(ftl)->zones, slba, filter, partial, buf, bytes);
}

/* The device programs what the host writes, and nothing else. */
static void zns_stats(const struct ftl *ftl, struct ftl_stats *st)
{
	const struct zns *zn = zn_of(ftl);
	uint64_t mapped = 0;

	for (uint32_t i = 0; i < zn->zones.nzones; i++)
		mapped += zn->filled[i];
	*st = (struct ftl_stats){.host_write_units = zn->c.written_units,
				 .media_write_units = zn->c.written_units,
				 .erases = zn->c.resets,
				 .erased_blocks = zn->c.erased_blocks,
				 .mapped_units = mapped};
}

/* Mean erases a block over the rated cycles: zones erase their blocks together. */
static uint32_t zns_percent_used(const struct ftl *ftl, uint64_t rated_pe)
{
	const struct zns *zn = zn_of(ftl);

	return (uint32_t)(zn->c.resets * 100 / ((uint64_t)zn->zones.nzones * rated_pe));
}

static uint64_t zns_ram_bytes(const struct ftl *ftl)
{
	const struct zns *zn = zn_of(ftl);

	return (uint64_t)zn->zones.nzones *
	       (sizeof(struct zns_zone) + sizeof(*zn->erase_count) + sizeof(*zn->filled));
}

static uint32_t zns_figures(const struct ftl *ftl, struct ftl_figure *out)
{
	const struct zns *zn = zn_of(ftl);
	const struct ftl_figure f[] = {{"zones", zn->zones.nzones},
				       {"zone_lbas", zn->zones.zone_lbas},
				       {"zone_cap_lbas", zn->zones.cap_lbas},
				       {"zone_dies", zn->zone_dies},
				       {"resets", zn->c.resets},
				       {"finishes", zn->c.finishes},
				       {"worn_read_only", zn->c.worn_read_only}};

	memcpy(out, f, sizeof(f));
	return sizeof(f) / sizeof(f[0]);
}

/* Each zone's state agrees with its write pointer and its data, and the
 * open and active counts with the states. */
static int zns_check(const struct ftl *ftl, char *err, size_t errlen)
{
	const struct zns *zn = zn_of(ftl);
	const struct zns_zones *zs = &zn->zones;
	uint32_t open = 0, active = 0;

	for (uint32_t i = 0; i < zs->nzones; i++) {
		const struct zns_zone *z = &zs->z[i];
		bool opened = z->state == NVME_ZS_IMP_OPEN || z->state == NVME_ZS_EXP_OPEN;
		bool ok = z->wp <= zs->cap_lbas && zn->filled[i] <= z->wp;

		open += opened;
		active += opened || z->state == NVME_ZS_CLOSED;
		if (z->state == NVME_ZS_EMPTY)
			ok = ok && z->wp == 0;
		else if (z->state == NVME_ZS_FULL)
			ok = ok && z->wp == zs->cap_lbas;
		else if (opened || z->state == NVME_ZS_CLOSED)
			ok = ok && z->wp < zs->cap_lbas && z->wp == zn->filled[i];
		if (!ok) {
			snprintf(err, errlen,
				 "zone %u in state 0x%x has its write pointer at %llu, data to "
				 "%llu, of %llu",
				 i, z->state, (unsigned long long)z->wp,
				 (unsigned long long)zn->filled[i],
				 (unsigned long long)zs->cap_lbas);
			return -EUCLEAN;
		}
	}
	if (open != zs->open || active != zs->active) {
		snprintf(err, errlen, "%u open and %u active zones, counted as %u and %u", open,
			 active, zs->open, zs->active);
		return -EUCLEAN;
	}
	return 0;
}

static uint64_t zns_meta_bytes_of(const struct geometry *geo, const struct vssd_config *cfg)
{
	return zns_meta_bytes(geo, cfg);
}

/* What the zoned device does not have, each refused with the parameter. */
static int zns_check_config(const struct vssd_config *cfg, const struct geometry *geo, char *err,
			    size_t errlen)
{
	static const struct {
		const char *param;
		size_t off;
		const char *why;
	} refused[] = {
		{"fdp", offsetof(struct vssd_config, fdp),
		 "a zoned namespace places data by zone, not by placement handle"},
		{"slc_cache_bytes", offsetof(struct vssd_config, slc_cache_bytes),
		 "the zoned device has no SLC cache"},
		{"slc_dynamic_bytes", offsetof(struct vssd_config, slc_dynamic_bytes),
		 "the zoned device has no SLC cache"},
		{"initial_pe_cycles", offsetof(struct vssd_config, initial_pe_cycles),
		 "the zoned device leaves wear to the host"},
		{"suspend", offsetof(struct vssd_config, suspend),
		 "a zone reset completes when its erases end, which a suspension would move"},
	};
	struct zns_layout l;

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (*(const uint64_t *)((const uint8_t *)cfg + refused[i].off)) {
			snprintf(err, errlen, "%s: not supported with ftl=zns (%s)",
				 refused[i].param, refused[i].why);
			return -EINVAL;
		}
	if (cfg->wear_levelling != WL_OFF || cfg->read_retry_rate > 0 || cfg->uncorrectable_pe ||
	    cfg->program_fail_rate > 0 || cfg->erase_fail_rate > 0) {
		snprintf(err, errlen,
			 "%s: not supported with ftl=zns (the device FTL's; ftl=conv has it)",
			 cfg->wear_levelling != WL_OFF ? "wear_levelling"
			 : cfg->read_retry_rate > 0    ? "read_retry_rate"
			 : cfg->uncorrectable_pe       ? "uncorrectable_pe"
			 : cfg->program_fail_rate > 0  ? "program_fail_rate"
						       : "erase_fail_rate");
		return -EINVAL;
	}
	if (cfg->lba_bytes != 4096) {
		snprintf(err, errlen,
			 "ftl=zns needs lba_bytes=4096 (512-byte LBAs: not supported)");
		return -EINVAL;
	}
	if (geo->rgs != 1) {
		snprintf(err, errlen, "ftl=zns: reclaim groups are FDP's (fdp_nrg=1)");
		return -EINVAL;
	}
	return zns_layout_of(cfg, geo, &l, err, errlen);
}

static const struct ftl_ops zns_ops = {
	.name = "zns",
	.iocs = FTL_IOCS_ZNS,
	.figures_name = "zoned",
	.check_config = zns_check_config,
	.meta_bytes = zns_meta_bytes_of,
	.open = zns_open,
	.close = zns_close,
	.can_power_loss = zns_can_power_loss,
	.power_loss = zns_power_loss,
	.capacity_lbas = zns_capacity_lbas,
	.flush = zns_flush,
	.stats = zns_stats,
	.percent_used = zns_percent_used,
	.ram_bytes = zns_ram_bytes,
	.figures = zns_figures,
	.check = zns_check,
	.set_events = zns_set_events,
	.zone_info = zns_zone_info,
	.zone_write = zns_zone_write,
	.zone_read = zns_zone_read,
	.zone_send = zns_zone_send,
	.zone_report = zns_zone_report,
};

const struct ftl_ops *zns_ftl_ops(void)
{
	return &zns_ops;
}
