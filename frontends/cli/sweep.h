/*
 * `vssd sweep`: a grid of parameters and job files, each point one `vssd
 * sim --json+` run, merged into one CSV and one JSON file. sweep_spec.c
 * reads the spec and expands its points; cmd_sweep.c runs them (locally,
 * through Slurm, or prints them for another scheduler) and resumes;
 * sweep_results.c merges and plots.
 */
#ifndef VSSD_CLI_SWEEP_H
#define VSSD_CLI_SWEEP_H

#include <json-c/json.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>

#include "cli.h"

#define SWEEP_MAX_AXES 16
#define SWEEP_MAX_VALUES 256
#define SWEEP_MAX_JOBS 64

struct sweep_axis {
	char key[64];
	char *values[SWEEP_MAX_VALUES];
	char *pairs[SWEEP_MAX_VALUES]; /* key=value of each, as --set takes it */
	int n;
};

struct sweep_spec {
	char path[PATH_MAX];
	char profile[PATH_MAX];	    /* [sweep] profile, or empty */
	char *jobs[SWEEP_MAX_JOBS]; /* paths as given, and resolved from the spec's folder */
	int njobs;
	char *sets[CLI_MAX_SETS]; /* [set]: key=value for every point */
	int nsets;
	struct sweep_axis axes[SWEEP_MAX_AXES]; /* [axes], in the file's order */
	int naxes;
	size_t npoints; /* jobs x every axis's values */
};

/* Reads and checks a spec; every parameter and value is checked as a
 * device would take it. Returns 0, or 2 having said what is wrong and on
 * which line. */
int sweep_spec_read(const char *path, struct sweep_spec *s);
void sweep_spec_free(struct sweep_spec *s);

/* Point i's job (index into jobs) and each axis's value index; the last
 * axis varies fastest, the job slowest. */
void sweep_point(const struct sweep_spec *s, size_t i, int *job, int value[SWEEP_MAX_AXES]);

/* Point i's `vssd sim` command line (free the array with free(); its
 * strings are the spec's): argv[0] this program. */
char **sweep_argv(const struct sweep_spec *s, size_t i);

/* What --plot asks: Y against X, a line per BY value, of group GROUP (the
 * last: -1); error bars over the other axes (the seeds). */
struct sweep_plot {
	char x[64], y[64], by[64];
	int group;
};

/* Parses "X=op Y=waf BY=gc_policy GROUP=1" against the spec. Returns 0 or 2
 * having said why. */
int sweep_plot_parse(const char *text, const struct sweep_spec *s, struct sweep_plot *p);

/* Draws dir/plot.png (data in dir/plot.dat) from the points' reports.
 * Returns 0 (without gnuplot, having said so) or 1. */
int sweep_plot_draw(const struct sweep_spec *s, const char *dir, const struct sweep_plot *p,
		    json_object *const *reports);

/* Merges the points' reports in dir/points into dir/results.csv and
 * dir/results.json, and with a plot dir/plot.png. Returns 0, or 1 having
 * said which point's report is missing or bad. */
int sweep_merge(const struct sweep_spec *s, const char *dir, const struct sweep_plot *plot);

/* Point i as a shell command line: its run into a .part file, then the
 * rename that makes its report whole (what print and slurm run). */
void sweep_point_command(FILE *out, const struct sweep_spec *s, const char *dir, size_t i);

/* Executors: the n points todo[] of the spec, their reports into
 * dir/points. Local: at most jobs at once, with a progress line. Slurm: an
 * sbatch array of them, waited for. Each returns 0, or 1 having said which
 * points failed and where their stderr is. */
int sweep_run_local(const struct sweep_spec *s, const char *dir, const size_t *todo, size_t n,
		    int jobs);
int sweep_run_slurm(const struct sweep_spec *s, const char *dir, const size_t *todo, size_t n);

/* dir/points/NNNNNN.json, point i's report. */
void sweep_point_path(const char *dir, size_t i, char *out, size_t len);

#endif
