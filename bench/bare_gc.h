/* The bare greedy-GC page-map loop the speed benchmark compares against. */
#ifndef VSSD_BENCH_BARE_GC_H
#define VSSD_BENCH_BARE_GC_H

#include <stdint.h>
#include <time.h>

static inline double bench_now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * Fills the logical space, runs warm_writes random overwrites, then times
 * measure_writes more. Returns their wall seconds; *media_writes gets the
 * units written (host + GC) while timed.
 */
double bare_gc_run(uint32_t lines, uint32_t upl, uint64_t logical, uint64_t warm_writes,
		   uint64_t measure_writes, uint64_t seed, uint64_t *media_writes);

#endif
