/*
 * The figures of a `vssd sim` JSON report that compare and sweep lay side
 * by side: per stonewall group WAF (the stack's, and under a host FTL
 * the host's and the device's parts of it), IOPS, MiB/s, write and read latency
 * percentiles (from the group's jobs' histogram bins merged, so a group of
 * several jobs has one exact figure: needs --json+), GC copies, erases.
 */
#ifndef VSSD_CLI_REPORT_FIGURES_H
#define VSSD_CLI_REPORT_FIGURES_H

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>

enum figure {
	FIG_WAF,
	FIG_HOST_WAF,
	FIG_DEV_WAF,
	FIG_IOPS,
	FIG_MIBS,
	FIG_W50,
	FIG_W99,
	FIG_W999,
	FIG_R50,
	FIG_R99,
	FIG_R999,
	FIG_GC,
	FIG_ERASE,
	NFIG
};

struct figure_def {
	const char *key;  /* in CSV headers and --plot: waf, iops, ... */
	const char *head; /* in tables */
	const char *fmt;
	int higher_is_better;
};

extern const struct figure_def figures[NFIG];

/* A member by path "a.b.c", or NULL; its number, or NAN. */
json_object *json_at(json_object *o, const char *path);
double json_num(json_object *o, const char *path);

/* The figures of group g of a report (NAN where it has none). */
void group_figures(json_object *report, int g, double out[NFIG]);

/* The groups a report has. */
int report_groups(json_object *report);

/* The write latency CDF over every group's writes into f: a line per
 * histogram bin, microseconds and the fraction at or below. Returns
 * whether there were writes. */
int write_latency_cdf(json_object *report, FILE *f);

#endif
