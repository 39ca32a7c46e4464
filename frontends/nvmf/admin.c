/*
 * Admin commands of a subsystem controller. The device answers nearly all
 * of them: the target hands each over with its data in DMA memory, and
 * answers itself only what belongs to the fabric: Keep Alive, the Keep
 * Alive Timer and Number of Queues features, the queue commands a fabrics
 * controller does not have (queues come from Connect), and Identify
 * Controller's fabrics fields (controller ID, capsule sizes, SGL support,
 * keep alive granularity, the subsystem's NQN), filled in on the device's
 * answer; and what the namespace served answers or amends (t->ns).
 */
#include <stdio.h>
#include <string.h>

#include "target.h"

#define NVME_ADMIN_DBBUF 0x7c /* Doorbell Buffer Config: PCIe only */

/* Identify Controller as a fabrics host reads it. */
static void fabrics_id_ctrl(const struct nvmf_ctrl *ctrl, struct nvme_id_ctrl *id)
{
	id->cntlid = ctrl->cntlid;
	id->cntrltype = 1;     /* I/O controller */
	id->ctratt |= 1u << 6; /* TBKAS: any command restarts the keep alive timer */
	id->maxcmd = NVMF_MAX_QUEUE_ENTRIES;
	id->kas = NVMF_KAS_100MS;
	id->sgls |= 1u << 20; /* a data block's address may be an offset: in-capsule data */
	id->ioccsz = (sizeof(struct nvme_sqe) + NVMF_INCAPSULE_BYTES) / 16;
	id->iorcsz = sizeof(struct nvme_cqe) / 16;
	id->icdoff = 0;
	id->fcatt = 0; /* the dynamic controller model */
	id->msdbd = 1;
	memset(id->subnqn, 0, sizeof(id->subnqn));
	snprintf(id->subnqn, sizeof(id->subnqn), "%s", ctrl->t->subnqn);
}

/* SMART's count of Error Information log entries: this controller's, as
 * its error log holds them (the device's counts every controller's). */
static void smart_errors(struct nvmf_cmd *cmd)
{
	const uint64_t at = offsetof(struct nvme_smart_log, num_err_log_entries);
	uint64_t off = nvme_get_log_offset(&cmd->sqe), n;

	if (cmd->sqe.opcode != NVME_ADMIN_GET_LOG_PAGE ||
	    nvme_get(&cmd->sqe, NVME_F_LID) != NVME_LOG_SMART || off > at ||
	    off + cmd->data_bytes < at + sizeof(n))
		return;
	n = nvmf_errlog_count(cmd->conn->ctrl);
	memcpy(cmd->buf + (at - off), &n, sizeof(n)); /* the low half of a 128-bit count */
	memset(cmd->buf + (at - off) + sizeof(n), 0, sizeof(n));
}

/* A namespace inactive to the controller (CC.CSS): Identify returns zeros
 * for it and lists no namespace. */
static void hide_namespace(struct nvmf_cmd *cmd)
{
	static const bool of_ns[256] = {
		[NVME_ID_CNS_NS] = true,
		[NVME_ID_CNS_NS_ACTIVE_LIST] = true,
		[NVME_ID_CNS_NS_DESC_LIST] = true,
		[NVME_ID_CNS_CS_NS] = true,
		[NVME_ID_CNS_CS_NS_ACTIVE_LIST] = true,
		[NVME_ID_CNS_CSI_INDEP_NS] = true,
	};

	if (cmd->sqe.opcode == NVME_ADMIN_IDENTIFY && of_ns[nvme_get(&cmd->sqe, NVME_F_CNS)])
		memset(cmd->buf, 0, cmd->data_bytes);
}

static void admin_done(void *arg, const struct nvme_cqe *cqe)
{
	struct nvmf_cmd *cmd = arg;
	struct nvmf_conn *c = cmd->conn;

	if (!c->dead && !nvme_cqe_code(cqe) && c->t->ns->amend)
		c->t->ns->amend(cmd);
	if (!c->dead && !nvme_cqe_code(cqe))
		smart_errors(cmd);
	if (!c->dead && !nvme_cqe_code(cqe) && c->ctrl->ns_inactive)
		hide_namespace(cmd);
	if (!c->dead && cmd->sqe.opcode == NVME_ADMIN_IDENTIFY &&
	    nvme_get(&cmd->sqe, NVME_F_CNS) == NVME_ID_CNS_CTRL && !nvme_cqe_code(cqe) &&
	    cmd->data_bytes >= sizeof(struct nvme_id_ctrl))
		fabrics_id_ctrl(c->ctrl, (struct nvme_id_ctrl *)cmd->buf);
	nvmf_cmd_device_done(cmd, cqe);
}

/* Get or Set Features of the Keep Alive Timer: the controller's KATO, in ms. */
static void kato_feature(struct nvmf_cmd *cmd)
{
	struct nvmf_ctrl *ctrl = cmd->conn->ctrl;

	if (cmd->sqe.opcode == NVME_ADMIN_SET_FEATURES) {
		ctrl->kato_ms = cmd->sqe.cdw11;
		nvmf_keep_alive_touch(ctrl, cmd->conn->loop->now_ns);
		ctrl->t->ka_next_ns = 0; /* a shorter timeout: look again */
	}
	nvmf_cmd_status(cmd, NVME_SC_SUCCESS, ctrl->kato_ms);
}

/* Number of Queues: on a fabric, what this controller's host may connect
 * (the device's queue pairs), asked for or not: on a fabric it is not a
 * setting the controller keeps, and other hosts' controllers share them. */
static void queues_feature(struct nvmf_cmd *cmd)
{
	uint32_t most = cmd->conn->t->info.max_io_queue_pairs, nsq = most, ncq = most;

	if (cmd->sqe.opcode == NVME_ADMIN_SET_FEATURES) {
		nsq = nvme_get(&cmd->sqe, NVME_F_NSQR) + 1;
		ncq = nvme_get(&cmd->sqe, NVME_F_NCQR) + 1;
		if (nsq == 0x10000 || ncq == 0x10000) /* 65535 is reserved */
			return nvmf_cmd_status(cmd, NVME_SC_INVALID_FIELD, 0);
		nsq = nsq < most ? nsq : most;
		ncq = ncq < most ? ncq : most;
	}
	nvmf_cmd_status(cmd, NVME_SC_SUCCESS, (nsq - 1) | (ncq - 1) << 16);
}

/* Features that are the fabric's: the target answers them. */
static bool fabric_feature(struct nvmf_cmd *cmd)
{
	const struct nvme_sqe *sqe = &cmd->sqe;

	if (sqe->opcode != NVME_ADMIN_SET_FEATURES && sqe->opcode != NVME_ADMIN_GET_FEATURES)
		return false;
	switch (nvme_get(sqe, NVME_F_FID)) {
	case NVME_FEAT_KATO: kato_feature(cmd); return true;
	case NVME_FEAT_NUM_QUEUES: queues_feature(cmd); return true;
	default: return false;
	}
}

void nvmf_admin_exec(struct nvmf_cmd *cmd)
{
	struct nvmf_conn *c = cmd->conn;
	struct nvme_sqe sqe;
	int cid;

	switch (cmd->sqe.opcode) {
	case NVME_ADMIN_KEEP_ALIVE:
		return nvmf_cmd_status(cmd, NVME_SC_SUCCESS,
				       0); /* the timer restarted on receipt */
	case NVME_ADMIN_CREATE_SQ:
	case NVME_ADMIN_CREATE_CQ:
	case NVME_ADMIN_DELETE_SQ:
	case NVME_ADMIN_DELETE_CQ:
	case NVME_ADMIN_DBBUF: return nvmf_cmd_status(cmd, NVME_SC_INVALID_OPCODE, 0);
	}
	if (cmd->sqe.opcode == NVME_ADMIN_GET_LOG_PAGE &&
	    nvme_get(&cmd->sqe, NVME_F_LID) == NVME_LOG_ERROR)
		return nvmf_errlog_page(cmd);
	if (fabric_feature(cmd) || (c->t->ns->admin && c->t->ns->admin(cmd)))
		return;
	nvmf_cmd_device_sqe(cmd, &sqe);
	cid = vssd_admin_async(c->t->dev, &sqe, admin_done, cmd);
	if (cid < 0) /* the device's admin queue is full: the host may retry */
		return nvmf_cmd_complete(cmd, &(struct nvme_cqe){.status = NVME_SC_INTERNAL});
	cmd->state = CMD_DEVICE;
	cmd->device_cid = cid;
	c->device_inflight++;
}

void nvmf_abort_held(struct nvmf_conn *c)
{
	for (uint16_t i = 0; i < NVMF_MAX_QUEUE_ENTRIES; i++) {
		struct nvmf_cmd *cmd = &c->cmd[i];
		struct nvme_sqe abort = {.opcode = NVME_ADMIN_ABORT};
		struct nvme_cqe cqe;

		if (cmd->state == CMD_HELD || cmd->state == CMD_RECV ||
		    cmd->state == CMD_WAIT_H2C) {
			nvmf_cmd_free(cmd); /* nothing of it is with the device */
			continue;
		}
		if (cmd->state != CMD_DEVICE || c->qid || cmd->sqe.opcode != NVME_ADMIN_ASYNC_EVENT)
			continue;
		/* an event would otherwise complete it long after its host left */
		nvme_set(&abort, NVME_F_ABORT_SQID, 0);
		nvme_set(&abort, NVME_F_ABORT_CID, (uint32_t)cmd->device_cid);
		vssd_admin(c->t->dev, &abort, &cqe);
	}
}
