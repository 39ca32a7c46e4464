/*
 * The device's own namespace: I/O commands go to the device on the
 * queue's own queue pair, with their data in the command's buffer, and
 * the device answers everything about them.
 */
#include <stdio.h>
#include <string.h>

#include "target.h"

static void device_io(struct nvmf_cmd *cmd)
{
	struct nvmf_conn *c = cmd->conn;
	struct nvme_sqe sqe;
	int cid;

	nvmf_cmd_device_sqe(cmd, &sqe);
	cid = vssd_submit_cb(c->qp, &sqe, nvmf_cmd_device_done, cmd);
	if (cid < 0)
		return nvmf_cmd_complete(cmd, &(struct nvme_cqe){.status = NVME_SC_INTERNAL});
	cmd->state = CMD_DEVICE;
	cmd->device_cid = cid;
	c->device_inflight++;
}

static int device_flush(struct nvmf_target *t)
{
	struct vssd_qpair *qp;
	int rc;

	/* a queue pair of its own for the moment: the host's I/O queues have
	 * gone by the time it shuts the controller down, and a pair kept open
	 * would be one fewer for hosts */
	rc = vssd_qpair_open(t->dev, 2, &qp);
	if (!rc) {
		rc = vssd_flush(qp);
		vssd_qpair_close(qp);
	}
	return rc;
}

const struct nvmf_ns_ops nvmf_device_ns = {
	.name = "the device's own",
	.device_queue_pairs = true,
	.io = device_io,
	.flush = device_flush,
};
