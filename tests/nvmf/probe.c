/*
 * The NVMe/TCP target against a host of our own (host.c), on this machine:
 * discovery, a controller brought up, data in the capsule, through R2T
 * and back in C2HData, with and without digests; then PDUs and commands
 * that break the rules, each on a connection of its own, while a queue
 * holding acknowledged data stays connected: each must end its own
 * connection with the right termination request (or status), and the data
 * and the other queue must come through untouched.
 *
 *   probe ADDRESS PORT DISCOVERY_PORT
 *
 * Prints "ok - CASE" or "not ok - CASE: why" per case; exits 1 if any failed.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "host.h"
#include "vssd/vssd.h"

static const char *addr;
static uint16_t port, disc_port;
static char subnqn[256];
static uint16_t cntlid;	      /* the controller the cases' I/O queues join */
static struct nh_conn admin;  /* its admin queue */
static struct nh_conn victim; /* an I/O queue that must outlive every case */
static uint8_t victim_data[65536];
static char why[512];

static int failf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return -1;
}

static void fill(uint8_t *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 9));
}

static int rw(struct nh_conn *c, uint8_t opcode, uint64_t slba, void *buf, uint32_t bytes)
{
	struct nvme_sqe sqe = {.opcode = opcode, .nsid = 1};
	struct nvme_cqe cqe;

	sqe.cdw10 = (uint32_t)slba;
	sqe.cdw11 = (uint32_t)(slba >> 32);
	sqe.cdw12 = bytes / 4096 - 1;
	return nh_cmd(c, &sqe, buf, bytes, opcode == NVME_CMD_WRITE ? NH_TO_CTRL : NH_TO_HOST,
		      &cqe);
}

/* A queue identifier no earlier case used: a queue the host has just
 * closed may still be bound while the target's thread for it winds down. */
static uint16_t fresh_qid(void)
{
	static uint16_t next = 3;

	return next++;
}

static int io_queue(struct nh_conn *c, uint16_t qid, bool hdgst, bool ddgst)
{
	int st;

	if (nh_open(c, addr, port, hdgst, ddgst))
		return failf("cannot open a connection: %s", strerror(errno));
	if ((st = nh_fabrics_connect(c, qid, 64, cntlid, subnqn, 0, NULL)))
		return failf("I/O Connect failed: status 0x%x", st);
	return 0;
}

/* Writes and reads back sizes that go in the capsule and through R2T. */
static int data_roundtrip(struct nh_conn *c, uint64_t slba)
{
	static uint8_t out[256 << 10], in[256 << 10];
	const uint32_t sizes[] = {4096, 8192, 16384, 128 << 10, 256 << 10};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int st;

		fill(out, sizes[i], (unsigned)(slba + i));
		memset(in, 0, sizes[i]);
		if ((st = rw(c, NVME_CMD_WRITE, slba, out, sizes[i])))
			return failf("write of %u bytes: status 0x%x", sizes[i], st);
		if ((st = rw(c, NVME_CMD_READ, slba, in, sizes[i])))
			return failf("read of %u bytes: status 0x%x", sizes[i], st);
		if (memcmp(out, in, sizes[i]))
			return failf("%u bytes read back differ", sizes[i]);
		slba += sizes[i] / 4096;
	}
	return 0;
}

static int case_discovery(void)
{
	struct nh_conn c;
	struct nvme_sqe sqe = {.opcode = NVME_ADMIN_GET_LOG_PAGE};
	struct nvme_cqe cqe;
	uint8_t log[3072] = {0}, id[4096];
	const struct nvmf_disc_log_header *h = (const void *)log;
	const struct nvmf_disc_log_entry *e = (const void *)(log + 1024);
	int st;

	if (nh_open(&c, addr, disc_port, false, false))
		return failf("cannot reach the discovery port %u", disc_port);
	if ((st = nh_fabrics_connect(&c, 0, 32, NVMF_CNTLID_DYNAMIC, NVMF_DISCOVERY_NQN, 0, NULL)))
		return failf("discovery Connect: status 0x%x", st);
	nvme_prep_identify(&sqe, 0, NVME_ID_CNS_CTRL, NULL);
	if ((st = nh_cmd(&c, &sqe, id, sizeof(id), NH_TO_HOST, &cqe)) ||
	    ((struct nvme_id_ctrl *)id)->cntrltype != 2)
		return failf("discovery Identify: status 0x%x, CNTRLTYPE %u", st,
			     ((struct nvme_id_ctrl *)id)->cntrltype);
	sqe = (struct nvme_sqe){.opcode = NVME_ADMIN_GET_LOG_PAGE};
	nvme_set(&sqe, NVME_F_LID, NVME_LOG_DISCOVERY);
	nvme_set(&sqe, NVME_F_NUMDL, sizeof(log) / 4 - 1);
	if ((st = nh_cmd(&c, &sqe, log, sizeof(log), NH_TO_HOST, &cqe)))
		return failf("log page 70h: status 0x%x", st);
	if (h->numrec < 1 || e->subtype != NVMF_SUBTYPE_NVME)
		return failf("the discovery log lists %llu records, the first of subtype %u",
			     (unsigned long long)h->numrec, e->subtype);
	snprintf(subnqn, sizeof(subnqn), "%s", e->subnqn);
	nh_close(&c);
	return 0;
}

static int case_controller(void)
{
	struct nvme_sqe sqe;
	struct nvme_cqe cqe;
	struct nvme_id_ctrl id;
	uint64_t cap = 0, vs = 0;
	int st;

	if (nh_admin_up(&admin, addr, port, subnqn))
		return failf("the admin queue did not come up");
	cntlid = admin.cntlid;
	if (nh_prop_get(&admin, NVMF_PROP_CAP, true, &cap) ||
	    nh_prop_get(&admin, NVMF_PROP_VS, false, &vs) || (cap & 0xffff) < 31 ||
	    vs != 0x00020000)
		return failf("CAP 0x%llx, VS 0x%llx", (unsigned long long)cap,
			     (unsigned long long)vs);
	nvme_prep_identify(&sqe, 0, NVME_ID_CNS_CTRL, NULL);
	if ((st = nh_cmd(&admin, &sqe, &id, sizeof(id), NH_TO_HOST, &cqe)))
		return failf("Identify: status 0x%x", st);
	if (id.cntlid != cntlid || !id.ioccsz || id.iorcsz != 1 || !(id.sgls & 1u << 20) ||
	    !id.kas || strncmp(id.subnqn, subnqn, sizeof(id.subnqn)))
		return failf("Identify's fabrics fields: CNTLID %u (Connect gave %u), IOCCSZ %u, "
			     "IORCSZ %u, SGLS 0x%x, KAS %u, SUBNQN %.64s",
			     id.cntlid, cntlid, id.ioccsz, id.iorcsz, id.sgls, id.kas, id.subnqn);
	return 0;
}

static int case_io(void)
{
	return io_queue(&victim, 1, false, false) || data_roundtrip(&victim, 0) ? -1 : 0;
}

/* One command on the victim queue: its status code (0: success). */
static uint16_t io_cmd(struct nvme_sqe *sqe, void *buf, uint32_t bytes, enum nh_dir dir)
{
	struct nvme_cqe cqe = {0};

	sqe->nsid = 1;
	if (nh_cmd(&victim, sqe, buf, bytes, dir, &cqe) < 0)
		return 0xffff;
	return nvme_cqe_code(&cqe);
}

/* The namespace's last LBA takes data, the one past it fails; Write Zeroes
 * and a deallocation leave zeros (whatever serves the namespace: the
 * device's FTL or pblk). */
static int case_namespace(void)
{
	static uint8_t data[8192], zeros[8192], back[8192];
	struct nvme_sqe sqe;
	struct nvme_cqe cqe;
	struct nvme_id_ns id;
	struct nvme_dsm_range r;
	uint64_t last;
	uint16_t st;

	nvme_prep_identify(&sqe, 1, NVME_ID_CNS_NS, NULL);
	if (nh_cmd(&admin, &sqe, &id, sizeof(id), NH_TO_HOST, &cqe) || !id.nsze ||
	    id.lbaf[id.flbas & 0xf].lbads != 12)
		return failf("Identify Namespace: NSZE %llu, LBADS %u", (unsigned long long)id.nsze,
			     id.lbaf[id.flbas & 0xf].lbads);
	last = id.nsze - 1;
	fill(data, sizeof(data), 9);
	if (rw(&victim, NVME_CMD_WRITE, last, data, 4096) ||
	    rw(&victim, NVME_CMD_READ, last, back, 4096) || memcmp(data, back, 4096))
		return failf("the last LBA (%llu) did not take 4 KiB", (unsigned long long)last);
	sqe = (struct nvme_sqe){.opcode = NVME_CMD_READ,
				.cdw10 = (uint32_t)(last + 1),
				.cdw11 = (uint32_t)((last + 1) >> 32)};
	if ((st = io_cmd(&sqe, back, 4096, NH_TO_HOST)) != NVME_SC_LBA_RANGE)
		return failf("a read past the end: status 0x%x, expected LBA Out of Range", st);
	sqe = (struct nvme_sqe){.opcode = NVME_CMD_WRITE_ZEROES, .cdw10 = 4000, .cdw12 = 1};
	if (rw(&victim, NVME_CMD_WRITE, 4000, data, 8192) ||
	    (st = io_cmd(&sqe, NULL, 0, NH_NONE)) || rw(&victim, NVME_CMD_READ, 4000, back, 8192) ||
	    memcmp(back, zeros, 8192))
		return failf("Write Zeroes: status 0x%x, or the blocks do not read as zeros", st);
	r = (struct nvme_dsm_range){.nlb = 2, .slba = 4002};
	sqe = (struct nvme_sqe){.opcode = NVME_CMD_DSM};
	nvme_set(&sqe, NVME_F_DSM_AD, 1);
	if (rw(&victim, NVME_CMD_WRITE, 4002, data, 8192) ||
	    (st = io_cmd(&sqe, &r, sizeof(r), NH_TO_CTRL)) ||
	    rw(&victim, NVME_CMD_READ, 4002, back, 8192) || memcmp(back, zeros, 8192))
		return failf("Deallocate: status 0x%x, or the blocks do not read as zeros", st);
	return 0;
}

/* Get Log Page lid of bytes into buf on the admin queue; its status. */
static int admin_log(uint8_t lid, void *buf, uint32_t bytes)
{
	struct nvme_sqe sqe;
	struct nvme_cqe cqe;

	nvme_prep_get_log_page(&sqe, NVME_NSID_ALL, lid, NULL, bytes, 0);
	return nh_cmd(&admin, &sqe, buf, bytes, NH_TO_HOST, &cqe);
}

/* A failed command is in the controller's Error Information log as its
 * host sent it: the I/O queue's SQID and the host's command identifier,
 * the status, the LBA; SMART counts the entries. */
static int case_error_log(void)
{
	static uint8_t back[4096];
	struct nvme_error_log log[64];
	struct nvme_smart_log smart;
	struct nvme_sqe sqe = {.opcode = NVME_CMD_READ, .cdw10 = 0xfffffff0u};
	struct nvme_cqe cqe = {0};
	uint64_t entries;

	sqe.nsid = 1;
	if (nh_cmd(&victim, &sqe, back, 4096, NH_TO_HOST, &cqe) <= 0)
		return failf("a read past the end did not fail");
	if (admin_log(NVME_LOG_ERROR, log, sizeof(log)) ||
	    admin_log(NVME_LOG_SMART, &smart, sizeof(smart)))
		return failf("Get Log Page of the error log or SMART failed");
	if (log[0].sqid != victim.qid || log[0].cmdid != sqe.cid ||
	    log[0].status_field != (cqe.status & (uint16_t)~NVME_CQE_PHASE) ||
	    log[0].lba != 0xfffffff0u || log[0].opcode != NVME_CMD_READ || !log[0].error_count)
		return failf(
			"the newest entry: SQID %u CID %u status 0x%x LBA 0x%llx, expected SQID "
			"%u CID %u status 0x%x LBA 0xfffffff0",
			log[0].sqid, log[0].cmdid, log[0].status_field,
			(unsigned long long)log[0].lba, victim.qid, sqe.cid,
			cqe.status & (uint16_t)~NVME_CQE_PHASE);
	memcpy(&entries, smart.num_err_log_entries, sizeof(entries));
	if (entries != log[0].error_count)
		return failf("SMART counts %llu error log entries, the log %llu",
			     (unsigned long long)entries, (unsigned long long)log[0].error_count);
	return 0;
}

static int case_digests(void)
{
	struct nh_conn c;
	int rc = io_queue(&c, 2, true, true) || data_roundtrip(&c, 1024) ? -1 : 0;

	nh_close(&c);
	return rc;
}

/* The victim's data, written once before the bad cases and read after. */
static int case_victim_write(void)
{
	fill(victim_data, sizeof(victim_data), 99);
	return rw(&victim, NVME_CMD_WRITE, 4096, victim_data, sizeof(victim_data))
		       ? failf("the victim's write failed")
		       : 0;
}

/* A connection past ICReq (and Connect, when connected) that sends bytes;
 * the target must answer with a termination request of FES fes (and FEI
 * fei, unless ~0u). */
static int expect_term(bool connected, const void *bytes, size_t n, uint16_t fes, uint32_t fei)
{
	struct nh_conn c;
	int r;

	if (connected ? io_queue(&c, fresh_qid(), false, false)
		      : nh_open(&c, addr, port, false, false))
		return failf("cannot open the connection");
	nh_send(&c, bytes, n);
	r = nh_expect_term(&c, 5000);
	nh_close(&c);
	if (r != 1)
		return failf(r ? "the connection stayed open"
			       : "closed without a termination request");
	if (c.term_fes != fes || (fei != ~0u && c.term_fei != fei))
		return failf("C2HTermReq FES %u FEI %u, expected FES %u FEI %u", c.term_fes,
			     c.term_fei, fes, fei);
	return 0;
}

static struct nvme_tcp_cmd capsule(uint8_t opcode)
{
	struct nvme_tcp_cmd p = {.hdr = {.type = NVME_TCP_CMD, .hlen = 72, .plen = 72}};

	p.sqe.opcode = opcode;
	p.sqe.nsid = 1;
	NVME_SQE_SET_PSDT(&p.sqe, NVME_PSDT_SGL);
	return p;
}

static int case_bad_hlen(void)
{
	struct nvme_tcp_cmd p = capsule(NVME_CMD_FLUSH);

	p.hdr.hlen = 70;
	return expect_term(true, &p, sizeof(p), NVME_TCP_FES_INVALID_PDU_HDR, 2);
}

static int case_bad_pdo(void)
{
	struct nvme_tcp_cmd p = capsule(NVME_CMD_WRITE);
	uint8_t buf[72 + 4096] = {0};

	p.hdr.pdo = 40; /* inside the header */
	p.hdr.plen = sizeof(buf);
	memcpy(buf, &p, sizeof(p));
	return expect_term(true, buf, sizeof(buf), NVME_TCP_FES_INVALID_PDU_HDR, 3);
}

static int case_bad_plen(void)
{
	struct nvme_tcp_cmd p = capsule(NVME_CMD_FLUSH);

	p.hdr.plen = 30; /* shorter than the header */
	return expect_term(true, &p, sizeof(p), NVME_TCP_FES_INVALID_PDU_HDR, 4);
}

static int case_bad_type(void)
{
	struct nvme_tcp_rsp p = {.hdr = {.type = NVME_TCP_RSP, .hlen = 24, .plen = 24}};

	return expect_term(true, &p, sizeof(p), NVME_TCP_FES_INVALID_PDU_HDR, 0);
}

static int case_icreq_twice(void)
{
	struct nvme_tcp_icreq p = {.hdr = {.type = NVME_TCP_ICREQ, .hlen = 128, .plen = 128}};

	return expect_term(false, &p, sizeof(p), NVME_TCP_FES_PDU_SEQ_ERR, 0);
}

static int case_before_connect(void)
{
	struct nvme_tcp_cmd p = capsule(NVME_CMD_FLUSH);

	return expect_term(false, &p, sizeof(p), NVME_TCP_FES_PDU_SEQ_ERR, ~0u);
}

static int case_header_digest(void)
{
	struct nh_conn c;
	struct nvme_tcp_cmd p = capsule(NVME_CMD_FLUSH);
	uint8_t buf[76];
	uint32_t crc;
	int r;

	if (io_queue(&c, fresh_qid(), true, false))
		return -1;
	p.hdr.flags = NVME_TCP_F_HDGST;
	p.hdr.plen = 76;
	memcpy(buf, &p, 72);
	crc = vssd_crc32c(0, buf, 72) ^ 1; /* one bit off */
	memcpy(buf + 72, &crc, 4);
	nh_send(&c, buf, sizeof(buf));
	r = nh_expect_term(&c, 5000);
	nh_close(&c);
	if (r != 1 || c.term_fes != NVME_TCP_FES_HDR_DIGEST_ERR)
		return failf("a wrong header digest got %s FES %u",
			     r == 1 ? "C2HTermReq" : "no termination request", c.term_fes);
	return 0;
}

/* A write whose data digest is wrong fails with Transient Transport Error;
 * the connection goes on, and the same write again succeeds. */
static int case_data_digest(void)
{
	struct nh_conn c;
	struct nvme_tcp_cmd p = capsule(NVME_CMD_WRITE);
	struct nvme_sgl_desc d = {.length = 4096,
				  .type = NVME_SGL_ID(NVME_SGL_DATA_BLOCK, NVME_SGL_OFFSET)};
	static uint8_t buf[72 + 4 + 4096 + 4], back[4096];
	uint8_t hdr[132], *data;
	uint32_t crc;
	int rc = 0;

	if (io_queue(&c, fresh_qid(), true, true))
		return -1;
	p.hdr.flags = NVME_TCP_F_HDGST | NVME_TCP_F_DDGST;
	p.hdr.pdo = 76;
	p.hdr.plen = sizeof(buf);
	p.sqe.cid = 77;
	p.sqe.cdw10 = 2048;
	memcpy(&p.sqe.prp1, &d, sizeof(d));
	memcpy(buf, &p, 72);
	crc = vssd_crc32c(0, buf, 72);
	memcpy(buf + 72, &crc, 4);
	fill(buf + 76, 4096, 5);
	crc = vssd_crc32c(0, buf + 76, 4096) ^ 0x100;
	memcpy(buf + 76 + 4096, &crc, 4);
	nh_send(&c, buf, sizeof(buf));
	{
		struct nvme_cqe cqe;

		if (nh_reap(&c, &cqe, NULL) || (cqe.status & 0xfffe) != NVME_SC_TRANSIENT_TRANSPORT)
			rc = failf("a wrong data digest: status 0x%x, expected Transient Transport "
				   "Error",
				   cqe.status);
	}
	(void)hdr;
	(void)data;
	if (!rc && (rw(&c, NVME_CMD_WRITE, 2048, buf + 76, 4096) ||
		    rw(&c, NVME_CMD_READ, 2048, back, 4096) || memcmp(back, buf + 76, 4096)))
		rc = failf("the connection did not go on after a data digest error");
	nh_close(&c);
	return rc;
}

/* An R2T'd write whose H2CData breaks a rule: tag, range, MAXH2CDATA. */
static int h2c_case(uint16_t ttag_delta, uint32_t datao, uint32_t datal, uint16_t fes, uint32_t fei)
{
	struct nh_conn c;
	struct nvme_tcp_cmd p = capsule(NVME_CMD_WRITE);
	struct nvme_sgl_desc d = {
		.length = 64 << 10,
		.type = NVME_SGL_ID(NVME_SGL_TRANSPORT_DATA_BLOCK, NVME_SGL_TRANSPORT)};
	struct nvme_tcp_r2t r2t;
	struct nvme_tcp_data h = {.hdr = {.type = NVME_TCP_H2C_DATA, .hlen = 24, .pdo = 24}};
	static uint8_t data[512 << 10];
	int r;

	if (io_queue(&c, fresh_qid(), false, false))
		return -1;
	p.sqe.cid = 9;
	p.sqe.cdw12 = 15; /* 16 LBAs */
	memcpy(&p.sqe.prp1, &d, sizeof(d));
	nh_send(&c, &p, sizeof(p));
	{
		struct pollfd pf = {.fd = c.fd, .events = POLLIN};

		if (poll(&pf, 1, 5000) != 1 || read(c.fd, &r2t, sizeof(r2t)) != sizeof(r2t) ||
		    r2t.hdr.type != NVME_TCP_R2T)
			return nh_close(&c), failf("no R2T for a 64 KiB write");
	}
	h.cccid = 9;
	h.ttag = (uint16_t)(r2t.ttag + ttag_delta);
	h.datao = datao;
	h.datal = datal;
	h.hdr.plen = 24 + datal;
	nh_send(&c, &h, sizeof(h));
	nh_send(&c, data, datal);
	r = nh_expect_term(&c, 5000);
	nh_close(&c);
	if (r != 1 || c.term_fes != fes || c.term_fei != fei)
		return failf("%s FES %u FEI %u, expected FES %u FEI %u",
			     r == 1 ? "C2HTermReq" : "no termination request", c.term_fes,
			     c.term_fei, fes, fei);
	return 0;
}

static int case_h2c_unknown_tag(void)
{
	return h2c_case(100, 0, 4096, NVME_TCP_FES_INVALID_PDU_HDR, 10);
}

static int case_h2c_out_of_range(void)
{
	return h2c_case(0, 4096, 4096, NVME_TCP_FES_DATA_OUT_OF_RANGE, 12);
}

static int case_h2c_over_maxh2cdata(void)
{
	return h2c_case(0, 0, (128 << 10) + 4096, NVME_TCP_FES_DATA_LIMIT_EXCEEDED, 4);
}

/* Connects that must be refused with a status (and the field at fault),
 * the connection ending after. */
static int expect_connect_refused(uint16_t qid, uint16_t entries, uint16_t id, uint16_t status,
				  uint32_t ipo)
{
	struct nh_conn c;
	uint32_t result = 0;
	int st;
	uint8_t b;

	if (nh_open(&c, addr, port, false, false))
		return failf("cannot open the connection");
	st = nh_fabrics_connect(&c, qid, entries, id, subnqn, 0, &result);
	if (st != (int)(NVME_CQE_DNR | status) || result != ipo) {
		nh_close(&c);
		return failf("Connect: status 0x%x result 0x%x, expected 0x%x and 0x%x", st, result,
			     NVME_CQE_DNR | status, ipo);
	}
	st = (int)read(c.fd, &b, 1);
	nh_close(&c);
	return st == 0 ? 0 : failf("the connection stayed open after a refused Connect");
}

static int case_connect_unknown_ctrl(void)
{
	return expect_connect_refused(1, 32, 60, NVME_SC_CONNECT_INVALID_PARAM,
				      NVMF_CONNECT_IPO(1, 16));
}

static int case_connect_over_mqes(void)
{
	return expect_connect_refused(4, 2048, cntlid, NVME_SC_CONNECT_INVALID_PARAM,
				      NVMF_CONNECT_IPO(0, 44));
}

static int case_keep_alive(void)
{
	struct nh_conn c;
	struct pollfd pf;
	uint8_t b;
	struct timespec t0, t1;

	if (nh_open(&c, addr, port, false, false) ||
	    nh_fabrics_connect(&c, 0, 32, NVMF_CNTLID_DYNAMIC, subnqn, 1000, NULL))
		return failf("no admin queue with a 1 s keep alive");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pf = (struct pollfd){.fd = c.fd, .events = POLLIN};
	if (poll(&pf, 1, 5000) != 1 || read(c.fd, &b, 1) != 0)
		return nh_close(&c), failf("a silent host was not cut off within 5 s");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	nh_close(&c);
	if (t1.tv_sec - t0.tv_sec < 1)
		return failf("cut off before its keep alive timeout");
	return 0;
}

/* After every bad case: the victim's data reads back, on its own queue. */
static int case_victim_intact(void)
{
	static uint8_t back[sizeof(victim_data)];

	if (rw(&victim, NVME_CMD_READ, 4096, back, sizeof(back)))
		return failf("the victim's queue no longer works");
	return memcmp(back, victim_data, sizeof(back)) ? failf("the victim's data changed") : 0;
}

static int case_disconnect(void)
{
	struct nvmf_fabrics_cmd f = {.opcode = NVME_FABRICS_OPCODE, .fctype = NVMF_DISCONNECT};
	struct nvme_sqe sqe;
	struct nvme_cqe cqe;
	uint8_t b;
	int st;

	memcpy(&sqe, &f, sizeof(sqe));
	if ((st = nh_cmd(&victim, &sqe, NULL, 0, NH_NONE, &cqe)))
		return failf("Disconnect: status 0x%x", st);
	return read(victim.fd, &b, 1) == 0 ? 0 : failf("the queue stayed open after Disconnect");
}

/* A zoned target: a controller enabled with CC.CSS css, ready or not,
 * and whether its namespace is active (Identify Namespace not all zeros). */
static int css_ctrl(struct nh_conn *c, uint32_t css, uint64_t *csts, bool *active)
{
	struct nvme_sqe sqe;
	struct nvme_cqe cqe;
	struct nvme_id_ns id;

	if (nh_admin_enable(c, addr, port, subnqn, css, csts))
		return failf("Connect or CC.EN with CC.CSS %u failed", css);
	if (!(*csts & NVME_CSTS_RDY))
		return 0;
	nvme_prep_identify(&sqe, 1, NVME_ID_CNS_NS, NULL);
	if (nh_cmd(c, &sqe, &id, sizeof(id), NH_TO_HOST, &cqe))
		return failf("Identify Namespace failed");
	*active = id.nsze != 0;
	return 0;
}

/* CC.CSS 110b (every set CAP.CSS lists by CSI): the zoned namespace is
 * there and takes a read. */
static int case_css_all(void)
{
	static uint8_t buf[4096];
	uint64_t csts;
	bool active = false;
	int st;

	if (css_ctrl(&admin, 6, &csts, &active))
		return -1;
	cntlid = admin.cntlid;
	if (!(csts & NVME_CSTS_RDY) || !active)
		return failf("CSTS 0x%llx, the namespace %s", (unsigned long long)csts,
			     active ? "active" : "inactive");
	if (io_queue(&victim, 1, false, false) || (st = rw(&victim, NVME_CMD_READ, 0, buf, 4096)))
		return failf("a read of the zoned namespace failed");
	return 0;
}

/* CC.CSS 000b (the NVM set alone): the zoned namespace is inactive, its
 * I/O Invalid Namespace. */
static int case_css_nvm(void)
{
	static uint8_t buf[4096];
	struct nh_conn c, q;
	uint64_t csts;
	bool active = true;
	int st = 0, rc = 0;

	if (css_ctrl(&c, 0, &csts, &active))
		return -1;
	if (!(csts & NVME_CSTS_RDY) || active)
		rc = failf("CSTS 0x%llx, the namespace %s", (unsigned long long)csts,
			   active ? "active" : "inactive");
	else if (nh_open(&q, addr, port, false, false) ||
		 nh_fabrics_connect(&q, 1, 64, c.cntlid, subnqn, 0, NULL))
		rc = failf("its I/O queue did not connect");
	else if (((st = rw(&q, NVME_CMD_READ, 0, buf, 4096)) & ~NVME_CQE_DNR) != NVME_SC_INVALID_NS)
		rc = failf("a read: status 0x%x, expected Invalid Namespace", st);
	nh_close(&c);
	return rc;
}

/* CC.CSS 111b (admin only: CAP.CSS does not list it) and 001b (reserved):
 * the controller fails (CSTS.CFS), never ready. */
static int case_css_refused(void)
{
	const uint32_t bad[] = {7, 1};

	for (int i = 0; i < 2; i++) {
		struct nh_conn c;
		uint64_t csts;
		bool active;

		if (css_ctrl(&c, bad[i], &csts, &active))
			return -1;
		nh_close(&c);
		if ((csts & NVME_CSTS_RDY) || !(csts & NVME_CSTS_CFS))
			return failf("CC.CSS %u: CSTS 0x%llx, expected CFS and not RDY", bad[i],
				     (unsigned long long)csts);
	}
	return 0;
}

struct probe_case {
	const char *name;
	int (*run)(void);
};

/* The cases for a zoned target (`probe ... zoned`). */
static const struct probe_case zoned_cases[] = {
	{"discovery: Identify and log page 70h", case_discovery},
	{"CC.CSS 110b: the zoned namespace active, a read", case_css_all},
	{"CC.CSS 000b: the zoned namespace inactive, its I/O Invalid Namespace", case_css_nvm},
	{"CC.CSS 111b and 001b: a fatal controller status", case_css_refused},
};

static const struct probe_case cases[] = {
	{"discovery: Identify and log page 70h", case_discovery},
	{"admin queue: Connect, CC.EN, CSTS.RDY, CAP, VS, Identify's fabrics fields",
	 case_controller},
	{"I/O queue: 4 KiB to 256 KiB in the capsule and through R2T, read back", case_io},
	{"the namespace: its last LBA, LBA Out of Range past it, Write Zeroes and Deallocate "
	 "leave zeros",
	 case_namespace},
	{"the Error Information log: the host's SQID and CID, the status and LBA; SMART's count",
	 case_error_log},
	{"header and data digests", case_digests},
	{"a write on the queue that must outlive the bad cases", case_victim_write},
	{"bad HLEN: C2HTermReq FES 1 FEI 2", case_bad_hlen},
	{"bad PDO: C2HTermReq FES 1 FEI 3", case_bad_pdo},
	{"bad PLEN: C2HTermReq FES 1 FEI 4", case_bad_plen},
	{"a PDU type hosts do not send: FES 1 FEI 0", case_bad_type},
	{"ICReq twice: FES 2", case_icreq_twice},
	{"a command before Connect: FES 2", case_before_connect},
	{"a wrong header digest: FES 3", case_header_digest},
	{"a wrong data digest: Transient Transport Error, the connection goes on",
	 case_data_digest},
	{"H2CData for an unknown transfer tag: FES 1 FEI 10", case_h2c_unknown_tag},
	{"H2CData out of the R2T's range: FES 4", case_h2c_out_of_range},
	{"H2CData over MAXH2CDATA: FES 5", case_h2c_over_maxh2cdata},
	{"I/O Connect for an unknown controller: Connect Invalid Parameters",
	 case_connect_unknown_ctrl},
	{"I/O queue over MQES: Connect Invalid Parameters (SQSIZE)", case_connect_over_mqes},
	{"keep alive timeout enforced", case_keep_alive},
	{"the queue that outlived them: its data intact", case_victim_intact},
	{"Disconnect", case_disconnect},
};

/* Runs the cases in order: a line each, ok or not ok with why. Returns how
 * many failed. */
static int run_cases(const struct probe_case *c, size_t n)
{
	int failed = 0;

	for (size_t i = 0; i < n; i++) {
		why[0] = '\0';
		if (c[i].run()) {
			printf("not ok - %s: %s\n", c[i].name, why);
			failed++;
			if (i < 2)
				break; /* nothing else can run without a controller */
		} else {
			printf("ok - %s\n", c[i].name);
		}
		fflush(stdout);
	}
	return failed;
}

int main(int argc, char **argv)
{
	bool zoned = argc == 5 && !strcmp(argv[4], "zoned");
	int failed;

	if (argc != 4 && !zoned) {
		fprintf(stderr, "usage: probe ADDRESS PORT DISCOVERY_PORT [zoned]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN); /* a target that hung up on a bad PDU mid-send */
	addr = argv[1];
	port = (uint16_t)atoi(argv[2]);
	disc_port = (uint16_t)atoi(argv[3]);
	failed = zoned ? run_cases(zoned_cases, sizeof(zoned_cases) / sizeof(zoned_cases[0]))
		       : run_cases(cases, sizeof(cases) / sizeof(cases[0]));
	nh_close(&admin);
	return failed ? 1 : 0;
}
