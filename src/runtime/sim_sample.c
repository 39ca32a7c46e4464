/*
 * What a long run shows while it runs and after: the time series (one
 * sample per interval of virtual time, with the device's counters at its
 * end) and the progress line on stderr.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/sim_internal.h"

double sim_wall_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

/* How far a job is: by runtime, by bytes, or by trace records. */
static double job_done_fraction(const struct sim *s, const struct job_state *js)
{
	const struct job_gen *g = &js->gen;
	double f = 0;

	if (js->finished)
		return 1;
	if (js->stop_ns != UINT64_MAX)
		f = (double)(s->now_ns - js->start_ns) / (double)(js->stop_ns - js->start_ns);
	if (g->trace.n)
		f = f > 0 ? f
			  : (double)(g->trace_loop * g->trace.n + g->trace_pos) /
				    ((double)g->trace.n * (double)js->res->spec->loops);
	else if (g->budget_bytes != UINT64_MAX)
		f = fmax(f, (double)g->issued_bytes / (double)g->budget_bytes);
	if (js->res->spec->number_ios)
		f = fmax(f, (double)g->issued_ios / (double)js->res->spec->number_ios);
	return f > 1 ? 1 : f;
}

void sim_progress(struct sim *s)
{
	double wall = sim_wall_since(&s->wall_start), done = 0;
	struct dev_counters c;
	uint32_t n = 0;

	if (wall < 1.0 || sim_wall_since(&s->last_progress) < 0.5)
		return;
	clock_gettime(CLOCK_MONOTONIC, &s->last_progress);
	for (uint32_t j = 0; j < s->njobs; j++) {
		if (s->js[j].res && s->js[j].res->spec->group == (int)s->group) {
			done += job_done_fraction(s, &s->js[j]);
			n++;
		}
	}
	sim_counters(s, &c, NULL);
	fprintf(stderr, "\rgroup %u/%u %3.0f%%  virtual %.3f s  %llu I/Os  %.2f M I/O/s  WAF %.3f ",
		s->group + 1, s->ngroups, n ? 100 * done / n : 0, (double)s->now_ns / 1e9,
		(unsigned long long)s->host_ios, (double)s->host_ios / wall / 1e6,
		c.host_write_bytes ? (double)c.media_write_bytes / (double)c.host_write_bytes : 0);
	fflush(stderr);
}

/* The interval's p50, p99 and p99.9 of each direction; its histograms
 * start again for the next. */
static void interval_percentiles(struct sim *s)
{
	static const double pct[SIM_SAMPLE_PCTS] = {50, 99, 99.9};

	for (int d = 0; d < 2; d++) {
		if (!s->iv_lat[d].n)
			continue;
		for (int k = 0; k < SIM_SAMPLE_PCTS; k++)
			s->iv.lat_pct_ns[d][k] = lat_stats_percentile(&s->iv_lat[d], pct[k]);
		lat_stats_init(&s->iv_lat[d]);
	}
}

/* Closes every time-series interval that ended before now. */
int sim_sample(struct sim *s)
{
	struct sim_result *res = s->res;
	struct dev_counters c;

	if (!s->opt->sample_interval_ns || s->now_ns < s->next_sample_ns)
		return 0;
	sim_counters(s, &c, NULL);
	while (s->now_ns >= s->next_sample_ns) {
		if (res->nsamples == s->samples_cap) {
			uint32_t cap = s->samples_cap ? s->samples_cap * 2 : 1024;
			struct sim_sample *p = realloc(res->samples, cap * sizeof(*p));

			if (!p)
				return -ENOMEM;
			res->samples = p;
			s->samples_cap = cap;
		}
		s->iv.t_ns = s->next_sample_ns;
		s->iv.dev = c;
		interval_percentiles(s);
		res->samples[res->nsamples++] = s->iv;
		memset(&s->iv, 0, sizeof(s->iv));
		s->next_sample_ns += s->opt->sample_interval_ns;
	}
	return 0;
}
