/*
 * A trace's summary (trace_stat.c): what `vssd trace-stat` prints and what
 * a replay's report starts with.
 */
#ifndef VSSD_WORKLOAD_TRACE_STAT_H
#define VSSD_WORKLOAD_TRACE_STAT_H

#include <stdint.h>

#include "workload/trace.h"

#define TRACE_SIZE_BUCKETS 9 /* up to 4 KiB, 8, 16, ... 512 KiB, larger */

struct trace_summary {
	uint64_t n[4];	   /* requests by enum io_dir (reads, writes, trims, flushes) */
	uint64_t bytes[4]; /* their bytes */
	uint64_t size_hist[TRACE_SIZE_BUCKETS];
	uint64_t span_ns;	  /* from the first request to the last */
	uint64_t lowest, highest; /* the first byte touched, and one past the last */
	uint64_t footprint_bytes; /* distinct 4 KiB units touched, in bytes */
	uint64_t capacity_bytes;  /* the device's, that footprint and past_end are against */
	uint64_t past_end;	  /* requests that reach past the device's end */
	uint32_t first_past_end_line;
	char warning[TRACE_MAX_WARNINGS][TRACE_WARNING_LEN]; /* the trace's, as read */
	uint32_t nwarnings;
};

/* Returns 0 or -ENOMEM. */
int trace_summarize(const struct trace *t, uint64_t capacity_bytes, struct trace_summary *s);

#endif
