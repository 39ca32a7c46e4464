/*
 * The NVM I/O command set: Read, Write (FUA), Flush, Write Zeroes (with
 * deallocate), Dataset Management (deallocate), Compare and Verify, each
 * checked as the spec says before the device core runs it. DTYPE and DSPEC
 * are decoded for Flexible Data Placement.
 */
#include "nvme/ctrl.h"

#include <stdlib.h>
#include <string.h>

/* The fields of a Read/Write-like command. */
struct rw_cmd {
	uint64_t slba;
	uint32_t nlb;
	bool fua;
	uint8_t dtype;	/* enum nvme_dtype */
	uint16_t dspec; /* NVME_DTYPE_PLACEMENT: the placement identifier */
};

static void decode_rw(const struct nvme_sqe *sqe, struct rw_cmd *c)
{
	c->slba = nvme_get_slba(sqe);
	c->nlb = nvme_get(sqe, NVME_F_NLB) + 1;
	c->fua = nvme_get(sqe, NVME_F_FUA);
	c->dtype = (uint8_t)nvme_get(sqe, NVME_F_DTYPE);
	c->dspec = (uint16_t)nvme_get(sqe, NVME_F_DSPEC);
}

static uint16_t check_range(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe,
			    const struct rw_cmd *c, struct nvme_result *r)
{
	uint64_t cap = dev_capacity_lbas(ctrl->ns);

	if (c->slba >= cap || c->nlb > cap - c->slba) {
		r->lba = c->slba;
		return nvme_reject(ctrl, sqe, NVME_SC_LBA_RANGE,
				   "LBA out of range (the namespace has 0x%llx LBAs)",
				   (unsigned long long)cap);
	}
	return NVME_SC_SUCCESS;
}

uint16_t nvme_map_data(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t bytes,
		       struct dma_sgl *sgl)
{
	if (bytes > NVME_MAX_XFER_BYTES)
		return nvme_reject(ctrl, sqe, NVME_SC_INVALID_FIELD,
				   "a transfer of %llu bytes is over MDTS (%u bytes)",
				   (unsigned long long)bytes, NVME_MAX_XFER_BYTES);
	return nvme_map_dptr(ctrl, sqe, bytes, sgl);
}

/* A completed write (or deallocate) is durable at once when the cache is
 * off or FUA asks: it completes when a flush after it would. */
static void make_durable(struct nvme_ctrl *ctrl, struct nvme_result *r)
{
	uint64_t flushed;

	if (dev_flush(ctrl->ns, r->done_ns, &flushed))
		r->status = NVME_SC_WRITE_FAULT;
	else if (flushed > r->done_ns)
		r->done_ns = flushed;
}

/* Worn past the rated cycles, available spare below its threshold, media
 * turned read-only: each announced by an event once. */
void nvme_health_events(struct nvme_ctrl *ctrl, uint64_t now_ns)
{
	uint8_t cw = nvme_critical_warning(ctrl), fresh = cw & (uint8_t)~ctrl->warned;

	if (!fresh)
		return;
	ctrl->warned |= fresh;
	nvme_raise_event(ctrl, NVME_AER_SMART,
			 fresh & NVME_SMART_CW_SPARE ? NVME_AER_INFO_SPARE
						     : NVME_AER_INFO_RELIABILITY,
			 NVME_LOG_SMART, now_ns);
}

static void do_write(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
		     struct nvme_result *r)
{
	struct rw_cmd c;
	struct dma_sgl sgl;
	const uint8_t *data;
	struct placement pl = {0, 0};
	uint64_t bytes;
	int rc;

	decode_rw(sqe, &c);
	bytes = (uint64_t)c.nlb * ctrl->ns->geo.lba_bytes;
	if ((r->status = check_range(ctrl, sqe, &c, r)) ||
	    (r->status = nvme_map_data(ctrl, sqe, bytes, &sgl)))
		return;
	if (ctrl->cfg.fdp) /* without FDP every write goes to handle 0 of group 0 */
		pl = nvme_fdp_placement(ctrl, c.dtype == NVME_DTYPE_PLACEMENT, c.dspec);
	data = dma_flat(&sgl);
	if (!data && ctrl->ns->media->keeps_data) {
		dma_from_host(&sgl, ctrl->bounce);
		data = ctrl->bounce;
	}
	rc = dev_write_placed(ctrl->ns, c.slba, c.nlb, ctrl->ns->media->keeps_data ? data : NULL,
			      now_ns, pl, &r->done_ns);
	if (rc == -EROFS) {
		r->status = nvme_reject(ctrl, sqe, NVME_SC_WRITE_FAULT,
					"the media is read-only: a die's spare blocks ran out");
		return;
	}
	if (rc) {
		r->status = NVME_SC_WRITE_FAULT; /* the store failed it: the old data stays */
		return;
	}
	if (c.fua || !ctrl->vwc_enabled)
		make_durable(ctrl, r);
	dev_count_io(ctrl->ns, true, bytes);
	/* wear moves with every write's GC (spares tell the FTL's hook) */
	if (!(ctrl->warned & NVME_SMART_CW_DEGRADED) && dev_percent_used(ctrl->ns) >= 100)
		nvme_health_events(ctrl, now_ns);
}

/* Read, Compare and Verify: read the range; then deliver, compare or drop it. */
static void do_read(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
		    struct nvme_result *r)
{
	struct rw_cmd c;
	struct dma_sgl sgl;
	uint8_t *dst = NULL;
	uint64_t bytes;
	bool keeps = ctrl->ns->media->keeps_data;

	decode_rw(sqe, &c);
	bytes = (uint64_t)c.nlb * ctrl->ns->geo.lba_bytes;
	if ((r->status = check_range(ctrl, sqe, &c, r)))
		return;
	if (sqe->opcode != NVME_CMD_VERIFY) {
		if ((r->status = nvme_map_data(ctrl, sqe, bytes, &sgl)))
			return;
		dst = sqe->opcode == NVME_CMD_READ ? dma_flat(&sgl) : NULL;
		if (!dst && (keeps || sqe->opcode == NVME_CMD_COMPARE))
			dst = ctrl->bounce;
	} else if (bytes > NVME_MAX_XFER_BYTES) {
		r->status = NVME_SC_INVALID_FIELD;
		return;
	}
	if (dev_read_err(ctrl->ns, c.slba, c.nlb, dst, now_ns, &r->done_ns, &r->lba)) {
		r->status = nvme_reject(ctrl, sqe, NVME_SC_READ_ERROR,
					"LBA 0x%llx could not be read back from the media",
					(unsigned long long)r->lba);
		return;
	}
	if (sqe->opcode == NVME_CMD_READ) {
		if (dst == ctrl->bounce)
			dma_to_host(&sgl, ctrl->bounce);
		else if (!dst)
			for (uint32_t i = 0; i < sgl.nseg; i++) /* no data kept: zeros */
				memset(sgl.seg[i].ptr, 0, sgl.seg[i].len);
		dev_count_io(ctrl->ns, false, bytes);
	} else if (sqe->opcode == NVME_CMD_COMPARE) {
		uint8_t *host = malloc(bytes);

		if (!host) {
			r->status = NVME_SC_INTERNAL;
			return;
		}
		dma_from_host(&sgl, host);
		if (memcmp(host, ctrl->bounce, bytes))
			r->status = NVME_SC_COMPARE_FAILED;
		free(host);
	}
}

/* Writes zeros over [slba, slba + nlb) in pieces of at most MDTS. */
static uint16_t write_zeroes(struct nvme_ctrl *ctrl, uint64_t slba, uint64_t nlb, uint64_t now_ns,
			     uint64_t *done_ns)
{
	uint32_t max_lbas = NVME_MAX_XFER_BYTES / ctrl->ns->geo.lba_bytes;

	memset(ctrl->bounce, 0, NVME_MAX_XFER_BYTES);
	for (uint64_t done = 0; done < nlb;) {
		uint32_t n = nlb - done < max_lbas ? (uint32_t)(nlb - done) : max_lbas;
		uint64_t t;

		if (dev_write(ctrl->ns, slba + done, n, ctrl->bounce, now_ns, &t))
			return NVME_SC_WRITE_FAULT;
		*done_ns = t > *done_ns ? t : *done_ns;
		done += n;
	}
	return NVME_SC_SUCCESS;
}

/* Write Zeroes with Deallocate: whole units are deallocated, the LBAs of
 * partial units at either end get zeros written. */
static void deallocate_zeroes(struct nvme_ctrl *ctrl, const struct rw_cmd *c, uint64_t now_ns,
			      struct nvme_result *r)
{
	uint32_t lpu = ctrl->ns->geo.lbas_per_unit;
	uint64_t end = c->slba + c->nlb;
	uint64_t first_whole = (c->slba + lpu - 1) / lpu * lpu, end_whole = end / lpu * lpu;

	/* deallocated units read back as zeros (DLFEAT) */
	if (first_whole >= end_whole) {
		r->status = write_zeroes(ctrl, c->slba, c->nlb, now_ns, &r->done_ns);
		return;
	}
	dev_trim(ctrl->ns, first_whole, (uint32_t)(end_whole - first_whole), now_ns, &r->done_ns);
	if (first_whole > c->slba)
		r->status = write_zeroes(ctrl, c->slba, first_whole - c->slba, now_ns, &r->done_ns);
	if (!r->status && end > end_whole)
		r->status = write_zeroes(ctrl, end_whole, end - end_whole, now_ns, &r->done_ns);
}

static void do_write_zeroes(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
			    struct nvme_result *r)
{
	struct rw_cmd c;

	decode_rw(sqe, &c);
	if ((r->status = check_range(ctrl, sqe, &c, r)))
		return;
	if (!nvme_get(sqe, NVME_F_DEAC)) {
		r->status = write_zeroes(ctrl, c.slba, c.nlb, now_ns, &r->done_ns);
	} else {
		deallocate_zeroes(ctrl, &c, now_ns, r);
	}
	if (!r->status && (c.fua || !ctrl->vwc_enabled))
		make_durable(ctrl, r);
}

static void do_dsm(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
		   struct nvme_result *r)
{
	uint32_t nr = nvme_get(sqe, NVME_F_DSM_NR) + 1;
	struct nvme_dsm_range ranges[256];
	struct dma_sgl sgl;
	uint64_t cap = dev_capacity_lbas(ctrl->ns);

	if ((r->status = nvme_map_dptr(ctrl, sqe, nr * sizeof(ranges[0]), &sgl)))
		return;
	dma_from_host(&sgl, ranges);
	for (uint32_t i = 0; i < nr; i++) {
		if (ranges[i].nlb &&
		    (ranges[i].slba >= cap || ranges[i].nlb > cap - ranges[i].slba)) {
			r->lba = ranges[i].slba;
			r->status =
				nvme_reject(ctrl, sqe, NVME_SC_LBA_RANGE,
					    "range %u: slba 0x%llx nlb %u is past the namespace's "
					    "0x%llx LBAs",
					    i, (unsigned long long)ranges[i].slba, ranges[i].nlb,
					    (unsigned long long)cap);
			return;
		}
	}
	if (!nvme_get(sqe, NVME_F_DSM_AD))
		return; /* only hints: nothing to do */
	for (uint32_t i = 0; i < nr; i++) {
		uint64_t t;

		int rc = ranges[i].nlb
				 ? dev_trim(ctrl->ns, ranges[i].slba, ranges[i].nlb, now_ns, &t)
				 : 1;

		if (rc == -EROFS) {
			r->status = nvme_reject(ctrl, sqe, NVME_SC_WRITE_FAULT,
						"the media is read-only: a die's spare blocks ran "
						"out");
			return;
		}
		if (!rc)
			r->done_ns = t > r->done_ns ? t : r->done_ns;
	}
	if (!ctrl->vwc_enabled)
		make_durable(ctrl, r);
}

void nvme_flush_exec(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
		     struct nvme_result *r)
{
	if (dev_flush(ctrl->ns, now_ns, &r->done_ns))
		r->status = NVME_SC_WRITE_FAULT;
}

/* The NVM command set. */
const struct nvme_cmd_def nvme_nvm_cmds[256] = {
	[NVME_CMD_FLUSH] = NVME_CMD("flush", nvme_flush_exec, NVME_CMD_EFFECTS_CSUPP),
	[NVME_CMD_WRITE] = NVME_CMD("write", do_write, NVME_CMD_CHANGES_LBAS),
	[NVME_CMD_READ] = NVME_CMD("read", do_read, NVME_CMD_EFFECTS_CSUPP),
	[NVME_CMD_COMPARE] = NVME_CMD("compare", do_read, NVME_CMD_EFFECTS_CSUPP),
	[NVME_CMD_WRITE_ZEROES] = NVME_CMD("write-zeroes", do_write_zeroes, NVME_CMD_CHANGES_LBAS),
	[NVME_CMD_DSM] = NVME_CMD("dsm", do_dsm, NVME_CMD_CHANGES_LBAS),
	[NVME_CMD_VERIFY] = NVME_CMD("verify", do_read, NVME_CMD_EFFECTS_CSUPP),
	[NVME_CMD_IO_MGMT_RECV] =
		NVME_CMD("io-mgmt-recv", nvme_fdp_io_mgmt, NVME_CMD_EFFECTS_CSUPP),
	[NVME_CMD_IO_MGMT_SEND] =
		NVME_CMD("io-mgmt-send", nvme_fdp_io_mgmt, NVME_CMD_EFFECTS_CSUPP),
};

/* Each I/O command set's table and name, by the set the namespace's FTL serves. */
static const struct nvme_cmd_def *const iocs_cmds[FTL_IOCS_COUNT] = {
	[FTL_IOCS_NVM] = nvme_nvm_cmds,
	[FTL_IOCS_OCSSD] = nvme_oc_cmds,
	[FTL_IOCS_ZNS] = nvme_zns_cmds,
};
static const char *const iocs_names[FTL_IOCS_COUNT] = {
	[FTL_IOCS_NVM] = "NVM",
	[FTL_IOCS_OCSSD] = "open-channel",
	[FTL_IOCS_ZNS] = "zoned",
};

const struct nvme_cmd_def *nvme_io_cmds(const struct nvme_ctrl *ctrl)
{
	return ctrl->ns ? iocs_cmds[dev_iocs(ctrl->ns)] : nvme_nvm_cmds;
}

void nvme_io_exec(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
		  struct nvme_result *r)
{
	bool all_ns = sqe->opcode == NVME_CMD_FLUSH && sqe->nsid == 0xffffffff;
	const struct nvme_cmd_def *cmd;

	if (!all_ns && sqe->nsid != NVME_NSID) {
		r->status = nvme_reject(ctrl, sqe, NVME_SC_INVALID_NS,
					"NSID %u is not namespace %u, the only one", sqe->nsid,
					NVME_NSID);
		return;
	}
	if (!ctrl->ns) {
		r->status = nvme_reject(ctrl, sqe, NVME_SC_NS_NOT_READY,
					"the namespace is not ready (its Format NVM failed)");
		return;
	}
	cmd = &nvme_io_cmds(ctrl)[sqe->opcode];
	if (!nvme_cmd_served(ctrl, cmd)) {
		r->status = nvme_reject(ctrl, sqe, NVME_SC_INVALID_OPCODE,
					"opcode 0x%02x is not in the %s command set this namespace "
					"serves",
					sqe->opcode, iocs_names[dev_iocs(ctrl->ns)]);
		return;
	}
	cmd->exec(ctrl, sqe, now_ns, r);
}
