/*
 * Latency statistics: exact count, min, max, mean and standard deviation,
 * plus a log-linear histogram for percentiles (64 linear buckets per power
 * of two, as fio's io_u_plat: under 1.6% relative error, fixed memory).
 */
#ifndef VSSD_STATS_HISTOGRAM_H
#define VSSD_STATS_HISTOGRAM_H

#include <stdint.h>

#define HIST_SUB_BITS 6
#define HIST_SUB (1u << HIST_SUB_BITS)
#define HIST_BUCKETS ((64 - HIST_SUB_BITS + 1) * (HIST_SUB / 2) + HIST_SUB / 2)

struct lat_stats {
	uint64_t n;
	uint64_t bytes;
	uint64_t min_ns, max_ns;
	double sum_ns, sumsq_ns;
	uint64_t bucket[HIST_BUCKETS];
};

void lat_stats_init(struct lat_stats *s);
void lat_stats_add(struct lat_stats *s, uint64_t lat_ns, uint64_t bytes);
double lat_stats_mean(const struct lat_stats *s);
double lat_stats_stddev(const struct lat_stats *s);

/* The latency at percentile p (0 < p <= 100): a bucket's midpoint. */
uint64_t lat_stats_percentile(const struct lat_stats *s, double p);

/* The latency bucket b (< HIST_BUCKETS) stands for: its midpoint. */
uint64_t lat_stats_bucket_ns(unsigned b);

/* fio's default percentile list. */
extern const double fio_percentiles[];
extern const unsigned fio_npercentiles;

#endif
