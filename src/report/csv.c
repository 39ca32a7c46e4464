/*
 * Time series as CSV (one row per sample interval of virtual time) and,
 * when gnuplot is on the PATH, one PNG per figure drawn from that CSV.
 */
#include "report/report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const plots[][3] = {
	/* file, y label, columns to plot */
	{"throughput", "MB/s", "2:title 'read', '' using 1:3 title 'write'"},
	{"latency", "usec", "4:title 'read mean', '' using 1:5 title 'write mean', "
			    "'' using 1:6 title 'write max'"},
	{"waf", "WAF", "7:title 'interval', '' using 1:8 title 'cumulative'"},
	{"free_lines", "free lines", "9:title 'free lines'"},
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
		fprintf(f, "%.6f,%.3f,%.3f,%.3f,%.3f,%.3f,%.4f,%.4f,%u,%llu\n",
			(double)s->t_ns / 1e9, (double)s->bytes[0] / span / 1e6,
			(double)s->bytes[1] / span / 1e6,
			s->ios[0] ? s->lat_sum_ns[0] / (double)s->ios[0] / 1e3 : 0,
			s->ios[1] ? s->lat_sum_ns[1] / (double)s->ios[1] / 1e3 : 0,
			(double)s->lat_max_ns[1] / 1e3,
			waf_of(s->dev.media_write_bytes - prev.media_write_bytes,
			       s->dev.host_write_bytes - prev.host_write_bytes),
			waf_of(s->dev.media_write_bytes, s->dev.host_write_bytes), s->dev.free_lines,
			(unsigned long long)s->dev.gc_copied_units);
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
			      "set xlabel 'virtual time (s)'; set key outside; ");
	for (size_t i = 0; i < sizeof(plots) / sizeof(plots[0]); i++)
		n += (size_t)snprintf(script + n, sizeof(script) - n,
				      "set output '%s/%s.png'; set ylabel '%s'; "
				      "plot '%s/timeseries.csv' every ::1 using 1:%s with lines; ",
				      dir, plots[i][0], plots[i][1], dir, plots[i][2]);
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
