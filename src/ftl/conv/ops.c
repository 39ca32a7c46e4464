/*
 * The conventional FTL behind the FTL interface: LBAs in, 4 KiB units to
 * conv.c, with the timing model's firmware, write buffer and PCIe steps
 * around them. An LBA range that covers part of a unit is merged with the
 * unit's old data (read-modify-write), so 512-byte LBAs keep their
 * neighbours. Also its life: open (new or recovered), flush, checkpoint,
 * power loss keeping what it measured.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ftl/conv/conv.h"
#include "ftl/conv/conv_int.h"

struct conv_ns {
	struct ftl base; /* must come first */
	struct conv_ftl f;
	struct ftl_env env; /* what it is built over, again at each power loss */
	uint8_t *unit_buf;  /* one unit for read-modify-write of partial units */
	/* the geometry's, here so a prefetch hint (twice per I/O) loads less */
	uint32_t lba_unit_shift;
	uint64_t logical_units;
};

static const struct ftl_ops conv_ops;

static struct conv_ns *ns_of(struct ftl *ftl)
{
	return (struct conv_ns *)ftl;
}

static const struct conv_ns *cns_of(const struct ftl *ftl)
{
	return (const struct conv_ns *)ftl;
}

struct conv_ftl *conv_of(struct ftl *ftl)
{
	return ftl && ftl->ops == &conv_ops ? &ns_of(ftl)->f : NULL;
}

/* The FTL over the media: new, or recovered from what the media holds. */
static int load(struct conv_ns *ns, struct ftl_recovery *rec, void *extra)
{
	struct conv_ftl *f = &ns->f;
	int rc = conv_init(f, ns->env.geo, ns->env.cfg, ns->env.tm, ns->env.media);

	*rec = (struct ftl_recovery){0};
	if (rc || !f->media->reopened)
		return rc;
	return persist_recover(f, extra, rec);
}

static void conv_close(struct ftl *ftl)
{
	struct conv_ns *ns = ns_of(ftl);

	conv_fini(&ns->f);
	free(ns->unit_buf);
	free(ns);
}

static int conv_open(const struct ftl_env *env, struct ftl **out, struct ftl_recovery *rec,
		     void *extra)
{
	struct conv_ns *ns = calloc(1, sizeof(*ns));
	int rc;

	if (!ns)
		return -ENOMEM;
	ns->base.ops = &conv_ops;
	ns->env = *env;
	ns->lba_unit_shift = env->geo->lba_unit_shift;
	ns->logical_units = env->geo->logical_units;
	rc = (ns->unit_buf = malloc(GEO_UNIT_BYTES)) ? load(ns, rec, extra) : -ENOMEM;
	if (rc) {
		conv_close(&ns->base);
		return rc;
	}
	*out = &ns->base;
	return 0;
}

/* Programs everything buffered (GC's copies too) and writes the checkpoint. */
static int conv_checkpoint(struct ftl *ftl, const void *extra, uint64_t now_ns)
{
	struct conv_ftl *f = &ns_of(ftl)->f;
	int rc;

	if (!f->ps)
		return 0;
	conv_gc_drain_all(f, now_ns);
	rc = persist_program_buffers(f, now_ns);
	conv_slc_close_open(f); /* the checkpoint keeps no SLC write pointer */
	return rc ? rc : persist_checkpoint(f, extra);
}

static bool conv_can_power_loss(const struct ftl *ftl)
{
	return cns_of(ftl)->f.ps != NULL;
}

/*
 * What the run has measured: the counters, each handle's, each line's
 * erases. A simulated power loss keeps them: the NAND did that work (the
 * wear is real), a drive keeps its wear logs across a power loss, and a
 * report spanning the cut must add up. Recovery rebuilds only the state
 * (map, lines, write pointers).
 */
struct measured {
	struct ftl_counters c;
	struct slc_counters slc;
	struct fault_counters faults;
	bool read_only;
	uint32_t lost_lu[FTL_LOST_KEPT], nlost;
	uint32_t *spare_left; /* a die's failed blocks stay failed */
	uint32_t *erase_count;
	struct ruh_counters *ruh;
};

static void measured_free(struct measured *m)
{
	free(m->erase_count);
	free(m->ruh);
	free(m->spare_left);
}

static int measured_save(const struct conv_ftl *f, struct measured *m)
{
	m->c = f->c;
	m->slc = f->slc.c;
	m->faults = f->faults.c;
	m->read_only = f->faults.read_only;
	m->nlost = f->faults.nlost;
	memcpy(m->lost_lu, f->faults.lost_lu, sizeof(m->lost_lu));
	m->erase_count = malloc(f->geo->lines * sizeof(uint32_t));
	m->ruh = malloc(f->nruh * sizeof(*m->ruh));
	m->spare_left = malloc(f->geo->dies * sizeof(uint32_t));
	if (!m->erase_count || !m->ruh || !m->spare_left) {
		measured_free(m);
		return -ENOMEM;
	}
	memcpy(m->spare_left, f->faults.spare_left, f->geo->dies * sizeof(uint32_t));
	for (uint32_t l = 0; l < f->geo->lines; l++)
		m->erase_count[l] = f->lines[l].erase_count;
	memcpy(m->ruh, f->ruh, f->nruh * sizeof(*m->ruh));
	return 0;
}

/* Puts the measurements back over what recovery found. */
static void measured_restore(struct conv_ftl *f, const struct measured *m)
{
	uint64_t mapped_units = f->c.mapped_units; /* state, as recovery found it */

	f->c = m->c;
	f->c.mapped_units = mapped_units;
	f->slc.c = m->slc;
	f->faults.c = m->faults;
	f->faults.read_only = m->read_only;
	f->faults.nlost = m->nlost;
	memcpy(f->faults.lost_lu, m->lost_lu, sizeof(m->lost_lu));
	memcpy(f->faults.spare_left, m->spare_left, f->geo->dies * sizeof(uint32_t));
	f->faults.spare_left_total = 0;
	for (uint32_t d = 0; d < f->geo->dies; d++)
		f->faults.spare_left_total += m->spare_left[d];
	for (uint32_t l = 0; l < f->geo->lines; l++)
		f->lines[l].erase_count = m->erase_count[l];
	memcpy(f->ruh, m->ruh, f->nruh * sizeof(*m->ruh));
}

static int conv_power_loss(struct ftl *ftl, struct ftl_recovery *rec)
{
	struct conv_ns *ns = ns_of(ftl);
	struct ftl_events hooks = ns->f.hooks;
	uint8_t extra[FTL_EXTRA_BYTES]; /* the layer above keeps its own across the cut */
	struct measured m;
	int rc;

	if ((rc = measured_save(&ns->f, &m)))
		return rc;
	if (!(rc = persist_drop_volatile(&ns->f))) {
		conv_fini(&ns->f);
		if (!(rc = load(ns, rec, extra))) {
			measured_restore(&ns->f, &m);
			ns->f.hooks = hooks;
		}
	}
	measured_free(&m);
	return rc;
}

static uint64_t conv_capacity_lbas(const struct ftl *ftl)
{
	const struct geometry *geo = cns_of(ftl)->f.geo;

	return geo->logical_units * geo->lbas_per_unit;
}

static const uint8_t zero_unit[GEO_UNIT_BYTES];

/* The unit's new contents when the write covers only part of it, or NULL
 * when its old contents cannot be read. */
static const void *merge_partial(struct conv_ns *ns, uint32_t lu, const uint8_t *src,
				 uint32_t first_lba_in_unit, uint32_t nlb_in_unit)
{
	struct conv_ftl *f = &ns->f;
	uint32_t ppa = f->l2p[lu];

	if (ppa == CONV_UNMAPPED)
		memset(ns->unit_buf, 0, GEO_UNIT_BYTES);
	else if (f->media->ops->read(f->media, ppa, ns->unit_buf, NULL))
		return NULL;
	memcpy(ns->unit_buf + (uint64_t)first_lba_in_unit * f->geo->lba_bytes, src,
	       (uint64_t)nlb_in_unit * f->geo->lba_bytes);
	return ns->unit_buf;
}

static int conv_ns_write(struct ftl *ftl, uint64_t slba, uint32_t nlb, const void *buf,
			 uint64_t now_ns, struct placement pl, uint64_t *done_ns)
{
	struct conv_ns *ns = ns_of(ftl);
	const struct geometry *geo = ns->f.geo;
	struct timing *tm = ns->f.tm;
	bool keeps = ns->f.media->keeps_data;
	uint64_t lba = slba, end = slba + nlb, start = now_ns, done = now_ns;
	const uint8_t *src = buf;
	int rc;

	if (ns->f.faults.read_only)
		return -EROFS; /* the spare blocks ran out */
	if (pl.ruh >= ns->f.nruh || pl.rg >= ns->f.nrg)
		pl = (struct placement){0, 0};
	if (tm->on)
		start = done = fw_step(tm, now_ns, tm->fw_write_ns);
	while (lba < end) {
		uint32_t lu = (uint32_t)(lba >> geo->lba_unit_shift);
		uint32_t first = (uint32_t)(lba & (geo->lbas_per_unit - 1));
		uint32_t n = geo->lbas_per_unit - first;
		const void *data = NULL;
		uint64_t ready = now_ns;

		if (n > end - lba)
			n = (uint32_t)(end - lba);
		if (keeps && src)
			data = n == geo->lbas_per_unit ? src : merge_partial(ns, lu, src, first, n);
		else if (keeps && n != geo->lbas_per_unit)
			data = merge_partial(ns, lu, zero_unit, first, n); /* no data: zeros */
		if (keeps && !data && (src || n != geo->lbas_per_unit))
			return -EBADMSG; /* the unit's old data cannot be read: fail the write */
		if (tm->on) {
			ready = wb_reserve(tm, start, GEO_UNIT_BYTES);
			ready = pcie_xfer(tm, PCIE_TO_DEVICE, ready, (uint64_t)n * geo->lba_bytes);
			done = ready;
		}
		if ((rc = conv_write(&ns->f, lu, data, ready, pl)))
			return rc;
		if (src)
			src += (uint64_t)n * geo->lba_bytes;
		lba += n;
	}
	*done_ns = done;
	return 0;
}

static int conv_ns_read(struct ftl *ftl, uint64_t slba, uint32_t nlb, void *buf, uint64_t now_ns,
			uint64_t *done_ns, uint64_t *err_lba)
{
	struct conv_ftl *f = &ns_of(ftl)->f;
	const struct geometry *geo = f->geo;
	struct timing *tm = f->tm;
	uint32_t lu = (uint32_t)(slba >> geo->lba_unit_shift);
	uint32_t last = (uint32_t)((slba + nlb - 1) >> geo->lba_unit_shift);
	uint32_t nunits = last - lu + 1;
	uint64_t bytes = (uint64_t)nlb * geo->lba_bytes, start = now_ns, end;
	uint8_t *dst = NULL, *bounce = NULL;
	uint32_t failed = lu;
	int rc;

	if (buf && f->media->keeps_data) {
		bool aligned = slba % geo->lbas_per_unit == 0 && nlb % geo->lbas_per_unit == 0;

		dst = aligned ? buf : (bounce = malloc((uint64_t)nunits * GEO_UNIT_BYTES));
		if (!dst)
			return -ENOMEM;
	} else if (buf) {
		memset(buf, 0, bytes);
	}
	if (tm->on)
		start = fw_step(tm, now_ns, tm->fw_read_ns);
	rc = conv_read_range(f, lu, nunits, dst, start, &end, &failed);
	if (bounce && !rc)
		memcpy(buf, bounce + (slba % geo->lbas_per_unit) * geo->lba_bytes, bytes);
	free(bounce);
	if (rc) { /* it gave up then, nothing sent */
		uint64_t lba = (uint64_t)failed * geo->lbas_per_unit;

		*err_lba = lba > slba ? lba : slba;
		*done_ns = tm->on ? end : now_ns;
		return rc;
	}
	*done_ns = tm->on ? pcie_xfer(tm, PCIE_TO_HOST, end, bytes) : now_ns;
	return 0;
}

static int conv_ns_trim(struct ftl *ftl, uint64_t slba, uint32_t nlb, uint64_t now_ns,
			uint64_t *done_ns)
{
	struct conv_ftl *f = &ns_of(ftl)->f;
	const struct geometry *geo = f->geo;
	uint64_t first = (slba + geo->lbas_per_unit - 1) / geo->lbas_per_unit;
	uint64_t end = (slba + nlb) / geo->lbas_per_unit;

	if (f->faults.read_only)
		return -EROFS;
	/* only whole units are deallocated; a partial unit keeps its data, which
	 * deallocate (advisory in NVMe) allows */
	for (uint64_t lu = first; lu < end; lu++)
		conv_trim(f, (uint32_t)lu);
	*done_ns = f->tm->on ? fw_step(f->tm, now_ns, f->tm->fw_write_ns) : now_ns;
	return 0;
}

static int conv_ns_flush(struct ftl *ftl, const void *extra, uint64_t now_ns, uint64_t *done_ns)
{
	struct conv_ftl *f = &ns_of(ftl)->f;
	struct timing *tm = f->tm;
	uint64_t done = now_ns;
	int rc;

	conv_flush(f, now_ns);
	if (f->ps && (rc = persist_flush(f, extra)))
		return rc;
	if (tm->on) {
		done = fw_step(tm, done, tm->fw_write_ns);
		if (wb_drained_ns(tm) > done)
			done = wb_drained_ns(tm);
	}
	*done_ns = done;
	return 0;
}

static void conv_ns_prefetch(const struct ftl *ftl, uint64_t slba, int stage)
{
	const struct conv_ns *ns = cns_of(ftl);
	uint64_t lu = slba >> ns->lba_unit_shift;

	if (lu < ns->logical_units)
		conv_prefetch(&ns->f, (uint32_t)lu, stage);
}

static void conv_ns_idle(struct ftl *ftl, uint64_t until_ns)
{
	conv_gc_background(&ns_of(ftl)->f, until_ns);
}

/* Erase counts over the lines (a line's blocks are erased together). */
static void erase_spread(const struct conv_ftl *f, struct ftl_stats *st)
{
	double sum = 0, sumsq = 0;
	uint32_t n = f->geo->lines;

	st->erase_min = UINT32_MAX;
	for (uint32_t l = 0; l < n; l++) {
		uint32_t e = f->lines[l].erase_count;

		st->erase_min = e < st->erase_min ? e : st->erase_min;
		st->erase_max = e > st->erase_max ? e : st->erase_max;
		sum += e;
		sumsq += (double)e * e;
	}
	st->erase_mean = sum / n;
	st->erase_stdev = sumsq / n > st->erase_mean * st->erase_mean
				  ? sqrt(sumsq / n - st->erase_mean * st->erase_mean)
				  : 0;
}

static void conv_ns_stats(const struct ftl *ftl, struct ftl_stats *st)
{
	const struct conv_ftl *f = &cns_of(ftl)->f;

	*st = (struct ftl_stats){
		.host_write_units = f->c.host_write_units,
		.media_write_units = f->c.host_write_units + f->c.gc_copied_units + f->c.pad_units +
				     f->slc.c.folded_units,
		.gc_copied_units = f->c.gc_copied_units,
		.gc_runs = f->c.gc_runs,
		.erases = f->c.erased_lines,
		.erased_blocks = f->c.erased_lines * f->geo->blocks_per_line,
		.mapped_units = f->c.mapped_units,
		.free_lines = conv_free_lines(f),
		.borrowed_lines = f->c.borrowed_lines,
		.wear_moves = f->c.wear_moves,
	};
	erase_spread(f, st);
	conv_faults_stats(f, st);
}

/* every line erase is one erase of each of its blocks */
static uint32_t conv_percent_used(const struct ftl *ftl, uint64_t rated_pe)
{
	const struct conv_ftl *f = &cns_of(ftl)->f;
	uint64_t erases = f->c.erased_lines + (uint64_t)f->initial_pe * f->geo->lines;

	return (uint32_t)(erases * 100 / ((uint64_t)f->geo->lines * rated_pe));
}

static uint32_t conv_spare_percent(const struct ftl *ftl, bool *read_only)
{
	const struct conv_ftl *f = &cns_of(ftl)->f;

	*read_only = f->faults.read_only;
	return conv_faults_spare_percent(f);
}

static uint64_t conv_ram_bytes(const struct ftl *ftl)
{
	const struct geometry *geo = cns_of(ftl)->f.geo;

	return geo->logical_units * sizeof(uint32_t) + geo->physical_units * sizeof(uint32_t) +
	       geo->lines * (sizeof(struct line) + 2 * sizeof(uint32_t)) +
	       geo->rgs * ((uint64_t)geo->units_per_line + 1) * sizeof(uint32_t);
}

static int conv_ns_check(const struct ftl *ftl, char *err, size_t errlen)
{
	return conv_check(&cns_of(ftl)->f, err, errlen);
}

/* The SLC cache's figures, when it has one. */
static uint32_t conv_figures(const struct ftl *ftl, struct ftl_figure *out)
{
	const struct conv_ftl *f = &cns_of(ftl)->f;
	const struct slc_cache *c = &f->slc;
	uint64_t line_bytes = (uint64_t)c->line_units * GEO_UNIT_BYTES, held = 0;

	if (!c->line_units)
		return 0;
	for (uint32_t l = 0; l < f->geo->lines; l++)
		held += f->lines[l].slc && f->lines[l].state != LINE_FREE ? f->lines[l].vpc : 0;
	out[0] = (struct ftl_figure){"static_bytes", c->nstatic * line_bytes};
	out[1] = (struct ftl_figure){"dynamic_max_bytes", c->dyn_max * line_bytes};
	out[2] = (struct ftl_figure){"dynamic_lines", c->dyn_lines};
	out[3] = (struct ftl_figure){"held_bytes", held * GEO_UNIT_BYTES};
	out[4] = (struct ftl_figure){"host_write_bytes", c->c.host_units * GEO_UNIT_BYTES};
	out[5] = (struct ftl_figure){"folded_bytes", c->c.folded_units * GEO_UNIT_BYTES};
	out[6] = (struct ftl_figure){"folds", c->c.folds};
	return 7;
}

static uint64_t conv_meta_bytes(const struct geometry *geo, const struct vssd_config *cfg)
{
	return persist_meta_bytes(geo, config_nruh(cfg));
}

static void conv_set_events(struct ftl *ftl, const struct ftl_events *ev)
{
	ns_of(ftl)->f.hooks = *ev;
}

static uint32_t conv_ns_ruh_available_units(const struct ftl *ftl, struct placement pl)
{
	return conv_ruh_available_units(&cns_of(ftl)->f, pl);
}

static bool conv_ns_ruh_update(struct ftl *ftl, struct placement pl, uint64_t now_ns)
{
	return conv_ruh_update(&ns_of(ftl)->f, pl, now_ns);
}

static void conv_ns_ruh_stats(const struct ftl *ftl, uint16_t ruh, struct ftl_ruh_stats *st)
{
	const struct conv_ftl *f = &cns_of(ftl)->f;

	*st = (struct ftl_ruh_stats){.host_units = f->ruh[ruh].host_units,
				     .gc_out_units = f->ruh[ruh].gc_out_units,
				     .gc_in_units = f->ruh[ruh].gc_in_units,
				     .in_use_units = conv_ruh_units_in_use(f, ruh)};
}

static uint32_t conv_rg_free_units(const struct ftl *ftl, uint32_t rg)
{
	return cns_of(ftl)->f.rg[rg].lm.free_count;
}

/* Pigeonhole: with this many lines, some closed line always holds invalid
 * data when GC runs, so every collection frees space. Each reclaim group
 * keeps its own GC reserve of free lines and its own lines being written. */
/* Program and erase failures need a spare block to retire a failed one to. */
static int check_faults(const struct vssd_config *cfg, char *err, size_t errlen)
{
	if ((cfg->program_fail_rate > 0 || cfg->erase_fail_rate > 0) &&
	    !cfg->spare_blocks_per_die) {
		snprintf(err, errlen,
			 "%s=%g needs spare blocks to retire failed ones to: "
			 "spare_blocks_per_die=0",
			 cfg->program_fail_rate > 0 ? "program_fail_rate" : "erase_fail_rate",
			 cfg->program_fail_rate > 0 ? cfg->program_fail_rate
						    : cfg->erase_fail_rate);
		return -EINVAL;
	}
	return 0;
}

/* What the SLC cache needs: a cell of more than one bit and one reclaim group. */
static int check_slc(const struct vssd_config *cfg, const struct geometry *geo, char *err,
		     size_t errlen)
{
	const char *key = cfg->slc_cache_bytes ? "slc_cache_bytes" : "slc_dynamic_bytes";

	if (!cfg->slc_cache_bytes && !cfg->slc_dynamic_bytes)
		return 0;
	if (cfg->cell == CELL_SLC) {
		snprintf(err, errlen, "%s: an SLC cache needs a cell of more bits than cell=slc",
			 key);
		return -EINVAL;
	}
	if (cfg->fdp) {
		snprintf(err, errlen,
			 "%s: an SLC cache with fdp=on is not supported (placement would end "
			 "at the cache)",
			 key);
		return -EINVAL;
	}
	if (!conv_slc_line_units(geo, cfg)) {
		snprintf(err, errlen, "%s: a block of %u program rows has none to run as SLC", key,
			 geo->progs_per_block);
		return -EINVAL;
	}
	return 0;
}

static int conv_check_config(const struct vssd_config *cfg, const struct geometry *geo, char *err,
			     size_t errlen)
{
	uint64_t upl = geo->units_per_line, logical = geo->logical_units;
	uint64_t data_lines = (logical + upl - 1) / upl;
	uint64_t reserve = (cfg->gc_free_lines_high + config_open_lines(cfg)) * geo->rgs;
	uint32_t slc_lines = conv_slc_static_lines(geo, cfg);
	int rc = check_slc(cfg, geo, err, errlen);

	if (!rc)
		rc = check_faults(cfg, err, errlen);

	if (rc || geo->lines >= data_lines + reserve + slc_lines)
		return rc;
	snprintf(err, errlen,
		 "fewer lines than GC needs: %u lines (blocks_per_plane x die sets), "
		 "but %llu logical units need %llu lines plus, in each of %u reclaim groups, "
		 "gc_free_lines_high=%llu plus %u open lines%s; raise op or blocks_per_plane",
		 geo->lines, (unsigned long long)logical, (unsigned long long)data_lines, geo->rgs,
		 (unsigned long long)cfg->gc_free_lines_high, config_open_lines(cfg),
		 slc_lines ? ", and the static SLC cache's lines" : "");
	return -EINVAL;
}

static const struct ftl_ops conv_ops = {
	.name = "conv",
	.iocs = FTL_IOCS_NVM,
	.maps_lbas = true,
	.volatile_cache = true,
	.keeps_state = true,
	.check_config = conv_check_config,
	.meta_bytes = conv_meta_bytes,
	.open = conv_open,
	.close = conv_close,
	.checkpoint = conv_checkpoint,
	.can_power_loss = conv_can_power_loss,
	.power_loss = conv_power_loss,
	.capacity_lbas = conv_capacity_lbas,
	.write = conv_ns_write,
	.read = conv_ns_read,
	.trim = conv_ns_trim,
	.flush = conv_ns_flush,
	.prefetch = conv_ns_prefetch,
	.idle = conv_ns_idle,
	.stats = conv_ns_stats,
	.percent_used = conv_percent_used,
	.spare_percent = conv_spare_percent,
	.ram_bytes = conv_ram_bytes,
	.check = conv_ns_check,
	.figures_name = "slc_cache",
	.figures = conv_figures,
	.set_events = conv_set_events,
	.ruh_available_units = conv_ns_ruh_available_units,
	.ruh_update = conv_ns_ruh_update,
	.ruh_stats = conv_ns_ruh_stats,
	.rg_free_units = conv_rg_free_units,
};

const struct ftl_ops *conv_ftl_ops(void)
{
	return &conv_ops;
}
