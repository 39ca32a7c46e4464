/*
 * The admin command set: its table (handler, name, effects; dispatch and
 * the effects log read it), queue creation and deletion, Abort,
 * Asynchronous Event Request and Format NVM. Identify, features and log
 * pages have files of their own. Each handler fills in the status and
 * result; data goes to host memory through PRPs.
 */
#include "nvme/ctrl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint16_t create_cq(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe)
{
	uint16_t qid = (uint16_t)nvme_get(sqe, NVME_F_QID);
	uint32_t qsize = nvme_get(sqe, NVME_F_QSIZE), entries = qsize + 1;
	struct nvme_cq *cq;
	void *ring;

	if (!qid || qid > ctrl->nr_io_cqs || ctrl->cq[qid])
		return nvme_reject(ctrl, sqe, NVME_SC_QID_INVALID,
				   "CDW10.QID %u is 0, past the %u I/O CQs granted, or in use", qid,
				   ctrl->nr_io_cqs);
	if (qsize == 0 || qsize > NVME_MQES)
		return nvme_reject(ctrl, sqe, NVME_SC_QUEUE_SIZE,
				   "CDW10.QSIZE %u is 0 or over MQES %u", qsize, NVME_MQES);
	if (!nvme_get(sqe, NVME_F_PC)) /* CAP.CQR: queues must be physically contiguous */
		return nvme_reject(ctrl, sqe, NVME_SC_INVALID_FIELD,
				   "CDW11.PC is 0: queues must be physically contiguous (CAP.CQR)");
	if (sqe->prp1 % NVME_PAGE_BYTES)
		return nvme_reject(ctrl, sqe, NVME_SC_PRP_OFFSET_INVALID,
				   "PRP1 0x%llx is not page aligned",
				   (unsigned long long)sqe->prp1);
	ring = dma_map(&ctrl->dma, sqe->prp1, (uint64_t)entries * sizeof(struct nvme_cqe));
	if (!ring)
		return nvme_reject(ctrl, sqe, NVME_SC_DATA_XFER_ERROR,
				   "PRP1 0x%llx + %u entries is not registered host memory",
				   (unsigned long long)sqe->prp1, entries);
	cq = calloc(1, sizeof(*cq));
	if (!cq)
		return NVME_SC_INTERNAL;
	*cq = (struct nvme_cq){.ring = ring,
			       .qid = qid,
			       .size = (uint16_t)entries,
			       .phase = 1,
			       .irq_enabled = nvme_get(sqe, NVME_F_CQ_IEN),
			       .vector = (uint16_t)nvme_get(sqe, NVME_F_CQ_IV),
			       .head_db = &ctrl->db[qid].cq_head};
	atomic_store(&ctrl->db[qid].cq_head, 0); /* a new queue starts empty */
	memset(ring, 0, (size_t)entries * sizeof(struct nvme_cqe));
	ctrl->cq[qid] = cq;
	ctrl->io_queues_created = true;
	return NVME_SC_SUCCESS;
}

static uint16_t create_sq(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe)
{
	uint16_t qid = (uint16_t)nvme_get(sqe, NVME_F_QID);
	uint32_t qsize = nvme_get(sqe, NVME_F_QSIZE), entries = qsize + 1;
	uint16_t cqid = (uint16_t)nvme_get(sqe, NVME_F_SQ_CQID);
	struct nvme_sq *sq;
	void *ring;

	if (!qid || qid > ctrl->nr_io_sqs || ctrl->sq[qid])
		return NVME_SC_QID_INVALID;
	if (qsize == 0 || qsize > NVME_MQES)
		return NVME_SC_QUEUE_SIZE;
	if (!nvme_get(sqe, NVME_F_PC))
		return NVME_SC_INVALID_FIELD;
	if (!cqid || cqid >= NVME_MAX_QUEUES || !ctrl->cq[cqid])
		return NVME_SC_CQ_INVALID;
	if (sqe->prp1 % NVME_PAGE_BYTES)
		return NVME_SC_PRP_OFFSET_INVALID;
	ring = dma_map(&ctrl->dma, sqe->prp1, (uint64_t)entries * sizeof(struct nvme_sqe));
	if (!ring)
		return NVME_SC_DATA_XFER_ERROR;
	sq = calloc(1, sizeof(*sq));
	if (!sq)
		return NVME_SC_INTERNAL;
	*sq = (struct nvme_sq){.ring = ring,
			       .qid = qid,
			       .size = (uint16_t)entries,
			       .cqid = cqid,
			       .prio = (uint16_t)nvme_get(sqe, NVME_F_SQ_QPRIO),
			       .tail_db = &ctrl->db[qid].sq_tail};
	atomic_store(&ctrl->db[qid].sq_tail, 0); /* a new queue starts empty */
	ctrl->sq[qid] = sq;
	ctrl->cq[cqid]->nr_sqs++;
	ctrl->io_queues_created = true;
	return NVME_SC_SUCCESS;
}

static uint16_t delete_sq(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe)
{
	uint16_t qid = (uint16_t)nvme_get(sqe, NVME_F_QID);

	if (!qid || qid >= NVME_MAX_QUEUES || !ctrl->sq[qid])
		return NVME_SC_QID_INVALID;
	/* its commands have all been executed; their completions still post */
	ctrl->cq[ctrl->sq[qid]->cqid]->nr_sqs--;
	free(ctrl->sq[qid]);
	ctrl->sq[qid] = NULL;
	return NVME_SC_SUCCESS;
}

static uint16_t delete_cq(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe)
{
	uint16_t qid = (uint16_t)nvme_get(sqe, NVME_F_QID);

	if (!qid || qid >= NVME_MAX_QUEUES || !ctrl->cq[qid])
		return NVME_SC_QID_INVALID;
	if (ctrl->cq[qid]->nr_sqs)
		return NVME_SC_INVALID_QUEUE_DELETION;
	free(ctrl->cq[qid]);
	ctrl->cq[qid] = NULL;
	return NVME_SC_SUCCESS;
}

static uint16_t abort_cmd(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
			  uint32_t *result)
{
	uint16_t sqid = (uint16_t)nvme_get(sqe, NVME_F_ABORT_SQID);
	uint16_t cid = (uint16_t)nvme_get(sqe, NVME_F_ABORT_CID);

	*result = 1; /* bit 0 set: not aborted */
	if (sqid != 0)
		return NVME_SC_SUCCESS; /* I/O commands run when fetched: too late */
	for (uint32_t i = 0; i < ctrl->naer; i++) {
		if (ctrl->aer_cid[i] == cid) {
			struct nvme_cqe cqe = {.cid = cid, .status = NVME_SC_ABORT_REQ};

			ctrl->aer_cid[i] = ctrl->aer_cid[--ctrl->naer];
			nvme_ctrl_queue_completion(ctrl, 0, now_ns, &cqe);
			*result = 0;
			break;
		}
	}
	return NVME_SC_SUCCESS;
}

static uint16_t format_nvm(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe)
{
	uint8_t lbaf = (uint8_t)nvme_get(sqe, NVME_F_LBAF),
		ses = (uint8_t)nvme_get(sqe, NVME_F_SES);
	struct vssd_config cfg = ctrl->cfg;
	struct vssd_dev *dev;
	char err[256];

	if (sqe->nsid != NVME_NSID && sqe->nsid != 0xffffffff)
		return NVME_SC_INVALID_NS;
	if (!nvme_lbaf_bytes(ctrl, lbaf) || nvme_get(sqe, NVME_F_MSET) || nvme_get(sqe, NVME_F_PI))
		return NVME_SC_INVALID_FORMAT;
	if (ses > 1) /* cryptographic erase is not supported; user data erase is */
		return NVME_SC_INVALID_FIELD;
	if (ctrl->io_outstanding)
		return NVME_SC_CMD_SEQ_ERROR;
	cfg.lba_bytes = nvme_lbaf_bytes(ctrl, lbaf);
	/* a new FTL: every LBA deallocated, wear kept off the books of the new
	 * media. The old device goes first: a device file is locked while open,
	 * and is emptied to be laid out again. */
	dev_destroy(ctrl->ns);
	ctrl->ns = NULL;
	if (cfg.media == MEDIA_FILE && truncate(cfg.path, 0))
		return NVME_SC_INTERNAL;
	if (dev_create(&cfg, &dev, err, sizeof(err)))
		return NVME_SC_INTERNAL; /* the namespace stays not ready */
	ctrl->ns = dev;
	ctrl->cfg = cfg;
	nvme_ctrl_attach(ctrl);
	return NVME_SC_SUCCESS;
}

/* The admin commands whose handlers give a status alone. */
#define STATUS_ONLY(fn)                                                                            \
	static void exec_##fn(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns, \
			      struct nvme_result *r)                                               \
	{                                                                                          \
		r->status = fn(ctrl, sqe);                                                         \
	}
STATUS_ONLY(create_cq)
STATUS_ONLY(create_sq)
STATUS_ONLY(delete_sq)
STATUS_ONLY(delete_cq)
STATUS_ONLY(nvme_identify)
STATUS_ONLY(format_nvm)
STATUS_ONLY(nvme_oc_geometry)

static void exec_set_features(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
			      struct nvme_result *r)
{
	r->status = nvme_set_features(ctrl, sqe, now_ns, &r->result);
}

static void exec_get_features(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
			      struct nvme_result *r)
{
	r->status = nvme_get_features(ctrl, sqe, now_ns, &r->result);
}

static void exec_get_log_page(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
			      struct nvme_result *r)
{
	r->status = nvme_get_log_page(ctrl, sqe, now_ns);
}

static void exec_abort(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
		       struct nvme_result *r)
{
	r->status = abort_cmd(ctrl, sqe, now_ns, &r->result);
}

/* Held until an event comes (or answered at once if one waits). */
static void exec_async_event(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
			     struct nvme_result *r)
{
	if (ctrl->naer > NVME_AERL) {
		r->status = NVME_SC_AER_LIMIT;
		return;
	}
	ctrl->aer_cid[ctrl->naer++] = sqe->cid;
	r->held = true;
	nvme_deliver_events(ctrl, now_ns); /* one may already be waiting */
}

#define FORMAT_EFFECTS                                                                             \
	(NVME_CMD_EFFECTS_CSUPP | NVME_CMD_EFFECTS_LBCC | NVME_CMD_EFFECTS_NCC |                   \
	 NVME_CMD_EFFECTS_NIC)

/* Geometry (E2h) is the open-channel set's own admin command. */
static bool serves_open_channel(const struct nvme_ctrl *ctrl)
{
	return ctrl->ns && dev_iocs(ctrl->ns) == FTL_IOCS_OCSSD;
}

/* The admin command set. */
const struct nvme_cmd_def nvme_admin_cmds[256] = {
	[NVME_ADMIN_DELETE_SQ] = NVME_CMD("delete-sq", exec_delete_sq, NVME_CMD_EFFECTS_CSUPP),
	[NVME_ADMIN_CREATE_SQ] = NVME_CMD("create-sq", exec_create_sq, NVME_CMD_EFFECTS_CSUPP),
	[NVME_ADMIN_GET_LOG_PAGE] = NVME_CMD("get-log", exec_get_log_page, NVME_CMD_EFFECTS_CSUPP),
	[NVME_ADMIN_DELETE_CQ] = NVME_CMD("delete-cq", exec_delete_cq, NVME_CMD_EFFECTS_CSUPP),
	[NVME_ADMIN_CREATE_CQ] = NVME_CMD("create-cq", exec_create_cq, NVME_CMD_EFFECTS_CSUPP),
	[NVME_ADMIN_IDENTIFY] = NVME_CMD("identify", exec_nvme_identify, NVME_CMD_EFFECTS_CSUPP),
	[NVME_ADMIN_ABORT] = NVME_CMD("abort", exec_abort, NVME_CMD_EFFECTS_CSUPP),
	[NVME_ADMIN_SET_FEATURES] =
		NVME_CMD("set-feature", exec_set_features, NVME_CMD_EFFECTS_CSUPP),
	[NVME_ADMIN_GET_FEATURES] =
		NVME_CMD("get-feature", exec_get_features, NVME_CMD_EFFECTS_CSUPP),
	[NVME_ADMIN_ASYNC_EVENT] =
		NVME_CMD("async-event", exec_async_event, NVME_CMD_EFFECTS_CSUPP),
	[NVME_ADMIN_FORMAT_NVM] = NVME_CMD("format", exec_format_nvm, FORMAT_EFFECTS),
	[NVME_ADMIN_OC_GEOMETRY] = {.name = "oc-geometry",
				    .exec = exec_nvme_oc_geometry,
				    .effects = NVME_CMD_EFFECTS_CSUPP,
				    .serves = serves_open_channel},
};

void nvme_admin_exec(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
		     struct nvme_result *r)
{
	const struct nvme_cmd_def *cmd = &nvme_admin_cmds[sqe->opcode];

	if (!nvme_cmd_served(ctrl, cmd)) {
		r->status =
			nvme_reject(ctrl, sqe, NVME_SC_INVALID_OPCODE,
				    "opcode 0x%02x is not an admin command this controller serves",
				    sqe->opcode);
		return;
	}
	cmd->exec(ctrl, sqe, now_ns, r);
}
