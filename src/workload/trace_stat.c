/*
 * What a trace holds, before it is replayed: how many requests of each
 * kind and size, over what span of time and of the device, how much of
 * the device it touches (its footprint, in 4 KiB units), and how many of
 * its requests reach past the device's end.
 */
#include "workload/trace_stat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define UNIT 4096u

struct extent {
	uint64_t first, end; /* 4 KiB units, end exclusive */
};

#define RADIX_BITS 11
#define RADIX (1u << RADIX_BITS)

/* Sorts e by first, a least-significant-digit radix sort through tmp: a
 * million requests sort in a tenth of qsort's time, whose comparisons
 * were most of a summary's. Digits above the largest key are not sorted. */
static void sort_extents(struct extent *e, struct extent *tmp, size_t n, uint64_t max_first)
{
	for (uint32_t shift = 0; shift < 64 && (max_first >> shift); shift += RADIX_BITS) {
		size_t count[RADIX] = {0};

		for (size_t i = 0; i < n; i++)
			count[(e[i].first >> shift) & (RADIX - 1)]++;
		for (size_t d = 0, at = 0; d < RADIX; d++) {
			size_t c = count[d];

			count[d] = at;
			at += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[count[(e[i].first >> shift) & (RADIX - 1)]++] = e[i];
		memcpy(e, tmp, n * sizeof(*e));
	}
}

/* The union of the requests' 4 KiB units, in bytes: extents sorted, then merged. */
static int footprint_bytes(const struct trace *t, uint64_t *out)
{
	struct extent *e = malloc((t->n ? t->n : 1) * 2 * sizeof(*e));
	uint64_t units = 0, reach = 0, max_first = 0;
	size_t n = 0;

	if (!e)
		return -ENOMEM;
	for (size_t i = 0; i < t->n; i++) {
		const struct trace_rec *r = &t->rec[i];

		if (r->dir == DIR_FLUSH || !r->len)
			continue;
		e[n] = (struct extent){r->offset / UNIT, (r->offset + r->len + UNIT - 1) / UNIT};
		max_first = e[n].first > max_first ? e[n].first : max_first;
		n++;
	}
	sort_extents(e, e + n, n, max_first);
	for (size_t i = 0; i < n; i++) {
		uint64_t from = e[i].first > reach ? e[i].first : reach;

		if (e[i].end > from)
			units += e[i].end - from;
		if (e[i].end > reach)
			reach = e[i].end;
	}
	free(e);
	*out = units * UNIT;
	return 0;
}

/* Bucket b holds sizes up to 4 KiB << b; the last everything larger. */
static uint32_t size_bucket(uint64_t len)
{
	uint32_t b = 0;

	while (b < TRACE_SIZE_BUCKETS - 1 && len > (uint64_t)UNIT << b)
		b++;
	return b;
}

int trace_summarize(const struct trace *t, uint64_t capacity_bytes, struct trace_summary *s)
{
	*s = (struct trace_summary){.lowest = UINT64_MAX, .capacity_bytes = capacity_bytes};
	for (size_t i = 0; i < t->n; i++) {
		const struct trace_rec *r = &t->rec[i];

		s->n[r->dir]++;
		if (r->dir == DIR_FLUSH)
			continue;
		s->bytes[r->dir] += r->len;
		s->size_hist[size_bucket(r->len)]++;
		s->lowest = r->offset < s->lowest ? r->offset : s->lowest;
		s->highest = r->offset + r->len > s->highest ? r->offset + r->len : s->highest;
		if (r->offset >= capacity_bytes || r->len > capacity_bytes - r->offset) {
			if (!s->past_end++)
				s->first_past_end_line = r->line;
		}
		if (r->t_ns > s->span_ns)
			s->span_ns = r->t_ns;
	}
	if (s->lowest == UINT64_MAX)
		s->lowest = 0;
	memcpy(s->warning, t->warning, sizeof(s->warning));
	s->nwarnings = t->nwarnings;
	return footprint_bytes(t, &s->footprint_bytes);
}
