/*
 * A command from its capsule to its response. Its SGL says where its data
 * is: in the capsule (a data block with an offset), or moved by the
 * transport (R2T and H2CData to the controller, C2HData to the host). The
 * data lives in a buffer the device reaches by DMA, and the command goes
 * to the device with an SGL data block describing that buffer.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "target.h"

/* Which way a command's data goes: opcode bits 1:0 for NVMe commands; a
 * Fabrics command's opcode says nothing, its type does. */
enum xfer { XFER_NONE = 0, XFER_TO_CTRL = 1, XFER_TO_HOST = 2, XFER_BOTH = 3 };

static enum xfer xfer_of(const struct nvme_sqe *sqe)
{
	const struct nvmf_fabrics_cmd *f = (const void *)sqe;

	if (sqe->opcode != NVME_FABRICS_OPCODE)
		return (enum xfer)(sqe->opcode & 3);
	switch (f->fctype) {
	case NVMF_CONNECT:
	case NVMF_AUTH_SEND: return XFER_TO_CTRL;
	case NVMF_AUTH_RECV: return XFER_TO_HOST;
	default: return XFER_NONE;
	}
}

void nvmf_cmd_free(struct nvmf_cmd *cmd)
{
	struct nvmf_conn *c = cmd->conn;

	cmd->state = CMD_FREE;
	c->free_tag[c->nfree++] = (uint16_t)(cmd - c->cmd);
}

/* A buffer for the command's data, kept with its slot for the next one. */
static int ensure_buffer(struct nvmf_cmd *cmd, uint32_t bytes)
{
	struct vssd *dev = cmd->conn->t->dev;
	uint32_t want = (bytes + 4095) / 4096 * 4096;

	if (cmd->buf_bytes >= bytes)
		return 0;
	vssd_dma_free(dev, cmd->buf);
	cmd->buf_bytes = 0;
	if (!(cmd->buf = vssd_dma_alloc(dev, want)))
		return -ENOMEM;
	cmd->buf_bytes = want;
	return 0;
}

static void send_r2t(struct nvmf_cmd *cmd)
{
	struct nvme_tcp_r2t r2t = {.hdr = {.type = NVME_TCP_R2T},
				   .cccid = cmd->sqe.cid,
				   .ttag = (uint16_t)(cmd - cmd->conn->cmd),
				   .r2to = 0,
				   .r2tl = cmd->data_bytes};

	nvmf_conn_send_pdu(cmd->conn, &r2t, sizeof(r2t), NULL, 0);
}

/* Where the command's data is, from its SGL: 0 (and its data in place, or
 * an R2T asked for), or the status it fails with. */
static uint16_t setup_data(struct nvmf_cmd *cmd, uint32_t incapsule)
{
	struct nvmf_conn *c = cmd->conn;
	enum xfer xfer = xfer_of(&cmd->sqe);
	struct nvme_sgl_desc d;
	uint32_t max = cmd->sqe.opcode == NVME_FABRICS_OPCODE ? sizeof(struct nvmf_connect_data)
							      : c->t->info.max_transfer_bytes;

	memcpy(&d, &cmd->sqe.prp1, sizeof(d));
	cmd->data_bytes = d.length;
	cmd->to_host = xfer == XFER_TO_HOST;
	if (NVME_SQE_PSDT(&cmd->sqe) == NVME_PSDT_PRP)
		return NVME_SC_INVALID_FIELD; /* a fabrics command's data is described by an SGL */
	if (!d.length)
		return incapsule ? NVME_SC_SGL_DATA_LENGTH_INVALID : NVME_SC_SUCCESS;
	if (xfer == XFER_NONE || xfer == XFER_BOTH)
		return NVME_SC_INVALID_FIELD;
	if (d.length > max)
		return NVME_SC_SGL_DATA_LENGTH_INVALID;
	if (ensure_buffer(cmd, d.length))
		return NVME_SC_INTERNAL;
	switch (d.type) {
	case NVME_SGL_ID(NVME_SGL_DATA_BLOCK, NVME_SGL_OFFSET): /* in the capsule */
		if (xfer != XFER_TO_CTRL)
			return NVME_SC_SGL_TYPE_INVALID;
		if (d.addr > incapsule)
			return NVME_SC_SGL_OFFSET_INVALID;
		if (d.length > incapsule - d.addr)
			return NVME_SC_SGL_DATA_LENGTH_INVALID;
		if (!cmd->data_in_place) /* else it was read straight into buf */
			memcpy(cmd->buf, c->capsule + d.addr, d.length);
		return NVME_SC_SUCCESS;
	case NVME_SGL_ID(NVME_SGL_TRANSPORT_DATA_BLOCK, NVME_SGL_TRANSPORT):
		if (incapsule)
			return NVME_SC_SGL_DATA_LENGTH_INVALID; /* data where none was said to be */
		if (xfer == XFER_TO_HOST) {
			memset(cmd->buf, 0,
			       d.length); /* what the device does not fill reads as zeros */
			return NVME_SC_SUCCESS;
		}
		cmd->h2c_bytes = 0;
		cmd->h2c_status = NVME_SC_SUCCESS;
		cmd->state = CMD_WAIT_H2C;
		return NVME_SC_SUCCESS;
	default: return NVME_SC_SGL_TYPE_INVALID;
	}
}

/* A new command from its capsule's header: refused (the connection ends)
 * before Connect or past the queue's size; else its slot, counted. */
static struct nvmf_cmd *cmd_begin(struct nvmf_conn *c, const struct nvme_sqe *sqe)
{
	const struct nvmf_fabrics_cmd *f = (const void *)sqe;
	struct nvmf_cmd *cmd;
	char why[96];

	if (!c->ctrl && !(sqe->opcode == NVME_FABRICS_OPCODE && f->fctype == NVMF_CONNECT)) {
		snprintf(why, sizeof(why), "a command (opcode 0x%02x) before Connect", sqe->opcode);
		nvmf_conn_fatal(c, NVME_TCP_FES_PDU_SEQ_ERR, 0, why);
		return NULL;
	}
	if (NVMF_MAX_QUEUE_ENTRIES - c->nfree >= c->entries) {
		snprintf(why, sizeof(why), "more commands in flight than the queue's %u entries",
			 c->entries);
		nvmf_conn_fatal(c, NVME_TCP_FES_PDU_SEQ_ERR, 0, why);
		return NULL;
	}
	cmd = &c->cmd[c->free_tag[--c->nfree]];
	cmd->sqe = *sqe;
	cmd->state = CMD_RECV;
	cmd->start_ns = c->loop->now_ns;
	cmd->data_in_place = false;
	c->loop->commands++;
	c->sqhd = (uint16_t)((c->sqhd + 1) % c->entries);
	if (c->ctrl)
		nvmf_keep_alive_touch(c->ctrl, c->loop->now_ns);
	return cmd;
}

uint8_t *nvmf_cmd_incapsule_dst(struct nvmf_conn *c, const struct nvme_sqe *sqe, uint32_t bytes)
{
	struct nvme_sgl_desc d;
	struct nvmf_cmd *cmd;

	memcpy(&d, &sqe->prp1, sizeof(d));
	/* only the plain layout: all of the capsule's data, for an NVMe write */
	if (sqe->opcode == NVME_FABRICS_OPCODE || (sqe->opcode & 3) != 1 ||
	    d.type != NVME_SGL_ID(NVME_SGL_DATA_BLOCK, NVME_SGL_OFFSET) || d.addr ||
	    d.length != bytes || bytes > c->t->info.max_transfer_bytes || !c->ctrl)
		return c->capsule;
	if (!(cmd = cmd_begin(c, sqe)))
		return NULL;
	if (ensure_buffer(cmd, bytes)) { /* the slow way then, which says why */
		nvmf_cmd_free(cmd);
		c->loop->commands--;
		c->sqhd = (uint16_t)((c->sqhd + c->entries - 1) % c->entries);
		return c->capsule;
	}
	cmd->data_in_place = true;
	c->data_cmd = cmd;
	return cmd->buf;
}

void nvmf_cmd_capsule(struct nvmf_conn *c, const struct nvme_sqe *sqe, uint32_t incapsule,
		      bool digest_ok)
{
	struct nvmf_cmd *cmd = c->data_cmd ? c->data_cmd : cmd_begin(c, sqe);
	uint16_t st;

	if (!cmd)
		return;
	if (!digest_ok) /* the host may send it again */
		return nvmf_cmd_complete(cmd,
					 &(struct nvme_cqe){.status = NVME_SC_TRANSIENT_TRANSPORT});
	if ((st = setup_data(cmd, incapsule)))
		return nvmf_cmd_status(cmd, st, 0);
	if (cmd->state == CMD_WAIT_H2C)
		return send_r2t(cmd);
	nvmf_cmd_run(cmd);
}

uint8_t *nvmf_cmd_h2c(struct nvmf_conn *c, const struct nvme_tcp_data *pdu)
{
	struct nvmf_cmd *cmd = pdu->ttag < NVMF_MAX_QUEUE_ENTRIES ? &c->cmd[pdu->ttag] : NULL;
	char why[128];

	if (!cmd || cmd->state != CMD_WAIT_H2C || cmd->sqe.cid != pdu->cccid) {
		snprintf(why, sizeof(why),
			 "H2CData for transfer tag %u and command %u, which waits for none",
			 pdu->ttag, pdu->cccid);
		nvmf_conn_fatal(c, NVME_TCP_FES_INVALID_PDU_HDR,
				offsetof(struct nvme_tcp_data, ttag), why);
		return NULL;
	}
	if (pdu->datao != cmd->h2c_bytes || (uint64_t)pdu->datao + pdu->datal > cmd->data_bytes) {
		snprintf(why, sizeof(why),
			 "H2CData at offset %u + %u bytes; the transfer is at %u of %u", pdu->datao,
			 pdu->datal, cmd->h2c_bytes, cmd->data_bytes);
		nvmf_conn_fatal(c, NVME_TCP_FES_DATA_OUT_OF_RANGE,
				offsetof(struct nvme_tcp_data, datao), why);
		return NULL;
	}
	return cmd->buf + pdu->datao;
}

void nvmf_cmd_h2c_done(struct nvmf_conn *c, const struct nvme_tcp_data *pdu, bool digest_ok)
{
	struct nvmf_cmd *cmd = &c->cmd[pdu->ttag];
	bool last = cmd->h2c_bytes + pdu->datal == cmd->data_bytes;

	if (!!(pdu->hdr.flags & NVME_TCP_F_DATA_LAST) != last)
		return nvmf_conn_fatal(c, NVME_TCP_FES_INVALID_PDU_HDR, 1 /* FLAGS */,
				       last ? "the last H2CData of a transfer without LAST"
					    : "H2CData with LAST before the transfer's end");
	cmd->h2c_bytes += pdu->datal;
	if (!digest_ok)
		cmd->h2c_status = NVME_SC_TRANSIENT_TRANSPORT;
	if (!last)
		return;
	if (cmd->h2c_status)
		return nvmf_cmd_complete(cmd, &(struct nvme_cqe){.status = cmd->h2c_status});
	nvmf_cmd_run(cmd);
}

void nvmf_cmd_run(struct nvmf_cmd *cmd)
{
	struct nvmf_conn *c = cmd->conn;

	if (cmd->sqe.opcode == NVME_FABRICS_OPCODE)
		nvmf_fabrics_exec(cmd);
	else if (c->ctrl->discovery)
		nvmf_discovery_exec(cmd);
	else if (c->qid == 0)
		nvmf_admin_exec(cmd);
	else if (c->ctrl->ns_inactive) /* CC.CSS left the zoned namespace out */
		nvmf_cmd_status(cmd, NVME_SC_INVALID_NS, 0);
	else
		c->t->ns->io(cmd);
}

void nvmf_cmd_device_sqe(const struct nvmf_cmd *cmd, struct nvme_sqe *out)
{
	struct nvme_sgl_desc d = {.addr = (uintptr_t)cmd->buf,
				  .length = cmd->data_bytes,
				  .type = NVME_SGL_ID(NVME_SGL_DATA_BLOCK, NVME_SGL_ADDRESS)};

	*out = cmd->sqe;
	NVME_SQE_SET_PSDT(out, NVME_PSDT_SGL);
	if (!cmd->data_bytes)
		memset(&d, 0, sizeof(d));
	memcpy(&out->prp1, &d, sizeof(d));
}

void nvmf_cmd_device_done(void *arg, const struct nvme_cqe *cqe)
{
	struct nvmf_cmd *cmd = arg;
	struct nvmf_conn *c = cmd->conn;

	c->device_inflight--;
	if (c->dead)
		return nvmf_cmd_free(cmd);
	nvmf_cmd_complete(cmd, cqe);
}

/* The statistics' direction of an I/O command, or -1 for none. */
static int served_dir(uint8_t opcode)
{
	switch (opcode) {
	case NVME_CMD_READ: return VSSD_SERVED_READ;
	case NVME_CMD_WRITE:
	case NVME_CMD_WRITE_ZEROES: return VSSD_SERVED_WRITE;
	case NVME_CMD_DSM: return VSSD_SERVED_TRIM;
	case NVME_CMD_FLUSH: return VSSD_SERVED_FLUSH;
	default: return -1;
	}
}

/* The bytes an I/O command read, wrote or deallocated, as the statistics
 * count them: Write Zeroes and Dataset Management name LBAs, not data. */
static uint64_t served_bytes(const struct nvmf_cmd *cmd)
{
	uint32_t lba = cmd->conn->t->info.lba_bytes;
	uint64_t bytes = 0;

	switch (cmd->sqe.opcode) {
	case NVME_CMD_WRITE_ZEROES: return ((uint64_t)nvme_get(&cmd->sqe, NVME_F_NLB) + 1) * lba;
	case NVME_CMD_DSM: {
		uint32_t nr = nvme_get(&cmd->sqe, NVME_F_DSM_NR) + 1;

		for (uint32_t i = 0;
		     i < nr && (i + 1) * sizeof(struct nvme_dsm_range) <= cmd->data_bytes; i++) {
			struct nvme_dsm_range r;

			memcpy(&r, cmd->buf + i * sizeof(r), sizeof(r));
			bytes += (uint64_t)r.nlb * lba;
		}
		return bytes;
	}
	default: return cmd->data_bytes;
	}
}

void nvmf_cmd_log_answer(struct nvmf_cmd *cmd, const void *log, uint64_t len)
{
	uint64_t off = nvme_get_log_offset(&cmd->sqe), bytes = nvme_get_log_dwords(&cmd->sqe) * 4;

	if (bytes > cmd->data_bytes || (off & 3) || off > len)
		return nvmf_cmd_status(cmd, NVME_SC_INVALID_FIELD, 0);
	memset(cmd->buf, 0, bytes);
	if (off < len)
		memcpy(cmd->buf, (const uint8_t *)log + off, len - off < bytes ? len - off : bytes);
	nvmf_cmd_status(cmd, NVME_SC_SUCCESS, 0);
}

void nvmf_cmd_complete(struct nvmf_cmd *cmd, const struct nvme_cqe *cqe)
{
	struct nvmf_conn *c = cmd->conn;
	struct nvme_tcp_rsp rsp = {.hdr = {.type = NVME_TCP_RSP}};
	uint16_t status = cqe->status & (uint16_t)~NVME_CQE_PHASE;
	bool ok = !NVME_CQE_SC(status) && !NVME_CQE_SCT(status);
	int dir = c->qid ? served_dir(cmd->sqe.opcode) : -1;

	if (!ok)
		nvmf_errlog_note(cmd, status);

	if (cmd->to_host && cmd->data_bytes && ok) {
		struct nvme_tcp_data data = {
			.hdr = {.type = NVME_TCP_C2H_DATA, .flags = NVME_TCP_F_DATA_LAST},
			.cccid = cmd->sqe.cid,
			.datal = cmd->data_bytes};

		/* with SQ flow control off, no response need carry SQHD: the
		 * data's SUCCESS flag stands for it */
		if (c->sqflow_off)
			data.hdr.flags |= NVME_TCP_F_DATA_SUCCESS;
		nvmf_conn_send_pdu(c, &data, sizeof(data), cmd->buf, cmd->data_bytes);
	}
	if (!(cmd->to_host && cmd->data_bytes && ok && c->sqflow_off)) {
		rsp.cqe = (struct nvme_cqe){.result = cqe->result,
					    .dw1 = cqe->dw1,
					    .sq_head = c->sqhd,
					    .sq_id = c->qid,
					    .cid = cmd->sqe.cid,
					    .status = status};
		nvmf_conn_send_pdu(c, &rsp, sizeof(rsp), NULL, 0);
	}
	if (dir >= 0 && c->ctrl && c->ctrl->client >= 0)
		vssd_served_record(c->t->served, c->ctrl->client, (enum vssd_served_dir)dir,
				   c->loop->now_ns - cmd->start_ns, ok ? served_bytes(cmd) : 0);
	nvmf_cmd_free(cmd);
}

void nvmf_cmd_status(struct nvmf_cmd *cmd, uint16_t status, uint32_t result)
{
	struct nvme_cqe cqe = {.result = result, .status = status};

	if (status && status != NVME_SC_SUCCESS)
		cqe.status |= NVME_CQE_DNR;
	nvmf_cmd_complete(cmd, &cqe);
}
