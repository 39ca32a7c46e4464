/*
 * Recovery without a checkpoint (after a crash or a power loss): every
 * unit's OOB is read, the newest copy of each logical unit wins, the trim
 * records remove what was trimmed after it, and the lines and write
 * pointers are rebuilt from what was found.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ftl/conv/conv_int.h"
#include "ftl/conv/persist.h"
#include "media/media.h"

#define SCAN_CHUNK 65536 /* units whose OOB one read brings */

/* A free write pointer of the line's group for a line a scan found partly
 * written: its owner's host write pointer if free, else any free one. */
static struct write_pointer *free_wp_for(struct conv_ftl *f, uint32_t line)
{
	uint32_t g = geo_rg_of_line(f->geo, line), owner = f->lines[line].owner;
	struct write_pointer *own = owner < f->nruh ? &f->host_wps[g * f->nruh + owner] : NULL;

	if (own && own->line == CONV_LINE_NONE)
		return own;
	for (uint32_t r = 0; r < f->nruh; r++)
		if (f->host_wps[g * f->nruh + r].line == CONV_LINE_NONE)
			return &f->host_wps[g * f->nruh + r];
	for (uint32_t r = 0; r <= f->nruh; r++)
		if (f->gc_wps[g * (f->nruh + 1) + r].line == CONV_LINE_NONE)
			return &f->gc_wps[g * (f->nruh + 1) + r];
	return NULL;
}

/* A write pointer goes on writing a line from unit `written`, as pblk
 * resumes its open lines: the rest of the line is not wasted. */
static void resume_line(struct conv_ftl *f, struct write_pointer *wp, uint32_t line,
			uint32_t written)
{
	const struct geometry *geo = f->geo;
	uint32_t prog = written / geo->units_per_prog;

	wp->line = line;
	wp->off = written;
	wp->first_die = geo_line_first_die(geo, line);
	wp->die = wp->first_die + prog % geo->line_dies;
	wp->row = prog / geo->line_dies;
	wp->left_in_prog = geo->units_per_prog - written % geo->units_per_prog;
	wp->buffered = 0;
	wp->ready_ns = 0;
	f->lines[line].state = LINE_OPEN;
	f->lines[line].owner = wp->owner;
}

/* Per line, from its units' OOB in write order: the sequence of its first
 * unit, and how many units its current life wrote (old lives' units, wiped
 * units and padding hold older sequences). */
struct line_scan {
	uint64_t first_seq, newest_seq;
	uint32_t written;
	bool slc; /* its newest unit was written as SLC */
};

static void scan_unit(struct conv_ftl *f, struct line_scan *ls, uint64_t *newest, uint32_t ppa,
		      const struct media_oob *oob)
{
	const struct geometry *geo = f->geo;
	uint32_t line = ppa / geo->units_per_line, off = ppa % geo->units_per_line;
	struct line_scan *l = &ls[line];

	if (off == 0)
		l->first_seq = oob->seq;
	if (!oob->seq)
		return;
	if (l->first_seq && oob->seq >= l->first_seq)
		l->written = off + 1;
	if (oob->seq > f->seq)
		f->seq = oob->seq;
	if (oob->seq > l->newest_seq) {
		l->newest_seq = oob->seq;
		f->lines[line].owner = oob->owner;
		l->slc = oob->flags & MEDIA_OOB_SLC;
	}
	if (oob->lba < geo->logical_units && oob->seq > newest[oob->lba]) {
		newest[oob->lba] = oob->seq;
		f->l2p[oob->lba] = ppa;
	}
}

/* A line of the SLC cache: a static one, or one whose current life was
 * written as SLC. It waits to be folded, full or not (the cache does not
 * resume lines); a static one with no data of this life is free. */
static bool scan_slc_line(struct conv_ftl *f, uint32_t line, const struct line_scan *ls)
{
	bool fixed = line >= f->slc.first_static;

	if (!fixed && !(ls->slc && ls->written))
		return false;
	f->lines[line].slc = 1;
	f->lines[line].state = ls->written ? LINE_SLC : LINE_FREE;
	return true;
}

/* Reads every unit's OOB: the newest copy of each logical unit is its data.
 * Lines written part way are resumed by a write pointer of their group; the
 * rest holding valid data are closed, the others free. */
int persist_scan(struct conv_ftl *f, struct ftl_recovery *rec)
{
	const struct geometry *geo = f->geo;
	uint64_t *newest = calloc(geo->logical_units, sizeof(uint64_t));
	struct line_scan *ls = calloc(geo->lines, sizeof(*ls));
	struct media_oob *oob = malloc(SCAN_CHUNK * sizeof(*oob));
	struct media_damage seen;
	int rc = -ENOMEM;

	if (!newest || !ls || !oob)
		goto out;
	memset(f->l2p, 0xff, geo->logical_units * sizeof(uint32_t));
	seen = f->media->damage;
	for (uint64_t first = 0; first < geo->physical_units; first += SCAN_CHUNK) {
		uint32_t n = (uint32_t)(geo->physical_units - first < SCAN_CHUNK
						? geo->physical_units - first
						: SCAN_CHUNK);

		if ((rc = f->media->ops->read_oob(f->media, first, n, oob)))
			goto out;
		for (uint32_t i = 0; i < n; i++) {
			rec->units_scanned += oob[i].seq != 0;
			scan_unit(f, ls, newest, (uint32_t)(first + i), &oob[i]);
		}
	}
	rec->oob_lost = f->media->damage.oob_lost - seen.oob_lost;
	rec->oob_from_copy = f->media->damage.oob_from_copy - seen.oob_from_copy;
	if ((rc = persist_apply_trims(f, newest, rec)))
		goto out;
	conv_reset_write_pointers(f);
	for (uint32_t l = 0; l < geo->lines; l++) {
		struct write_pointer *wp;
		uint32_t upp = geo->units_per_prog;
		uint32_t written = (ls[l].written + upp - 1) / upp * upp;

		f->lines[l].close_seq = ls[l].newest_seq;
		f->lines[l].state = LINE_CLOSED; /* conv_rebuild frees those left empty */
		f->lines[l].slc = 0;
		if (f->slc.line_units && scan_slc_line(f, l, &ls[l]))
			continue;
		/* a program unit with any unit of this life was programmed (padded
		 * past its last data unit) or lost: the pointer goes on after it */
		if (written && written < geo->units_per_line && (wp = free_wp_for(f, l)))
			resume_line(f, wp, l, written);
	}
	conv_rebuild(f, NULL);
	rc = 0;
out:
	free(newest);
	free(ls);
	free(oob);
	return rc;
}
