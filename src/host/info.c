/*
 * What a device is and what it has done, for hosts and frontends
 * (vssd_info, vssd_counters, vssd_handle_counters), so none reaches into
 * the controller or the FTL behind it.
 */
#include "vssd/vssd.h"

#include <errno.h>
#include <string.h>

#include "config/params.h"
#include "ftl/ftl.h"
#include "host/api_internal.h"
#include "report/report.h"
#include "util/clock.h"
#include "util/crc32c.h"

uint64_t vssd_clock_ns(void)
{
	return mono_ns();
}

uint32_t vssd_crc32c(uint32_t crc, const void *p, size_t len)
{
	return crc32c(crc, p, len);
}

static enum vssd_block_host block_host_of(const struct vssd_config *cfg)
{
	if (ftl_host_for(cfg) == FTL_HOST_PBLK)
		return VSSD_BLOCK_PBLK;
	if (ftl_host_for(cfg) == FTL_HOST_ZFTL) /* the simulator's only */
		return VSSD_BLOCK_NONE;
	if (ftl_ops_for(cfg)->iocs == FTL_IOCS_ZNS)
		return VSSD_BLOCK_ZONED;
	return ftl_block_refusal(cfg) ? VSSD_BLOCK_NONE : VSSD_BLOCK_NVM;
}

int vssd_info(struct vssd *dev, struct vssd_info *out)
{
	const struct nvme_ctrl *ctrl = dev && out ? libvssd_ctrl_of(dev) : NULL;
	const struct vssd_config *cfg = ctrl ? &ctrl->cfg : NULL;

	if (!cfg)
		return -EINVAL;
	if (!ctrl->ns)
		return -ENODEV;
	*out = (struct vssd_info){
		.block_host = block_host_of(cfg),
		.block_refusal = ftl_block_refusal(cfg),
		.keeps_data = cfg->media != MEDIA_NONE,
		.capacity_lbas = vssd_capacity_lbas(dev),
		.lba_bytes = vssd_lba_bytes(dev),
		.max_transfer_bytes = vssd_max_transfer_bytes(dev),
		.max_io_queue_pairs = NVME_MAX_QUEUES - 1,
		.flash_page_bytes = (uint32_t)cfg->flash_page_bytes,
		.placement_handles = cfg->fdp ? config_nruh(cfg) : 0,
		.placement_ids = nvme_fdp_status_count(ctrl),
		.rt_spin_ns = cfg->rt_spin_ns,
	};
	config_format(cfg, "ftl", out->ftl, sizeof(out->ftl));
	return 0;
}

int vssd_placement_id(struct vssd *dev, uint32_t i)
{
	const struct nvme_ctrl *ctrl = dev ? libvssd_ctrl_of(dev) : NULL;

	if (!ctrl || !ctrl->ns || i >= nvme_fdp_status_count(ctrl))
		return -EINVAL;
	return nvme_fdp_status_pid(ctrl, i);
}

struct counters_op {
	const struct vssd_dev *dev;
	struct vssd_counters *out;
};

/* With the runtime locked, so the figures are of one moment. */
static void take_counters(void *arg)
{
	struct counters_op *op = arg;
	struct ftl_figure fig[FTL_MAX_FIGURES];
	struct vssd_counters *o = op->out;
	struct dev_counters c;
	uint32_t n = 0;

	dev_counters(op->dev, &c);
	*o = (struct vssd_counters){
		.host_write_bytes = c.host_write_bytes,
		.host_read_bytes = c.host_read_bytes,
		.host_trim_bytes = c.host_trim_bytes,
		.gc_copied_bytes = c.gc_copied_units * GEO_UNIT_BYTES,
		.media_write_bytes = c.media_write_bytes,
		.waf = waf_of(c.media_write_bytes, c.host_write_bytes),
		.erased_blocks = c.erased_blocks,
		.gc_runs = c.gc_runs,
		.mapped_bytes = c.mapped_units * GEO_UNIT_BYTES,
		.free_lines = c.free_lines,
		.erase_min = c.erase_min,
		.erase_max = c.erase_max,
		.erase_mean = c.erase_mean,
		.erase_stdev = c.erase_stdev,
		.wear_moves = c.wear_moves,
		.figures_name = dev_figures(op->dev, fig, &n),
	};
	for (uint32_t i = 0; i < n && i < VSSD_MAX_FIGURES; i++)
		o->figures[o->nfigures++] = (struct vssd_figure){fig[i].key, fig[i].value};
}

int vssd_counters(struct vssd *dev, struct vssd_counters *out)
{
	struct counters_op op = {dev && out ? libvssd_ctrl_of(dev)->ns : NULL, out};

	if (!dev || !out)
		return -EINVAL;
	if (!op.dev)
		return -ENODEV;
	libvssd_locked(dev, take_counters, &op);
	return 0;
}

struct handle_op {
	const struct vssd_dev *dev;
	uint16_t ruh;
	struct ftl_ruh_stats st;
};

static void take_handle(void *arg)
{
	struct handle_op *op = arg;

	dev_ruh_stats(op->dev, op->ruh, &op->st);
}

int vssd_handle_counters(struct vssd *dev, uint32_t ruh, struct vssd_handle_counters *out)
{
	const struct vssd_dev *d = dev ? libvssd_ctrl_of(dev)->ns : NULL;
	struct handle_op op = {d, (uint16_t)ruh, {0}};

	if (!dev || !out || (d && (!d->cfg.fdp || ruh >= config_nruh(&d->cfg))))
		return -EINVAL;
	if (!d)
		return -ENODEV;
	libvssd_locked(dev, take_handle, &op);
	*out = (struct vssd_handle_counters){
		.host_bytes = op.st.host_units * GEO_UNIT_BYTES,
		.gc_out_bytes = op.st.gc_out_units * GEO_UNIT_BYTES,
		.gc_in_bytes = op.st.gc_in_units * GEO_UNIT_BYTES,
		.in_use_bytes = op.st.in_use_units * GEO_UNIT_BYTES,
	};
	return 0;
}
