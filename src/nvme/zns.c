/*
 * A zoned namespace's commands (NVMe Zoned Namespace Command Set 1.1): Read,
 * Write (at a zone's write pointer), Write Zeroes (zeros written there),
 * Zone Append (the LBA written in CQE DW0 and DW1), Zone Management Send
 * and Receive, Flush; its Identify data (CNS 05h and 06h for CSI 02h); and
 * the Changed Zone List (log BFh) with its notice, for zones the device
 * turns read only or offline by itself.
 * The zone rules and their statuses are the FTL's (src/ftl/zns); this file
 * decodes the commands and moves their data. Not here: Zone Random Write
 * Area (ZRWASUP 0: its Zone Send flag is Invalid Field), zone descriptor
 * extensions (ZDES 0: Set Zone Descriptor Extension and the extended
 * report are Invalid Field), Compare, Verify and Dataset Management (not
 * in this namespace's command set: Invalid Opcode).
 */
#include "nvme/ctrl.h"

#include <stdlib.h>
#include <string.h>

#define NVME_F_ZSASO NVME_FIELD(13, 9, 1) /* Zone Send: the ZRWA flag */

/* Write, Write Zeroes and Zone Append: their data to the zone. */
static void zone_write(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
		       struct nvme_result *r)
{
	uint64_t slba = nvme_get_slba(sqe), lba = slba;
	uint32_t nlb = nvme_get(sqe, NVME_F_NLB) + 1;
	uint64_t bytes = (uint64_t)nlb * ctrl->ns->geo.lba_bytes;
	bool zeros = sqe->opcode == NVME_CMD_WRITE_ZEROES,
	     append = sqe->opcode == NVME_CMD_ZONE_APPEND;
	const uint8_t *data = NULL;
	struct dma_sgl sgl;

	r->lba = slba;
	if (!zeros) {
		if ((r->status = nvme_map_data(ctrl, sqe, bytes, &sgl)))
			return;
		data = dma_flat(&sgl);
		if (!data && ctrl->ns->media->keeps_data) {
			dma_from_host(&sgl, ctrl->bounce);
			data = ctrl->bounce;
		}
	} else if (bytes >
		   NVME_MAX_XFER_BYTES) { /* zeros move no data, but the zone's rules hold */
		r->status = nvme_reject(
			ctrl, sqe, NVME_SC_INVALID_FIELD,
			"Write Zeroes of %u LBAs: at most MDTS on a zoned namespace", nlb);
		return;
	}
	/* no data: the media stores zeros */
	r->status = dev_zone_write(ctrl->ns, slba, nlb, data, append, now_ns, &lba, &r->done_ns);
	if (r->status)
		return;
	if (append) {
		r->result = (uint32_t)lba;
		r->result_hi = (uint32_t)(lba >> 32);
	}
	dev_count_io(ctrl->ns, true, bytes);
}

static void zone_read(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
		      struct nvme_result *r)
{
	uint64_t slba = nvme_get_slba(sqe);
	uint32_t nlb = nvme_get(sqe, NVME_F_NLB) + 1;
	uint64_t bytes = (uint64_t)nlb * ctrl->ns->geo.lba_bytes;
	struct dma_sgl sgl;
	uint8_t *dst;

	r->lba = slba;
	if ((r->status = nvme_map_data(ctrl, sqe, bytes, &sgl)))
		return;
	dst = dma_flat(&sgl);
	if (!dst)
		dst = ctrl->bounce;
	if (!ctrl->ns->media->keeps_data) /* no data kept: zeros */
		memset(dst, 0, bytes);
	if ((r->status = dev_zone_read(ctrl->ns, slba, nlb, dst, now_ns, &r->done_ns)))
		return;
	if (dst == ctrl->bounce)
		dma_to_host(&sgl, ctrl->bounce);
	dev_count_io(ctrl->ns, false, bytes);
}

static void zone_mgmt_send(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
			   struct nvme_result *r)
{
	uint32_t action = nvme_get(sqe, NVME_F_ZSA);

	r->lba = nvme_get_slba(sqe);
	if (nvme_get(sqe, NVME_F_ZSASO)) {
		r->status = nvme_reject(ctrl, sqe, NVME_SC_INVALID_FIELD,
					"Zone Send Action Specific Option: no Zone Random Write "
					"Area (ZRWASUP 0)");
		return;
	}
	r->status = dev_zone_send(ctrl->ns, r->lba, (enum nvme_zone_send_action)action,
				  nvme_get(sqe, NVME_F_ZS_SELECT_ALL), now_ns, &r->done_ns);
	if (r->status == NVME_SC_INVALID_FIELD)
		r->status = nvme_reject(ctrl, sqe, NVME_SC_INVALID_FIELD,
					"Zone Send Action 0x%02x on SLBA 0x%llx: not an action "
					"served, or not a zone's first LBA",
					action, (unsigned long long)r->lba);
}

static void zone_mgmt_recv(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
			   struct nvme_result *r)
{
	uint64_t bytes = ((uint64_t)sqe->cdw12 + 1) * 4;
	uint32_t action = nvme_get(sqe, NVME_F_ZRA);
	uint8_t *buf;

	r->lba = nvme_get_slba(sqe);
	r->done_ns = now_ns;
	if (action != NVME_ZRA_REPORT) {
		r->status = nvme_reject(
			ctrl, sqe, NVME_SC_INVALID_FIELD, "Zone Receive Action 0x%02x: %s", action,
			action == NVME_ZRA_EXT_REPORT ? "no zone descriptor extensions (ZDES 0)"
						      : "not an action of the command set");
		return;
	}
	if (bytes > NVME_MAX_XFER_BYTES) {
		r->status = nvme_reject(ctrl, sqe, NVME_SC_INVALID_FIELD,
					"a report of %llu bytes is over MDTS",
					(unsigned long long)bytes);
		return;
	}
	if (r->lba >= dev_capacity_lbas(ctrl->ns)) {
		r->status = nvme_reject(ctrl, sqe, NVME_SC_LBA_RANGE,
					"SLBA 0x%llx is past the namespace",
					(unsigned long long)r->lba);
		return;
	}
	if (!(buf = malloc(bytes))) {
		r->status = NVME_SC_INTERNAL;
		return;
	}
	r->status = dev_zone_report(ctrl->ns, r->lba, (uint8_t)nvme_get(sqe, NVME_F_ZRAS),
				    nvme_get(sqe, NVME_F_ZR_PARTIAL), buf, bytes);
	if (r->status == NVME_SC_INVALID_FIELD)
		r->status = nvme_reject(ctrl, sqe, NVME_SC_INVALID_FIELD,
					"Zone Receive Action Specific 0x%02x: not a filter",
					nvme_get(sqe, NVME_F_ZRAS));
	if (!r->status)
		r->status = nvme_data_to_host(ctrl, sqe, buf, bytes);
	free(buf);
}

/* The Zoned Namespace command set. */
const struct nvme_cmd_def nvme_zns_cmds[256] = {
	[NVME_CMD_FLUSH] = NVME_CMD("flush", nvme_flush_exec, NVME_CMD_EFFECTS_CSUPP),
	[NVME_CMD_WRITE] = NVME_CMD("write", zone_write, NVME_CMD_CHANGES_LBAS),
	[NVME_CMD_READ] = NVME_CMD("read", zone_read, NVME_CMD_EFFECTS_CSUPP),
	[NVME_CMD_WRITE_ZEROES] = NVME_CMD("write-zeroes", zone_write, NVME_CMD_CHANGES_LBAS),
	[NVME_CMD_ZONE_MGMT_SEND] =
		NVME_CMD("zone-mgmt-send", zone_mgmt_send, NVME_CMD_CHANGES_LBAS),
	[NVME_CMD_ZONE_MGMT_RECV] =
		NVME_CMD("zone-mgmt-recv", zone_mgmt_recv, NVME_CMD_EFFECTS_CSUPP),
	[NVME_CMD_ZONE_APPEND] = NVME_CMD("zone-append", zone_write, NVME_CMD_CHANGES_LBAS),
};

/* A resource limit as Identify says it: 0-based, FFFFFFFFh for none. */
static uint32_t limit_field(uint32_t n)
{
	return n ? n - 1 : 0xffffffffu;
}

void nvme_zns_identify_ns(const struct nvme_ctrl *ctrl, struct nvme_id_ns_zns *id)
{
	struct ftl_zone_info zi;

	dev_zone_info(ctrl->ns, &zi);
	memset(id, 0, sizeof(*id));
	id->zoc = 0;  /* fixed zone capacity, no zone active excursions */
	id->ozcs = 0; /* no reads across zone boundaries, no ZRWA */
	id->mar = limit_field(zi.max_active);
	id->mor = limit_field(zi.max_open);
	id->lbafe[0].zsze = zi.zone_lbas; /* its one LBA format, 4 KiB */
}

void nvme_zns_identify_ctrl(struct nvme_id_ctrl_zns *id)
{
	memset(id, 0, sizeof(*id));
	id->zasl = 0; /* Zone Append's limit is MDTS */
}

void nvme_zns_zone_changed(void *arg, uint64_t zslba)
{
	struct nvme_ctrl *ctrl = arg;

	for (uint16_t i = 0; i < ctrl->nzone_changes && i < NVME_CHANGED_ZONES_MAX; i++)
		if (ctrl->zone_changes[i] == zslba)
			return; /* listed already: the host has not read it yet */
	if (ctrl->nzone_changes < NVME_CHANGED_ZONES_MAX)
		ctrl->zone_changes[ctrl->nzone_changes] = zslba;
	if (ctrl->nzone_changes <= NVME_CHANGED_ZONES_MAX)
		ctrl->nzone_changes++;
	nvme_raise_event(ctrl, NVME_AER_NOTICE, NVME_AER_INFO_ZONE_CHANGED, NVME_LOG_CHANGED_ZONES,
			 ctrl->cmd_now_ns);
}

uint16_t nvme_zns_changed_log(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint8_t *log,
			      uint64_t *size)
{
	struct nvme_changed_zone_log *l = (void *)log;
	uint16_t n = ctrl->nzone_changes;

	if (!ctrl->ns || dev_iocs(ctrl->ns) != FTL_IOCS_ZNS)
		return nvme_reject(ctrl, sqe, NVME_SC_INVALID_LOG_PAGE,
				   "log BFh is a zoned namespace's, and this one is not zoned");
	*size = sizeof(*l);
	l->nrzid = n > NVME_CHANGED_ZONES_MAX ? 0xffff : n;
	memcpy(l->zid, ctrl->zone_changes,
	       (n > NVME_CHANGED_ZONES_MAX ? NVME_CHANGED_ZONES_MAX : n) * sizeof(l->zid[0]));
	if (!nvme_get(sqe, NVME_F_RAE))
		ctrl->nzone_changes = 0; /* read: the list starts again */
	return NVME_SC_SUCCESS;
}
