/*
 * What the plugin reports: latency as the plugin sees each NBD request, per
 * export (the default export and each pid=N), beside the device's own
 * figures. A background thread rewrites a JSON file every interval (the
 * same document as `vssd sim --json`, one "job" per export used); at exit
 * the final JSON goes to that file and the human summary to stderr.
 */
#ifndef VSSD_NBDKIT_STATS_H
#define VSSD_NBDKIT_STATS_H

#include <stdint.h>

#include "vssd/vssd.h"

enum stats_dir { STATS_READ, STATS_WRITE, STATS_TRIM, STATS_FLUSH };

/* Exports: index 0 is the default one, index 1 + i is export names[i]. */
int stats_init(struct vssd *dev, char **names, uint32_t nnames);
void stats_record(int export_index, enum stats_dir dir, uint64_t lat_ns, uint64_t bytes);

/* Starts rewriting path every interval_ns (path NULL: no live file). Returns 0 or -errno. */
int stats_start(const char *path, uint64_t interval_ns);

/* Stops the thread, writes the final JSON (if a path was given) and the text report. */
void stats_finish(void);

#endif
