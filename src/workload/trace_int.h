/*
 * What the trace readers share (trace.c, trace_text.c): growing the list,
 * turning ticks into nanoseconds within bounds, noting times that go back.
 */
#ifndef VSSD_WORKLOAD_TRACE_INT_H
#define VSSD_WORKLOAD_TRACE_INT_H

#include <stdio.h>

#include "workload/trace.h"

/* A trace's times stay below this (146 years), so the simulator's own
 * time arithmetic on them cannot wrap; its offsets and lengths below
 * TRACE_MAX_BYTES, so offset + length cannot either. */
#define TRACE_MAX_NS (1ULL << 62)
#define TRACE_MAX_BYTES (1ULL << 62)

/* Returns 0 or -ENOMEM. */
int trace_push(struct trace *t, struct trace_rec r);

/* base + delta * unit_ns in *out, or false when it would pass TRACE_MAX_NS. */
bool trace_time(uint64_t base_ns, uint64_t delta, uint64_t unit_ns, uint64_t *out);
/* The error for that: "FILE:LINE: a time more than 146 years into the trace". */
int trace_time_too_far(const char *path, uint32_t lineno, char *err, size_t errlen);

/* The latest time of the requests so far, for struct trace_backwards. */
struct time_order {
	struct trace_backwards back;
	uint64_t latest_ticks;
	bool seen;
};

void trace_note_time(struct time_order *o, uint64_t ticks, uint64_t unit_ns, uint32_t line);

/* The text formats (trace_text.c): one by name (NULL: not a text format),
 * the one a first request line is in, and reading a file in one. */
struct text_format;
const struct text_format *trace_text_format(const char *name);
const struct text_format *trace_text_sniff(const char *line);
int trace_load_text(FILE *f, const char *path, const struct text_format *fmt,
		    const struct trace_select *sel, struct trace *t, struct time_order *o,
		    char *err, size_t errlen);

#endif
