/*
 * The simulated host: as a driver does, it sets up the admin queue and an
 * I/O queue pair per job with admin commands, turns each job's I/Os into
 * NVMe commands (split at MDTS), rings the doorbell, and at each
 * completion records the latency and submits the job's next I/O.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/sim_internal.h"
#include "vssd/vssd.h"

/* Runs one admin command to completion at the current virtual time. */
int sim_admin_cqe(struct sim *s, struct nvme_sqe *sqe, struct nvme_cqe *cqe)
{
	if (host_qp_submit(&s->admin, sqe, NULL, NULL, NULL) < 0)
		return -EAGAIN;
	nvme_ctrl_process_sq(s->ctrl, 0, s->now_ns);
	nvme_ctrl_post_due(s->ctrl, s->now_ns);
	return host_qp_reap(&s->admin, 1, cqe, NULL, NULL) == 1 ? 0 : -EIO;
}

static int admin(void *ctx, struct nvme_sqe *sqe)
{
	struct nvme_cqe cqe;
	int rc = sim_admin_cqe(ctx, sqe, &cqe);

	return rc ? rc : nvme_cqe_code(&cqe) ? -EIO : 0;
}

static void on_post(void *arg, uint16_t cqid)
{
	((struct sim *)arg)->posted_cqs |= 1ULL << cqid;
}

int sim_register_mem(struct sim *s, void *p, uint64_t bytes)
{
	return dma_register(&s->ctrl->dma, p, bytes);
}

/* Enables the controller on the admin queue, as a driver does at start and
 * after a power cycle. */
int sim_enable_admin(struct sim *s)
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
int sim_setup_admin(struct sim *s)
{
	int rc = host_qp_alloc(&s->admin, 0, ADMIN_ENTRIES);

	if (!rc)
		rc = host_qp_register(&s->admin, &s->ctrl->dma);
	return rc ? rc : sim_enable_admin(s);
}

/* Create I/O CQ, then SQ, for the host queue pair qid already holds. */
int sim_create_queues(struct sim *s, uint16_t qid)
{
	struct host_qp *qp = &s->qps[qid];
	int rc = host_qp_create_queues(qp, admin, s);

	if (rc)
		return rc;
	host_qp_bind(qp, &s->ctrl->db[qid]);
	return 0;
}

/* Creates queue pair qid of `entries` slots. */
int sim_create_qp(struct sim *s, uint16_t qid, uint32_t entries)
{
	int rc = host_qp_alloc(&s->qps[qid], qid, (uint16_t)entries);

	if (!rc)
		rc = host_qp_register(&s->qps[qid], &s->ctrl->dma);
	return rc ? rc : sim_create_queues(s, qid);
}

void sim_delete_qps(struct sim *s)
{
	for (uint16_t q = 1; q <= s->nqps; q++) {
		host_qp_delete_queues(&s->qps[q], admin, s);
		host_qp_unregister(&s->qps[q], &s->ctrl->dma);
		host_qp_free(&s->qps[q]);
	}
	s->nqps = 0;
}

static int complete_io(struct sim *s, struct io_track *io);

/* A part of an I/O (an NVMe command, or a pblk request) completed. */
void sim_part_status(void *arg, uint16_t status)
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
	sim_part_status(arg, nvme_cqe_code(cqe));
}

/* Submits one NVMe command of an I/O: LBAs [slba, slba + nlb), data at buf. */
static int submit_part(struct sim *s, struct host_qp *qp, struct io_track *io, uint64_t slba,
		       uint32_t nlb, uint8_t *buf)
{
	struct nvme_sqe sqe;
	int cid = host_qp_next_cid(qp);
	uint64_t *list;

	if (cid < 0)
		return -EAGAIN;
	list = host_qp_prp_list(qp, (uint16_t)cid);
	if (io->dir == DIR_TRIM) {
		/* one DSM range, in the command's PRP list page */
		*(struct nvme_dsm_range *)list = (struct nvme_dsm_range){.nlb = nlb, .slba = slba};
		nvme_prep_trim(&sqe, NVME_NSID, (const struct nvme_dsm_range *)list, 1);
	} else if (io->dir == DIR_FLUSH) {
		nvme_prep_flush(&sqe, NVME_NSID);
	} else if (io->append) { /* at the write pointer of the zone slba is in */
		nvme_prep_rw(&sqe, NVME_CMD_ZONE_APPEND, NVME_NSID,
			     slba / s->zbd.zone_lbas * s->zbd.zone_lbas, nlb);
		nvme_build_prps(buf, (uint64_t)nlb * s->dev->geo.lba_bytes, list, &sqe.prp1,
				&sqe.prp2);
	} else {
		nvme_prep_rw(&sqe, io->dir == DIR_READ ? NVME_CMD_READ : NVME_CMD_WRITE, NVME_NSID,
			     slba, nlb);
		if (io->pid >= 0)
			nvme_prep_placement(&sqe, (uint16_t)io->pid);
		nvme_build_prps(buf, (uint64_t)nlb * s->dev->geo.lba_bytes, list, &sqe.prp1,
				&sqe.prp2);
	}
	return host_qp_submit(qp, &sqe, part_done, io, NULL) < 0 ? -EAGAIN : 0;
}

/* The I/O as its commands (or a host FTL's requests): an I/O over MDTS
 * becomes several, as a driver splits it; a host FTL takes requests of up
 * to HOST_BIO_MAX_SECTORS, trims included. */
static int submit_parts(struct sim *s, struct job_state *js, struct io_track *t,
			const struct io_req *io)
{
	uint32_t lba_bytes = s->dev->geo.lba_bytes, max_nlb = NVME_MAX_XFER_BYTES / lba_bytes;
	uint32_t max_part = s->host.ftl		  ? HOST_BIO_MAX_SECTORS
			    : io->dir == DIR_TRIM ? 0xffffffffu
						  : max_nlb;
	uint32_t nparts;
	int rc = 0;

	/* in 64 bits: nlb + 0xffffffff (a trim's limit) would wrap to no parts */
	nparts = io->dir == DIR_FLUSH ? 1
				      : (uint32_t)(((uint64_t)io->nlb + max_part - 1) / max_part);
	t->parts_left = nparts;
	for (uint32_t k = 0; !rc && k < nparts; k++) {
		uint64_t off = (uint64_t)k * max_part;
		uint32_t n = io->dir == DIR_FLUSH	? 0
			     : io->nlb - off < max_part ? (uint32_t)(io->nlb - off)
							: max_part;
		uint8_t *buf = t->buf + off * lba_bytes;

		rc = s->host.ftl ? sim_host_ftl_part(s, t, k, io->slba + off, n, buf)
				 : submit_part(s, js->qp, t, io->slba + off, n, buf);
	}
	return rc;
}

static void zone_reset_done(void *arg, const struct nvme_cqe *cqe)
{
	struct sim *s = arg;

	s->zbd.reset_errors += nvme_cqe_code(cqe) != 0;
}

/* A Zone Management Send Reset of the zone slba is in, ahead of the write
 * that needs it on the same queue (so the device takes them in order). */
static int reset_zone(struct sim *s, struct host_qp *qp, uint64_t slba)
{
	struct nvme_sqe sqe;

	nvme_prep_zone_send(&sqe, NVME_NSID, slba / s->zbd.zone_lbas * s->zbd.zone_lbas,
			    NVME_ZSA_RESET, false);
	return host_qp_submit(qp, &sqe, zone_reset_done, s, NULL) < 0 ? -EAGAIN : 0;
}

static int issue(struct sim *s, uint32_t j, const struct io_req *req)
{
	struct job_state *js = &s->js[j];
	struct io_track *t = js->free_tracks;
	uint32_t lba_bytes = s->dev->geo.lba_bytes;
	struct io_req placed = *req, *io = &placed;
	bool reset;
	int rc;

	if ((rc = sim_zbd_place(s, js, io, &reset)) ||
	    (reset && (rc = reset_zone(s, js->qp, io->slba))))
		return rc;

	/* background GC gets the gaps in which nothing was outstanding */
	if (!s->total_inflight && s->now_ns > s->idle_since_ns)
		dev_idle(s->dev, s->now_ns);
	js->free_tracks = t->next_free;
	*t = (struct io_track){.s = s,
			       .submit_ns = s->now_ns,
			       .job = j,
			       .nlb = io->nlb,
			       .dir = io->dir,
			       .pid = io->pid,
			       .slba = io->slba,
			       .append = io->dir == DIR_WRITE && js->res->spec->zbd.append,
			       .buf = t->buf,
			       .bios = t->bios};
	if (io->dir == DIR_WRITE && js->verify)
		verify_fill(&js->vlog, t->buf, io->slba);
	else if (io->dir == DIR_WRITE && s->dev->media->keeps_data)
		sim_fill_pattern(s, t->buf, io->slba, (uint64_t)io->nlb * lba_bytes);
	/* a read-only job checks every read; a writer, its verify phase's */
	t->verify_read = io->dir == DIR_READ && js->verify &&
			 (js->verifying || js->res->spec->rw == RW_READ);
	if ((rc = submit_parts(s, js, t, io))) {
		if (!s->err[0])
			snprintf(s->err, s->errlen, "job '%s': queue %u is full",
				 js->res->spec->name, js->qp->qid);
		return rc;
	}
	/* the doorbell: in virtual time the controller fetches at once */
	if (!s->host.ftl)
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
		*io = (struct io_req){
			.dir = DIR_READ, .slba = lba, .nlb = js->vlog.bs_lbas, .pid = -1};
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
		rc = sim_submit(s, j);
	return rc;
}

int sim_submit(struct sim *s, uint32_t j)
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
		js->parked++;
		if (js->due_armed)
			return 0;
		js->due_armed = true;
		return sim_heap_push(s, (struct event){.t_ns = js->start_ns + io.not_before_ns,
						       .job = j,
						       .kind = EV_DUE});
	}
	return issue(s, j, &io);
}

/* The waiting request is due: parked slots submit until one parks again
 * (the next request is not due yet either), and the rest stay parked. */
int sim_wake_parked(struct sim *s, uint32_t j)
{
	struct job_state *js = &s->js[j];
	uint32_t n = js->parked;
	int rc = 0;

	js->due_armed = false;
	js->parked = 0;
	for (uint32_t i = 0; i < n && !rc; i++) {
		rc = sim_submit(s, j);
		if (js->due_armed || js->finished) {
			js->parked += js->finished ? 0 : n - i - 1;
			break;
		}
	}
	return rc;
}

static const char *const io_dir_names[] = {"read", "write", "trim", "flush"};

static int complete_io(struct sim *s, struct io_track *io)
{
	struct job_state *js = &s->js[io->job];
	uint64_t lat = s->now_ns - io->submit_ns;
	uint64_t bytes = (uint64_t)io->nlb * s->dev->geo.lba_bytes;
	uint8_t dir = io->dir;

	if (io->status && (js->res->spec->continue_on_error >> dir & 1)) {
		if (!js->res->errors++)
			snprintf(js->res->first_error, sizeof(js->res->first_error),
				 "%s of LBA %llu: status %x/%02xh (%s)", io_dir_names[dir],
				 (unsigned long long)io->slba, NVME_CQE_SCT(io->status),
				 NVME_CQE_SC(io->status), vssd_status_name(io->status));
	} else if (io->status && !s->err[0]) {
		snprintf(s->err, s->errlen,
			 "job '%s': the device failed a command with status "
			 "%x/%02xh (%s)%s%s",
			 js->res->spec->name, NVME_CQE_SCT(io->status), NVME_CQE_SC(io->status),
			 vssd_status_name(io->status),
			 s->dev->media->last_errno ? "; the store's last write failed: " : "",
			 s->dev->media->last_errno ? strerrordesc_np(s->dev->media->last_errno)
						   : "");
	}
	if (io->verify_read && !io->status)
		sim_check_read(js, io);
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
		if (s->opt->sample_interval_ns) /* a time series: the interval's percentiles */
			lat_stats_add(&s->iv_lat[dir], lat, 0);
	}
	if (js->res->spec->thinktime_ns)
		return sim_heap_push(s,
				     (struct event){.t_ns = s->now_ns + js->res->spec->thinktime_ns,
						    .job = io->job});
	return sim_submit(s, io->job);
}

/* NVMe commands one I/O of the job needs at most. */
static uint32_t parts_of(const struct sim *s, const struct job_state *js)
{
	uint64_t max = NVME_MAX_XFER_BYTES / s->dev->geo.lba_bytes * s->dev->geo.lba_bytes;

	return js->gen.max_io_bytes <= max ? 1 : (uint32_t)((js->gen.max_io_bytes + max - 1) / max);
}

void sim_free_tracks(struct job_state *js)
{
	for (uint32_t d = 0; js->tracks && js->res && d < js->res->spec->iodepth; d++)
		free(js->tracks[d].bios);
	free(js->tracks);
	js->tracks = NULL;
}

/* One queue pair per job, up to the controller's 63; beyond that, jobs share
 * them round-robin. Each queue is sized for everything its jobs keep in flight. */
int sim_setup_group_queues(struct sim *s, const struct job_file *jf, int g)
{
	uint32_t need[NVME_MAX_QUEUES] = {0}, njobs = 0, k = 0;
	int rc;

	if (s->host.ftl)
		return sim_setup_group_bios(s, jf, g);
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
		/* zonemode=zbd: a write may come after its zone's reset */
		need[qid] += jf->jobs[j].iodepth * (js->parts_max + s->zbd.on);
		js->qp = &s->qps[qid];
	}
	for (uint16_t q = 1; q <= s->nqps; q++) {
		if (need[q] + 1 > MAX_QUEUE_ENTRIES) {
			snprintf(s->err, s->errlen,
				 "queue %u would need %u entries for its jobs' "
				 "iodepth (NVMe commands per I/O: %u); a queue holds %u: lower "
				 "iodepth",
				 q, need[q] + 1, s->js[0].parts_max, MAX_QUEUE_ENTRIES);
			return -EINVAL;
		}
		if ((rc = sim_create_qp(s, q, need[q] + 1)))
			return rc;
	}
	return 0;
}

int sim_start_group(struct sim *s, const struct job_file *jf, struct sim_result *res, int g)
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
		rc = gen_init(&js->gen, spec,
			      s->host.ftl ? s->host.ops->capacity(s->host.ftl)
					  : dev_capacity_lbas(s->dev),
			      geo->lba_bytes, pids, npids, seed, s->err, s->errlen);
		if (rc)
			return rc;
		js->res = &res->jobs[j];
		if (js->gen.trace.n) {
			js->res->trace_format = js->gen.trace.format;
			js->res->trace = js->gen.trace_summary;
			for (uint32_t w = 0; w < js->gen.trace.nwarnings; w++)
				fprintf(stderr, "vssd: warning: job '%s': %s\n", spec->name,
					js->gen.trace.warning[w]);
		}
		if ((rc = sim_setup_verify(s, j, seed)))
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
			rc = sim_heap_push(s, (struct event){.t_ns = s->now_ns, .job = j});
			if (rc)
				return rc;
		}
	}
	return sim_setup_buffers(s, jf, g);
}

/* Reaps every CQ the controller posted to; their completions may submit more. */
int sim_reap_posted(struct sim *s)
{
	while (s->posted_cqs) {
		uint16_t q = (uint16_t)__builtin_ctzll(s->posted_cqs);

		s->posted_cqs &= s->posted_cqs - 1;
		if (q && (q <= s->nqps ||
			  (q == HOST_FTL_QID && ftl_host_for(&s->dev->cfg) != FTL_HOST_NONE)))
			host_qp_reap(&s->qps[q], s->qps[q].entries, NULL, NULL, NULL);
	}
	if (s->host.ftl && s->host.ops->error(s->host.ftl) && !s->err[0])
		snprintf(s->err, s->errlen, "%s", s->host.ops->error(s->host.ftl));
	return s->err[0] ? -EIO : 0;
}
