/* A small NVMe/TCP host: see host.h. */
#include "host.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "vssd/vssd.h"

static int write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t k = write(fd, b, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

/* n bytes of the stream: from what an earlier read brought, else read in
 * large pieces (one system call for many PDUs). */
static int recv_all(struct nh_conn *c, void *p, size_t n)
{
	uint8_t *b = p;

	while (n) {
		size_t m = c->rx_len - c->rx_off;
		ssize_t k;

		if (m) {
			m = m < n ? m : n;
			memcpy(b, c->rx + c->rx_off, m);
			c->rx_off += (uint32_t)m;
			b += m;
			n -= m;
			continue;
		}
		k = n >= sizeof(c->rx) ? read(c->fd, b, n) : read(c->fd, c->rx, sizeof(c->rx));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		if (n >= sizeof(c->rx)) {
			b += k;
			n -= (size_t)k;
		} else {
			c->rx_off = 0;
			c->rx_len = (uint32_t)k;
		}
	}
	return 0;
}

static int writev_all(int fd, struct iovec *iov, int n)
{
	while (n) {
		ssize_t k = writev(fd, iov, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		for (; n && (size_t)k >= iov->iov_len; iov++, n--)
			k -= (ssize_t)iov->iov_len;
		if (n) {
			iov->iov_base = (uint8_t *)iov->iov_base + k;
			iov->iov_len -= (size_t)k;
		}
	}
	return 0;
}

int nh_send(struct nh_conn *c, const void *p, size_t n)
{
	return write_all(c->fd, p, n);
}

/* A PDU with the digests negotiated: header (common header filled in), data. */
static int send_pdu(struct nh_conn *c, void *hdr, uint8_t hlen, const void *data, uint32_t len)
{
	struct nvme_tcp_hdr *ch = hdr;
	uint32_t hd = c->hdgst ? 4 : 0, dd = c->ddgst && len ? 4 : 0, crc, ddgst = 0;
	uint8_t buf[256];
	struct iovec iov[3];

	ch->hlen = hlen;
	ch->flags |= (hd ? NVME_TCP_F_HDGST : 0) | (dd ? NVME_TCP_F_DDGST : 0);
	ch->pdo = len ? (uint8_t)(hlen + hd) : 0;
	ch->plen = hlen + hd + len + dd;
	memcpy(buf, hdr, hlen);
	if (hd) {
		crc = vssd_crc32c(0, hdr, hlen);
		memcpy(buf + hlen, &crc, 4);
	}
	if (dd)
		ddgst = vssd_crc32c(0, data, len);
	/* one system call a PDU */
	iov[0] = (struct iovec){buf, hlen + hd};
	iov[1] = (struct iovec){(void *)data, len};
	iov[2] = (struct iovec){&ddgst, dd};
	return writev_all(c->fd, iov, 3);
}

/* The next PDU's header (hdr, 128 bytes + digest) and its data, read into
 * *data (allocated; free it). Returns 0 or -1. */
static int recv_pdu(struct nh_conn *c, uint8_t *hdr, uint8_t **data, uint32_t *len)
{
	struct nvme_tcp_hdr *ch = (void *)hdr;
	uint32_t hd, dd, pad;
	uint8_t skip[256];

	*data = NULL;
	*len = 0;
	if (recv_all(c, hdr, sizeof(*ch)) || ch->hlen < sizeof(*ch) || ch->hlen > 128)
		return -1;
	hd = ch->flags & NVME_TCP_F_HDGST ? 4 : 0;
	dd = ch->flags & NVME_TCP_F_DDGST ? 4 : 0;
	if (recv_all(c, hdr + sizeof(*ch), ch->hlen - sizeof(*ch) + hd))
		return -1;
	if (ch->type == NVME_TCP_C2H_TERM) { /* the header at fault follows, no PDO */
		const struct nvme_tcp_term *t = (const void *)hdr;

		c->term_fes = t->fes;
		memcpy(&c->term_fei, t->fei, 4);
		if (ch->plen > ch->hlen && ch->plen - ch->hlen <= sizeof(skip))
			recv_all(c, skip, ch->plen - ch->hlen);
		return -1;
	}
	if (!ch->pdo)
		return ch->plen == ch->hlen + hd ? 0 : -1;
	pad = ch->pdo - ch->hlen - hd;
	if (pad > sizeof(skip) || recv_all(c, skip, pad))
		return -1;
	*len = ch->plen - ch->pdo - dd;
	if (!(*data = malloc(*len ? *len : 1)) || recv_all(c, *data, *len) ||
	    (dd && recv_all(c, skip, 4))) {
		free(*data);
		*data = NULL;
		return -1;
	}
	return 0;
}

int nh_open(struct nh_conn *c, const char *addr, uint16_t port, bool hdgst, bool ddgst)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	struct nvme_tcp_icreq req = {.hdr = {.type = NVME_TCP_ICREQ, .hlen = 128, .plen = 128}};
	struct nvme_tcp_icresp rsp;
	int one = 1;

	memset(c, 0, sizeof(*c));
	inet_pton(AF_INET, addr, &sa.sin_addr);
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	req.digest = (hdgst ? NVME_TCP_HDR_DIGEST_ENABLE : 0) |
		     (ddgst ? NVME_TCP_DATA_DIGEST_ENABLE : 0);
	if (write_all(c->fd, &req, sizeof(req)) || recv_all(c, &rsp, sizeof(rsp)) ||
	    rsp.hdr.type != NVME_TCP_ICRESP)
		return -1;
	c->hdgst = rsp.digest & NVME_TCP_HDR_DIGEST_ENABLE;
	c->ddgst = rsp.digest & NVME_TCP_DATA_DIGEST_ENABLE;
	c->maxh2cdata = rsp.maxdata;
	return 0;
}

void nh_close(struct nh_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* The capsule for sqe: its SGL says where its data is. */
static int send_capsule(struct nh_conn *c, struct nvme_sqe *sqe, const void *data, uint32_t len,
			enum nh_dir dir)
{
	struct nvme_tcp_cmd pdu = {.hdr = {.type = NVME_TCP_CMD}};
	bool incapsule = dir == NH_TO_CTRL && len <= NH_INCAPSULE_BYTES;
	struct nvme_sgl_desc d = {.length = len};

	d.type = incapsule ? NVME_SGL_ID(NVME_SGL_DATA_BLOCK, NVME_SGL_OFFSET)
			   : NVME_SGL_ID(NVME_SGL_TRANSPORT_DATA_BLOCK, NVME_SGL_TRANSPORT);
	NVME_SQE_SET_PSDT(sqe, NVME_PSDT_SGL);
	memcpy(&sqe->prp1, &d, sizeof(d));
	pdu.sqe = *sqe;
	return send_pdu(c, &pdu, sizeof(pdu), incapsule ? data : NULL, incapsule ? len : 0);
}

/* Answers an R2T with H2CData PDUs of at most MAXH2CDATA. */
static int answer_r2t(struct nh_conn *c, const struct nvme_tcp_r2t *r2t, const uint8_t *data)
{
	uint32_t off = r2t->r2to, end = r2t->r2to + r2t->r2tl;

	while (off < end) {
		uint32_t n = end - off < c->maxh2cdata ? end - off : c->maxh2cdata;
		struct nvme_tcp_data h = {
			.hdr = {.type = NVME_TCP_H2C_DATA,
				.flags = off + n == end ? NVME_TCP_F_DATA_LAST : 0},
			.cccid = r2t->cccid,
			.ttag = r2t->ttag,
			.datao = off,
			.datal = n};

		if (send_pdu(c, &h, sizeof(h), data + off, n))
			return -1;
		off += n;
	}
	return 0;
}

/* Handles PDUs until a response: R2T from wbufs[cid], C2HData into rbufs[cid]. */
static int reap(struct nh_conn *c, struct nvme_cqe *cqe, void **rbufs, void **wbufs)
{
	uint8_t hdr[132];

	for (;;) {
		const struct nvme_tcp_hdr *ch = (const void *)hdr;
		uint8_t *data;
		uint32_t len;

		if (recv_pdu(c, hdr, &data, &len))
			return -1;
		if (ch->type == NVME_TCP_RSP) {
			*cqe = ((const struct nvme_tcp_rsp *)(const void *)hdr)->cqe;
			free(data);
			return 0;
		}
		if (ch->type == NVME_TCP_C2H_DATA) {
			const struct nvme_tcp_data *d = (const void *)hdr;

			if (rbufs && rbufs[d->cccid])
				memcpy((uint8_t *)rbufs[d->cccid] + d->datao, data, len);
			free(data);
			if (ch->flags & NVME_TCP_F_DATA_SUCCESS) {
				*cqe = (struct nvme_cqe){.cid = d->cccid, .sq_id = c->qid};
				return 0;
			}
			continue;
		}
		if (ch->type == NVME_TCP_R2T) {
			const struct nvme_tcp_r2t *r = (const void *)hdr;

			free(data);
			if (!wbufs || !wbufs[r->cccid] || answer_r2t(c, r, wbufs[r->cccid]))
				return -1;
			continue;
		}
		free(data);
		return -1;
	}
}

int nh_cmd(struct nh_conn *c, struct nvme_sqe *sqe, void *data, uint32_t len, enum nh_dir dir,
	   struct nvme_cqe *cqe)
{
	static void *rbufs[65536], *wbufs[65536];
	uint16_t cid = c->next_cid++;
	int rc;

	sqe->cid = cid;
	rbufs[cid] = dir == NH_TO_HOST ? data : NULL;
	wbufs[cid] = dir == NH_TO_CTRL ? data : NULL;
	if (send_capsule(c, sqe, data, len, dir))
		return -1;
	rc = reap(c, cqe, rbufs, wbufs);
	rbufs[cid] = wbufs[cid] = NULL;
	return rc ? -1 : cqe->status & 0xfffe;
}

int nh_submit(struct nh_conn *c, struct nvme_sqe *sqe, const void *data, uint32_t len,
	      enum nh_dir dir)
{
	return send_capsule(c, sqe, data, len, dir);
}

int nh_reap(struct nh_conn *c, struct nvme_cqe *cqe, void **bufs)
{
	return reap(c, cqe, bufs, NULL);
}

int nh_fabrics_connect(struct nh_conn *c, uint16_t qid, uint16_t entries, uint16_t cntlid,
		       const char *subnqn, uint32_t kato_ms, uint32_t *result)
{
	struct nvmf_fabrics_cmd f = {.opcode = NVME_FABRICS_OPCODE, .fctype = NVMF_CONNECT};
	struct nvmf_connect_data data = {.cntlid = cntlid};
	struct nvme_sqe sqe;
	struct nvme_cqe cqe = {0};
	int st;

	f.connect.qid = qid;
	f.connect.sqsize = (uint16_t)(entries - 1);
	f.connect.kato = kato_ms;
	snprintf(data.subnqn, sizeof(data.subnqn), "%s", subnqn);
	snprintf(data.hostnqn, sizeof(data.hostnqn), "%s", NH_HOSTNQN);
	memcpy(&sqe, &f, sizeof(sqe));
	c->qid = qid;
	st = nh_cmd(c, &sqe, &data, sizeof(data), NH_TO_CTRL, &cqe);
	if (result)
		*result = cqe.result;
	if (st == 0 && qid == 0)
		c->cntlid = (uint16_t)cqe.result;
	return st;
}

int nh_prop_get(struct nh_conn *c, uint32_t offset, bool eight, uint64_t *value)
{
	struct nvmf_fabrics_cmd f = {.opcode = NVME_FABRICS_OPCODE, .fctype = NVMF_PROPERTY_GET};
	struct nvme_sqe sqe;
	struct nvme_cqe cqe = {0};
	int st;

	f.prop.attrib = eight ? 1 : 0;
	f.prop.offset = offset;
	memcpy(&sqe, &f, sizeof(sqe));
	st = nh_cmd(c, &sqe, NULL, 0, NH_NONE, &cqe);
	*value = (uint64_t)cqe.dw1 << 32 | cqe.result;
	return st;
}

int nh_prop_set(struct nh_conn *c, uint32_t offset, uint32_t value)
{
	struct nvmf_fabrics_cmd f = {.opcode = NVME_FABRICS_OPCODE, .fctype = NVMF_PROPERTY_SET};
	struct nvme_sqe sqe;
	struct nvme_cqe cqe;

	f.prop.offset = offset;
	f.prop.value = value;
	memcpy(&sqe, &f, sizeof(sqe));
	return nh_cmd(c, &sqe, NULL, 0, NH_NONE, &cqe);
}

int nh_admin_enable(struct nh_conn *c, const char *addr, uint16_t port, const char *subnqn,
		    uint32_t css, uint64_t *csts)
{
	*csts = 0;
	if (nh_open(c, addr, port, false, false) ||
	    nh_fabrics_connect(c, 0, 32, NVMF_CNTLID_DYNAMIC, subnqn, 0, NULL) ||
	    nh_prop_set(c, NVMF_PROP_CC, NVME_CC_EN | css << 4 | 6u << 16 | 4u << 20) ||
	    nh_prop_get(c, NVMF_PROP_CSTS, false, csts))
		return -1;
	return 0;
}

int nh_admin_up(struct nh_conn *c, const char *addr, uint16_t port, const char *subnqn)
{
	uint64_t csts;

	return nh_admin_enable(c, addr, port, subnqn, 0, &csts) || !(csts & NVME_CSTS_RDY) ? -1 : 0;
}

int nh_expect_term(struct nh_conn *c, int timeout_ms)
{
	struct pollfd p = {.fd = c->fd, .events = POLLIN};
	uint8_t hdr[132], *data;
	uint32_t len;

	for (;;) {
		if (c->rx_off == c->rx_len && poll(&p, 1, timeout_ms) != 1)
			return -1; /* nothing read ahead, and nothing comes */
		c->term_fes = 0;
		if (recv_pdu(c, hdr, &data, &len))
			return c->term_fes ? 1 : 0;
		free(data); /* a reply to something earlier: read on */
	}
}
