/*
 * Host-facing half of the conventional FTL: mapping writes through the host
 * write pointer, reads that follow the map, trims. Data really lives where
 * the map says, so a mapping bug shows up as wrong data with media=ram.
 */
#include "ftl/conv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int conv_init(struct conv_ftl *f, const struct geometry *geo, const struct vssd_config *cfg,
	      struct timing *tm, struct media *media)
{
	memset(f, 0, sizeof(*f));
	f->geo = geo;
	f->tm = tm;
	f->media = media;
	/* every write pointer beyond the classic two (host, GC) may need a fresh
	 * line at any time, so each gets a free line of its own on top */
	f->gc_low = (uint32_t)cfg->gc_free_lines_low + config_open_lines(cfg) - 2;
	f->gc_high = (uint32_t)cfg->gc_free_lines_high + config_open_lines(cfg) - 2;
	f->gc_background = cfg->gc_background;
	f->nruh = config_nruh(cfg);
	f->ruh_persistent = cfg->fdp && cfg->fdp_ruh_type == RUH_PERSISTENTLY;
	f->l2p = malloc(geo->logical_units * sizeof(uint32_t));
	f->p2l = malloc(geo->physical_units * sizeof(uint32_t));
	f->host_wps = calloc(f->nruh, sizeof(*f->host_wps));
	f->gc_wps = calloc(f->nruh + 1, sizeof(*f->gc_wps));
	f->ruh = calloc(f->nruh, sizeof(*f->ruh));
	if (!f->l2p || !f->p2l || !f->host_wps || !f->gc_wps || !f->ruh ||
	    lines_init(&f->lm, geo->lines, geo->units_per_line, (int)cfg->gc_policy)) {
		conv_fini(f);
		return -ENOMEM;
	}
	memset(f->l2p, 0xff, geo->logical_units * sizeof(uint32_t));
	memset(f->p2l, 0xff, geo->physical_units * sizeof(uint32_t));
	for (uint32_t r = 0; r <= f->nruh; r++) {
		f->gc_wps[r] = (struct write_pointer){.line = LINE_NONE,
						      .owner = r < f->nruh ? (uint16_t)r : OWNER_SHARED};
		if (r < f->nruh)
			f->host_wps[r] = (struct write_pointer){.line = LINE_NONE, .owner = (uint16_t)r};
	}
	return 0;
}

void conv_fini(struct conv_ftl *f)
{
	free(f->l2p);
	free(f->p2l);
	free(f->host_wps);
	free(f->gc_wps);
	free(f->ruh);
	f->l2p = f->p2l = NULL;
	f->host_wps = f->gc_wps = NULL;
	f->ruh = NULL;
	lines_fini(&f->lm);
}

/* A program unit is complete: move it to its die and program it. */
static void program_unit(struct conv_ftl *f, const struct write_pointer *wp, bool host)
{
	struct timing *tm = f->tm;
	uint64_t end = nand_program(tm, wp->die, wp->ready_ns, tm->prog_ns_by_row[wp->row %
									       f->geo->page_types]);

	/* host data leaves the write buffer when its program ends */
	if (host && wp->buffered)
		wb_release_at(tm, end, (uint64_t)wp->buffered * UNIT_BYTES);
}

/* Advances the pointer by one unit; `data` says whether the unit holds data
 * (padding does not). Units go in ppa order; counters, not divisions, track
 * the program unit, its die and its row, since this runs for every unit. */
static uint32_t wp_advance(struct conv_ftl *f, struct write_pointer *wp, uint64_t ready_ns,
			   bool host, bool data)
{
	const struct geometry *geo = f->geo;
	uint32_t ppa;

	if (wp->line == LINE_NONE) {
		wp->line = line_take_free(&f->lm);
		if (wp->line == LINE_NONE)
			return UNMAPPED;
		f->lm.line[wp->line].owner = wp->owner;
		wp->off = 0;
		wp->die = 0;
		wp->row = 0;
		wp->left_in_prog = geo->units_per_prog;
		wp->buffered = 0;
		wp->ready_ns = 0;
	}
	ppa = wp->line * geo->units_per_line + wp->off;
	if (data) {
		f->lm.line[wp->line].vpc++;
		wp->buffered++;
	}
	if (ready_ns > wp->ready_ns)
		wp->ready_ns = ready_ns;
	wp->off++;
	if (--wp->left_in_prog == 0) {
		if (f->tm->on)
			program_unit(f, wp, host);
		wp->ready_ns = 0;
		wp->buffered = 0;
		wp->left_in_prog = geo->units_per_prog;
		if (++wp->die == geo->dies) {
			wp->die = 0;
			wp->row++;
		}
	}
	if (wp->off == geo->units_per_line) {
		line_close(&f->lm, wp->line, f->seq);
		wp->line = LINE_NONE;
		if (host && f->hooks.ru_full)
			f->hooks.ru_full(f->hooks.arg, wp->owner);
	}
	return ppa;
}

uint32_t wp_take(struct conv_ftl *f, struct write_pointer *wp, uint64_t ready_ns, bool host)
{
	return wp_advance(f, wp, ready_ns, host, true);
}

/* Pads the handle's partly filled program unit so its buffered data is programmed. */
static void pad_program_unit(struct conv_ftl *f, struct write_pointer *wp, uint64_t now_ns)
{
	uint32_t pad;

	if (wp->line == LINE_NONE || wp->left_in_prog == f->geo->units_per_prog)
		return;
	pad = wp->left_in_prog;
	for (uint32_t i = 0; i < pad; i++)
		wp_advance(f, wp, now_ns, true, false);
	f->c.pad_units += pad;
}

void conv_flush(struct conv_ftl *f, uint64_t now_ns)
{
	for (uint32_t r = 0; r < f->nruh; r++)
		pad_program_unit(f, &f->host_wps[r], now_ns);
}

bool conv_ruh_update(struct conv_ftl *f, uint16_t ruh, uint64_t now_ns)
{
	struct write_pointer *wp = &f->host_wps[ruh];
	bool had_data;

	pad_program_unit(f, wp, now_ns);
	if (wp->line == LINE_NONE)
		return false; /* the next write opens a new unit anyway */
	had_data = wp->off > 0;
	/* the rest of the unit stays unwritten; GC treats it as any closed line */
	line_close(&f->lm, wp->line, f->seq);
	wp->line = LINE_NONE;
	return had_data;
}

uint32_t conv_ruh_available_units(const struct conv_ftl *f, uint16_t ruh)
{
	const struct write_pointer *wp = &f->host_wps[ruh];

	return wp->line == LINE_NONE ? f->geo->units_per_line : f->geo->units_per_line - wp->off;
}

uint64_t conv_ruh_units_in_use(const struct conv_ftl *f, uint16_t ruh)
{
	uint64_t n = 0;

	for (uint32_t l = 0; l < f->lm.nlines; l++)
		if (f->lm.line[l].state != LINE_FREE && f->lm.line[l].owner == ruh)
			n += f->lm.line[l].vpc;
	return n;
}

void conv_invalidate(struct conv_ftl *f, uint32_t ppa)
{
	f->p2l[ppa] = UNMAPPED;
	line_invalidate(&f->lm, geo_line_of(f->geo, ppa));
}

/* Foreground GC, paced by write credits as NVMeVirt does: once free lines
 * fall to gc_low, each collection lets the host write as many units as it
 * freed, so GC keeps pace with the host instead of stalling it in bursts. */
static int gc_make_room(struct conv_ftl *f, uint64_t now_ns)
{
	if (!f->gc_active && f->lm.free_count <= f->gc_low)
		f->gc_active = true;
	while (f->gc_active && f->credits <= 0) {
		if (f->lm.free_count >= f->gc_high) {
			f->gc_active = false;
			f->credits = 0;
			break;
		}
		if (gc_collect(f, now_ns))
			return -ENOSPC;
	}
	f->credits--;
	return 0;
}

int conv_write(struct conv_ftl *f, uint32_t lu, const void *data, uint64_t ready_ns,
	       uint16_t ruh)
{
	struct media_oob oob = {.lba = lu};
	uint32_t old, ppa;

	if (gc_make_room(f, ready_ns))
		return -ENOSPC;
	old = f->l2p[lu]; /* only now: GC may just have moved this very unit */
	ppa = wp_take(f, &f->host_wps[ruh], ready_ns, true);
	if (ppa == UNMAPPED)
		return -ENOSPC;
	if (old != UNMAPPED)
		conv_invalidate(f, old);
	else
		f->c.mapped_units++;
	f->l2p[lu] = ppa;
	f->p2l[ppa] = lu;
	oob.seq = ++f->seq;
	if (f->media->keeps_data)
		f->media->ops->write(f->media, ppa, data, &oob);
	f->c.host_write_units++;
	f->ruh[ruh].host_units++;
	return 0;
}

uint64_t conv_read_range(struct conv_ftl *f, uint32_t lu, uint32_t n, uint8_t *data,
			 uint64_t start_ns)
{
	const struct geometry *geo = f->geo;
	uint64_t done = start_ns;
	uint32_t i = 0;

	while (i < n) {
		uint32_t ppa = f->l2p[lu + i], run = 1;

		if (ppa == UNMAPPED) { /* never written or trimmed: zeros, no NAND work */
			if (data)
				memset(data + (uint64_t)i * UNIT_BYTES, 0, UNIT_BYTES);
			i++;
			continue;
		}
		/* units of the same flash page come out of one sense */
		while (i + run < n && f->l2p[lu + i + run] != UNMAPPED &&
		       geo_flash_page_of(geo, f->l2p[lu + i + run]) == geo_flash_page_of(geo, ppa))
			run++;
		if (f->tm->on) {
			uint64_t end = nand_read(f->tm, geo_die_of(geo, ppa),
						 geo_page_type_of(geo, ppa), start_ns, run);

			if (end > done)
				done = end;
		}
		for (uint32_t k = 0; k < run; k++) {
			uint8_t *dst = data ? data + (uint64_t)(i + k) * UNIT_BYTES : NULL;

			if (dst)
				f->media->ops->read(f->media, f->l2p[lu + i + k], dst, NULL);
		}
		i += run;
	}
	f->c.host_read_units += n;
	return done;
}

void conv_trim(struct conv_ftl *f, uint32_t lu)
{
	uint32_t old = f->l2p[lu];

	if (old == UNMAPPED)
		return;
	conv_invalidate(f, old);
	f->l2p[lu] = UNMAPPED;
	f->c.mapped_units--;
	f->c.trim_units++;
}
