/*
 * Each fabrics controller's own Error Information log (01h): every command
 * of its queues that ends with an error, as its host sent it (the queue's
 * SQID and the host's command identifier), whether the device or the
 * target failed it. The device's own log names the device's queues and
 * identifiers, which mean nothing to a host, and holds every controller's
 * errors; this one is the host's alone.
 */
#include <string.h>

#include "target.h"

/* I/O commands whose CDW10-11 are a starting LBA. */
static bool has_slba(uint8_t opcode)
{
	switch (opcode) {
	case NVME_CMD_READ:
	case NVME_CMD_WRITE:
	case NVME_CMD_WRITE_ZEROES:
	case NVME_CMD_ZONE_APPEND:
	case NVME_CMD_ZONE_MGMT_SEND:
	case NVME_CMD_ZONE_MGMT_RECV: return true;
	default: return false;
	}
}

void nvmf_errlog_note(struct nvmf_cmd *cmd, uint16_t status)
{
	struct nvmf_conn *c = cmd->conn;
	struct nvmf_ctrl *ctrl = c->ctrl;
	struct nvme_error_log *e;

	if (!ctrl || ctrl->discovery)
		return;
	pthread_mutex_lock(&c->t->lock);
	e = &ctrl->errlog[ctrl->error_count % NVMF_ERR_LOG_ENTRIES];
	*e = (struct nvme_error_log){
		.error_count = ++ctrl->error_count,
		.sqid = c->qid,
		.cmdid = cmd->sqe.cid,
		.status_field = status,
		.parm_error_location = 0xffff, /* not known */
		.lba = c->qid && has_slba(cmd->sqe.opcode) ? nvme_get_slba(&cmd->sqe) : 0,
		.nsid = cmd->sqe.nsid,
		.opcode = cmd->sqe.opcode,
		.log_page_version = 1};
	pthread_mutex_unlock(&c->t->lock);
}

void nvmf_errlog_page(struct nvmf_cmd *cmd)
{
	struct nvmf_ctrl *ctrl = cmd->conn->ctrl;
	struct nvme_error_log log[NVMF_ERR_LOG_ENTRIES];

	memset(log, 0, sizeof(log));
	pthread_mutex_lock(&ctrl->t->lock);
	for (uint64_t i = 0; i < NVMF_ERR_LOG_ENTRIES && i < ctrl->error_count; i++)
		log[i] = ctrl->errlog[(ctrl->error_count - 1 - i) % NVMF_ERR_LOG_ENTRIES];
	pthread_mutex_unlock(&ctrl->t->lock);
	nvmf_cmd_log_answer(cmd, log, sizeof(log)); /* newest first, as the device's */
}

uint64_t nvmf_errlog_count(struct nvmf_ctrl *ctrl)
{
	uint64_t n;

	pthread_mutex_lock(&ctrl->t->lock);
	n = ctrl->error_count;
	pthread_mutex_unlock(&ctrl->t->lock);
	return n;
}
