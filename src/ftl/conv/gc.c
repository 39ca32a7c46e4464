/*
 * Garbage collection: pick a victim line, read its valid units (one sense
 * per flash page), rewrite them through the GC write pointer, erase the
 * line's blocks. GC reads, programs and erases occupy the same dies and
 * channels as host I/O, so GC shows up in host latency.
 */
#include "ftl/conv/conv_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* Builds with check_after_gc (the sanitizer build) check every invariant
 * after every collection and stop at the first broken one, as they stop at
 * the first undefined behaviour: an FTL slip is caught where it happens. */
void conv_check_after_gc(const struct conv_ftl *f)
{
#ifdef VSSD_CHECK_AFTER_GC
	char err[256];

	if (conv_check(f, err, sizeof(err))) {
		fprintf(stderr, "vssd: an FTL invariant broke in GC: %s\n", err);
		abort();
	}
#else
	(void)f;
#endif
}

/* Moves one valid unit. Returns 0, -ENOSPC if no line can take it, or the
 * media's error (the unit then stays). */
static int move_unit(struct conv_ftl *f, struct write_pointer *dest, uint32_t old,
		     uint64_t data_ready_ns)
{
	uint32_t lu = f->p2l[old];
	uint32_t ppa = conv_wp_take(f, dest, data_ready_ns, false);
	struct media_oob oob = {.lba = lu, .owner = dest->owner, .seq = f->seq + 1};
	int rc;

	if (ppa == CONV_UNMAPPED)
		return -ENOSPC; /* no line for the copy: the unit stays */
	f->seq++;
	if (f->media->keeps_data && (rc = f->media->ops->copy(f->media, old, ppa, &oob))) {
		conv_invalidate(f, ppa); /* the unit taken holds nothing */
		return rc;
	}
	f->l2p[lu] = ppa;
	f->p2l[ppa] = lu;
	f->p2l[old] = CONV_UNMAPPED;
	if (dest->owner != FTL_OWNER_SHARED)
		f->ruh[dest->owner].gc_in_units++;
	return 0;
}

uint32_t conv_line_valid_units(const struct conv_ftl *f, uint32_t line)
{
	uint32_t base = line * f->geo->units_per_line, vpc = 0;

	for (uint32_t u = base; u < base + f->geo->units_per_line; u++)
		vpc += f->p2l[u] != CONV_UNMAPPED;
	return vpc;
}

/* The store failed a move: the victim goes back with what it still holds. */
static int gc_abort(struct conv_ftl *f, uint32_t rg, uint32_t victim, int rc)
{
	f->lines[victim].vpc = conv_line_valid_units(f, victim);
	line_close(&f->rg[rg].lm, victim, f->lines[victim].close_seq);
	return rc;
}

/* The map entries GC will update are random: ask for them a few flash pages
 * ahead of the scan, so their cache misses overlap instead of queueing. */
#define PREFETCH_PAGES 4

static void prefetch_map_ahead(const struct conv_ftl *f, uint32_t page, uint32_t base)
{
	if (page >= base + f->geo->units_per_line)
		return;
	for (uint32_t u = page; u < page + f->geo->units_per_page; u++)
		if (f->p2l[u] != CONV_UNMAPPED)
			__builtin_prefetch(&f->l2p[f->p2l[u]], 1);
}

static uint32_t valid_in_page(const struct conv_ftl *f, uint32_t first)
{
	uint32_t n = 0;

	for (uint32_t u = 0; u < f->geo->units_per_page; u++)
		n += f->p2l[first + u] != CONV_UNMAPPED;
	return n;
}

/* Where GC moves a victim's data: a persistently isolated handle's data
 * stays in its own units, the rest shares one write pointer; always in the
 * victim's reclaim group. */
struct write_pointer *conv_gc_dest(struct conv_ftl *f, uint32_t rg, uint16_t owner)
{
	uint32_t w = owner != FTL_OWNER_SHARED && f->ruh_persistent[owner] ? owner : f->nruh;

	return &f->gc_wps[rg * (f->nruh + 1) + w];
}

/* Whether the lines the victim's data will need are there before it moves. */
bool conv_dest_has_room(const struct conv_ftl *f, const struct write_pointer *dest, uint32_t vpc,
			uint32_t free_lines)
{
	uint32_t upl = f->geo->units_per_line;
	uint32_t room = dest->line == CONV_LINE_NONE ? 0 : upl - dest->off;

	return vpc <= room || (vpc - room + upl - 1) / upl <= free_lines;
}

/* Erases the blocks of a line, one per die it spans. */
static void erase_line(struct conv_ftl *f, uint32_t line, uint64_t now_ns)
{
	uint32_t first_die = geo_line_first_die(f->geo, line);

	for (uint32_t d = first_die; d < first_die + f->geo->line_dies; d++) {
		/* a block that fails its erase: its spare is erased in its place */
		uint32_t failed = f->faults.on ? conv_faults_erase(f, d) : 0;

		for (uint32_t e = 0; f->tm->on && e <= (failed ? 1 : 0); e++)
			conv_gc_erase(f, d, now_ns);
	}
}

int conv_move_line(struct conv_ftl *f, uint32_t line, struct write_pointer *dest, uint64_t now_ns,
		   uint64_t *moved, uint32_t *first_lu)
{
	const struct geometry *geo = f->geo;
	uint32_t base = line * geo->units_per_line;
	uint16_t owner = f->lines[line].owner;

	*first_lu = CONV_UNMAPPED;
	for (uint32_t page = base; page < base + geo->units_per_line; page += geo->units_per_page) {
		uint32_t n = valid_in_page(f, page);
		uint64_t ready = now_ns;

		prefetch_map_ahead(f, page + PREFETCH_PAGES * geo->units_per_page, base);

		if (!n)
			continue;
		if (f->tm->on)
			ready = conv_gc_read(f, geo_die_of(geo, page), conv_page_type(f, page),
					     now_ns, n);
		if (*first_lu == CONV_UNMAPPED)
			for (uint32_t u = page;
			     u < page + geo->units_per_page && *first_lu == CONV_UNMAPPED; u++)
				*first_lu = f->p2l[u];
		for (uint32_t u = page; u < page + geo->units_per_page; u++) {
			int rc;

			if (f->p2l[u] == CONV_UNMAPPED)
				continue;
			if ((rc = move_unit(f, dest, u, ready)))
				return rc;
			(*moved)++;
		}
		if (owner != FTL_OWNER_SHARED)
			f->ruh[owner].gc_out_units += n;
	}
	erase_line(f, line, now_ns);
	return 0;
}

int conv_gc_collect(struct conv_ftl *f, uint32_t rg, uint64_t now_ns)
{
	const struct geometry *geo = f->geo;
	struct line_mgr *lm = &f->rg[rg].lm;
	bool wear_move;
	uint32_t victim = line_pick_victim(lm, f->seq, &wear_move);
	struct write_pointer *dest;
	uint32_t vpc, first_lu;
	uint16_t owner;
	int rc;

	if (victim == CONV_LINE_NONE)
		return -ENOSPC;
	owner = f->lines[victim].owner;
	dest = conv_gc_dest(f, rg, owner);
	vpc = f->lines[victim].vpc;
	if (!conv_dest_has_room(f, dest, vpc, lm->free_count)) {
		line_close(lm, victim, f->lines[victim].close_seq); /* put it back */
		return -ENOSPC;
	}
	if ((rc = conv_move_line(f, victim, dest, now_ns, &f->c.gc_copied_units, &first_lu)))
		return gc_abort(f, rg, victim, rc);
	if (vpc && f->hooks.gc_moved)
		f->hooks.gc_moved(f->hooks.arg, owner, (uint16_t)rg, first_lu, vpc);
	if (f->ps && (rc = persist_program_buffers(f, now_ns)))
		return gc_abort(f, rg, victim, rc);
	line_release(lm, victim);
	f->rg[rg].credits += geo->units_per_line - vpc;
	f->c.gc_runs++;
	f->c.erased_lines++;
	f->c.wear_moves += wear_move;
	conv_check_after_gc(f);
	return 0;
}

void conv_gc_background(struct conv_ftl *f, uint64_t until_ns)
{
	/* paced GC work still queued is done while the device is idle */
	for (uint32_t g = 0; g < f->nrg; g++) {
		uint64_t idle_from = f->tm->on ? timing_dies_free_ns(f->tm) : 0;

		if (f->rg[g].q.n && (!f->tm->on || idle_from < until_ns))
			conv_gc_drain(f, &f->rg[g].q, idle_from);
	}
	if (f->slc.line_units) /* fold the SLC cache while idle */
		conv_slc_background(f, until_ns);
	if (!f->gc_background)
		return;
	for (uint32_t g = 0; g < f->nrg; g++) {
		while (f->rg[g].lm.free_count < f->gc_high) {
			uint64_t idle_from = f->tm->on ? timing_dies_free_ns(f->tm) : 0;

			if (f->tm->on && idle_from >= until_ns)
				return;
			conv_gc_drain(f, &f->rg[g].q, idle_from);
			if (conv_gc_collect(f, g, idle_from))
				break;
		}
	}
}
