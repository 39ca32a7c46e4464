/*
 * One NVMe/TCP connection: the PDU stream in both directions. Bytes come
 * in as they arrive and are read PDU by PDU (common header, the rest of
 * the header and its digest, padding, data, data digest), each checked as
 * the transport specification says before anything acts on it: a PDU that
 * breaks a rule ends the connection with a C2HTermReq naming the field.
 * Outgoing PDUs are queued and written when the socket takes them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "target.h"

/* What a host may send, by PDU type: its header length, whether digests
 * apply to it, and whether it may carry data. */
static const struct host_pdu {
	const char *name;
	uint8_t hlen;
	bool digests;
	bool data;
} host_pdus[256] = {
	[NVME_TCP_ICREQ] = {"ICReq", sizeof(struct nvme_tcp_icreq), false, false},
	[NVME_TCP_H2C_TERM] = {"H2CTermReq", sizeof(struct nvme_tcp_term), false, true},
	[NVME_TCP_CMD] = {"CapsuleCmd", sizeof(struct nvme_tcp_cmd), true, true},
	[NVME_TCP_H2C_DATA] = {"H2CData", sizeof(struct nvme_tcp_data), true, true},
};

/* Byte offsets of the common header's fields, for a termination request's FEI. */
enum { FEI_TYPE = 0, FEI_FLAGS = 1, FEI_HLEN = 2, FEI_PDO = 3, FEI_PLEN = 4 };

struct nvmf_conn *nvmf_conn_new(struct nvmf_target *t, int fd, const char *peer)
{
	struct nvmf_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->t = t;
	c->loop = &t->main;
	c->fd = fd;
	c->client = -1;
	c->entries = 1; /* Connect first, and only it */
	c->hdr_want = sizeof(struct nvme_tcp_hdr);
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	for (uint16_t i = 0; i < NVMF_MAX_QUEUE_ENTRIES; i++) {
		c->cmd[i].conn = c;
		c->free_tag[c->nfree++] = (uint16_t)(NVMF_MAX_QUEUE_ENTRIES - 1 - i);
	}
	c->next = t->conns;
	t->conns = c;
	return c;
}

void nvmf_conn_send(struct nvmf_conn *c, const void *p, size_t n)
{
	if (c->fd < 0 || c->dead)
		return; /* nobody to hear it */
	if (c->tx_len + n > c->tx_cap) {
		size_t cap = c->tx_cap ? c->tx_cap : 64 << 10;
		uint8_t *tx;

		while (cap < c->tx_len + n)
			cap *= 2;
		if (!(tx = realloc(c->tx, cap))) {
			nvmf_say(c, "out of memory for the send buffer: connection closed");
			nvmf_conn_close(c);
			return;
		}
		c->tx = tx;
		c->tx_cap = cap;
	}
	memcpy(c->tx + c->tx_len, p, n);
	c->tx_len += n;
}

static void want_out(struct nvmf_conn *c, bool on)
{
	struct epoll_event ev = {.events = EPOLLIN | (on ? EPOLLOUT : 0),
				 .data.ptr = &c->sock_poll};

	if (c->want_out == on || c->threaded) /* a thread of its own polls for itself */
		return;
	c->want_out = on;
	epoll_ctl(c->t->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

int nvmf_conn_flush(struct nvmf_conn *c)
{
	while (c->fd >= 0 && !c->dead && c->tx_off < c->tx_len) {
		ssize_t n = write(c->fd, c->tx + c->tx_off, c->tx_len - c->tx_off);

		c->loop->writes++;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			want_out(c, true);
			return 0;
		}
		if (n <= 0)
			return -1;
		c->tx_off += (size_t)n;
	}
	c->tx_off = c->tx_len = 0;
	if (c->fd >= 0 && !c->dead)
		want_out(c, false);
	if (c->closing)
		nvmf_conn_close(c); /* what it had to say has gone */
	return 0;
}

void nvmf_conn_fatal(struct nvmf_conn *c, uint16_t fes, uint32_t fei, const char *why)
{
	struct nvme_tcp_term term = {
		.hdr = {.type = NVME_TCP_C2H_TERM, .hlen = sizeof(term), .pdo = 0}};
	uint32_t bad = c->hdr_have < NVME_TCP_TERM_MAX_DATA ? c->hdr_have : NVME_TCP_TERM_MAX_DATA;

	if (c->closing || c->dead)
		return;
	c->loop->protocol_errors++;
	nvmf_say(c, "protocol error: %s: connection ended (C2HTermReq FES %u, FEI %u)", why, fes,
		 fei);
	term.hdr.plen = sizeof(term) + bad; /* the header at fault follows */
	term.fes = fes;
	memcpy(term.fei, &fei, sizeof(term.fei));
	nvmf_conn_send(c, &term, sizeof(term));
	nvmf_conn_send(c, c->hdr, bad);
	c->closing = true;
}

/* Appends a PDU: header (hlen bytes at hdr, its common header filled in
 * here), digests as negotiated, and data. */
void nvmf_conn_send_pdu(struct nvmf_conn *c, void *hdr, uint8_t hlen, const void *data,
			uint32_t data_bytes)
{
	struct nvme_tcp_hdr *ch = hdr;
	uint32_t hd = c->hdgst ? NVME_TCP_DIGEST_BYTES : 0;
	uint32_t dd = c->ddgst && data_bytes ? NVME_TCP_DIGEST_BYTES : 0;
	uint32_t crc;

	ch->hlen = hlen;
	ch->flags |= (hd ? NVME_TCP_F_HDGST : 0) | (dd ? NVME_TCP_F_DDGST : 0);
	ch->pdo = data_bytes ? (uint8_t)(hlen + hd) : 0;
	ch->plen = hlen + hd + data_bytes + dd;
	nvmf_conn_send(c, hdr, hlen);
	if (hd) {
		crc = vssd_crc32c(0, hdr, hlen);
		nvmf_conn_send(c, &crc, sizeof(crc));
	}
	if (data_bytes)
		nvmf_conn_send(c, data, data_bytes);
	if (dd) {
		crc = vssd_crc32c(0, data, data_bytes);
		nvmf_conn_send(c, &crc, sizeof(crc));
	}
}

/* ICReq: the protocol version, data alignment and digests. */
static void icreq(struct nvmf_conn *c, const struct nvme_tcp_icreq *req)
{
	struct nvme_tcp_icresp rsp = {
		.hdr = {.type = NVME_TCP_ICRESP, .hlen = sizeof(rsp), .plen = sizeof(rsp)}};

	if (req->pfv != NVME_TCP_PFV_1_0)
		return nvmf_conn_fatal(c, NVME_TCP_FES_UNSUPPORTED_PARAM,
				       offsetof(struct nvme_tcp_icreq, pfv),
				       "ICReq asks for PDU format version != 0");
	if (req->hpda != 0)
		return nvmf_conn_fatal(c, NVME_TCP_FES_UNSUPPORTED_PARAM,
				       offsetof(struct nvme_tcp_icreq, hpda),
				       "ICReq asks for host PDU data alignment (HPDA) != 0");
	c->hdgst = req->digest & NVME_TCP_HDR_DIGEST_ENABLE;
	c->ddgst = req->digest & NVME_TCP_DATA_DIGEST_ENABLE;
	c->icreq_done = true;
	rsp.pfv = NVME_TCP_PFV_1_0;
	rsp.cpda = 0;
	rsp.digest = req->digest & (NVME_TCP_HDR_DIGEST_ENABLE | NVME_TCP_DATA_DIGEST_ENABLE);
	rsp.maxdata = NVMF_MAXH2CDATA;
	nvmf_conn_send(c, &rsp, sizeof(rsp));
}

static void rx_reset(struct nvmf_conn *c)
{
	c->rx_state = RX_HEADER;
	c->hdr_have = 0;
	c->hdr_want = sizeof(struct nvme_tcp_hdr);
	c->data_cmd = NULL;
	c->data_dst = NULL;
	c->ddgst_have = 0;
}

/* The common header is in: is this PDU one the host may send now, and are
 * its lengths consistent? Sets how much header, padding and data follow. */
static int check_common_header(struct nvmf_conn *c)
{
	const struct nvme_tcp_hdr *ch = (const void *)c->hdr;
	const struct host_pdu *def = &host_pdus[ch->type];
	bool digests = def->digests && c->icreq_done;
	uint32_t hd = digests && c->hdgst ? NVME_TCP_DIGEST_BYTES : 0, dd, data, limit;
	char why[160];

	if (!def->name) {
		snprintf(why, sizeof(why), "PDU type 0x%02x is not one a host sends", ch->type);
		return nvmf_conn_fatal(c, NVME_TCP_FES_INVALID_PDU_HDR, FEI_TYPE, why), -1;
	}
	if ((ch->type == NVME_TCP_ICREQ) == c->icreq_done) {
		snprintf(why, sizeof(why), "%s %s", def->name,
			 c->icreq_done ? "after ICReq" : "before ICReq");
		return nvmf_conn_fatal(c, NVME_TCP_FES_PDU_SEQ_ERR, FEI_TYPE, why), -1;
	}
	if (ch->hlen != def->hlen) {
		snprintf(why, sizeof(why), "%s with HLEN %u (it is %u)", def->name, ch->hlen,
			 def->hlen);
		return nvmf_conn_fatal(c, NVME_TCP_FES_INVALID_PDU_HDR, FEI_HLEN, why), -1;
	}
	if (digests && !!(ch->flags & NVME_TCP_F_HDGST) != c->hdgst) {
		snprintf(why, sizeof(why), "%s's HDGSTF flag disagrees with ICReq's digests",
			 def->name);
		return nvmf_conn_fatal(c, NVME_TCP_FES_INVALID_PDU_HDR, FEI_FLAGS, why), -1;
	}
	if (ch->plen < ch->hlen + hd) {
		snprintf(why, sizeof(why), "%s with PLEN %u, shorter than its header", def->name,
			 ch->plen);
		return nvmf_conn_fatal(c, NVME_TCP_FES_INVALID_PDU_HDR, FEI_PLEN, why), -1;
	}
	c->hdr_want = ch->hlen + hd;
	c->pad_left = c->data_left = c->data_bytes = 0;
	if (ch->plen == ch->hlen + hd) { /* no data */
		if (ch->flags & NVME_TCP_F_DDGST) {
			snprintf(why, sizeof(why), "%s with DDGSTF and no data", def->name);
			return nvmf_conn_fatal(c, NVME_TCP_FES_INVALID_PDU_HDR, FEI_FLAGS, why), -1;
		}
		return 0;
	}
	if (!def->data) {
		snprintf(why, sizeof(why), "%s with PLEN %u (it is %u)", def->name, ch->plen,
			 ch->hlen);
		return nvmf_conn_fatal(c, NVME_TCP_FES_INVALID_PDU_HDR, FEI_PLEN, why), -1;
	}
	if (digests && !!(ch->flags & NVME_TCP_F_DDGST) != c->ddgst) {
		snprintf(why, sizeof(why), "%s's DDGSTF flag disagrees with ICReq's digests",
			 def->name);
		return nvmf_conn_fatal(c, NVME_TCP_FES_INVALID_PDU_HDR, FEI_FLAGS, why), -1;
	}
	dd = digests && c->ddgst ? NVME_TCP_DIGEST_BYTES : 0;
	if (ch->pdo < ch->hlen + hd || (uint64_t)ch->pdo + dd > ch->plen) {
		snprintf(why, sizeof(why), "%s with PDO %u outside its PDU (HLEN %u, PLEN %u)",
			 def->name, ch->pdo, ch->hlen, ch->plen);
		return nvmf_conn_fatal(c, NVME_TCP_FES_INVALID_PDU_HDR, FEI_PDO, why), -1;
	}
	data = ch->plen - ch->pdo - dd;
	if (!data) {
		snprintf(why, sizeof(why), "%s with PDO %u and PLEN %u: data of no bytes",
			 def->name, ch->pdo, ch->plen);
		return nvmf_conn_fatal(c, NVME_TCP_FES_INVALID_PDU_HDR, FEI_PDO, why), -1;
	}
	limit = ch->type == NVME_TCP_CMD	? NVMF_INCAPSULE_BYTES
		: ch->type == NVME_TCP_H2C_DATA ? NVMF_MAXH2CDATA
						: NVME_TCP_TERM_MAX_DATA;
	if (data > limit) {
		snprintf(why, sizeof(why), "%s carries %u bytes of data, over its %u", def->name,
			 data, limit);
		return nvmf_conn_fatal(c, NVME_TCP_FES_DATA_LIMIT_EXCEEDED, FEI_PLEN, why), -1;
	}
	c->pad_left = ch->pdo - (ch->hlen + hd);
	c->data_left = c->data_bytes = data;
	return 0;
}

/* The whole header (and its digest) is in: check the digest, then where
 * this PDU's data goes. */
static int header_done(struct nvmf_conn *c)
{
	const struct nvme_tcp_hdr *ch = (const void *)c->hdr;
	uint32_t want, got;

	if (host_pdus[ch->type].digests && c->hdgst) {
		want = vssd_crc32c(0, c->hdr, ch->hlen);
		memcpy(&got, c->hdr + ch->hlen, sizeof(got));
		if (want != got)
			return nvmf_conn_fatal(c, NVME_TCP_FES_HDR_DIGEST_ERR, got,
					       "a header digest does not match its header"),
			       -1;
	}
	switch (ch->type) {
	case NVME_TCP_CMD:
		if (!(c->data_dst = nvmf_cmd_incapsule_dst(
			      c, &((const struct nvme_tcp_cmd *)(const void *)c->hdr)->sqe,
			      c->data_bytes)))
			return -1;
		break;
	case NVME_TCP_H2C_DATA: {
		const struct nvme_tcp_data *pdu = (const void *)c->hdr;

		if (pdu->datal != c->data_bytes || !pdu->datal)
			return nvmf_conn_fatal(c, NVME_TCP_FES_INVALID_PDU_HDR,
					       offsetof(struct nvme_tcp_data, datal),
					       "H2CData's DATAL disagrees with its PLEN"),
			       -1;
		if (!(c->data_dst = nvmf_cmd_h2c(c, pdu)))
			return -1;
		break;
	}
	case NVME_TCP_H2C_TERM: c->data_dst = c->term_data; break;
	}
	c->ddgst_crc = 0;
	c->rx_state = c->pad_left ? RX_PAD : c->data_left ? RX_DATA : RX_DDGST;
	return 0;
}

/* A whole PDU is in: act on it. A data digest that failed fails the
 * command the data belongs to, not the connection: the stream is intact. */
static void pdu_done(struct nvmf_conn *c, bool digest_ok)
{
	const struct nvme_tcp_hdr *ch = (const void *)c->hdr;

	switch (ch->type) {
	case NVME_TCP_ICREQ: icreq(c, (const void *)c->hdr); break;
	case NVME_TCP_CMD:
		nvmf_cmd_capsule(c, &((const struct nvme_tcp_cmd *)(const void *)c->hdr)->sqe,
				 c->data_bytes, digest_ok);
		break;
	case NVME_TCP_H2C_DATA: nvmf_cmd_h2c_done(c, (const void *)c->hdr, digest_ok); break;
	case NVME_TCP_H2C_TERM: {
		const struct nvme_tcp_term *term = (const void *)c->hdr;

		nvmf_say(c, "the host ended the connection (H2CTermReq FES %u)", term->fes);
		c->closing = true;
		break;
	}
	}
}

/* Takes up to want bytes of n at *p into dst (NULL: drops them). */
static size_t take(const uint8_t **p, size_t *n, uint8_t *dst, size_t want)
{
	size_t k = *n < want ? *n : want;

	if (dst)
		memcpy(dst, *p, k);
	*p += k;
	*n -= k;
	return k;
}

int nvmf_conn_rx(struct nvmf_conn *c, const uint8_t *p, size_t n)
{
	const struct nvme_tcp_hdr *ch = (const void *)c->hdr;

	while (n && !c->closing && !c->dead) {
		size_t k;

		switch (c->rx_state) {
		case RX_HEADER:
			c->hdr_have += (uint32_t)take(&p, &n, c->hdr + c->hdr_have,
						      c->hdr_want - c->hdr_have);
			if (c->hdr_have < c->hdr_want)
				break;
			if (c->hdr_want == sizeof(*ch)) {
				if (check_common_header(c))
					break;
				if (c->hdr_have < c->hdr_want)
					break; /* the rest of the header */
			}
			if (header_done(c))
				break;
			if (c->rx_state == RX_DDGST && !c->data_bytes) {
				pdu_done(c, true);
				if (!c->closing)
					rx_reset(c);
			}
			break;
		case RX_PAD:
			c->pad_left -= (uint32_t)take(&p, &n, NULL, c->pad_left);
			if (!c->pad_left)
				c->rx_state = RX_DATA;
			break;
		case RX_DATA:
			k = take(&p, &n, c->data_dst, c->data_left);
			if (c->ddgst && host_pdus[ch->type].digests)
				c->ddgst_crc = vssd_crc32c(c->ddgst_crc, p - k, k);
			if (c->data_dst)
				c->data_dst += k;
			c->data_left -= (uint32_t)k;
			if (c->data_left)
				break;
			c->rx_state = RX_DDGST;
			if (c->ddgst && host_pdus[ch->type].digests)
				break;
			pdu_done(c, true);
			if (!c->closing)
				rx_reset(c);
			break;
		case RX_DDGST: {
			uint32_t got;

			c->ddgst_have += (uint32_t)take(&p, &n, c->ddgst_in + c->ddgst_have,
							NVME_TCP_DIGEST_BYTES - c->ddgst_have);
			if (c->ddgst_have < NVME_TCP_DIGEST_BYTES)
				break;
			memcpy(&got, c->ddgst_in, sizeof(got));
			if (got != c->ddgst_crc)
				nvmf_say(c, "a data digest does not match its data: the command "
					    "fails with Transient Transport Error");
			pdu_done(c, got == c->ddgst_crc);
			if (!c->closing)
				rx_reset(c);
			break;
		}
		}
	}
	return c->closing || c->dead ? -1 : 0;
}

void nvmf_conn_close(struct nvmf_conn *c)
{
	struct nvmf_ctrl *ctrl;

	if (c->threaded && !nvmf_conn_is_mine(c)) {
		nvmf_conn_stop(c); /* its thread closes it */
		return;
	}
	ctrl = c->ctrl;
	if (c->dead)
		return;
	c->dead = true;
	if (c->fd >= 0 && !c->threaded) {
		close(c->fd); /* and out of the epoll set */
		c->fd = -1;
	} else if (c->fd >= 0) { /* kept open until its thread is joined (nvmf_conn_stop) */
		shutdown(c->fd, SHUT_RDWR);
	}
	if (c->qp) {
		/* waits for what the device holds; their answers free them */
		vssd_qpair_close(c->qp);
		c->qp = NULL;
	}
	nvmf_abort_held(c);
	if (!ctrl)
		return;
	pthread_mutex_lock(&c->t->lock);
	if (ctrl->queue[c->qid] == c)
		ctrl->queue[c->qid] = NULL;
	c->ctrl = NULL;
	pthread_mutex_unlock(&c->t->lock);
	if (c->qid == 0)
		nvmf_ctrl_end(ctrl, NULL);
}

void nvmf_conn_reap(struct nvmf_target *t)
{
	struct nvmf_conn **pp = &t->conns;

	while (*pp) {
		struct nvmf_conn *c = *pp;

		if (c->threaded && atomic_load(&c->thread_done))
			nvmf_conn_stop(c); /* it ended by itself: joined */
		if (c->threaded || !c->dead || c->device_inflight) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		if (c->fd >= 0)
			close(c->fd);
		for (uint16_t i = 0; i < NVMF_MAX_QUEUE_ENTRIES; i++)
			if (c->cmd[i].buf)
				vssd_dma_free(t->dev, c->cmd[i].buf);
		free(c->tx);
		free(c);
	}
}

void nvmf_conn_read(struct nvmf_conn *c, uint8_t *buf)
{
	for (;;) {
		ssize_t n = read(c->fd, buf, NVMF_RX_CHUNK);

		c->loop->reads++;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			nvmf_conn_close(c); /* the host went away */
			return;
		}
		if (nvmf_conn_rx(c, buf, (size_t)n) || (size_t)n < NVMF_RX_CHUNK)
			return; /* a short read took all there was; poll says when more comes */
	}
}

void nvmf_say(const struct nvmf_conn *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nvmf: %s", c->peer);
	if (c->ctrl)
		fprintf(stderr, " (controller %u, queue %u)", c->ctrl->cntlid, c->qid);
	fprintf(stderr, ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
