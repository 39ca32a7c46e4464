/*
 * Gap-filling reservation. Touching intervals are merged, so back-to-back
 * transfers (the common case) stay one interval; a transfer at or after the
 * last interval is appended in O(1); otherwise a binary search finds the
 * first interval that could be in the way. Forgotten intervals are skipped
 * by advancing `first`, and the array is compacted only when that has
 * passed half of it, so forgetting costs O(1) amortised.
 */
#include "nand/timeline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int timeline_init(struct timeline *tl)
{
	memset(tl, 0, sizeof(*tl));
	tl->cap = 16;
	tl->iv = malloc(tl->cap * sizeof(*tl->iv));
	return tl->iv ? 0 : -ENOMEM;
}

void timeline_fini(struct timeline *tl)
{
	free(tl->iv);
	tl->iv = NULL;
}

static void forget_before(struct timeline *tl, uint64_t floor_ns)
{
	while (tl->first < tl->len && tl->iv[tl->first].end < floor_ns)
		tl->first++;
	if (tl->first > tl->len / 2) {
		memmove(tl->iv, tl->iv + tl->first, (tl->len - tl->first) * sizeof(*tl->iv));
		tl->len -= tl->first;
		tl->first = 0;
	}
}

/* The first live interval ending after t (ends are sorted: intervals are disjoint). */
static uint32_t first_ending_after(const struct timeline *tl, uint64_t t)
{
	uint32_t lo = tl->first, hi = tl->len;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (tl->iv[mid].end <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Inserts [s, e) at index i, merging with touching neighbours. */
static void insert_at(struct timeline *tl, uint32_t i, uint64_t s, uint64_t e)
{
	bool joins_prev = i > tl->first && tl->iv[i - 1].end == s;
	bool joins_next = i < tl->len && tl->iv[i].start == e;

	if (joins_prev && joins_next) {
		tl->iv[i - 1].end = tl->iv[i].end;
		memmove(tl->iv + i, tl->iv + i + 1, (tl->len - i - 1) * sizeof(*tl->iv));
		tl->len--;
	} else if (joins_prev) {
		tl->iv[i - 1].end = e;
	} else if (joins_next) {
		tl->iv[i].start = s;
	} else {
		if (tl->len == tl->cap) {
			struct busy *p = realloc(tl->iv, 2 * tl->cap * sizeof(*p));

			if (!p) { /* keep going without the gap: reserve at the end */
				tl->iv[tl->len - 1].end += e - s;
				return;
			}
			tl->iv = p;
			tl->cap *= 2;
		}
		memmove(tl->iv + i + 1, tl->iv + i, (tl->len - i) * sizeof(*tl->iv));
		tl->iv[i] = (struct busy){s, e};
		tl->len++;
	}
}

uint64_t timeline_reserve(struct timeline *tl, uint64_t ready_ns, uint64_t dur_ns,
			  uint64_t floor_ns)
{
	uint64_t t = ready_ns;
	uint32_t i = 0;

	if (!dur_ns)
		return ready_ns;
	if (tl->first < tl->len && tl->iv[tl->first].end < floor_ns)
		forget_before(tl, floor_ns);
	if (tl->first == tl->len || t >= tl->iv[tl->len - 1].start) {
		/* at or after the start of the last interval: no gap can come first */
		if (tl->first < tl->len && t < tl->iv[tl->len - 1].end)
			t = tl->iv[tl->len - 1].end;
		insert_at(tl, tl->len, t, t + dur_ns);
	} else {
		for (i = first_ending_after(tl, t); i < tl->len; i++) {
			if (tl->iv[i].start >= t + dur_ns)
				break;
			if (tl->iv[i].end > t)
				t = tl->iv[i].end;
		}
		insert_at(tl, i, t, t + dur_ns);
	}
	if (t + dur_ns > tl->busy_until)
		tl->busy_until = t + dur_ns;
	return t + dur_ns;
}
