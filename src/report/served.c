/*
 * Statistics of a served device, written with the simulator's report code:
 * each client that did I/O is a "job" whose latencies are the frontend's
 * wall-clock service times, the whole run is one group, and the device figures come
 * from a snapshot taken with the runtime locked.
 */
#include "vssd/served.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "host/api_internal.h"
#include "report/report.h"
#include "util/clock.h"

struct client_stats {
	struct job_spec spec; /* only its name and group: what the report prints */
	bool used;	      /* did I/O: only these are reported */
	struct lat_stats dir[NDIR_STATS];
	struct lat_stats flush;
};

struct vssd_served {
	pthread_mutex_t lock; /* the tables below */
	struct vssd *dev;
	struct vssd_pblk *pblk;	      /* ftl=pblk: its figures join the report */
	struct client_stats **client; /* each apart: reports hold pointers to them */
	uint32_t nclients;
	uint64_t start_ns;
	/* live file */
	char *path;
	uint64_t interval_ns;
	pthread_t thread;
	bool running, stop;
	pthread_cond_t wake;
};

int vssd_served_open(struct vssd *dev, struct vssd_pblk *pblk, struct vssd_served **out)
{
	struct vssd_served *s;

	if (!dev || !out)
		return -EINVAL;
	if (!(s = calloc(1, sizeof(*s))))
		return -ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	s->dev = dev;
	s->pblk = pblk;
	s->start_ns = mono_ns();
	*out = s;
	return 0;
}

int vssd_served_client(struct vssd_served *st, const char *name)
{
	struct client_stats **grown, *c;
	int i;

	if (!st || !name)
		return -EINVAL;
	pthread_mutex_lock(&st->lock);
	for (i = 0; i < (int)st->nclients; i++)
		if (!strcmp(st->client[i]->spec.name, name))
			goto out;
	grown = realloc(st->client, (st->nclients + 1) * sizeof(*grown));
	c = calloc(1, sizeof(*c));
	if (grown)
		st->client = grown;
	if (!grown || !c) {
		free(c);
		i = -ENOMEM;
		goto out;
	}
	st->client[st->nclients++] = c;
	snprintf(c->spec.name, sizeof(c->spec.name), "%s", name);
	for (int d = 0; d < NDIR_STATS; d++)
		lat_stats_init(&c->dir[d]);
	lat_stats_init(&c->flush);
out:
	pthread_mutex_unlock(&st->lock);
	return i;
}

void vssd_served_record(struct vssd_served *st, int client, enum vssd_served_dir dir,
			uint64_t lat_ns, uint64_t bytes)
{
	struct client_stats *c;

	pthread_mutex_lock(&st->lock);
	c = st->client[client];
	c->used = true;
	lat_stats_add(dir == VSSD_SERVED_FLUSH ? &c->flush : &c->dir[dir], lat_ns, bytes);
	pthread_mutex_unlock(&st->lock);
}

struct snapshot {
	const struct vssd_served *st;
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
	const struct vssd_dev *dev = libvssd_ctrl_of(s->st->dev)->ns;
	FILE *out = open_memstream(&s->text, &s->len);

	if (!out)
		return;
	dev_counters(dev, &s->res.final);
	s->res.final_device = s->res.final;
	if (s->res.has_pblk) /* the stack's figures: the clients' I/O through pblk */
		pblk_stack_counters(&s->res.pblk, &s->res.final);
	s->group.after = s->res.final;
	s->group.device_after = s->res.final_device;
	if (s->json)
		report_json(out, dev, &s->res, false);
	else
		report_text(out, dev, &s->res);
	fclose(out);
}

/* The report so far as text (JSON or human); the caller frees it. */
static char *report_now(struct vssd_served *st, bool json)
{
	struct snapshot s = {.st = st, .json = json};
	uint64_t elapsed = mono_ns() - st->start_ns;
	struct sim_job_result *jobs;

	pthread_mutex_lock(&st->lock);
	jobs = calloc(st->nclients + 1, sizeof(*jobs));
	for (uint32_t i = 0; jobs && i < st->nclients; i++) {
		struct client_stats *c = st->client[i];

		if (!c->used)
			continue;
		jobs[s.res.njobs] = (struct sim_job_result){
			.spec = &c->spec, .flush = c->flush, .end_ns = elapsed};
		memcpy(jobs[s.res.njobs].dir, c->dir, sizeof(c->dir));
		s.res.njobs++;
	}
	pthread_mutex_unlock(&st->lock);
	if (!jobs)
		return NULL;
	s.group = (struct sim_group_result){.end_ns = elapsed, .wall_s = (double)elapsed / 1e9};
	s.res.jobs = jobs;
	s.res.groups = &s.group;
	s.res.ngroups = 1;
	s.res.wall_s = (double)elapsed / 1e9;
	s.res.virtual_ns = elapsed; /* the real-time device's clock is the wall clock */
	s.res.real_time = true;
	if (st->pblk) {
		s.res.has_pblk = true;
		libvssd_pblk_report_stats(st->pblk, &s.res.pblk);
	}
	for (uint32_t j = 0; j < s.res.njobs; j++)
		for (int d = 0; d < NDIR_STATS; d++)
			s.res.host_ios += jobs[j].dir[d].n;
	libvssd_locked(st->dev, write_report, &s);
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
		fprintf(stderr, "vssd: stats=%s: %s\n", path, strerror(errno));
		return;
	}
	fputs(text, f);
	if (fclose(f) || rename(tmp, path))
		fprintf(stderr, "vssd: stats=%s: %s\n", path, strerror(errno));
}

static void write_stats_file(struct vssd_served *st)
{
	char *json = report_now(st, true);

	if (json)
		write_file(st->path, json);
	free(json);
}

static void *stats_thread(void *arg)
{
	struct vssd_served *st = arg;

	pthread_mutex_lock(&st->lock);
	while (!st->stop) {
		struct timespec until;
		uint64_t ns;

		clock_gettime(CLOCK_REALTIME, &until);
		ns = (uint64_t)until.tv_nsec + st->interval_ns;
		until.tv_sec += (time_t)(ns / 1000000000u);
		until.tv_nsec = (long)(ns % 1000000000u);
		pthread_cond_timedwait(&st->wake, &st->lock, &until);
		if (st->stop)
			break;
		pthread_mutex_unlock(&st->lock);
		write_stats_file(st);
		pthread_mutex_lock(&st->lock);
	}
	pthread_mutex_unlock(&st->lock);
	return NULL;
}

int vssd_served_start(struct vssd_served *st, const char *path, uint64_t interval_ns)
{
	if (!st)
		return -EINVAL;
	if (!path)
		return 0;
	st->path = strdup(path);
	st->interval_ns = interval_ns;
	if (!st->path)
		return -ENOMEM;
	write_stats_file(st); /* the file exists from the start */
	if (pthread_create(&st->thread, NULL, stats_thread, st))
		return -EAGAIN;
	st->running = true;
	return 0;
}

void vssd_served_close(struct vssd_served *st, FILE *text_out)
{
	char *text;

	if (!st)
		return;
	if (st->running) {
		pthread_mutex_lock(&st->lock);
		st->stop = true;
		pthread_cond_signal(&st->wake);
		pthread_mutex_unlock(&st->lock);
		pthread_join(st->thread, NULL);
		st->running = false;
	}
	if (st->path)
		write_stats_file(st);
	if (text_out && (text = report_now(st, false))) {
		fputs(text, text_out);
		free(text);
	}
	for (uint32_t i = 0; i < st->nclients; i++)
		free(st->client[i]);
	free(st->client);
	free(st->path);
	pthread_mutex_destroy(&st->lock);
	pthread_cond_destroy(&st->wake);
	free(st);
}
