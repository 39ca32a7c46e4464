/*
 * The Flexible Data Placement host interface (NVMe 2.1, TP4146) over the
 * FTL's reclaim unit handles and reclaim groups: one endurance group (1),
 * one FDP configuration, a placement identifier of (group << (16 - RGIF)) |
 * handle. Log pages 20h-23h, I/O Management Receive (Reclaim
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
	NVME_FDP_EVT_CTRL_RESET_MODIFIED,  NVME_FDP_EVT_INVALID_PID,
	NVME_FDP_EVT_MEDIA_REALLOCATED,	   NVME_FDP_EVT_IMPLICIT_MODIFIED,
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

static uint32_t rgif_of(const struct nvme_ctrl *ctrl)
{
	return nvme_fdp_rgif(ctrl->ns->geo.rgs);
}

/* The namespace's placement handles: its list (fdp_phndls), or every handle. */
static uint32_t nphndls(const struct nvme_ctrl *ctrl)
{
	const struct ruh_list *l = &ctrl->cfg.fdp_phndls;

	return l->count ? l->count : (uint32_t)ctrl->cfg.fdp_nruh;
}

static uint16_t ruh_of_ph(const struct nvme_ctrl *ctrl, uint16_t ph)
{
	const struct ruh_list *l = &ctrl->cfg.fdp_phndls;

	return l->count ? l->ruh[ph] : ph;
}

/* The placement handle naming reclaim unit handle ruh, or -1 if the
 * namespace may not use it. */
static int ph_of_ruh(const struct nvme_ctrl *ctrl, uint16_t ruh)
{
	const struct ruh_list *l = &ctrl->cfg.fdp_phndls;

	if (!l->count)
		return ruh;
	for (uint32_t i = 0; i < l->count; i++)
		if (l->ruh[i] == ruh)
			return (int)i;
	return -1;
}

/* The identifier of a placement; the FTL only reports handles the namespace uses. */
static uint16_t pid_of(const struct nvme_ctrl *ctrl, struct placement pl)
{
	int ph = ph_of_ruh(ctrl, pl.ruh);

	return nvme_fdp_pid(rgif_of(ctrl), pl.rg, (uint16_t)(ph < 0 ? 0 : ph));
}

uint32_t nvme_fdp_status_count(const struct nvme_ctrl *ctrl)
{
	return ctrl->cfg.fdp ? nphndls(ctrl) * ctrl->ns->geo.rgs : 0;
}

/* Entry i of the status list is placement handle i / nrg in group i % nrg. */
static struct placement status_entry(const struct nvme_ctrl *ctrl, uint32_t i)
{
	uint32_t nrg = ctrl->ns->geo.rgs;

	return (struct placement){ruh_of_ph(ctrl, (uint16_t)(i / nrg)), (uint16_t)(i % nrg)};
}

uint16_t nvme_fdp_status_pid(const struct nvme_ctrl *ctrl, uint32_t i)
{
	uint32_t nrg = ctrl->ns->geo.rgs;

	return nvme_fdp_pid(rgif_of(ctrl), (uint16_t)(i % nrg), (uint16_t)(i / nrg));
}

/* Decodes a placement identifier; false if it names no handle or group. */
static bool decode_pid(const struct nvme_ctrl *ctrl, uint16_t pid, struct placement *pl)
{
	uint32_t rgif = rgif_of(ctrl);

	uint16_t ph = nvme_fdp_pid_ph(rgif, pid);

	pl->rg = nvme_fdp_pid_rg(rgif, pid);
	if (pl->rg >= ctrl->ns->geo.rgs || ph >= nphndls(ctrl))
		return false;
	pl->ruh = ruh_of_ph(ctrl, ph);
	return true;
}

/* Logs an event if its handle has that type enabled (feature 1Eh). */
static void record(struct nvme_ctrl *ctrl, uint8_t type, uint8_t flags, uint16_t pid,
		   struct placement pl, const uint8_t *specific)
{
	struct fdp_event_ring *ring = type & 0x80 ? &ctrl->fdp_ctrl_events : &ctrl->fdp_host_events;
	struct nvme_fdp_event *e;

	if (!(ctrl->fdp_event_mask[pl.ruh] & (1u << event_bit(type))))
		return;
	e = &ring->ev[ring->next];
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->flags = flags | NVME_FDP_EVF_NSIDV;
	e->pid = pid;
	e->timestamp = timestamp_ms(ctrl);
	e->nsid = NVME_NSID;
	e->rgid = pl.rg;
	e->ruhid = (uint8_t)pl.ruh;
	if (specific)
		memcpy(e->type_specific, specific, sizeof(e->type_specific));
	ring->next = (ring->next + 1) % FDP_EVENT_RING;
	if (ring->count < FDP_EVENT_RING)
		ring->count++;
}

static void on_ru_full(void *arg, struct placement pl)
{
	record(arg, NVME_FDP_EVT_IMPLICIT_MODIFIED, NVME_FDP_EVF_PIV | NVME_FDP_EVF_LV,
	       pid_of(arg, pl), pl, NULL);
}

static void on_gc_moved(void *arg, uint16_t owner, uint16_t rg, uint32_t lu, uint32_t units)
{
	struct nvme_ctrl *ctrl = arg;
	uint32_t lpu = ctrl->ns->geo.lbas_per_unit;
	uint64_t lba = (uint64_t)lu * lpu;
	uint32_t nlbam = units * lpu > 0xffff ? 0xffff : units * lpu;
	uint8_t specific[16] = {1 /* LBA valid */};
	bool one_handle = owner != FTL_OWNER_SHARED;
	struct placement pl = {one_handle ? owner : 0, rg};

	specific[2] = nlbam & 0xff;
	specific[3] = (uint8_t)(nlbam >> 8);
	memcpy(specific + 4, &lba, 8);
	/* data from shared GC units belongs to no one handle: no location */
	record(ctrl, NVME_FDP_EVT_MEDIA_REALLOCATED,
	       one_handle ? NVME_FDP_EVF_PIV | NVME_FDP_EVF_LV : 0,
	       one_handle ? pid_of(ctrl, pl) : 0, pl, specific);
}

void nvme_fdp_events(const struct nvme_ctrl *ctrl, struct ftl_events *ev)
{
	if (!ctrl->cfg.fdp)
		return;
	ev->ru_full = on_ru_full;
	ev->gc_moved = on_gc_moved;
}

struct placement nvme_fdp_placement(struct nvme_ctrl *ctrl, bool directive, uint16_t pid)
{
	struct placement pl, first = {0, 0};

	if (!ctrl->cfg.fdp)
		return first;
	first.ruh = ruh_of_ph(ctrl, 0);
	if (!directive)
		return first;
	if (decode_pid(ctrl, pid, &pl))
		return pl;
	record(ctrl, NVME_FDP_EVT_INVALID_PID, NVME_FDP_EVF_PIV, pid, first, NULL);
	return first;
}

static void configs_log(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint8_t *buf,
			uint64_t *size)
{
	uint16_t nruh = (uint16_t)ctrl->cfg.fdp_nruh;
	struct nvme_fdp_config_log *h = (void *)buf;
	struct nvme_fdp_config_desc *d = (void *)(buf + sizeof(*h));
	uint8_t *ruhs = (uint8_t *)(d + 1);

	*size = sizeof(*h) + sizeof(*d) + 4u * nruh;
	h->numfdpc = 0; /* one configuration */
	h->sze = (uint32_t)*size;
	d->dsze = (uint16_t)(sizeof(*d) + 4u * nruh);
	d->fdpa = (uint8_t)(NVME_FDPA_VALID | rgif_of(ctrl));
	d->nrg = ctrl->ns->geo.rgs;
	d->nruh = nruh;
	d->maxpids = nruh - 1;
	d->nnss = 1;
	d->runs = (uint64_t)ctrl->ns->geo.units_per_line * GEO_UNIT_BYTES; /* a line */
	d->erutl = 0;
	for (uint16_t r = 0; r < nruh; r++)
		ruhs[4 * r] = config_ruh_persistent(&ctrl->cfg, r) ? NVME_RUHT_PERSISTENTLY
								   : NVME_RUHT_INITIALLY;
}

static void ruh_usage_log(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint8_t *buf,
			  uint64_t *size)
{
	uint16_t nruh = (uint16_t)ctrl->cfg.fdp_nruh;
	struct nvme_fdp_ruh_usage_log *h = (void *)buf;

	*size = sizeof(*h) + 8u * nruh;
	h->nruh = nruh;
	for (uint16_t r = 0; r < nruh; r++) /* used if in the namespace's handle list */
		buf[sizeof(*h) + 8 * r] =
			ph_of_ruh(ctrl, r) >= 0 ? NVME_RUHA_HOST : NVME_RUHA_UNUSED;
}

static void stats_log(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint8_t *buf,
		      uint64_t *size)
{
	const struct vssd_dev *dev = ctrl->ns;
	struct nvme_fdp_stats_log *s = (void *)buf;
	uint64_t block_bytes = (uint64_t)dev->cfg.pages_per_block * dev->cfg.flash_page_bytes;
	struct dev_counters c;

	dev_counters(dev, &c);
	*size = sizeof(*s);
	nvme_put_le128(s->hbmw, c.host_write_bytes);
	nvme_put_le128(s->mbmw, c.media_write_bytes);
	nvme_put_le128(s->mbe, c.erased_blocks * block_bytes);
}

/* LSP bit 0: host events; else controller events; oldest first. */
static void events_log(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint8_t *buf,
		       uint64_t *size)
{
	const struct fdp_event_ring *ring =
		nvme_get(sqe, NVME_F_LSP) & 1 ? &ctrl->fdp_host_events : &ctrl->fdp_ctrl_events;
	struct nvme_fdp_events_log *l = (void *)buf;

	*size = sizeof(*l);
	l->n = ring->count;
	for (uint32_t i = 0; i < ring->count; i++)
		l->events[i] =
			ring->ev[(ring->next + FDP_EVENT_RING - ring->count + i) % FDP_EVENT_RING];
}

uint16_t nvme_fdp_log(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint8_t *buf,
		      uint64_t *size)
{
	static void (*const fill[])(struct nvme_ctrl * ctrl, const struct nvme_sqe *sqe,
				    uint8_t *buf, uint64_t *size) = {
		[NVME_LOG_FDP_CONFIGS - NVME_LOG_FDP_CONFIGS] = configs_log,
		[NVME_LOG_FDP_RUH_USAGE - NVME_LOG_FDP_CONFIGS] = ruh_usage_log,
		[NVME_LOG_FDP_STATS - NVME_LOG_FDP_CONFIGS] = stats_log,
		[NVME_LOG_FDP_EVENTS - NVME_LOG_FDP_CONFIGS] = events_log,
	};
	uint32_t lid = nvme_get(sqe, NVME_F_LID);

	if (lid < NVME_LOG_FDP_CONFIGS || lid > NVME_LOG_FDP_EVENTS)
		return NVME_SC_INVALID_LOG_PAGE;
	if (nvme_get(sqe, NVME_F_LSI) != ENDGID)
		return NVME_SC_INVALID_FIELD; /* one endurance group */
	if (!ctrl->cfg.fdp)
		return NVME_SC_FDP_DISABLED;
	fill[lid - NVME_LOG_FDP_CONFIGS](ctrl, sqe, buf, size);
	return NVME_SC_SUCCESS;
}

/* I/O Management Receive, operation 1: Reclaim Unit Handle Status. */
static uint16_t ruh_status(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe)
{
	uint32_t n = nvme_fdp_status_count(ctrl);
	uint64_t bytes = ((uint64_t)sqe->cdw11 + 1) * 4;
	struct nvme_fdp_ruh_status *h = (void *)ctrl->bounce;
	struct nvme_fdp_ruh_status_desc *d = (void *)(h + 1);
	uint64_t fit;

	if (bytes > NVME_MAX_XFER_BYTES)
		return NVME_SC_INVALID_FIELD;
	memset(ctrl->bounce, 0, bytes < sizeof(*h) ? sizeof(*h) : bytes);
	h->nruhsd = (uint16_t)n;
	fit = bytes < sizeof(*h) ? 0 : (bytes - sizeof(*h)) / sizeof(*d);
	for (uint32_t i = 0; i < n && i < fit; i++) {
		struct placement pl = status_entry(ctrl, i);

		d[i].pid = nvme_fdp_status_pid(ctrl, i);
		d[i].ruhid = pl.ruh;
		d[i].ruamw = (uint64_t)dev_ruh_available_units(ctrl->ns, pl) *
			     ctrl->ns->geo.lbas_per_unit;
	}
	return nvme_data_to_host(ctrl, sqe, ctrl->bounce, bytes);
}

/* I/O Management Send, operation 1: Reclaim Unit Handle Update. */
static uint16_t ruh_update(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns)
{
	uint32_t npid = nvme_get(sqe, NVME_F_MOS) + 1;
	uint16_t pids[128];
	struct placement pl[128];
	uint16_t st;

	if (npid > 128)
		return NVME_SC_INVALID_FIELD;
	if ((st = nvme_data_from_host(ctrl, sqe, pids, npid * sizeof(uint16_t))))
		return st;
	for (uint32_t i = 0; i < npid; i++)
		if (!decode_pid(ctrl, pids[i], &pl[i]))
			return NVME_SC_INVALID_FIELD;
	for (uint32_t i = 0; i < npid; i++)
		if (dev_ruh_update(ctrl->ns, pl[i], now_ns))
			record(ctrl, NVME_FDP_EVT_RU_NOT_FULLY_WRITTEN,
			       NVME_FDP_EVF_PIV | NVME_FDP_EVF_LV, pids[i], pl[i], NULL);
	return NVME_SC_SUCCESS;
}

void nvme_fdp_io_mgmt(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
		      struct nvme_result *r)
{
	bool recv = sqe->opcode == NVME_CMD_IO_MGMT_RECV;
	uint32_t mo = nvme_get(sqe, NVME_F_MO);

	if (!ctrl->cfg.fdp) {
		r->status = NVME_SC_FDP_DISABLED;
		return;
	}
	if (mo != (recv ? NVME_IO_MGMT_RECV_RUH_STATUS : NVME_IO_MGMT_SEND_RUH_UPDATE)) {
		r->status = NVME_SC_INVALID_FIELD;
		return;
	}
	r->status = recv ? ruh_status(ctrl, sqe) : ruh_update(ctrl, sqe, now_ns);
}

/* FDP Events features name a placement handle of the namespace; the
 * filter belongs to its reclaim unit handle. -1 if none. */
static int event_handle(const struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe)
{
	uint32_t ph = nvme_get(sqe, NVME_F_FDPEV_PHNDL);

	return ph < nphndls(ctrl) ? ruh_of_ph(ctrl, ph) : -1;
}

uint16_t nvme_fdp_get_features(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint32_t *result)
{
	uint8_t fid = (uint8_t)nvme_get(sqe, NVME_F_FID);

	if (fid == NVME_FEAT_FDP) {
		if (nvme_get(sqe, NVME_F_FDP_ENDGID) != ENDGID)
			return NVME_SC_INVALID_FIELD;
		*result = ctrl->cfg.fdp ? 1 : 0; /* FDPE; configuration index 0 */
		return NVME_SC_SUCCESS;
	}
	/* FDP Events: the supported event types of a handle, each with its enable bit */
	{
		int ruh = event_handle(ctrl, sqe);
		uint32_t noet = nvme_get(sqe, NVME_F_FDPEV_NOET), n = 0;
		uint8_t desc[2 * NEVENT_TYPES] = {0};

		if (!ctrl->cfg.fdp)
			return NVME_SC_FDP_DISABLED;
		if (ruh < 0)
			return NVME_SC_INVALID_FIELD;
		for (; n < NEVENT_TYPES && n < noet; n++) {
			desc[2 * n] = event_types[n];
			desc[2 * n + 1] = (ctrl->fdp_event_mask[ruh] >> n) & 1;
		}
		*result = n;
		return n ? nvme_data_to_host(ctrl, sqe, desc, 2 * n) : NVME_SC_SUCCESS;
	}
}

uint16_t nvme_fdp_set_features(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint32_t *result)
{
	uint8_t fid = (uint8_t)nvme_get(sqe, NVME_F_FID);

	(void)result;
	if (fid == NVME_FEAT_FDP) {
		bool fdpe = nvme_get(sqe, NVME_F_FDPE);

		if (nvme_get(sqe, NVME_F_FDP_ENDGID) != ENDGID ||
		    nvme_get(sqe, NVME_F_FDPCIDX) != 0)
			return NVME_SC_INVALID_FIELD;
		/* the configuration changes only with no namespace in the group */
		return fdpe == (bool)ctrl->cfg.fdp ? NVME_SC_SUCCESS : NVME_SC_CMD_SEQ_ERROR;
	}
	{
		int ruh = event_handle(ctrl, sqe);
		uint32_t noet = nvme_get(sqe, NVME_F_FDPEV_NOET);
		bool enable = nvme_get(sqe, NVME_F_FDPEV_ENABLE);
		uint8_t types[256];
		uint16_t st;

		if (!ctrl->cfg.fdp)
			return NVME_SC_FDP_DISABLED;
		if (ruh < 0 || !noet)
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
