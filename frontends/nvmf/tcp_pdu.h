/*
 * NVMe/TCP PDUs as the NVMe/TCP Transport Specification 1.0 lays them out
 * (names as the spec and Linux's include/linux/nvme-tcp.h use them),
 * little-endian, with static size and offset checks.
 */
#ifndef VSSD_NVMF_TCP_PDU_H
#define VSSD_NVMF_TCP_PDU_H

#include <stddef.h>
#include <stdint.h>

#include "vssd/nvme.h"

enum nvme_tcp_pdu_type {
	NVME_TCP_ICREQ = 0x00,
	NVME_TCP_ICRESP = 0x01,
	NVME_TCP_H2C_TERM = 0x02,
	NVME_TCP_C2H_TERM = 0x03,
	NVME_TCP_CMD = 0x04, /* CapsuleCmd */
	NVME_TCP_RSP = 0x05, /* CapsuleResp */
	NVME_TCP_H2C_DATA = 0x06,
	NVME_TCP_C2H_DATA = 0x07,
	NVME_TCP_R2T = 0x09,
};

/* Common header flags. */
#define NVME_TCP_F_HDGST 0x01	     /* a header digest follows the header */
#define NVME_TCP_F_DDGST 0x02	     /* a data digest follows the data */
#define NVME_TCP_F_DATA_LAST 0x04    /* H2C/C2H data: the last PDU of the transfer */
#define NVME_TCP_F_DATA_SUCCESS 0x08 /* C2H data: the command succeeded; no response follows */

/* ICReq / ICResp DGST bits. */
#define NVME_TCP_HDR_DIGEST_ENABLE 0x01
#define NVME_TCP_DATA_DIGEST_ENABLE 0x02

#define NVME_TCP_DIGEST_BYTES 4
#define NVME_TCP_PFV_1_0 0

/* Fatal error status of a termination request. */
enum nvme_tcp_fes {
	NVME_TCP_FES_INVALID_PDU_HDR = 0x01,
	NVME_TCP_FES_PDU_SEQ_ERR = 0x02,
	NVME_TCP_FES_HDR_DIGEST_ERR = 0x03,
	NVME_TCP_FES_DATA_OUT_OF_RANGE = 0x04,
	NVME_TCP_FES_DATA_LIMIT_EXCEEDED = 0x05, /* also: R2T limit exceeded */
	NVME_TCP_FES_UNSUPPORTED_PARAM = 0x06,
};

/* Every PDU starts with the common header (CH). */
struct nvme_tcp_hdr {
	uint8_t type;
	uint8_t flags;
	uint8_t hlen;  /* header length, without its digest */
	uint8_t pdo;   /* where the data starts, from the PDU's first byte; 0: no data */
	uint32_t plen; /* the whole PDU: header, digests, padding and data */
};

struct nvme_tcp_icreq {
	struct nvme_tcp_hdr hdr;
	uint16_t pfv;
	uint8_t hpda;	 /* host PDU data alignment, in dwords, 0's based */
	uint8_t digest;	 /* NVME_TCP_*_DIGEST_ENABLE */
	uint32_t maxr2t; /* R2Ts outstanding per command, 0's based */
	uint8_t rsvd[112];
};

struct nvme_tcp_icresp {
	struct nvme_tcp_hdr hdr;
	uint16_t pfv;
	uint8_t cpda; /* controller PDU data alignment */
	uint8_t digest;
	uint32_t maxdata; /* MAXH2CDATA: the most data one H2CData PDU may carry */
	uint8_t rsvd[112];
};

struct nvme_tcp_term {
	struct nvme_tcp_hdr hdr;
	uint16_t fes;
	uint8_t fei[4]; /* fatal error information (a byte offset, or a field's value) */
	uint8_t rsvd[10];
	/* then the header of the PDU at fault, up to NVME_TCP_TERM_MAX_DATA bytes */
};
#define NVME_TCP_TERM_MAX_DATA 128

struct nvme_tcp_cmd {
	struct nvme_tcp_hdr hdr;
	struct nvme_sqe sqe;
};

struct nvme_tcp_rsp {
	struct nvme_tcp_hdr hdr;
	struct nvme_cqe cqe;
};

/* H2CData and C2HData. */
struct nvme_tcp_data {
	struct nvme_tcp_hdr hdr;
	uint16_t cccid; /* the command's identifier */
	uint16_t ttag;	/* H2C: the R2T's transfer tag */
	uint32_t datao; /* offset of this PDU's data in the command's */
	uint32_t datal;
	uint8_t rsvd[4];
};

struct nvme_tcp_r2t {
	struct nvme_tcp_hdr hdr;
	uint16_t cccid;
	uint16_t ttag;
	uint32_t r2to; /* offset of the data asked for */
	uint32_t r2tl; /* its length */
	uint8_t rsvd[4];
};

_Static_assert(sizeof(struct nvme_tcp_hdr) == 8, "CH is 8 bytes");
_Static_assert(sizeof(struct nvme_tcp_icreq) == 128, "ICReq is 128 bytes");
_Static_assert(sizeof(struct nvme_tcp_icresp) == 128, "ICResp is 128 bytes");
_Static_assert(offsetof(struct nvme_tcp_icresp, maxdata) == 12, "MAXH2CDATA at byte 12");
_Static_assert(sizeof(struct nvme_tcp_term) == 24, "a termination request's header is 24 bytes");
_Static_assert(offsetof(struct nvme_tcp_term, fei) == 10, "FEI at byte 10");
_Static_assert(sizeof(struct nvme_tcp_cmd) == 72, "CapsuleCmd's header is 72 bytes");
_Static_assert(sizeof(struct nvme_tcp_rsp) == 24, "CapsuleResp is 24 bytes");
_Static_assert(sizeof(struct nvme_tcp_data) == 24, "a data PDU's header is 24 bytes");
_Static_assert(offsetof(struct nvme_tcp_data, datal) == 16, "DATAL at byte 16");
_Static_assert(sizeof(struct nvme_tcp_r2t) == 24, "R2T is 24 bytes");

#endif
