/*
 * The virtual-time event loop. Each job keeps iodepth I/Os in flight as NVMe
 * commands on its queue pair: the doorbell makes the controller fetch and
 * run them at once, and the model gives each its completion time (NVMeVirt
 * computes it the same way). The loop takes the earliest of the
 * controller's due completions and the jobs' timed submissions (thinktime,
 * trace timestamps); at a completion the job submits its next I/O. Ties go
 * to completions, then to submission order, so runs are deterministic.
 * A job with verify=crc32c stamps its writes and, once they are done, reads
 * back and checks what it wrote (workload/verify.c).
 */
#include "runtime/sim.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/mman.h>

#include "host/pblk/pblk.h"
#include "nvme/host_qp.h"
#include "util/heap.h"
#include "vssd/vssd.h"
#include "workload/generator.h"
#include "workload/verify.h"

enum ev_kind { EV_SUBMIT };

/* ftl=pblk: pblk's vector commands go on a queue pair of their own, the last
 * one, so the jobs have one fewer. */
#define PBLK_QID (NVME_MAX_QUEUES - 1)
#define PBLK_QUEUE_ENTRIES 128

/* I/Os generated ahead of their submission; the sequence is the same. */
#define LOOKAHEAD 2
#define ADMIN_ENTRIES 16
#define MAX_QUEUE_ENTRIES (NVME_MQES + 1)

struct event {
	uint64_t t_ns;
	uint64_t seq;
	uint32_t job;
	uint8_t kind;
};

static inline bool ev_before(const struct event *a, const struct event *b)
{
	return a->t_ns < b->t_ns || (a->t_ns == b->t_ns && a->seq < b->seq);
}

HEAP_DEFINE(event_heap, struct event, ev_before)

struct sim;

/* One fio I/O in flight: one NVMe command, or several when it is over MDTS. */
struct io_track {
	struct sim *s;
	struct io_track *next_free;
	uint64_t submit_ns;
	uint32_t job;
	uint32_t nlb;
	uint32_t parts_left;
	uint16_t status; /* the first failure, if any */
	uint8_t dir;
	int32_t pid; /* placement identifier of a write, or -1 */
	bool verify_read; /* its data is checked at completion */
	uint64_t slba;
	uint8_t *buf; /* its data: its own when the media keeps data, else shared */
	struct pblk_bio *bios; /* ftl=pblk: its block requests, parts_max of them */
};

struct job_state {
	struct job_gen gen;
	struct sim_job_result *res;
	struct host_qp *qp; /* its queue pair (shared when a group has many jobs) */
	struct io_track *tracks, *free_tracks;
	uint32_t parts_max; /* NVMe commands one I/O may need */
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
	bool verify;    /* verify=crc32c: writes are stamped, reads checked */
	bool verifying; /* its verify phase: reading back what it wrote */
	struct verify_log vlog;
};

struct sim {
	struct nvme_ctrl *ctrl;
	struct vssd_dev *dev;
	const struct sim_options *opt;
	struct host_qp admin;
	struct host_qp qps[NVME_MAX_QUEUES]; /* by qid; 0 unused */
	uint16_t nqps;
	struct pblk *pb; /* ftl=pblk: the host FTL the jobs write through */
	uint64_t posted_cqs; /* bit per CQ the controller posted to */
	struct event_heap heap;
	struct job_state *js;
	uint64_t seq;
	uint64_t now_ns;
	uint64_t total_inflight;
	uint64_t host_ios;
	uint8_t *buf; /* the tracks' data buffers, registered for DMA */
	uint64_t buf_bytes;
	/* time series */
	uint64_t next_sample_ns;
	struct sim_sample iv; /* the interval being filled */
	struct sim_result *res;
	uint32_t samples_cap;
	uint64_t idle_since_ns;
	uint32_t cuts_done; /* bit per power cut of the options that happened */
	/* progress */
	struct timespec wall_start, last_progress;
	uint32_t group, ngroups, njobs;
	char *err;
	size_t errlen;
};

static int heap_push(struct sim *s, struct event e)
{
	e.seq = s->seq++;
	return event_heap_push(&s->heap, e);
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

/* Runs one admin command to completion at the current virtual time. */
static int admin_cqe(struct sim *s, struct nvme_sqe *sqe, struct nvme_cqe *cqe)
{
	if (host_qp_submit(&s->admin, sqe, NULL, NULL, NULL) < 0)
		return -EAGAIN;
	nvme_ctrl_process_sq(s->ctrl, 0, s->now_ns);
	nvme_ctrl_post_due(s->ctrl, s->now_ns);
	return host_qp_reap(&s->admin, 1, cqe, NULL, NULL) == 1 ? 0 : -EIO;
}

static int admin(struct sim *s, struct nvme_sqe sqe)
{
	struct nvme_cqe cqe;
	int rc = admin_cqe(s, &sqe, &cqe);

	return rc ? rc : (cqe.status & ~NVME_CQE_PHASE & ~NVME_CQE_DNR) ? -EIO : 0;
}

static void on_post(void *arg, uint16_t cqid)
{
	((struct sim *)arg)->posted_cqs |= 1ULL << cqid;
}

static int register_mem(struct sim *s, void *p, uint64_t bytes)
{
	return dma_register(&s->ctrl->dma, p, bytes);
}

/* Enables the controller on the admin queue, as a driver does at start and
 * after a power cycle. */
static int enable_admin(struct sim *s)
{
	int rc = nvme_ctrl_enable(s->ctrl, s->admin.sq_ring, ADMIN_ENTRIES, s->admin.cq_ring,
				  ADMIN_ENTRIES);

	if (rc)
		return rc;
	host_qp_bind(&s->admin, &s->ctrl->db[0]);
	s->ctrl->on_post = on_post;
	s->ctrl->on_post_arg = s;
	return 0;
}

/* The admin queue's memory, then the controller enabled on it. */
static int setup_admin(struct sim *s)
{
	int rc = host_qp_alloc(&s->admin, 0, ADMIN_ENTRIES);

	if (!rc)
		rc = host_qp_register(&s->admin, &s->ctrl->dma);
	return rc ? rc : enable_admin(s);
}

/* Create I/O CQ, then SQ, for the host queue pair qid already holds. */
static int create_queues(struct sim *s, uint16_t qid)
{
	struct host_qp *qp = &s->qps[qid];
	uint32_t entries = qp->entries;
	int rc = admin(s, (struct nvme_sqe){.opcode = NVME_ADMIN_CREATE_CQ,
					    .prp1 = (uintptr_t)qp->cq_ring,
					    .cdw10 = qid | (entries - 1) << 16,
					    .cdw11 = 1 | 2 | (uint32_t)qid << 16});

	if (!rc)
		rc = admin(s, (struct nvme_sqe){.opcode = NVME_ADMIN_CREATE_SQ,
						.prp1 = (uintptr_t)qp->sq_ring,
						.cdw10 = qid | (entries - 1) << 16,
						.cdw11 = 1 | (uint32_t)qid << 16});
	if (rc)
		return rc;
	host_qp_bind(qp, &s->ctrl->db[qid]);
	return 0;
}

/* Creates queue pair qid of `entries` slots. */
static int create_qp(struct sim *s, uint16_t qid, uint32_t entries)
{
	int rc = host_qp_alloc(&s->qps[qid], qid, (uint16_t)entries);

	if (!rc)
		rc = host_qp_register(&s->qps[qid], &s->ctrl->dma);
	return rc ? rc : create_queues(s, qid);
}

static void delete_qps(struct sim *s)
{
	for (uint16_t q = 1; q <= s->nqps; q++) {
		admin(s, (struct nvme_sqe){.opcode = NVME_ADMIN_DELETE_SQ, .cdw10 = q});
		admin(s, (struct nvme_sqe){.opcode = NVME_ADMIN_DELETE_CQ, .cdw10 = q});
		host_qp_unregister(&s->qps[q], &s->ctrl->dma);
		host_qp_free(&s->qps[q]);
	}
	s->nqps = 0;
}

/* Data for a write: each 4 KiB unit stamped with its LBA and a counter, so
 * stored data differs from place to place and from write to write. */
static void fill_pattern(struct sim *s, uint8_t *buf, uint64_t slba, uint64_t bytes)
{
	for (uint64_t off = 0; off < bytes; off += 8) {
		uint64_t word = (slba + off / 4096) ^ (s->host_ios << 32) ^ off;

		memcpy(buf + off, &word, sizeof(word));
	}
}

static int complete_io(struct sim *s, struct io_track *io);

/* A part of an I/O (an NVMe command, or a pblk request) completed. */
static void part_status(void *arg, uint16_t status)
{
	struct io_track *io = arg;

	if (status && !io->status)
		io->status = status;
	if (--io->parts_left == 0)
		complete_io(io->s, io);
}

/* A command of an I/O completed (called while its CQ is reaped). */
static void part_done(void *arg, const struct nvme_cqe *cqe)
{
	part_status(arg, cqe->status & ~NVME_CQE_PHASE & ~NVME_CQE_DNR);
}

static const uint8_t pblk_dir_of[] = {
	[DIR_READ] = PBLK_READ, [DIR_WRITE] = PBLK_WRITE,
	[DIR_TRIM] = PBLK_TRIM, [DIR_FLUSH] = PBLK_FLUSH,
};

/* ftl=pblk: part k of an I/O as a pblk block request. */
static int pblk_part(struct sim *s, struct io_track *t, uint32_t k, uint64_t slba, uint32_t nlb,
		     uint8_t *buf)
{
	struct pblk_bio *bio = &t->bios[k];
	int rc;

	/* with media that keeps no data there is none to move */
	*bio = (struct pblk_bio){.dir = pblk_dir_of[t->dir], .lba = slba, .nr = nlb,
				 .buf = s->dev->media->keeps_data ? buf : NULL,
				 .done = part_status, .arg = t};
	if ((rc = pblk_submit(s->pb, bio, s->now_ns)))
		snprintf(s->err, s->errlen, "job '%s': pblk refused a request at LBA %llu: %s",
			 s->js[t->job].res->spec->name, (unsigned long long)slba, strerror(-rc));
	return rc;
}

static const uint8_t opcode_of[] = {
	[DIR_READ] = NVME_CMD_READ, [DIR_WRITE] = NVME_CMD_WRITE,
	[DIR_TRIM] = NVME_CMD_DSM, [DIR_FLUSH] = NVME_CMD_FLUSH,
};

/* Submits one NVMe command of an I/O: LBAs [slba, slba + nlb), data at buf. */
static int submit_part(struct sim *s, struct host_qp *qp, struct io_track *io, uint64_t slba,
		       uint32_t nlb, uint8_t *buf)
{
	struct nvme_sqe sqe = {.opcode = opcode_of[io->dir], .nsid = NVME_NSID};
	int cid = host_qp_next_cid(qp);
	uint64_t *list;

	if (cid < 0)
		return -EAGAIN;
	list = host_qp_prp_list(qp, (uint16_t)cid);
	if (io->dir == DIR_TRIM) {
		/* one DSM range, in the command's PRP list page */
		*(struct nvme_dsm_range *)list = (struct nvme_dsm_range){.nlb = nlb, .slba = slba};
		sqe.prp1 = (uintptr_t)list;
		sqe.cdw11 = NVME_DSM_AD;
	} else if (io->dir != DIR_FLUSH) {
		sqe.cdw10 = (uint32_t)slba;
		sqe.cdw11 = (uint32_t)(slba >> 32);
		sqe.cdw12 = nlb - 1;
		if (io->pid >= 0) { /* the data placement directive */
			sqe.cdw12 |= 2u << NVME_RW_DTYPE_SHIFT;
			sqe.cdw13 = (uint32_t)io->pid << NVME_RW_DSPEC_SHIFT;
		}
		nvme_build_prps(buf, (uint64_t)nlb * s->dev->geo.lba_bytes, list, &sqe.prp1, &sqe.prp2);
	}
	return host_qp_submit(qp, &sqe, part_done, io, NULL) < 0 ? -EAGAIN : 0;
}

static int issue(struct sim *s, uint32_t j, const struct io_req *io)
{
	struct job_state *js = &s->js[j];
	struct io_track *t = js->free_tracks;
	uint32_t lba_bytes = s->dev->geo.lba_bytes, max_nlb = NVME_MAX_XFER_BYTES / lba_bytes;
	/* an I/O over MDTS becomes several commands, as a driver splits it;
	 * pblk takes requests of up to PBLK_MAX_BIO_SECTORS, trims included */
	uint32_t max_part = s->pb ? PBLK_MAX_BIO_SECTORS : io->dir == DIR_TRIM ? 0xffffffffu : max_nlb;
	uint32_t nparts;
	int rc = 0;

	/* background GC gets the gaps in which nothing was outstanding */
	if (!s->total_inflight && s->now_ns > s->idle_since_ns)
		dev_idle(s->dev, s->now_ns);
	js->free_tracks = t->next_free;
	*t = (struct io_track){.s = s, .submit_ns = s->now_ns, .job = j, .nlb = io->nlb,
			       .dir = io->dir, .pid = io->pid, .slba = io->slba, .buf = t->buf,
			       .bios = t->bios};
	if (io->dir == DIR_WRITE && js->verify)
		verify_fill(&js->vlog, t->buf, io->slba);
	else if (io->dir == DIR_WRITE && s->dev->media->keeps_data)
		fill_pattern(s, t->buf, io->slba, (uint64_t)io->nlb * lba_bytes);
	/* a read-only job checks every read; a writer, its verify phase's */
	t->verify_read = io->dir == DIR_READ && js->verify &&
			 (js->verifying || js->res->spec->rw == RW_READ);
	/* in 64 bits: nlb + 0xffffffff (a trim's limit) would wrap to no parts */
	nparts = io->dir == DIR_FLUSH ? 1 : (uint32_t)(((uint64_t)io->nlb + max_part - 1) / max_part);
	t->parts_left = nparts;
	for (uint32_t k = 0; !rc && k < nparts; k++) {
		uint64_t off = (uint64_t)k * max_part;
		uint32_t n = io->dir == DIR_FLUSH ? 0 : io->nlb - off < max_part ?
			     (uint32_t)(io->nlb - off) : max_part;
		uint8_t *buf = t->buf + off * lba_bytes;

		rc = s->pb ? pblk_part(s, t, k, io->slba + off, n, buf)
			   : submit_part(s, js->qp, t, io->slba + off, n, buf);
	}
	if (rc) {
		if (!s->err[0])
			snprintf(s->err, s->errlen, "job '%s': queue %u is full",
				 js->res->spec->name, js->qp->qid);
		return rc;
	}
	/* the doorbell: in virtual time the controller fetches at once */
	if (!s->pb)
		nvme_ctrl_process_sq(s->ctrl, js->qp->qid, s->now_ns);
	js->inflight++;
	s->total_inflight++;
	s->host_ios++;
	return 0;
}

/* The job's next I/O. Keeps LOOKAHEAD generated ahead and tells the device
 * about them, two stages apart, so map lookups are cache hits when they count. */
static bool next_io(struct sim *s, struct job_state *js, struct io_req *io)
{
	uint64_t lba;

	if (js->verifying) {
		if (!verify_next(&js->vlog, &lba))
			return false;
		*io = (struct io_req){.dir = DIR_READ, .slba = lba, .nlb = js->vlog.bs_lbas, .pid = -1};
		return true;
	}
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

static int submit(struct sim *s, uint32_t j);

/* The job has issued its last I/O (or its runtime is up). It is done, or,
 * when it verifies what it wrote, its verify phase starts once its writes
 * have completed, at its full depth. */
static int end_of_io(struct sim *s, uint32_t j)
{
	struct job_state *js = &s->js[j];
	int rc = 0;

	if (js->verifying || !js->verify || !js->vlog.last || !js->res->spec->do_verify) {
		js->finished = true;
		return 0;
	}
	if (js->inflight)
		return 0; /* the last completion comes back here */
	js->verifying = true;
	for (uint32_t d = 0; !rc && d < js->res->spec->iodepth && !js->finished; d++)
		rc = submit(s, j);
	return rc;
}

static int submit(struct sim *s, uint32_t j)
{
	struct job_state *js = &s->js[j];
	struct io_req io;

	if (js->finished)
		return 0;
	if (s->now_ns >= js->stop_ns && !js->verifying)
		return end_of_io(s, j);
	if (js->has_pending) {
		io = js->pending;
		js->has_pending = false;
	} else if (!next_io(s, js, &io)) {
		return end_of_io(s, j);
	}
	if (js->start_ns + io.not_before_ns > s->now_ns) {
		js->pending = io;
		js->has_pending = true;
		return heap_push(s, (struct event){.t_ns = js->start_ns + io.not_before_ns,
						   .job = j, .kind = EV_SUBMIT});
	}
	return issue(s, j, &io);
}

/* A verified read's data against what the job wrote there. */
static void check_read(struct job_state *js, const struct io_track *io)
{
	struct sim_job_result *r = js->res;
	char why[sizeof(r->verify_first_bad)];

	r->verify_blocks++;
	if (verify_check(&js->vlog, io->buf, io->slba, why, sizeof(why)))
		return;
	if (!r->verify_bad++)
		memcpy(r->verify_first_bad, why, sizeof(why));
	if (r->spec->verify_fatal)
		js->finished = true; /* fio stops the job at the first bad block */
}

static int complete_io(struct sim *s, struct io_track *io)
{
	struct job_state *js = &s->js[io->job];
	uint64_t lat = s->now_ns - io->submit_ns;
	uint64_t bytes = (uint64_t)io->nlb * s->dev->geo.lba_bytes;
	uint8_t dir = io->dir;

	if (io->status && !s->err[0])
		snprintf(s->err, s->errlen, "job '%s': the device failed a command with status "
			 "%x/%02xh (%s)%s%s", js->res->spec->name, NVME_CQE_SCT(io->status),
			 NVME_CQE_SC(io->status), vssd_status_name(io->status),
			 s->dev->media->last_errno ? "; the store's last write failed: " : "",
			 s->dev->media->last_errno ? strerrordesc_np(s->dev->media->last_errno) : "");
	if (io->verify_read && !io->status)
		check_read(js, io);
	io->next_free = js->free_tracks;
	js->free_tracks = io;
	js->inflight--;
	if (!--s->total_inflight)
		s->idle_since_ns = s->now_ns;
	if (dir == DIR_FLUSH)
		lat_stats_add(&js->res->flush, lat, 0);
	else
		lat_stats_add(&js->res->dir[dir], lat, bytes);
	if (s->now_ns > js->res->end_ns)
		js->res->end_ns = s->now_ns;
	if (dir <= DIR_WRITE) {
		s->iv.bytes[dir] += bytes;
		s->iv.ios[dir]++;
		s->iv.lat_sum_ns[dir] += (double)lat;
		if (lat > s->iv.lat_max_ns[dir])
			s->iv.lat_max_ns[dir] = lat;
	}
	if (js->res->spec->thinktime_ns)
		return heap_push(s, (struct event){.t_ns = s->now_ns + js->res->spec->thinktime_ns,
						   .job = io->job, .kind = EV_SUBMIT});
	return submit(s, io->job);
}

/* NVMe commands one I/O of the job needs at most. */
static uint32_t parts_of(const struct sim *s, const struct job_state *js)
{
	uint64_t max = NVME_MAX_XFER_BYTES / s->dev->geo.lba_bytes * s->dev->geo.lba_bytes;

	return js->gen.max_io_bytes <= max ? 1 : (uint32_t)((js->gen.max_io_bytes + max - 1) / max);
}

/* ftl=pblk: the jobs go through pblk, not queues; each I/O slot gets the
 * block requests its largest I/O needs. */
static int setup_group_bios(struct sim *s, const struct job_file *jf, int g)
{
	for (uint32_t j = 0; j < jf->njobs; j++) {
		struct job_state *js = &s->js[j];
		uint64_t per = (uint64_t)PBLK_MAX_BIO_SECTORS * 4096;
		uint32_t parts = (uint32_t)((js->gen.max_io_bytes + per - 1) / per);

		if (jf->jobs[j].group != g)
			continue;
		parts = parts ? parts : 1;
		for (uint32_t d = 0; d < jf->jobs[j].iodepth; d++)
			if (!(js->tracks[d].bios = calloc(parts, sizeof(struct pblk_bio))))
				return -ENOMEM;
	}
	return 0;
}

static void free_tracks(struct job_state *js)
{
	for (uint32_t d = 0; js->tracks && js->res && d < js->res->spec->iodepth; d++)
		free(js->tracks[d].bios);
	free(js->tracks);
	js->tracks = NULL;
}

/* One queue pair per job, up to the controller's 63; beyond that, jobs share
 * them round-robin. Each queue is sized for everything its jobs keep in flight. */
static int setup_group_queues(struct sim *s, const struct job_file *jf, int g)
{
	uint32_t need[NVME_MAX_QUEUES] = {0}, njobs = 0, k = 0;
	int rc;

	if (s->pb)
		return setup_group_bios(s, jf, g);
	for (uint32_t j = 0; j < jf->njobs; j++)
		njobs += jf->jobs[j].group == g;
	s->nqps = (uint16_t)(njobs < NVME_MAX_QUEUES - 1 ? njobs : NVME_MAX_QUEUES - 1);
	for (uint32_t j = 0; j < jf->njobs; j++) {
		struct job_state *js = &s->js[j];
		uint16_t qid;

		if (jf->jobs[j].group != g)
			continue;
		qid = (uint16_t)(1 + k++ % s->nqps);
		js->parts_max = parts_of(s, js);
		need[qid] += jf->jobs[j].iodepth * js->parts_max;
		js->qp = &s->qps[qid];
	}
	for (uint16_t q = 1; q <= s->nqps; q++) {
		if (need[q] + 1 > MAX_QUEUE_ENTRIES) {
			snprintf(s->err, s->errlen, "queue %u would need %u entries for its jobs' "
				 "iodepth (NVMe commands per I/O: %u); a queue holds %u: lower "
				 "iodepth", q, need[q] + 1, s->js[0].parts_max, MAX_QUEUE_ENTRIES);
			return -EINVAL;
		}
		if ((rc = create_qp(s, q, need[q] + 1)))
			return rc;
	}
	return 0;
}

/* The data buffer: virtual memory registered for DMA, touched only when the
 * store keeps data (or a read returns zeros into it). */
static int grow_buffer(struct sim *s, uint64_t bytes)
{
	uint8_t *b;

	bytes = (bytes + NVME_PAGE_BYTES - 1) / NVME_PAGE_BYTES * NVME_PAGE_BYTES;
	b = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (b == MAP_FAILED)
		return -ENOMEM;
	if (s->buf) {
		dma_unregister(&s->ctrl->dma, s->buf);
		munmap(s->buf, s->buf_bytes);
	}
	s->buf = b;
	s->buf_bytes = bytes;
	return register_mem(s, b, bytes);
}

/* verify=crc32c on job j: what it needs, then its write log. */
static int setup_verify(struct sim *s, uint32_t j, uint64_t seed)
{
	struct job_state *js = &s->js[j];
	const struct job_spec *spec = js->res->spec;
	const char *why = NULL;

	if (!spec->verify)
		return 0;
	if (!s->dev->media->keeps_data)
		why = "the media must keep the data: use media=ram or media=file";
	else if (spec->read_iolog[0])
		why = "a trace replay (read_iolog) is not supported";
	else if (spec->rw == RW_TRIM)
		why = "rw=trim is not supported";
	else if (s->opt->npowerloss)
		why = "--powerloss is not supported (writes after the last flush may be lost by "
		      "design; vssd torture checks that)";
	if (why) {
		snprintf(s->err, s->errlen, "job '%s': verify=crc32c: %s", spec->name, why);
		return -EINVAL;
	}
	js->verify = true;
	if (verify_init(&js->vlog, &js->gen, seed, spec->rw != RW_READ))
		return -ENOMEM;
	return 0;
}

/* Each I/O slot's data buffer: its own when the media keeps data (a write
 * that waits in pblk, or a read checked at its completion, holds on to
 * it), one shared by all when no data is kept. */
static uint64_t slot_bytes(const struct job_state *js)
{
	return (js->gen.max_io_bytes + NVME_PAGE_BYTES - 1) / NVME_PAGE_BYTES * NVME_PAGE_BYTES;
}

static int setup_buffers(struct sim *s, const struct job_file *jf, int g)
{
	bool own = s->dev->media->keeps_data;
	uint64_t total = 0, at = 0;
	int rc;

	for (uint32_t j = 0; j < jf->njobs; j++) {
		if (jf->jobs[j].group != g)
			continue;
		if (own)
			total += slot_bytes(&s->js[j]) * jf->jobs[j].iodepth;
		else if (slot_bytes(&s->js[j]) > total)
			total = slot_bytes(&s->js[j]);
	}
	if (total > s->buf_bytes && (rc = grow_buffer(s, total)))
		return rc;
	for (uint32_t j = 0; j < jf->njobs; j++) {
		struct job_state *js = &s->js[j];

		if (jf->jobs[j].group != g)
			continue;
		for (uint32_t d = 0; d < jf->jobs[j].iodepth; d++, at += own ? slot_bytes(js) : 0)
			js->tracks[d].buf = s->buf + at;
	}
	return 0;
}

static int start_group(struct sim *s, const struct job_file *jf, struct sim_result *res, int g)
{
	const struct geometry *geo = &s->dev->geo;
	uint32_t npids = nvme_fdp_status_count(s->ctrl);
	uint16_t pids[VSSD_MAX_RUH * VSSD_MAX_RG];

	/* the device's reclaim unit handle status list, which fio reads */
	for (uint32_t i = 0; i < npids; i++)
		pids[i] = nvme_fdp_status_pid(s->ctrl, i);

	for (uint32_t j = 0; j < jf->njobs; j++) {
		struct job_state *js = &s->js[j];
		const struct job_spec *spec = &jf->jobs[j];
		uint64_t seed = s->opt->seed * 0x9e3779b97f4a7c15ULL + j;
		int rc;

		if (spec->group != g)
			continue;
		rc = gen_init(&js->gen, spec, s->pb ? pblk_capacity(s->pb) : dev_capacity_lbas(s->dev),
			      geo->lba_bytes,
			      pids, npids, seed, s->err, s->errlen);
		if (rc)
			return rc;
		js->res = &res->jobs[j];
		if ((rc = setup_verify(s, j, seed)))
			return rc;
		js->start_ns = s->now_ns;
		js->res->start_ns = js->res->end_ns = s->now_ns;
		js->stop_ns = spec->runtime_ns ? s->now_ns + spec->runtime_ns : UINT64_MAX;
		js->tracks = calloc(spec->iodepth, sizeof(*js->tracks));
		if (!js->tracks)
			return -ENOMEM;
		for (uint32_t d = 0; d < spec->iodepth; d++) {
			js->tracks[d].next_free = js->free_tracks;
			js->free_tracks = &js->tracks[d];
		}
		for (uint32_t d = 0; d < spec->iodepth; d++) {
			rc = heap_push(s, (struct event){.t_ns = s->now_ns, .job = j,
							 .kind = EV_SUBMIT});
			if (rc)
				return rc;
		}
	}
	return setup_buffers(s, jf, g);
}

/* Reaps every CQ the controller posted to; their completions may submit more. */
static int reap_posted(struct sim *s)
{
	while (s->posted_cqs) {
		uint16_t q = (uint16_t)__builtin_ctzll(s->posted_cqs);

		s->posted_cqs &= s->posted_cqs - 1;
		if (q && (q <= s->nqps || (q == PBLK_QID && ftl_host_for(&s->dev->cfg) == FTL_HOST_PBLK)))
			host_qp_reap(&s->qps[q], s->qps[q].entries, NULL, NULL, NULL);
	}
	if (s->pb && pblk_error(s->pb) && !s->err[0])
		snprintf(s->err, s->errlen, "%s", pblk_error(s->pb));
	return s->err[0] ? -EIO : 0;
}

/* ftl=pblk: pblk's transport to the controller, in virtual time. */
static int pblk_tr_submit(void *ctx, struct nvme_sqe *sqe, pblk_cmd_done done, void *arg)
{
	struct sim *s = ctx;

	if (host_qp_submit(&s->qps[PBLK_QID], sqe, done, arg, NULL) < 0)
		return -EAGAIN;
	nvme_ctrl_process_sq(s->ctrl, PBLK_QID, s->now_ns);
	return 0;
}

static int pblk_tr_admin(void *ctx, struct nvme_sqe *sqe, struct nvme_cqe *cqe)
{
	return admin_cqe(ctx, sqe, cqe);
}

static void *pblk_tr_alloc(void *ctx, size_t bytes)
{
	struct sim *s = ctx;
	size_t len = (bytes + NVME_PAGE_BYTES - 1) / NVME_PAGE_BYTES * NVME_PAGE_BYTES;
	void *p = aligned_alloc(NVME_PAGE_BYTES, len);

	if (p && register_mem(s, memset(p, 0, len), len)) {
		free(p);
		p = NULL;
	}
	return p;
}

static void pblk_tr_free(void *ctx, void *p)
{
	dma_unregister(&((struct sim *)ctx)->ctrl->dma, p);
	free(p);
}

static uint64_t pblk_tr_now(void *ctx)
{
	return ((struct sim *)ctx)->now_ns;
}

/* Recovery waits for its reads: the clock moves to the next completion. */
static int pblk_tr_poll(void *ctx)
{
	struct sim *s = ctx;
	uint64_t t = nvme_ctrl_next_due(s->ctrl);

	if (s->posted_cqs) /* posted already (admin commands post what is due) */
		return reap_posted(s);
	if (t == UINT64_MAX)
		return -EIO;
	if (t > s->now_ns)
		s->now_ns = t;
	nvme_ctrl_post_due(s->ctrl, s->now_ns);
	reap_posted(s);
	return 0;
}

/* pblk over the controller: new, or recovered from the media. */
static int pblk_start(struct sim *s)
{
	const struct vssd_config *cfg = &s->dev->cfg;
	struct pblk_transport tr = {s, pblk_tr_submit, pblk_tr_admin, pblk_tr_alloc, pblk_tr_free,
				    pblk_tr_now, pblk_tr_poll};
	struct pblk_config pc = {.op_percent = (uint32_t)cfg->pblk_op,
				 .rb_entries = (uint32_t)cfg->pblk_rb_entries,
				 .copy_ns = cfg->pblk_copy_ns, .media_none = !s->dev->media->keeps_data};

	return pblk_create(&pc, &tr, &s->pb, s->err, s->errlen);
}

/* The earliest power cut still to come that is due by t_next (the next
 * event's time): its index, with its time in *t_cut; or -1. A cut by I/O
 * count is due as soon as the count is reached. */
static int due_cut(const struct sim *s, uint64_t t_next, uint64_t *t_cut)
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
			int rc = heap_push(s, (struct event){.t_ns = s->now_ns, .job = j,
							     .kind = EV_SUBMIT});
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
static int power_cut(struct sim *s, int which, uint64_t t_ns)
{
	struct sim_powerloss_result *r = &s->res->powerloss[s->res->npowerloss];
	int rc;

	s->cuts_done |= 1u << which;
	s->now_ns = t_ns;
	if ((rc = sample(s)))
		return rc;
	*r = (struct sim_powerloss_result){.t_ns = t_ns, .host_ios = s->host_ios,
					   .ios_lost = s->total_inflight};
	if ((rc = nvme_ctrl_powerloss(s->ctrl))) {
		snprintf(s->err, s->errlen, "power loss at %.6f s: the device did not recover: %s",
			 (double)t_ns / 1e9, strerror(-rc));
		return rc;
	}
	r->recovery = s->dev->recovery;
	s->res->npowerloss++;
	s->posted_cqs = 0;
	host_qp_reset(&s->admin, NULL, NULL);
	rc = enable_admin(s);
	for (uint16_t q = 1; !rc && q <= s->nqps; q++) {
		host_qp_reset(&s->qps[q], NULL, NULL);
		rc = create_queues(s, q);
	}
	if (!rc && s->pb) { /* the host's memory is gone too: pblk recovers from the media */
		pblk_destroy(s->pb);
		s->pb = NULL;
		host_qp_reset(&s->qps[PBLK_QID], NULL, NULL);
		if (!(rc = create_queues(s, PBLK_QID)) && (rc = pblk_start(s)))
			return rc;
		pblk_get_stats(s->pb, &r->pblk);
	}
	if (rc) {
		snprintf(s->err, s->errlen, "power loss at %.6f s: the queues could not be "
			 "created again: %s", (double)t_ns / 1e9, strerror(-rc));
		return rc;
	}
	return requeue_lost(s);
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
	if ((rc = start_group(s, jf, res, g)) || (rc = setup_group_queues(s, jf, g)))
		return rc;
	for (;;) {
		uint64_t t_ctrl = nvme_ctrl_next_due(s->ctrl);
		uint64_t t_sim = s->heap.len ? s->heap.v[0].t_ns : UINT64_MAX, t_cut = 0;
		uint64_t t_pblk = s->pb ? pblk_next_due(s->pb) : UINT64_MAX;
		uint64_t t_next = t_ctrl < t_sim ? t_ctrl : t_sim;
		int cut;

		t_next = t_pblk < t_next ? t_pblk : t_next;
		if (t_next == UINT64_MAX)
			break;
		cut = due_cut(s, t_next, &t_cut);
		if (cut >= 0) {
			if ((rc = power_cut(s, cut, t_cut)))
				return rc;
			continue;
		}
		/* completions first at equal times (the device's, then pblk's
		 * requests): deterministic and causal */
		if (t_ctrl == t_next) {
			s->now_ns = t_ctrl;
			if ((rc = sample(s)))
				return rc;
			nvme_ctrl_post_due(s->ctrl, s->now_ns);
			rc = reap_posted(s);
		} else if (t_pblk == t_next) {
			s->now_ns = t_pblk;
			if ((rc = sample(s)))
				return rc;
			pblk_complete_due(s->pb, s->now_ns);
			rc = s->err[0] ? -EIO : 0;
		} else {
			struct event e = event_heap_pop(&s->heap);

			s->now_ns = e.t_ns;
			if ((rc = sample(s)))
				return rc;
			rc = submit(s, e.job);
		}
		if (rc)
			return rc;
		if (s->opt->progress && (++events & 0xffff) == 0)
			progress(s);
	}
	for (uint32_t j = 0; j < jf->njobs && s->pb; j++) {
		if (jf->jobs[j].group == g && s->js[j].inflight) {
			snprintf(s->err, s->errlen, "job '%s': %u I/Os never completed: pblk stalled%s%s",
				 jf->jobs[j].name, s->js[j].inflight, pblk_error(s->pb) ? ": " : "",
				 pblk_error(s->pb) ? pblk_error(s->pb) : "");
			return -EIO;
		}
	}
	for (uint32_t j = 0; j < jf->njobs; j++) {
		if (jf->jobs[j].group == g) {
			gen_fini(&s->js[j].gen);
			verify_fini(&s->js[j].vlog);
			free_tracks(&s->js[j]);
		}
	}
	delete_qps(s);
	gr->end_ns = s->now_ns;
	gr->wall_s = wall_since(&t0);
	dev_counters(s->dev, &gr->after);
	return 0;
}

int sim_run(struct nvme_ctrl *ctrl, const struct job_file *jf, const struct sim_options *opt,
	    struct sim_result *res, char *err, size_t errlen)
{
	struct sim s = {.ctrl = ctrl, .dev = ctrl->dev, .opt = opt, .err = err, .errlen = errlen};
	struct vssd_dev *dev = ctrl->dev;
	int rc = -ENOMEM;

	memset(res, 0, sizeof(*res));
	res->jobs = calloc(jf->njobs, sizeof(*res->jobs));
	res->groups = calloc(jf->ngroups, sizeof(*res->groups));
	s.js = calloc(jf->njobs, sizeof(*s.js));
	snprintf(err, errlen, "out of memory");
	if (!res->jobs || !res->groups || !s.js)
		goto out;
	err[0] = 0;
	if (ftl_block_refusal(&dev->cfg)) {
		snprintf(err, errlen, "%s", ftl_block_refusal(&dev->cfg));
		rc = -EINVAL;
		goto out;
	}
	if (opt->npowerloss && !dev->media->keeps_data) {
		snprintf(err, errlen, "a power loss needs a store that keeps data: media=%s keeps "
			 "none; use media=ram or media=file", dev->media->ops->name);
		rc = -EINVAL;
		goto out;
	}
	if ((rc = setup_admin(&s))) {
		snprintf(err, errlen, "cannot set up the admin queue: %s", strerror(-rc));
		goto out;
	}
	if (ftl_host_for(&dev->cfg) == FTL_HOST_PBLK &&
	    ((rc = create_qp(&s, PBLK_QID, PBLK_QUEUE_ENTRIES)) || (rc = pblk_start(&s))))
		goto out;
	res->njobs = jf->njobs;
	res->ngroups = jf->ngroups;
	res->opened = dev->recovery;
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
	if (s.pb) {
		res->has_pblk = true;
		pblk_get_stats(s.pb, &res->pblk);
	}
	rc = 0;
out:
	if (rc && !err[0])
		snprintf(err, errlen, "simulation failed: %s", strerror(-rc));
	if (opt->progress && wall_since(&s.wall_start) >= 1.0)
		fprintf(stderr, "\r%*s\r", 79, "");
	if (rc) {
		for (uint32_t j = 0; j < jf->njobs; j++) {
			gen_fini(&s.js[j].gen);
			verify_fini(&s.js[j].vlog);
			free_tracks(&s.js[j]);
		}
		for (uint16_t q = 1; q <= s.nqps; q++)
			host_qp_free(&s.qps[q]);
	}
	pblk_destroy(s.pb);
	if (s.qps[PBLK_QID].entries) {
		host_qp_unregister(&s.qps[PBLK_QID], &ctrl->dma);
		host_qp_free(&s.qps[PBLK_QID]);
	}
	free(s.js);
	free(s.heap.v);
	if (s.buf) {
		dma_unregister(&ctrl->dma, s.buf);
		munmap(s.buf, s.buf_bytes);
	}
	host_qp_unregister(&s.admin, &ctrl->dma);
	host_qp_free(&s.admin);
	ctrl->on_post = NULL;
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
