/*
 * The virtual-time event loop. Each job keeps iodepth I/Os in flight: a
 * submission asks the device, which answers with the completion time at
 * once (NVMeVirt computes it the same way); the completion is an event, and
 * at it the job submits its next I/O (after thinktime). Events are taken in
 * (time, sequence) order, so runs are deterministic.
 */
#include "runtime/sim.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "workload/generator.h"

enum ev_kind { EV_SUBMIT, EV_COMPLETE };

/* I/Os generated ahead of their submission; the sequence is the same. */
#define LOOKAHEAD 2

struct event {
	uint64_t t_ns;
	uint64_t seq;
	uint64_t submit_ns;
	uint32_t job;
	uint32_t nlb;
	uint8_t kind;
	uint8_t dir;
};

struct event_heap {
	struct event *ev;
	uint32_t len, cap;
};

struct job_state {
	struct job_gen gen;
	struct sim_job_result *res;
	uint64_t start_ns;
	uint64_t stop_ns; /* no submissions from here on (runtime) */
	uint32_t inflight;
	bool finished;
	bool has_pending;
	struct io_req pending; /* trace request waiting for its time */
	/* the job's next I/Os, generated early so the device can prefetch */
	struct io_req ahead[LOOKAHEAD];
	uint32_t nahead;
	bool gen_done;
};

struct sim {
	struct vssd_dev *dev;
	const struct sim_options *opt;
	struct event_heap heap;
	struct job_state *js;
	uint64_t seq;
	uint64_t now_ns;
	uint64_t total_inflight;
	uint64_t host_ios;
	uint8_t *buf;
	uint64_t buf_bytes;
	/* time series */
	uint64_t next_sample_ns;
	struct sim_sample iv; /* the interval being filled */
	struct sim_result *res;
	uint32_t samples_cap;
	uint64_t idle_since_ns;
	/* progress */
	struct timespec wall_start, last_progress;
	uint32_t group, ngroups, njobs;
	char *err;
	size_t errlen;
};

static bool ev_before(const struct event *a, const struct event *b)
{
	return a->t_ns < b->t_ns || (a->t_ns == b->t_ns && a->seq < b->seq);
}

static int heap_push(struct sim *s, struct event e)
{
	struct event_heap *h = &s->heap;
	uint32_t i;

	if (h->len == h->cap) {
		uint32_t cap = h->cap ? h->cap * 2 : 256;
		struct event *p = realloc(h->ev, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		h->ev = p;
		h->cap = cap;
	}
	e.seq = s->seq++;
	i = h->len++;
	while (i && ev_before(&e, &h->ev[(i - 1) / 2])) {
		h->ev[i] = h->ev[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->ev[i] = e;
	return 0;
}

static struct event heap_pop(struct event_heap *h)
{
	struct event top = h->ev[0], last = h->ev[--h->len];
	uint32_t i = 0;

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= h->len)
			break;
		if (c + 1 < h->len && ev_before(&h->ev[c + 1], &h->ev[c]))
			c++;
		if (!ev_before(&h->ev[c], &last))
			break;
		h->ev[i] = h->ev[c];
		i = c;
	}
	if (h->len)
		h->ev[i] = last;
	return top;
}

static double wall_since(const struct timespec *a)
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
		f = f > 0 ? f : (double)g->trace_pos / (double)g->trace.n;
	else if (g->budget_bytes != UINT64_MAX)
		f = fmax(f, (double)g->issued_bytes / (double)g->budget_bytes);
	if (js->res->spec->number_ios)
		f = fmax(f, (double)g->issued_ios / (double)js->res->spec->number_ios);
	return f > 1 ? 1 : f;
}

static void progress(struct sim *s)
{
	double wall = wall_since(&s->wall_start), done = 0;
	struct dev_counters c;
	uint32_t n = 0;

	if (wall < 1.0 || wall_since(&s->last_progress) < 0.5)
		return;
	clock_gettime(CLOCK_MONOTONIC, &s->last_progress);
	for (uint32_t j = 0; j < s->njobs; j++) {
		if (s->js[j].res && s->js[j].res->spec->group == (int)s->group) {
			done += job_done_fraction(s, &s->js[j]);
			n++;
		}
	}
	dev_counters(s->dev, &c);
	fprintf(stderr, "\rgroup %u/%u %3.0f%%  virtual %.3f s  %llu I/Os  %.2f M I/O/s  WAF %.3f ",
		s->group + 1, s->ngroups, n ? 100 * done / n : 0, (double)s->now_ns / 1e9,
		(unsigned long long)s->host_ios, (double)s->host_ios / wall / 1e6,
		c.host_write_bytes ? (double)c.media_write_bytes / (double)c.host_write_bytes : 0);
	fflush(stderr);
}

/* Closes every time-series interval that ended before now. */
static int sample(struct sim *s)
{
	struct sim_result *res = s->res;
	struct dev_counters c;

	if (!s->opt->sample_interval_ns || s->now_ns < s->next_sample_ns)
		return 0;
	dev_counters(s->dev, &c);
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
		res->samples[res->nsamples++] = s->iv;
		memset(&s->iv, 0, sizeof(s->iv));
		s->next_sample_ns += s->opt->sample_interval_ns;
	}
	return 0;
}

/* Data for a write: each 4 KiB unit stamped with its LBA and a counter, so
 * stored data differs from place to place and from write to write. */
static void fill_pattern(struct sim *s, uint64_t slba, uint64_t bytes)
{
	for (uint64_t off = 0; off < bytes; off += 8) {
		uint64_t word = (slba + off / 4096) ^ (s->host_ios << 32) ^ off;

		memcpy(s->buf + off, &word, sizeof(word));
	}
}

static int issue(struct sim *s, uint32_t j, const struct io_req *io)
{
	struct vssd_dev *dev = s->dev;
	bool data = dev->media->keeps_data;
	uint64_t bytes = (uint64_t)io->nlb * dev->geo.lba_bytes, done = s->now_ns;
	int rc;

	/* background GC gets the gaps in which nothing was outstanding */
	if (!s->total_inflight && s->now_ns > s->idle_since_ns)
		dev_idle(dev, s->now_ns);
	switch (io->dir) {
	case DIR_READ:
		rc = dev_read(dev, io->slba, io->nlb, data ? s->buf : NULL, s->now_ns, &done);
		break;
	case DIR_WRITE:
		if (data)
			fill_pattern(s, io->slba, bytes);
		rc = dev_write(dev, io->slba, io->nlb, data ? s->buf : NULL, s->now_ns, &done);
		break;
	case DIR_TRIM:
		rc = dev_trim(dev, io->slba, io->nlb, s->now_ns, &done);
		break;
	default:
		rc = dev_flush(dev, s->now_ns, &done);
		break;
	}
	if (rc) {
		snprintf(s->err, s->errlen, "job '%s': device error %d (%s) at LBA %llu",
			 s->js[j].res->spec->name, rc, strerror(-rc), (unsigned long long)io->slba);
		return rc;
	}
	s->js[j].inflight++;
	s->total_inflight++;
	s->host_ios++;
	return heap_push(s, (struct event){.t_ns = done, .submit_ns = s->now_ns, .job = j,
					   .nlb = io->nlb, .kind = EV_COMPLETE, .dir = io->dir});
}

/* The job's next I/O. Keeps LOOKAHEAD generated ahead and tells the device
 * about them, two stages apart, so map lookups are cache hits when they count. */
static bool next_io(struct sim *s, struct job_state *js, struct io_req *io)
{
	while (js->nahead < LOOKAHEAD && !js->gen_done) {
		if (!gen_next(&js->gen, &js->ahead[js->nahead])) {
			js->gen_done = true;
			break;
		}
		if (js->ahead[js->nahead].nlb)
			dev_prefetch(s->dev, js->ahead[js->nahead].slba, 0);
		js->nahead++;
	}
	if (!js->nahead)
		return false;
	*io = js->ahead[0];
	memmove(js->ahead, js->ahead + 1, --js->nahead * sizeof(*io));
	if (js->nahead && js->ahead[0].nlb)
		dev_prefetch(s->dev, js->ahead[0].slba, 1);
	return true;
}

static int submit(struct sim *s, uint32_t j)
{
	struct job_state *js = &s->js[j];
	struct io_req io;

	if (js->finished)
		return 0;
	if (s->now_ns >= js->stop_ns) {
		js->finished = true;
		return 0;
	}
	if (js->has_pending) {
		io = js->pending;
		js->has_pending = false;
	} else if (!next_io(s, js, &io)) {
		js->finished = true;
		return 0;
	}
	if (js->start_ns + io.not_before_ns > s->now_ns) {
		js->pending = io;
		js->has_pending = true;
		return heap_push(s, (struct event){.t_ns = js->start_ns + io.not_before_ns,
						   .job = j, .kind = EV_SUBMIT});
	}
	return issue(s, j, &io);
}

static int complete(struct sim *s, const struct event *e)
{
	struct job_state *js = &s->js[e->job];
	uint64_t lat = e->t_ns - e->submit_ns;
	uint64_t bytes = (uint64_t)e->nlb * s->dev->geo.lba_bytes;

	js->inflight--;
	if (!--s->total_inflight)
		s->idle_since_ns = e->t_ns;
	if (e->dir == DIR_FLUSH)
		lat_stats_add(&js->res->flush, lat, 0);
	else
		lat_stats_add(&js->res->dir[e->dir], lat, bytes);
	if (e->t_ns > js->res->end_ns)
		js->res->end_ns = e->t_ns;
	if (e->dir <= DIR_WRITE) {
		s->iv.bytes[e->dir] += bytes;
		s->iv.ios[e->dir]++;
		s->iv.lat_sum_ns[e->dir] += (double)lat;
		if (lat > s->iv.lat_max_ns[e->dir])
			s->iv.lat_max_ns[e->dir] = lat;
	}
	if (js->res->spec->thinktime_ns)
		return heap_push(s, (struct event){.t_ns = e->t_ns + js->res->spec->thinktime_ns,
						   .job = e->job, .kind = EV_SUBMIT});
	return submit(s, e->job);
}

static int start_group(struct sim *s, const struct job_file *jf, struct sim_result *res, int g)
{
	const struct geometry *geo = &s->dev->geo;

	for (uint32_t j = 0; j < jf->njobs; j++) {
		struct job_state *js = &s->js[j];
		const struct job_spec *spec = &jf->jobs[j];
		uint64_t seed = s->opt->seed * 0x9e3779b97f4a7c15ULL + j;
		int rc;

		if (spec->group != g)
			continue;
		rc = gen_init(&js->gen, spec, dev_capacity_lbas(s->dev), geo->lba_bytes, seed,
			      s->err, s->errlen);
		if (rc)
			return rc;
		if (js->gen.max_io_bytes > s->buf_bytes && s->dev->media->keeps_data) {
			uint8_t *b = realloc(s->buf, js->gen.max_io_bytes);

			if (!b)
				return -ENOMEM;
			s->buf = b;
			s->buf_bytes = js->gen.max_io_bytes;
		}
		js->res = &res->jobs[j];
		js->start_ns = s->now_ns;
		js->res->start_ns = js->res->end_ns = s->now_ns;
		js->stop_ns = spec->runtime_ns ? s->now_ns + spec->runtime_ns : UINT64_MAX;
		for (uint32_t d = 0; d < spec->iodepth; d++) {
			rc = heap_push(s, (struct event){.t_ns = s->now_ns, .job = j,
							 .kind = EV_SUBMIT});
			if (rc)
				return rc;
		}
	}
	return 0;
}

static int run_group(struct sim *s, const struct job_file *jf, struct sim_result *res, int g)
{
	struct sim_group_result *gr = &res->groups[g];
	struct timespec t0;
	uint64_t events = 0;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	gr->groupid = g;
	gr->start_ns = s->now_ns;
	dev_counters(s->dev, &gr->before);
	if ((rc = start_group(s, jf, res, g)))
		return rc;
	while (s->heap.len) {
		struct event e = heap_pop(&s->heap);

		s->now_ns = e.t_ns;
		if ((rc = sample(s)))
			return rc;
		rc = e.kind == EV_SUBMIT ? submit(s, e.job) : complete(s, &e);
		if (rc)
			return rc;
		if (s->opt->progress && (++events & 0xffff) == 0)
			progress(s);
	}
	for (uint32_t j = 0; j < jf->njobs; j++)
		if (jf->jobs[j].group == g)
			gen_fini(&s->js[j].gen);
	gr->end_ns = s->now_ns;
	gr->wall_s = wall_since(&t0);
	dev_counters(s->dev, &gr->after);
	return 0;
}

int sim_run(struct vssd_dev *dev, const struct job_file *jf, const struct sim_options *opt,
	    struct sim_result *res, char *err, size_t errlen)
{
	struct sim s = {.dev = dev, .opt = opt, .err = err, .errlen = errlen};
	int rc = -ENOMEM;

	memset(res, 0, sizeof(*res));
	res->jobs = calloc(jf->njobs, sizeof(*res->jobs));
	res->groups = calloc(jf->ngroups, sizeof(*res->groups));
	s.js = calloc(jf->njobs, sizeof(*s.js));
	snprintf(err, errlen, "out of memory");
	if (!res->jobs || !res->groups || !s.js)
		goto out;
	err[0] = 0;
	res->njobs = jf->njobs;
	res->ngroups = jf->ngroups;
	for (uint32_t j = 0; j < jf->njobs; j++) {
		res->jobs[j].spec = &jf->jobs[j];
		for (int d = 0; d < NDIR_STATS; d++)
			lat_stats_init(&res->jobs[j].dir[d]);
		lat_stats_init(&res->jobs[j].flush);
	}
	clock_gettime(CLOCK_MONOTONIC, &s.wall_start);
	s.last_progress = s.wall_start;
	s.ngroups = jf->ngroups;
	s.njobs = jf->njobs;
	s.res = res;
	res->sample_interval_ns = opt->sample_interval_ns;
	s.next_sample_ns = opt->sample_interval_ns;
	for (uint32_t g = 0; g < jf->ngroups; g++) {
		s.group = g;
		if ((rc = run_group(&s, jf, res, (int)g)))
			goto out;
	}
	if (opt->sample_interval_ns && s.now_ns > s.next_sample_ns - opt->sample_interval_ns) {
		s.next_sample_ns = s.now_ns; /* the last, partial interval */
		if ((rc = sample(&s)))
			goto out;
	}
	res->wall_s = wall_since(&s.wall_start);
	res->virtual_ns = s.now_ns;
	res->host_ios = s.host_ios;
	dev_counters(dev, &res->final);
	rc = 0;
out:
	if (rc && !err[0])
		snprintf(err, errlen, "simulation failed: %s", strerror(-rc));
	if (opt->progress && wall_since(&s.wall_start) >= 1.0)
		fprintf(stderr, "\r%*s\r", 79, "");
	if (rc)
		for (uint32_t j = 0; j < jf->njobs; j++)
			gen_fini(&s.js[j].gen);
	free(s.js);
	free(s.heap.ev);
	free(s.buf);
	if (rc)
		sim_result_free(res);
	return rc;
}

void sim_result_free(struct sim_result *res)
{
	free(res->samples);
	free(res->jobs);
	free(res->groups);
	memset(res, 0, sizeof(*res));
}
