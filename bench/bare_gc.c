/*
 * The baseline: a minimal greedy-GC page-map FTL with no timing, no events
 * and no workload layer: random 4 KiB overwrites, a map, a reverse map,
 * valid counts and O(1) greedy victim buckets. vssd's speed is reported as a
 * ratio of this loop's, so the machine's speed cancels out.
 */
#include "bare_gc.h"

#include <stdlib.h>
#include <string.h>

#include "util/rng.h"

#define NONE UINT32_MAX

struct bare {
	uint32_t *l2p, *p2l, *vpc, *next, *prev, *head, *free_list;
	uint32_t nfree, upl, lines, wp_line, wp_off, gc_line, gc_off, min_vpc;
	uint64_t media_writes;
};

static void unlink_line(struct bare *b, uint32_t l)
{
	if (b->prev[l] != NONE)
		b->next[b->prev[l]] = b->next[l];
	else
		b->head[b->vpc[l]] = b->next[l];
	if (b->next[l] != NONE)
		b->prev[b->next[l]] = b->prev[l];
}

static void link_line(struct bare *b, uint32_t l)
{
	b->prev[l] = NONE;
	b->next[l] = b->head[b->vpc[l]];
	if (b->next[l] != NONE)
		b->prev[b->next[l]] = l;
	b->head[b->vpc[l]] = l;
	if (b->vpc[l] < b->min_vpc)
		b->min_vpc = b->vpc[l];
}

static uint32_t take(struct bare *b, uint32_t *line, uint32_t *off)
{
	uint32_t ppa;

	if (*line == NONE) {
		*line = b->free_list[--b->nfree];
		*off = 0;
		b->vpc[*line] = 0;
	}
	ppa = *line * b->upl + (*off)++;
	b->vpc[*line]++;
	if (*off == b->upl) {
		link_line(b, *line);
		*line = NONE;
	}
	b->media_writes++;
	return ppa;
}

static void collect(struct bare *b)
{
	uint32_t v;

	while (b->head[b->min_vpc] == NONE)
		b->min_vpc++;
	v = b->head[b->min_vpc];
	unlink_line(b, v);
	for (uint32_t u = v * b->upl; u < (v + 1) * b->upl; u++) {
		uint32_t lu = b->p2l[u], ppa;

		if (lu == NONE)
			continue;
		ppa = take(b, &b->gc_line, &b->gc_off);
		b->l2p[lu] = ppa;
		b->p2l[ppa] = lu;
		b->p2l[u] = NONE;
	}
	b->free_list[b->nfree++] = v;
}

static void write_unit(struct bare *b, uint32_t lu)
{
	uint32_t old, ppa;

	while (b->nfree <= 2)
		collect(b);
	old = b->l2p[lu];
	ppa = take(b, &b->wp_line, &b->wp_off);
	if (old != NONE) {
		uint32_t l = old / b->upl;

		b->p2l[old] = NONE;
		if (l == b->wp_line || l == b->gc_line) {
			b->vpc[l]--;
		} else {
			unlink_line(b, l);
			b->vpc[l]--;
			link_line(b, l);
		}
	}
	b->l2p[lu] = ppa;
	b->p2l[ppa] = lu;
}

double bare_gc_run(uint32_t lines, uint32_t upl, uint64_t logical, uint64_t warm_writes,
		   uint64_t measure_writes, uint64_t seed, uint64_t *media_writes)
{
	struct bare b = {.upl = upl, .lines = lines, .wp_line = NONE, .gc_line = NONE};
	uint64_t physical = (uint64_t)lines * upl, before;
	struct rng r;
	double t0;

	b.l2p = malloc(logical * 4);
	b.p2l = malloc(physical * 4);
	b.vpc = calloc(lines, 4);
	b.next = malloc(lines * 4);
	b.prev = malloc(lines * 4);
	b.head = malloc(((size_t)upl + 1) * 4);
	b.free_list = malloc(lines * 4);
	memset(b.l2p, 0xff, logical * 4);
	memset(b.p2l, 0xff, physical * 4);
	memset(b.head, 0xff, ((size_t)upl + 1) * 4);
	for (uint32_t i = 0; i < lines; i++)
		b.free_list[b.nfree++] = lines - 1 - i;
	b.min_vpc = upl;
	rng_seed(&r, seed);
	for (uint64_t lu = 0; lu < logical; lu++)
		write_unit(&b, (uint32_t)lu);
	for (uint64_t i = 0; i < warm_writes; i++)
		write_unit(&b, (uint32_t)rng_below(&r, logical));
	before = b.media_writes;
	t0 = bench_now_s();
	for (uint64_t i = 0; i < measure_writes; i++)
		write_unit(&b, (uint32_t)rng_below(&r, logical));
	*media_writes = b.media_writes - before;
	t0 = bench_now_s() - t0;
	free(b.l2p);
	free(b.p2l);
	free(b.vpc);
	free(b.next);
	free(b.prev);
	free(b.head);
	free(b.free_list);
	return t0;
}
