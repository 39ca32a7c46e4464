/*
 * Time series as CSV (one row per sample interval of virtual time) and,
 * when gnuplot is on the PATH, one PNG per figure drawn from that CSV.
 */
#include "report/report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The windowed WAF spans this many intervals: steadier than one interval's
 * (a collection falls in one or the next), quicker than the cumulative. */
#define WAF_WINDOW_SAMPLES 10

/* One PNG per figure: its series by CSV column; a latency figure is drawn
 * only when the run had I/O of its direction. */
static const struct plot_def {
	const char *file, *title, *ylabel;
	int log_y;
	int needs_dir; /* 0 read, 1 write: drawn only with such I/O; -1 always */
	struct {
		const char *column, *title;
	} series[4];
} plots[] = {
	{"throughput",
	 "throughput per interval",
	 "MB/s (10^6 bytes/s)",
	 0,
	 -1,
	 {{"read_MBps", "read"}, {"write_MBps", "write"}}},
	{"write_latency",
	 "write completion latency per interval",
	 "us (log scale)",
	 1,
	 1,
	 {{"write_lat_p50_us", "p50"},
	  {"write_lat_p99_us", "p99"},
	  {"write_lat_p99.9_us", "p99.9"},
	  {"write_lat_mean_us", "mean"}}},
	{"read_latency",
	 "read completion latency per interval",
	 "us (log scale)",
	 1,
	 0,
	 {{"read_lat_p50_us", "p50"},
	  {"read_lat_p99_us", "p99"},
	  {"read_lat_p99.9_us", "p99.9"},
	  {"read_lat_mean_us", "mean"}}},
	{"waf",
	 "write amplification: over windows of %.3g s, and since the start",
	 "WAF",
	 0,
	 -1,
	 {{"waf_window", "window"}, {"waf_cumulative", "since the start"}}},
	{"free_lines",
	 "free lines (all reclaim groups)",
	 "lines",
	 0,
	 -1,
	 {{"free_lines", "free lines"}}},
};

/* A percentile cell: empty when the interval had no I/O of that direction
 * (gnuplot leaves a gap). */
static void pct_cells(FILE *f, const struct sim_sample *s, int dir)
{
	for (int k = 0; k < SIM_SAMPLE_PCTS; k++)
		if (s->ios[dir])
			fprintf(f, ",%.3f", (double)s->lat_pct_ns[dir][k] / 1e3);
		else
			fprintf(f, ",");
}

/* WAF from sample `from` (exclusive; -1: the start) to sample i, or an
 * empty cell when the host wrote nothing in between. */
static void waf_cell(FILE *f, const struct sim_result *res, int64_t from, uint32_t i)
{
	static const struct dev_counters zero;
	const struct dev_counters *a = from < 0 ? &zero : &res->samples[from].dev;
	const struct dev_counters *b = &res->samples[i].dev;
	uint64_t host = b->host_write_bytes - a->host_write_bytes;

	if (host)
		fprintf(f, ",%.4f", waf_of(b->media_write_bytes - a->media_write_bytes, host));
	else
		fprintf(f, ",");
}

static int write_rows(FILE *f, const struct sim_result *res)
{
	double interval_s = (double)res->sample_interval_ns / 1e9;

	fprintf(f, "time_s,read_MBps,write_MBps,read_lat_mean_us,write_lat_mean_us,"
		   "write_lat_max_us,waf_interval,waf_cumulative,free_lines,gc_copied_pages,"
		   "read_lat_p50_us,read_lat_p99_us,read_lat_p99.9_us,write_lat_p50_us,"
		   "write_lat_p99_us,write_lat_p99.9_us,waf_window\n");
	for (uint32_t i = 0; i < res->nsamples; i++) {
		const struct sim_sample *s = &res->samples[i];
		double span = i ? (double)(s->t_ns - res->samples[i - 1].t_ns) / 1e9 : interval_s;

		if (span <= 0)
			span = interval_s;
		fprintf(f, "%.6f,%.3f,%.3f,%.3f,%.3f,%.3f", (double)s->t_ns / 1e9,
			(double)s->bytes[0] / span / 1e6, (double)s->bytes[1] / span / 1e6,
			s->ios[0] ? s->lat_sum_ns[0] / (double)s->ios[0] / 1e3 : 0,
			s->ios[1] ? s->lat_sum_ns[1] / (double)s->ios[1] / 1e3 : 0,
			(double)s->lat_max_ns[1] / 1e3);
		waf_cell(f, res, (int64_t)i - 1, i);
		fprintf(f, ",%.4f,%u,%llu",
			waf_of(s->dev.media_write_bytes, s->dev.host_write_bytes),
			s->dev.free_lines, (unsigned long long)s->dev.gc_copied_units);
		pct_cells(f, s, 0);
		pct_cells(f, s, 1);
		waf_cell(f, res, (int64_t)i - WAF_WINDOW_SAMPLES, i);
		fprintf(f, "\n");
	}
	return ferror(f) ? -EIO : 0;
}

/* Whether the run had I/O of direction dir in any interval. */
static int had_io(const struct sim_result *res, int dir)
{
	for (uint32_t i = 0; i < res->nsamples; i++)
		if (res->samples[i].ios[dir])
			return 1;
	return 0;
}

/* A dotted line where each stonewall group after the first begins. */
static void group_marks(FILE *gp, const struct sim_result *res)
{
	for (uint32_t g = 1; g < res->ngroups; g++) {
		double t = (double)res->groups[g].start_ns / 1e9;

		fprintf(gp,
			"set arrow from %.6f, graph 0 to %.6f, graph 1 nohead dt 3 lc rgb "
			"'gray40'\n"
			"set label 'group %d' at %.6f, graph 0.97 offset 0.5, 0 textcolor rgb "
			"'gray40'\n",
			t, t, res->groups[g].groupid, t);
	}
}

static void plot_one(FILE *gp, const char *dir, const struct plot_def *p, double window_s)
{
	fprintf(gp, "set output '%s/%s.png'\nset title '", dir, p->file);
	fprintf(gp, p->title, window_s);
	fprintf(gp, " (virtual time)'\nset ylabel '%s'\n%s\nplot ", p->ylabel,
		p->log_y ? "set logscale y" : "unset logscale y");
	for (int k = 0; k < 4 && p->series[k].column; k++)
		fprintf(gp, "%s'%s/timeseries.csv' using \"time_s\":\"%s\" with lines title '%s'",
			k ? ", " : "", dir, p->series[k].column, p->series[k].title);
	fprintf(gp, "\n");
}

static int plot(const char *dir, const struct sim_result *res, char *err, size_t errlen)
{
	double window_s = (double)res->sample_interval_ns * WAF_WINDOW_SAMPLES / 1e9;
	FILE *gp;

	if (system("command -v gnuplot >/dev/null 2>&1") != 0)
		return 0; /* plots are optional; the CSV is the data */
	if (!(gp = popen("gnuplot 2>/dev/null", "w"))) {
		snprintf(err, errlen, "%s: cannot run gnuplot", dir);
		return -EIO;
	}
	fprintf(gp, "set datafile separator ','; set terminal pngcairo size 900,500 noenhanced\n"
		    "set xlabel 'virtual time (s)'; set key outside; set grid\n");
	group_marks(gp, res);
	for (size_t i = 0; i < sizeof(plots) / sizeof(plots[0]); i++)
		if (plots[i].needs_dir < 0 || had_io(res, plots[i].needs_dir))
			plot_one(gp, dir, &plots[i], window_s);
	if (pclose(gp) != 0) {
		snprintf(err, errlen, "%s: gnuplot failed to draw the plots", dir);
		return -EIO;
	}
	return 0;
}

int report_csv(const char *dir, const struct sim_result *res, char *err, size_t errlen)
{
	char path[4096];
	FILE *f;
	int rc;

	if (mkdir(dir, 0777) && errno != EEXIST) {
		snprintf(err, errlen, "--csv-dir %s: %s", dir, strerror(errno));
		return -errno;
	}
	snprintf(path, sizeof(path), "%s/timeseries.csv", dir);
	f = fopen(path, "w");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	rc = write_rows(f, res);
	if (fclose(f) || rc) {
		snprintf(err, errlen, "%s: write failed", path);
		return -EIO;
	}
	return plot(dir, res, err, errlen);
}
