/*
 * What a frontend that serves a device reports: latency per client as the
 * frontend sees each request (an NBD export, a fio job), beside the
 * device's own figures. A background thread rewrites a JSON file every
 * interval (the same document as `vssd sim --json`, one "job" per client
 * that did I/O); at the end the final JSON goes to that file and the human
 * summary to a stream. Used by the nbdkit plugin and the fio engine.
 */
#ifndef VSSD_FRONTENDS_SERVED_STATS_H
#define VSSD_FRONTENDS_SERVED_STATS_H

#include <stdint.h>
#include <stdio.h>

#include "vssd/vssd.h"

enum served_dir { SERVED_READ, SERVED_WRITE, SERVED_TRIM, SERVED_FLUSH };

/* Starts the statistics of dev (clients are added with served_client). */
void served_init(struct vssd *dev, struct vssd_pblk *pblk); /* pblk: ftl=pblk, or NULL */

/* The index of the client called name, added on first use; -ENOMEM. */
int served_client(const char *name);

void served_record(int client, enum served_dir dir, uint64_t lat_ns, uint64_t bytes);

/* Starts rewriting path every interval_ns (path NULL: no live file). Returns 0 or -errno. */
int served_start(const char *path, uint64_t interval_ns);

/* Stops the thread, writes the final JSON (if a path was given) and the
 * text report to text (unless NULL), and forgets everything. */
void served_finish(FILE *text);

#endif
