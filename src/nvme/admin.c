/*
 * The admin command set: queue creation and deletion, Identify, features,
 * log pages, Abort, Asynchronous Event Request and Format NVM. Each handler
 * fills in the status and result; data goes to host memory through PRPs.
 */
#include "nvme/ctrl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static uint16_t create_cq(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe)
{
	uint16_t qid = (uint16_t)nvme_get(sqe, NVME_F_QID);
	uint32_t qsize = nvme_get(sqe, NVME_F_QSIZE), entries = qsize + 1;
	struct nvme_cq *cq;
	void *ring;

	if (!qid || qid > ctrl->nr_io_cqs || ctrl->cq[qid])
		return nvme_reject(ctrl, sqe, NVME_SC_QID_INVALID,
				   "CDW10.QID %u is 0, past the %u I/O CQs granted, or in use", qid,
				   ctrl->nr_io_cqs);
	if (qsize == 0 || qsize > NVME_MQES)
		return nvme_reject(ctrl, sqe, NVME_SC_QUEUE_SIZE,
				   "CDW10.QSIZE %u is 0 or over MQES %u", qsize, NVME_MQES);
	if (!nvme_get(sqe, NVME_F_PC)) /* CAP.CQR: queues must be physically contiguous */
		return nvme_reject(ctrl, sqe, NVME_SC_INVALID_FIELD,
				   "CDW11.PC is 0: queues must be physically contiguous (CAP.CQR)");
	if (sqe->prp1 % NVME_PAGE_BYTES)
		return nvme_reject(ctrl, sqe, NVME_SC_PRP_OFFSET_INVALID,
				   "PRP1 0x%llx is not page aligned", (unsigned long long)sqe->prp1);
	ring = dma_map(&ctrl->dma, sqe->prp1, (uint64_t)entries * sizeof(struct nvme_cqe));
	if (!ring)
		return nvme_reject(ctrl, sqe, NVME_SC_DATA_XFER_ERROR,
				   "PRP1 0x%llx + %u entries is not registered host memory",
				   (unsigned long long)sqe->prp1, entries);
	cq = calloc(1, sizeof(*cq));
	if (!cq)
		return NVME_SC_INTERNAL;
	*cq = (struct nvme_cq){.ring = ring, .qid = qid, .size = (uint16_t)entries, .phase = 1,
			       .irq_enabled = nvme_get(sqe, NVME_F_CQ_IEN),
			       .vector = (uint16_t)nvme_get(sqe, NVME_F_CQ_IV),
			       .head_db = &ctrl->db[qid].cq_head};
	atomic_store(&ctrl->db[qid].cq_head, 0); /* a new queue starts empty */
	memset(ring, 0, (size_t)entries * sizeof(struct nvme_cqe));
	ctrl->cq[qid] = cq;
	ctrl->io_queues_created = true;
	return NVME_SC_SUCCESS;
}

static uint16_t create_sq(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe)
{
	uint16_t qid = (uint16_t)nvme_get(sqe, NVME_F_QID);
	uint32_t qsize = nvme_get(sqe, NVME_F_QSIZE), entries = qsize + 1;
	uint16_t cqid = (uint16_t)nvme_get(sqe, NVME_F_SQ_CQID);
	struct nvme_sq *sq;
	void *ring;

	if (!qid || qid > ctrl->nr_io_sqs || ctrl->sq[qid])
		return NVME_SC_QID_INVALID;
	if (qsize == 0 || qsize > NVME_MQES)
		return NVME_SC_QUEUE_SIZE;
	if (!nvme_get(sqe, NVME_F_PC))
		return NVME_SC_INVALID_FIELD;
	if (!cqid || cqid >= NVME_MAX_QUEUES || !ctrl->cq[cqid])
		return NVME_SC_CQ_INVALID;
	if (sqe->prp1 % NVME_PAGE_BYTES)
		return NVME_SC_PRP_OFFSET_INVALID;
	ring = dma_map(&ctrl->dma, sqe->prp1, (uint64_t)entries * sizeof(struct nvme_sqe));
	if (!ring)
		return NVME_SC_DATA_XFER_ERROR;
	sq = calloc(1, sizeof(*sq));
	if (!sq)
		return NVME_SC_INTERNAL;
	*sq = (struct nvme_sq){.ring = ring, .qid = qid, .size = (uint16_t)entries, .cqid = cqid,
			       .prio = (uint16_t)nvme_get(sqe, NVME_F_SQ_QPRIO),
			       .tail_db = &ctrl->db[qid].sq_tail};
	atomic_store(&ctrl->db[qid].sq_tail, 0); /* a new queue starts empty */
	ctrl->sq[qid] = sq;
	ctrl->cq[cqid]->nr_sqs++;
	ctrl->io_queues_created = true;
	return NVME_SC_SUCCESS;
}

static uint16_t delete_sq(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe)
{
	uint16_t qid = (uint16_t)nvme_get(sqe, NVME_F_QID);

	if (!qid || qid >= NVME_MAX_QUEUES || !ctrl->sq[qid])
		return NVME_SC_QID_INVALID;
	/* its commands have all been executed; their completions still post */
	ctrl->cq[ctrl->sq[qid]->cqid]->nr_sqs--;
	free(ctrl->sq[qid]);
	ctrl->sq[qid] = NULL;
	return NVME_SC_SUCCESS;
}

static uint16_t delete_cq(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe)
{
	uint16_t qid = (uint16_t)nvme_get(sqe, NVME_F_QID);

	if (!qid || qid >= NVME_MAX_QUEUES || !ctrl->cq[qid])
		return NVME_SC_QID_INVALID;
	if (ctrl->cq[qid]->nr_sqs)
		return NVME_SC_INVALID_QUEUE_DELETION;
	free(ctrl->cq[qid]);
	ctrl->cq[qid] = NULL;
	return NVME_SC_SUCCESS;
}

/* Fixed-width, space-padded ASCII as Identify wants it. */
static void put_ascii(char *out, size_t width, const char *s)
{
	size_t n = strlen(s);

	memset(out, ' ', width);
	memcpy(out, s, n < width ? n : width);
}

static void eui64_of(const struct nvme_ctrl *ctrl, uint8_t out[8])
{
	uint64_t v = ctrl->serial * 0x9e3779b97f4a7c15ULL + 1;

	memcpy(out, &v, 8);
	out[0] = 0x02; /* locally administered */
}

static void identify_ctrl(struct nvme_ctrl *ctrl, struct nvme_id_ctrl *id)
{
	char sn[21];

	snprintf(sn, sizeof(sn), "VSSD%016llx", (unsigned long long)ctrl->serial);
	put_ascii(id->sn, sizeof(id->sn), sn);
	put_ascii(id->mn, sizeof(id->mn), "vssd virtual NVMe SSD");
	put_ascii(id->fr, sizeof(id->fr), VSSD_VERSION);
	id->mdts = NVME_MDTS;
	id->cntlid = 1;
	id->ver = 0x00020000; /* NVMe 2.0 */
	id->oaes = 0;
	id->ctratt = NVME_CTRATT_ENDGRPS | NVME_CTRATT_FDPS;
	id->endgidmax = 1;
	id->cntrltype = 1; /* I/O controller */
	id->oacs = 1u << 1; /* Format NVM */
	id->acl = NVME_ACL;
	id->aerl = NVME_AERL;
	id->frmw = 1u << 1; /* one firmware slot */
	id->lpa = 1u << 1 | 1u << 2; /* effects log; extended Get Log Page data */
	id->elpe = NVME_ERR_LOG_ENTRIES - 1;
	id->npss = 0;
	nvme_put_le128(id->tnvmcap, ctrl->dev ? ctrl->dev->geo.logical_units * UNIT_BYTES : 0);
	id->sqes = 0x66; /* 64-byte SQEs */
	id->cqes = 0x44; /* 16-byte CQEs */
	id->maxcmd = NVME_MQES + 1;
	id->nn = 1;
	id->oncs = NVME_ONCS_COMPARE | NVME_ONCS_DSM | NVME_ONCS_WRITE_ZEROES |
		   NVME_ONCS_TIMESTAMP | NVME_ONCS_VERIFY;
	/* present (an open-channel device has none: a write is on the media when
	 * it completes); Flush accepts NSID FFFFFFFFh */
	id->vwc = (ctrl->dev && !dev_volatile_cache(ctrl->dev) ? 0 : 1) | 3u << 1;
	snprintf(id->subnqn, sizeof(id->subnqn), "nqn.2026-11.io.vssd:%s", sn);
	/* power state 0: 25.00 W (MP in centiwatts) */
	id->psd[0][0] = 2500 & 0xff;
	id->psd[0][1] = 2500 >> 8;
}

static void identify_ns(struct nvme_ctrl *ctrl, struct nvme_id_ns *id)
{
	const struct vssd_dev *dev = ctrl->dev;
	const struct geometry *geo = &dev->geo;
	uint64_t lbas = dev_capacity_lbas(dev);
	struct dev_counters c;

	dev_counters(dev, &c);
	id->nsze = id->ncap = lbas;
	id->nuse = c.mapped_units * geo->lbas_per_unit;
	id->nsfeat = 1u << 0 | 1u << 4; /* NUSE tracks allocation; NPWG.. fields valid */
	id->nlbaf = 1;                   /* two formats: 512 and 4096 bytes */
	id->flbas = geo->lba_bytes == 4096 ? 1 : 0;
	id->dlfeat = 1u | 1u << 3; /* deallocated reads are zeros; Write Zeroes may deallocate */
	nvme_put_le128(id->nvmcap, lbas * geo->lba_bytes);
	/* preferred write granularity: a program unit; deallocate: a 4 KiB unit */
	id->npwg = (uint16_t)(geo->units_per_prog * geo->lbas_per_unit - 1);
	id->npwa = id->npwg;
	id->npdg = (uint16_t)(geo->lbas_per_unit - 1);
	id->npda = id->npdg;
	id->nows = id->npwg;
	id->lbaf[0] = (struct nvme_lbaf){.ms = 0, .lbads = 9, .rp = 1};
	id->lbaf[1] = (struct nvme_lbaf){.ms = 0, .lbads = 12, .rp = 0};
	id->endgid = 1;
	eui64_of(ctrl, id->eui64);
	memcpy(id->nguid, id->eui64, 8);
	memcpy(id->nguid + 8, id->eui64, 8);
	id->nguid[8] ^= 0xff;
}

static uint16_t identify(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe)
{
	uint8_t cns = (uint8_t)nvme_get(sqe, NVME_F_CNS);
	uint8_t *buf = calloc(1, 4096);
	uint16_t st = NVME_SC_SUCCESS;

	if (!buf)
		return NVME_SC_INTERNAL;
	switch (cns) {
	case NVME_ID_CNS_CTRL:
		identify_ctrl(ctrl, (struct nvme_id_ctrl *)buf);
		break;
	case NVME_ID_CNS_NS:
	case NVME_ID_CNS_CSI_INDEP_NS:
	case NVME_ID_CNS_NS_DESC_LIST:
		if (sqe->nsid != NVME_NSID) {
			st = NVME_SC_INVALID_NS;
			break;
		}
		if (!ctrl->dev) {
			st = NVME_SC_NS_NOT_READY;
			break;
		}
		if (cns == NVME_ID_CNS_NS) {
			identify_ns(ctrl, (struct nvme_id_ns *)buf);
		} else if (cns == NVME_ID_CNS_CSI_INDEP_NS) {
			struct nvme_id_csi_indep_ns *id = (void *)buf;

			id->nsfeat = 1;
			id->nstat = 1; /* namespace ready */
		} else {
			/* EUI-64 (8 bytes), NGUID (16), CSI (1: NVM command set = 0) */
			struct nvme_id_ns ns = {0};

			identify_ns(ctrl, &ns);
			buf[0] = 1, buf[1] = 8;
			memcpy(buf + 4, ns.eui64, 8);
			buf[12] = 2, buf[13] = 16;
			memcpy(buf + 16, ns.nguid, 16);
			buf[32] = 4, buf[33] = 1, buf[36] = 0;
		}
		break;
	case NVME_ID_CNS_NS_ACTIVE_LIST:
		/* namespaces with an NSID greater than the one given */
		if (sqe->nsid >= 0xfffffffe) {
			st = NVME_SC_INVALID_NS;
			break;
		}
		if (sqe->nsid < NVME_NSID && ctrl->dev) {
			uint32_t nsid = NVME_NSID;

			memcpy(buf, &nsid, 4);
		}
		break;
	default:
		st = NVME_SC_INVALID_FIELD;
	}
	if (st == NVME_SC_SUCCESS)
		st = nvme_data_to_host(ctrl, sqe, buf, 4096);
	free(buf);
	return st;
}

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

static uint16_t set_arbitration(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe,
				uint64_t now_ns, uint32_t *result)
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

static uint16_t set_power_mgmt(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe,
			       uint64_t now_ns, uint32_t *result)
{
	if (nvme_get(sqe, NVME_F_PS) > 0) /* NPSS = 0: only power state 0 */
		return nvme_reject(ctrl, sqe, NVME_SC_INVALID_FIELD,
				   "CDW11.PS %u: only power state 0 exists", nvme_get(sqe, NVME_F_PS));
	ctrl->power_state = nvme_get(sqe, NVME_F_PM);
	return NVME_SC_SUCCESS;
}

static uint16_t get_volatile_wc(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, bool current,
				uint64_t now_ns, uint32_t *result)
{
	*result = current ? ctrl->vwc_enabled : 1;
	return NVME_SC_SUCCESS;
}

static uint16_t set_volatile_wc(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe,
				uint64_t now_ns, uint32_t *result)
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

static uint16_t set_num_queues(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe,
			       uint64_t now_ns, uint32_t *result)
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

static uint16_t set_features(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe,
			     uint64_t now_ns, uint32_t *result)
{
	uint8_t fid = (uint8_t)nvme_get(sqe, NVME_F_FID);

	if (nvme_get(sqe, NVME_F_SV)) /* nothing here is saveable */
		return nvme_reject(ctrl, sqe, NVME_SC_FEATURE_NOT_SAVEABLE,
				   "CDW10.SV is set: no feature is saveable");
	if (!features[fid].set)
		return nvme_reject(ctrl, sqe, NVME_SC_INVALID_FIELD,
				   "CDW10.FID 0x%02x is not a feature this controller can set", fid);
	return features[fid].set(ctrl, sqe, now_ns, result);
}

static uint16_t get_features(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe,
			     uint64_t now_ns, uint32_t *result)
{
	uint8_t fid = (uint8_t)nvme_get(sqe, NVME_F_FID), sel = (uint8_t)nvme_get(sqe, NVME_F_SEL);

	if (sel > 3)
		return nvme_reject(ctrl, sqe, NVME_SC_INVALID_FIELD, "CDW10.SEL %u is reserved", sel);
	if (!features[fid].get)
		return nvme_reject(ctrl, sqe, NVME_SC_INVALID_FIELD,
				   "CDW10.FID 0x%02x is not a feature this controller has", fid);
	if (sel == 3) { /* supported capabilities: changeable, not saveable */
		*result = 1u << 2;
		return NVME_SC_SUCCESS;
	}
	return features[fid].get(ctrl, sqe, sel == 0, now_ns, result);
}

/* SMART / Health from the controller's and the FTL's real counters. */
static void smart_log(struct nvme_ctrl *ctrl, uint64_t now_ns, struct nvme_smart_log *s)
{
	const struct dev_health *h = &ctrl->dev->health;
	uint64_t busy_ns = h->busy_ns;
	uint32_t pct = dev_percent_used(ctrl->dev);

	if (ctrl->io_outstanding && now_ns > ctrl->busy_since_ns)
		busy_ns += now_ns - ctrl->busy_since_ns;
	s->critical_warning = pct >= 100 ? 1u << 2 : 0; /* reliability degraded: worn out */
	s->temperature = 0; /* not modelled */
	s->avail_spare = 100;
	s->spare_thresh = 10;
	s->percent_used = (uint8_t)(pct > 255 ? 255 : pct);
	/* data units are thousands of 512-byte units, rounded up */
	nvme_put_le128(s->data_units_read, (h->read_bytes + 511999) / 512000);
	nvme_put_le128(s->data_units_written, (h->write_bytes + 511999) / 512000);
	nvme_put_le128(s->host_reads, h->read_cmds);
	nvme_put_le128(s->host_writes, h->write_cmds);
	nvme_put_le128(s->ctrl_busy_time, busy_ns / 60000000000ULL);
	nvme_put_le128(s->power_cycles, h->power_cycles);
	nvme_put_le128(s->power_on_hours, dev_power_on_ns(ctrl->dev, now_ns) / 3600000000000ULL);
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

	if ((st = nvme_log_window(off, bytes, dev_log_bytes(ctrl->dev, lid))))
		return st;
	if (!(out = calloc(1, bytes)))
		return NVME_SC_INTERNAL;
	dev_log_read(ctrl->dev, lid, off, bytes, out);
	st = nvme_data_to_host(ctrl, sqe, out, bytes);
	free(out);
	return st;
}

static uint16_t get_log_page(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe,
			     uint64_t now_ns)
{
	uint8_t lid = (uint8_t)nvme_get(sqe, NVME_F_LID);
	bool rae = nvme_get(sqe, NVME_F_RAE);
	uint64_t numd = nvme_get_log_dwords(sqe);
	uint64_t off = nvme_get_log_offset(sqe), bytes = numd * 4, size;
	uint8_t *log = calloc(1, 4096), *out;
	uint16_t st = NVME_SC_SUCCESS;
	uint8_t event_type = 0xff;

	if (!log)
		return NVME_SC_INTERNAL;
	if (ctrl->dev && dev_log_bytes(ctrl->dev, lid)) { /* the FTL's own, as large as it is */
		free(log);
		return ftl_log_page(ctrl, sqe, lid, off, bytes);
	}
	switch (lid) {
	case NVME_LOG_ERROR:
		size = sizeof(ctrl->errlog);
		/* newest first, as nvme-cli expects */
		for (uint64_t i = 0; i < NVME_ERR_LOG_ENTRIES && i < ctrl->error_count; i++)
			memcpy(log + i * 64,
			       &ctrl->errlog[(ctrl->error_count - 1 - i) % NVME_ERR_LOG_ENTRIES], 64);
		event_type = 0;
		break;
	case NVME_LOG_SMART:
		if (sqe->nsid != NVME_NSID && sqe->nsid != 0xffffffff && sqe->nsid != 0) {
			st = NVME_SC_INVALID_NS;
			break;
		}
		size = sizeof(struct nvme_smart_log);
		if (ctrl->dev)
			smart_log(ctrl, now_ns, (struct nvme_smart_log *)log);
		event_type = 1;
		break;
	case NVME_LOG_FDP_CONFIGS:
	case NVME_LOG_FDP_RUH_USAGE:
	case NVME_LOG_FDP_STATS:
	case NVME_LOG_FDP_EVENTS:
		st = nvme_fdp_log(ctrl, sqe, log, &size);
		break;
	case NVME_LOG_CMD_EFFECTS: { /* from the command tables dispatch runs */
		struct nvme_cmd_effects_log *e = (void *)log;
		const struct nvme_cmd_def *io = nvme_io_cmds(ctrl);

		size = sizeof(*e);
		for (int op = 0; op < 256; op++) {
			e->acs[op] = nvme_cmd_served(ctrl, &nvme_admin_cmds[op]) ? nvme_admin_cmds[op].effects : 0;
			e->iocs[op] = nvme_cmd_served(ctrl, &io[op]) ? io[op].effects : 0;
		}
		break;
	}
	default:
		st = nvme_reject(ctrl, sqe, NVME_SC_INVALID_LOG_PAGE,
				 "CDW10.LID 0x%02x is not a log page this controller keeps", lid);
	}
	if (st == NVME_SC_SUCCESS && (st = nvme_log_window(off, bytes, size)))
		nvme_reject(ctrl, sqe, st,
			    "offset %llu + %llu bytes: misaligned, over MDTS, or past the log's %llu "
			    "bytes", (unsigned long long)off, (unsigned long long)bytes,
			    (unsigned long long)size);
	if (st == NVME_SC_SUCCESS) {
		out = calloc(1, bytes);
		if (!out) {
			free(log);
			return NVME_SC_INTERNAL;
		}
		memcpy(out, log + off, bytes < size - off ? bytes : size - off);
		st = nvme_data_to_host(ctrl, sqe, out, bytes);
		free(out);
		/* reading the log acknowledges its event type unless RAE is set */
		if (st == NVME_SC_SUCCESS && !rae && event_type != 0xff)
			ctrl->masked_logs &= (uint8_t)~(1u << event_type);
	}
	free(log);
	return st;
}

static uint16_t abort_cmd(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
			  uint32_t *result)
{
	uint16_t sqid = (uint16_t)nvme_get(sqe, NVME_F_ABORT_SQID);
	uint16_t cid = (uint16_t)nvme_get(sqe, NVME_F_ABORT_CID);

	*result = 1; /* bit 0 set: not aborted */
	if (sqid != 0)
		return NVME_SC_SUCCESS; /* I/O commands run when fetched: too late */
	for (uint32_t i = 0; i < ctrl->naer; i++) {
		if (ctrl->aer_cid[i] == cid) {
			struct nvme_cqe cqe = {.cid = cid, .status = NVME_SC_ABORT_REQ};

			ctrl->aer_cid[i] = ctrl->aer_cid[--ctrl->naer];
			nvme_ctrl_queue_completion(ctrl, 0, now_ns, &cqe);
			*result = 0;
			break;
		}
	}
	return NVME_SC_SUCCESS;
}

static uint16_t format_nvm(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe)
{
	uint8_t lbaf = (uint8_t)nvme_get(sqe, NVME_F_LBAF), ses = (uint8_t)nvme_get(sqe, NVME_F_SES);
	struct vssd_config cfg = ctrl->cfg;
	struct vssd_dev *dev;
	char err[256];

	if (sqe->nsid != NVME_NSID && sqe->nsid != 0xffffffff)
		return NVME_SC_INVALID_NS;
	if (lbaf > 1 || nvme_get(sqe, NVME_F_MSET) || nvme_get(sqe, NVME_F_PI))
		return NVME_SC_INVALID_FORMAT;
	if (ses > 1) /* cryptographic erase is not supported; user data erase is */
		return NVME_SC_INVALID_FIELD;
	if (ctrl->io_outstanding)
		return NVME_SC_CMD_SEQ_ERROR;
	cfg.lba_bytes = lbaf ? 4096 : 512;
	/* a new FTL: every LBA deallocated, wear kept off the books of the new
	 * media. The old device goes first: a device file is locked while open,
	 * and is emptied to be laid out again. */
	dev_destroy(ctrl->dev);
	ctrl->dev = NULL;
	if (cfg.media == MEDIA_FILE && truncate(cfg.path, 0))
		return NVME_SC_INTERNAL;
	if (dev_create(&cfg, &dev, err, sizeof(err)))
		return NVME_SC_INTERNAL; /* the namespace stays not ready */
	ctrl->dev = dev;
	ctrl->cfg = cfg;
	nvme_fdp_attach(ctrl);
	return NVME_SC_SUCCESS;
}

/* The admin commands whose handlers give a status alone. */
#define STATUS_ONLY(fn)                                                                          \
	static void exec_##fn(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns, \
			      struct nvme_result *r)                                             \
	{                                                                                        \
		r->status = fn(ctrl, sqe);                                                       \
	}
STATUS_ONLY(create_cq)
STATUS_ONLY(create_sq)
STATUS_ONLY(delete_sq)
STATUS_ONLY(delete_cq)
STATUS_ONLY(identify)
STATUS_ONLY(format_nvm)
STATUS_ONLY(nvme_oc_geometry)

static void exec_set_features(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
			      struct nvme_result *r)
{
	r->status = set_features(ctrl, sqe, now_ns, &r->result);
}

static void exec_get_features(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
			      struct nvme_result *r)
{
	r->status = get_features(ctrl, sqe, now_ns, &r->result);
}

static void exec_get_log_page(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
			      struct nvme_result *r)
{
	r->status = get_log_page(ctrl, sqe, now_ns);
}

static void exec_abort(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
		       struct nvme_result *r)
{
	r->status = abort_cmd(ctrl, sqe, now_ns, &r->result);
}

/* Held until an event comes (or answered at once if one waits). */
static void exec_async_event(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
			     struct nvme_result *r)
{
	if (ctrl->naer > NVME_AERL) {
		r->status = NVME_SC_AER_LIMIT;
		return;
	}
	ctrl->aer_cid[ctrl->naer++] = sqe->cid;
	r->held = true;
	nvme_deliver_events(ctrl, now_ns); /* one may already be waiting */
}

#define FORMAT_EFFECTS                                                                           \
	(NVME_CMD_EFFECTS_CSUPP | NVME_CMD_EFFECTS_LBCC | NVME_CMD_EFFECTS_NCC | NVME_CMD_EFFECTS_NIC)

/* Geometry (E2h) is the open-channel set's own admin command. */
static bool serves_open_channel(const struct nvme_ctrl *ctrl)
{
	return ctrl->dev && dev_iocs(ctrl->dev) == FTL_IOCS_OCSSD;
}

/* The admin command set. */
const struct nvme_cmd_def nvme_admin_cmds[256] = {
	[NVME_ADMIN_DELETE_SQ] = NVME_CMD("delete-sq", exec_delete_sq, NVME_CMD_EFFECTS_CSUPP),
	[NVME_ADMIN_CREATE_SQ] = NVME_CMD("create-sq", exec_create_sq, NVME_CMD_EFFECTS_CSUPP),
	[NVME_ADMIN_GET_LOG_PAGE] = NVME_CMD("get-log", exec_get_log_page, NVME_CMD_EFFECTS_CSUPP),
	[NVME_ADMIN_DELETE_CQ] = NVME_CMD("delete-cq", exec_delete_cq, NVME_CMD_EFFECTS_CSUPP),
	[NVME_ADMIN_CREATE_CQ] = NVME_CMD("create-cq", exec_create_cq, NVME_CMD_EFFECTS_CSUPP),
	[NVME_ADMIN_IDENTIFY] = NVME_CMD("identify", exec_identify, NVME_CMD_EFFECTS_CSUPP),
	[NVME_ADMIN_ABORT] = NVME_CMD("abort", exec_abort, NVME_CMD_EFFECTS_CSUPP),
	[NVME_ADMIN_SET_FEATURES] = NVME_CMD("set-feature", exec_set_features, NVME_CMD_EFFECTS_CSUPP),
	[NVME_ADMIN_GET_FEATURES] = NVME_CMD("get-feature", exec_get_features, NVME_CMD_EFFECTS_CSUPP),
	[NVME_ADMIN_ASYNC_EVENT] = NVME_CMD("async-event", exec_async_event, NVME_CMD_EFFECTS_CSUPP),
	[NVME_ADMIN_FORMAT_NVM] = NVME_CMD("format", exec_format_nvm, FORMAT_EFFECTS),
	[NVME_ADMIN_OC_GEOMETRY] = {.name = "oc-geometry", .exec = exec_nvme_oc_geometry,
				    .effects = NVME_CMD_EFFECTS_CSUPP, .serves = serves_open_channel},
};

void nvme_admin_exec(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
		     struct nvme_result *r)
{
	const struct nvme_cmd_def *cmd = &nvme_admin_cmds[sqe->opcode];

	if ((sqe->flags >> 6) & 3) { /* PSDT: SGLs are not supported */
		r->status = nvme_reject(ctrl, sqe, NVME_SC_INVALID_FIELD,
					"PSDT %u asks for SGLs; this controller takes PRPs only",
					(sqe->flags >> 6) & 3);
		return;
	}
	if (!nvme_cmd_served(ctrl, cmd)) {
		r->status = nvme_reject(ctrl, sqe, NVME_SC_INVALID_OPCODE,
					"opcode 0x%02x is not an admin command this controller serves",
					sqe->opcode);
		return;
	}
	cmd->exec(ctrl, sqe, now_ns, r);
}
