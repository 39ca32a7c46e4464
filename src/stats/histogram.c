/* Log-linear bucketing: values below 64 have a bucket each; above, each
 * power of two is split into 32 equal buckets. */
#include "stats/histogram.h"

#include <math.h>
#include <string.h>

const double fio_percentiles[] = {1,  5,  10, 20, 30,	40,   50,    60,   70,
				  80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99};
const unsigned fio_npercentiles = sizeof(fio_percentiles) / sizeof(fio_percentiles[0]);

static unsigned bucket_of(uint64_t v)
{
	unsigned msb, shift;

	if (v < HIST_SUB)
		return (unsigned)v;
	msb = 63u - (unsigned)__builtin_clzll(v);
	shift = msb - (HIST_SUB_BITS - 1);
	return shift * (HIST_SUB / 2) + (unsigned)(v >> shift);
}

static uint64_t bucket_mid(unsigned b)
{
	unsigned shift;
	uint64_t low;

	if (b < HIST_SUB)
		return b;
	shift = b / (HIST_SUB / 2) - 1;
	low = (uint64_t)(b - shift * (HIST_SUB / 2)) << shift;
	return low + ((1ULL << shift) >> 1);
}

uint64_t lat_stats_bucket_ns(unsigned b)
{
	return bucket_mid(b);
}

void lat_stats_init(struct lat_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->min_ns = UINT64_MAX;
}

void lat_stats_add(struct lat_stats *s, uint64_t lat_ns, uint64_t bytes)
{
	double x = (double)lat_ns;

	s->n++;
	s->bytes += bytes;
	if (lat_ns < s->min_ns)
		s->min_ns = lat_ns;
	if (lat_ns > s->max_ns)
		s->max_ns = lat_ns;
	s->sum_ns += x;
	s->sumsq_ns += x * x;
	s->bucket[bucket_of(lat_ns)]++;
}

double lat_stats_mean(const struct lat_stats *s)
{
	return s->n ? s->sum_ns / (double)s->n : 0;
}

double lat_stats_stddev(const struct lat_stats *s)
{
	double mean, var;

	if (s->n < 2)
		return 0;
	mean = lat_stats_mean(s);
	var = (s->sumsq_ns - (double)s->n * mean * mean) / (double)(s->n - 1);
	return var > 0 ? sqrt(var) : 0;
}

uint64_t lat_stats_percentile(const struct lat_stats *s, double p)
{
	uint64_t rank, seen = 0;

	if (!s->n)
		return 0;
	rank = (uint64_t)ceil(p / 100.0 * (double)s->n);
	if (rank == 0)
		rank = 1;
	for (unsigned b = 0; b < HIST_BUCKETS; b++) {
		seen += s->bucket[b];
		if (seen >= rank) {
			uint64_t mid = bucket_mid(b);
			/* a bucket's midpoint can lie outside what was seen */
			return mid < s->min_ns ? s->min_ns : mid > s->max_ns ? s->max_ns : mid;
		}
	}
	return s->max_ns;
}
