/* The monotonic clock in nanoseconds: what the real-time runtime runs on
 * and what its hosts time their commands with. */
#ifndef VSSD_UTIL_CLOCK_H
#define VSSD_UTIL_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

#endif
