/*
 * Time series as CSV (one row per sample interval of virtual time) and,
 * when gnuplot is on the PATH, one PNG per figure drawn from that CSV.
 */
#include "report/report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* One PNG per figure: file name, y label, and its series as (column, title). */
static const struct {
	const char *file, *ylabel;
	struct {
		int column;
		const char *title;
	} series[3];
} plots[] = {
	{"throughput", "MB/s", {{2, "read"}, {3, "write"}}},
	{"latency", "usec", {{4, "read mean"}, {5, "write mean"}, {6, "write max"}}},
	{"waf", "WAF", {{7, "interval"}, {8, "cumulative"}}},
	{"free_lines", "free lines", {{9, "free lines"}}},
};

static int write_rows(FILE *f, const struct sim_result *res)
{
	double interval_s = (double)res->sample_interval_ns / 1e9;
	struct dev_counters prev = {0};

	fprintf(f, "time_s,read_MBps,write_MBps,read_lat_mean_us,write_lat_mean_us,"
		   "write_lat_max_us,waf_interval,waf_cumulative,free_lines,gc_copied_pages\n");
	for (uint32_t i = 0; i < res->nsamples; i++) {
		const struct sim_sample *s = &res->samples[i];
		double span = i ? (double)(s->t_ns - res->samples[i - 1].t_ns) / 1e9 : interval_s;

		if (span <= 0)
			span = interval_s;
		uint64_t host = s->dev.host_write_bytes - prev.host_write_bytes;
		char waf[32] = ""; /* empty: no host writes, no WAF (gnuplot skips it) */

		if (host)
			snprintf(waf, sizeof(waf), "%.4f",
				 waf_of(s->dev.media_write_bytes - prev.media_write_bytes, host));
		fprintf(f, "%.6f,%.3f,%.3f,%.3f,%.3f,%.3f,%s,%.4f,%u,%llu\n", (double)s->t_ns / 1e9,
			(double)s->bytes[0] / span / 1e6, (double)s->bytes[1] / span / 1e6,
			s->ios[0] ? s->lat_sum_ns[0] / (double)s->ios[0] / 1e3 : 0,
			s->ios[1] ? s->lat_sum_ns[1] / (double)s->ios[1] / 1e3 : 0,
			(double)s->lat_max_ns[1] / 1e3, waf,
			waf_of(s->dev.media_write_bytes, s->dev.host_write_bytes),
			s->dev.free_lines, (unsigned long long)s->dev.gc_copied_units);
		prev = s->dev;
	}
	return ferror(f) ? -EIO : 0;
}

static int plot(const char *dir, char *err, size_t errlen)
{
	char script[4096], cmd[4400];
	size_t n = 0;
	FILE *p;

	if (system("command -v gnuplot >/dev/null 2>&1") != 0)
		return 0; /* plots are optional; the CSV is the data */
	n += (size_t)snprintf(script + n, sizeof(script) - n,
			      "set datafile separator ','; set terminal png size 900,500; "
			      "set xlabel 'virtual time (s)'; set key outside; "
			      "set key autotitle columnheader\n");
	for (size_t i = 0; i < sizeof(plots) / sizeof(plots[0]); i++) {
		n += (size_t)snprintf(script + n, sizeof(script) - n,
				      "set output '%s/%s.png'; set ylabel '%s'; plot ", dir,
				      plots[i].file, plots[i].ylabel);
		for (int k = 0; k < 3 && plots[i].series[k].column; k++)
			n += (size_t)snprintf(script + n, sizeof(script) - n,
					      "%s'%s/timeseries.csv' using 1:%d with lines "
					      "title '%s'",
					      k ? ", " : "", dir, plots[i].series[k].column,
					      plots[i].series[k].title);
		n += (size_t)snprintf(script + n, sizeof(script) - n, "\n");
	}
	snprintf(cmd, sizeof(cmd), "gnuplot 2>/dev/null");
	p = popen(cmd, "w");
	if (!p || fputs(script, p) < 0 || pclose(p) != 0) {
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
	return plot(dir, err, errlen);
}
