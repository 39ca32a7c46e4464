/*
 * libFuzzer target: arbitrary submission queue entries (and the PRPs and
 * PRP lists they point at) fed to the controller's admin and I/O queues.
 * Each input is a series of 66-byte records:
 *   byte 0: bit 0 queue (0 admin, 1 I/O); bit 1 write a bogus SQ tail
 *           doorbell value first
 *   byte 1: bit 0 point PRP1 into host data memory; bit 1 the same for PRP2
 *   bytes 2-65: the SQE as given
 * Host data memory (registered for DMA) is filled from the input too, so
 * PRP lists and DSM ranges are fuzzed as well. A fresh controller serves
 * each input, so a crash reproduces from its input alone. The controller has
 * FDP on with four persistently isolated handles; built with FUZZ_ZONED
 * (fuzz_sqe_zns), its namespace is a zoned one (ftl=zns: open and active
 * limits, zones offline and wearing read only), so the zoned command set
 * is fuzzed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nvme/ctrl.h"
#include "nvme/host_qp.h"

#define DATA_BYTES (256u << 10)

static uint8_t data[DATA_BYTES] __attribute__((aligned(4096)));

static struct nvme_ctrl *new_ctrl(void)
{
#ifdef FUZZ_ZONED
	static const char *const pairs[] = {"ftl=zns",
					    "media=ram",
					    "channels=1",
					    "luns_per_channel=1",
					    "blocks_per_plane=48",
					    "pages_per_block=12",
					    "oneshot_pages=1",
					    "cell=slc",
					    "read_ns=1000",
					    "zns_max_open=3",
					    "zns_max_active=4",
					    "zns_read_only_pe=2",
					    "zns_offline_zones=2",
					    NULL};
#else
	/* FDP on, so its log pages, I/O Management commands and features are fuzzed too */
	static const char *const pairs[] = {"media=ram",
					    "channels=1",
					    "luns_per_channel=1",
					    "blocks_per_plane=48",
					    "pages_per_block=12",
					    "oneshot_pages=1",
					    "cell=slc",
					    "read_ns=1000",
					    "op=0.5",
					    "write_buffer_bytes=64k",
					    "fdp=on",
					    "fdp_nruh=4",
					    "fdp_ruh_type=persistently",
					    NULL};
#endif
	struct vssd_config cfg;
	struct nvme_ctrl *ctrl;
	char err[256];

	config_defaults(&cfg);
	for (const char *const *p = pairs; *p; p++)
		if (config_set_pair(&cfg, *p, err, sizeof(err)))
			abort();
	if (nvme_ctrl_create(&cfg, &ctrl, err, sizeof(err)))
		abort();
	return ctrl;
}

/* Posts what is due, as far ahead as needed, and reaps both queues. */
static void settle(struct nvme_ctrl *c, struct host_qp *qps, uint64_t *now)
{
	for (int guard = 0; guard < 10000; guard++) {
		uint64_t due = nvme_ctrl_next_due(c);
		int posted;

		if (due == UINT64_MAX)
			break;
		if (due > *now)
			*now = due;
		posted = nvme_ctrl_post_due(c, *now);
		for (int q = 0; q < 2; q++)
			if (qps[q].cq_head_db)
				host_qp_reap(&qps[q], qps[q].entries, NULL, NULL, NULL);
		if (!posted)
			break; /* a CQ the fuzzer made is full: nobody reaps it */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	struct nvme_ctrl *c = new_ctrl();
	struct host_qp qps[2];
	uint64_t now = 0;
	size_t pos = 0;

	for (size_t i = 0; i < DATA_BYTES; i++)
		data[i] = size ? in[i % size] : 0;
	dma_register(&c->dma, data, DATA_BYTES);
	host_qp_alloc(&qps[0], 0, 16);
	host_qp_alloc(&qps[1], 1, 16);
	host_qp_register(&qps[0], &c->dma);
	host_qp_register(&qps[1], &c->dma);
	nvme_ctrl_enable(c, qps[0].sq_ring, 16, qps[0].cq_ring, 16);
	host_qp_bind(&qps[0], &c->db[0]);
	{ /* a well-formed I/O queue pair 1, as a driver would make it */
		struct nvme_sqe cq, sq;

		nvme_prep_create_cq(&cq, 1, 16, qps[1].cq_ring, 1);
		nvme_prep_create_sq(&sq, 1, 16, qps[1].sq_ring, 1);

		host_qp_submit(&qps[0], &cq, NULL, NULL, NULL);
		host_qp_submit(&qps[0], &sq, NULL, NULL, NULL);
		nvme_ctrl_process_sq(c, 0, now);
		settle(c, qps, &now);
		if (c->sq[1] && c->cq[1])
			host_qp_bind(&qps[1], &c->db[1]);
	}
	while (pos + 66 <= size) {
		const uint8_t *rec = in + pos;
		int q = (rec[0] & 1) && qps[1].sq_tail_db ? 1 : 0;
		struct nvme_sqe sqe;

		pos += 66;
		memcpy(&sqe, rec + 2, sizeof(sqe));
		if (rec[1] & 1)
			sqe.prp1 = (uintptr_t)data + sqe.prp1 % DATA_BYTES;
		if (rec[1] & 2)
			sqe.prp2 = (uintptr_t)data + sqe.prp2 % DATA_BYTES;
		if (rec[0] & 2) { /* an invalid doorbell write, then the real one */
			atomic_store(&c->db[q].sq_tail, 0x8000u | rec[2]);
			nvme_ctrl_process_sq(c, (uint16_t)q, now);
			atomic_store(&c->db[q].sq_tail, qps[q].sq_tail);
		}
		/* the host keeps using its queues even if the fuzzer deleted them: the
		 * doorbells are registers, so that must be harmless */
		if (host_qp_submit(&qps[q], &sqe, NULL, NULL, NULL) < 0) {
			settle(c, qps, &now);
			continue;
		}
		nvme_ctrl_process_sq(c, (uint16_t)q, now);
		settle(c, qps, &now);
	}
	host_qp_free(&qps[0]);
	host_qp_free(&qps[1]);
	nvme_ctrl_destroy(c);
	return 0;
}
