/* pblk over an open-channel device through the library's queues: the ring
 * buffer's pointers, L2P updates on overwrite while an entry is cached,
 * reads served from the buffer, the device and both, flush padding, GC
 * under pressure, the rate limiter's budgets, recovery after power losses
 * at random points, and the error paths with injected faults. */
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

static int tr_submit(void *ctx, struct nvme_sqe *sqe, host_cmd_done done, void *arg)
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

static uint64_t tr_now(void *ctx)
{
	(void)ctx;
	return 0; /* the test's requests complete in order, not in time */
}

static int tr_poll(void *ctx)
{
	struct host *h = ctx;

	if (vssd_inflight(h->qp))
		vssd_qpair_wait(h->qp, 1000000000);
	vssd_poll(h->qp);
	return 0;
}

/* pblk over the device (again, after a power loss: it recovers). */
static void pblk_start(struct host *h)
{
	struct host_transport tr = {h, tr_submit, tr_admin, tr_alloc, tr_free, tr_now, tr_poll};
	struct pblk_config cfg = {.op_percent = 11};
	char err[512];

	if (pblk_create(&cfg, &tr, &h->pb, err, sizeof(err)))
		fail_msg("%s", err);
}

/* The small test device; extra parameters (faults) after the fixed ones. */
static void host_open_with(struct host *h, const char *extra1, const char *extra2)
{
	const char *const params[] = {"ftl=ocssd",
				      "media=ram",
				      "channels=2",
				      "luns_per_channel=2",
				      "blocks_per_plane=64",
				      "pages_per_block=48",
				      "timing=off",
				      extra1,
				      extra2,
				      NULL};
	char err[512];

	memset(h, 0, sizeof(*h));
	if (vssd_open(params, VSSD_INLINE, &h->dev, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(vssd_qpair_open(h->dev, 256, &h->qp), 0);
	pblk_start(h);
	h->buf = malloc(64 * 4096);
}

static void host_open(struct host *h)
{
	host_open_with(h, NULL, NULL);
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
	struct host_bio bio = {
		.dir = dir, .lba = lba, .nr = nr, .buf = h->buf, .done = bio_done, .arg = h};
	int before = h->done;

	h->status = 0;
	assert_int_equal(pblk_submit(h->pb, &bio, 0), 0);
	for (int spins = 0; h->done == before; spins++) {
		pblk_complete_due(h->pb, 0);
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
	n = cap / 4; /* within the free lines: GC has its own test */
	version = calloc(n, sizeof(*version));
	/* sequential fill in 8-sector requests, then random overwrites */
	for (uint64_t lba = 0; lba + 8 <= n; lba += 8) {
		for (uint32_t i = 0; i < 8; i++)
			stamp(h.buf + i * 4096, lba + i, version[lba + i] = 1);
		assert_int_equal(io(&h, HOST_BIO_WRITE, lba, 8), 0);
		check_pointers(&h);
	}
	srand(7);
	for (int k = 0; k < 4000; k++) {
		uint64_t lba = (uint64_t)rand() % n;

		stamp(h.buf, lba, ++version[lba]);
		assert_int_equal(io(&h, HOST_BIO_WRITE, lba, 1), 0);
		check_pointers(&h);
	}
	/* overwrite while the entry is still cached: the newest copy reads back */
	stamp(h.buf, 5, 100);
	assert_int_equal(io(&h, HOST_BIO_WRITE, 5, 1), 0);
	stamp(h.buf, 5, 101);
	assert_int_equal(io(&h, HOST_BIO_WRITE, 5, 1), 0);
	version[5] = 101;
	assert_int_equal(io(&h, HOST_BIO_READ, 5, 1), 0);
	assert_int_equal(version_of(h.buf, 5), 101);
	/* a partial write unit: the flush pads it and waits for the device */
	stamp(h.buf, 9, ++version[9]);
	assert_int_equal(io(&h, HOST_BIO_WRITE, 9, 1), 0);
	assert_int_equal(io(&h, HOST_BIO_FLUSH, 0, 0), 0);
	pblk_rb_pointers(h.pb, &p);
	assert_int_equal(p.sync, p.mem);
	assert_int_equal(p.subm, p.mem);
	pblk_get_stats(h.pb, &st);
	assert_true(st.pad_sectors > 0);
	assert_int_equal(st.user_sectors, n / 8 * 8 + 4003);
	/* everything reads back, from the device, the buffer, or both at once */
	for (uint64_t lba = 0; lba + 32 <= n; lba += 32) {
		assert_int_equal(io(&h, HOST_BIO_READ, lba, 32), 0);
		for (uint32_t i = 0; i < 32; i++)
			if (version[lba + i])
				assert_int_equal(version_of(h.buf + i * 4096, lba + i),
						 version[lba + i]);
	}
	pblk_get_stats(h.pb, &st);
	assert_true(st.cache_read_sectors > 0);
	assert_true(st.read_sectors > st.cache_read_sectors);
	assert_int_equal(st.read_errors, 0);
	assert_true(st.meta_sectors > 0);
	/* never written: zeros */
	assert_int_equal(io(&h, HOST_BIO_READ, n + 5, 1), 0);
	assert_int_equal(h.buf[100], 0);
	{ /* past the end */
		struct host_bio bio = {.dir = HOST_BIO_READ,
				       .lba = cap,
				       .nr = 1,
				       .buf = h.buf,
				       .done = bio_done,
				       .arg = &h};

		assert_int_equal(pblk_submit(h.pb, &bio, 0), -ERANGE);
	}
	free(version);
	host_close(&h);
}

/* What each LBA should read back: the last version written, and the last
 * one a completed flush made durable. Versions grow, one write each, so a
 * version lost at a power cut is never written again. */
struct model {
	uint64_t n;
	uint32_t *last, *durable, *next;
};

static void model_init(struct model *m, uint64_t n)
{
	m->n = n;
	m->last = calloc(n, sizeof(uint32_t));
	m->durable = calloc(n, sizeof(uint32_t));
	m->next = calloc(n, sizeof(uint32_t));
}

static void model_free(struct model *m)
{
	free(m->last);
	free(m->durable);
	free(m->next);
}

static void flush(struct host *h, struct model *m)
{
	assert_int_equal(io(h, HOST_BIO_FLUSH, 0, 0), 0);
	memcpy(m->durable, m->last, m->n * sizeof(uint32_t));
}

/* Random writes of 1-8 sectors over the model's LBAs, `sectors` in all; a
 * flush every flush_every requests (0: none). Calls each() after each write. */
static void random_writes(struct host *h, struct model *m, uint64_t sectors, int flush_every,
			  void (*each)(struct host *))
{
	for (uint64_t done = 0, k = 0; done < sectors; k++) {
		uint32_t nr = 1 + (uint32_t)rand() % 8;
		uint64_t lba = (uint64_t)rand() % (m->n - nr);

		for (uint32_t i = 0; i < nr; i++)
			stamp(h->buf + i * 4096, lba + i, m->last[lba + i] = ++m->next[lba + i]);
		assert_int_equal(io(h, HOST_BIO_WRITE, lba, nr), 0);
		done += nr;
		if (each)
			each(h);
		if (flush_every && k % (uint64_t)flush_every == (uint64_t)flush_every - 1)
			flush(h, m);
	}
}

/* Every LBA reads back a version between its durable and its last one,
 * stamped for that LBA (never garbage); what it read is durable now. */
static void verify(struct host *h, struct model *m)
{
	for (uint64_t lba = 0; lba < m->n; lba += 32) {
		uint32_t nr = m->n - lba < 32 ? (uint32_t)(m->n - lba) : 32;

		assert_int_equal(io(h, HOST_BIO_READ, lba, nr), 0);
		for (uint32_t i = 0; i < nr; i++) {
			const uint8_t *b = h->buf + i * 4096;
			uint32_t v = 0;

			for (int z = 0; z < 4096 && !v; z++)
				v = b[z] != 0; /* all zeros: never written */
			if (v)
				v = version_of(b, lba + i);
			if (v < m->durable[lba + i] || v > m->last[lba + i])
				fail_msg("LBA %llu reads version %u; durable %u, last %u",
					 (unsigned long long)(lba + i), v, m->durable[lba + i],
					 m->last[lba + i]);
			m->durable[lba + i] = m->last[lba + i] = v; /* what later cuts must keep */
		}
	}
}

/* The rate limiter's budget as free chunks fall: all the user's at or
 * above `high`, none at or below `rsv`, and never more for fewer. */
static uint64_t rl_user_at[4096];
static uint32_t rl_states_seen;

static void check_rl(struct host *h)
{
	struct pblk_stats st;

	pblk_get_stats(h->pb, &st);
	check_pointers(h);
	assert_int_equal(st.rb_user_max + st.rb_gc_max, st.rb_budget);
	if (st.free_blocks >= st.rl_high)
		assert_int_equal(st.rb_gc_max, st.rl_state == PBLK_RL_WERR ? 64 : 0);
	if (st.free_blocks <= st.rl_rsv)
		assert_int_equal(st.rb_user_max, 0);
	rl_states_seen |= 1u << st.rl_state;
	if (st.free_blocks < 4096) {
		if (rl_user_at[st.free_blocks] == UINT64_MAX)
			rl_user_at[st.free_blocks] = st.rb_user_max;
		assert_int_equal(rl_user_at[st.free_blocks], st.rb_user_max);
	}
}

static void test_gc_and_rate_limiter(void **state)
{
	struct host h;
	struct model m;
	struct pblk_stats st;
	uint64_t prev = UINT64_MAX;

	(void)state;
	host_open(&h);
	pblk_get_stats(h.pb, &st);
	assert_int_equal(st.rl_state, PBLK_RL_OFF);
	assert_int_equal(st.rb_user_max, st.rb_budget);
	assert_true(st.rl_rsv < st.rl_high);
	memset(rl_user_at, 0xff, sizeof(rl_user_at));
	rl_states_seen = 0;
	model_init(&m, pblk_capacity(h.pb));
	srand(11);
	/* three times the capacity in random overwrites: GC must make room */
	random_writes(&h, &m, 3 * m.n, 0, check_rl);
	flush(&h, &m);
	verify(&h, &m);
	pblk_get_stats(h.pb, &st);
	assert_true(st.gc_lines > 10);
	assert_true(st.gc_sectors > 0);
	assert_true(pblk_stats_waf(&st) > 1.0);
	assert_int_equal(st.read_errors, 0);
	assert_true(rl_states_seen & (1u << PBLK_RL_LOW));
	/* fewer free chunks never leave the user a bigger budget */
	for (int f = 0; f < 4096; f++) {
		if (rl_user_at[f] == UINT64_MAX)
			continue;
		assert_true(prev == UINT64_MAX || rl_user_at[f] >= prev);
		prev = rl_user_at[f];
	}
	model_free(&m);
	host_close(&h);
}

/* Power cuts at random points of a random workload with random flushes:
 * pblk is rebuilt from the media each time. */
static void power_cuts(struct host *h, struct model *m, int cuts)
{
	struct pblk_stats st;

	for (int cut = 0; cut < cuts; cut++) {
		random_writes(h, m, 200 + (uint64_t)rand() % 3000, 1 + rand() % 300, NULL);
		assert_int_equal(vssd_powerloss(h->dev), 0); /* commands in flight are lost */
		pblk_destroy(h->pb); /* and so is everything pblk held in memory */
		pblk_start(h);
		pblk_get_stats(h->pb, &st);
		assert_true(st.recovered_lines > 0);
		verify(h, m);
	}
}

static void test_recovery_after_power_loss(void **state)
{
	struct host h;
	struct model m;
	struct pblk_stats st;

	(void)state;
	host_open(&h);
	model_init(&m, pblk_capacity(h.pb));
	srand(23);
	power_cuts(&h, &m, 40);
	pblk_get_stats(h.pb, &st);
	assert_true(st.recovered_from_emeta > 0);
	assert_true(st.recovery_pad_sectors > 0);
	model_free(&m);
	host_close(&h);
}

/* Write failures (resubmitted elsewhere, their line collected first), erase
 * failures (the chunk goes offline) and chunks offline from the start. */
static void test_injected_faults(void **state)
{
	struct host h;
	struct model m;
	struct pblk_stats st;

	(void)state;
	host_open_with(&h, "ocssd_write_fail=0.0002", "ocssd_erase_fail=0.01");
	model_init(&m, pblk_capacity(h.pb));
	srand(31);
	random_writes(&h, &m, 2 * m.n, 500, NULL);
	flush(&h, &m);
	verify(&h, &m);
	pblk_get_stats(h.pb, &st);
	assert_true(st.write_errors > 0);
	assert_true(st.erase_errors > 0);
	assert_int_equal(st.read_errors, 0);
	power_cuts(&h, &m, 5); /* a new pblk each time: its counters start again */
	pblk_get_stats(h.pb, &st);
	assert_int_equal(st.read_errors, 0);
	model_free(&m);
	host_close(&h);

	host_open_with(&h, "ocssd_offline_rate=0.1", NULL);
	pblk_get_stats(h.pb, &st);
	assert_true(st.bad_chunks > 0);
	model_init(&m, pblk_capacity(h.pb));
	random_writes(&h, &m, 2 * m.n, 500, NULL);
	flush(&h, &m);
	verify(&h, &m);
	model_free(&m);
	host_close(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_read_overwrite),
		cmocka_unit_test(test_gc_and_rate_limiter),
		cmocka_unit_test(test_recovery_after_power_loss),
		cmocka_unit_test(test_injected_faults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
