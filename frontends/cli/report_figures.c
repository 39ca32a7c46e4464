/*
 * Figures from `vssd sim --json+` reports (report_figures.h).
 */
#include "report_figures.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const struct figure_def figures[NFIG] = {
	[FIG_WAF] = {"waf", "WAF", "%.3f", 0},
	[FIG_HOST_WAF] = {"host_waf", "host WAF", "%.3f", 0},
	[FIG_DEV_WAF] = {"device_waf", "dev WAF", "%.3f", 0},
	[FIG_IOPS] = {"iops", "IOPS", "%.0f", 1},
	[FIG_MIBS] = {"mibs", "MiB/s", "%.1f", 1},
	[FIG_W50] = {"write_p50_us", "w p50 us", "%.1f", 0},
	[FIG_W99] = {"write_p99_us", "w p99 us", "%.1f", 0},
	[FIG_W999] = {"write_p99.9_us", "w p99.9 us", "%.1f", 0},
	[FIG_R50] = {"read_p50_us", "r p50 us", "%.1f", 0},
	[FIG_R99] = {"read_p99_us", "r p99 us", "%.1f", 0},
	[FIG_R999] = {"read_p99.9_us", "r p99.9 us", "%.1f", 0},
	[FIG_GC] = {"gc_copies", "GC copies", "%.0f", 0},
	[FIG_ERASE] = {"erases", "erases", "%.0f", 0},
};

/* A member by path "a.b.c", or NULL. */
json_object *json_at(json_object *o, const char *path)
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

double json_num(json_object *o, const char *path)
{
	json_object *v = json_at(o, path);

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
	json_object *jobs = json_at(report, "jobs");

	for (size_t j = 0; jobs && j < json_object_array_length(jobs); j++) {
		json_object *job = json_object_array_get_idx(jobs, j), *bins;
		char path[64];

		if (g >= 0 && json_num(job, "groupid") != g)
			continue;
		snprintf(path, sizeof(path), "%s.clat_ns.bins", dir);
		if (!(bins = json_at(job, path)))
			continue;
		json_object_object_foreach(bins, key, val)
		{
			bins_add(b, strtoull(key, NULL, 10), (uint64_t)json_object_get_int64(val));
		}
	}
}

/* WAF's two parts: what the device was sent over what the user wrote (a
 * host FTL's GC and metadata; 1 with none), and the media's writes over
 * what the device was sent. */
static void host_and_device_waf(json_object *grp, double row[NFIG])
{
	json_object *under = json_at(grp, "open_channel_device");
	double user = json_num(grp, "device.host_write_bytes");

	under = under ? under : json_at(grp, "zoned_device");
	row[FIG_HOST_WAF] = !(user > 0) ? NAN
			    : under	? json_num(under, "host_write_bytes") / user
					: 1;
	row[FIG_DEV_WAF] = under ? json_num(under, "waf") : row[FIG_WAF];
}

void group_figures(json_object *report, int g, double row[NFIG])
{
	json_object *jobs = json_at(report, "jobs"), *grp = json_at(report, "groups");
	double iops = 0, bytes = 0;
	struct bins w = {0}, r = {0};

	grp = grp ? json_object_array_get_idx(grp, (size_t)g) : NULL;
	for (size_t j = 0; jobs && j < json_object_array_length(jobs); j++) {
		json_object *job = json_object_array_get_idx(jobs, j);

		if (json_num(job, "groupid") != g)
			continue;
		iops += json_num(job, "read.iops") + json_num(job, "write.iops");
		bytes += json_num(job, "read.bw_bytes") + json_num(job, "write.bw_bytes");
	}
	group_bins(report, g, "write", &w);
	group_bins(report, g, "read", &r);
	row[FIG_WAF] = json_num(grp, "device.waf");
	host_and_device_waf(grp, row);
	row[FIG_IOPS] = iops;
	row[FIG_MIBS] = bytes / (1 << 20);
	row[FIG_W50] = bins_percentile(&w, 50);
	row[FIG_W99] = bins_percentile(&w, 99);
	row[FIG_W999] = bins_percentile(&w, 99.9);
	row[FIG_R50] = bins_percentile(&r, 50);
	row[FIG_R99] = bins_percentile(&r, 99);
	row[FIG_R999] = bins_percentile(&r, 99.9);
	row[FIG_GC] = json_num(grp, "device.gc_copied_pages");
	row[FIG_ERASE] = json_num(grp, "device.erased_blocks");
	free(w.b);
	free(r.b);
}

int report_groups(json_object *report)
{
	json_object *groups = json_at(report, "groups");

	return groups ? (int)json_object_array_length(groups) : 0;
}

int write_latency_cdf(json_object *report, FILE *f)
{
	struct bins b = {0};
	uint64_t seen = 0;

	group_bins(report, -1, "write", &b);
	if (b.total)
		qsort(b.b, b.n, sizeof(*b.b), by_ns);
	for (size_t i = 0; i < b.n; i++) {
		seen += b.b[i].count;
		fprintf(f, "%.3f %.6f\n", (double)b.b[i].ns / 1e3, (double)seen / (double)b.total);
	}
	free(b.b);
	return b.total > 0;
}
