/*
 * NVMe structures and constants as the NVMe Base Specification 2.0 lays
 * them out (field names as the spec and libnvme use them), little-endian,
 * with static size and offset checks. Only what vssd implements is here.
 */
#ifndef VSSD_NVME_H
#define VSSD_NVME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Submission queue entry (64 bytes). */
struct nvme_sqe {
	uint8_t opcode;
	uint8_t flags; /* bits 1:0 FUSE, bits 7:6 PSDT (enum nvme_psdt) */
	uint16_t cid;
	uint32_t nsid;
	uint32_t cdw2;
	uint32_t cdw3;
	uint64_t mptr;
	uint64_t prp1;
	uint64_t prp2;
	uint32_t cdw10;
	uint32_t cdw11;
	uint32_t cdw12;
	uint32_t cdw13;
	uint32_t cdw14;
	uint32_t cdw15;
};

/* Completion queue entry (16 bytes). status: bit 0 phase, 8:1 SC, 11:9 SCT,
 * 13:12 CRD, 14 More, 15 DNR. */
struct nvme_cqe {
	uint32_t result; /* DW0, command specific */
	uint32_t dw1;
	uint16_t sq_head;
	uint16_t sq_id;
	uint16_t cid;
	uint16_t status;
};

_Static_assert(sizeof(struct nvme_sqe) == 64, "SQE is 64 bytes");
_Static_assert(offsetof(struct nvme_sqe, prp1) == 24, "PRP1 at byte 24");
_Static_assert(offsetof(struct nvme_sqe, cdw10) == 40, "CDW10 at byte 40");
_Static_assert(sizeof(struct nvme_cqe) == 16, "CQE is 16 bytes");
_Static_assert(offsetof(struct nvme_sqe, cdw15) == 60, "CDW10 to CDW15 one after another");

/* How the data pointer (DPTR, SQE bytes 24-39) is laid out: PSDT, CDW0
 * bits 15:14. Both SGL forms carry the data's descriptor at DPTR; they
 * differ in metadata (MPTR), which vssd has none of. */
enum nvme_psdt {
	NVME_PSDT_PRP = 0,	/* PRP1 and PRP2 */
	NVME_PSDT_SGL = 1,	/* an SGL descriptor; MPTR a buffer */
	NVME_PSDT_SGL_MPTR = 2, /* an SGL descriptor; MPTR an SGL too */
};
#define NVME_SQE_PSDT(sqe) (((sqe)->flags >> 6) & 3)
#define NVME_SQE_SET_PSDT(sqe, psdt) ((sqe)->flags = (uint8_t)(((sqe)->flags & 0x3f) | (psdt) << 6))

/* An SGL descriptor (16 bytes): the first one sits at DPTR. */
struct nvme_sgl_desc {
	uint64_t addr;
	uint32_t length;
	uint8_t rsvd[3];
	uint8_t type; /* bits 7:4 descriptor type, 3:0 its subtype */
};
_Static_assert(sizeof(struct nvme_sgl_desc) == 16, "an SGL descriptor is 16 bytes");

enum nvme_sgl_type {
	NVME_SGL_DATA_BLOCK = 0x0,
	NVME_SGL_BIT_BUCKET = 0x1,
	NVME_SGL_SEGMENT = 0x2,	     /* points to a list of descriptors ... */
	NVME_SGL_LAST_SEGMENT = 0x3, /* ... the last such list */
	NVME_SGL_KEYED_DATA_BLOCK = 0x4,
	NVME_SGL_TRANSPORT_DATA_BLOCK = 0x5, /* NVMe over Fabrics: the transport moves the data */
};
enum nvme_sgl_subtype {
	NVME_SGL_ADDRESS = 0x0,	  /* addr is a memory address */
	NVME_SGL_OFFSET = 0x1,	  /* addr is an offset (into a capsule's data) */
	NVME_SGL_TRANSPORT = 0xa, /* transport specific (NVMe/TCP: R2T and H2C/C2H data) */
};
#define NVME_SGL_TYPE(d) ((d)->type >> 4)
#define NVME_SGL_SUBTYPE(d) ((d)->type & 0xf)
#define NVME_SGL_ID(type, subtype) ((uint8_t)((type) << 4 | (subtype)))

#define NVME_CQE_PHASE 0x1
/* a status word as the CQE carries it (phase bit 0 left clear) */
#define NVME_STATUS(sct, sc) ((uint16_t)(((sct) << 9) | ((sc) << 1)))
#define NVME_CQE_SC(st) (((st) >> 1) & 0xff)
#define NVME_CQE_SCT(st) (((st) >> 9) & 0x7)
#define NVME_CQE_DNR (1u << 15)

/* Status code types and codes (SCT 0 generic, 1 command specific, 2 media). */
enum nvme_status {
	NVME_SC_SUCCESS = NVME_STATUS(0, 0x00),
	NVME_SC_INVALID_OPCODE = NVME_STATUS(0, 0x01),
	NVME_SC_INVALID_FIELD = NVME_STATUS(0, 0x02),
	NVME_SC_CMDID_CONFLICT = NVME_STATUS(0, 0x03),
	NVME_SC_DATA_XFER_ERROR = NVME_STATUS(0, 0x04),
	NVME_SC_INTERNAL = NVME_STATUS(0, 0x06),
	NVME_SC_ABORT_REQ = NVME_STATUS(0, 0x07),
	NVME_SC_ABORT_SQ_DELETED = NVME_STATUS(0, 0x08),
	NVME_SC_INVALID_NS = NVME_STATUS(0, 0x0b),
	NVME_SC_CMD_SEQ_ERROR = NVME_STATUS(0, 0x0c),
	NVME_SC_INVALID_SGL_DESC = NVME_STATUS(0, 0x0d),
	NVME_SC_SGL_COUNT_INVALID = NVME_STATUS(0, 0x0e),
	NVME_SC_SGL_DATA_LENGTH_INVALID = NVME_STATUS(0, 0x0f),
	NVME_SC_SGL_TYPE_INVALID = NVME_STATUS(0, 0x11),
	NVME_SC_SGL_OFFSET_INVALID = NVME_STATUS(0, 0x16),
	NVME_SC_PRP_OFFSET_INVALID = NVME_STATUS(0, 0x13),
	NVME_SC_TRANSIENT_TRANSPORT = NVME_STATUS(0, 0x22),
	NVME_SC_FDP_DISABLED = NVME_STATUS(0, 0x29),
	NVME_SC_INVALID_PHID_LIST = NVME_STATUS(0, 0x2a),
	NVME_SC_LBA_RANGE = NVME_STATUS(0, 0x80),
	NVME_SC_CAP_EXCEEDED = NVME_STATUS(0, 0x81),
	NVME_SC_NS_NOT_READY = NVME_STATUS(0, 0x82),
	NVME_SC_CQ_INVALID = NVME_STATUS(1, 0x00),
	NVME_SC_QID_INVALID = NVME_STATUS(1, 0x01),
	NVME_SC_QUEUE_SIZE = NVME_STATUS(1, 0x02),
	NVME_SC_ABORT_LIMIT = NVME_STATUS(1, 0x03),
	NVME_SC_AER_LIMIT = NVME_STATUS(1, 0x05),
	NVME_SC_INVALID_LOG_PAGE = NVME_STATUS(1, 0x09),
	NVME_SC_INVALID_FORMAT = NVME_STATUS(1, 0x0a),
	NVME_SC_INVALID_QUEUE_DELETION = NVME_STATUS(1, 0x0c),
	NVME_SC_FEATURE_NOT_SAVEABLE = NVME_STATUS(1, 0x0d),
	NVME_SC_WRITE_FAULT = NVME_STATUS(2, 0x80),
	NVME_SC_READ_ERROR = NVME_STATUS(2, 0x81), /* Unrecovered Read Error */
	NVME_SC_COMPARE_FAILED = NVME_STATUS(2, 0x85),
	NVME_SC_UNWRITTEN = NVME_STATUS(2, 0x87), /* Deallocated or Unwritten Logical Block */
	/* Open-Channel SSD 2.0 */
	NVME_SC_OC_LBAL_LENGTH = NVME_STATUS(1, 0xc1), /* LBAL/SGL Length Invalid */
	NVME_SC_OC_OFFLINE_CHUNK = NVME_STATUS(2, 0xc0),
	NVME_SC_OC_INVALID_RESET = NVME_STATUS(2, 0xc1),
	NVME_SC_OC_HIGH_ECC = NVME_STATUS(2, 0xd0),
	NVME_SC_OC_WRITE_NEXT_UNIT = NVME_STATUS(2, 0xf0),
	NVME_SC_OC_CHUNK_EARLY_CLOSE = NVME_STATUS(2, 0xf1),
	NVME_SC_OC_OUT_OF_ORDER_WRITE = NVME_STATUS(2, 0xf2),
	/* Zoned Namespace Command Set 1.1 */
	NVME_SC_ZONE_BOUNDARY = NVME_STATUS(1, 0xb8),
	NVME_SC_ZONE_FULL = NVME_STATUS(1, 0xb9),
	NVME_SC_ZONE_READ_ONLY = NVME_STATUS(1, 0xba),
	NVME_SC_ZONE_OFFLINE = NVME_STATUS(1, 0xbb),
	NVME_SC_ZONE_INVALID_WRITE = NVME_STATUS(1, 0xbc),
	NVME_SC_ZONE_TOO_MANY_ACTIVE = NVME_STATUS(1, 0xbd),
	NVME_SC_ZONE_TOO_MANY_OPEN = NVME_STATUS(1, 0xbe),
	NVME_SC_ZONE_INVALID_TRANSITION = NVME_STATUS(1, 0xbf),
};

enum nvme_admin_opcode {
	NVME_ADMIN_DELETE_SQ = 0x00,
	NVME_ADMIN_CREATE_SQ = 0x01,
	NVME_ADMIN_GET_LOG_PAGE = 0x02,
	NVME_ADMIN_DELETE_CQ = 0x04,
	NVME_ADMIN_CREATE_CQ = 0x05,
	NVME_ADMIN_IDENTIFY = 0x06,
	NVME_ADMIN_ABORT = 0x08,
	NVME_ADMIN_SET_FEATURES = 0x09,
	NVME_ADMIN_GET_FEATURES = 0x0a,
	NVME_ADMIN_ASYNC_EVENT = 0x0c,
	NVME_ADMIN_FORMAT_NVM = 0x80,
	NVME_ADMIN_OC_GEOMETRY = 0xe2, /* Open-Channel SSD 2.0 */
};

enum nvme_io_opcode {
	NVME_CMD_FLUSH = 0x00,
	NVME_CMD_WRITE = 0x01,
	NVME_CMD_READ = 0x02,
	NVME_CMD_COMPARE = 0x05,
	NVME_CMD_WRITE_ZEROES = 0x08,
	NVME_CMD_DSM = 0x09,
	NVME_CMD_VERIFY = 0x0c,
	NVME_CMD_IO_MGMT_RECV = 0x12,
	NVME_CMD_IO_MGMT_SEND = 0x1d,
	/* Zoned Namespace Command Set */
	NVME_CMD_ZONE_MGMT_SEND = 0x79,
	NVME_CMD_ZONE_MGMT_RECV = 0x7a,
	NVME_CMD_ZONE_APPEND = 0x7d,
	/* Open-Channel SSD 2.0 vector commands */
	NVME_CMD_OC_RESET = 0x90,
	NVME_CMD_OC_WRITE = 0x91,
	NVME_CMD_OC_READ = 0x92,
	NVME_CMD_OC_COPY = 0x93,
};

enum nvme_identify_cns {
	NVME_ID_CNS_NS = 0x00,
	NVME_ID_CNS_CTRL = 0x01,
	NVME_ID_CNS_NS_ACTIVE_LIST = 0x02,
	NVME_ID_CNS_NS_DESC_LIST = 0x03,
	NVME_ID_CNS_CS_NS = 0x05,   /* I/O command set specific namespace data, of CSI's set */
	NVME_ID_CNS_CS_CTRL = 0x06, /* I/O command set specific, of the set CSI names */
	NVME_ID_CNS_CS_NS_ACTIVE_LIST = 0x07, /* the active namespaces of the set CSI names */
	NVME_ID_CNS_CSI_INDEP_NS = 0x08,
	NVME_ID_CNS_IOCS = 0x1c, /* the I/O command set combinations the controller has */
};

enum nvme_feature_id {
	NVME_FEAT_ARBITRATION = 0x01,
	NVME_FEAT_POWER_MGMT = 0x02,
	NVME_FEAT_VOLATILE_WC = 0x06,
	NVME_FEAT_NUM_QUEUES = 0x07,
	NVME_FEAT_TIMESTAMP = 0x0e,
	NVME_FEAT_FDP = 0x1d,
	NVME_FEAT_FDP_EVENTS = 0x1e,
};

enum nvme_log_id {
	NVME_LOG_ERROR = 0x01,
	NVME_LOG_SMART = 0x02,
	NVME_LOG_CMD_EFFECTS = 0x05,
	NVME_LOG_FDP_CONFIGS = 0x20,
	NVME_LOG_FDP_RUH_USAGE = 0x21,
	NVME_LOG_FDP_STATS = 0x22,
	NVME_LOG_FDP_EVENTS = 0x23,
	NVME_LOG_CHANGED_ZONES = 0xbf, /* Zoned Namespace: the Changed Zone List */
	NVME_LOG_OC_CHUNK_INFO = 0xca, /* Open-Channel SSD 2.0 */
};

#define NVME_CTRATT_ENDGRPS (1u << 4)
#define NVME_CTRATT_FDPS (1u << 19)

/* Dataset Management range (16 bytes). */
struct nvme_dsm_range {
	uint32_t cattr;
	uint32_t nlb;
	uint64_t slba;
};

/*
 * Command fields by name: the dword (10 to 15) a field sits in, its first
 * bit and its width, as the specification tables them. nvme_get() and
 * nvme_set() read and write one; with a constant field they compile to
 * the shift and mask written by hand. Counts the spec keeps 0's based
 * (QSIZE, NLB, NUMD, NR) are read and written here as they are encoded.
 */
struct nvme_field {
	uint8_t cdw, shift, bits;
};
#define NVME_FIELD(cdw, shift, bits) ((struct nvme_field){(cdw), (shift), (bits)})

/* Create/Delete I/O CQ and SQ */
#define NVME_F_QID NVME_FIELD(10, 0, 16)
#define NVME_F_QSIZE NVME_FIELD(10, 16, 16) /* entries - 1 */
#define NVME_F_PC NVME_FIELD(11, 0, 1)	    /* physically contiguous */
#define NVME_F_CQ_IEN NVME_FIELD(11, 1, 1)  /* interrupts enabled */
#define NVME_F_CQ_IV NVME_FIELD(11, 16, 16) /* interrupt vector */
#define NVME_F_SQ_QPRIO NVME_FIELD(11, 1, 2)
#define NVME_F_SQ_CQID NVME_FIELD(11, 16, 16)
/* Identify */
#define NVME_F_CNS NVME_FIELD(10, 0, 8)
#define NVME_F_CSI NVME_FIELD(11, 24, 8) /* command set: 0 NVM */
/* Get/Set Features */
#define NVME_F_FID NVME_FIELD(10, 0, 8)
#define NVME_F_SEL NVME_FIELD(10, 8, 3) /* Get Features: current, default, saved, capabilities */
#define NVME_F_SV NVME_FIELD(10, 31, 1) /* Set Features: save */
/* Set Features values (CDW11-12) */
#define NVME_F_PM NVME_FIELD(11, 0, 8)		 /* Power Management: WH and PS */
#define NVME_F_PS NVME_FIELD(11, 0, 5)		 /* Power Management: power state */
#define NVME_F_WCE NVME_FIELD(11, 0, 1)		 /* Volatile Write Cache: enable */
#define NVME_F_NSQR NVME_FIELD(11, 0, 16)	 /* Number of Queues: SQs - 1 */
#define NVME_F_NCQR NVME_FIELD(11, 16, 16)	 /* Number of Queues: CQs - 1 */
#define NVME_F_FDP_ENDGID NVME_FIELD(11, 0, 16)	 /* FDP: endurance group */
#define NVME_F_FDPE NVME_FIELD(12, 0, 1)	 /* FDP: enable */
#define NVME_F_FDPCIDX NVME_FIELD(12, 8, 8)	 /* FDP: configuration index */
#define NVME_F_FDPEV_PHNDL NVME_FIELD(11, 0, 16) /* FDP Events: placement handle */
#define NVME_F_FDPEV_NOET NVME_FIELD(11, 16, 8)	 /* FDP Events: event types */
#define NVME_F_FDPEV_ENABLE NVME_FIELD(12, 0, 1) /* FDP Events: enable them */
/* I/O Management Send and Receive */
#define NVME_F_MO NVME_FIELD(10, 0, 8)	       /* management operation */
#define NVME_F_MOS NVME_FIELD(10, 16, 16)      /* its own field (RUH Update: identifiers - 1) */
#define NVME_F_IOMR_NUMD NVME_FIELD(11, 0, 32) /* Receive: dwords - 1 */
#define NVME_IO_MGMT_RECV_RUH_STATUS 0x01      /* I/O Management Receive: handle status */
#define NVME_IO_MGMT_SEND_RUH_UPDATE 0x01      /* I/O Management Send: reclaim unit handle update */
/* Open-Channel SSD 2.0 vector commands */
#define NVME_F_OC_NLB NVME_FIELD(12, 0, 6) /* vector entries - 1 */
/* Get Log Page */
#define NVME_F_LID NVME_FIELD(10, 0, 8)
#define NVME_F_LSP NVME_FIELD(10, 8, 7)
#define NVME_F_RAE NVME_FIELD(10, 15, 1)    /* retain asynchronous event */
#define NVME_F_NUMDL NVME_FIELD(10, 16, 16) /* dwords - 1, low half */
#define NVME_F_NUMDU NVME_FIELD(11, 0, 16)  /* dwords - 1, high half */
#define NVME_F_LSI NVME_FIELD(11, 16, 16)   /* log specific identifier */
/* Abort */
#define NVME_F_ABORT_SQID NVME_FIELD(10, 0, 16)
#define NVME_F_ABORT_CID NVME_FIELD(10, 16, 16)
/* Format NVM */
#define NVME_F_LBAF NVME_FIELD(10, 0, 4)
#define NVME_F_MSET NVME_FIELD(10, 4, 1)
#define NVME_F_PI NVME_FIELD(10, 5, 3)
#define NVME_F_SES NVME_FIELD(10, 9, 3)
/* Read, Write, Write Zeroes, Compare, Verify (SLBA is CDW10-11: nvme_get_slba) */
#define NVME_F_NLB NVME_FIELD(12, 0, 16) /* blocks - 1 */
#define NVME_F_DTYPE NVME_FIELD(12, 20, 4)
#define NVME_F_DEAC NVME_FIELD(12, 25, 1) /* Write Zeroes: deallocate */
#define NVME_F_FUA NVME_FIELD(12, 30, 1)
#define NVME_F_DSPEC NVME_FIELD(13, 16, 16)
/* Dataset Management */
#define NVME_F_DSM_NR NVME_FIELD(10, 0, 8) /* ranges - 1 */
#define NVME_F_DSM_AD NVME_FIELD(11, 2, 1) /* attribute: deallocate */

/* Asynchronous event types (Asynchronous Event Request completion DW0 bits 2:0),
 * and the information values vssd raises. */
enum nvme_aer_type {
	NVME_AER_ERROR = 0,
	NVME_AER_SMART = 1,
	NVME_AER_NOTICE = 2,
	NVME_AER_IO = 6,
};
#define NVME_AER_INFO_INVALID_DB_VALUE 0x01 /* error: invalid doorbell write value */
#define NVME_AER_INFO_RELIABILITY 0x00	    /* SMART: NVM subsystem reliability degraded */
#define NVME_AER_INFO_SPARE 0x02	    /* SMART: available spare below its threshold */
#define NVME_AER_INFO_ZONE_CHANGED 0xef	    /* notice: zone descriptors changed (log BFh) */
#define NVME_OAES_ZONE_CHANGED (1u << 27)   /* Identify OAES: zone descriptor changed notices */

/* SMART / Health Critical Warning bits, and the Available Spare Threshold */
#define NVME_SMART_CW_SPARE (1u << 0)	  /* available spare below its threshold */
#define NVME_SMART_CW_DEGRADED (1u << 2)  /* NVM subsystem reliability degraded */
#define NVME_SMART_CW_READ_ONLY (1u << 3) /* all media placed in read-only mode */
#define NVME_SMART_SPARE_THRESH 10	  /* percent */

/* Directive types (DTYPE). */
enum nvme_dtype {
	NVME_DTYPE_NONE = 0,
	NVME_DTYPE_STREAMS = 1,
	NVME_DTYPE_PLACEMENT = 2, /* Flexible Data Placement: DSPEC is a placement identifier */
};

static inline uint32_t nvme_field_mask(struct nvme_field f)
{
	return f.bits == 32 ? 0xffffffffu : (1u << f.bits) - 1;
}

static inline uint32_t nvme_get(const struct nvme_sqe *sqe, struct nvme_field f)
{
	return ((&sqe->cdw10)[f.cdw - 10] >> f.shift) & nvme_field_mask(f);
}

static inline void nvme_set(struct nvme_sqe *sqe, struct nvme_field f, uint32_t v)
{
	uint32_t *dw = &(&sqe->cdw10)[f.cdw - 10];

	*dw = (*dw & ~(nvme_field_mask(f) << f.shift)) | (v & nvme_field_mask(f)) << f.shift;
}

/* 64-bit fields over two dwords: SLBA (CDW10-11), a log page offset (CDW12-13). */
static inline uint64_t nvme_get_slba(const struct nvme_sqe *sqe)
{
	return (uint64_t)sqe->cdw11 << 32 | sqe->cdw10;
}

static inline uint64_t nvme_get_log_offset(const struct nvme_sqe *sqe)
{
	return (uint64_t)sqe->cdw13 << 32 | sqe->cdw12;
}

/* Get Log Page: dwords to transfer (NUMDU:NUMDL, plus one). */
static inline uint64_t nvme_get_log_dwords(const struct nvme_sqe *sqe)
{
	return ((uint64_t)nvme_get(sqe, NVME_F_NUMDU) << 16 | nvme_get(sqe, NVME_F_NUMDL)) + 1;
}

/*
 * Command builders, as liburing's io_uring_prep_*: each fills a zeroed
 * SQE with one command (the cid is the queue's to give); set further
 * fields with nvme_set(). Data buffers go in PRP1 (and PRP2): the caller's
 * host memory, registered for DMA.
 */
static inline void nvme_prep_create_cq(struct nvme_sqe *sqe, uint16_t qid, uint32_t entries,
				       const void *ring, uint16_t vector)
{
	*sqe = (struct nvme_sqe){.opcode = NVME_ADMIN_CREATE_CQ, .prp1 = (uintptr_t)ring};
	nvme_set(sqe, NVME_F_QID, qid);
	nvme_set(sqe, NVME_F_QSIZE, entries - 1);
	nvme_set(sqe, NVME_F_PC, 1);
	nvme_set(sqe, NVME_F_CQ_IEN, 1);
	nvme_set(sqe, NVME_F_CQ_IV, vector);
}

static inline void nvme_prep_create_sq(struct nvme_sqe *sqe, uint16_t qid, uint32_t entries,
				       const void *ring, uint16_t cqid)
{
	*sqe = (struct nvme_sqe){.opcode = NVME_ADMIN_CREATE_SQ, .prp1 = (uintptr_t)ring};
	nvme_set(sqe, NVME_F_QID, qid);
	nvme_set(sqe, NVME_F_QSIZE, entries - 1);
	nvme_set(sqe, NVME_F_PC, 1);
	nvme_set(sqe, NVME_F_SQ_CQID, cqid);
}

/* Delete I/O SQ or CQ (opcode NVME_ADMIN_DELETE_SQ or _CQ) qid. */
static inline void nvme_prep_delete_queue(struct nvme_sqe *sqe, uint8_t opcode, uint16_t qid)
{
	*sqe = (struct nvme_sqe){.opcode = opcode};
	nvme_set(sqe, NVME_F_QID, qid);
}

#define NVME_NSID_ALL 0xffffffffu /* every namespace (log pages, Format NVM) */

/* Identify (cns) into buf, 4096 bytes. */
static inline void nvme_prep_identify(struct nvme_sqe *sqe, uint32_t nsid, uint8_t cns, void *buf)
{
	*sqe = (struct nvme_sqe){
		.opcode = NVME_ADMIN_IDENTIFY, .nsid = nsid, .prp1 = (uintptr_t)buf};
	nvme_set(sqe, NVME_F_CNS, cns);
}

/* Get Features fid as sel selects (0 current, 1 default, 2 saved, 3 capabilities). */
static inline void nvme_prep_get_features(struct nvme_sqe *sqe, uint8_t fid, uint8_t sel, void *buf)
{
	*sqe = (struct nvme_sqe){.opcode = NVME_ADMIN_GET_FEATURES, .prp1 = (uintptr_t)buf};
	nvme_set(sqe, NVME_F_FID, fid);
	nvme_set(sqe, NVME_F_SEL, sel);
}

/* Set Features fid; its value goes in with nvme_set() (NVME_F_WCE, NVME_F_NSQR, ...). */
static inline void nvme_prep_set_features(struct nvme_sqe *sqe, uint8_t fid, const void *buf)
{
	*sqe = (struct nvme_sqe){.opcode = NVME_ADMIN_SET_FEATURES, .prp1 = (uintptr_t)buf};
	nvme_set(sqe, NVME_F_FID, fid);
}

/* I/O Management Receive (operation mo) of bytes, a multiple of 4, into buf. */
static inline void nvme_prep_io_mgmt_recv(struct nvme_sqe *sqe, uint32_t nsid, uint8_t mo,
					  void *buf, uint32_t bytes)
{
	*sqe = (struct nvme_sqe){
		.opcode = NVME_CMD_IO_MGMT_RECV, .nsid = nsid, .prp1 = (uintptr_t)buf};
	nvme_set(sqe, NVME_F_MO, mo);
	nvme_set(sqe, NVME_F_IOMR_NUMD, bytes / 4 - 1);
}

/* I/O Management Send (operation mo, its field mos) of the data in buf. */
static inline void nvme_prep_io_mgmt_send(struct nvme_sqe *sqe, uint32_t nsid, uint8_t mo,
					  uint16_t mos, const void *buf)
{
	*sqe = (struct nvme_sqe){
		.opcode = NVME_CMD_IO_MGMT_SEND, .nsid = nsid, .prp1 = (uintptr_t)buf};
	nvme_set(sqe, NVME_F_MO, mo);
	nvme_set(sqe, NVME_F_MOS, mos);
}

/* Get Log Page lid for nsid: bytes (a multiple of 4) from offset into buf. */
static inline void nvme_prep_get_log_page(struct nvme_sqe *sqe, uint32_t nsid, uint8_t lid,
					  void *buf, uint32_t bytes, uint64_t offset)
{
	uint32_t numd = bytes / 4 - 1;

	*sqe = (struct nvme_sqe){.opcode = NVME_ADMIN_GET_LOG_PAGE,
				 .nsid = nsid,
				 .prp1 = (uintptr_t)buf,
				 .cdw12 = (uint32_t)offset,
				 .cdw13 = (uint32_t)(offset >> 32)};
	nvme_set(sqe, NVME_F_LID, lid);
	nvme_set(sqe, NVME_F_NUMDL, numd & 0xffff);
	nvme_set(sqe, NVME_F_NUMDU, numd >> 16);
}

/* Read, Write, Write Zeroes, Compare or Verify of nlb blocks from slba (no data pointer). */
static inline void nvme_prep_rw(struct nvme_sqe *sqe, uint8_t opcode, uint32_t nsid, uint64_t slba,
				uint32_t nlb)
{
	*sqe = (struct nvme_sqe){.opcode = opcode,
				 .nsid = nsid,
				 .cdw10 = (uint32_t)slba,
				 .cdw11 = (uint32_t)(slba >> 32)};
	nvme_set(sqe, NVME_F_NLB, nlb - 1);
}

/* Flush of the namespace's volatile write cache. */
static inline void nvme_prep_flush(struct nvme_sqe *sqe, uint32_t nsid)
{
	*sqe = (struct nvme_sqe){.opcode = NVME_CMD_FLUSH, .nsid = nsid};
}

/* Dataset Management deallocating nr ranges (at most 256), read from ranges. */
static inline void nvme_prep_trim(struct nvme_sqe *sqe, uint32_t nsid,
				  const struct nvme_dsm_range *ranges, uint32_t nr)
{
	*sqe = (struct nvme_sqe){.opcode = NVME_CMD_DSM, .nsid = nsid, .prp1 = (uintptr_t)ranges};
	nvme_set(sqe, NVME_F_DSM_NR, nr - 1);
	nvme_set(sqe, NVME_F_DSM_AD, 1);
}

/* A write's data placement directive: its data goes where placement identifier pid says. */
static inline void nvme_prep_placement(struct nvme_sqe *sqe, uint16_t pid)
{
	nvme_set(sqe, NVME_F_DTYPE, NVME_DTYPE_PLACEMENT);
	nvme_set(sqe, NVME_F_DSPEC, pid);
}

/* An Open-Channel SSD 2.0 vector command on n (at most 64) addresses: LBAL
 * is the one address itself when n is 1, else the host address of their list. */
static inline void nvme_prep_oc_vector(struct nvme_sqe *sqe, uint8_t opcode, uint32_t nsid,
				       uint64_t lbal, uint32_t n)
{
	*sqe = (struct nvme_sqe){.opcode = opcode,
				 .nsid = nsid,
				 .cdw10 = (uint32_t)lbal,
				 .cdw11 = (uint32_t)(lbal >> 32)};
	nvme_set(sqe, NVME_F_OC_NLB, n - 1);
}

/* The CQE's status without its phase tag (SC, SCT, CRD, More, DNR). */
static inline uint16_t nvme_cqe_status(const struct nvme_cqe *cqe)
{
	return (uint16_t)(cqe->status & ~NVME_CQE_PHASE);
}

/* What the command came to: its status code and type, 0 when it succeeded. */
static inline uint16_t nvme_cqe_code(const struct nvme_cqe *cqe)
{
	return (uint16_t)(cqe->status & 0x0ffe);
}

_Static_assert(sizeof(struct nvme_dsm_range) == 16, "DSM range is 16 bytes");

struct nvme_lbaf {
	uint16_t ms;
	uint8_t lbads; /* log2 of the LBA data size */
	uint8_t rp;
};

/* Identify Controller (CNS 01h), 4096 bytes. */
struct nvme_id_ctrl {
	uint16_t vid;
	uint16_t ssvid;
	char sn[20];
	char mn[40];
	char fr[8];
	uint8_t rab;
	uint8_t ieee[3];
	uint8_t cmic;
	uint8_t mdts;
	uint16_t cntlid;
	uint32_t ver;
	uint32_t rtd3r;
	uint32_t rtd3e;
	uint32_t oaes;
	uint32_t ctratt;
	uint16_t rrls;
	uint8_t rsvd102[9];
	uint8_t cntrltype;
	uint8_t fguid[16];
	uint16_t crdt1, crdt2, crdt3;
	uint8_t rsvd134[122];
	uint16_t oacs;
	uint8_t acl;
	uint8_t aerl;
	uint8_t frmw;
	uint8_t lpa;
	uint8_t elpe;
	uint8_t npss;
	uint8_t avscc;
	uint8_t apsta;
	uint16_t wctemp;
	uint16_t cctemp;
	uint16_t mtfa;
	uint32_t hmpre;
	uint32_t hmmin;
	uint8_t tnvmcap[16];
	uint8_t unvmcap[16];
	uint32_t rpmbs;
	uint16_t edstt;
	uint8_t dsto;
	uint8_t fwug;
	uint16_t kas;
	uint16_t hctma;
	uint16_t mntmt;
	uint16_t mxtmt;
	uint32_t sanicap;
	uint32_t hmminds;
	uint16_t hmmaxd;
	uint16_t nsetidmax;
	uint16_t endgidmax;
	uint8_t anatt;
	uint8_t anacap;
	uint32_t anagrpmax;
	uint32_t nanagrpid;
	uint32_t pels;
	uint16_t domainid;
	uint8_t rsvd358[10];
	uint8_t megcap[16];
	uint8_t rsvd384[128];
	uint8_t sqes;
	uint8_t cqes;
	uint16_t maxcmd;
	uint32_t nn;
	uint16_t oncs;
	uint16_t fuses;
	uint8_t fna;
	uint8_t vwc;
	uint16_t awun;
	uint16_t awupf;
	uint8_t icsvscc;
	uint8_t nwpc;
	uint16_t acwu;
	uint16_t ocfs;
	uint32_t sgls;
	uint32_t mnan;
	uint8_t maxdna[16];
	uint32_t maxcna;
	uint8_t rsvd564[204];
	char subnqn[256];
	uint8_t rsvd1024[768];
	/* NVMe over Fabrics */
	uint32_t ioccsz; /* command capsule size, in 16-byte units */
	uint32_t iorcsz; /* response capsule size, in 16-byte units */
	uint16_t icdoff; /* in-capsule data offset, in 16-byte units */
	uint8_t fcatt;	 /* bit 0: static controller model */
	uint8_t msdbd;	 /* SGL data block descriptors a command may carry */
	uint16_t ofcs;
	uint8_t rsvd1806[242];
	uint8_t psd[32][32];
	uint8_t vs[1024];
};
_Static_assert(sizeof(struct nvme_id_ctrl) == 4096, "Identify Controller is 4096 bytes");
_Static_assert(offsetof(struct nvme_id_ctrl, mdts) == 77, "MDTS at byte 77");
_Static_assert(offsetof(struct nvme_id_ctrl, ctratt) == 96, "CTRATT at byte 96");
_Static_assert(offsetof(struct nvme_id_ctrl, oacs) == 256, "OACS at byte 256");
_Static_assert(offsetof(struct nvme_id_ctrl, tnvmcap) == 280, "TNVMCAP at byte 280");
_Static_assert(offsetof(struct nvme_id_ctrl, endgidmax) == 340, "ENDGIDMAX at byte 340");
_Static_assert(offsetof(struct nvme_id_ctrl, sqes) == 512, "SQES at byte 512");
_Static_assert(offsetof(struct nvme_id_ctrl, oncs) == 520, "ONCS at byte 520");
_Static_assert(offsetof(struct nvme_id_ctrl, vwc) == 525, "VWC at byte 525");
_Static_assert(offsetof(struct nvme_id_ctrl, subnqn) == 768, "SUBNQN at byte 768");
_Static_assert(offsetof(struct nvme_id_ctrl, ioccsz) == 1792, "IOCCSZ at byte 1792");
_Static_assert(offsetof(struct nvme_id_ctrl, msdbd) == 1803, "MSDBD at byte 1803");
_Static_assert(offsetof(struct nvme_id_ctrl, psd) == 2048, "PSD0 at byte 2048");

/* ONCS bits. */
#define NVME_ONCS_COMPARE (1u << 0)
#define NVME_ONCS_WRITE_UNCOR (1u << 1)
#define NVME_ONCS_DSM (1u << 2)
#define NVME_ONCS_WRITE_ZEROES (1u << 3)
#define NVME_ONCS_SAVE_FEAT (1u << 4)
#define NVME_ONCS_TIMESTAMP (1u << 6)
#define NVME_ONCS_VERIFY (1u << 7)

/* Identify Namespace (CNS 00h), NVM command set, 4096 bytes. */
struct nvme_id_ns {
	uint64_t nsze;
	uint64_t ncap;
	uint64_t nuse;
	uint8_t nsfeat;
	uint8_t nlbaf; /* number of LBA formats, zero-based */
	uint8_t flbas;
	uint8_t mc;
	uint8_t dpc;
	uint8_t dps;
	uint8_t nmic;
	uint8_t rescap;
	uint8_t fpi;
	uint8_t dlfeat;
	uint16_t nawun;
	uint16_t nawupf;
	uint16_t nacwu;
	uint16_t nabsn;
	uint16_t nabo;
	uint16_t nabspf;
	uint16_t noiob;
	uint8_t nvmcap[16];
	uint16_t npwg;
	uint16_t npwa;
	uint16_t npdg;
	uint16_t npda;
	uint16_t nows;
	uint16_t mssrl;
	uint32_t mcl;
	uint8_t msrc;
	uint8_t rsvd81;
	uint8_t nulbaf;
	uint8_t rsvd83[9];
	uint32_t anagrpid;
	uint8_t rsvd96[3];
	uint8_t nsattr;
	uint16_t nvmsetid;
	uint16_t endgid;
	uint8_t nguid[16];
	uint8_t eui64[8];
	struct nvme_lbaf lbaf[64];
	uint8_t vs[3712];
};
_Static_assert(sizeof(struct nvme_id_ns) == 4096, "Identify Namespace is 4096 bytes");
_Static_assert(offsetof(struct nvme_id_ns, nvmcap) == 48, "NVMCAP at byte 48");
_Static_assert(offsetof(struct nvme_id_ns, endgid) == 102, "ENDGID at byte 102");
_Static_assert(offsetof(struct nvme_id_ns, nguid) == 104, "NGUID at byte 104");
_Static_assert(offsetof(struct nvme_id_ns, lbaf) == 128, "LBAF0 at byte 128");

/* I/O Command Set Independent Identify Namespace (CNS 08h). */
struct nvme_id_csi_indep_ns {
	uint8_t nsfeat;
	uint8_t nmic;
	uint8_t rescap;
	uint8_t fpi;
	uint32_t anagrpid;
	uint8_t nsattr;
	uint8_t rsvd9;
	uint16_t nvmsetid;
	uint16_t endgid;
	uint8_t nstat;
	uint8_t rsvd15[4081];
};
_Static_assert(sizeof(struct nvme_id_csi_indep_ns) == 4096, "CNS 08h is 4096 bytes");
_Static_assert(offsetof(struct nvme_id_csi_indep_ns, nstat) == 14, "NSTAT at byte 14");

/* Namespace identification descriptor header (CNS 03h list entries). */
struct nvme_ns_id_desc {
	uint8_t nidt; /* 1 EUI64 (8), 2 NGUID (16), 3 UUID (16), 4 CSI (1) */
	uint8_t nidl;
	uint16_t rsvd;
};

/* SMART / Health Information log (02h), 512 bytes; 128-bit counters. */
struct nvme_smart_log {
	uint8_t critical_warning;
	uint16_t temperature; /* kelvin, unaligned as in the spec */
	uint8_t avail_spare;
	uint8_t spare_thresh;
	uint8_t percent_used;
	uint8_t endu_grp_crit_warn_sumry;
	uint8_t rsvd7[25];
	uint8_t data_units_read[16];
	uint8_t data_units_written[16];
	uint8_t host_reads[16];
	uint8_t host_writes[16];
	uint8_t ctrl_busy_time[16];
	uint8_t power_cycles[16];
	uint8_t power_on_hours[16];
	uint8_t unsafe_shutdowns[16];
	uint8_t media_errors[16];
	uint8_t num_err_log_entries[16];
	uint32_t warning_temp_time;
	uint32_t critical_comp_time;
	uint16_t temp_sensor[8];
	uint32_t thm_temp1_trans_count;
	uint32_t thm_temp2_trans_count;
	uint32_t thm_temp1_total_time;
	uint32_t thm_temp2_total_time;
	uint8_t rsvd232[280];
} __attribute__((packed));
_Static_assert(sizeof(struct nvme_smart_log) == 512, "SMART log is 512 bytes");
_Static_assert(offsetof(struct nvme_smart_log, data_units_read) == 32, "DUR at byte 32");
_Static_assert(offsetof(struct nvme_smart_log, ctrl_busy_time) == 96, "busy time at byte 96");
_Static_assert(offsetof(struct nvme_smart_log, num_err_log_entries) == 176, "at byte 176");

/* Error Information log entry (01h), 64 bytes. */
struct nvme_error_log {
	uint64_t error_count;
	uint16_t sqid;
	uint16_t cmdid;
	uint16_t status_field; /* status with the phase bit, as in the CQE */
	uint16_t parm_error_location;
	uint64_t lba;
	uint32_t nsid;
	uint8_t vs;
	uint8_t trtype;
	uint8_t csi;
	uint8_t opcode;
	uint64_t cs;
	uint16_t trtype_spec_info;
	uint8_t rsvd42[21];
	uint8_t log_page_version;
};
_Static_assert(sizeof(struct nvme_error_log) == 64, "error log entry is 64 bytes");

/* Commands Supported and Effects log (05h). */
struct nvme_cmd_effects_log {
	uint32_t acs[256];
	uint32_t iocs[256];
	uint8_t rsvd[2048];
};
_Static_assert(sizeof(struct nvme_cmd_effects_log) == 4096, "effects log is 4096 bytes");
#define NVME_CMD_EFFECTS_CSUPP (1u << 0)
#define NVME_CMD_EFFECTS_LBCC (1u << 1)
#define NVME_CMD_EFFECTS_NCC (1u << 2)
#define NVME_CMD_EFFECTS_NIC (1u << 3)
#define NVME_CMD_EFFECTS_CCC (1u << 4)

/* Zoned Namespace Command Set 1.1. */

/* A zone's state (ZS): what a zone descriptor and the state machine say. */
enum nvme_zone_state {
	NVME_ZS_EMPTY = 0x1,
	NVME_ZS_IMP_OPEN = 0x2,
	NVME_ZS_EXP_OPEN = 0x3,
	NVME_ZS_CLOSED = 0x4,
	NVME_ZS_READ_ONLY = 0xd,
	NVME_ZS_FULL = 0xe,
	NVME_ZS_OFFLINE = 0xf,
};

/* Zone Management Send's Zone Send Action (CDW13 bits 7:0). */
enum nvme_zone_send_action {
	NVME_ZSA_CLOSE = 0x01,
	NVME_ZSA_FINISH = 0x02,
	NVME_ZSA_OPEN = 0x03,
	NVME_ZSA_RESET = 0x04,
	NVME_ZSA_OFFLINE = 0x05,
	NVME_ZSA_SET_ZDE = 0x10, /* Set Zone Descriptor Extension */
};
#define NVME_F_ZSA NVME_FIELD(13, 0, 8)
#define NVME_F_ZS_SELECT_ALL NVME_FIELD(13, 8, 1)

/* Zone Management Receive: its action (CDW13 bits 7:0), the action's
 * filter (bits 15:8) and Partial Report (bit 16); CDW12 is dwords - 1. */
enum nvme_zone_recv_action {
	NVME_ZRA_REPORT = 0x00,
	NVME_ZRA_EXT_REPORT = 0x01,
};
enum nvme_zone_report_filter {
	NVME_ZRAS_ALL = 0x0,
	NVME_ZRAS_EMPTY = 0x1,
	NVME_ZRAS_IMP_OPEN = 0x2,
	NVME_ZRAS_EXP_OPEN = 0x3,
	NVME_ZRAS_CLOSED = 0x4,
	NVME_ZRAS_FULL = 0x5,
	NVME_ZRAS_READ_ONLY = 0x6,
	NVME_ZRAS_OFFLINE = 0x7,
};
#define NVME_F_ZRA NVME_FIELD(13, 0, 8)
#define NVME_F_ZRAS NVME_FIELD(13, 8, 8)
#define NVME_F_ZR_PARTIAL NVME_FIELD(13, 16, 1)

/* Zone Management Send: action on the zone that starts at zslba, or on
 * every zone in a state the action applies to (select_all). */
static inline void nvme_prep_zone_send(struct nvme_sqe *sqe, uint32_t nsid, uint64_t zslba,
				       uint8_t action, bool select_all)
{
	*sqe = (struct nvme_sqe){.opcode = NVME_CMD_ZONE_MGMT_SEND,
				 .nsid = nsid,
				 .cdw10 = (uint32_t)zslba,
				 .cdw11 = (uint32_t)(zslba >> 32)};
	nvme_set(sqe, NVME_F_ZSA, action);
	nvme_set(sqe, NVME_F_ZS_SELECT_ALL, select_all);
}

/* Zone Management Receive: a report of the zones from the one holding slba
 * on, those the filter takes, into bytes (no data pointer: the caller's). */
static inline void nvme_prep_zone_report(struct nvme_sqe *sqe, uint32_t nsid, uint64_t slba,
					 uint32_t bytes, uint8_t filter, bool partial)
{
	*sqe = (struct nvme_sqe){.opcode = NVME_CMD_ZONE_MGMT_RECV,
				 .nsid = nsid,
				 .cdw10 = (uint32_t)slba,
				 .cdw11 = (uint32_t)(slba >> 32),
				 .cdw12 = bytes / 4 - 1};
	nvme_set(sqe, NVME_F_ZRA, NVME_ZRA_REPORT);
	nvme_set(sqe, NVME_F_ZRAS, filter);
	nvme_set(sqe, NVME_F_ZR_PARTIAL, partial);
}

#define NVME_ZONE_TYPE_SEQ_WRITE 0x2 /* sequential write required, the one zone type */
/* Zone attributes (ZA) */
#define NVME_ZA_ZFC (1u << 0)  /* zone finished by the controller */
#define NVME_ZA_FZR (1u << 1)  /* finish zone recommended */
#define NVME_ZA_RZR (1u << 2)  /* reset zone recommended */
#define NVME_ZA_ZDEV (1u << 7) /* zone descriptor extension valid */

struct nvme_zone_desc {
	uint8_t zt;  /* bits 3:0: zone type */
	uint8_t zs;  /* bits 7:4: zone state */
	uint8_t za;  /* zone attributes */
	uint8_t zai; /* zone attributes information */
	uint8_t rsvd4[4];
	uint64_t zcap;	/* zone capacity, in LBAs */
	uint64_t zslba; /* the zone's first LBA */
	uint64_t wp;	/* its write pointer */
	uint8_t rsvd32[32];
};
_Static_assert(sizeof(struct nvme_zone_desc) == 64, "a zone descriptor is 64 bytes");
_Static_assert(offsetof(struct nvme_zone_desc, zcap) == 8, "ZCAP at byte 8");
_Static_assert(offsetof(struct nvme_zone_desc, zslba) == 16, "ZSLBA at byte 16");
_Static_assert(offsetof(struct nvme_zone_desc, wp) == 24, "WP at byte 24");

/* Identify, I/O command set specific, for the Zoned Namespace set (CSI 02h):
 * the namespace's (CNS 05h) and the controller's (CNS 06h). */
struct nvme_zns_lbafe {
	uint64_t zsze; /* zone size, in LBAs of the format */
	uint8_t zdes;  /* zone descriptor extension size, in 64 bytes */
	uint8_t rsvd9[7];
};
struct nvme_id_ns_zns {
	uint16_t zoc;  /* zone operation characteristics */
	uint16_t ozcs; /* optional zoned command support */
	uint32_t mar;  /* maximum active resources, 0-based; FFFFFFFFh: no limit */
	uint32_t mor;  /* maximum open resources, likewise */
	uint32_t rrl;  /* reset recommended limit, s (0: none) */
	uint32_t frl;  /* finish recommended limit, s */
	uint8_t rsvd20[2796];
	struct nvme_zns_lbafe lbafe[64];
	uint8_t vs[256];
};
_Static_assert(sizeof(struct nvme_id_ns_zns) == 4096, "ZNS Identify Namespace is 4096 bytes");
_Static_assert(offsetof(struct nvme_id_ns_zns, mar) == 4, "MAR at byte 4");
_Static_assert(offsetof(struct nvme_id_ns_zns, lbafe) == 2816, "LBAFE0 at byte 2816");
struct nvme_id_ctrl_zns {
	uint8_t zasl; /* zone append size limit: 2^n minimum pages; 0: MDTS */
	uint8_t rsvd1[4095];
};
_Static_assert(sizeof(struct nvme_id_ctrl_zns) == 4096, "ZNS Identify Controller is 4096 bytes");
#define NVME_CSI_NVM 0x0
#define NVME_CSI_ZNS 0x2

/* The Changed Zone List (log BFh): the first LBAs of the zones the device
 * changed by itself since the host last read it; FFFFh when more than 511. */
#define NVME_CHANGED_ZONES_MAX 511
struct nvme_changed_zone_log {
	uint16_t nrzid;
	uint8_t rsvd2[6];
	uint64_t zid[NVME_CHANGED_ZONES_MAX];
};
_Static_assert(sizeof(struct nvme_changed_zone_log) == 4096, "the Changed Zone List is 4 KiB");

/* A zone report: this header, then descriptors from byte 64. */
struct nvme_zone_report {
	uint64_t nr_zones;
	uint8_t rsvd8[56];
};
_Static_assert(sizeof(struct nvme_zone_report) == 64, "the zone report header is 64 bytes");

/* Flexible Data Placement (NVMe 2.1, TP4146). */

struct nvme_fdp_config_log { /* log 20h header */
	uint16_t numfdpc;    /* configurations, zero-based */
	uint8_t ver;
	uint8_t rsvd3;
	uint32_t sze; /* the log's size in bytes */
	uint8_t rsvd8[8];
};
_Static_assert(sizeof(struct nvme_fdp_config_log) == 16, "FDP configs header is 16 bytes");

#define NVME_FDPA_VALID (1u << 7)

struct nvme_fdp_config_desc { /* followed by nruh 4-byte RUH descriptors */
	uint16_t dsze;	      /* this descriptor's size, RUH descriptors included */
	uint8_t fdpa;	      /* bits 3:0 RGIF, bit 4 FDP volatile write cache, bit 7 valid */
	uint8_t vss;
	uint32_t nrg;
	uint16_t nruh;
	uint16_t maxpids; /* zero-based */
	uint32_t nnss;
	uint64_t runs;	/* reclaim unit nominal size, bytes */
	uint32_t erutl; /* estimated reclaim unit time limit, seconds; 0: none */
	uint8_t rsvd28[36];
};
_Static_assert(sizeof(struct nvme_fdp_config_desc) == 64, "FDP config descriptor is 64 bytes");
_Static_assert(offsetof(struct nvme_fdp_config_desc, runs) == 16, "RUNS at byte 16");

enum nvme_fdp_ruht { NVME_RUHT_INITIALLY = 1, NVME_RUHT_PERSISTENTLY = 2 };

/* Reclaim Group Identifier Format: the bits a placement identifier gives to
 * the reclaim group, enough for groups 0 .. nrg - 1. */
static inline uint32_t nvme_fdp_rgif(uint32_t nrg)
{
	return nrg > 1 ? 32u - (uint32_t)__builtin_clz(nrg - 1) : 0;
}

/* A placement identifier: the reclaim group in its top RGIF bits, the
 * placement handle below them. */
static inline uint16_t nvme_fdp_pid(uint32_t rgif, uint16_t rg, uint16_t ph)
{
	return rgif ? (uint16_t)(rg << (16 - rgif) | ph) : ph;
}

static inline uint16_t nvme_fdp_pid_rg(uint32_t rgif, uint16_t pid)
{
	return rgif ? (uint16_t)(pid >> (16 - rgif)) : 0;
}

static inline uint16_t nvme_fdp_pid_ph(uint32_t rgif, uint16_t pid)
{
	return rgif ? (uint16_t)(pid & ((1u << (16 - rgif)) - 1)) : pid;
}

struct nvme_fdp_ruh_usage_log { /* log 21h header, then 8-byte descriptors */
	uint16_t nruh;
	uint8_t rsvd2[6];
};

enum nvme_fdp_ruha { NVME_RUHA_UNUSED = 0, NVME_RUHA_HOST = 1, NVME_RUHA_CTRL = 2 };

struct nvme_fdp_stats_log { /* log 22h */
	uint8_t hbmw[16];   /* host bytes with metadata written */
	uint8_t mbmw[16];   /* media bytes with metadata written */
	uint8_t mbe[16];    /* media bytes erased */
	uint8_t rsvd48[16];
};
_Static_assert(sizeof(struct nvme_fdp_stats_log) == 64, "FDP statistics log is 64 bytes");

enum nvme_fdp_event_type {
	NVME_FDP_EVT_RU_NOT_FULLY_WRITTEN = 0x00, /* host events */
	NVME_FDP_EVT_RU_TIME_LIMIT = 0x01,
	NVME_FDP_EVT_CTRL_RESET_MODIFIED = 0x02,
	NVME_FDP_EVT_INVALID_PID = 0x03,
	NVME_FDP_EVT_MEDIA_REALLOCATED = 0x80, /* controller events */
	NVME_FDP_EVT_IMPLICIT_MODIFIED = 0x81,
};

#define NVME_FDP_EVF_PIV (1u << 0)   /* placement identifier valid */
#define NVME_FDP_EVF_NSIDV (1u << 1) /* namespace identifier valid */
#define NVME_FDP_EVF_LV (1u << 2)    /* location (reclaim group, handle) valid */

struct nvme_fdp_event {
	uint8_t type;
	uint8_t flags;
	uint16_t pid;
	uint64_t timestamp; /* as the Timestamp feature reports it */
	uint32_t nsid;
	uint8_t type_specific[16]; /* media reallocated: flags, rsvd, NLBAM (2), LBA (8) */
	uint16_t rgid;
	uint8_t ruhid;
	uint8_t rsvd35[5];
	uint8_t vs[24];
} __attribute__((packed));
_Static_assert(sizeof(struct nvme_fdp_event) == 64, "FDP event is 64 bytes");
_Static_assert(offsetof(struct nvme_fdp_event, rgid) == 32, "RGID at byte 32");

struct nvme_fdp_events_log { /* log 23h */
	uint32_t n;
	uint8_t rsvd4[60];
	struct nvme_fdp_event events[63];
};
_Static_assert(sizeof(struct nvme_fdp_events_log) == 4096, "FDP events log is 4096 bytes");

struct nvme_fdp_ruh_status_desc { /* I/O Management Receive, operation 1 */
	uint16_t pid;
	uint16_t ruhid;
	uint32_t earutr; /* estimated active RU time remaining; 0: not reported */
	uint64_t ruamw;	 /* RU available media writes, in logical blocks */
	uint8_t rsvd16[16];
};
_Static_assert(sizeof(struct nvme_fdp_ruh_status_desc) == 32, "RUH status descriptor is 32 bytes");

struct nvme_fdp_ruh_status {
	uint8_t rsvd0[14];
	uint16_t nruhsd;
	/* struct nvme_fdp_ruh_status_desc follow */
};
_Static_assert(sizeof(struct nvme_fdp_ruh_status) == 16, "RUH status header is 16 bytes");

/*
 * Open-Channel SSD 2.0. A device address (a "chunk LBA") is the group, the
 * parallel unit (PU), the chunk and the sector, most significant first, in
 * the bit widths of the geometry's LBA format. Vector commands carry an LBA
 * list (CDW10-11: its address, or the one LBA when NLB is 0), NLB in CDW12
 * bits 5:0 (0-based, up to 64), a metadata buffer of oc_ms bytes per sector
 * (MPTR), and complete with a 64-bit bitmap of the LBAs that failed in
 * CQE DW0 (low) and DW1 (high).
 */
#define NVME_OC_MAX_LBAS 64
#define NVME_OC_MCCAP_MULTIPLE_RESETS (1u << 1) /* a free chunk may be reset */

struct nvme_oc_lbaf {
	uint8_t grp_len, pu_len, chk_len, lba_len;
	uint8_t rsvd[4];
};
_Static_assert(sizeof(struct nvme_oc_lbaf) == 8, "OCSSD LBA format is 8 bytes");

struct nvme_oc_geometry { /* admin E2h */
	uint8_t mjr, mnr;
	uint8_t rsvd2[6];
	struct nvme_oc_lbaf lbaf;
	uint32_t mccap;
	uint8_t rsvd20[12];
	uint8_t wit; /* wear-level index delta threshold */
	uint8_t rsvd33[31];
	uint16_t num_grp;
	uint16_t num_pu;
	uint32_t num_chk;
	uint32_t clba;
	uint8_t rsvd76[52];
	uint32_t ws_min, ws_opt, mw_cunits, maxoc, maxocpu;
	uint8_t rsvd148[44];
	uint32_t trdt, trdm, twrt, twrm, tcrst, tcrsm; /* read, write, reset: typical, max (ns) */
	uint8_t rsvd216[40];
	uint8_t rsvd256[2816];
	uint8_t vs[1024];
};
_Static_assert(sizeof(struct nvme_oc_geometry) == 4096, "OCSSD geometry is 4096 bytes");
_Static_assert(offsetof(struct nvme_oc_geometry, num_grp) == 64, "NUM_GRP at byte 64");
_Static_assert(offsetof(struct nvme_oc_geometry, ws_min) == 128, "WS_MIN at byte 128");
_Static_assert(offsetof(struct nvme_oc_geometry, trdt) == 192, "TRDT at byte 192");

enum nvme_oc_chunk_state {
	NVME_OC_CHUNK_FREE = 1 << 0,
	NVME_OC_CHUNK_CLOSED = 1 << 1,
	NVME_OC_CHUNK_OPEN = 1 << 2,
	NVME_OC_CHUNK_OFFLINE = 1 << 3,
};

enum nvme_oc_chunk_type {
	NVME_OC_CHUNK_SEQ = 1 << 0,    /* written sequentially */
	NVME_OC_CHUNK_RANDOM = 1 << 1, /* may be written randomly */
	NVME_OC_CHUNK_SHRUNK = 1 << 4, /* deviates from the geometry's chunk size */
};

struct nvme_oc_chunk_desc { /* log CAh: one per chunk, group-major, then PU, then chunk */
	uint8_t cs;	    /* enum nvme_oc_chunk_state */
	uint8_t ct;	    /* enum nvme_oc_chunk_type */
	uint8_t wli;	    /* wear-level index: percent of rated erases used */
	uint8_t rsvd3[5];
	uint64_t slba;
	uint64_t cnlb;
	uint64_t wp;
};
_Static_assert(sizeof(struct nvme_oc_chunk_desc) == 32, "chunk descriptor is 32 bytes");

#endif
