/*
 * The simulator as a library (`vssd sim`): runs a fio job file on a new
 * device in virtual time. Every I/O is an NVMe command through a queue pair
 * of the job's own; the clock jumps from one event to the next, so a run of
 * hours of device time takes seconds. Same parameters, same job file, same
 * seed: the same report, byte for byte (its wall-clock fields aside).
 */
#ifndef VSSD_SIM_H
#define VSSD_SIM_H

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vssd_sim;

#define VSSD_SIM_MAX_POWERLOSS 16 /* power cuts one run takes */

/* NULL pointers are refused with -EINVAL (vssd_sim_summary does nothing). */

struct vssd_sim_options {
	int progress;		     /* a progress line on stderr */
	uint64_t sample_interval_ns; /* a time series every this many virtual ns (0: none) */
	/* power cuts, NULL-terminated (or NULL): "at=TIME" (a virtual time, 1.5s,
	 * 200ms) or "after=N" (once N host I/Os have been issued). The device
	 * drops what is volatile and recovers from its media (media=ram or
	 * file); I/Os in flight are lost and the jobs go on. At most
	 * VSSD_SIM_MAX_POWERLOSS. */
	const char *const *powerloss;
	/* fdp=on: jobs that choose no placement of their own write through
	 * placement identifier (job index mod the identifiers), each job its
	 * own; the report lists it among their options */
	int place_by_job;
};

/*
 * Builds the device from params ("key=value", a profile= first, as
 * vssd_open()) and runs every group of the job file on it. Returns 0 with
 * the finished run in *out (free with vssd_sim_free), or a negative errno
 * with err naming the bad key, option or line.
 */
int vssd_sim_run(const char *const *params, const char *jobfile, const struct vssd_sim_options *opt,
		 struct vssd_sim **out, char *err, size_t errlen);

enum vssd_report_format {
	VSSD_REPORT_TEXT, /* the human summary */
	VSSD_REPORT_JSON, /* fio's layout, with vssd's groups, device and sim objects */
	/* fio's json+: JSON with each completion latency's histogram buckets
	 * (clat_ns.bins: latency in ns -> count), which fio's tools read */
	VSSD_REPORT_JSON_PLUS,
};
/* Writes the report. Returns 0 or a negative errno. */
int vssd_sim_report(const struct vssd_sim *sim, enum vssd_report_format format, FILE *out);

/* Writes DIR/timeseries.csv (needs sample_interval_ns) and, when gnuplot is
 * installed, a PNG per figure. Returns 0 or a negative errno with err set. */
int vssd_sim_write_csv(const struct vssd_sim *sim, const char *dir, char *err, size_t errlen);

struct vssd_sim_summary {
	uint64_t virtual_ns; /* the run's length in device time */
	uint64_t host_ios;
	uint32_t jobs;
	uint32_t powerloss_asked, powerloss_done; /* cuts past the run's end are not done */
};
void vssd_sim_summary(const struct vssd_sim *sim, struct vssd_sim_summary *out);

/* verify=crc32c: what job j (< jobs) read back and checked. */
struct vssd_sim_verify {
	const char *job;       /* its name */
	uint64_t blocks, bad;  /* checked, and of those wrong */
	const char *first_bad; /* the first wrong block's story, when bad */
};
int vssd_sim_verify(const struct vssd_sim *sim, uint32_t job, struct vssd_sim_verify *out);

void vssd_sim_free(struct vssd_sim *sim);

/*
 * `vssd trace-stat`: what the trace at path holds (requests by kind and
 * size, span in time and bytes, footprint, requests past the end of the
 * device params describe), written to out as text, or JSON when json is
 * set. format and volume are trace_format= and trace_volume= (NULL: told
 * from the contents; none). Returns 0 or a negative errno with err set.
 */
int vssd_trace_stat(const char *const *params, const char *path, const char *format,
		    const char *volume, int json, FILE *out, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
