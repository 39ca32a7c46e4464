/*
 * A block namespace of pblk, the host FTL over the open-channel device
 * (ftl=pblk), as Linux's pblk made one of a LightNVM device: 4 KiB LBAs,
 * as many as pblk exposes, with Read, Write, Flush, Write Zeroes and
 * Dataset Management. The target runs each command through the library's
 * pblk (synchronous: the I/O queue's thread waits, as nbdkit's does), and
 * amends the device's admin answers so a host sees this namespace and not
 * the open-channel one under it: Identify's sizes and LBA format, a
 * volatile write cache (pblk's write buffer, which Flush empties), the
 * commands supported. Format NVM and the open-channel Geometry command are
 * pblk's to use, not a host's: refused.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "target.h"

#define SECTOR_BYTES 4096u	 /* pblk's sector, the namespace's LBA */
#define NSID 1			 /* the one namespace */
#define ZEROS_BYTES (256u << 10) /* Write Zeroes writes this much at a time */
#define NVME_OACS_FORMAT (1u << 1)
#define NVME_VWC_PRESENT 1u

static uint8_t zeros[ZEROS_BYTES]; /* never written */

static int pblk_open(struct nvmf_target *t, char *err, size_t errlen)
{
	int rc = vssd_pblk_open(t->dev, &t->pblk, err, errlen);

	if (rc)
		return rc;
	/* what the host sees: pblk's sectors, and I/O queues that take none of
	 * the device's queue pairs (pblk has its own) */
	t->info.capacity_lbas = vssd_pblk_capacity(t->pblk);
	t->info.lba_bytes = SECTOR_BYTES;
	t->info.max_io_queue_pairs = NVMF_MAX_QUEUES - 1;
	return 0;
}

static void pblk_close(struct nvmf_target *t)
{
	vssd_pblk_close(t->pblk);
	t->pblk = NULL;
}

/* pblk's answer as an NVMe status: its own, or Internal Error for an errno
 * (pblk has stopped, or memory ran out), said on stderr. */
static uint16_t status_of(struct nvmf_conn *c, const char *what, int rc)
{
	if (rc >= 0)
		return (uint16_t)rc;
	nvmf_say(c, "pblk: %s failed: %s%s%s", what, strerror(-rc),
		 vssd_pblk_error(c->t->pblk) ? ": " : "",
		 vssd_pblk_error(c->t->pblk) ? vssd_pblk_error(c->t->pblk) : "");
	return NVME_SC_INTERNAL;
}

static bool in_range(const struct nvmf_target *t, uint64_t slba, uint64_t nlb)
{
	return slba < t->info.capacity_lbas && nlb <= t->info.capacity_lbas - slba;
}

static uint16_t rw(struct nvmf_cmd *cmd)
{
	struct nvmf_conn *c = cmd->conn;
	struct vssd_pblk *pb = c->t->pblk;
	uint64_t slba = nvme_get_slba(&cmd->sqe);
	uint32_t nlb = nvme_get(&cmd->sqe, NVME_F_NLB) + 1;
	bool write = cmd->sqe.opcode == NVME_CMD_WRITE;
	int rc;

	if (!in_range(c->t, slba, nlb))
		return NVME_SC_LBA_RANGE;
	if ((uint64_t)nlb * SECTOR_BYTES > cmd->data_bytes)
		return NVME_SC_SGL_DATA_LENGTH_INVALID; /* the SGL is short of the blocks */
	rc = write ? vssd_pblk_write(pb, cmd->buf, slba, nlb)
		   : vssd_pblk_read(pb, cmd->buf, slba, nlb);
	if (!rc && write && nvme_get(&cmd->sqe, NVME_F_FUA))
		rc = vssd_pblk_flush(pb);
	return status_of(c, write ? "a write" : "a read", rc);
}

/* Zeros written, never a trim: pblk does not keep a trim over a power loss,
 * and Write Zeroes must read back as zeros. */
static uint16_t write_zeroes(struct nvmf_cmd *cmd)
{
	struct nvmf_conn *c = cmd->conn;
	uint64_t slba = nvme_get_slba(&cmd->sqe);
	uint32_t nlb = nvme_get(&cmd->sqe, NVME_F_NLB) + 1, at_most = ZEROS_BYTES / SECTOR_BYTES;
	int rc = 0;

	if (!in_range(c->t, slba, nlb))
		return NVME_SC_LBA_RANGE;
	for (uint32_t done = 0, n; !rc && done < nlb; done += n) {
		n = nlb - done < at_most ? nlb - done : at_most;
		rc = vssd_pblk_write(c->t->pblk, zeros, slba + done, n);
	}
	if (!rc && nvme_get(&cmd->sqe, NVME_F_FUA))
		rc = vssd_pblk_flush(c->t->pblk);
	return status_of(c, "Write Zeroes", rc);
}

/* Deallocate trims each range (every range checked first); the other
 * attributes are hints pblk has no use for. */
static uint16_t dataset_management(struct nvmf_cmd *cmd)
{
	struct nvmf_conn *c = cmd->conn;
	uint32_t nr = nvme_get(&cmd->sqe, NVME_F_DSM_NR) + 1;
	struct nvme_dsm_range r;
	int rc = 0;

	if ((uint64_t)nr * sizeof(r) > cmd->data_bytes)
		return NVME_SC_SGL_DATA_LENGTH_INVALID;
	for (uint32_t i = 0; i < nr; i++) {
		memcpy(&r, cmd->buf + i * sizeof(r), sizeof(r));
		if (!in_range(c->t, r.slba, r.nlb))
			return NVME_SC_LBA_RANGE;
	}
	if (!nvme_get(&cmd->sqe, NVME_F_DSM_AD))
		return NVME_SC_SUCCESS;
	for (uint32_t i = 0; !rc && i < nr; i++) {
		memcpy(&r, cmd->buf + i * sizeof(r), sizeof(r));
		if (r.nlb)
			rc = vssd_pblk_trim(c->t->pblk, r.slba, r.nlb);
	}
	return status_of(c, "a deallocation", rc);
}

static uint16_t flush(struct nvmf_cmd *cmd)
{
	return status_of(cmd->conn, "a flush", vssd_pblk_flush(cmd->conn->t->pblk));
}

/* The I/O commands, and their effects as the effects log says them. */
static const struct {
	uint16_t (*run)(struct nvmf_cmd *cmd);
	uint32_t effects;
} io_cmds[256] = {
	[NVME_CMD_FLUSH] = {flush, NVME_CMD_EFFECTS_CSUPP},
	[NVME_CMD_WRITE] = {rw, NVME_CMD_EFFECTS_CSUPP | NVME_CMD_EFFECTS_LBCC},
	[NVME_CMD_READ] = {rw, NVME_CMD_EFFECTS_CSUPP},
	[NVME_CMD_WRITE_ZEROES] = {write_zeroes, NVME_CMD_EFFECTS_CSUPP | NVME_CMD_EFFECTS_LBCC},
	[NVME_CMD_DSM] = {dataset_management, NVME_CMD_EFFECTS_CSUPP | NVME_CMD_EFFECTS_LBCC},
};

static void pblk_io(struct nvmf_cmd *cmd)
{
	struct nvmf_conn *c = cmd->conn;
	const struct nvme_sqe *sqe = &cmd->sqe;
	uint16_t st;

	if (!io_cmds[sqe->opcode].run)
		st = NVME_SC_INVALID_OPCODE;
	else if (sqe->nsid != NSID &&
		 !(sqe->opcode == NVME_CMD_FLUSH && sqe->nsid == NVME_NSID_ALL))
		st = NVME_SC_INVALID_NS;
	else
		st = io_cmds[sqe->opcode].run(cmd);
	c->loop->now_ns = nvmf_now_ns(); /* its latency is pblk's time */
	nvmf_cmd_status(cmd, st, 0);
}

static bool pblk_admin(struct nvmf_cmd *cmd)
{
	switch (cmd->sqe.opcode) {
	case NVME_ADMIN_FORMAT_NVM:
	case NVME_ADMIN_OC_GEOMETRY: nvmf_cmd_status(cmd, NVME_SC_INVALID_OPCODE, 0); return true;
	default: return false;
	}
}

static void amend_id_ctrl(struct nvme_id_ctrl *id)
{
	id->oacs &= ~NVME_OACS_FORMAT;
	id->oncs = NVME_ONCS_DSM | NVME_ONCS_WRITE_ZEROES | (id->oncs & NVME_ONCS_TIMESTAMP);
	id->vwc |= NVME_VWC_PRESENT;
}

static void amend_id_ns(const struct nvmf_target *t, struct nvme_id_ns *id)
{
	uint64_t lbas = t->info.capacity_lbas, bytes = lbas * SECTOR_BYTES;

	id->nsze = id->ncap = id->nuse = lbas;
	id->nsfeat = 0; /* NUSE is NSZE; no preferred granularities */
	id->nlbaf = 0;
	id->flbas = 0;
	id->dlfeat = 0;				   /* what a deallocated block reads is not said */
	memset(id->nvmcap, 0, sizeof(id->nvmcap)); /* 128 bits, little-endian */
	memcpy(id->nvmcap, &bytes, sizeof(bytes));
	id->npwg = id->npwa = id->npdg = id->npda = id->nows = 0;
	memset(id->lbaf, 0, sizeof(id->lbaf));
	id->lbaf[0] = (struct nvme_lbaf){.lbads = 12};
}

/* The effects log, whatever part of it the host read (at byte off). */
static void amend_effects(struct nvmf_cmd *cmd, uint64_t off)
{
	struct nvme_cmd_effects_log log = {0};
	uint8_t *all = (uint8_t *)&log;
	uint64_t n;

	if (off >= sizeof(log))
		return;
	n = sizeof(log) - off < cmd->data_bytes ? sizeof(log) - off : cmd->data_bytes;
	memcpy(all + off, cmd->buf, n);
	log.acs[NVME_ADMIN_FORMAT_NVM] = 0;
	log.acs[NVME_ADMIN_OC_GEOMETRY] = 0;
	for (int op = 0; op < 256; op++)
		log.iocs[op] = io_cmds[op].effects;
	memcpy(cmd->buf, all + off, n);
}

static void pblk_amend(struct nvmf_cmd *cmd)
{
	const struct nvme_sqe *sqe = &cmd->sqe;

	if (sqe->opcode == NVME_ADMIN_IDENTIFY && cmd->data_bytes >= 4096) {
		if (nvme_get(sqe, NVME_F_CNS) == NVME_ID_CNS_CTRL)
			amend_id_ctrl((struct nvme_id_ctrl *)cmd->buf);
		else if (nvme_get(sqe, NVME_F_CNS) == NVME_ID_CNS_NS)
			amend_id_ns(cmd->conn->t, (struct nvme_id_ns *)cmd->buf);
	}
	if (sqe->opcode == NVME_ADMIN_GET_LOG_PAGE &&
	    nvme_get(sqe, NVME_F_LID) == NVME_LOG_CMD_EFFECTS)
		amend_effects(cmd, nvme_get_log_offset(sqe));
}

static int pblk_flush(struct nvmf_target *t)
{
	return vssd_pblk_flush(t->pblk);
}

const struct nvmf_ns_ops nvmf_pblk_ns = {
	.name = "pblk's, over the open-channel device",
	.device_queue_pairs = false,
	.open = pblk_open,
	.close = pblk_close,
	.io = pblk_io,
	.admin = pblk_admin,
	.amend = pblk_amend,
	.flush = pblk_flush,
};
