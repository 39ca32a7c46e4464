/*
 * Block traces for replay, each read into one list of timed requests:
 *
 *   iolog     fio iolog v2 (no times; `wait` actions in us) and v3 (ms)
 *   blktrace  blktrace binary files (ns), queue events, either byte order
 *   msr       MSR Cambridge CSV (100 ns ticks, bytes)
 *   disksim   DiskSim ASCII as MQSim and SSDSim ship traces (ns, sectors)
 *   alibaba   Alibaba Cloud block trace CSV (us, bytes)
 *   tencent   Tencent CBS CSV (s, sectors)
 *
 * The format is recognised from the file's contents unless one is named.
 * Times count from the trace's first request (an iolog v3 from its first line).
 * Times that go back, and a span implausible for the format's unit, are
 * warnings (struct trace's warning[]), not errors: the trace still replays.
 */
#ifndef VSSD_WORKLOAD_TRACE_H
#define VSSD_WORKLOAD_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "workload/job.h"

struct trace_rec {
	uint64_t t_ns;	 /* since the trace's first request */
	uint64_t offset; /* bytes */
	uint64_t len;	 /* bytes */
	uint32_t line;	 /* line (text) or record number (blktrace), for messages */
	uint8_t dir;	 /* enum io_dir */
};

#define TRACE_MAX_WARNINGS 3
#define TRACE_WARNING_LEN 240

struct trace {
	struct trace_rec *rec;
	size_t n, cap;
	const char *format;
	const char *unit; /* of its times as written: "ns", "100 ns", "us", "ms", "s" */
	/* times that look wrong ("FILE:LINE: ..."), replayed all the same */
	char warning[TRACE_MAX_WARNINGS][TRACE_WARNING_LEN];
	uint32_t nwarnings;
};

#define TRACE_FORMATS "iolog, blktrace, msr, disksim, alibaba, tencent"

/* What to read: a format (NULL: recognised from the contents), and the one
 * volume (device, disk) of a trace that holds several (the text formats). */
struct trace_select {
	const char *format;
	bool volume_set;
	uint64_t volume;
};

/* Reads a trace. Returns 0 or a negative errno with "FILE:LINE: message";
 * a text trace of several volumes without a volume chosen is refused,
 * naming them. */
int trace_load_select(const char *path, const struct trace_select *sel, struct trace *t, char *err,
		      size_t errlen);
int trace_load(const char *path, struct trace *t, char *err, size_t errlen);
bool trace_format_known(const char *name);

/* Requests whose time is earlier than one before them: how many, the
 * first one's line, and the most any is earlier by. */
struct trace_backwards {
	uint64_t n, max_ns;
	uint32_t first_line;
};

/* Adds t's warnings (trace_check.c): times that go back, and a span
 * implausible for the format's unit. */
void trace_check_times(struct trace *t, const char *path, const struct trace_backwards *b);
void trace_free(struct trace *t);

#endif
