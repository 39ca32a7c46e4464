/*
 * The variants' reports side by side: a table per stonewall group (its
 * latency percentiles from the group's jobs' histogram bins merged, so a
 * group of several jobs has one exact figure), one JSON document, and
 * plots with a line per variant.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "report_figures.h"

/* The best value of column c over n rows, or NAN when fewer than two
 * differ (nothing to mark). */
static double best_of(double rows[][NFIG], int n, int c)
{
	double best = NAN;
	int differ = 0;

	for (int i = 0; i < n; i++) {
		double x = rows[i][c];

		if (isnan(x))
			continue;
		differ |= !isnan(best) && x != best;
		if (isnan(best) || (figures[c].higher_is_better ? x > best : x < best))
			best = x;
	}
	return differ ? best : NAN;
}

/* The variant's capacity and whether its jobs were placed by job. */
static void variant_line(FILE *out, const struct variant *v, double first_capacity)
{
	json_object *jobs = json_at(v->report, "jobs");
	double cap = json_num(v->report, "device.logical_bytes");
	int by_job = 0;

	for (size_t j = 0; jobs && j < json_object_array_length(jobs); j++) {
		json_object *plids =
			json_at(json_object_array_get_idx(jobs, j), "job options.plids");

		by_job |= plids && strstr(json_object_get_string(plids), "placement by job");
	}
	fprintf(out, "  %-18s capacity %.2f GiB%s%s\n", v->name, cap / (1 << 30),
		cap != first_capacity ? " (differs from the first: see its report's device)" : "",
		v->fdp ? (by_job ? "; placement by job" : "; placement the job's own") : "");
}

void compare_table(FILE *out, const struct variant *v, int n)
{
	json_object *groups = json_at(v[0].report, "groups");
	int ngroups = groups ? (int)json_object_array_length(groups) : 0;
	double first_capacity = json_num(v[0].report, "device.logical_bytes");
	double(*rows)[NFIG] = calloc((size_t)n, sizeof(*rows));

	if (!rows)
		return;
	fprintf(out, "variants (best of each column marked *):\n");
	for (int i = 0; i < n; i++)
		variant_line(out, &v[i], first_capacity);
	for (int g = 0; g < ngroups; g++) {
		fprintf(out, "\ngroup %d\n%-18s", g, "variant");
		for (int c = 0; c < NFIG; c++)
			fprintf(out, " %11s", figures[c].head);
		fprintf(out, "\n");
		for (int i = 0; i < n; i++)
			group_figures(v[i].report, g, rows[i]);
		for (int i = 0; i < n; i++) {
			fprintf(out, "%-18s", v[i].name);
			for (int c = 0; c < NFIG; c++) {
				char cell[40];

				if (isnan(rows[i][c]))
					snprintf(cell, sizeof(cell), "-");
				else
					snprintf(cell, sizeof(cell), figures[c].fmt, rows[i][c]);
				fprintf(out, " %10s%s", cell,
					rows[i][c] == best_of(rows, n, c) ? "*" : " ");
			}
			fprintf(out, "\n");
		}
	}
	free(rows);
}

int compare_json(FILE *out, const char *jobfile, const struct variant *v, int n)
{
	json_object *root = json_object_new_object(), *arr = json_object_new_array();

	if (!root || !arr)
		return -ENOMEM;
	json_object_object_add(root, "job", json_object_new_string(jobfile));
	for (int i = 0; i < n; i++) {
		json_object *about = json_object_new_object(), *sets = json_object_new_array();

		for (int k = 0; k < v[i].nsets; k++)
			json_object_array_add(sets, json_object_new_string(v[i].sets[k]));
		json_object_object_add(about, "name", json_object_new_string(v[i].name));
		json_object_object_add(about, "set", sets);
		json_object_object_add(v[i].report, "variant", about);
		json_object_array_add(arr, json_object_get(v[i].report));
	}
	json_object_object_add(root, "variants", arr);
	fprintf(out, "%s\n",
		json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return 0;
}

/* Variant v's write latency CDF into path. */
static void write_cdf(const struct variant *v, const char *path)
{
	FILE *f = fopen(path, "w");

	if (f) {
		write_latency_cdf(v->report, f);
		fclose(f);
	}
}

/* One figure: a line per variant of a time series column, or of its CDF file. */
static void plot_lines(FILE *gp, const char *dir, const struct variant *v, int n,
		       const char *column, const char *suffix)
{
	for (int i = 0; i < n; i++) {
		if (column)
			fprintf(gp,
				"%s'%s/timeseries.csv' using \"time_s\":\"%s\" with lines "
				"title '%s'",
				i ? ", " : "", v[i].csv_dir, column, v[i].name);
		else
			fprintf(gp, "%s'%s/%s%s' using 1:2 with lines title '%s'", i ? ", " : "",
				dir, v[i].name, suffix, v[i].name);
	}
	fprintf(gp, "\n");
}

int compare_plots(const char *dir, const struct variant *v, int n, char *err, size_t errlen)
{
	char path[PATH_MAX + 64];
	FILE *gp;

	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s.write_cdf.dat", dir, v[i].name);
		write_cdf(&v[i], path);
	}
	if (system("command -v gnuplot >/dev/null 2>&1")) {
		fprintf(stderr,
			"vssd compare: gnuplot is not installed: %s has the data, no plots\n", dir);
		return 0;
	}
	if (!(gp = popen("gnuplot", "w"))) {
		snprintf(err, errlen, "%s: cannot run gnuplot", dir);
		return -1;
	}
	fprintf(gp, "set datafile separator ','; set terminal pngcairo size 900,500 noenhanced\n"
		    "set key outside; set grid\nset xlabel 'virtual time (s)'\n");
	fprintf(gp,
		"set output '%s/waf.png'; set title 'WAF since the start, by variant'\n"
		"set ylabel 'WAF'; plot ",
		dir);
	plot_lines(gp, dir, v, n, "waf_cumulative", NULL);
	fprintf(gp,
		"set output '%s/free_lines.png'; set title 'free lines, by variant'\n"
		"set ylabel 'free lines'; plot ",
		dir);
	plot_lines(gp, dir, v, n, "free_lines", NULL);
	fprintf(gp,
		"set datafile separator whitespace; set logscale x\n"
		"set output '%s/write_latency_cdf.png'\n"
		"set title 'write completion latency, every group, by variant'\n"
		"set xlabel 'latency (us)'; set ylabel 'fraction of writes'; set yrange [0:1]\n"
		"plot ",
		dir);
	plot_lines(gp, dir, v, n, NULL, ".write_cdf.dat");
	if (pclose(gp)) {
		snprintf(err, errlen, "%s: gnuplot failed to draw the plots", dir);
		return -1;
	}
	return 0;
}
