/*
 * A small NVMe/TCP host of the project's own, for the target's protocol
 * tests and the load generator: one connection is one queue; it speaks
 * ICReq, Connect and the property commands, and runs commands with their
 * data in the capsule (writes that fit), through R2T and H2CData (larger
 * writes) or C2HData (reads). It can also send raw bytes, to break rules
 * on purpose. Blocking sockets, read ahead in large pieces; one thread per
 * connection.
 */
#ifndef VSSD_TESTS_NVMF_HOST_H
#define VSSD_TESTS_NVMF_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fabrics.h"
#include "tcp_pdu.h"

#define NH_HOSTNQN "nqn.2014-08.io.vssd:test-host"
#define NH_INCAPSULE_BYTES 8192 /* what this host puts in a capsule at most */

struct nh_conn {
	int fd;
	bool hdgst, ddgst;
	uint32_t maxh2cdata;
	uint16_t qid, cntlid, next_cid;
	/* the last termination request the target sent, if any */
	uint16_t term_fes;
	uint32_t term_fei;
	/* bytes read ahead of the PDU being read */
	uint8_t rx[64 << 10];
	uint32_t rx_off, rx_len;
};

/* What a command does with its data. */
enum nh_dir { NH_NONE, NH_TO_CTRL, NH_TO_HOST };

/* TCP to addr:port and the ICReq/ICResp exchange. Returns 0 or -1 (errno). */
int nh_open(struct nh_conn *c, const char *addr, uint16_t port, bool hdgst, bool ddgst);
void nh_close(struct nh_conn *c);

/* Connect: qid 0 makes a controller (its ID in c->cntlid), else joins
 * cntlid. Returns the CQE status (0: success) or -1 for a broken stream;
 * *result gets DW0. */
int nh_fabrics_connect(struct nh_conn *c, uint16_t qid, uint16_t entries, uint16_t cntlid,
		       const char *subnqn, uint32_t kato_ms, uint32_t *result);
/* Property Get (8 bytes when eight) and Set. Return the status or -1. */
int nh_prop_get(struct nh_conn *c, uint32_t offset, bool eight, uint64_t *value);
int nh_prop_set(struct nh_conn *c, uint32_t offset, uint32_t value);
/* An admin queue up to a ready controller: Connect, CC.EN, CSTS.RDY. */
int nh_admin_up(struct nh_conn *c, const char *addr, uint16_t port, const char *subnqn);
/* Connect and CC.EN with the command sets css chooses (CC.CSS); what CSTS
 * says then in *csts. 0, or -1 when a step failed. */
int nh_admin_enable(struct nh_conn *c, const char *addr, uint16_t port, const char *subnqn,
		    uint32_t css, uint64_t *csts);

/* Runs one command to its response (sqe's cid and data pointer are set
 * here). Returns the CQE status without its phase bit, or -1 when the
 * stream broke (a termination request is in c->term_*). */
int nh_cmd(struct nh_conn *c, struct nvme_sqe *sqe, void *data, uint32_t len, enum nh_dir dir,
	   struct nvme_cqe *cqe);

/* Pipelined: sends a command whose data travels in the capsule (to the
 * controller, len <= NH_INCAPSULE_BYTES) or comes back in C2HData (to the
 * host). Returns 0 or -1. */
int nh_submit(struct nh_conn *c, struct nvme_sqe *sqe, const void *data, uint32_t len,
	      enum nh_dir dir);
/* Receives PDUs until a command completes: its response (data for a read
 * copied to bufs[cid] if bufs). Returns 0 or -1. */
int nh_reap(struct nh_conn *c, struct nvme_cqe *cqe, void **bufs);

/* Raw bytes, for PDUs that break the rules. Returns 0 or -1. */
int nh_send(struct nh_conn *c, const void *p, size_t n);
/* Waits (up to timeout_ms) for the target to answer a broken PDU: a
 * C2HTermReq (returns 1, FES and FEI in c), the connection closed without
 * one (0), or still open (-1). */
int nh_expect_term(struct nh_conn *c, int timeout_ms);

#endif
