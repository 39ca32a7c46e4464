/*
 * Line bookkeeping and the three victim policies: greedy (fewest valid
 * units, from the buckets), cost-benefit (LFS's (1 - u) * age / (1 + u), a
 * scan of closed lines) and fifo (oldest closed line).
 */
#include "ftl/conv/lines.h"

#include <errno.h>
#include <stdlib.h>

#include "config/params.h"

int lines_init(struct line_mgr *lm, struct line *table, uint32_t first, uint32_t nlines,
	       uint32_t upl, int policy)
{
	lm->line = table;
	lm->free_ring = calloc(nlines, sizeof(uint32_t));
	lm->fifo_ring = calloc(nlines, sizeof(uint32_t));
	lm->bucket = malloc(((size_t)upl + 1) * sizeof(uint32_t));
	if (!lm->free_ring || !lm->fifo_ring || !lm->bucket) {
		lines_fini(lm);
		return -ENOMEM;
	}
	lm->first = first;
	lm->nlines = nlines;
	lm->upl = upl;
	lm->policy = policy;
	for (uint32_t v = 0; v <= upl; v++)
		lm->bucket[v] = CONV_LINE_NONE;
	lm->min_vpc = upl + 1;
	lm->free_head = 0;
	lm->free_count = nlines;
	lm->fifo_head = lm->fifo_count = lm->closed_count = 0;
	for (uint32_t i = 0; i < nlines; i++) {
		struct line *l = &lm->line[first + i];

		lm->free_ring[i] = first + i;
		*l = (struct line){
			.state = LINE_FREE, .prev = CONV_LINE_NONE, .next = CONV_LINE_NONE};
	}
	return 0;
}

void lines_fini(struct line_mgr *lm)
{
	free(lm->free_ring);
	free(lm->fifo_ring);
	free(lm->bucket);
	lm->line = NULL;
	lm->free_ring = lm->fifo_ring = lm->bucket = NULL;
}

/* With wear levelling, the free line erased least goes to the ring's head. */
static void youngest_first(struct line_mgr *lm)
{
	uint32_t best = 0;

	for (uint32_t i = 1; i < lm->free_count; i++)
		if (lm->line[lm->free_ring[(lm->free_head + i) % lm->nlines]].erase_count <
		    lm->line[lm->free_ring[(lm->free_head + best) % lm->nlines]].erase_count)
			best = i;
	if (best) {
		uint32_t *a = &lm->free_ring[lm->free_head];
		uint32_t *b = &lm->free_ring[(lm->free_head + best) % lm->nlines];
		uint32_t t = *a;

		*a = *b;
		*b = t;
	}
}

uint32_t line_take_free(struct line_mgr *lm)
{
	uint32_t id;

	if (!lm->free_count)
		return CONV_LINE_NONE;
	if (lm->wear != WL_OFF)
		youngest_first(lm);
	id = lm->free_ring[lm->free_head];
	lm->free_head = (lm->free_head + 1) % lm->nlines;
	lm->free_count--;
	lm->line[id].state = LINE_OPEN;
	lm->line[id].vpc = 0;
	return id;
}

static void bucket_insert(struct line_mgr *lm, uint32_t id)
{
	struct line *l = &lm->line[id];

	l->prev = CONV_LINE_NONE;
	l->next = lm->bucket[l->vpc];
	if (l->next != CONV_LINE_NONE)
		lm->line[l->next].prev = id;
	lm->bucket[l->vpc] = id;
	if (l->vpc < lm->min_vpc)
		lm->min_vpc = l->vpc;
}

static void bucket_remove(struct line_mgr *lm, uint32_t id)
{
	struct line *l = &lm->line[id];

	if (l->prev != CONV_LINE_NONE)
		lm->line[l->prev].next = l->next;
	else
		lm->bucket[l->vpc] = l->next;
	if (l->next != CONV_LINE_NONE)
		lm->line[l->next].prev = l->prev;
	l->prev = l->next = CONV_LINE_NONE;
}

void line_close(struct line_mgr *lm, uint32_t id, uint64_t seq)
{
	lm->line[id].state = LINE_CLOSED;
	lm->line[id].close_seq = seq;
	bucket_insert(lm, id);
	lm->closed_count++;
	if (lm->policy == GC_FIFO) {
		lm->fifo_ring[(lm->fifo_head + lm->fifo_count) % lm->nlines] = id;
		lm->fifo_count++;
	}
}

void line_invalidate(struct line_mgr *lm, uint32_t id)
{
	struct line *l = &lm->line[id];

	if (l->state != LINE_CLOSED) {
		l->vpc--;
		return;
	}
	bucket_remove(lm, id);
	l->vpc--;
	bucket_insert(lm, id);
}

static uint32_t pick_greedy(struct line_mgr *lm)
{
	while (lm->min_vpc < lm->upl && lm->bucket[lm->min_vpc] == CONV_LINE_NONE)
		lm->min_vpc++;
	return lm->min_vpc < lm->upl ? lm->bucket[lm->min_vpc] : CONV_LINE_NONE;
}

static uint32_t pick_cost_benefit(struct line_mgr *lm, uint64_t now_seq)
{
	uint32_t best = CONV_LINE_NONE;
	double best_score = -1;

	for (uint32_t i = lm->first; i < lm->first + lm->nlines; i++) {
		const struct line *l = &lm->line[i];
		double u, score;

		if (l->state != LINE_CLOSED || l->vpc == lm->upl)
			continue;
		u = (double)l->vpc / lm->upl;
		score = (1 - u) * (double)(now_seq - l->close_seq + 1) / (1 + u);
		if (score > best_score) {
			best_score = score;
			best = i;
		}
	}
	return best;
}

static uint32_t pick_fifo(struct line_mgr *lm)
{
	/* skip lines still holding only valid data; they stay in order at the back */
	for (uint32_t n = 0; n < lm->fifo_count; n++) {
		uint32_t id = lm->fifo_ring[lm->fifo_head];

		lm->fifo_head = (lm->fifo_head + 1) % lm->nlines;
		lm->fifo_count--;
		if (lm->line[id].vpc < lm->upl)
			return id;
		lm->fifo_ring[(lm->fifo_head + lm->fifo_count) % lm->nlines] = id;
		lm->fifo_count++;
	}
	return CONV_LINE_NONE;
}

/* A line GC takes out of close order (wear levelling) leaves the fifo ring. */
static void fifo_remove(struct line_mgr *lm, uint32_t id)
{
	uint32_t kept = 0;

	for (uint32_t n = 0; n < lm->fifo_count; n++) {
		uint32_t at = lm->fifo_ring[(lm->fifo_head + n) % lm->nlines];

		if (at != id)
			lm->fifo_ring[(lm->fifo_head + kept++) % lm->nlines] = at;
	}
	lm->fifo_count = kept;
}

/* The closed line erased least, when it is wear_spread erases behind the
 * most erased line of the group; else CONV_LINE_NONE. */
static uint32_t pick_wear(const struct line_mgr *lm)
{
	uint32_t least = CONV_LINE_NONE, most = 0;

	for (uint32_t i = lm->first; i < lm->first + lm->nlines; i++) {
		const struct line *l = &lm->line[i];

		most = l->erase_count > most ? l->erase_count : most;
		if (l->state == LINE_CLOSED &&
		    (least == CONV_LINE_NONE || l->erase_count < lm->line[least].erase_count))
			least = i;
	}
	return least != CONV_LINE_NONE && most - lm->line[least].erase_count >= lm->wear_spread
		       ? least
		       : CONV_LINE_NONE;
}

uint32_t line_pick_victim(struct line_mgr *lm, uint64_t now_seq, bool *wear_move)
{
	uint32_t id = CONV_LINE_NONE;

	*wear_move = false;
	if (lm->wear == WL_STATIC && !lm->wear_moved_last)
		*wear_move = (id = pick_wear(lm)) != CONV_LINE_NONE;
	lm->wear_moved_last = *wear_move;
	if (*wear_move && lm->policy == GC_FIFO)
		fifo_remove(lm, id);
	if (id == CONV_LINE_NONE) {
		switch (lm->policy) {
		case GC_COST_BENEFIT: id = pick_cost_benefit(lm, now_seq); break;
		case GC_FIFO: id = pick_fifo(lm); break;
		default: id = pick_greedy(lm); break;
		}
	}
	if (id == CONV_LINE_NONE)
		return id;
	bucket_remove(lm, id);
	lm->line[id].state = LINE_VICTIM;
	lm->closed_count--;
	return id;
}

void line_release(struct line_mgr *lm, uint32_t id)
{
	struct line *l = &lm->line[id];

	l->state = LINE_FREE;
	l->vpc = 0;
	l->erase_count++;
	lm->free_ring[(lm->free_head + lm->free_count) % lm->nlines] = id;
	lm->free_count++;
}

/* qsort_r's comparator, the line table its context: no global, so two
 * devices may rebuild at once */
static int by_close_seq(const void *a, const void *b, void *lines)
{
	const struct line *table = lines;
	uint64_t x = table[*(const uint32_t *)a].close_seq;
	uint64_t y = table[*(const uint32_t *)b].close_seq;

	return x < y ? -1 : x > y;
}

void lines_sort_by_close(uint32_t *ids, uint32_t n, const struct line *table)
{
	qsort_r(ids, n, sizeof(uint32_t), by_close_seq, (void *)table);
}

void lines_rebuild(struct line_mgr *lm, const uint32_t *free_order)
{
	uint32_t nfifo = 0;

	for (uint32_t v = 0; v <= lm->upl; v++)
		lm->bucket[v] = CONV_LINE_NONE;
	lm->min_vpc = lm->upl + 1;
	lm->free_head = lm->free_count = 0;
	lm->fifo_head = lm->fifo_count = lm->closed_count = 0;
	for (uint32_t i = 0; i < lm->nlines; i++) {
		uint32_t id = free_order ? free_order[i] : lm->first + i;

		if (id != CONV_LINE_NONE && lm->line[id].state == LINE_FREE)
			lm->free_ring[lm->free_count++] = id;
	}
	for (uint32_t id = lm->first; id < lm->first + lm->nlines; id++) {
		struct line *l = &lm->line[id];

		l->prev = l->next = CONV_LINE_NONE;
		if (l->state != LINE_CLOSED)
			continue;
		bucket_insert(lm, id);
		lm->closed_count++;
		lm->fifo_ring[nfifo++] = id;
	}
	lines_sort_by_close(lm->fifo_ring, nfifo, lm->line);
	if (lm->policy == GC_FIFO)
		lm->fifo_count = nfifo;
}
