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

/* A member by path "a.b.c", or NULL. */
static json_object *get(json_object *o, const char *path)
{
	char key[64];

	while (o && *path) {
		size_t n = strcspn(path, ".");

		snprintf(key, sizeof(key), "%.*s", (int)n, path);
		if (!json_object_object_get_ex(o, key, &o))
			return NULL;
		path += n + (path[n] == '.');
	}
	return o;
}

static double num(json_object *o, const char *path)
{
	json_object *v = get(o, path);

	return v ? json_object_get_double(v) : NAN;
}

/* Latency bins (ns -> count) of one direction of the jobs of a group,
 * merged. */
struct bin {
	uint64_t ns, count;
};

struct bins {
	struct bin *b;
	size_t n, cap;
	uint64_t total;
};

static void bins_add(struct bins *b, uint64_t ns, uint64_t count)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 256;
		if (!(b->b = realloc(b->b, b->cap * sizeof(*b->b))))
			abort(); /* a table's worth of memory */
	}
	b->b[b->n++] = (struct bin){ns, count};
	b->total += count;
}

static int by_ns(const void *x, const void *y)
{
	uint64_t a = ((const struct bin *)x)->ns, b = ((const struct bin *)y)->ns;

	return a < b ? -1 : a > b;
}

/* The percentile p of the merged bins, in microseconds, or NAN for none:
 * the first latency at which the counts reach p of all. */
static double bins_percentile(struct bins *b, double p)
{
	uint64_t rank = (uint64_t)ceil(p / 100 * (double)b->total), seen = 0;

	if (!b->total)
		return NAN;
	qsort(b->b, b->n, sizeof(*b->b), by_ns);
	for (size_t i = 0; i < b->n; i++)
		if ((seen += b->b[i].count) >= (rank ? rank : 1))
			return (double)b->b[i].ns / 1e3;
	return NAN;
}

/* The bins of direction dir of the jobs of group g (every group: g < 0). */
static void group_bins(json_object *report, int g, const char *dir, struct bins *b)
{
	json_object *jobs = get(report, "jobs");

	for (size_t j = 0; jobs && j < json_object_array_length(jobs); j++) {
		json_object *job = json_object_array_get_idx(jobs, j), *bins;
		char path[64];

		if (g >= 0 && num(job, "groupid") != g)
			continue;
		snprintf(path, sizeof(path), "%s.clat_ns.bins", dir);
		if (!(bins = get(job, path)))
			continue;
		json_object_object_foreach(bins, key, val)
		{
			bins_add(b, strtoull(key, NULL, 10), (uint64_t)json_object_get_int64(val));
		}
	}
}

enum column {
	C_WAF,
	C_IOPS,
	C_MIBS,
	C_W50,
	C_W99,
	C_W999,
	C_R50,
	C_R99,
	C_R999,
	C_GC,
	C_ERASE,
	NCOL
};

static const struct {
	const char *head;
	const char *fmt;
	int higher_is_better;
} columns[NCOL] = {
	{"WAF", "%.3f", 0},	  {"IOPS", "%.0f", 1},	   {"MiB/s", "%.1f", 1},
	{"w p50 us", "%.1f", 0},  {"w p99 us", "%.1f", 0}, {"w p99.9 us", "%.1f", 0},
	{"r p50 us", "%.1f", 0},  {"r p99 us", "%.1f", 0}, {"r p99.9 us", "%.1f", 0},
	{"GC copies", "%.0f", 0}, {"erases", "%.0f", 0},
};

/* Variant v's figures for group g (NAN where it has none). */
static void group_row(json_object *report, int g, double *row)
{
	json_object *jobs = get(report, "jobs"), *grp = get(report, "groups");
	double iops = 0, bytes = 0;
	struct bins w = {0}, r = {0};

	grp = grp ? json_object_array_get_idx(grp, (size_t)g) : NULL;
	for (size_t j = 0; jobs && j < json_object_array_length(jobs); j++) {
		json_object *job = json_object_array_get_idx(jobs, j);

		if (num(job, "groupid") != g)
			continue;
		iops += num(job, "read.iops") + num(job, "write.iops");
		bytes += num(job, "read.bw_bytes") + num(job, "write.bw_bytes");
	}
	group_bins(report, g, "write", &w);
	group_bins(report, g, "read", &r);
	row[C_WAF] = num(grp, "device.waf");
	row[C_IOPS] = iops;
	row[C_MIBS] = bytes / (1 << 20);
	row[C_W50] = bins_percentile(&w, 50);
	row[C_W99] = bins_percentile(&w, 99);
	row[C_W999] = bins_percentile(&w, 99.9);
	row[C_R50] = bins_percentile(&r, 50);
	row[C_R99] = bins_percentile(&r, 99);
	row[C_R999] = bins_percentile(&r, 99.9);
	row[C_GC] = num(grp, "device.gc_copied_pages");
	row[C_ERASE] = num(grp, "device.erased_blocks");
	free(w.b);
	free(r.b);
}

/* The best value of column c over n rows, or NAN when fewer than two
 * differ (nothing to mark). */
static double best_of(double rows[][NCOL], int n, int c)
{
	double best = NAN;
	int differ = 0;

	for (int i = 0; i < n; i++) {
		double x = rows[i][c];

		if (isnan(x))
			continue;
		differ |= !isnan(best) && x != best;
		if (isnan(best) || (columns[c].higher_is_better ? x > best : x < best))
			best = x;
	}
	return differ ? best : NAN;
}

/* The variant's capacity and whether its jobs were placed by job. */
static void variant_line(FILE *out, const struct variant *v, double first_capacity)
{
	json_object *jobs = get(v->report, "jobs");
	double cap = num(v->report, "device.logical_bytes");
	int by_job = 0;

	for (size_t j = 0; jobs && j < json_object_array_length(jobs); j++) {
		json_object *plids = get(json_object_array_get_idx(jobs, j), "job options.plids");

		by_job |= plids && strstr(json_object_get_string(plids), "placement by job");
	}
	fprintf(out, "  %-18s capacity %.2f GiB%s%s\n", v->name, cap / (1 << 30),
		cap != first_capacity ? " (differs from the first: see its report's device)" : "",
		v->fdp ? (by_job ? "; placement by job" : "; placement the job's own") : "");
}

void compare_table(FILE *out, const struct variant *v, int n)
{
	json_object *groups = get(v[0].report, "groups");
	int ngroups = groups ? (int)json_object_array_length(groups) : 0;
	double first_capacity = num(v[0].report, "device.logical_bytes");
	double(*rows)[NCOL] = calloc((size_t)n, sizeof(*rows));

	if (!rows)
		return;
	fprintf(out, "variants (best of each column marked *):\n");
	for (int i = 0; i < n; i++)
		variant_line(out, &v[i], first_capacity);
	for (int g = 0; g < ngroups; g++) {
		fprintf(out, "\ngroup %d\n%-18s", g, "variant");
		for (int c = 0; c < NCOL; c++)
			fprintf(out, " %11s", columns[c].head);
		fprintf(out, "\n");
		for (int i = 0; i < n; i++)
			group_row(v[i].report, g, rows[i]);
		for (int i = 0; i < n; i++) {
			fprintf(out, "%-18s", v[i].name);
			for (int c = 0; c < NCOL; c++) {
				char cell[40];

				if (isnan(rows[i][c]))
					snprintf(cell, sizeof(cell), "-");
				else
					snprintf(cell, sizeof(cell), columns[c].fmt, rows[i][c]);
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

/* Variant v's write latency CDF (every group's writes) into path: a line
 * per bin, microseconds and the fraction at or below. Returns whether it
 * has writes. */
static int write_cdf(const struct variant *v, const char *path)
{
	struct bins b = {0};
	uint64_t seen = 0;
	FILE *f;

	group_bins(v->report, -1, "write", &b);
	if (!b.total || !(f = fopen(path, "w"))) {
		free(b.b);
		return 0;
	}
	qsort(b.b, b.n, sizeof(*b.b), by_ns);
	for (size_t i = 0; i < b.n; i++) {
		seen += b.b[i].count;
		fprintf(f, "%.3f %.6f\n", (double)b.b[i].ns / 1e3, (double)seen / (double)b.total);
	}
	fclose(f);
	free(b.b);
	return 1;
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
