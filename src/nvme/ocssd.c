/*
 * An Open-Channel SSD 2.0 namespace's commands. Admin: Geometry (E2h) and
 * the Chunk Information log page (CAh). I/O: vector chunk
 * reset, write and read over an LBA list of up to 64 device addresses, each
 * sector with the namespace's metadata bytes (MPTR); scalar Read and Write on
 * consecutive addresses of one chunk; Flush. A vector command completes
 * with the first failing address's status and, in CQE DW0/DW1, a bitmap of
 * the addresses that failed. With media that keeps no data (media=none)
 * no data moves: a read leaves the host's buffer as it was.
 */
#include "nvme/ctrl.h"

#include <stdlib.h>
#include <string.h>

uint16_t nvme_oc_geometry(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe)
{
	struct nvme_oc_geometry g;

	/* the admin table serves it only on an open-channel namespace */
	if (dev_identify_cs(ctrl->ns, &g, sizeof(g)) != sizeof(g))
		return NVME_SC_INTERNAL;
	return nvme_data_to_host(ctrl, sqe, &g, sizeof(g));
}

/* The LBA list of a vector command: the one LBA itself when NLB is 0. */
static uint16_t map_lba_list(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint32_t n,
			     uint64_t *one, const uint64_t **lbas)
{
	uint64_t lbal = nvme_get_slba(sqe); /* LBAL: the list, or the one LBA */

	if (n == 1) {
		*one = lbal;
		*lbas = one;
		return 0;
	}
	*lbas = dma_map(&ctrl->dma, lbal, (uint64_t)n * sizeof(uint64_t));
	return *lbas ? 0 : NVME_SC_DATA_XFER_ERROR;
}

/* The per-sector metadata buffer, or NULL when MPTR is 0. */
static uint16_t map_meta(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint32_t n,
			 uint8_t **meta)
{
	*meta = NULL;
	if (!sqe->mptr)
		return 0;
	*meta = dma_map(&ctrl->dma, sqe->mptr, (uint64_t)n * dev_sector_meta_bytes(ctrl->ns));
	return *meta ? 0 : NVME_SC_DATA_XFER_ERROR;
}

/* Runs a vector command over lbas; sets the status and the bitmap. */
static void run_vector(struct nvme_ctrl *ctrl, uint8_t opcode, const uint64_t *lbas, uint32_t n,
		       uint8_t *data, uint8_t *meta, uint64_t now_ns, struct nvme_result *r)
{
	enum ftl_vector_op op = opcode == NVME_CMD_OC_WRITE  ? FTL_VECTOR_WRITE
				: opcode == NVME_CMD_OC_READ ? FTL_VECTOR_READ
							     : FTL_VECTOR_RESET;
	uint16_t st[NVME_OC_MAX_LBAS];
	uint64_t failed = 0;

	r->done_ns = dev_vector(ctrl->ns, op, lbas, n, data, meta, now_ns, st);
	for (uint32_t i = 0; i < n; i++) {
		if (!st[i])
			continue;
		failed |= 1ull << i;
		if (!r->status) {
			r->status = st[i];
			r->lba = lbas[i];
		}
	}
	r->result = (uint32_t)failed;
	r->result_hi = (uint32_t)(failed >> 32);
}

/* Vector reset, write, read; and scalar read and write, whose LBA list is
 * slba, slba + 1, ... */
static void do_oc_rw(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
		     struct nvme_result *r)
{
	bool vector = sqe->opcode >= NVME_CMD_OC_RESET;
	uint8_t opcode = sqe->opcode;
	uint64_t one, scalar[NVME_OC_MAX_LBAS];
	const uint64_t *lbas = scalar;
	uint32_t n;
	uint8_t *meta = NULL, *data = NULL;
	struct dma_sgl sgl;

	if (vector) {
		n = nvme_get(sqe, NVME_F_OC_NLB) + 1;
		if ((r->status = map_lba_list(ctrl, sqe, n, &one, &lbas)) ||
		    (r->status = map_meta(ctrl, sqe, n, &meta)))
			return;
	} else {
		uint64_t slba = nvme_get_slba(sqe);

		n = nvme_get(sqe, NVME_F_NLB) + 1;
		if (n > NVME_OC_MAX_LBAS) {
			r->status = NVME_SC_INVALID_FIELD;
			return;
		}
		for (uint32_t i = 0; i < n; i++)
			scalar[i] = slba + i;
		opcode = sqe->opcode == NVME_CMD_WRITE ? NVME_CMD_OC_WRITE : NVME_CMD_OC_READ;
	}
	if (opcode != NVME_CMD_OC_RESET) {
		if ((r->status = nvme_map_data(ctrl, sqe, (uint64_t)n * GEO_UNIT_BYTES, &sgl)))
			return;
		data = dma_flat(&sgl);
		/* media that keeps no data moves none: the host's buffer is left as it is */
		if (!data && ctrl->ns->media->keeps_data) {
			data = ctrl->bounce;
			if (opcode == NVME_CMD_OC_WRITE)
				dma_from_host(&sgl, data);
		}
	}
	run_vector(ctrl, opcode, lbas, n, data, meta, now_ns, r);
	if (opcode == NVME_CMD_OC_READ && data == ctrl->bounce)
		dma_to_host(&sgl, data);
	if (opcode != NVME_CMD_OC_RESET)
		dev_count_io(ctrl->ns, opcode == NVME_CMD_OC_WRITE, (uint64_t)n * GEO_UNIT_BYTES);
}

/* The open-channel command set: vector reset, write and read, and scalar
 * Read, Write and Flush; not vector copy, nor the NVM commands that need a
 * device FTL (ftl=conv). */
const struct nvme_cmd_def nvme_oc_cmds[256] = {
	[NVME_CMD_FLUSH] = NVME_CMD("flush", nvme_flush_exec, NVME_CMD_EFFECTS_CSUPP),
	[NVME_CMD_WRITE] = NVME_CMD("write", do_oc_rw, NVME_CMD_CHANGES_LBAS),
	[NVME_CMD_READ] = NVME_CMD("read", do_oc_rw, NVME_CMD_EFFECTS_CSUPP),
	[NVME_CMD_OC_RESET] = NVME_CMD("oc-reset", do_oc_rw, NVME_CMD_CHANGES_LBAS),
	[NVME_CMD_OC_WRITE] = NVME_CMD("oc-write", do_oc_rw, NVME_CMD_CHANGES_LBAS),
	[NVME_CMD_OC_READ] = NVME_CMD("oc-read", do_oc_rw, NVME_CMD_EFFECTS_CSUPP),
};
