/*
 * Power cuts the options ask for (--powerloss at=TIME or after=N): the
 * controller loses what is volatile and the device recovers from its
 * media; the host sets its queues up again and the jobs go on, their I/Os
 * in flight lost.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "runtime/sim_internal.h"

/* The earliest power cut still to come that is due by t_next (the next
 * event's time): its index, with its time in *t_cut; or -1. A cut by I/O
 * count is due as soon as the count is reached. */
int sim_due_cut(const struct sim *s, uint64_t t_next, uint64_t *t_cut)
{
	int which = -1;

	for (uint32_t i = 0; i < s->opt->npowerloss; i++) {
		const struct sim_powerloss *p = &s->opt->powerloss[i];
		uint64_t t;

		if (s->cuts_done & (1u << i))
			continue;
		if (p->after_ios ? s->host_ios < p->after_ios : p->at_ns > t_next)
			continue;
		t = p->after_ios || p->at_ns < s->now_ns ? s->now_ns : p->at_ns;
		if (which < 0 || t < *t_cut) {
			which = (int)i;
			*t_cut = t;
		}
	}
	return which;
}

/* The jobs' I/Os in flight at a power cut never complete: their slots take
 * new I/Os once the device is back. */
static int requeue_lost(struct sim *s)
{
	for (uint32_t j = 0; j < s->njobs; j++) {
		struct job_state *js = &s->js[j];
		uint32_t depth = js->tracks ? js->res->spec->iodepth : 0;

		js->free_tracks = NULL;
		for (uint32_t d = 0; d < depth; d++) {
			js->tracks[d].next_free = js->free_tracks;
			js->free_tracks = &js->tracks[d];
		}
		for (; js->inflight; js->inflight--) {
			int rc = sim_heap_push(s, (struct event){.t_ns = s->now_ns, .job = j});
			if (rc)
				return rc;
		}
	}
	s->total_inflight = 0;
	s->idle_since_ns = s->now_ns;
	return 0;
}

/*
 * Power cut `which` at t_ns: the controller drops everything volatile and
 * the device recovers from its media (nvme_ctrl_powerloss); the host, as a
 * driver at the next power-up, enables the controller and creates its I/O
 * queues again, and its jobs go on.
 */
int sim_power_cut(struct sim *s, int which, uint64_t t_ns)
{
	struct sim_powerloss_result *r = &s->res->powerloss[s->res->npowerloss];
	int rc;

	s->cuts_done |= 1u << which;
	s->now_ns = t_ns;
	if ((rc = sim_sample(s)))
		return rc;
	*r = (struct sim_powerloss_result){
		.t_ns = t_ns, .host_ios = s->host_ios, .ios_lost = s->total_inflight};
	if ((rc = nvme_ctrl_powerloss(s->ctrl))) {
		snprintf(s->err, s->errlen, "power loss at %.6f s: the device did not recover: %s",
			 (double)t_ns / 1e9, strerror(-rc));
		return rc;
	}
	r->recovery = s->dev->recovery;
	s->res->npowerloss++;
	s->posted_cqs = 0;
	host_qp_reset(&s->admin, NULL, NULL);
	rc = sim_enable_admin(s);
	for (uint16_t q = 1; !rc && q <= s->nqps; q++) {
		host_qp_reset(&s->qps[q], NULL, NULL);
		rc = sim_create_queues(s, q);
	}
	if (!rc && sim_pblk(s)) { /* the host's memory is gone too: pblk recovers from the media */
		struct pblk_stats p;

		pblk_get_stats(sim_pblk(s), &p);
		pblk_stats_add(&s->pblk_past, &p);
		sim_host_ftl_stop(s);
		host_qp_reset(&s->qps[HOST_FTL_QID], NULL, NULL);
		if (!(rc = sim_create_queues(s, HOST_FTL_QID)) && (rc = sim_host_ftl_start(s)))
			return rc;
		pblk_get_stats(sim_pblk(s), &r->pblk);
	}
	if (rc) {
		snprintf(s->err, s->errlen,
			 "power loss at %.6f s: the queues could not be "
			 "created again: %s",
			 (double)t_ns / 1e9, strerror(-rc));
		return rc;
	}
	return requeue_lost(s);
}
