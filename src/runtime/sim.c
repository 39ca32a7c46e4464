/*
 * The virtual-time event loop. Each job keeps iodepth I/Os in flight as NVMe
 * commands on its queue pair: the doorbell makes the controller fetch and
 * run them at once, and the model gives each its completion time (NVMeVirt
 * computes it the same way). The loop takes the earliest event of its
 * sources (the controller's due completions, pblk's due requests, the
 * jobs' timed submissions) and the clock jumps to it; a power cut the
 * options ask for comes before an event it is due by. Ties go to the
 * sources in table order (completions first), then to submission order,
 * so runs are deterministic. Stonewall groups run one after another.
 */
#include "runtime/sim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/mman.h>

#include "runtime/sim_internal.h"

static uint64_t ctrl_next_ns(const struct sim *s)
{
	return nvme_ctrl_next_due(s->ctrl);
}

static int ctrl_run(struct sim *s)
{
	nvme_ctrl_post_due(s->ctrl, s->now_ns);
	return sim_reap_posted(s);
}

static uint64_t host_ftl_next_ns(const struct sim *s)
{
	return s->host.ftl ? s->host.ops->next_due(s->host.ftl) : UINT64_MAX;
}

static int host_ftl_run(struct sim *s)
{
	s->host.ops->complete_due(s->host.ftl, s->now_ns);
	return s->err[0] ? -EIO : 0;
}

static uint64_t jobs_next_ns(const struct sim *s)
{
	const struct event *e = event_heap_peek(&s->heap);

	return e ? e->t_ns : UINT64_MAX;
}

static int jobs_run(struct sim *s)
{
	struct event e = event_heap_pop(&s->heap);

	return e.kind == EV_DUE ? sim_wake_parked(s, e.job) : sim_submit(s, e.job);
}

/* Where events come from, in the order ties go: completions before new
 * submissions, so what a completion frees is there for them. */
static const struct event_source {
	uint64_t (*next_ns)(const struct sim *s); /* UINT64_MAX: none */
	int (*run)(struct sim *s);		  /* the one due at s->now_ns */
} sources[] = {
	{ctrl_next_ns, ctrl_run},	  /* the device's completions */
	{host_ftl_next_ns, host_ftl_run}, /* a host FTL: its requests' completions */
	{jobs_next_ns, jobs_run},	  /* the jobs' timed submissions */
};

/* Takes events until none is left. */
static int run_events(struct sim *s)
{
	uint64_t events = 0;
	int rc;

	for (;;) {
		const struct event_source *due = NULL;
		uint64_t t_next = UINT64_MAX, t_cut = 0;
		int cut;

		for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
			uint64_t t = sources[i].next_ns(s);

			if (t < t_next) {
				t_next = t;
				due = &sources[i];
			}
		}
		if (!due)
			return 0;
		if ((cut = sim_due_cut(s, t_next, &t_cut)) >= 0) {
			if ((rc = sim_power_cut(s, cut, t_cut)))
				return rc;
			continue;
		}
		s->now_ns = t_next;
		if ((rc = sim_sample(s)) || (rc = due->run(s)))
			return rc;
		if (s->opt->progress && (++events & 0xffff) == 0)
			sim_progress(s);
	}
}

/* A host FTL: I/Os still in flight when no event is left never will complete. */
static int check_host_ftl_drained(struct sim *s, const struct job_file *jf, int g)
{
	for (uint32_t j = 0; j < jf->njobs && s->host.ftl; j++) {
		if (jf->jobs[j].group == g && s->js[j].inflight) {
			const char *why = s->host.ops->error(s->host.ftl);

			snprintf(s->err, s->errlen,
				 "job '%s': %u I/Os never completed: %s stalled%s%s",
				 jf->jobs[j].name, s->js[j].inflight, s->host.ops->name,
				 why ? ": " : "", why ? why : "");
			return -EIO;
		}
	}
	return 0;
}

/* Frees what the jobs of group g (every group when g < 0) hold. */
void sim_counters(const struct sim *s, struct dev_counters *stack, struct dev_counters *device)
{
	struct pblk_stats p;
	struct zftl_stats zs;

	dev_counters(s->dev, stack);
	if (device)
		*device = *stack;
	if (sim_pblk(s)) {
		pblk_get_stats(sim_pblk(s), &p);
		pblk_stats_add(&p, &s->pblk_past);
		pblk_stack_counters(&p, stack);
	}
	if (sim_zftl(s)) {
		zftl_get_stats(sim_zftl(s), &zs);
		zftl_stack_counters(&zs, stack);
	}
}

static void end_jobs(struct sim *s, const struct job_file *jf, int g)
{
	for (uint32_t j = 0; j < jf->njobs; j++) {
		if (g < 0 || jf->jobs[j].group == g) {
			gen_fini(&s->js[j].gen);
			verify_fini(&s->js[j].vlog);
			sim_free_tracks(&s->js[j]);
		}
	}
}

/* fdp=on: every handle's counters now, into *out (allocated once a group). */
static int snapshot_handles(const struct sim *s, struct sim_group_result *gr,
			    struct ftl_ruh_stats **out)
{
	if (!s->dev->cfg.fdp)
		return 0;
	gr->nruh = config_nruh(&s->dev->cfg);
	if (!*out && !(*out = calloc(gr->nruh, sizeof(**out))))
		return -ENOMEM;
	for (uint32_t r = 0; r < gr->nruh; r++)
		dev_ruh_stats(s->dev, (uint16_t)r, &(*out)[r]);
	return 0;
}

static int run_group(struct sim *s, const struct job_file *jf, struct sim_result *res, int g)
{
	struct sim_group_result *gr = &res->groups[g];
	struct timespec t0;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	gr->groupid = g;
	gr->start_ns = s->now_ns;
	sim_counters(s, &gr->before, &gr->device_before);
	if ((rc = snapshot_handles(s, gr, &gr->ruh_before)) ||
	    (rc = sim_start_group(s, jf, res, g)) || (rc = sim_setup_group_queues(s, jf, g)) ||
	    (rc = run_events(s)) || (rc = check_host_ftl_drained(s, jf, g)))
		return rc;
	end_jobs(s, jf, g);
	sim_delete_qps(s);
	gr->end_ns = s->now_ns;
	gr->wall_s = sim_wall_since(&t0);
	sim_counters(s, &gr->after, &gr->device_after);
	return snapshot_handles(s, gr, &gr->ruh_after);
}

/* What the device must be for the run: refusals said before anything starts. */
static int check_device(const struct sim *s, char *err, size_t errlen)
{
	const struct vssd_dev *dev = s->dev;

	/* a zoned namespace takes zonemode=zbd jobs (sim_zbd_start checks them) */
	if (ftl_block_refusal(&dev->cfg) && dev_iocs(dev) != FTL_IOCS_ZNS) {
		snprintf(err, errlen, "%s", ftl_block_refusal(&dev->cfg));
		return -EINVAL;
	}
	if (s->opt->npowerloss && ftl_host_for(&dev->cfg) == FTL_HOST_ZFTL) {
		snprintf(err, errlen,
			 "power cuts with ftl=zns-host: not supported (zftl keeps its map in "
			 "host memory only and cannot recover it)");
		return -EINVAL;
	}
	if (s->opt->npowerloss && !dev->media->keeps_data) {
		snprintf(err, errlen,
			 "a power loss needs a store that keeps data: media=%s keeps "
			 "none; use media=ram or media=file",
			 dev->media->ops->name);
		return -EINVAL;
	}
	return 0;
}

/* The host's side at power-on: the admin queue, pblk's queue and pblk for
 * ftl=pblk, the results' tables. */
static int start_run(struct sim *s, const struct job_file *jf, struct sim_result *res)
{
	int rc;

	if ((rc = check_device(s, s->err, s->errlen)) ||
	    (rc = sim_zbd_start(s, jf, s->err, s->errlen)))
		return rc;
	if ((rc = sim_setup_admin(s))) {
		snprintf(s->err, s->errlen, "cannot set up the admin queue: %s", strerror(-rc));
		return rc;
	}
	if (ftl_host_for(&s->dev->cfg) != FTL_HOST_NONE &&
	    ((rc = sim_create_qp(s, HOST_FTL_QID, HOST_FTL_QUEUE_ENTRIES)) ||
	     (rc = sim_host_ftl_start(s))))
		return rc;
	res->njobs = jf->njobs;
	res->ngroups = jf->ngroups;
	res->opened = s->dev->recovery;
	for (uint32_t j = 0; j < jf->njobs; j++) {
		res->jobs[j].spec = &jf->jobs[j];
		for (int d = 0; d < NDIR_STATS; d++)
			lat_stats_init(&res->jobs[j].dir[d]);
		lat_stats_init(&res->jobs[j].flush);
	}
	clock_gettime(CLOCK_MONOTONIC, &s->wall_start);
	s->last_progress = s->wall_start;
	s->ngroups = jf->ngroups;
	s->njobs = jf->njobs;
	s->res = res;
	res->sample_interval_ns = s->opt->sample_interval_ns;
	s->next_sample_ns = s->opt->sample_interval_ns;
	lat_stats_init(&s->iv_lat[0]);
	lat_stats_init(&s->iv_lat[1]);
	return 0;
}

/* The run's totals, after its last group. */
static int finish_run(struct sim *s, struct sim_result *res)
{
	uint64_t every = s->opt->sample_interval_ns;
	int rc;

	if (every && s->now_ns > s->next_sample_ns - every) {
		s->next_sample_ns = s->now_ns; /* the last, partial interval */
		if ((rc = sim_sample(s)))
			return rc;
	}
	res->wall_s = sim_wall_since(&s->wall_start);
	res->virtual_ns = s->now_ns;
	res->host_ios = s->host_ios;
	sim_counters(s, &res->final, &res->final_device);
	if (sim_pblk(s)) {
		res->has_pblk = true;
		pblk_get_stats(sim_pblk(s), &res->pblk);
	}
	if (sim_zftl(s)) {
		res->has_zftl = true;
		zftl_get_stats(sim_zftl(s), &res->zftl);
	}
	return 0;
}

/* Frees the host's side; after a failure, the jobs' and queues' too. */
static void free_run(struct sim *s, const struct job_file *jf, bool failed)
{
	struct nvme_ctrl *ctrl = s->ctrl;

	if (failed) {
		end_jobs(s, jf, -1);
		for (uint16_t q = 1; q <= s->nqps; q++)
			host_qp_free(&s->qps[q]);
	}
	sim_host_ftl_stop(s);
	if (s->qps[HOST_FTL_QID].entries) {
		host_qp_unregister(&s->qps[HOST_FTL_QID], &ctrl->dma);
		host_qp_free(&s->qps[HOST_FTL_QID]);
	}
	free(s->js);
	sim_zbd_free(s);
	free(s->heap.v);
	if (s->buf) {
		dma_unregister(&ctrl->dma, s->buf);
		munmap(s->buf, s->buf_bytes);
	}
	host_qp_unregister(&s->admin, &ctrl->dma);
	host_qp_free(&s->admin);
	ctrl->on_post = NULL;
}

int sim_run(struct nvme_ctrl *ctrl, const struct job_file *jf, const struct sim_options *opt,
	    struct sim_result *res, char *err, size_t errlen)
{
	struct sim s = {.ctrl = ctrl, .dev = ctrl->ns, .opt = opt, .err = err, .errlen = errlen};
	int rc = -ENOMEM;

	memset(res, 0, sizeof(*res));
	res->jobs = calloc(jf->njobs, sizeof(*res->jobs));
	res->groups = calloc(jf->ngroups, sizeof(*res->groups));
	s.js = calloc(jf->njobs, sizeof(*s.js));
	snprintf(err, errlen, "out of memory");
	if (res->jobs && res->groups && s.js) {
		err[0] = 0;
		rc = start_run(&s, jf, res);
	}
	for (uint32_t g = 0; !rc && g < jf->ngroups; g++) {
		s.group = g;
		rc = run_group(&s, jf, res, (int)g);
	}
	if (!rc)
		rc = finish_run(&s, res);
	if (rc && !err[0])
		snprintf(err, errlen, "simulation failed: %s", strerror(-rc));
	if (opt->progress && sim_wall_since(&s.wall_start) >= 1.0)
		fprintf(stderr, "\r%*s\r", 79, "");
	free_run(&s, jf, rc != 0);
	if (rc)
		sim_result_free(res);
	return rc;
}

void sim_result_free(struct sim_result *res)
{
	free(res->samples);
	free(res->jobs);
	for (uint32_t g = 0; res->groups && g < res->ngroups; g++) {
		free(res->groups[g].ruh_before);
		free(res->groups[g].ruh_after);
	}
	free(res->groups);
	memset(res, 0, sizeof(*res));
}
