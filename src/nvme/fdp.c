/*
 * The Flexible Data Placement host interface (NVMe 2.1, TP4146) over the
 * FTL's reclaim unit handles: one endurance group (1), one reclaim group,
 * one FDP configuration. Log pages 20h-23h, I/O Management Receive (Reclaim
 * Unit Handle Status) and Send (Reclaim Unit Handle Update), features 1Dh
 * and 1Eh, and the events: 00h on an update of a unit not fully written,
 * 03h for an invalid placement identifier, 80h when GC moves data, 81h when
 * a write fills a unit and the handle moves to a new one. No reclaim unit
 * time limit applies (ERUTL 0), so event 01h is never due.
 */
#include "nvme/ctrl.h"

#include <string.h>

#define ENDGID 1

static const uint8_t event_types[] = {
	NVME_FDP_EVT_RU_NOT_FULLY_WRITTEN, NVME_FDP_EVT_RU_TIME_LIMIT,
	NVME_FDP_EVT_CTRL_RESET_MODIFIED, NVME_FDP_EVT_INVALID_PID,
	NVME_FDP_EVT_MEDIA_REALLOCATED,  NVME_FDP_EVT_IMPLICIT_MODIFIED,
};
#define NEVENT_TYPES (sizeof(event_types) / sizeof(event_types[0]))

static int event_bit(uint8_t type)
{
	for (size_t i = 0; i < NEVENT_TYPES; i++)
		if (event_types[i] == type)
			return (int)i;
	return -1;
}

static uint64_t timestamp_ms(const struct nvme_ctrl *ctrl)
{
	uint64_t now = ctrl->cmd_now_ns;

	return ctrl->timestamp_set ? ctrl->timestamp_ms + (now - ctrl->timestamp_at_ns) / 1000000
				   : now / 1000000;
}

/* Logs an event if its handle has that type enabled (feature 1Eh). */
static void record(struct nvme_ctrl *ctrl, uint8_t type, uint8_t flags, uint16_t pid,
		   uint16_t ruh, const uint8_t *specific)
{
	struct fdp_event_ring *ring = type & 0x80 ? &ctrl->fdp_ctrl_events : &ctrl->fdp_host_events;
	struct nvme_fdp_event *e;

	if (!(ctrl->fdp_event_mask[ruh] & (1u << event_bit(type))))
		return;
	e = &ring->ev[ring->next];
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->flags = flags | NVME_FDP_EVF_NSIDV;
	e->pid = pid;
	e->timestamp = timestamp_ms(ctrl);
	e->nsid = NVME_NSID;
	e->rgid = 0;
	e->ruhid = (uint8_t)ruh;
	if (specific)
		memcpy(e->type_specific, specific, sizeof(e->type_specific));
	ring->next = (ring->next + 1) % FDP_EVENT_RING;
	if (ring->count < FDP_EVENT_RING)
		ring->count++;
}

static void on_ru_full(void *arg, uint16_t ruh)
{
	record(arg, NVME_FDP_EVT_IMPLICIT_MODIFIED, NVME_FDP_EVF_PIV | NVME_FDP_EVF_LV, ruh, ruh,
	       NULL);
}

static void on_gc_moved(void *arg, uint16_t owner, uint32_t lu, uint32_t units)
{
	struct nvme_ctrl *ctrl = arg;
	uint32_t lpu = ctrl->dev->geo.lbas_per_unit;
	uint64_t lba = (uint64_t)lu * lpu;
	uint32_t nlbam = units * lpu > 0xffff ? 0xffff : units * lpu;
	uint8_t specific[16] = {1 /* LBA valid */};
	bool one_handle = owner != OWNER_SHARED;

	specific[2] = nlbam & 0xff;
	specific[3] = (uint8_t)(nlbam >> 8);
	memcpy(specific + 4, &lba, 8);
	/* data from shared GC units belongs to no one handle: no location */
	record(ctrl, NVME_FDP_EVT_MEDIA_REALLOCATED,
	       one_handle ? NVME_FDP_EVF_PIV | NVME_FDP_EVF_LV : 0, one_handle ? owner : 0,
	       one_handle ? owner : 0, specific);
}

void nvme_fdp_attach(struct nvme_ctrl *ctrl)
{

	if (!ctrl->dev || !ctrl->cfg.fdp)
		return;
	ctrl->dev->ftl.hooks = (struct ftl_hooks){ctrl, on_ru_full, on_gc_moved};
}

void nvme_fdp_invalid_pid(struct nvme_ctrl *ctrl, uint16_t pid)
{
	record(ctrl, NVME_FDP_EVT_INVALID_PID, NVME_FDP_EVF_PIV, pid, 0, NULL);
}

uint16_t nvme_fdp_log(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint8_t *buf,
		      uint64_t *size)
{
	uint8_t lid = sqe->cdw10 & 0xff, lsp = (sqe->cdw10 >> 8) & 0xf;
	uint16_t lsi = (uint16_t)(sqe->cdw11 >> 16);
	uint16_t nruh = (uint16_t)ctrl->cfg.fdp_nruh;
	const struct vssd_dev *dev = ctrl->dev;

	if (lsi != ENDGID)
		return NVME_SC_INVALID_FIELD; /* one endurance group */
	if (!ctrl->cfg.fdp)
		return NVME_SC_FDP_DISABLED;
	switch (lid) {
	case NVME_LOG_FDP_CONFIGS: {
		struct nvme_fdp_config_log *h = (void *)buf;
		struct nvme_fdp_config_desc *d = (void *)(buf + sizeof(*h));
		uint8_t *ruhs = (uint8_t *)(d + 1);

		*size = sizeof(*h) + sizeof(*d) + 4u * nruh;
		h->numfdpc = 0; /* one configuration */
		h->sze = (uint32_t)*size;
		d->dsze = (uint16_t)(sizeof(*d) + 4u * nruh);
		d->fdpa = NVME_FDPA_VALID; /* RGIF 0: one reclaim group */
		d->nrg = 1;
		d->nruh = nruh;
		d->maxpids = nruh - 1;
		d->nnss = 1;
		d->runs = (uint64_t)dev->geo.units_per_line * UNIT_BYTES;
		d->erutl = 0;
		for (uint16_t r = 0; r < nruh; r++)
			ruhs[4 * r] = ctrl->cfg.fdp_ruh_type == RUH_PERSISTENTLY ? NVME_RUHT_PERSISTENTLY
									     : NVME_RUHT_INITIALLY;
		return NVME_SC_SUCCESS;
	}
	case NVME_LOG_FDP_RUH_USAGE: {
		struct nvme_fdp_ruh_usage_log *h = (void *)buf;

		*size = sizeof(*h) + 8u * nruh;
		h->nruh = nruh;
		for (uint16_t r = 0; r < nruh; r++) /* all in the namespace's placement handle list */
			buf[sizeof(*h) + 8 * r] = NVME_RUHA_HOST;
		return NVME_SC_SUCCESS;
	}
	case NVME_LOG_FDP_STATS: {
		struct nvme_fdp_stats_log *s = (void *)buf;
		struct dev_counters c;
		uint64_t block_bytes = (uint64_t)dev->cfg.pages_per_block * dev->cfg.flash_page_bytes;

		dev_counters(dev, &c);
		*size = sizeof(*s);
		nvme_put_le128(s->hbmw, c.host_write_bytes);
		nvme_put_le128(s->mbmw, c.media_write_bytes);
		nvme_put_le128(s->mbe, c.erased_blocks * block_bytes);
		return NVME_SC_SUCCESS;
	}
	case NVME_LOG_FDP_EVENTS: {
		/* LSP bit 0: host events; else controller events; oldest first */
		const struct fdp_event_ring *ring = lsp & 1 ? &ctrl->fdp_host_events
							    : &ctrl->fdp_ctrl_events;
		struct nvme_fdp_events_log *l = (void *)buf;

		*size = sizeof(*l);
		l->n = ring->count;
		for (uint32_t i = 0; i < ring->count; i++)
			l->events[i] = ring->ev[(ring->next + FDP_EVENT_RING - ring->count + i) %
						FDP_EVENT_RING];
		return NVME_SC_SUCCESS;
	}
	default:
		return NVME_SC_INVALID_LOG_PAGE;
	}
}

/* I/O Management Receive, operation 1: Reclaim Unit Handle Status. */
static uint16_t ruh_status(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe)
{
	uint16_t nruh = (uint16_t)ctrl->cfg.fdp_nruh;
	uint64_t bytes = ((uint64_t)sqe->cdw11 + 1) * 4;
	uint8_t buf[sizeof(struct nvme_fdp_ruh_status) + 128 * sizeof(struct nvme_fdp_ruh_status_desc)];
	struct nvme_fdp_ruh_status *h = (void *)buf;
	struct nvme_fdp_ruh_status_desc *d = (void *)(h + 1);
	uint64_t have = sizeof(*h) + (uint64_t)nruh * sizeof(*d);
	uint8_t *out;
	uint16_t st;

	if (bytes > NVME_MAX_XFER_BYTES)
		return NVME_SC_INVALID_FIELD;
	memset(buf, 0, sizeof(buf));
	h->nruhsd = nruh;
	for (uint16_t r = 0; r < nruh; r++) {
		d[r].pid = r;
		d[r].ruhid = r;
		d[r].ruamw = (uint64_t)conv_ruh_available_units(&ctrl->dev->ftl, r) *
			     ctrl->dev->geo.lbas_per_unit;
	}
	out = ctrl->bounce;
	memset(out, 0, bytes);
	memcpy(out, buf, have < bytes ? have : bytes);
	st = nvme_data_to_host(ctrl, sqe, out, bytes);
	return st;
}

/* I/O Management Send, operation 1: Reclaim Unit Handle Update. */
static uint16_t ruh_update(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns)
{
	uint32_t npid = (sqe->cdw10 >> 16) + 1;
	uint16_t pids[128];
	uint16_t st;

	if (npid > 128)
		return NVME_SC_INVALID_FIELD;
	if ((st = nvme_data_from_host(ctrl, sqe, pids, npid * sizeof(uint16_t))))
		return st;
	for (uint32_t i = 0; i < npid; i++)
		if (pids[i] >= ctrl->cfg.fdp_nruh)
			return NVME_SC_INVALID_FIELD;
	for (uint32_t i = 0; i < npid; i++)
		if (conv_ruh_update(&ctrl->dev->ftl, pids[i], now_ns))
			record(ctrl, NVME_FDP_EVT_RU_NOT_FULLY_WRITTEN,
			       NVME_FDP_EVF_PIV | NVME_FDP_EVF_LV, pids[i], pids[i], NULL);
	return NVME_SC_SUCCESS;
}

void nvme_fdp_io_mgmt(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
		      struct nvme_result *r)
{
	uint8_t mo = sqe->cdw10 & 0xff;

	if (!ctrl->cfg.fdp) {
		r->status = NVME_SC_FDP_DISABLED;
		return;
	}
	if (mo != 1) {
		r->status = NVME_SC_INVALID_FIELD;
		return;
	}
	r->status = sqe->opcode == NVME_CMD_IO_MGMT_RECV ? ruh_status(ctrl, sqe)
							  : ruh_update(ctrl, sqe, now_ns);
}

uint16_t nvme_fdp_get_features(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe,
			       uint32_t *result)
{
	uint8_t fid = sqe->cdw10 & 0xff;

	if (fid == NVME_FEAT_FDP) {
		if ((sqe->cdw11 & 0xffff) != ENDGID)
			return NVME_SC_INVALID_FIELD;
		*result = ctrl->cfg.fdp ? 1 : 0; /* FDPE; configuration index 0 */
		return NVME_SC_SUCCESS;
	}
	/* FDP Events: the supported event types of a handle, each with its enable bit */
	{
		uint16_t ruh = sqe->cdw11 & 0xffff;
		uint32_t noet = (sqe->cdw11 >> 16) & 0xff, n = 0;
		uint8_t desc[2 * NEVENT_TYPES] = {0};

		if (!ctrl->cfg.fdp)
			return NVME_SC_FDP_DISABLED;
		if (ruh >= ctrl->cfg.fdp_nruh)
			return NVME_SC_INVALID_FIELD;
		for (; n < NEVENT_TYPES && n < noet; n++) {
			desc[2 * n] = event_types[n];
			desc[2 * n + 1] = (ctrl->fdp_event_mask[ruh] >> n) & 1;
		}
		*result = n;
		return n ? nvme_data_to_host(ctrl, sqe, desc, 2 * n) : NVME_SC_SUCCESS;
	}
}

uint16_t nvme_fdp_set_features(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe,
			       uint32_t *result)
{
	uint8_t fid = sqe->cdw10 & 0xff;

	(void)result;
	if (fid == NVME_FEAT_FDP) {
		bool fdpe = sqe->cdw12 & 1;

		if ((sqe->cdw11 & 0xffff) != ENDGID || ((sqe->cdw12 >> 8) & 0xff) != 0)
			return NVME_SC_INVALID_FIELD;
		/* the configuration changes only with no namespace in the group */
		return fdpe == (bool)ctrl->cfg.fdp ? NVME_SC_SUCCESS : NVME_SC_CMD_SEQ_ERROR;
	}
	{
		uint16_t ruh = sqe->cdw11 & 0xffff;
		uint32_t noet = (sqe->cdw11 >> 16) & 0xff;
		bool enable = sqe->cdw12 & 1;
		uint8_t types[256];
		uint16_t st;

		if (!ctrl->cfg.fdp)
			return NVME_SC_FDP_DISABLED;
		if (ruh >= ctrl->cfg.fdp_nruh || !noet)
			return NVME_SC_INVALID_FIELD;
		if ((st = nvme_data_from_host(ctrl, sqe, types, noet)))
			return st;
		for (uint32_t i = 0; i < noet; i++)
			if (event_bit(types[i]) < 0)
				return NVME_SC_INVALID_FIELD;
		for (uint32_t i = 0; i < noet; i++) {
			uint8_t bit = (uint8_t)(1u << event_bit(types[i]));

			ctrl->fdp_event_mask[ruh] = enable ? ctrl->fdp_event_mask[ruh] | bit
							   : ctrl->fdp_event_mask[ruh] & ~bit;
		}
		return NVME_SC_SUCCESS;
	}
}
