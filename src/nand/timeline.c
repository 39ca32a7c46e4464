/*
 * Gap-filling reservation. Touching intervals are merged, so back-to-back
 * transfers (the common case) stay one interval and the list stays short;
 * a transfer at or after the last interval is appended in O(1).
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
	uint32_t k = 0;

	while (k < tl->len && tl->iv[k].end < floor_ns)
		k++;
	if (k) {
		memmove(tl->iv, tl->iv + k, (tl->len - k) * sizeof(*tl->iv));
		tl->len -= k;
	}
}

/* Inserts [s, e) at index i, merging with touching neighbours. */
static void insert_at(struct timeline *tl, uint32_t i, uint64_t s, uint64_t e)
{
	bool joins_prev = i > 0 && tl->iv[i - 1].end == s;
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
	if (tl->len && tl->iv[0].end < floor_ns)
		forget_before(tl, floor_ns);
	if (!tl->len || t >= tl->iv[tl->len - 1].end) {
		insert_at(tl, tl->len, t, t + dur_ns);
	} else {
		for (; i < tl->len; i++) {
			if (tl->iv[i].end <= t)
				continue;
			if (tl->iv[i].start >= t + dur_ns)
				break;
			t = tl->iv[i].end;
		}
		insert_at(tl, i, t, t + dur_ns);
	}
	if (t + dur_ns > tl->busy_until)
		tl->busy_until = t + dur_ns;
	return t + dur_ns;
}
