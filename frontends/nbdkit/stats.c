/*
 * Statistics of a served device, written with the simulator's report code:
 * each export used is a "job" whose latencies are the plugin's wall-clock
 * service times, the whole run is one group, and the device figures come
 * from a snapshot taken with the runtime locked.
 */
#include "stats.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nbdkit-plugin.h>

#include "host/api_internal.h"
#include "report/report.h"

struct export_stats {
	struct job_spec spec; /* only its name and group: what the report prints */
	struct lat_stats dir[NDIR_STATS];
	struct lat_stats flush;
};

static struct {
	pthread_mutex_t lock; /* the tables below */
	struct vssd *dev;
	struct export_stats **exp; /* made on first use */
	char **names;
	uint32_t nexports;
	uint64_t start_ns;
	/* live file */
	char *path;
	uint64_t interval_ns;
	pthread_t thread;
	bool running, stop;
	pthread_cond_t wake;
} st = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int stats_init(struct vssd *dev, char **names, uint32_t nnames)
{
	st.dev = dev;
	st.names = names;
	st.nexports = nnames + 1;
	st.exp = calloc(st.nexports, sizeof(*st.exp));
	st.start_ns = mono_ns();
	return st.exp ? 0 : -ENOMEM;
}

static struct export_stats *export_of(int i)
{
	struct export_stats *e = st.exp[i];

	if (e)
		return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	snprintf(e->spec.name, sizeof(e->spec.name), "%s", i ? st.names[i - 1] : "default");
	for (int d = 0; d < NDIR_STATS; d++)
		lat_stats_init(&e->dir[d]);
	lat_stats_init(&e->flush);
	return st.exp[i] = e;
}

void stats_record(int export_index, enum stats_dir dir, uint64_t lat_ns, uint64_t bytes)
{
	struct export_stats *e;

	pthread_mutex_lock(&st.lock);
	if ((e = export_of(export_index)))
		lat_stats_add(dir == STATS_FLUSH ? &e->flush : &e->dir[dir], lat_ns, bytes);
	pthread_mutex_unlock(&st.lock);
}

struct snapshot {
	struct sim_result res;
	struct sim_group_result group;
	bool json;
	char *text;
	size_t len;
};

/* Builds the report with the runtime locked, so the device holds still. */
static void write_report(void *arg)
{
	struct snapshot *s = arg;
	const struct vssd_dev *dev = vssd_ctrl_of(st.dev)->dev;
	FILE *out = open_memstream(&s->text, &s->len);

	if (!out)
		return;
	dev_counters(dev, &s->res.final);
	s->group.after = s->res.final;
	if (s->json)
		report_json(out, dev, &s->res);
	else
		report_text(out, dev, &s->res);
	fclose(out);
}

/* The report so far as text (JSON or human); the caller frees it. */
static char *report_now(bool json)
{
	struct snapshot s = {.json = json};
	uint64_t elapsed = mono_ns() - st.start_ns;
	struct sim_job_result *jobs = calloc(st.nexports, sizeof(*jobs));

	if (!jobs)
		return NULL;
	pthread_mutex_lock(&st.lock);
	for (uint32_t i = 0; i < st.nexports; i++) {
		if (!st.exp[i])
			continue;
		jobs[s.res.njobs] = (struct sim_job_result){.spec = &st.exp[i]->spec,
							     .flush = st.exp[i]->flush,
							     .end_ns = elapsed};
		memcpy(jobs[s.res.njobs].dir, st.exp[i]->dir, sizeof(st.exp[i]->dir));
		s.res.njobs++;
	}
	pthread_mutex_unlock(&st.lock);
	s.group = (struct sim_group_result){.end_ns = elapsed, .wall_s = (double)elapsed / 1e9};
	s.res.jobs = jobs;
	s.res.groups = &s.group;
	s.res.ngroups = 1;
	s.res.wall_s = (double)elapsed / 1e9;
	s.res.virtual_ns = elapsed; /* the real-time device's clock is the wall clock */
	s.res.real_time = true;
	for (uint32_t j = 0; j < s.res.njobs; j++)
		for (int d = 0; d < NDIR_STATS; d++)
			s.res.host_ios += jobs[j].dir[d].n;
	vssd_locked(st.dev, write_report, &s);
	free(jobs);
	return s.text;
}

/* Replaces path's content at once (write a temporary file, rename it). */
static void write_file(const char *path, const char *text)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (!(f = fopen(tmp, "w"))) {
		nbdkit_error("vssd: stats=%s: %s", path, strerror(errno));
		return;
	}
	fputs(text, f);
	if (fclose(f) || rename(tmp, path))
		nbdkit_error("vssd: stats=%s: %s", path, strerror(errno));
}

static void write_stats_file(void)
{
	char *json = report_now(true);

	if (json)
		write_file(st.path, json);
	free(json);
}

static void *stats_thread(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&st.lock);
	while (!st.stop) {
		struct timespec until;
		uint64_t ns;

		clock_gettime(CLOCK_REALTIME, &until);
		ns = (uint64_t)until.tv_nsec + st.interval_ns;
		until.tv_sec += (time_t)(ns / 1000000000u);
		until.tv_nsec = (long)(ns % 1000000000u);
		pthread_cond_timedwait(&st.wake, &st.lock, &until);
		if (st.stop)
			break;
		pthread_mutex_unlock(&st.lock);
		write_stats_file();
		pthread_mutex_lock(&st.lock);
	}
	pthread_mutex_unlock(&st.lock);
	return NULL;
}

int stats_start(const char *path, uint64_t interval_ns)
{
	if (!path)
		return 0;
	st.path = strdup(path);
	st.interval_ns = interval_ns;
	if (!st.path)
		return -ENOMEM;
	write_stats_file(); /* the file exists from the start */
	if (pthread_create(&st.thread, NULL, stats_thread, NULL))
		return -EAGAIN;
	st.running = true;
	return 0;
}

void stats_finish(void)
{
	char *text;

	if (!st.dev)
		return;
	if (st.running) {
		pthread_mutex_lock(&st.lock);
		st.stop = true;
		pthread_cond_signal(&st.wake);
		pthread_mutex_unlock(&st.lock);
		pthread_join(st.thread, NULL);
		st.running = false;
	}
	if (st.path)
		write_stats_file();
	if ((text = report_now(false)))
		fputs(text, stderr);
	free(text);
	for (uint32_t i = 0; i < st.nexports; i++)
		free(st.exp[i]);
	free(st.exp);
	free(st.path);
	st.exp = NULL;
	st.path = NULL;
	st.dev = NULL;
}
