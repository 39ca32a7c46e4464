/*
 * Identify: the controller, the namespace, its command-set independent
 * data and descriptors, and the active namespace list, one function per
 * CNS value in a table.
 */
#include "nvme/ctrl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static bool zoned(const struct nvme_ctrl *ctrl)
{
	return ctrl->ns && dev_iocs(ctrl->ns) == FTL_IOCS_ZNS;
}

uint32_t nvme_lbaf_bytes(const struct nvme_ctrl *ctrl, uint8_t lbaf)
{
	/* a zoned namespace has the 4 KiB format alone (from its configuration:
	 * a namespace whose Format failed has none) */
	if (ftl_ops_for(&ctrl->cfg)->iocs == FTL_IOCS_ZNS)
		return lbaf == 0 ? 4096 : 0;
	return lbaf == 0 ? 512 : lbaf == 1 ? 4096 : 0;
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
	id->cntrltype = 1;  /* I/O controller */
	id->oacs = 1u << 1; /* Format NVM */
	id->acl = NVME_ACL;
	id->aerl = NVME_AERL;
	id->frmw = 1u << 1;	     /* one firmware slot */
	id->lpa = 1u << 1 | 1u << 2; /* effects log; extended Get Log Page data */
	id->elpe = NVME_ERR_LOG_ENTRIES - 1;
	id->npss = 0;
	nvme_put_le128(id->tnvmcap, ctrl->ns ? ctrl->ns->geo.logical_units * GEO_UNIT_BYTES : 0);
	id->sqes = 0x66; /* 64-byte SQEs */
	id->cqes = 0x44; /* 16-byte CQEs */
	id->maxcmd = NVME_MQES + 1;
	/* SGLs without alignment rules (data blocks and segments, dma_map_sgl),
	 * and descriptors may describe more than the command moves */
	id->sgls = 1u << 0 | 1u << 18;
	id->nn = 1;
	id->oncs = NVME_ONCS_COMPARE | NVME_ONCS_DSM | NVME_ONCS_WRITE_ZEROES |
		   NVME_ONCS_TIMESTAMP | NVME_ONCS_VERIFY;
	if (zoned(ctrl)) { /* the zoned set: neither placement handles nor those commands */
		id->oncs = NVME_ONCS_WRITE_ZEROES | NVME_ONCS_TIMESTAMP;
		id->ctratt &= ~NVME_CTRATT_FDPS;
		id->oaes |= NVME_OAES_ZONE_CHANGED;
	}
	/* present (an open-channel device has none: a write is on the media when
	 * it completes); Flush accepts NSID FFFFFFFFh */
	id->vwc = (ctrl->ns && !dev_volatile_cache(ctrl->ns) ? 0 : 1) | 3u << 1;
	snprintf(id->subnqn, sizeof(id->subnqn), "nqn.2026-11.io.vssd:%s", sn);
	/* power state 0: 25.00 W (MP in centiwatts) */
	id->psd[0][0] = 2500 & 0xff;
	id->psd[0][1] = 2500 >> 8;
}

static void identify_ns(struct nvme_ctrl *ctrl, struct nvme_id_ns *id)
{
	const struct vssd_dev *dev = ctrl->ns;
	const struct geometry *geo = &dev->geo;
	uint64_t lbas = dev_capacity_lbas(dev);
	struct dev_counters c;

	dev_counters(dev, &c);
	id->nsze = id->ncap = lbas;
	id->nuse = c.mapped_units * geo->lbas_per_unit;
	id->nsfeat = 1u << 0 | 1u << 4; /* NUSE tracks allocation; NPWG.. fields valid */
	id->nlbaf = 1;			/* two formats: 512 and 4096 bytes */
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
	if (zoned(ctrl)) { /* one format: zones are of 4 KiB LBAs */
		id->nlbaf = 0;
		id->flbas = 0;
		id->lbaf[0] = id->lbaf[1];
		id->lbaf[1] = (struct nvme_lbaf){0};
	}
	id->endgid = 1;
	eui64_of(ctrl, id->eui64);
	memcpy(id->nguid, id->eui64, 8);
	memcpy(id->nguid + 8, id->eui64, 8);
	id->nguid[8] ^= 0xff;
}

static uint16_t id_ctrl(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint8_t *buf)
{
	identify_ctrl(ctrl, (struct nvme_id_ctrl *)buf);
	return NVME_SC_SUCCESS;
}

static uint16_t id_ns(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint8_t *buf)
{
	identify_ns(ctrl, (struct nvme_id_ns *)buf);
	return NVME_SC_SUCCESS;
}

static uint16_t id_csi_indep_ns(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint8_t *buf)
{
	struct nvme_id_csi_indep_ns *id = (void *)buf;

	id->nsfeat = 1;
	id->nstat = 1; /* namespace ready */
	return NVME_SC_SUCCESS;
}

/* The command set CDW11.CSI names, if the controller has it: the NVM set
 * always (a zoned namespace's set builds on it), the zoned set with a
 * zoned namespace. */
static uint16_t check_csi(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe)
{
	uint32_t csi = nvme_get(sqe, NVME_F_CSI);

	if (csi == NVME_CSI_NVM || (csi == NVME_CSI_ZNS && zoned(ctrl)))
		return NVME_SC_SUCCESS;
	return nvme_reject(ctrl, sqe, NVME_SC_INVALID_FIELD,
			   "CDW11.CSI %u is not a command set of this controller (%s)", csi,
			   zoned(ctrl) ? "NVM 0, zoned 2" : "NVM 0");
}

/* A command set's own controller data. The NVM set's: the limits on
 * Verify, Write Zeroes, Write Uncorrectable and Dataset Management beyond
 * what their fields allow; vssd has none (0 everywhere): hosts then go by
 * the fields. The zoned set's: the Zone Append size limit. */
static uint16_t id_cs_ctrl(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint8_t *buf)
{
	uint16_t st = check_csi(ctrl, sqe);

	if (!st && nvme_get(sqe, NVME_F_CSI) == NVME_CSI_ZNS)
		nvme_zns_identify_ctrl((struct nvme_id_ctrl_zns *)buf);
	return st;
}

/* A command set's own namespace data: none for the NVM set (vssd has no
 * extended LBA formats or protection), the zones' for the zoned set. */
static uint16_t id_cs_ns(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint8_t *buf)
{
	uint16_t st = check_csi(ctrl, sqe);

	if (!st && nvme_get(sqe, NVME_F_CSI) == NVME_CSI_ZNS)
		nvme_zns_identify_ns(ctrl, (struct nvme_id_ns_zns *)buf);
	return st;
}

/* EUI-64 (8 bytes), NGUID (16), CSI (1: NVM 0, zoned 2) */
static uint16_t id_ns_desc_list(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint8_t *buf)
{
	struct nvme_id_ns ns = {0};

	identify_ns(ctrl, &ns);
	buf[0] = 1, buf[1] = 8;
	memcpy(buf + 4, ns.eui64, 8);
	buf[12] = 2, buf[13] = 16;
	memcpy(buf + 16, ns.nguid, 16);
	buf[32] = 4, buf[33] = 1, buf[36] = zoned(ctrl) ? NVME_CSI_ZNS : NVME_CSI_NVM;
	return NVME_SC_SUCCESS;
}

/* The namespaces with an NSID greater than the one given. */
static uint16_t id_active_list(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint8_t *buf)
{
	uint32_t nsid = NVME_NSID;

	if (sqe->nsid >= 0xfffffffe)
		return NVME_SC_INVALID_NS;
	if (sqe->nsid < NVME_NSID && ctrl->ns)
		memcpy(buf, &nsid, 4);
	return NVME_SC_SUCCESS;
}

/* Those of them the command set CSI names: the namespace is the zoned
 * set's when zoned, else the NVM set's. */
static uint16_t id_cs_active_list(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint8_t *buf)
{
	uint16_t st = check_csi(ctrl, sqe);
	uint32_t csi = nvme_get(sqe, NVME_F_CSI);

	if (st || csi != (zoned(ctrl) ? NVME_CSI_ZNS : NVME_CSI_NVM))
		return st;
	return id_active_list(ctrl, sqe, buf);
}

/* The I/O command set combinations, one 64-bit vector each (bit n: the set
 * of CSI n): one, the NVM set, and the zoned set with a zoned namespace.
 * The index of the one in use is the Command Set Profile, always 0 here. */
static uint16_t id_iocs(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint8_t *buf)
{
	uint64_t vector = 1ull << NVME_CSI_NVM | (zoned(ctrl) ? 1ull << NVME_CSI_ZNS : 0);

	memcpy(buf, &vector, sizeof(vector));
	return NVME_SC_SUCCESS;
}

/* By CNS: what fills the 4 KiB, and whether it is of the namespace (which
 * must then be named and be there). */
static const struct cns_def {
	uint16_t (*fill)(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint8_t *buf);
	bool of_ns;
} cns_defs[256] = {
	[NVME_ID_CNS_NS] = {id_ns, true},
	[NVME_ID_CNS_CTRL] = {id_ctrl, false},
	[NVME_ID_CNS_NS_ACTIVE_LIST] = {id_active_list, false},
	[NVME_ID_CNS_NS_DESC_LIST] = {id_ns_desc_list, true},
	[NVME_ID_CNS_CS_NS] = {id_cs_ns, true},
	[NVME_ID_CNS_CS_CTRL] = {id_cs_ctrl, false},
	[NVME_ID_CNS_CS_NS_ACTIVE_LIST] = {id_cs_active_list, false},
	[NVME_ID_CNS_CSI_INDEP_NS] = {id_csi_indep_ns, true},
	[NVME_ID_CNS_IOCS] = {id_iocs, false},
};

uint16_t nvme_identify(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe)
{
	uint32_t cns = nvme_get(sqe, NVME_F_CNS);
	const struct cns_def *def = &cns_defs[cns];
	uint8_t *buf;
	uint16_t st;

	if (!def->fill)
		return nvme_reject(
			ctrl, sqe, NVME_SC_INVALID_FIELD,
			"CDW10.CNS 0x%02x is not a data structure this controller returns", cns);
	if (def->of_ns && sqe->nsid != NVME_NSID)
		return nvme_reject(ctrl, sqe, NVME_SC_INVALID_NS, "NSID %u is not namespace %u",
				   sqe->nsid, NVME_NSID);
	if (def->of_ns && !ctrl->ns)
		return NVME_SC_NS_NOT_READY;
	if (!(buf = calloc(1, 4096)))
		return NVME_SC_INTERNAL;
	st = def->fill(ctrl, sqe, buf);
	if (st == NVME_SC_SUCCESS)
		st = nvme_data_to_host(ctrl, sqe, buf, 4096);
	free(buf);
	return st;
}
