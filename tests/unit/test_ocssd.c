/* The Open-Channel SSD 2.0 device mode through NVMe commands: geometry,
 * the chunk log, each chunk rule with its status code, the per-LBA status
 * bitmap, injected faults, and write pointers surviving a power loss. */
#include "helpers.h"

#include <stdlib.h>

#include "vssd/vssd.h"

/* channels=2 luns=2: 4 PUs; 16 KiB pages, one-shot 3 pages: ws_min 4, ws_opt 12 */
#define DEV_PARAMS                                                                                 \
	"ftl=ocssd", "media=ram", "channels=2", "luns_per_channel=2", "blocks_per_plane=64",       \
		"pages_per_block=48", "op=0.25"

struct oc {
	struct vssd *dev;
	struct vssd_qpair *qp;
	struct nvme_oc_geometry geo;
	uint64_t *lbas, *prp_list;
	uint8_t *data, *meta;
};

static void oc_open(struct oc *t, const char *const *params)
{
	char err[512];
	struct nvme_cqe cqe;
	struct nvme_oc_geometry *g;

	if (vssd_open(params, VSSD_INLINE, &t->dev, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(vssd_qpair_open(t->dev, 16, &t->qp), 0);
	t->lbas = vssd_dma_alloc(t->dev, 4096);
	t->data = vssd_dma_alloc(t->dev, 64 * 4096);
	t->meta = vssd_dma_alloc(t->dev, 4096);
	t->prp_list = vssd_dma_alloc(t->dev, 4096);
	g = vssd_dma_alloc(t->dev, 4096);
	assert_int_equal(vssd_admin(t->dev,
				    &(struct nvme_sqe){.opcode = NVME_ADMIN_OC_GEOMETRY,
						       .nsid = 1,
						       .prp1 = (uintptr_t)g},
				    &cqe),
			 0);
	t->geo = *g;
	vssd_dma_free(t->dev, g);
}

static void oc_close(struct oc *t)
{
	vssd_dma_free(t->dev, t->lbas);
	vssd_dma_free(t->dev, t->data);
	vssd_dma_free(t->dev, t->meta);
	vssd_dma_free(t->dev, t->prp_list);
	vssd_qpair_close(t->qp);
	vssd_close(t->dev);
}

static uint64_t addr(const struct oc *t, uint32_t grp, uint32_t pu, uint32_t chk, uint32_t sec)
{
	const struct nvme_oc_lbaf *f = &t->geo.lbaf;

	return ((((uint64_t)grp << f->pu_len | pu) << f->chk_len | chk) << f->lba_len) | sec;
}

/* Runs a vector command over t->lbas[0..n); returns the status, bitmap in *bits. */
static uint16_t vec(struct oc *t, uint8_t opcode, uint32_t n, uint64_t *bits)
{
	struct nvme_sqe sqe;
	struct nvme_cqe cqe;

	nvme_prep_oc_vector(&sqe, opcode, 1, n == 1 ? t->lbas[0] : (uintptr_t)t->lbas, n);
	if (opcode != NVME_CMD_OC_RESET) {
		sqe.mptr = (uintptr_t)t->meta;
		assert_int_equal(nvme_build_prps(t->data, (uint64_t)n * 4096, t->prp_list,
						 &sqe.prp1, &sqe.prp2),
				 0);
	}
	assert_true(vssd_submit(t->qp, &sqe) >= 0);
	while (vssd_reap(t->qp, &cqe, 1) != 1)
		vssd_qpair_wait(t->qp, UINT64_MAX);
	if (bits)
		*bits = cqe.result | (uint64_t)cqe.dw1 << 32;
	return nvme_cqe_code(&cqe);
}

/* Fills lbas with n consecutive sectors of one chunk from sec on. */
static void run_of(struct oc *t, uint64_t chunk_lba, uint32_t sec, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		t->lbas[i] = chunk_lba + sec + i;
}

static void chunk_desc(struct oc *t, uint32_t idx, struct nvme_oc_chunk_desc *out)
{
	struct nvme_oc_chunk_desc *d = vssd_dma_alloc(t->dev, 4096);
	uint64_t off = (uint64_t)idx * 32;
	struct nvme_cqe cqe;
	struct nvme_sqe sqe;

	nvme_prep_get_log_page(&sqe, 1, NVME_LOG_OC_CHUNK_INFO, d, sizeof(*d), off);
	assert_int_equal(vssd_admin(t->dev, &sqe, &cqe), 0);
	*out = *d;
	vssd_dma_free(t->dev, d);
}

static void test_geometry(void **state)
{
	const char *const params[] = {DEV_PARAMS, NULL};
	struct oc t;
	struct nvme_oc_chunk_desc d;

	(void)state;
	oc_open(&t, params);
	assert_int_equal(t.geo.mjr, 2);
	assert_int_equal(t.geo.num_grp, 2);
	assert_int_equal(t.geo.num_pu, 2);
	assert_int_equal(t.geo.num_chk, 64);
	assert_int_equal(t.geo.clba, 48 * 4); /* 48 pages of 4 sectors */
	assert_int_equal(t.geo.ws_min, 4);
	assert_int_equal(t.geo.ws_opt, 12);
	assert_int_equal(t.geo.mw_cunits, 12);
	assert_int_equal(t.geo.lbaf.lba_len, 8);
	assert_int_equal(t.geo.lbaf.chk_len, 6);
	assert_int_equal(t.geo.lbaf.pu_len, 1);
	assert_int_equal(t.geo.lbaf.grp_len, 1);
	assert_int_equal(t.geo.trdt, 45000);
	assert_int_equal(t.geo.trdm, 70000);
	assert_int_equal(t.geo.tcrst, 3000000);
	chunk_desc(&t, 64 + 5, &d); /* group 0, PU 1, chunk 5 */
	assert_int_equal(d.cs, NVME_OC_CHUNK_FREE);
	assert_int_equal(d.slba, addr(&t, 0, 1, 5, 0));
	assert_int_equal(d.cnlb, 192);
	assert_int_equal(d.wp, 0);
	oc_close(&t);
}

static void test_write_read_rules(void **state)
{
	const char *const params[] = {DEV_PARAMS, NULL};
	struct oc t;
	uint64_t c = 0, bits;
	struct nvme_oc_chunk_desc d;

	(void)state;
	oc_open(&t, params);
	c = addr(&t, 1, 0, 3, 0);
	/* 24 sectors, each stamped, with its metadata */
	run_of(&t, c, 0, 24);
	for (uint32_t i = 0; i < 24; i++) {
		memset(t.data + i * 4096, (int)i + 1, 4096);
		memcpy(t.meta + i * 8, &(uint64_t){1000 + i}, 8);
	}
	assert_int_equal(vec(&t, NVME_CMD_OC_WRITE, 24, &bits), 0);
	assert_int_equal(bits, 0);
	chunk_desc(&t, (1 * 2 + 0) * 64 + 3, &d);
	assert_int_equal(d.cs, NVME_OC_CHUNK_OPEN);
	assert_int_equal(d.wp, 24);
	/* not at the write pointer: Out of Order Write */
	run_of(&t, c, 28, 4);
	assert_int_equal(vec(&t, NVME_CMD_OC_WRITE, 4, &bits), NVME_SC_OC_OUT_OF_ORDER_WRITE);
	assert_int_equal(bits, 0xf);
	/* not a multiple of ws_min */
	run_of(&t, c, 24, 3);
	assert_int_equal(vec(&t, NVME_CMD_OC_WRITE, 3, NULL), NVME_SC_INVALID_FIELD);
	/* reads: below wp - mw_cunits (12) yes, with data and metadata; above no */
	memset(t.data, 0, 64 * 4096);
	run_of(&t, c, 0, 12);
	assert_int_equal(vec(&t, NVME_CMD_OC_READ, 12, &bits), 0);
	for (uint32_t i = 0; i < 12; i++) {
		uint64_t m;

		assert_int_equal(t.data[i * 4096 + 100], i + 1);
		memcpy(&m, t.meta + i * 8, 8);
		assert_int_equal(m, 1000 + i);
	}
	run_of(&t, c, 10, 4); /* 10, 11 readable; 12, 13 not yet */
	assert_int_equal(vec(&t, NVME_CMD_OC_READ, 4, &bits), NVME_SC_UNWRITTEN);
	assert_int_equal(bits, 0xc);
	/* a free chunk has nothing to read */
	t.lbas[0] = addr(&t, 0, 0, 0, 0);
	assert_int_equal(vec(&t, NVME_CMD_OC_READ, 1, NULL), NVME_SC_UNWRITTEN);
	/* fill the chunk: closed, everything readable, no more writes */
	for (uint32_t s = 24; s < 192; s += 24) {
		run_of(&t, c, s, 24);
		assert_int_equal(vec(&t, NVME_CMD_OC_WRITE, 24, NULL), 0);
	}
	chunk_desc(&t, (1 * 2 + 0) * 64 + 3, &d);
	assert_int_equal(d.cs, NVME_OC_CHUNK_CLOSED);
	run_of(&t, c, 180, 12);
	assert_int_equal(vec(&t, NVME_CMD_OC_READ, 12, NULL), 0);
	t.lbas[0] = c;
	assert_int_equal(vec(&t, NVME_CMD_OC_READ, 1, NULL), 0);
	assert_int_equal(t.data[100], 1);
	run_of(&t, c, 0, 4);
	assert_int_equal(vec(&t, NVME_CMD_OC_WRITE, 4, NULL), NVME_SC_OC_OUT_OF_ORDER_WRITE);
	/* out of range: a sector past clba, a chunk past num_chk */
	t.lbas[0] = c + 192;
	assert_int_equal(vec(&t, NVME_CMD_OC_READ, 1, NULL), NVME_SC_LBA_RANGE);
	/* a mixed vector: the bitmap marks only the failing address */
	run_of(&t, c, 0, 4);
	t.lbas[2] = addr(&t, 0, 0, 7, 0); /* free chunk */
	assert_int_equal(vec(&t, NVME_CMD_OC_READ, 4, &bits), NVME_SC_UNWRITTEN);
	assert_int_equal(bits, 1u << 2);
	/* scalar read on chunk addresses */
	{
		struct nvme_sqe sqe;
		struct nvme_cqe cqe;

		nvme_prep_rw(&sqe, NVME_CMD_READ, 1, c, 2);
		memset(t.data, 0, 8192);
		sqe.prp1 = (uintptr_t)t.data;
		sqe.prp2 = (uintptr_t)t.data + 4096;
		assert_true(vssd_submit(t.qp, &sqe) >= 0);
		while (vssd_reap(t.qp, &cqe, 1) != 1)
			vssd_qpair_wait(t.qp, UINT64_MAX);
		assert_int_equal(nvme_cqe_status(&cqe), 0);
		assert_int_equal(t.data[4096 + 5], 2);
	}
	oc_close(&t);
}

static void test_reset_rules(void **state)
{
	const char *const params[] = {DEV_PARAMS, NULL};
	const char *const params_rf[] = {DEV_PARAMS, "ocssd_reset_free=on", NULL};
	struct oc t;
	struct nvme_oc_chunk_desc d;
	uint64_t c;

	(void)state;
	oc_open(&t, params);
	assert_int_equal(t.geo.mccap & NVME_OC_MCCAP_MULTIPLE_RESETS, 0);
	c = addr(&t, 0, 1, 9, 0);
	t.lbas[0] = c;
	assert_int_equal(vec(&t, NVME_CMD_OC_RESET, 1, NULL), NVME_SC_OC_INVALID_RESET); /* free */
	run_of(&t, c, 0, 12);
	assert_int_equal(vec(&t, NVME_CMD_OC_WRITE, 12, NULL), 0);
	t.lbas[0] = c;
	assert_int_equal(vec(&t, NVME_CMD_OC_RESET, 1, NULL), NVME_SC_OC_INVALID_RESET); /* open */
	for (uint32_t s = 12; s < 192; s += 12) {
		run_of(&t, c, s, 12);
		assert_int_equal(vec(&t, NVME_CMD_OC_WRITE, 12, NULL), 0);
	}
	t.lbas[0] = c + 17; /* the sector bits are ignored */
	assert_int_equal(vec(&t, NVME_CMD_OC_RESET, 1, NULL), 0);
	chunk_desc(&t, (0 * 2 + 1) * 64 + 9, &d);
	assert_int_equal(d.cs, NVME_OC_CHUNK_FREE);
	assert_int_equal(d.wp, 0);
	t.lbas[0] = c;
	assert_int_equal(vec(&t, NVME_CMD_OC_READ, 1, NULL), NVME_SC_UNWRITTEN);
	oc_close(&t);
	oc_open(&t, params_rf);
	assert_int_equal(t.geo.mccap & NVME_OC_MCCAP_MULTIPLE_RESETS,
			 NVME_OC_MCCAP_MULTIPLE_RESETS);
	t.lbas[0] = addr(&t, 1, 1, 2, 0);
	assert_int_equal(vec(&t, NVME_CMD_OC_RESET, 1, NULL), 0);
	oc_close(&t);
}

static void test_faults(void **state)
{
	const char *const offline[] = {DEV_PARAMS, "ocssd_offline_rate=0.25", NULL};
	const char *const wfail[] = {DEV_PARAMS, "ocssd_write_fail=1", NULL};
	const char *const efail[] = {DEV_PARAMS, "ocssd_erase_fail=1", NULL};
	struct oc t;
	struct nvme_oc_chunk_desc d;
	uint32_t bad = 0, first_bad = 0;
	uint64_t c;

	(void)state;
	oc_open(&t, offline);
	for (uint32_t i = 0; i < 256; i++) {
		chunk_desc(&t, i, &d);
		if (d.cs == NVME_OC_CHUNK_OFFLINE && !bad++)
			first_bad = i;
	}
	assert_in_range(bad, 40, 90); /* about a quarter of 256 */
	chunk_desc(&t, first_bad, &d);
	run_of(&t, d.slba, 0, 4);
	assert_int_equal(vec(&t, NVME_CMD_OC_WRITE, 4, NULL), NVME_SC_OC_OFFLINE_CHUNK);
	assert_int_equal(vec(&t, NVME_CMD_OC_READ, 4, NULL), NVME_SC_OC_OFFLINE_CHUNK);
	assert_int_equal(vec(&t, NVME_CMD_OC_RESET, 1, NULL), NVME_SC_OC_OFFLINE_CHUNK);
	oc_close(&t);

	oc_open(&t, wfail); /* the sectors are used up, and hold nothing */
	c = addr(&t, 0, 0, 1, 0);
	run_of(&t, c, 0, 4);
	assert_int_equal(vec(&t, NVME_CMD_OC_WRITE, 4, NULL), NVME_SC_WRITE_FAULT);
	chunk_desc(&t, 1, &d);
	assert_int_equal(d.wp, 4);
	oc_close(&t);

	oc_open(&t, efail); /* a failed erase takes the chunk offline */
	c = addr(&t, 0, 0, 2, 0);
	for (uint32_t s = 0; s < 192; s += 24) {
		run_of(&t, c, s, 24);
		assert_int_equal(vec(&t, NVME_CMD_OC_WRITE, 24, NULL), 0);
	}
	t.lbas[0] = c;
	assert_int_equal(vec(&t, NVME_CMD_OC_RESET, 1, NULL), NVME_SC_OC_OFFLINE_CHUNK);
	chunk_desc(&t, 2, &d);
	assert_int_equal(d.cs, NVME_OC_CHUNK_OFFLINE);
	oc_close(&t);
}

/* Write pointers are found again after a power loss; the data is there. */
static void test_powerloss_keeps_chunks(void **state)
{
	const char *const params[] = {DEV_PARAMS, NULL};
	struct oc t;
	struct nvme_oc_chunk_desc d;
	uint64_t c;

	(void)state;
	oc_open(&t, params);
	c = addr(&t, 1, 1, 4, 0);
	for (uint32_t s = 0; s < 192; s += 24) { /* fill, reset, write 36 again */
		run_of(&t, c, s, 24);
		assert_int_equal(vec(&t, NVME_CMD_OC_WRITE, 24, NULL), 0);
	}
	t.lbas[0] = c;
	assert_int_equal(vec(&t, NVME_CMD_OC_RESET, 1, NULL), 0);
	run_of(&t, c, 0, 36);
	for (uint32_t i = 0; i < 36; i++)
		memset(t.data + i * 4096, 0x40 + (int)i, 4096);
	assert_int_equal(vec(&t, NVME_CMD_OC_WRITE, 36, NULL), 0);
	vssd_qpair_close(t.qp);
	assert_int_equal(vssd_powerloss(t.dev), 0);
	assert_int_equal(vssd_qpair_open(t.dev, 16, &t.qp), 0);
	chunk_desc(&t, (1 * 2 + 1) * 64 + 4, &d);
	assert_int_equal(d.cs, NVME_OC_CHUNK_OPEN);
	assert_int_equal(d.wp, 36);
	assert_int_equal(d.wli, 0);
	run_of(&t, c, 0, 24);
	assert_int_equal(vec(&t, NVME_CMD_OC_READ, 24, NULL), 0);
	assert_int_equal(t.data[23 * 4096], 0x40 + 23);
	oc_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_geometry),
		cmocka_unit_test(test_write_read_rules),
		cmocka_unit_test(test_reset_rules),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_powerloss_keeps_chunks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
