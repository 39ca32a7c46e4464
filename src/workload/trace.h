/*
 * Block traces for replay: fio iolog v2 and v3, blktrace binary files and
 * MSR Cambridge CSV, each read into one list of timed requests. The format
 * is recognised from the file's first bytes.
 */
#ifndef VSSD_WORKLOAD_TRACE_H
#define VSSD_WORKLOAD_TRACE_H

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

struct trace {
	struct trace_rec *rec;
	size_t n, cap;
	const char *format;
};

/* Reads a trace. Returns 0 or a negative errno with "FILE:LINE: message". */
int trace_load(const char *path, struct trace *t, char *err, size_t errlen);
void trace_free(struct trace *t);

#endif
