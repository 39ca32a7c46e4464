/*
 * libFuzzer target: the NVMe/TCP target's PDU parser and the Fabrics and
 * NVMe commands behind it. Each input is the byte stream of one new
 * connection (ICReq, Connect, commands, data PDUs, anything), fed in
 * pieces whose sizes the input's first byte sets, so PDUs also arrive split
 * at every point. A controller made at start-up (cntlid 1, enabled, host
 * NQN "fuzz") lets an input join it with an I/O queue; the device answers
 * whatever reaches it, then the connection closes and the next input
 * starts on a fresh one. The device is small, media=ram, timing off.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target.h"

static struct nvmf_target *t;

static const char *const params[] = {"media=ram",
				     "channels=1",
				     "luns_per_channel=1",
				     "blocks_per_plane=48",
				     "pages_per_block=12",
				     "oneshot_pages=1",
				     "cell=slc",
				     "read_ns=1000",
				     "op=0.5",
				     "timing=off",
				     "fdp=on",
				     "fdp_nruh=4",
				     NULL};

/* Lets the device answer everything it holds. */
static void drain(void)
{
	for (int busy = 1; busy;) {
		busy = 0;
		vssd_admin_poll(t->dev);
		for (struct nvmf_conn *c = t->conns; c; c = c->next) {
			if (c->qp)
				vssd_poll(c->qp);
			busy |= c->device_inflight != 0;
		}
	}
}

/* Bytes as a host sends them: through a connection of its own. */
static void feed(struct nvmf_conn *c, const void *p, size_t n)
{
	nvmf_conn_rx(c, p, n);
	drain();
}

/* A PDU with no digests: header (common header filled in), then data. */
static void send_pdu(struct nvmf_conn *c, void *hdr, uint8_t hlen, const void *data, uint32_t len)
{
	struct nvme_tcp_hdr *ch = hdr;
	uint8_t buf[72 + 1024];

	ch->hlen = hlen;
	ch->pdo = len ? hlen : 0;
	ch->plen = hlen + len;
	memcpy(buf, hdr, hlen);
	if (len)
		memcpy(buf + hlen, data, len);
	feed(c, buf, hlen + len);
}

static void admin_cmd(struct nvmf_conn *c, struct nvme_sqe sqe, const void *data, uint32_t len)
{
	struct nvme_tcp_cmd pdu = {.hdr = {.type = NVME_TCP_CMD}, .sqe = sqe};
	struct nvme_sgl_desc d = {.length = len,
				  .type = NVME_SGL_ID(NVME_SGL_DATA_BLOCK, NVME_SGL_OFFSET)};

	NVME_SQE_SET_PSDT(&pdu.sqe, NVME_PSDT_SGL);
	memcpy(&pdu.sqe.prp1, &d, sizeof(d));
	send_pdu(c, &pdu, sizeof(pdu), data, len);
}

/* The standing controller: ICReq, Connect (admin, host "fuzz"), CC.EN. */
static void standing_controller(void)
{
	struct nvme_tcp_icreq req = {.hdr = {.type = NVME_TCP_ICREQ}};
	struct nvmf_fabrics_cmd f = {.opcode = NVME_FABRICS_OPCODE, .fctype = NVMF_CONNECT};
	struct nvmf_connect_data data = {.cntlid = NVMF_CNTLID_DYNAMIC};
	struct nvmf_conn *c = nvmf_conn_new(t, -1, "fuzz-admin");
	struct nvme_sqe sqe;

	send_pdu(c, &req, sizeof(req), NULL, 0);
	f.connect.sqsize = 31;
	snprintf(data.subnqn, sizeof(data.subnqn), "%s", t->subnqn);
	snprintf(data.hostnqn, sizeof(data.hostnqn), "fuzz");
	memcpy(&sqe, &f, sizeof(sqe));
	admin_cmd(c, sqe, &data, sizeof(data));
	f = (struct nvmf_fabrics_cmd){.opcode = NVME_FABRICS_OPCODE, .fctype = NVMF_PROPERTY_SET};
	f.prop.offset = NVMF_PROP_CC;
	f.prop.value = NVME_CC_EN;
	memcpy(&sqe, &f, sizeof(sqe));
	admin_cmd(c, sqe, NULL, 0);
	if (!c->ctrl || c->ctrl->cntlid != 1 || !(c->ctrl->csts & NVME_CSTS_RDY)) {
		fprintf(stderr, "fuzz_nvmf: the standing controller did not come up\n");
		abort();
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct nvmf_opts o = {.params = params, .listen_addr = "127.0.0.1", .port = 4420};
	char err[256];

	(void)argc;
	(void)argv;
	if (nvmf_target_open(&o, &t, err, sizeof(err))) {
		fprintf(stderr, "fuzz_nvmf: %s\n", err);
		abort();
	}
	/* the NQN every seed names, whatever the device's serial */
	snprintf(t->subnqn, sizeof(t->subnqn), "nqn.2026-11.io.vssd:fuzz");
	standing_controller();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
	struct nvmf_conn *c;
	size_t piece;

	if (!n)
		return 0;
	piece = in[0] ? in[0] : n; /* 0: all at once */
	in++;
	n--;
	c = nvmf_conn_new(t, -1, "fuzz");
	if (!c)
		return 0;
	while (n && !c->closing && !c->dead) {
		size_t k = n < piece ? n : piece;

		feed(c, in, k);
		in += k;
		n -= k;
	}
	nvmf_conn_close(c);
	drain();
	nvmf_conn_reap(t);
	return 0;
}
