/*
 * Get Features and Set Features: each feature's pair of handlers in one
 * table keyed by feature identifier, which select 3 (supported
 * capabilities) reads as well.
 */
#include "nvme/ctrl.h"

#include <string.h>

/* Number of Queues result: granted SQs (15:0) and CQs (31:16), zero-based. */
static uint32_t queues_result(const struct nvme_ctrl *ctrl)
{
	return (uint32_t)(ctrl->nr_io_sqs - 1) | (uint32_t)(ctrl->nr_io_cqs - 1) << 16;
}

static uint64_t timestamp_now_ms(const struct nvme_ctrl *ctrl, uint64_t now_ns)
{
	return ctrl->timestamp_ms + (now_ns - ctrl->timestamp_at_ns) / 1000000;
}

/* Each feature's Get and Set: current is false for the default (select 1)
 * and the saved value (select 2: nothing is saveable, so the default). */
static uint16_t get_arbitration(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, bool current,
				uint64_t now_ns, uint32_t *result)
{
	*result = current ? ctrl->arbitration : 0;
	return NVME_SC_SUCCESS;
}

static uint16_t set_arbitration(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
				uint32_t *result)
{
	ctrl->arbitration = sqe->cdw11;
	return NVME_SC_SUCCESS;
}

static uint16_t get_power_mgmt(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, bool current,
			       uint64_t now_ns, uint32_t *result)
{
	*result = current ? ctrl->power_state : 0;
	return NVME_SC_SUCCESS;
}

static uint16_t set_power_mgmt(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
			       uint32_t *result)
{
	if (nvme_get(sqe, NVME_F_PS) > 0) /* NPSS = 0: only power state 0 */
		return nvme_reject(ctrl, sqe, NVME_SC_INVALID_FIELD,
				   "CDW11.PS %u: only power state 0 exists",
				   nvme_get(sqe, NVME_F_PS));
	ctrl->power_state = nvme_get(sqe, NVME_F_PM);
	return NVME_SC_SUCCESS;
}

static uint16_t get_volatile_wc(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, bool current,
				uint64_t now_ns, uint32_t *result)
{
	*result = current ? ctrl->vwc_enabled : 1;
	return NVME_SC_SUCCESS;
}

static uint16_t set_volatile_wc(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
				uint32_t *result)
{
	ctrl->vwc_enabled = nvme_get(sqe, NVME_F_WCE);
	return NVME_SC_SUCCESS;
}

static uint16_t get_num_queues(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, bool current,
			       uint64_t now_ns, uint32_t *result)
{
	*result = current ? queues_result(ctrl) : (uint32_t)(NVME_MAX_QUEUES - 2) * 0x10001u;
	return NVME_SC_SUCCESS;
}

static uint16_t set_num_queues(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
			       uint32_t *result)
{
	uint32_t nsqr = nvme_get(sqe, NVME_F_NSQR) + 1, ncqr = nvme_get(sqe, NVME_F_NCQR) + 1;

	if (nsqr == 0x10000 || ncqr == 0x10000)
		return nvme_reject(ctrl, sqe, NVME_SC_INVALID_FIELD,
				   "CDW11 NSQR or NCQR is 65535 (65536 queues)");
	if (ctrl->io_queues_created)
		return nvme_reject(ctrl, sqe, NVME_SC_CMD_SEQ_ERROR,
				   "the number of queues is set only before any I/O queue exists");
	ctrl->nr_io_sqs = (uint16_t)(nsqr < NVME_MAX_QUEUES - 1 ? nsqr : NVME_MAX_QUEUES - 1);
	ctrl->nr_io_cqs = (uint16_t)(ncqr < NVME_MAX_QUEUES - 1 ? ncqr : NVME_MAX_QUEUES - 1);
	*result = queues_result(ctrl);
	return NVME_SC_SUCCESS;
}

/* bytes 0-5: milliseconds; byte 6: bit 1 "set by the host" (origin 1) */
static uint16_t get_timestamp(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, bool current,
			      uint64_t now_ns, uint32_t *result)
{
	uint64_t ts = current && ctrl->timestamp_set ? timestamp_now_ms(ctrl, now_ns) : 0;

	if (current && ctrl->timestamp_set)
		ts |= 1ULL << 49;
	return nvme_data_to_host(ctrl, sqe, &ts, 8);
}

static uint16_t set_timestamp(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
			      uint32_t *result)
{
	uint64_t ts = 0;
	uint16_t st = nvme_data_from_host(ctrl, sqe, &ts, 8);

	if (st)
		return st;
	ctrl->timestamp_ms = ts & 0xffffffffffffULL;
	ctrl->timestamp_at_ns = now_ns;
	ctrl->timestamp_set = true;
	return NVME_SC_SUCCESS;
}

static uint16_t get_fdp(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, bool current,
			uint64_t now_ns, uint32_t *result)
{
	return nvme_fdp_get_features(ctrl, sqe, result);
}

static uint16_t set_fdp(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
			uint32_t *result)
{
	return nvme_fdp_set_features(ctrl, sqe, result);
}

/* The features, keyed by feature identifier: Get Features, Set Features
 * and the supported capabilities of select 3 all read this table. */
static const struct feature_def {
	uint16_t (*get)(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, bool current,
			uint64_t now_ns, uint32_t *result);
	uint16_t (*set)(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
			uint32_t *result);
} features[256] = {
	[NVME_FEAT_ARBITRATION] = {get_arbitration, set_arbitration},
	[NVME_FEAT_POWER_MGMT] = {get_power_mgmt, set_power_mgmt},
	[NVME_FEAT_VOLATILE_WC] = {get_volatile_wc, set_volatile_wc},
	[NVME_FEAT_NUM_QUEUES] = {get_num_queues, set_num_queues},
	[NVME_FEAT_TIMESTAMP] = {get_timestamp, set_timestamp},
	[NVME_FEAT_FDP] = {get_fdp, set_fdp},
	[NVME_FEAT_FDP_EVENTS] = {get_fdp, set_fdp},
};

uint16_t nvme_set_features(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
			   uint32_t *result)
{
	uint8_t fid = (uint8_t)nvme_get(sqe, NVME_F_FID);

	if (nvme_get(sqe, NVME_F_SV)) /* nothing here is saveable */
		return nvme_reject(ctrl, sqe, NVME_SC_FEATURE_NOT_SAVEABLE,
				   "CDW10.SV is set: no feature is saveable");
	if (!features[fid].set)
		return nvme_reject(ctrl, sqe, NVME_SC_INVALID_FIELD,
				   "CDW10.FID 0x%02x is not a feature this controller can set",
				   fid);
	return features[fid].set(ctrl, sqe, now_ns, result);
}

uint16_t nvme_get_features(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
			   uint32_t *result)
{
	uint8_t fid = (uint8_t)nvme_get(sqe, NVME_F_FID), sel = (uint8_t)nvme_get(sqe, NVME_F_SEL);

	if (sel > 3)
		return nvme_reject(ctrl, sqe, NVME_SC_INVALID_FIELD, "CDW10.SEL %u is reserved",
				   sel);
	if (!features[fid].get)
		return nvme_reject(ctrl, sqe, NVME_SC_INVALID_FIELD,
				   "CDW10.FID 0x%02x is not a feature this controller has", fid);
	if (sel == 3) { /* supported capabilities: changeable, not saveable */
		*result = 1u << 2;
		return NVME_SC_SUCCESS;
	}
	return features[fid].get(ctrl, sqe, sel == 0, now_ns, result);
}
