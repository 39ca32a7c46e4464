/*
 * Get Log Page: the error log, SMART / Health, the Commands Supported and
 * Effects log (from the command tables), FDP's logs, and the logs the FTL
 * keeps; a window of each as the host asks, and the event type a read
 * acknowledges.
 */
#include "nvme/ctrl.h"

#include <stdlib.h>
#include <string.h>

uint8_t nvme_critical_warning(const struct nvme_ctrl *ctrl)
{
	bool read_only;
	uint8_t cw = dev_spare_percent(ctrl->ns, &read_only) < NVME_SMART_SPARE_THRESH
			     ? NVME_SMART_CW_SPARE
			     : 0;

	if (dev_percent_used(ctrl->ns) >= 100) /* worn past its rated cycles */
		cw |= NVME_SMART_CW_DEGRADED;
	return read_only ? cw | NVME_SMART_CW_READ_ONLY : cw;
}

/* SMART / Health from the controller's and the FTL's real counters. */
static void smart_log(struct nvme_ctrl *ctrl, uint64_t now_ns, struct nvme_smart_log *s)
{
	const struct dev_health *h = &ctrl->ns->health;
	uint64_t busy_ns = h->busy_ns;
	uint32_t pct = dev_percent_used(ctrl->ns);
	bool read_only;

	if (ctrl->io_outstanding && now_ns > ctrl->busy_since_ns)
		busy_ns += now_ns - ctrl->busy_since_ns;
	s->critical_warning = nvme_critical_warning(ctrl);
	s->temperature = 0; /* not modelled */
	s->avail_spare = (uint8_t)dev_spare_percent(ctrl->ns, &read_only);
	s->spare_thresh = NVME_SMART_SPARE_THRESH;
	s->percent_used = (uint8_t)(pct > 255 ? 255 : pct);
	/* data units are thousands of 512-byte units, rounded up */
	nvme_put_le128(s->data_units_read, (h->read_bytes + 511999) / 512000);
	nvme_put_le128(s->data_units_written, (h->write_bytes + 511999) / 512000);
	nvme_put_le128(s->host_reads, h->read_cmds);
	nvme_put_le128(s->host_writes, h->write_cmds);
	nvme_put_le128(s->ctrl_busy_time, busy_ns / 60000000000ULL);
	nvme_put_le128(s->power_cycles, h->power_cycles);
	nvme_put_le128(s->power_on_hours, dev_power_on_ns(ctrl->ns, now_ns) / 3600000000000ULL);
	nvme_put_le128(s->unsafe_shutdowns, h->unsafe_shutdowns);
	nvme_put_le128(s->media_errors, h->media_errors);
	nvme_put_le128(s->num_err_log_entries, ctrl->error_count);
}

/* A log page the FTL keeps (the open-channel Chunk Information): the window
 * [off, off + bytes) of it. */
static uint16_t ftl_log_page(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint8_t lid,
			     uint64_t off, uint64_t bytes)
{
	uint8_t *out;
	uint16_t st;

	if ((st = nvme_log_window(off, bytes, dev_log_bytes(ctrl->ns, lid))))
		return st;
	if (!(out = calloc(1, bytes)))
		return NVME_SC_INTERNAL;
	dev_log_read(ctrl->ns, lid, off, bytes, out);
	st = nvme_data_to_host(ctrl, sqe, out, bytes);
	free(out);
	return st;
}

/* The error log, newest first, as nvme-cli expects. */
static uint16_t error_log(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
			  uint8_t *log, uint64_t *size)
{
	*size = sizeof(ctrl->errlog);
	for (uint64_t i = 0; i < NVME_ERR_LOG_ENTRIES && i < ctrl->error_count; i++)
		memcpy(log + i * sizeof(struct nvme_error_log),
		       &ctrl->errlog[(ctrl->error_count - 1 - i) % NVME_ERR_LOG_ENTRIES],
		       sizeof(struct nvme_error_log));
	return NVME_SC_SUCCESS;
}

static uint16_t smart_health_log(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe,
				 uint64_t now_ns, uint8_t *log, uint64_t *size)
{
	if (sqe->nsid != NVME_NSID && sqe->nsid != NVME_NSID_ALL && sqe->nsid != 0)
		return NVME_SC_INVALID_NS;
	*size = sizeof(struct nvme_smart_log);
	if (ctrl->ns)
		smart_log(ctrl, now_ns, (struct nvme_smart_log *)log);
	return NVME_SC_SUCCESS;
}

/* From the command tables dispatch runs, so the two agree. */
static uint16_t effects_log(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
			    uint8_t *log, uint64_t *size)
{
	struct nvme_cmd_effects_log *e = (void *)log;
	const struct nvme_cmd_def *io = nvme_io_cmds(ctrl);

	*size = sizeof(*e);
	for (int op = 0; op < 256; op++) {
		e->acs[op] = nvme_cmd_served(ctrl, &nvme_admin_cmds[op])
				     ? nvme_admin_cmds[op].effects
				     : 0;
		e->iocs[op] = nvme_cmd_served(ctrl, &io[op]) ? io[op].effects : 0;
	}
	return NVME_SC_SUCCESS;
}

static uint16_t fdp_log(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
			uint8_t *log, uint64_t *size)
{
	return nvme_fdp_log(ctrl, sqe, log, size);
}

static uint16_t changed_zones_log(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe,
				  uint64_t now_ns, uint8_t *log, uint64_t *size)
{
	return nvme_zns_changed_log(ctrl, sqe, log, size);
}

#define NO_EVENT (-1)

/* By log identifier: what fills it (at most 4 KiB), and the asynchronous
 * event type reading it acknowledges. */
static const struct log_def {
	uint16_t (*fill)(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
			 uint8_t *log, uint64_t *size);
	int event_type;
} log_defs[256] = {
	[NVME_LOG_ERROR] = {error_log, NVME_AER_ERROR},
	[NVME_LOG_SMART] = {smart_health_log, NVME_AER_SMART},
	[NVME_LOG_CMD_EFFECTS] = {effects_log, NO_EVENT},
	[NVME_LOG_FDP_CONFIGS] = {fdp_log, NO_EVENT},
	[NVME_LOG_FDP_RUH_USAGE] = {fdp_log, NO_EVENT},
	[NVME_LOG_FDP_STATS] = {fdp_log, NO_EVENT},
	[NVME_LOG_FDP_EVENTS] = {fdp_log, NO_EVENT},
	[NVME_LOG_CHANGED_ZONES] = {changed_zones_log, NVME_AER_NOTICE},
};

/* The window [off, off + bytes) of a log of size bytes, to the host. */
static uint16_t send_window(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, const uint8_t *log,
			    uint64_t size, uint64_t off, uint64_t bytes)
{
	uint8_t *out;
	uint16_t st = nvme_log_window(off, bytes, size);

	if (st)
		return nvme_reject(ctrl, sqe, st,
				   "offset %llu + %llu bytes: misaligned, over MDTS, or past the "
				   "log's %llu bytes",
				   (unsigned long long)off, (unsigned long long)bytes,
				   (unsigned long long)size);
	if (!(out = calloc(1, bytes)))
		return NVME_SC_INTERNAL;
	memcpy(out, log + off, bytes < size - off ? bytes : size - off);
	st = nvme_data_to_host(ctrl, sqe, out, bytes);
	free(out);
	return st;
}

uint16_t nvme_get_log_page(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns)
{
	uint8_t lid = (uint8_t)nvme_get(sqe, NVME_F_LID);
	uint64_t off = nvme_get_log_offset(sqe), bytes = nvme_get_log_dwords(sqe) * 4, size = 0;
	const struct log_def *def = &log_defs[lid];
	uint8_t *log;
	uint16_t st;

	if (ctrl->ns && dev_log_bytes(ctrl->ns, lid)) /* the FTL's own, as large as it is */
		return ftl_log_page(ctrl, sqe, lid, off, bytes);
	if (!def->fill)
		return nvme_reject(ctrl, sqe, NVME_SC_INVALID_LOG_PAGE,
				   "CDW10.LID 0x%02x is not a log page this controller keeps", lid);
	if (!(log = calloc(1, 4096)))
		return NVME_SC_INTERNAL;
	st = def->fill(ctrl, sqe, now_ns, log, &size);
	if (st == NVME_SC_SUCCESS)
		st = send_window(ctrl, sqe, log, size, off, bytes);
	/* reading the log acknowledges its event type unless RAE is set */
	if (st == NVME_SC_SUCCESS && !nvme_get(sqe, NVME_F_RAE) && def->event_type != NO_EVENT)
		ctrl->masked_logs &= (uint8_t) ~(1u << def->event_type);
	free(log);
	return st;
}
