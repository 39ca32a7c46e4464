/*
 * `vssd compare`: one job file on several variants of one device, each a
 * `vssd sim` process, side by side. cmd_compare.c runs them;
 * compare_report.c lays their reports out as one table, one JSON document
 * and plots.
 */
#ifndef VSSD_CLI_COMPARE_H
#define VSSD_CLI_COMPARE_H

#include <json-c/json.h>
#include <stdio.h>

#include "cli.h"

#define COMPARE_MAX_VARIANTS 16

struct variant {
	char name[64];
	char *sets[CLI_MAX_SETS]; /* key=value, after the command's own --set */
	int nsets;
	int fdp;		/* it sets fdp=on: placement by job for jobs without their own */
	json_object *report;	/* its `vssd sim --json+` document, once run */
	char csv_dir[PATH_MAX]; /* its time series (--plot-dir) */
};

/* The table, a block per stonewall group: WAF, IOPS, MiB/s, write and read
 * latency p50 / p99 / p99.9, GC copies and erases; the best of each column
 * marked. */
void compare_table(FILE *out, const struct variant *v, int n);

/* One document: {"job": ..., "variants": [each variant's sim document,
 * with "variant": {"name", "set"}]}. Returns 0 or -ENOMEM. */
int compare_json(FILE *out, const char *jobfile, const struct variant *v, int n);

/* PNGs in dir, a line per variant: WAF and free lines over time (from
 * each variant's csv_dir) and the write latency CDF. Returns 0, or -1 with
 * err set. Without gnuplot, says so and returns 0. */
int compare_plots(const char *dir, const struct variant *v, int n, char *err, size_t errlen);

#endif
