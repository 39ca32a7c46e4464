/*
 * Statistics of a device a frontend serves in real time: latency per client
 * as the frontend sees each request (an NBD export, a fio job), beside the
 * device's own figures. A background thread can rewrite a JSON file every
 * interval (the same document as `vssd sim --json`, one "job" per client
 * that did I/O); at the end the final JSON goes to that file and the human
 * summary to a stream. The nbdkit plugin and the fio engine use it.
 */
#ifndef VSSD_SERVED_H
#define VSSD_SERVED_H

#include <stdint.h>
#include <stdio.h>

#include "vssd/vssd.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vssd_served;

/* open, client and start refuse NULL pointers with -EINVAL; record takes
 * what open gave; close(NULL) does nothing. */

enum vssd_served_dir { VSSD_SERVED_READ, VSSD_SERVED_WRITE, VSSD_SERVED_TRIM, VSSD_SERVED_FLUSH };

/* Starts the statistics of dev, timed from now (pblk: ftl=pblk's, whose
 * figures join the report, or NULL). Returns 0 or -ENOMEM. */
int vssd_served_open(struct vssd *dev, struct vssd_pblk *pblk, struct vssd_served **out);

/* The index of the client called name, added on first use; or -ENOMEM. */
int vssd_served_client(struct vssd_served *s, const char *name);

/* One request of a client: its latency as the frontend timed it
 * (vssd_clock_ns()) and its bytes. Thread-safe. */
void vssd_served_record(struct vssd_served *s, int client, enum vssd_served_dir dir,
			uint64_t lat_ns, uint64_t bytes);

/* Rewrites path every interval_ns from now on (path NULL: no live file).
 * Returns 0 or a negative errno. */
int vssd_served_start(struct vssd_served *s, const char *path, uint64_t interval_ns);

/* Stops the thread, writes the final JSON (if a path was given) and the
 * text report to text (unless NULL), and frees s (NULL: nothing). */
void vssd_served_close(struct vssd_served *s, FILE *text);

#ifdef __cplusplus
}
#endif

#endif
