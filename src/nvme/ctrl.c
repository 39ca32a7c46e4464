/*
 * The fetch-execute-post cycle, the pending-completion heap and the error
 * log. Admin commands are in admin.c, I/O commands in io.c.
 */
#include "nvme/ctrl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int nvme_ctrl_create(const struct vssd_config *cfg, struct nvme_ctrl **out, char *err,
		     size_t errlen)
{
	struct nvme_ctrl *ctrl = calloc(1, sizeof(*ctrl));
	int rc;

	if (!ctrl)
		return -ENOMEM;
	ctrl->cfg = *cfg;
	ctrl->debug_nvme = cfg->debug == DEBUG_NVME;
	dma_init(&ctrl->dma);
	if ((rc = dev_create(cfg, &ctrl->ns, err, errlen))) {
		free(ctrl);
		return rc;
	}
	ctrl->bounce = malloc(NVME_MAX_XFER_BYTES);
	if (!ctrl->bounce) {
		nvme_ctrl_destroy(ctrl);
		return -ENOMEM;
	}
	ctrl->nr_io_sqs = ctrl->nr_io_cqs = NVME_MAX_QUEUES - 1;
	memset(ctrl->fdp_event_mask, 0x3f, sizeof(ctrl->fdp_event_mask)); /* all six types */
	nvme_ctrl_attach(ctrl);
	ctrl->vwc_enabled = true;
	ctrl->serial = cfg->seed;
	*out = ctrl;
	return 0;
}

/* The FTL retired a block: the spares or read-only mode may warn now,
 * at the time of the command it did that for. */
static void on_health(void *arg)
{
	struct nvme_ctrl *ctrl = arg;

	nvme_health_events(ctrl, ctrl->cmd_now_ns);
}

void nvme_ctrl_attach(struct nvme_ctrl *ctrl)
{
	struct ftl_events ev = {
		.arg = ctrl, .health = on_health, .zone_changed = nvme_zns_zone_changed};

	if (!ctrl->ns)
		return;
	nvme_fdp_events(ctrl, &ev);
	dev_set_events(ctrl->ns, &ev);
}

void nvme_ctrl_destroy(struct nvme_ctrl *ctrl)
{
	if (!ctrl)
		return;
	for (int q = 0; q < NVME_MAX_QUEUES; q++) {
		free(ctrl->sq[q]);
		free(ctrl->cq[q]);
	}
	dev_destroy(ctrl->ns);
	dma_fini(&ctrl->dma);
	free(ctrl->model_ns);
	free(ctrl->pend.v);
	free(ctrl->bounce);
	free(ctrl);
}

bool nvme_ctrl_can_powerloss(const struct nvme_ctrl *ctrl)
{
	return !ctrl->ns || dev_can_powerloss(ctrl->ns);
}

int nvme_ctrl_powerloss(struct nvme_ctrl *ctrl)
{
	if (!nvme_ctrl_can_powerloss(ctrl))
		return -EOPNOTSUPP; /* and nothing is torn down */
	for (int q = 0; q < NVME_MAX_QUEUES; q++) {
		free(ctrl->sq[q]);
		free(ctrl->cq[q]);
		ctrl->sq[q] = NULL;
		ctrl->cq[q] = NULL;
		atomic_store(&ctrl->db[q].sq_tail, 0);
		atomic_store(&ctrl->db[q].cq_head, 0);
	}
	ctrl->enabled = false;
	ctrl->io_queues_created = false;
	ctrl->pend.len = 0; /* commands in flight never complete */
	ctrl->io_outstanding = 0;
	ctrl->naer = 0;
	ctrl->nevents = 0;
	ctrl->masked_logs = 0;
	memset(&ctrl->fdp_host_events, 0, sizeof(ctrl->fdp_host_events));
	memset(&ctrl->fdp_ctrl_events, 0, sizeof(ctrl->fdp_ctrl_events));
	if (!ctrl->ns)
		return 0;
	return dev_powerloss(ctrl->ns);
}

int nvme_ctrl_trace_model(struct nvme_ctrl *ctrl)
{
	if (!ctrl->model_ns)
		ctrl->model_ns =
			calloc((size_t)NVME_MAX_QUEUES * (NVME_MQES + 1), sizeof(uint64_t));
	return ctrl->model_ns ? 0 : -ENOMEM;
}

int nvme_ctrl_enable(struct nvme_ctrl *ctrl, struct nvme_sqe *asq, uint16_t asq_entries,
		     struct nvme_cqe *acq, uint16_t acq_entries)
{
	struct nvme_sq *sq;
	struct nvme_cq *cq;

	if (ctrl->enabled || asq_entries < 2 || acq_entries < 2 ||
	    !dma_map(&ctrl->dma, (uintptr_t)asq, (uint64_t)asq_entries * sizeof(*asq)) ||
	    !dma_map(&ctrl->dma, (uintptr_t)acq, (uint64_t)acq_entries * sizeof(*acq)))
		return -EINVAL;
	sq = calloc(1, sizeof(*sq));
	cq = calloc(1, sizeof(*cq));
	if (!sq || !cq) {
		free(sq);
		free(cq);
		return -ENOMEM;
	}
	*sq = (struct nvme_sq){.ring = asq,
			       .qid = 0,
			       .size = asq_entries,
			       .cqid = 0,
			       .tail_db = &ctrl->db[0].sq_tail};
	*cq = (struct nvme_cq){.ring = acq,
			       .qid = 0,
			       .size = acq_entries,
			       .phase = 1,
			       .irq_enabled = true,
			       .nr_sqs = 1,
			       .head_db = &ctrl->db[0].cq_head};
	ctrl->sq[0] = sq;
	ctrl->cq[0] = cq;
	ctrl->enabled = true;
	return 0;
}

int nvme_ctrl_queue_completion(struct nvme_ctrl *ctrl, uint16_t cqid, uint64_t due_ns,
			       const struct nvme_cqe *cqe)
{
	return pend_heap_push(&ctrl->pend,
			      (struct nvme_pending){due_ns, ctrl->pend_seq++, cqid, *cqe});
}

uint16_t nvme_map_dptr(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t bytes,
		       struct dma_sgl *sgl)
{
	struct nvme_sgl_desc dptr;

	switch (NVME_SQE_PSDT(sqe)) {
	case NVME_PSDT_PRP:
		return (uint16_t)dma_map_prps(&ctrl->dma, sqe->prp1, sqe->prp2, bytes, sgl);
	case NVME_PSDT_SGL:
	case NVME_PSDT_SGL_MPTR: /* MPTR's form matters only for metadata, and there is none */
		memcpy(&dptr, &sqe->prp1, sizeof(dptr));
		return (uint16_t)dma_map_sgl(&ctrl->dma, &dptr, bytes, sgl);
	default: return nvme_reject(ctrl, sqe, NVME_SC_INVALID_FIELD, "PSDT 3 is reserved");
	}
}

uint16_t nvme_data_to_host(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, const void *data,
			   uint64_t bytes)
{
	struct dma_sgl sgl;
	uint16_t rc = nvme_map_dptr(ctrl, sqe, bytes, &sgl);

	if (rc)
		return rc;
	dma_to_host(&sgl, data);
	return NVME_SC_SUCCESS;
}

uint16_t nvme_data_from_host(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, void *data,
			     uint64_t bytes)
{
	struct dma_sgl sgl;
	uint16_t rc = nvme_map_dptr(ctrl, sqe, bytes, &sgl);

	if (rc)
		return rc;
	dma_from_host(&sgl, data);
	return NVME_SC_SUCCESS;
}

/* A failed command leaves an entry in the Error Information log (a ring). */
static void log_error(struct nvme_ctrl *ctrl, uint16_t sqid, const struct nvme_sqe *sqe,
		      const struct nvme_result *r)
{
	struct nvme_error_log *e = &ctrl->errlog[ctrl->error_count % NVME_ERR_LOG_ENTRIES];

	memset(e, 0, sizeof(*e));
	e->error_count = ++ctrl->error_count;
	e->sqid = sqid;
	e->cmdid = sqe->cid;
	e->status_field = r->status;
	e->parm_error_location = 0xffff;
	e->lba = r->lba;
	e->nsid = sqe->nsid;
	e->opcode = sqe->opcode;
	e->log_page_version = 1;
}

static void io_busy_start(struct nvme_ctrl *ctrl, uint64_t now_ns)
{
	if (!ctrl->io_outstanding++)
		ctrl->busy_since_ns = now_ns;
}

static void io_busy_end(struct nvme_ctrl *ctrl, uint64_t done_ns)
{
	if (!--ctrl->io_outstanding && done_ns > ctrl->busy_since_ns)
		dev_count_busy(ctrl->ns, done_ns - ctrl->busy_since_ns);
}

static void execute(struct nvme_ctrl *ctrl, struct nvme_sq *sq, const struct nvme_sqe *sqe,
		    uint64_t now_ns)
{
	struct nvme_result r = {.status = NVME_SC_SUCCESS, .done_ns = now_ns};
	struct nvme_cqe cqe;

	ctrl->cmd_now_ns = now_ns;
	ctrl->cmd_admin = sq->qid == 0;
	ctrl->cmd_said = false;
	if (sq->qid == 0) {
		nvme_admin_exec(ctrl, sqe, now_ns, &r);
	} else {
		io_busy_start(ctrl, now_ns);
		nvme_io_exec(ctrl, sqe, now_ns, &r);
	}
	if (r.held)
		return; /* an AER: completed when an event comes */
	if (ctrl->model_ns)
		ctrl->model_ns[(uint32_t)sq->qid * (NVME_MQES + 1) + sqe->cid] = r.done_ns - now_ns;
	if (r.status != NVME_SC_SUCCESS)
		log_error(ctrl, sq->qid, sqe, &r);
	if (ctrl->debug_nvme && r.status != NVME_SC_SUCCESS)
		nvme_reject_default(ctrl, sqe, r.status);
	cqe = (struct nvme_cqe){.result = r.result,
				.dw1 = r.result_hi,
				.sq_id = sq->qid,
				.cid = sqe->cid,
				.status = r.status};
	if (r.status != NVME_SC_SUCCESS && r.status != NVME_SC_COMPARE_FAILED)
		cqe.status |= NVME_CQE_DNR; /* retrying the same command fails the same way */
	nvme_ctrl_queue_completion(ctrl, sq->cqid, r.done_ns, &cqe);
}

int nvme_ctrl_process_sq(struct nvme_ctrl *ctrl, uint16_t qid, uint64_t now_ns)
{
	struct nvme_sq *sq = qid < NVME_MAX_QUEUES ? ctrl->sq[qid] : NULL;
	struct nvme_sqe sqe;
	int n, done = 0;

	if (!sq)
		return 0;
	n = nvme_sq_pending(sq);
	if (n < 0) {
		nvme_raise_event(ctrl, NVME_AER_ERROR, NVME_AER_INFO_INVALID_DB_VALUE,
				 NVME_LOG_ERROR, now_ns);
		return 0;
	}
	while (n--) {
		nvme_sq_fetch(sq, &sqe);
		execute(ctrl, sq, &sqe, now_ns);
		done++;
	}
	return done;
}

int nvme_ctrl_post_due(struct nvme_ctrl *ctrl, uint64_t now_ns)
{
	uint64_t posted_mask = 0;
	int posted = 0;

	while (ctrl->pend.len && ctrl->pend.v[0].due_ns <= now_ns) {
		struct nvme_pending p = ctrl->pend.v[0];
		struct nvme_cq *cq = ctrl->cq[p.cqid];
		struct nvme_sq *sq = ctrl->sq[p.cqe.sq_id];

		if (cq && nvme_cq_full(cq))
			break; /* in order: a full CQ holds back what follows */
		pend_heap_pop(&ctrl->pend);
		if (p.cqe.sq_id)
			io_busy_end(ctrl, p.due_ns);
		if (!cq)
			continue; /* its CQ was deleted */
		p.cqe.sq_head =
			sq ? atomic_load_explicit(&sq->head_shadow, memory_order_acquire) : 0;
		nvme_cq_post(cq, &p.cqe);
		posted_mask |= 1ULL << p.cqid;
		posted++;
	}
	for (uint16_t q = 0; posted_mask && ctrl->on_post; q++, posted_mask >>= 1)
		if (posted_mask & 1)
			ctrl->on_post(ctrl->on_post_arg, q);
	return posted;
}

void nvme_deliver_events(struct nvme_ctrl *ctrl, uint64_t now_ns)
{
	while (ctrl->naer && ctrl->nevents) {
		struct nvme_event e = ctrl->events[0];
		struct nvme_cqe cqe = {
			.result = e.type | (uint32_t)e.info << 8 | (uint32_t)e.log_page << 16,
			.sq_id = 0,
			.cid = ctrl->aer_cid[--ctrl->naer],
			.status = NVME_SC_SUCCESS,
		};

		memmove(ctrl->events, ctrl->events + 1, --ctrl->nevents * sizeof(e));
		nvme_ctrl_queue_completion(ctrl, 0, now_ns, &cqe);
	}
}

void nvme_raise_event(struct nvme_ctrl *ctrl, uint8_t type, uint8_t info, uint8_t log_page,
		      uint64_t now_ns)
{
	/* an event of a type the host has not acknowledged yet (by reading its
	 * log page) is masked, as the spec says */
	if (ctrl->masked_logs & (1u << type))
		return;
	ctrl->masked_logs |= (uint8_t)(1u << type);
	if (ctrl->nevents < sizeof(ctrl->events) / sizeof(ctrl->events[0]))
		ctrl->events[ctrl->nevents++] = (struct nvme_event){type, info, log_page};
	nvme_deliver_events(ctrl, now_ns);
}
