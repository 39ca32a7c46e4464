/* pblk over an open-channel device through the library's queues: the ring
 * buffer's pointers, L2P updates on overwrite while an entry is cached,
 * reads served from the buffer, the device and both, and flush padding. */
#include "helpers.h"

#include <stdlib.h>

#include "host/pblk/pblk.h"
#include "vssd/vssd.h"

struct host {
	struct vssd *dev;
	struct vssd_qpair *qp;
	struct pblk *pb;
	uint8_t *buf;
	int done;
	uint16_t status;
};

static int tr_submit(void *ctx, struct nvme_sqe *sqe, pblk_cmd_done done, void *arg)
{
	return vssd_submit_cb(((struct host *)ctx)->qp, sqe, done, arg) < 0 ? -EAGAIN : 0;
}

static int tr_admin(void *ctx, struct nvme_sqe *sqe, struct nvme_cqe *cqe)
{
	return vssd_admin(((struct host *)ctx)->dev, sqe, cqe) ? -EIO : 0;
}

static void *tr_alloc(void *ctx, size_t bytes)
{
	return vssd_dma_alloc(((struct host *)ctx)->dev, bytes);
}

static void tr_free(void *ctx, void *p)
{
	vssd_dma_free(((struct host *)ctx)->dev, p);
}

static void host_open(struct host *h)
{
	const char *const params[] = {"ftl=ocssd", "media=ram", "channels=2", "luns_per_channel=2",
				      "blocks_per_plane=64", "pages_per_block=48", NULL};
	struct pblk_transport tr = {h, tr_submit, tr_admin, tr_alloc, tr_free};
	struct pblk_config cfg = {.op_percent = 11};
	char err[512];

	memset(h, 0, sizeof(*h));
	if (vssd_open(params, VSSD_INLINE, &h->dev, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(vssd_qpair_open(h->dev, 256, &h->qp), 0);
	if (pblk_create(&cfg, &tr, &h->pb, err, sizeof(err)))
		fail_msg("%s", err);
	h->buf = malloc(64 * 4096);
}

static void host_close(struct host *h)
{
	pblk_destroy(h->pb);
	vssd_qpair_close(h->qp);
	vssd_close(h->dev);
	free(h->buf);
}

static void bio_done(void *arg, uint16_t status)
{
	struct host *h = arg;

	h->done++;
	if (status)
		h->status = status;
}

/* Runs one block request to completion. */
static uint16_t io(struct host *h, uint8_t dir, uint64_t lba, uint32_t nr)
{
	struct pblk_bio bio = {.dir = dir, .lba = lba, .nr = nr, .buf = h->buf, .done = bio_done,
			       .arg = h};
	int before = h->done;

	h->status = 0;
	assert_int_equal(pblk_submit(h->pb, &bio, 0), 0);
	for (int spins = 0; h->done == before; spins++) {
		pblk_complete_due(h->pb, UINT64_MAX);
		if (h->done != before)
			break;
		assert_true(spins < 1000000);
		if (vssd_inflight(h->qp))
			vssd_qpair_wait(h->qp, 1000000);
		vssd_poll(h->qp);
	}
	assert_null(pblk_error(h->pb));
	return h->status;
}

static void stamp(uint8_t *b, uint64_t lba, uint32_t version)
{
	for (int i = 0; i < 4096; i += 16) {
		memcpy(b + i, &lba, 8);
		memcpy(b + i + 8, &version, 4);
	}
}

static uint32_t version_of(const uint8_t *b, uint64_t lba)
{
	uint64_t l;
	uint32_t v;

	memcpy(&l, b, 8);
	memcpy(&v, b + 8, 4);
	assert_int_equal(l, lba);
	return v;
}

static void check_pointers(const struct host *h)
{
	struct pblk_rb_pointers p;

	pblk_rb_pointers(h->pb, &p);
	assert_true(p.l2p <= p.sync && p.sync <= p.subm && p.subm <= p.mem);
	assert_true(p.mem - p.l2p <= p.size);
}

static void test_write_read_overwrite(void **state)
{
	struct host h;
	uint64_t cap, n;
	uint32_t *version;
	struct pblk_rb_pointers p;
	struct pblk_stats st;

	(void)state;
	host_open(&h);
	cap = pblk_capacity(h.pb);
	assert_true(cap > 10000);
	n = cap / 4; /* no GC yet: stay within the free lines */
	version = calloc(n, sizeof(*version));
	/* sequential fill in 8-sector requests, then random overwrites */
	for (uint64_t lba = 0; lba + 8 <= n; lba += 8) {
		for (uint32_t i = 0; i < 8; i++)
			stamp(h.buf + i * 4096, lba + i, version[lba + i] = 1);
		assert_int_equal(io(&h, PBLK_WRITE, lba, 8), 0);
		check_pointers(&h);
	}
	srand(7);
	for (int k = 0; k < 4000; k++) {
		uint64_t lba = (uint64_t)rand() % n;

		stamp(h.buf, lba, ++version[lba]);
		assert_int_equal(io(&h, PBLK_WRITE, lba, 1), 0);
		check_pointers(&h);
	}
	/* overwrite while the entry is still cached: the newest copy reads back */
	stamp(h.buf, 5, 100);
	assert_int_equal(io(&h, PBLK_WRITE, 5, 1), 0);
	stamp(h.buf, 5, 101);
	assert_int_equal(io(&h, PBLK_WRITE, 5, 1), 0);
	version[5] = 101;
	assert_int_equal(io(&h, PBLK_READ, 5, 1), 0);
	assert_int_equal(version_of(h.buf, 5), 101);
	/* a partial write unit: the flush pads it and waits for the device */
	stamp(h.buf, 9, ++version[9]);
	assert_int_equal(io(&h, PBLK_WRITE, 9, 1), 0);
	assert_int_equal(io(&h, PBLK_FLUSH, 0, 0), 0);
	pblk_rb_pointers(h.pb, &p);
	assert_int_equal(p.sync, p.mem);
	assert_int_equal(p.subm, p.mem);
	pblk_get_stats(h.pb, &st);
	assert_true(st.pad_sectors > 0);
	assert_int_equal(st.user_sectors, n / 8 * 8 + 4003);
	/* everything reads back, from the device, the buffer, or both at once */
	for (uint64_t lba = 0; lba + 32 <= n; lba += 32) {
		assert_int_equal(io(&h, PBLK_READ, lba, 32), 0);
		for (uint32_t i = 0; i < 32; i++)
			if (version[lba + i])
				assert_int_equal(version_of(h.buf + i * 4096, lba + i), version[lba + i]);
	}
	pblk_get_stats(h.pb, &st);
	assert_true(st.cache_read_sectors > 0);
	assert_true(st.read_sectors > st.cache_read_sectors);
	assert_int_equal(st.read_errors, 0);
	assert_true(st.meta_sectors > 0);
	/* never written: zeros */
	assert_int_equal(io(&h, PBLK_READ, n + 5, 1), 0);
	assert_int_equal(h.buf[100], 0);
	{ /* past the end */
		struct pblk_bio bio = {.dir = PBLK_READ, .lba = cap, .nr = 1, .buf = h.buf,
				       .done = bio_done, .arg = &h};

		assert_int_equal(pblk_submit(h.pb, &bio, 0), -ERANGE);
	}
	free(version);
	host_close(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_read_overwrite),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
