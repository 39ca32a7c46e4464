/*
 * Output of a simulation: fio's JSON layout for jobs[] plus vssd's groups[],
 * device and sim objects; a human summary; CSV time series and plots.
 */
#ifndef VSSD_REPORT_REPORT_H
#define VSSD_REPORT_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "core/device.h"
#include "runtime/sim.h"

/* Writes the JSON document; with bins, fio's json+ (each latency
 * histogram's buckets, clat_ns.bins). Returns 0 or -ENOMEM. */
int report_json(FILE *out, const struct vssd_dev *dev, const struct sim_result *res, bool bins);

/* Writes the human summary. */
void report_text(FILE *out, const struct vssd_dev *dev, const struct sim_result *res);

/*
 * Writes DIR/timeseries.csv and, when gnuplot is installed, one PNG per figure in DIR.
 * Returns 0 or a negative errno with a message in err.
 */
int report_csv(const char *dir, const struct sim_result *res, char *err, size_t errlen);

/* A trace's summary, on a line or two (vssd trace-stat, and a replay's report). */
void report_trace_text(FILE *out, const char *format, const struct trace_summary *s,
		       const char *indent);

/* The same as a JSON object (the caller owns it). */
struct json_object *report_trace_json(const char *format, const struct trace_summary *s);

/* Write amplification: media bytes over host bytes (0 when nothing was written). */
double waf_of(uint64_t media_bytes, uint64_t host_bytes);

/* The span die utilisation is measured over: the run, or longer when the
 * dies still had work when the last I/O completed (writes complete from the
 * write buffer before their programs end). */
uint64_t die_window_ns(const struct vssd_dev *dev, uint64_t virtual_ns);

/* Fraction of die_window_ns() die d was busy: at most 1. */
double die_utilisation(const struct vssd_dev *dev, uint32_t die, uint64_t virtual_ns);

#endif
