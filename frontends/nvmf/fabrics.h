/*
 * NVMe over Fabrics structures as the NVMe over Fabrics Specification 1.1
 * and the Base Specification 2.0 lay them out: the Fabrics commands
 * (Connect, Property Get/Set, Disconnect), Connect's data, the controller
 * properties a fabrics host reads and writes instead of PCIe registers, and
 * the Discovery log page. Little-endian, with static size checks.
 */
#ifndef VSSD_NVMF_FABRICS_H
#define VSSD_NVMF_FABRICS_H

#include <stddef.h>
#include <stdint.h>

#include "vssd/nvme.h"

#define NVME_FABRICS_OPCODE 0x7f
#define NVME_ADMIN_KEEP_ALIVE 0x18
#define NVME_LOG_DISCOVERY 0x70
#define NVME_FEAT_ASYNC_EVENT 0x0b
#define NVME_FEAT_KATO 0x0f

#define NVMF_DISCOVERY_NQN "nqn.2014-08.org.nvmexpress.discovery"
#define NVMF_NQN_BYTES 256

enum nvmf_fctype {
	NVMF_PROPERTY_SET = 0x00,
	NVMF_CONNECT = 0x01,
	NVMF_PROPERTY_GET = 0x04,
	NVMF_AUTH_SEND = 0x05,
	NVMF_AUTH_RECV = 0x06,
	NVMF_DISCONNECT = 0x08,
};

/* A Fabrics command in the SQE's 64 bytes (Connect's fields shown; the
 * property commands use attrib, offset and value). */
struct nvmf_fabrics_cmd {
	uint8_t opcode; /* NVME_FABRICS_OPCODE */
	uint8_t flags;
	uint16_t cid;
	uint8_t fctype;
	uint8_t rsvd5[19];
	struct nvme_sgl_desc sgl1;
	union {
		struct { /* Connect */
			uint16_t recfmt;
			uint16_t qid;
			uint16_t sqsize; /* 0's based */
			uint8_t cattr;	 /* bit 2: SQ flow control disabled */
			uint8_t rsvd47;
			uint32_t kato; /* keep alive timeout, ms */
		} connect;
		struct {		/* Property Get and Set */
			uint8_t attrib; /* bits 2:0: 0 four bytes, 1 eight */
			uint8_t rsvd41[3];
			uint32_t offset;
			uint64_t value; /* Set */
		} prop;
	};
	uint8_t rsvd56[8];
};
_Static_assert(sizeof(struct nvmf_fabrics_cmd) == 64, "a Fabrics command is an SQE");
_Static_assert(offsetof(struct nvmf_fabrics_cmd, connect.qid) == 42, "Connect QID at byte 42");
_Static_assert(offsetof(struct nvmf_fabrics_cmd, connect.kato) == 48, "Connect KATO at byte 48");
_Static_assert(offsetof(struct nvmf_fabrics_cmd, prop.offset) == 44, "property offset at byte 44");
_Static_assert(offsetof(struct nvmf_fabrics_cmd, prop.value) == 48, "property value at byte 48");

#define NVMF_CATTR_SQFLOW_DISABLE (1u << 2)
#define NVMF_CNTLID_DYNAMIC 0xffff

/* Connect's data (1024 bytes). */
struct nvmf_connect_data {
	uint8_t hostid[16];
	uint16_t cntlid;
	uint8_t rsvd18[238];
	char subnqn[NVMF_NQN_BYTES];
	char hostnqn[NVMF_NQN_BYTES];
	uint8_t rsvd768[256];
};
_Static_assert(sizeof(struct nvmf_connect_data) == 1024, "Connect data is 1024 bytes");
_Static_assert(offsetof(struct nvmf_connect_data, subnqn) == 256, "SUBNQN at byte 256");

/* Connect's own status codes (command specific). */
#define NVME_SC_CONNECT_FORMAT NVME_STATUS(1, 0x80)
#define NVME_SC_CONNECT_CTRL_BUSY NVME_STATUS(1, 0x81)
#define NVME_SC_CONNECT_INVALID_PARAM NVME_STATUS(1, 0x82)
#define NVME_SC_CONNECT_INVALID_HOST NVME_STATUS(1, 0x84)
/* A failed Connect's DW0: which field is at fault (IATTR 0: the SQE, 1: the data). */
#define NVMF_CONNECT_IPO(iattr, offset) ((uint32_t)(iattr) << 16 | (uint16_t)(offset))

/* Properties: the registers of a PCIe controller, by offset. */
enum nvmf_property {
	NVMF_PROP_CAP = 0x00,  /* 8 bytes */
	NVMF_PROP_VS = 0x08,   /* 4 */
	NVMF_PROP_CC = 0x14,   /* 4 */
	NVMF_PROP_CSTS = 0x1c, /* 4 */
};
#define NVME_CC_EN (1u << 0)
#define NVME_CC_SHN(cc) (((cc) >> 14) & 3)
#define NVME_CC_CSS(cc) (((cc) >> 4) & 7)
#define NVME_CC_CSS_NVM 0      /* the NVM command set alone */
#define NVME_CC_CSS_ALL_IOCS 6 /* every I/O command set CAP.CSS bit 6 says */
#define NVME_CSTS_RDY (1u << 0)
#define NVME_CSTS_CFS (1u << 1)
#define NVME_CSTS_SHST_COMPLETE (2u << 2)

/* The Discovery log page: a header, then one entry per subsystem port. */
struct nvmf_disc_log_header {
	uint64_t genctr;
	uint64_t numrec;
	uint16_t recfmt;
	uint8_t rsvd18[1006];
};

enum nvmf_disc_subtype {
	NVMF_SUBTYPE_REFERRAL = 1,
	NVMF_SUBTYPE_NVME = 2,		    /* an NVM subsystem */
	NVMF_SUBTYPE_DISCOVERY_CURRENT = 3, /* this discovery subsystem */
};
#define NVMF_TRTYPE_TCP 3
#define NVMF_ADRFAM_IPV4 1
#define NVMF_TREQ_SQFLOW_DISABLE_OK (1u << 2)
#define NVMF_TCP_SECTYPE_NONE 0

struct nvmf_disc_log_entry {
	uint8_t trtype;
	uint8_t adrfam;
	uint8_t subtype;
	uint8_t treq;
	uint16_t portid;
	uint16_t cntlid;
	uint16_t asqsz; /* the largest admin SQ, in entries */
	uint16_t eflags;
	uint8_t rsvd12[20];
	char trsvcid[32]; /* the port, in ASCII */
	uint8_t rsvd64[192];
	char subnqn[NVMF_NQN_BYTES];
	char traddr[256]; /* the address, in ASCII */
	uint8_t tsas[256];
};
_Static_assert(sizeof(struct nvmf_disc_log_header) == 1024, "the discovery log header is 1 KiB");
_Static_assert(sizeof(struct nvmf_disc_log_entry) == 1024, "a discovery log entry is 1 KiB");
_Static_assert(offsetof(struct nvmf_disc_log_entry, trsvcid) == 32, "TRSVCID at byte 32");
_Static_assert(offsetof(struct nvmf_disc_log_entry, traddr) == 512, "TRADDR at byte 512");

#endif
