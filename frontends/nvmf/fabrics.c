/*
 * The Fabrics command set and the controllers it makes: Connect (an admin
 * queue makes a controller with the next free controller ID, the dynamic
 * model; an I/O queue joins one and gets a queue pair on the device),
 * Property Get and Set (CAP, VS, CC and CSTS: enable, ready, shutdown),
 * Disconnect, and the keep alive timer that ends a controller whose host
 * has gone quiet.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target.h"

#define CAP_TO_500MS 15		  /* CAP.TO: 7.5 s to become ready, at most */
#define CAP_CSS_NVM (1ull << 37)  /* CAP.CSS bit 0: the NVM command set */
#define CAP_CSS_IOCS (1ull << 43) /* CAP.CSS bit 6: I/O command sets chosen by CSI */

static uint64_t cap_of(const struct nvmf_target *t)
{
	/* CSS: the NVM command set; and with a zoned namespace, I/O command
	 * sets chosen by CSI (CC.CSS 110b), which a host needs to take it */
	uint64_t css = CAP_CSS_NVM | (t->info.block_host == VSSD_BLOCK_ZONED ? CAP_CSS_IOCS : 0);

	return (uint64_t)(NVMF_MAX_QUEUE_ENTRIES - 1) /* MQES */
	       | 1ull << 16			      /* CQR: contiguous queues */
	       | (uint64_t)CAP_TO_500MS << 24 | css;
}

static struct nvmf_ctrl *ctrl_new(struct nvmf_target *t, bool discovery, const char *hostnqn,
				  uint32_t kato_ms)
{
	struct nvmf_ctrl *ctrl;

	for (int i = 0; i < NVMF_MAX_CTRLS; i++) {
		/* IDs go round, so a reconnecting host gets a new one */
		uint16_t id = (uint16_t)((t->next_cntlid + i) % NVMF_MAX_CTRLS);

		if (t->ctrl[id])
			continue;
		if (!(ctrl = calloc(1, sizeof(*ctrl))))
			return NULL;
		ctrl->t = t;
		ctrl->cntlid = (uint16_t)(id + 1);
		ctrl->discovery = discovery;
		snprintf(ctrl->hostnqn, sizeof(ctrl->hostnqn), "%s", hostnqn);
		ctrl->kato_ms = kato_ms;
		ctrl->client = discovery ? -1 : vssd_served_client(t->served, hostnqn);
		t->ctrl[id] = ctrl;
		t->next_cntlid = (uint16_t)((id + 1) % NVMF_MAX_CTRLS);
		nvmf_keep_alive_touch(ctrl, t->main.now_ns);
		t->ka_next_ns = 0; /* its deadline may be the earliest */
		return ctrl;
	}
	return NULL;
}

void nvmf_ctrl_end(struct nvmf_ctrl *ctrl, const char *why)
{
	struct nvmf_target *t = ctrl->t;
	struct nvmf_conn *queue[NVMF_MAX_QUEUES];

	if (why)
		fprintf(stderr, "nvmf: controller %u of %s ended: %s\n", ctrl->cntlid,
			ctrl->hostnqn, why);
	t->ctrl[ctrl->cntlid - 1] = NULL;
	/* its I/O threads end first: until then they use the controller */
	pthread_mutex_lock(&t->lock);
	memcpy(queue, ctrl->queue, sizeof(queue));
	pthread_mutex_unlock(&t->lock);
	for (int q = 1; q < NVMF_MAX_QUEUES; q++)
		if (queue[q] && queue[q]->threaded)
			nvmf_conn_stop(queue[q]);
	for (int q = 0; q < NVMF_MAX_QUEUES; q++) {
		struct nvmf_conn *c = ctrl->queue[q];

		if (c) {
			c->ctrl = NULL; /* gone first: closing the admin queue ends nothing twice */
			nvmf_conn_close(c);
		}
	}
	free(ctrl);
}

void nvmf_keep_alive_touch(struct nvmf_ctrl *ctrl, uint64_t now_ns)
{
	atomic_store_explicit(&ctrl->traffic_ns, now_ns, memory_order_relaxed);
}

/* When the keep alive timer ends the controller (UINT64_MAX: never). */
static uint64_t ka_deadline(struct nvmf_ctrl *ctrl)
{
	return ctrl->kato_ms ? atomic_load_explicit(&ctrl->traffic_ns, memory_order_relaxed) +
				       ctrl->kato_ms * 1000000ull
			     : UINT64_MAX;
}

uint64_t nvmf_keep_alive_check(struct nvmf_target *t, uint64_t now_ns)
{
	uint64_t next = UINT64_MAX;

	/* traffic only moves deadlines later: nothing to do before the earliest */
	if (now_ns < t->ka_next_ns)
		return t->ka_next_ns;
	for (int i = 0; i < NVMF_MAX_CTRLS; i++) {
		struct nvmf_ctrl *ctrl = t->ctrl[i];
		uint64_t due = ctrl ? ka_deadline(ctrl) : UINT64_MAX;
		char why[96];

		if (due <= now_ns) {
			snprintf(why, sizeof(why), "no keep alive within its %u ms timeout",
				 ctrl->kato_ms);
			nvmf_ctrl_end(ctrl, why);
		} else if (due < next) {
			next = due;
		}
	}
	t->ka_next_ns = next;
	return next;
}

/* A failed Connect: its status and the field at fault, a line saying why,
 * and the connection ends once the response has gone. */
static void connect_refused(struct nvmf_cmd *cmd, uint16_t status, uint32_t ipo, const char *why)
{
	struct nvmf_conn *c = cmd->conn;

	nvmf_say(c, "Connect refused: %s", why);
	nvmf_cmd_status(cmd, status, ipo);
	c->closing = true;
}

static bool nqn_ok(const char *nqn)
{
	size_t n = strnlen(nqn, NVMF_NQN_BYTES);

	return n > 0 && n < NVMF_NQN_BYTES;
}

/* The connection becomes queue qid of ctrl (its queue table under the
 * target's lock: I/O threads read it). */
static void bind_queue(struct nvmf_conn *c, struct nvmf_ctrl *ctrl, uint16_t qid, uint16_t entries,
		       uint8_t cattr)
{
	c->ctrl = ctrl;
	c->qid = qid;
	c->entries = entries;
	c->sqflow_off = cattr & NVMF_CATTR_SQFLOW_DISABLE;
	pthread_mutex_lock(&c->t->lock);
	ctrl->queue[qid] = c;
	pthread_mutex_unlock(&c->t->lock);
}

/* An I/O queue: its controller must be enabled and the queue free. */
static void connect_io(struct nvmf_cmd *cmd, const struct nvmf_connect_data *data)
{
	const struct nvmf_fabrics_cmd *f = (const void *)&cmd->sqe;
	struct nvmf_conn *c = cmd->conn;
	struct nvmf_target *t = c->t;
	uint16_t qid = f->connect.qid, entries = (uint16_t)(f->connect.sqsize + 1);
	struct nvmf_ctrl *ctrl = data->cntlid >= 1 && data->cntlid <= NVMF_MAX_CTRLS
					 ? t->ctrl[data->cntlid - 1]
					 : NULL;
	char why[160];

	if (!ctrl || ctrl->discovery || strcmp(ctrl->hostnqn, data->hostnqn)) {
		snprintf(why, sizeof(why), "I/O queue %u for controller %u, which %s", qid,
			 data->cntlid, ctrl ? "is another host's" : "does not exist");
		return connect_refused(
			cmd, NVME_SC_CONNECT_INVALID_PARAM,
			NVMF_CONNECT_IPO(1, offsetof(struct nvmf_connect_data, cntlid)), why);
	}
	if (!(ctrl->csts & NVME_CSTS_RDY))
		return connect_refused(cmd, NVME_SC_CMD_SEQ_ERROR, 0,
				       "I/O queue for a controller not enabled (CC.EN 0)");
	if (qid >= NVMF_MAX_QUEUES || qid > t->info.max_io_queue_pairs || ctrl->queue[qid]) {
		snprintf(why, sizeof(why), "QID %u is in use or past the %u I/O queues", qid,
			 t->info.max_io_queue_pairs);
		return connect_refused(
			cmd, NVME_SC_CONNECT_INVALID_PARAM,
			NVMF_CONNECT_IPO(0, offsetof(struct nvmf_fabrics_cmd, connect.qid)), why);
	}
	if (!f->connect.sqsize || f->connect.sqsize >= NVMF_MAX_QUEUE_ENTRIES) {
		snprintf(why, sizeof(why), "SQSIZE %u is 0 or over MQES %u", f->connect.sqsize,
			 NVMF_MAX_QUEUE_ENTRIES - 1);
		return connect_refused(
			cmd, NVME_SC_CONNECT_INVALID_PARAM,
			NVMF_CONNECT_IPO(0, offsetof(struct nvmf_fabrics_cmd, connect.sqsize)),
			why);
	}
	/* one slot more than the host's queue: a device ring of n holds n - 1 */
	if (t->ns->device_queue_pairs && vssd_qpair_open(t->dev, (uint16_t)(entries + 1), &c->qp)) {
		c->qp = NULL;
		return connect_refused(cmd, NVME_SC_CONNECT_CTRL_BUSY, 0,
				       "the device has no queue pair left");
	}
	bind_queue(c, ctrl, qid, entries, f->connect.cattr);
	c->want_thread = true; /* once this response is queued */
	nvmf_cmd_status(cmd, NVME_SC_SUCCESS, 0);
}

/* An admin queue: a new controller, for the subsystem or discovery. */
static void connect_admin(struct nvmf_cmd *cmd, const struct nvmf_connect_data *data)
{
	const struct nvmf_fabrics_cmd *f = (const void *)&cmd->sqe;
	struct nvmf_conn *c = cmd->conn;
	bool discovery = !strcmp(data->subnqn, NVMF_DISCOVERY_NQN);
	struct nvmf_ctrl *ctrl;
	char why[160];

	if (!discovery && strcmp(data->subnqn, c->t->subnqn)) {
		snprintf(why, sizeof(why), "subsystem %.64s is not %.64s", data->subnqn,
			 c->t->subnqn);
		return connect_refused(
			cmd, NVME_SC_CONNECT_INVALID_PARAM,
			NVMF_CONNECT_IPO(1, offsetof(struct nvmf_connect_data, subnqn)), why);
	}
	if (data->cntlid != NVMF_CNTLID_DYNAMIC) {
		snprintf(why, sizeof(why),
			 "CNTLID %u asks for a static controller; they are dynamic", data->cntlid);
		return connect_refused(
			cmd, NVME_SC_CONNECT_INVALID_PARAM,
			NVMF_CONNECT_IPO(1, offsetof(struct nvmf_connect_data, cntlid)), why);
	}
	if (!f->connect.sqsize || f->connect.sqsize >= NVMF_ADMIN_QUEUE_ENTRIES) {
		snprintf(why, sizeof(why), "admin SQSIZE %u is 0 or over %u", f->connect.sqsize,
			 NVMF_ADMIN_QUEUE_ENTRIES - 1);
		return connect_refused(
			cmd, NVME_SC_CONNECT_INVALID_PARAM,
			NVMF_CONNECT_IPO(0, offsetof(struct nvmf_fabrics_cmd, connect.sqsize)),
			why);
	}
	if (!(ctrl = ctrl_new(c->t, discovery, data->hostnqn, f->connect.kato)))
		return connect_refused(cmd, NVME_SC_CONNECT_CTRL_BUSY, 0,
				       "every controller ID is in use");
	bind_queue(c, ctrl, 0, (uint16_t)(f->connect.sqsize + 1), f->connect.cattr);
	fprintf(stderr, "nvmf: %s connected%s: controller %u, keep alive %u ms\n", ctrl->hostnqn,
		discovery ? " for discovery" : "", ctrl->cntlid, ctrl->kato_ms);
	nvmf_cmd_status(cmd, NVME_SC_SUCCESS, ctrl->cntlid);
}

static void connect_cmd(struct nvmf_cmd *cmd)
{
	const struct nvmf_fabrics_cmd *f = (const void *)&cmd->sqe;
	struct nvmf_connect_data *data = (void *)cmd->buf;
	struct nvmf_conn *c = cmd->conn;
	char why[96];

	if (c->ctrl)
		return nvmf_cmd_status(cmd, NVME_SC_CMD_SEQ_ERROR, 0); /* bound already */
	if (cmd->data_bytes < sizeof(*data))
		return connect_refused(cmd, NVME_SC_SGL_DATA_LENGTH_INVALID, 0,
				       "Connect without its 1024 bytes of data");
	if (f->connect.recfmt != 0) {
		snprintf(why, sizeof(why), "record format %u (only 0 is defined)",
			 f->connect.recfmt);
		return connect_refused(cmd, NVME_SC_CONNECT_FORMAT, f->connect.recfmt, why);
	}
	if (!nqn_ok(data->hostnqn) || !nqn_ok(data->subnqn))
		return connect_refused(
			cmd, NVME_SC_CONNECT_INVALID_PARAM,
			NVMF_CONNECT_IPO(1, nqn_ok(data->subnqn)
						    ? offsetof(struct nvmf_connect_data, hostnqn)
						    : offsetof(struct nvmf_connect_data, subnqn)),
			"an NQN empty or without its terminating NUL");
	if (f->connect.qid)
		connect_io(cmd, data);
	else
		connect_admin(cmd, data);
}

/* Enabling with the command sets CC.CSS selects: the NVM set alone (a
 * zoned namespace is then inactive to the controller), or every set
 * CAP.CSS lists when it lists them by CSI (a zoned target). Any other
 * value is a fatal controller status, as nvmet makes it. */
static void enable(struct nvmf_ctrl *ctrl, uint32_t cc)
{
	bool by_csi = cap_of(ctrl->t) & CAP_CSS_IOCS;
	uint32_t css = NVME_CC_CSS(cc);

	if (css != NVME_CC_CSS_NVM && !(css == NVME_CC_CSS_ALL_IOCS && by_csi)) {
		fprintf(stderr,
			"nvmf: controller %u: CC.CSS %u is not a command set choice it has\n",
			ctrl->cntlid, css);
		ctrl->csts = NVME_CSTS_CFS;
		return;
	}
	ctrl->ns_inactive = by_csi && !ctrl->discovery && css == NVME_CC_CSS_NVM;
	ctrl->csts = NVME_CSTS_RDY;
}

/* A write of CC: enable (ready at once), disable, and shutdown (what the
 * device holds in its cache is made durable first). */
static void set_cc(struct nvmf_ctrl *ctrl, uint32_t cc)
{
	uint32_t was = ctrl->cc;

	ctrl->cc = cc;
	if ((cc & NVME_CC_EN) && !(was & NVME_CC_EN))
		enable(ctrl, cc);
	if (!(cc & NVME_CC_EN) && (was & NVME_CC_EN))
		ctrl->csts = 0;
	if (NVME_CC_SHN(cc) && !NVME_CC_SHN(was)) {
		if (!ctrl->discovery)
			nvmf_target_flush(ctrl->t);
		ctrl->csts |= NVME_CSTS_SHST_COMPLETE;
	}
	if (!NVME_CC_SHN(cc))
		ctrl->csts &= ~(uint32_t)NVME_CSTS_SHST_COMPLETE;
}

static void property(struct nvmf_cmd *cmd)
{
	const struct nvmf_fabrics_cmd *f = (const void *)&cmd->sqe;
	struct nvmf_ctrl *ctrl = cmd->conn->ctrl;
	bool eight = (f->prop.attrib & 7) == 1;
	bool set = f->fctype == NVMF_PROPERTY_SET;
	uint64_t v;

	if (cmd->conn->qid)
		return nvmf_cmd_status(cmd, NVME_SC_INVALID_OPCODE, 0); /* admin queue only */
	switch (f->prop.offset) {
	case NVMF_PROP_CAP:
		if (set || !eight)
			return nvmf_cmd_status(cmd, NVME_SC_INVALID_FIELD, 0);
		v = cap_of(cmd->conn->t);
		break;
	case NVMF_PROP_VS:
		if (set || eight)
			return nvmf_cmd_status(cmd, NVME_SC_INVALID_FIELD, 0);
		v = 0x00020000; /* NVMe 2.0, as Identify says */
		break;
	case NVMF_PROP_CC:
		if (eight)
			return nvmf_cmd_status(cmd, NVME_SC_INVALID_FIELD, 0);
		if (set)
			set_cc(ctrl, (uint32_t)f->prop.value);
		v = ctrl->cc;
		break;
	case NVMF_PROP_CSTS:
		if (set || eight)
			return nvmf_cmd_status(cmd, NVME_SC_INVALID_FIELD, 0);
		v = ctrl->csts;
		break;
	default: return nvmf_cmd_status(cmd, NVME_SC_INVALID_FIELD, 0);
	}
	if (set)
		return nvmf_cmd_status(cmd, NVME_SC_SUCCESS, 0);
	nvmf_cmd_complete(cmd,
			  &(struct nvme_cqe){.result = (uint32_t)v, .dw1 = (uint32_t)(v >> 32)});
}

void nvmf_fabrics_exec(struct nvmf_cmd *cmd)
{
	const struct nvmf_fabrics_cmd *f = (const void *)&cmd->sqe;

	switch (f->fctype) {
	case NVMF_CONNECT: return connect_cmd(cmd);
	case NVMF_PROPERTY_GET:
	case NVMF_PROPERTY_SET: return property(cmd);
	case NVMF_DISCONNECT:
		/* this queue only; its response goes first */
		nvmf_cmd_status(cmd, NVME_SC_SUCCESS, 0);
		cmd->conn->closing = true;
		return;
	default: /* authentication is not supported */
		return nvmf_cmd_status(cmd, NVME_SC_INVALID_OPCODE, 0);
	}
}
