/*
 * Lines, NVMeVirt's unit of allocation and GC: block i of every plane of a
 * set of dies (all dies, unless reclaim groups or a smaller reclaim unit
 * split them; see geometry.h). One line_mgr keeps the lines of one reclaim
 * group, [first, first + nlines) of a table shared by all groups. Free lines wait in a FIFO ring
 * (so erases spread evenly); closed lines sit in buckets by valid count, so the greedy victim is
 * found in O(1) and an invalidation moves a line one bucket down in O(1).
 */
#ifndef VSSD_FTL_LINES_H
#define VSSD_FTL_LINES_H

#include <stdbool.h>
#include <stdint.h>

#include "ftl/ftl.h"

#define CONV_LINE_NONE UINT32_MAX

/* LINE_SLC: a full line of the SLC cache, waiting to be folded (slc.c);
 * not a GC candidate */
enum line_state { LINE_FREE, LINE_OPEN, LINE_CLOSED, LINE_VICTIM, LINE_SLC };

struct line {
	uint32_t vpc;	     /* valid units */
	uint32_t prev, next; /* bucket list links */
	uint32_t erase_count;
	uint16_t state;
	uint16_t owner;	    /* reclaim unit handle whose data it holds, or FTL_OWNER_SHARED */
	uint16_t slc;	    /* programmed as SLC: a line of the SLC cache (slc.c) */
	uint64_t close_seq; /* write sequence at close: the data's age for cost-benefit */
};

struct line_mgr {
	struct line *line;	/* the shared table, indexed by global line id */
	uint32_t first, nlines; /* the lines this manager keeps */
	uint32_t upl;		/* units per line */
	uint32_t *free_ring;
	uint32_t free_head, free_count;
	uint32_t *bucket;    /* first closed line with that many valid units */
	uint32_t min_vpc;    /* no closed line has fewer valid units than this */
	uint32_t *fifo_ring; /* closed lines in close order (fifo policy) */
	uint32_t fifo_head, fifo_count;
	uint32_t closed_count;
	int policy;	      /* enum vssd_gc_policy */
	int wear;	      /* enum vssd_wear_levelling */
	uint32_t wear_spread; /* static: erase counts apart that move a line's data */
	bool wear_moved_last; /* static: the last victim was a wear levelling move */
};

/* Takes lines [first, first + nlines) of table, every one free. Returns 0 or -ENOMEM. */
int lines_init(struct line_mgr *lm, struct line *table, uint32_t first, uint32_t nlines,
	       uint32_t upl, int policy);
void lines_fini(struct line_mgr *lm);

/* Takes the oldest free line (with wear levelling, the one erased least)
 * and opens it. Returns its id or CONV_LINE_NONE. */
uint32_t line_take_free(struct line_mgr *lm);

/* A full line becomes a GC candidate. */
void line_close(struct line_mgr *lm, uint32_t id, uint64_t seq);

/* One unit of the line became invalid. */
void line_invalidate(struct line_mgr *lm, uint32_t id);

/* Removes and returns the victim the policy picks, or CONV_LINE_NONE when no
 * closed line holds any invalid unit. now_seq is the current write sequence.
 * Static wear levelling picks instead, every other victim at most, the
 * closed line erased least once it is wear_spread erases behind the most
 * erased line of the group: its data (cold, as it has stayed) moves and
 * the young block joins the free lines. *wear_move says which it was. */
uint32_t line_pick_victim(struct line_mgr *lm, uint64_t now_seq, bool *wear_move);

/* Rebuilds the free ring, the buckets and the close order from each line's
 * state, vpc and close_seq (after a checkpoint or a recovery scan). Free
 * lines go in free_order (nlines entries, CONV_LINE_NONE for none) if given,
 * else by id; open lines are left to their write pointers. */
void lines_rebuild(struct line_mgr *lm, const uint32_t *free_order);

/* Sorts n line ids of table by close sequence, oldest first. */
void lines_sort_by_close(uint32_t *ids, uint32_t n, const struct line *table);

/* An erased victim goes back to the free ring. */
void line_release(struct line_mgr *lm, uint32_t id);

#endif
