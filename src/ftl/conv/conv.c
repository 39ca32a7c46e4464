/*
 * Host-facing half of the conventional FTL: mapping writes through the host
 * write pointer, reads that follow the map, trims. Data really lives where
 * the map says, so a mapping bug shows up as wrong data with media=ram.
 */
#include "ftl/conv/conv_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void conv_reset_write_pointers(struct conv_ftl *f)
{
	for (uint32_t g = 0; g < f->nrg; g++) {
		for (uint32_t r = 0; r <= f->nruh; r++) {
			f->gc_wps[g * (f->nruh + 1) + r] = (struct write_pointer){
				.line = CONV_LINE_NONE,
				.rg = (uint16_t)g,
				.owner = r < f->nruh ? (uint16_t)r : FTL_OWNER_SHARED};
			if (r < f->nruh)
				f->host_wps[g * f->nruh + r] =
					(struct write_pointer){.line = CONV_LINE_NONE,
							       .rg = (uint16_t)g,
							       .owner = (uint16_t)r};
		}
	}
}

static int init_groups(struct conv_ftl *f, const struct vssd_config *cfg)
{
	const struct geometry *geo = f->geo;
	/* the SLC cache's static lines (the last ones) are no group's */
	uint32_t static_slc = conv_slc_static_lines(geo, cfg);

	f->lines = calloc(geo->lines, sizeof(*f->lines));
	f->rg = calloc(f->nrg, sizeof(*f->rg));
	if (!f->lines || !f->rg)
		return -ENOMEM;
	for (uint32_t g = 0; g < f->nrg; g++) {
		struct line_mgr *lm = &f->rg[g].lm;
		uint32_t n = geo->lines_per_rg - (g == f->nrg - 1 ? static_slc : 0);

		if (lines_init(lm, f->lines, g * geo->lines_per_rg, n, geo->units_per_line,
			       (int)cfg->gc_policy))
			return -ENOMEM;
		lm->wear = (int)cfg->wear_levelling;
		lm->wear_spread = (uint32_t)cfg->wear_level_spread;
	}
	for (uint32_t l = 0; l < geo->lines; l++) /* an aged drive, every block alike */
		f->lines[l].erase_count = f->initial_pe;
	return 0;
}

int conv_init(struct conv_ftl *f, const struct geometry *geo, const struct vssd_config *cfg,
	      struct timing *tm, struct media *media)
{
	memset(f, 0, sizeof(*f));
	f->geo = geo;
	f->tm = tm;
	f->media = media;
	f->nruh = config_nruh(cfg);
	f->nrg = geo->rgs;
	/* every write pointer beyond the classic two (host, GC) may need a fresh
	 * line at any time, so each gets a free line of its own on top */
	f->gc_low = (uint32_t)cfg->gc_free_lines_low + config_open_lines(cfg) - 2;
	f->gc_high = (uint32_t)cfg->gc_free_lines_high + config_open_lines(cfg) - 2;
	f->gc_floor = config_open_lines(cfg) - f->nruh;
	f->gc_background = cfg->gc_background;
	f->gc_proportional = cfg->gc_pacing == GC_PACING_PROPORTIONAL;
	f->initial_pe = (uint32_t)cfg->initial_pe_cycles;
	f->l2p = malloc(geo->logical_units * sizeof(uint32_t));
	f->p2l = malloc(geo->physical_units * sizeof(uint32_t));
	f->host_wps = calloc((size_t)f->nrg * f->nruh, sizeof(*f->host_wps));
	f->gc_wps = calloc((size_t)f->nrg * (f->nruh + 1), sizeof(*f->gc_wps));
	f->ruh = calloc(f->nruh, sizeof(*f->ruh));
	f->ruh_persistent = calloc(f->nruh, sizeof(*f->ruh_persistent));
	if (!f->l2p || !f->p2l || !f->host_wps || !f->gc_wps || !f->ruh || !f->ruh_persistent ||
	    init_groups(f, cfg) || conv_slc_init(f, cfg) || conv_faults_init(f, cfg)) {
		conv_fini(f);
		return -ENOMEM;
	}
	for (uint32_t r = 0; r < f->nruh; r++)
		f->ruh_persistent[r] = config_ruh_persistent(cfg, r);
	memset(f->l2p, 0xff, geo->logical_units * sizeof(uint32_t));
	memset(f->p2l, 0xff, geo->physical_units * sizeof(uint32_t));
	conv_reset_write_pointers(f);
	if (media->keeps_data && persist_init(f)) {
		conv_fini(f);
		return -ENOMEM;
	}
	return 0;
}

void conv_rebuild(struct conv_ftl *f, const uint32_t *free_order)
{
	const struct geometry *geo = f->geo;

	memset(f->p2l, 0xff, geo->physical_units * sizeof(uint32_t));
	f->c.mapped_units = 0;
	for (uint32_t l = 0; l < geo->lines; l++)
		f->lines[l].vpc = 0;
	for (uint32_t g = 0; g < f->nrg;
	     g++) { /* NAND work not yet issued is gone with the power */
		struct gc_queue *q = &f->rg[g].q;

		q->head = q->n = 0;
		q->victims = 0;
		q->cost = q->credit = 0;
	}
	for (uint64_t lu = 0; lu < geo->logical_units; lu++) {
		uint32_t ppa = f->l2p[lu];

		if (ppa == CONV_UNMAPPED)
			continue;
		f->p2l[ppa] = (uint32_t)lu;
		f->lines[geo_line_of(geo, ppa)].vpc++;
		f->c.mapped_units++;
	}
	for (uint32_t l = 0; l < geo->lines && !free_order; l++)
		if (f->lines[l].state == LINE_CLOSED && !f->lines[l].vpc)
			f->lines[l].state = LINE_FREE;
	for (uint32_t g = 0; g < f->nrg; g++)
		lines_rebuild(&f->rg[g].lm, free_order ? free_order + f->rg[g].lm.first : NULL);
	conv_slc_rebuild(f);
}

void conv_fini(struct conv_ftl *f)
{
	persist_fini(f);
	conv_slc_fini(f);
	conv_faults_fini(f);
	if (f->rg)
		for (uint32_t g = 0; g < f->nrg; g++) {
			lines_fini(&f->rg[g].lm);
			free(f->rg[g].q.op);
		}
	free(f->rg);
	free(f->lines);
	free(f->l2p);
	free(f->p2l);
	free(f->host_wps);
	free(f->gc_wps);
	free(f->ruh);
	free(f->ruh_persistent);
	f->rg = NULL;
	f->lines = NULL;
	f->l2p = f->p2l = NULL;
	f->host_wps = f->gc_wps = NULL;
	f->ruh = NULL;
	f->ruh_persistent = NULL;
}

/* A foreground collection, its NAND work at once or in slices. */
static int gc_foreground(struct conv_ftl *f, uint32_t g, uint64_t now_ns)
{
	return f->gc_proportional ? conv_gc_collect_paced(f, g, now_ns)
				  : conv_gc_collect(f, g, now_ns);
}

static struct line_mgr *lm_of_line(struct conv_ftl *f, uint32_t line)
{
	return &f->rg[geo_rg_of_line(f->geo, line)].lm;
}

uint32_t conv_free_lines(const struct conv_ftl *f)
{
	uint32_t n = 0;

	for (uint32_t g = 0; g < f->nrg; g++)
		n += f->rg[g].lm.free_count;
	return n;
}

/*
 * The group a host write pointer of group g takes its next line from: g,
 * unless g is down to the lines its own GC needs and collecting there frees
 * nothing (the host placed more data in g than g holds). Then the group with
 * the most free lines lends one: the data goes where there is room rather
 * than being refused, and stays there (GC keeps data in its group).
 */
static uint32_t host_line_group(struct conv_ftl *f, uint32_t g, uint64_t now_ns)
{
	uint32_t best = g;

	/* every line collected once without gaining room: collecting there
	 * frees nothing (copies and padding take what the victims free) */
	for (uint32_t tries = 0; f->rg[g].lm.free_count <= f->gc_floor; tries++)
		if (tries == f->rg[g].lm.nlines || gc_foreground(f, g, now_ns))
			break;
	if (f->rg[g].lm.free_count > f->gc_floor)
		return g;
	for (uint32_t h = 0; h < f->nrg; h++)
		if (f->rg[h].lm.free_count > f->rg[best].lm.free_count)
			best = h;
	if (best != g)
		f->c.borrowed_lines++;
	return best;
}

/* Gives a write pointer with no line its next one. Returns false if there is none. */
static bool wp_open_line(struct conv_ftl *f, struct write_pointer *wp, uint64_t now_ns, bool host)
{
	uint32_t g = host ? host_line_group(f, wp->rg, now_ns) : wp->rg;

	wp->line = line_take_free(&f->rg[g].lm);
	if (wp->line == CONV_LINE_NONE)
		return false;
	f->lines[wp->line].owner = wp->owner;
	wp->off = 0;
	wp->first_die = geo_line_first_die(f->geo, wp->line);
	wp->die = wp->first_die;
	wp->row = 0;
	wp->left_in_prog = f->geo->units_per_prog;
	wp->buffered = 0;
	wp->ready_ns = 0;
	return true;
}

/* A program unit is complete: move it to its die and program it (times
 * over: a failed program and its repeat). */
static void program_unit(struct conv_ftl *f, const struct write_pointer *wp, bool host,
			 uint32_t times)
{
	struct timing *tm = f->tm;
	uint64_t prog_ns =
		times * (wp == &f->slc.wp ? f->slc.prog_ns
					  : tm->prog_ns_by_row[wp->row % f->geo->page_types]);

	if (!host) {
		conv_gc_program(f, wp->die, wp->ready_ns, prog_ns);
		return;
	}
	/* host data leaves the write buffer when its program ends */
	nand_program(tm, wp->die, wp->ready_ns, prog_ns, (uint64_t)wp->buffered * GEO_UNIT_BYTES);
}

/* The pointer's program unit is full: it is programmed, and the pointer
 * moves to the next die (and row). Once a program unit. */
static void prog_unit_full(struct conv_ftl *f, struct write_pointer *wp, bool host)
{
	const struct geometry *geo = f->geo;
	bool failed = f->faults.on && conv_faults_program(f, wp->die);

	/* a failed program is done again on the spare block that takes its
	 * block's place, on the same die */
	if (f->tm->on)
		program_unit(f, wp, host, failed ? 2 : 1);
	wp->ready_ns = 0;
	wp->buffered = 0;
	wp->left_in_prog = geo->units_per_prog;
	if (++wp->die == wp->first_die + geo->line_dies) {
		wp->die = wp->first_die;
		wp->row++;
	}
}

/* The pointer's line is full (an SLC line at its first rows): closed. */
static void line_full(struct conv_ftl *f, struct write_pointer *wp, bool host)
{
	if (wp == &f->slc.wp) {
		conv_slc_line_full(f, wp->line);
		wp->line = CONV_LINE_NONE;
		return;
	}
	line_close(lm_of_line(f, wp->line), wp->line, f->seq);
	wp->line = CONV_LINE_NONE;
	if (host && f->hooks.ru_full)
		f->hooks.ru_full(f->hooks.arg, (struct placement){wp->owner, wp->rg});
}

/* Advances the pointer by one unit; `data` says whether the unit holds data
 * (padding does not). Units go in ppa order; counters, not divisions, track
 * the program unit, its die and its row, since this runs for every unit. */
static inline uint32_t wp_advance(struct conv_ftl *f, struct write_pointer *wp, uint64_t ready_ns,
				  bool host, bool data)
{
	const struct geometry *geo = f->geo;
	uint32_t ppa;

	if (wp->line == CONV_LINE_NONE && !wp_open_line(f, wp, ready_ns, host))
		return CONV_UNMAPPED;
	ppa = wp->line * geo->units_per_line + wp->off;
	if (data) {
		f->lines[wp->line].vpc++;
		wp->buffered++;
	}
	if (ready_ns > wp->ready_ns)
		wp->ready_ns = ready_ns;
	wp->off++;
	if (--wp->left_in_prog == 0)
		prog_unit_full(f, wp, host);
	if (wp->off == geo->units_per_line || (wp->off == f->slc.line_units && wp == &f->slc.wp))
		line_full(f, wp, host);
	return ppa;
}

uint32_t conv_wp_take(struct conv_ftl *f, struct write_pointer *wp, uint64_t ready_ns, bool host)
{
	return wp_advance(f, wp, ready_ns, host, true);
}

void conv_pad(struct conv_ftl *f, struct write_pointer *wp, uint64_t now_ns, bool host)
{
	uint32_t pad;

	if (wp->line == CONV_LINE_NONE || wp->left_in_prog == f->geo->units_per_prog)
		return;
	pad = wp->left_in_prog;
	for (uint32_t i = 0; i < pad; i++)
		wp_advance(f, wp, now_ns, host, false);
	f->c.pad_units += pad;
}

void conv_flush(struct conv_ftl *f, uint64_t now_ns)
{
	for (uint32_t w = 0; w < f->nrg * f->nruh; w++)
		conv_pad(f, &f->host_wps[w], now_ns, true);
	conv_pad(f, &f->slc.wp, now_ns, true);
}

static struct write_pointer *host_wp(const struct conv_ftl *f, struct placement pl)
{
	return &f->host_wps[pl.rg * f->nruh + pl.ruh];
}

bool conv_ruh_update(struct conv_ftl *f, struct placement pl, uint64_t now_ns)
{
	struct write_pointer *wp = host_wp(f, pl);
	bool had_data;

	conv_pad(f, wp, now_ns, true);
	if (wp->line == CONV_LINE_NONE)
		return false; /* the next write opens a new unit anyway */
	had_data = wp->off > 0;
	/* the rest of the unit stays unwritten; GC treats it as any closed line */
	line_close(lm_of_line(f, wp->line), wp->line, f->seq);
	wp->line = CONV_LINE_NONE;
	return had_data;
}

uint32_t conv_ruh_available_units(const struct conv_ftl *f, struct placement pl)
{
	const struct write_pointer *wp = host_wp(f, pl);

	return wp->line == CONV_LINE_NONE ? f->geo->units_per_line
					  : f->geo->units_per_line - wp->off;
}

uint64_t conv_ruh_units_in_use(const struct conv_ftl *f, uint16_t ruh)
{
	uint64_t n = 0;

	for (uint32_t l = 0; l < f->geo->lines; l++)
		if (f->lines[l].state != LINE_FREE && f->lines[l].owner == ruh)
			n += f->lines[l].vpc;
	return n;
}

void conv_invalidate(struct conv_ftl *f, uint32_t ppa)
{
	uint32_t line = geo_line_of(f->geo, ppa);

	f->p2l[ppa] = CONV_UNMAPPED;
	line_invalidate(lm_of_line(f, line), line);
}

/* Foreground GC in group g, paced by write credits as NVMeVirt does: once
 * its free lines fall to gc_low, each collection lets the host write as
 * many units as it freed, so GC keeps pace with the host instead of
 * stalling it in bursts; with gc_pacing=proportional each of those host
 * units also issues its share of the collection's NAND work. A group whose
 * GC frees nothing (all its data valid) stops trying until it next falls
 * to gc_low; its host writes then borrow lines (host_line_group). */
static void gc_make_room(struct conv_ftl *f, uint32_t g, uint64_t now_ns)
{
	struct reclaim_group *rg = &f->rg[g];

	if (rg->q.n)
		conv_gc_pace(f, g, now_ns);
	if (!rg->gc_active && rg->lm.free_count <= f->gc_low)
		rg->gc_active = true;
	while (rg->gc_active && rg->credits <= 0) {
		if (rg->lm.free_count >= f->gc_high || gc_foreground(f, g, now_ns)) {
			rg->gc_active = false;
			rg->credits = 0;
			break;
		}
	}
	rg->credits--;
}

int conv_write(struct conv_ftl *f, uint32_t lu, const void *data, uint64_t ready_ns,
	       struct placement pl)
{
	struct write_pointer *slc = conv_slc_wp(f, ready_ns);
	struct write_pointer *wp = slc ? slc : host_wp(f, pl);
	struct media_oob oob = {.lba = lu, .owner = wp->owner, .flags = slc ? MEDIA_OOB_SLC : 0};
	uint32_t old, ppa;
	int rc;

	/* pace GC in the group whose line this unit goes to */
	gc_make_room(f, wp->line == CONV_LINE_NONE ? pl.rg : geo_rg_of_line(f->geo, wp->line),
		     ready_ns);
	ppa = conv_wp_take(f, wp, ready_ns, true);
	if (ppa == CONV_UNMAPPED)
		return -ENOSPC;
	oob.seq = ++f->seq;
	/* the data first: if the store fails, the old copy stays mapped */
	if (f->media->keeps_data && (rc = f->media->ops->write(f->media, ppa, data, &oob))) {
		line_invalidate(lm_of_line(f, geo_line_of(f->geo, ppa)), geo_line_of(f->geo, ppa));
		return rc;
	}
	old = f->l2p[lu]; /* only now: GC may just have moved this very unit */
	if (old != CONV_UNMAPPED) {
		conv_invalidate(f, old);
	} else {
		f->c.mapped_units++;
		if (f->ps)
			persist_mapped(f->ps, lu);
	}
	f->l2p[lu] = ppa;
	f->p2l[ppa] = lu;
	f->c.host_write_units++;
	f->ruh[pl.ruh].host_units++;
	if (slc)
		f->slc.c.host_units++;
	if (f->c.mapped_units > f->slc.fold_mapped_units) /* the drive lends the cache less */
		conv_slc_shrink(f, ready_ns);
	return 0;
}

/* Reads the run of units [lu, lu + run) of one flash page into data (or
 * only times it): one sense, more when it needs retries. Returns 0, or
 * -EBADMSG with *failed the first unit that no retry recovered or that
 * failed its check in the store. */
static int read_page_run(struct conv_ftl *f, uint32_t lu, uint32_t run, uint8_t *data,
			 uint64_t start_ns, uint64_t *done, uint32_t *failed)
{
	const struct geometry *geo = f->geo;
	uint32_t ppa = f->l2p[lu], senses = 1;
	bool lost = false;

	if (f->faults.on)
		senses += conv_faults_read(f, ppa, &lost);
	if (f->tm->on) {
		uint64_t end = nand_read_host(f->tm, geo_die_of(geo, ppa), conv_page_type(f, ppa),
					      start_ns, run, senses);

		*done = end > *done ? end : *done;
	}
	if (lost) {
		*failed = lu;
		conv_faults_lost(f, lu);
		return -EBADMSG;
	}
	for (uint32_t k = 0; data && k < run; k++) {
		int rc = f->media->ops->read(f->media, f->l2p[lu + k],
					     data + (uint64_t)k * GEO_UNIT_BYTES, NULL);

		if (rc) {
			*failed = lu + k;
			return rc;
		}
	}
	return 0;
}

int conv_read_range(struct conv_ftl *f, uint32_t lu, uint32_t n, uint8_t *data, uint64_t start_ns,
		    uint64_t *done_ns, uint32_t *failed)
{
	const struct geometry *geo = f->geo;
	uint64_t done = start_ns;
	uint32_t i = 0;

	while (i < n) {
		uint32_t ppa = f->l2p[lu + i], run = 1;
		int rc;

		if (ppa == CONV_UNMAPPED) { /* never written or trimmed: zeros, no NAND work */
			if (data)
				memset(data + (uint64_t)i * GEO_UNIT_BYTES, 0, GEO_UNIT_BYTES);
			i++;
			continue;
		}
		/* units of the same flash page come out of one sense */
		while (i + run < n && f->l2p[lu + i + run] != CONV_UNMAPPED &&
		       geo_flash_page_of(geo, f->l2p[lu + i + run]) == geo_flash_page_of(geo, ppa))
			run++;
		rc = read_page_run(f, lu + i, run,
				   data ? data + (uint64_t)i * GEO_UNIT_BYTES : NULL, start_ns,
				   &done, failed);
		if (rc) {
			*done_ns = done;
			return rc;
		}
		i += run;
	}
	f->c.host_read_units += n;
	*done_ns = done;
	return 0;
}

void conv_trim(struct conv_ftl *f, uint32_t lu)
{
	uint32_t old = f->l2p[lu];

	if (old == CONV_UNMAPPED)
		return;
	conv_invalidate(f, old);
	f->l2p[lu] = CONV_UNMAPPED;
	f->c.mapped_units--;
	f->c.trim_units++;
	if (f->ps)
		persist_trimmed(f->ps, lu);
}
