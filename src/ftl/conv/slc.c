/*
 * The SLC cache of consumer TLC and QLC drives. A block programmed one bit
 * a cell holds a bits-per-cell part of its data but programs and reads in
 * a fraction of the time, so a drive writes a burst into such blocks and
 * moves it to native blocks later ("folding"). Here an SLC line is written
 * over its first whole program rows, line_units units, and closes there.
 *
 * Static lines are set apart for good; dynamic lines are free native lines
 * lent while the host has left enough of the drive unwritten: the drive
 * lends, in native lines, at most what the unwritten logical space would
 * take, so the cache shrinks as the drive fills, and lines it holds past
 * that are folded in the foreground. Full lines are otherwise folded while
 * the device is idle, dynamic ones first (they give native lines back),
 * each the oldest of its kind. Once the cache is full, host writes go
 * straight to native lines: the write cliff of consumer drives.
 */
#include "ftl/conv/conv_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

enum { SLC_STATIC, SLC_DYNAMIC };

uint32_t conv_slc_line_units(const struct geometry *geo, const struct vssd_config *cfg)
{
	/* whole program rows: with bits per cell b, a block run as SLC holds
	 * 1/b of its pages */
	return geo->progs_per_block / cell_page_types(cfg->cell) * geo->line_dies *
	       geo->units_per_prog;
}

/* Lines to hold bytes of host data in SLC mode, rounded up. */
static uint32_t lines_for(const struct geometry *geo, const struct vssd_config *cfg, uint64_t bytes)
{
	uint64_t line_bytes = (uint64_t)conv_slc_line_units(geo, cfg) * GEO_UNIT_BYTES;

	return line_bytes ? (uint32_t)((bytes + line_bytes - 1) / line_bytes) : 0;
}

uint32_t conv_slc_static_lines(const struct geometry *geo, const struct vssd_config *cfg)
{
	return lines_for(geo, cfg, cfg->slc_cache_bytes);
}

static int ring_init(struct line_ring *r, uint32_t cap)
{
	*r = (struct line_ring){.id = calloc(cap ? cap : 1, sizeof(uint32_t)), .cap = cap};
	return r->id ? 0 : -ENOMEM;
}

static void ring_push(struct line_ring *r, uint32_t id)
{
	r->id[(r->head + r->count++) % r->cap] = id;
}

static uint32_t ring_pop(struct line_ring *r)
{
	uint32_t id = r->id[r->head];

	r->head = (r->head + 1) % r->cap;
	r->count--;
	return id;
}

static bool is_static(const struct slc_cache *c, uint32_t line)
{
	return line >= c->first_static && line < c->first_static + c->nstatic;
}

/* Mapped units past which the drive lends fewer lines than it holds. */
static void set_fold_point(struct conv_ftl *f)
{
	uint64_t lent = (uint64_t)f->slc.dyn_lines * f->geo->units_per_line;

	f->slc.fold_mapped_units = lent < f->geo->logical_units ? f->geo->logical_units - lent : 0;
}

int conv_slc_init(struct conv_ftl *f, const struct vssd_config *cfg)
{
	struct slc_cache *c = &f->slc;

	*c = (struct slc_cache){.wp = {.line = CONV_LINE_NONE, .owner = FTL_OWNER_SHARED},
				.fold_mapped_units = UINT64_MAX};
	if (!cfg->slc_cache_bytes && !cfg->slc_dynamic_bytes)
		return 0;
	c->line_units = conv_slc_line_units(f->geo, cfg);
	c->nstatic = conv_slc_static_lines(f->geo, cfg);
	c->first_static = f->geo->lines - c->nstatic;
	c->dyn_max = lines_for(f->geo, cfg, cfg->slc_dynamic_bytes);
	/* a program unit is oneshot_pages pages, each its own SLC program */
	c->prog_ns = f->geo->oneshot_pages * cfg->slc_prog_ns;
	c->fold_when_full = cfg->slc_when_full == SLC_WHEN_FULL_FOLD;
	if (ring_init(&c->free_static, c->nstatic) || ring_init(&c->full[SLC_STATIC], c->nstatic) ||
	    ring_init(&c->full[SLC_DYNAMIC], f->geo->lines))
		return -ENOMEM;
	for (uint32_t l = c->first_static; l < f->geo->lines; l++) {
		f->lines[l] = (struct line){.state = LINE_FREE,
					    .prev = CONV_LINE_NONE,
					    .next = CONV_LINE_NONE,
					    .erase_count = f->initial_pe,
					    .owner = FTL_OWNER_SHARED,
					    .slc = 1};
		ring_push(&c->free_static, l);
	}
	set_fold_point(f);
	return 0;
}

void conv_slc_fini(struct conv_ftl *f)
{
	free(f->slc.free_static.id);
	free(f->slc.full[SLC_STATIC].id);
	free(f->slc.full[SLC_DYNAMIC].id);
	f->slc.free_static.id = f->slc.full[SLC_STATIC].id = f->slc.full[SLC_DYNAMIC].id = NULL;
}

/* Whether the drive can lend one more native line: the unwritten logical
 * space would take it, and GC keeps the free lines it needs. */
static bool can_lend(const struct conv_ftl *f)
{
	const struct slc_cache *c = &f->slc;
	uint64_t unwritten = f->geo->logical_units - f->c.mapped_units;

	return c->dyn_lines < c->dyn_max &&
	       (uint64_t)(c->dyn_lines + 1) * f->geo->units_per_line <= unwritten &&
	       f->rg[0].lm.free_count > f->gc_high;
}

static int fold_foreground(struct conv_ftl *f, int kind, uint64_t now_ns);

bool conv_slc_open_line(struct conv_ftl *f, struct write_pointer *wp, uint64_t now_ns)
{
	struct slc_cache *c = &f->slc;
	uint32_t line;

	if (!c->free_static.count && !can_lend(f) && c->fold_when_full && c->full[SLC_STATIC].count)
		fold_foreground(f, SLC_STATIC, now_ns); /* room made in the cache */
	if (c->free_static.count) {
		line = ring_pop(&c->free_static);
	} else if (can_lend(f) && (line = line_take_free(&f->rg[0].lm)) != CONV_LINE_NONE) {
		c->dyn_lines++;
		set_fold_point(f);
	} else {
		return false;
	}
	f->lines[line].state = LINE_OPEN;
	f->lines[line].vpc = 0;
	f->lines[line].slc = 1;
	f->lines[line].owner = FTL_OWNER_SHARED;
	*wp = (struct write_pointer){.line = line,
				     .first_die = geo_line_first_die(f->geo, line),
				     .die = geo_line_first_die(f->geo, line),
				     .left_in_prog = f->geo->units_per_prog,
				     .owner = FTL_OWNER_SHARED};
	return true;
}

void conv_slc_line_full(struct conv_ftl *f, uint32_t line)
{
	f->lines[line].state = LINE_SLC;
	f->lines[line].close_seq = f->seq;
	ring_push(&f->slc.full[is_static(&f->slc, line) ? SLC_STATIC : SLC_DYNAMIC], line);
}

void conv_slc_close_open(struct conv_ftl *f)
{
	struct write_pointer *wp = &f->slc.wp;

	if (wp->line == CONV_LINE_NONE)
		return;
	conv_slc_line_full(f, wp->line);
	wp->line = CONV_LINE_NONE;
}

/* Folds the oldest full line of a kind: its valid data to native lines
 * through GC's shared write pointer, then the line erased and back where
 * it came from. Returns 0, -ENOSPC when native lines cannot take its data
 * now, or the media's error (the line then stays full, holding what was
 * not moved). */
static int fold(struct conv_ftl *f, int kind, uint64_t now_ns)
{
	struct slc_cache *c = &f->slc;
	struct line_ring *r = &c->full[kind];
	uint32_t line = r->id[r->head], first_lu;
	struct write_pointer *dest = conv_gc_dest(f, 0, FTL_OWNER_SHARED);
	int rc;

	if (!conv_dest_has_room(f, dest, f->lines[line].vpc, f->rg[0].lm.free_count))
		return -ENOSPC;
	if ((rc = conv_move_line(f, line, dest, now_ns, &c->c.folded_units, &first_lu)) ||
	    (f->ps && (rc = persist_program_buffers(f, now_ns)))) {
		f->lines[line].vpc = conv_line_valid_units(f, line);
		return rc;
	}
	ring_pop(r);
	c->c.folds++;
	f->c.erased_lines++;
	if (kind == SLC_STATIC) {
		f->lines[line].state = LINE_FREE;
		f->lines[line].vpc = 0;
		f->lines[line].erase_count++;
		ring_push(&c->free_static, line);
		conv_check_after_gc(f);
		return 0;
	}
	f->lines[line].slc = 0;
	line_release(&f->rg[0].lm, line);
	c->dyn_lines--;
	set_fold_point(f);
	conv_check_after_gc(f);
	return 0;
}

/* A fold in the foreground: with gc_pacing=proportional its NAND work is
 * paced, as a collection's is, over the host writes the room it makes
 * takes (a native line a dynamic line gives back, a static line's SLC
 * units), rather than stalling them all at once. */
static int fold_foreground(struct conv_ftl *f, int kind, uint64_t now_ns)
{
	const struct line_ring *r = &f->slc.full[kind];
	uint32_t vpc = f->lines[r->id[r->head]].vpc;
	uint64_t room = kind == SLC_STATIC ? f->slc.line_units : f->geo->units_per_line - vpc;
	size_t before;
	int rc;

	if (!f->gc_proportional)
		return fold(f, kind, now_ns);
	before = conv_gc_record_begin(f, 0);
	rc = fold(f, kind, now_ns);
	conv_gc_record_end(f, 0, before, vpc, rc ? 0 : room, now_ns);
	return rc;
}

void conv_slc_shrink(struct conv_ftl *f, uint64_t now_ns)
{
	struct slc_cache *c = &f->slc;

	/* each fold moves the point back by a line's worth of mapped units;
	 * the line being written goes too when it is the last one lent */
	while (f->c.mapped_units > c->fold_mapped_units) {
		if (!c->full[SLC_DYNAMIC].count && c->wp.line != CONV_LINE_NONE &&
		    !is_static(c, c->wp.line)) {
			conv_pad(f, &c->wp, now_ns, true);
			conv_slc_close_open(f);
		}
		if (!c->full[SLC_DYNAMIC].count || fold_foreground(f, SLC_DYNAMIC, now_ns))
			break;
	}
}

void conv_slc_background(struct conv_ftl *f, uint64_t until_ns)
{
	struct slc_cache *c = &f->slc;

	for (int kind = SLC_DYNAMIC; kind >= SLC_STATIC; kind--) {
		while (c->full[kind].count) {
			uint64_t idle_from = f->tm->on ? timing_dies_free_ns(f->tm) : 0;

			if (f->tm->on && idle_from >= until_ns)
				return;
			if (fold(f, kind, idle_from))
				return;
		}
	}
}

/* The full lines of a kind, oldest first (close_seq). */
static void rebuild_full(struct conv_ftl *f, struct line_ring *r, uint32_t first, uint32_t end)
{
	r->head = r->count = 0;
	for (uint32_t l = first; l < end; l++)
		if (f->lines[l].state == LINE_SLC)
			ring_push(r, l);
	lines_sort_by_close(r->id, r->count, f->lines);
}

void conv_slc_rebuild(struct conv_ftl *f)
{
	struct slc_cache *c = &f->slc;

	if (!c->line_units)
		return;
	c->wp.line = CONV_LINE_NONE;
	c->free_static.head = c->free_static.count = 0;
	for (uint32_t l = c->first_static; l < f->geo->lines; l++) {
		f->lines[l].slc = 1;
		if (f->lines[l].state == LINE_FREE)
			ring_push(&c->free_static, l);
	}
	rebuild_full(f, &c->full[SLC_STATIC], c->first_static, f->geo->lines);
	rebuild_full(f, &c->full[SLC_DYNAMIC], 0, c->first_static);
	c->dyn_lines = c->full[SLC_DYNAMIC].count;
	set_fold_point(f);
}

int conv_slc_check(const struct conv_ftl *f, char *err, size_t errlen)
{
	const struct slc_cache *c = &f->slc;
	uint32_t free_static = 0, dynamic = 0, full = 0;

	for (uint32_t l = 0; l < f->geo->lines; l++) {
		const struct line *ln = &f->lines[l];

		if (is_static(c, l)) {
			free_static += ln->state == LINE_FREE;
		} else if (ln->slc && ln->state != LINE_FREE) {
			dynamic++;
		} else if (ln->slc || ln->state == LINE_SLC) {
			snprintf(err, errlen, "native line %u is marked as the SLC cache's", l);
			return -1;
		}
		full += ln->state == LINE_SLC;
	}
	if (free_static != c->free_static.count || dynamic != c->dyn_lines ||
	    full != c->full[SLC_STATIC].count + c->full[SLC_DYNAMIC].count) {
		snprintf(err, errlen,
			 "SLC cache: %u free static lines (its list %u), %u dynamic lines (its "
			 "count %u), %u full lines (its lists %u)",
			 free_static, c->free_static.count, dynamic, c->dyn_lines, full,
			 c->full[SLC_STATIC].count + c->full[SLC_DYNAMIC].count);
		return -1;
	}
	return 0;
}
