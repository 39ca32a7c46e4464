/*
 * The open-channel device behind the FTL interface: it maps nothing, so it
 * serves the Open-Channel SSD 2.0 command set (vector commands over device
 * addresses), its Geometry and its Chunk Information log page. Nothing is
 * volatile: a completed vector write is on the media, and the chunk table
 * is found again on the media after a power loss; the host's FTL keeps its
 * own SMART state.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ftl/ocssd/ocssd.h"
#include "ftl/ocssd/ocssd_int.h"
#include "util/clock.h"

struct ocssd_ns {
	struct ftl base; /* must come first */
	struct ocssd oc;
	struct ftl_env env; /* what it is built over, again at each power loss */
};

static const struct ftl_ops ocssd_ops;

static struct ocssd_ns *ns_of(struct ftl *ftl)
{
	return (struct ocssd_ns *)ftl;
}

static const struct ocssd *oc_of(const struct ftl *ftl)
{
	return &((const struct ocssd_ns *)ftl)->oc;
}

struct ocssd *ocssd_of(struct ftl *ftl)
{
	return ftl && ftl->ops == &ocssd_ops ? &ns_of(ftl)->oc : NULL;
}

/* The chunk table, new or found again on the media. */
static int load(struct ocssd_ns *ns, struct ftl_recovery *rec)
{
	uint64_t t0 = mono_ns();
	int rc;

	*rec = (struct ftl_recovery){0};
	if ((rc = ocssd_init(&ns->oc, ns->env.geo, ns->env.cfg, ns->env.tm, ns->env.media)))
		return rc;
	if (ns->env.media->reopened) {
		rec->recovered = true;
		for (uint32_t i = 0; i < ocssd_nchunks(&ns->oc); i++)
			rec->units_scanned += ns->oc.chunks[i].wp;
		rec->wall_ns = mono_ns() - t0;
	}
	return 0;
}

static void ocssd_close(struct ftl *ftl)
{
	ocssd_fini(&ns_of(ftl)->oc);
	free(ftl);
}

static int ocssd_open(const struct ftl_env *env, struct ftl **out, struct ftl_recovery *rec,
		      void *extra)
{
	struct ocssd_ns *ns = calloc(1, sizeof(*ns));
	int rc;

	if (!ns)
		return -ENOMEM;
	*ns = (struct ocssd_ns){.base.ops = &ocssd_ops, .env = *env};
	if ((rc = load(ns, rec))) {
		ocssd_close(&ns->base);
		return rc;
	}
	*out = &ns->base;
	return 0;
}

static bool ocssd_can_power_loss(const struct ftl *ftl)
{
	return ((const struct ocssd_ns *)ftl)->env.media->keeps_data;
}

/* What the run measured is kept; the chunk table is read again. */
static int ocssd_power_loss(struct ftl *ftl, struct ftl_recovery *rec)
{
	struct ocssd_ns *ns = ns_of(ftl);
	struct oc_counters c = ns->oc.c;
	int rc;

	ocssd_fini(&ns->oc);
	if ((rc = load(ns, rec)))
		return rc;
	ns->oc.c = c;
	return 0;
}

static uint64_t ocssd_capacity_lbas(const struct ftl *ftl)
{
	return ocssd_address_space(oc_of(ftl));
}

static int ocssd_flush(struct ftl *ftl, const void *extra, uint64_t now_ns, uint64_t *done_ns)
{
	*done_ns = now_ns; /* a completed vector write is on the media already */
	return 0;
}

static uint64_t ocssd_vector(struct ftl *ftl, enum ftl_vector_op op, const uint64_t *lbas,
			     uint32_t n, void *data, void *meta, uint64_t now_ns, uint16_t *st)
{
	struct ocssd *oc = &ns_of(ftl)->oc;

	switch (op) {
	case FTL_VECTOR_WRITE: return ocssd_write(oc, lbas, n, data, meta, now_ns, st);
	case FTL_VECTOR_READ: return ocssd_read(oc, lbas, n, data, meta, now_ns, st);
	case FTL_VECTOR_RESET: break;
	}
	return ocssd_reset(oc, lbas, n, now_ns, st);
}

static size_t ocssd_identify_cs(const struct ftl *ftl, void *buf, size_t bytes)
{
	struct nvme_oc_geometry g;

	ocssd_geometry(oc_of(ftl), &g);
	memcpy(buf, &g, bytes < sizeof(g) ? bytes : sizeof(g));
	return sizeof(g);
}

static uint64_t ocssd_log_bytes(const struct ftl *ftl, uint8_t lid)
{
	if (lid != NVME_LOG_OC_CHUNK_INFO)
		return 0;
	return (uint64_t)ocssd_nchunks(oc_of(ftl)) * sizeof(struct nvme_oc_chunk_desc);
}

/* The descriptors of the log's window [off, off + bytes), within its size. */
static void ocssd_log_read(const struct ftl *ftl, uint8_t lid, uint64_t off, uint64_t bytes,
			   void *out)
{
	const struct ocssd *oc = oc_of(ftl);
	const uint64_t desc = sizeof(struct nvme_oc_chunk_desc);
	uint64_t size = ocssd_log_bytes(ftl, lid);

	for (uint64_t b = off / desc * desc; b < off + bytes && b < size; b += desc) {
		struct nvme_oc_chunk_desc d;
		uint64_t from = b < off ? off - b : 0,
			 to = b + desc < off + bytes ? desc : off + bytes - b;

		ocssd_chunk_desc(oc, (uint32_t)(b / desc), &d);
		memcpy((uint8_t *)out + b + from - off, (uint8_t *)&d + from, to - from);
	}
}

/* The device only programs what the host writes. */
static void ocssd_stats(const struct ftl *ftl, struct ftl_stats *st)
{
	const struct ocssd *oc = oc_of(ftl);

	*st = (struct ftl_stats){.host_write_units = oc->c.written_sectors,
				 .media_write_units = oc->c.written_sectors,
				 .erases = oc->c.resets,
				 .erased_blocks = oc->c.resets * oc->geo->planes};
}

/* a reset erases one block of each plane of its die */
static uint32_t ocssd_percent_used(const struct ftl *ftl, uint64_t rated_pe)
{
	const struct ocssd *oc = oc_of(ftl);

	return (uint32_t)(oc->c.resets * 100 / ((uint64_t)ocssd_nchunks(oc) * rated_pe));
}

static uint64_t ocssd_ram_bytes(const struct ftl *ftl)
{
	return ocssd_nchunks(oc_of(ftl)) * sizeof(struct oc_chunk);
}

/* No mapping or lines of its own: its chunks. */
static uint32_t ocssd_figures(const struct ftl *ftl, struct ftl_figure *out)
{
	const struct ocssd *oc = oc_of(ftl);
	const struct ftl_figure f[] = {{"groups", oc->ngrp},
				       {"pus", oc->npu},
				       {"chunks", oc->nchk},
				       {"chunk_sectors", oc->clba},
				       {"resets", oc->c.resets}};

	memcpy(out, f, sizeof(f));
	return sizeof(f) / sizeof(f[0]);
}

/* Each chunk's state agrees with its write pointer. */
static int ocssd_check(const struct ftl *ftl, char *err, size_t errlen)
{
	const struct ocssd *oc = oc_of(ftl);

	for (uint32_t i = 0; i < ocssd_nchunks(oc); i++) {
		const struct oc_chunk *c = &oc->chunks[i];
		bool ok = c->wp <= oc->clba;

		if (c->state == NVME_OC_CHUNK_FREE)
			ok = ok && c->wp == 0;
		else if (c->state == NVME_OC_CHUNK_OPEN)
			ok = ok && c->wp > 0 && c->wp < oc->clba;
		else if (c->state == NVME_OC_CHUNK_CLOSED)
			ok = ok && c->wp == oc->clba;
		if (!ok) {
			snprintf(err, errlen,
				 "chunk %u in state %u has its write pointer at %u of %u", i,
				 c->state, c->wp, oc->clba);
			return -EUCLEAN;
		}
	}
	return 0;
}

static uint64_t ocssd_meta_bytes_of(const struct geometry *geo, const struct vssd_config *cfg)
{
	return ocssd_meta_bytes(geo);
}

static int ocssd_check_config(const struct vssd_config *cfg, const struct geometry *geo, char *err,
			      size_t errlen)
{
	char ftl[16];

	if (cfg->wear_levelling != WL_OFF || cfg->initial_pe_cycles) {
		snprintf(err, errlen,
			 "%s: the open-channel device leaves wear to the host (ftl=conv has it)",
			 cfg->wear_levelling != WL_OFF ? "wear_levelling" : "initial_pe_cycles");
		return -EINVAL;
	}
	if (cfg->read_retry_rate > 0 || cfg->uncorrectable_pe || cfg->program_fail_rate > 0 ||
	    cfg->erase_fail_rate > 0) {
		snprintf(err, errlen,
			 "%s: the device FTL's media faults; the open-channel device has its "
			 "own (ocssd_write_fail, ocssd_erase_fail, ocssd_offline_rate)",
			 cfg->read_retry_rate > 0     ? "read_retry_rate"
			 : cfg->uncorrectable_pe      ? "uncorrectable_pe"
			 : cfg->program_fail_rate > 0 ? "program_fail_rate"
						      : "erase_fail_rate");
		return -EINVAL;
	}
	if (cfg->slc_cache_bytes || cfg->slc_dynamic_bytes) {
		snprintf(err, errlen,
			 "%s: the open-channel device has no SLC cache (the host writes its "
			 "chunks as it likes; ftl=conv has one)",
			 cfg->slc_cache_bytes ? "slc_cache_bytes" : "slc_dynamic_bytes");
		return -EINVAL;
	}
	if (cfg->suspend) {
		snprintf(err, errlen,
			 "suspend=on: not supported by the open-channel device (a chunk reset "
			 "completes to the host when its erase ends, which a suspension would "
			 "move after the host was told; ftl=conv has it)");
		return -EINVAL;
	}
	if (!cfg->fdp && cfg->lba_bytes == 4096)
		return 0;
	config_format(cfg, "ftl", ftl, sizeof(ftl)); /* ocssd, or pblk over it */
	snprintf(err, errlen,
		 "ftl=%s needs %s: an open-channel device has 4 KiB sectors and "
		 "leaves placement to the host",
		 ftl, cfg->fdp ? "fdp=off" : "lba_bytes=4096");
	return -EINVAL;
}

static const struct ftl_ops ocssd_ops = {
	.name = "ocssd",
	.iocs = FTL_IOCS_OCSSD,
	.figures_name = "open_channel",
	.sector_meta_bytes = OC_MS,
	.check_config = ocssd_check_config,
	.meta_bytes = ocssd_meta_bytes_of,
	.open = ocssd_open,
	.close = ocssd_close,
	.can_power_loss = ocssd_can_power_loss,
	.power_loss = ocssd_power_loss,
	.capacity_lbas = ocssd_capacity_lbas,
	.flush = ocssd_flush,
	.vector = ocssd_vector,
	.identify_cs = ocssd_identify_cs,
	.log_bytes = ocssd_log_bytes,
	.log_read = ocssd_log_read,
	.stats = ocssd_stats,
	.percent_used = ocssd_percent_used,
	.ram_bytes = ocssd_ram_bytes,
	.figures = ocssd_figures,
	.check = ocssd_check,
};

const struct ftl_ops *ocssd_ftl_ops(void)
{
	return &ocssd_ops;
}
