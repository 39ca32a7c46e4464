/*
 * The conventional FTL's invariants, checked in full: the map and the
 * reverse map agree, the mapped count and every line's valid count add up,
 * and each reclaim group's free lines are the lines in state free, holding
 * nothing. A slip in the FTL shows here at once, not later as wrong data.
 * O(physical units): for tests, vssd_check() and the sanitizer builds.
 */
#include <errno.h>
#include <stdio.h>

#include "ftl/conv/conv_int.h"

static int maps_agree(const struct conv_ftl *f, char *err, size_t errlen)
{
	const struct geometry *geo = f->geo;
	uint64_t mapped = 0;

	for (uint64_t lu = 0; lu < geo->logical_units; lu++) {
		uint32_t ppa = f->l2p[lu];

		if (ppa == CONV_UNMAPPED)
			continue;
		mapped++;
		if (ppa >= geo->physical_units || f->p2l[ppa] != lu) {
			snprintf(err, errlen,
				 "logical unit %llu maps to unit %u, whose reverse map "
				 "says %u",
				 (unsigned long long)lu, ppa,
				 ppa < geo->physical_units ? f->p2l[ppa] : CONV_UNMAPPED);
			return -1;
		}
	}
	if (mapped != f->c.mapped_units) {
		snprintf(err, errlen, "%llu logical units are mapped, the counter says %llu",
			 (unsigned long long)mapped, (unsigned long long)f->c.mapped_units);
		return -1;
	}
	return 0;
}

static int lines_add_up(const struct conv_ftl *f, char *err, size_t errlen)
{
	const struct geometry *geo = f->geo;

	for (uint32_t line = 0; line < geo->lines; line++) {
		uint32_t valid = 0;

		for (uint32_t u = 0; u < geo->units_per_line; u++) {
			uint32_t ppa = line * geo->units_per_line + u, lu = f->p2l[ppa];

			if (lu == CONV_UNMAPPED)
				continue;
			if (lu >= geo->logical_units || f->l2p[lu] != ppa) {
				snprintf(err, errlen,
					 "unit %u says it holds logical unit %u, which maps "
					 "elsewhere",
					 ppa, lu);
				return -1;
			}
			valid++;
		}
		if (valid != f->lines[line].vpc) {
			snprintf(err, errlen, "line %u holds %u valid units, its count says %u",
				 line, valid, f->lines[line].vpc);
			return -1;
		}
		if (f->lines[line].state == LINE_FREE && valid) {
			snprintf(err, errlen, "free line %u holds %u valid units", line, valid);
			return -1;
		}
	}
	return 0;
}

static int free_lines_counted(const struct conv_ftl *f, char *err, size_t errlen)
{
	for (uint32_t g = 0; g < f->nrg; g++) {
		const struct line_mgr *lm = &f->rg[g].lm;
		uint32_t nfree = 0;

		for (uint32_t id = lm->first; id < lm->first + lm->nlines; id++)
			nfree += f->lines[id].state == LINE_FREE;
		if (nfree != lm->free_count) {
			snprintf(err, errlen,
				 "reclaim group %u has %u free lines, its free list %u", g, nfree,
				 lm->free_count);
			return -1;
		}
	}
	return 0;
}

int conv_check(const struct conv_ftl *f, char *err, size_t errlen)
{
	if (maps_agree(f, err, errlen) || lines_add_up(f, err, errlen) ||
	    free_lines_counted(f, err, errlen) || conv_slc_check(f, err, errlen))
		return -EUCLEAN;
	return 0;
}
