/*
 * The discovery controller: what `nvme discover` and `nvme connect-all`
 * talk to. It has no namespace; its Identify says it is a discovery
 * controller, and its Discovery log page (70h) lists where the subsystem
 * and this discovery service listen. Its admin command set is small:
 * Identify, Get Log Page, the features a host sets on connect, Keep Alive,
 * and Asynchronous Event Requests (held: the log never changes).
 */
#include <stdio.h>
#include <string.h>

#include "target.h"

static void put_ascii(char *out, size_t width, const char *s)
{
	size_t n = strlen(s);

	memset(out, ' ', width);
	memcpy(out, s, n < width ? n : width);
}

static void identify(struct nvmf_cmd *cmd)
{
	struct nvme_id_ctrl id = {0};

	if (nvme_get(&cmd->sqe, NVME_F_CNS) != NVME_ID_CNS_CTRL)
		return nvmf_cmd_status(cmd, NVME_SC_INVALID_FIELD, 0);
	put_ascii(id.sn, sizeof(id.sn), "vssd-discovery");
	put_ascii(id.mn, sizeof(id.mn), "vssd discovery controller");
	put_ascii(id.fr, sizeof(id.fr), VSSD_VERSION);
	id.cntlid = cmd->conn->ctrl->cntlid;
	id.ver = 0x00020000;
	id.cntrltype = 2; /* discovery */
	id.lpa = 1u << 2; /* extended Get Log Page data (offsets) */
	id.maxcmd = NVMF_ADMIN_QUEUE_ENTRIES;
	id.kas = NVMF_KAS_100MS;
	id.sgls = 1u << 0 | 1u << 20;
	id.sqes = 0x66;
	id.cqes = 0x44;
	snprintf(id.subnqn, sizeof(id.subnqn), "%s", NVMF_DISCOVERY_NQN);
	memcpy(cmd->buf, &id, cmd->data_bytes < sizeof(id) ? cmd->data_bytes : sizeof(id));
	nvmf_cmd_status(cmd, cmd->data_bytes ? NVME_SC_SUCCESS : NVME_SC_SGL_DATA_LENGTH_INVALID,
			0);
}

static void log_entry(struct nvmf_disc_log_entry *e, const struct nvmf_conn *c, uint8_t subtype,
		      uint16_t port, const char *nqn)
{
	memset(e, 0, sizeof(*e));
	e->trtype = NVMF_TRTYPE_TCP;
	e->adrfam = NVMF_ADRFAM_IPV4;
	e->subtype = subtype;
	e->treq = NVMF_TREQ_SQFLOW_DISABLE_OK;
	e->portid = 1;
	e->cntlid = NVMF_CNTLID_DYNAMIC;
	e->asqsz = NVMF_ADMIN_QUEUE_ENTRIES;
	snprintf(e->trsvcid, sizeof(e->trsvcid), "%u", port);
	snprintf(e->subnqn, sizeof(e->subnqn), "%s", nqn);
	/* the address the host reached: right even when listening on 0.0.0.0 */
	snprintf(e->traddr, sizeof(e->traddr), "%s", c->local_addr);
	e->tsas[0] = NVMF_TCP_SECTYPE_NONE;
	/* the rest of the ASCII fields are space padded */
	for (size_t i = strlen(e->trsvcid); i < sizeof(e->trsvcid); i++)
		e->trsvcid[i] = ' ';
	for (size_t i = strlen(e->traddr); i < sizeof(e->traddr); i++)
		e->traddr[i] = ' ';
}

static void discovery_log(struct nvmf_cmd *cmd)
{
	const struct nvmf_target *t = cmd->conn->t;
	struct {
		struct nvmf_disc_log_header h;
		struct nvmf_disc_log_entry e[2];
	} log;
	uint32_t n = 0;

	memset(&log.h, 0, sizeof(log.h));
	log_entry(&log.e[n++], cmd->conn, NVMF_SUBTYPE_NVME, t->opts.port, t->subnqn);
	if (t->opts.discovery_port)
		log_entry(&log.e[n++], cmd->conn, NVMF_SUBTYPE_DISCOVERY_CURRENT,
			  t->opts.discovery_port, NVMF_DISCOVERY_NQN);
	log.h.genctr = 1; /* the list never changes while the target runs */
	log.h.numrec = n;
	nvmf_cmd_log_answer(cmd, &log, sizeof(log.h) + n * sizeof(log.e[0]));
}

static void features(struct nvmf_cmd *cmd)
{
	struct nvmf_ctrl *ctrl = cmd->conn->ctrl;
	uint32_t fid = nvme_get(&cmd->sqe, NVME_F_FID);
	bool set = cmd->sqe.opcode == NVME_ADMIN_SET_FEATURES;

	if (fid == NVME_FEAT_KATO) {
		if (set) {
			ctrl->kato_ms = cmd->sqe.cdw11;
			nvmf_keep_alive_touch(ctrl, cmd->conn->loop->now_ns);
			ctrl->t->ka_next_ns = 0; /* a shorter timeout: look again */
		}
		return nvmf_cmd_status(cmd, NVME_SC_SUCCESS, ctrl->kato_ms);
	}
	if (fid == NVME_FEAT_ASYNC_EVENT) /* discovery log changes: there are none */
		return nvmf_cmd_status(cmd, NVME_SC_SUCCESS, set ? cmd->sqe.cdw11 : 0);
	nvmf_cmd_status(cmd, NVME_SC_INVALID_FIELD, 0);
}

void nvmf_discovery_exec(struct nvmf_cmd *cmd)
{
	switch (cmd->sqe.opcode) {
	case NVME_ADMIN_IDENTIFY: return identify(cmd);
	case NVME_ADMIN_GET_LOG_PAGE:
		if (nvme_get(&cmd->sqe, NVME_F_LID) != NVME_LOG_DISCOVERY)
			return nvmf_cmd_status(cmd, NVME_SC_INVALID_LOG_PAGE, 0);
		return discovery_log(cmd);
	case NVME_ADMIN_SET_FEATURES:
	case NVME_ADMIN_GET_FEATURES: return features(cmd);
	case NVME_ADMIN_KEEP_ALIVE: return nvmf_cmd_status(cmd, NVME_SC_SUCCESS, 0);
	case NVME_ADMIN_ASYNC_EVENT: cmd->state = CMD_HELD; return;
	default: return nvmf_cmd_status(cmd, NVME_SC_INVALID_OPCODE, 0);
	}
}
