/* The real-time runtime through the public API: threaded and inline modes,
 * several host threads on their own queue pairs, eventfd notification,
 * waiting on a queue pair, and no completion before its modelled time. Built and run under
 * ThreadSanitizer by `make test`. */
#include "helpers.h"

#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "vssd/vssd.h"
#include "util/clock.h"

static const char *const params[] = {"media=ram",
				     "channels=2",
				     "luns_per_channel=2",
				     "blocks_per_plane=64",
				     "pages_per_block=48",
				     "op=0.2",
				     NULL};

struct worker {
	struct vssd *dev;
	int id;
	int errors;
};

static void stamp(uint8_t *b, uint32_t bytes, uint64_t lba, int round)
{
	for (uint32_t i = 0; i < bytes; i += 8) {
		uint64_t w = lba * 1000003 + (uint64_t)round * 7 + i;

		memcpy(b + i, &w, 8);
	}
}

/* Writes and reads back its own 256 LBAs, several rounds. */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct vssd_qpair *qp;
	uint32_t lb;
	uint8_t *buf, *back;

	if (vssd_qpair_open(w->dev, 32, &qp)) {
		w->errors++;
		return NULL;
	}
	lb = vssd_lba_bytes(w->dev);
	buf = vssd_dma_alloc(w->dev, lb * 4);
	back = vssd_dma_alloc(w->dev, lb * 4);
	for (int round = 0; round < 3; round++) {
		for (uint64_t i = 0; i < 256; i += 4) {
			uint64_t lba = (uint64_t)w->id * 1024 + i;

			stamp(buf, lb * 4, lba, round);
			if (vssd_write(qp, buf, lba, 4, round == 2 ? VSSD_FUA : 0) ||
			    vssd_read(qp, back, lba, 4) || memcmp(buf, back, lb * 4))
				w->errors++;
		}
	}
	if (vssd_flush(qp) || vssd_trim(qp, (uint64_t)w->id * 1024, 8) ||
	    vssd_read(qp, back, (uint64_t)w->id * 1024, 1))
		w->errors++;
	for (uint32_t i = 0; i < lb; i++)
		if (back[i])
			w->errors++; /* trimmed: zeros */
	vssd_dma_free(w->dev, buf);
	vssd_dma_free(w->dev, back);
	vssd_qpair_close(qp);
	return NULL;
}

static void run_workers(enum vssd_runtime rt, int nthreads, const char *extra)
{
	const char *p[16];
	struct vssd *dev;
	struct worker w[8];
	pthread_t th[8];
	char err[256];
	int n = 0;

	for (const char *const *q = params; *q; q++)
		p[n++] = *q;
	p[n++] = extra;
	p[n] = NULL;
	if (vssd_open(p, rt, &dev, err, sizeof(err)))
		fail_msg("%s", err);
	for (int i = 0; i < nthreads; i++) {
		w[i] = (struct worker){dev, i, 0};
		assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < nthreads; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].errors, 0);
	}
	vssd_close(dev);
}

static void test_threaded_many_host_threads(void **state)
{
	(void)state;
	run_workers(VSSD_THREADED, 4, "rt_workers=1");
}

static void test_threaded_dispatcher_posts(void **state)
{
	(void)state;
	run_workers(VSSD_THREADED, 3, "rt_workers=0");
}

static void test_inline_many_host_threads(void **state)
{
	(void)state;
	run_workers(VSSD_INLINE, 3, "rt_spin_ns=1000");
}

static void count_done(void *arg, const struct nvme_cqe *cqe)
{
	(void)cqe;
	(*(int *)arg)++;
}

static void test_eventfd_notification(void **state)
{
	struct vssd *dev;
	struct vssd_qpair *qp;
	struct pollfd pfd;
	char err[256];
	uint8_t *buf;
	uint64_t n;
	int done = 0;

	(void)state;
	if (vssd_open(params, VSSD_THREADED, &dev, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(vssd_qpair_open(dev, 8, &qp), 0);
	pfd.fd = vssd_qpair_eventfd(qp);
	pfd.events = POLLIN;
	assert_true(pfd.fd >= 0);
	buf = vssd_dma_alloc(dev, 4096);
	assert_int_equal(vssd_write_async(qp, buf, 7, 1, 0, count_done, &done), 0);
	assert_int_equal(poll(&pfd, 1, 5000), 1); /* the worker signals the post */
	assert_int_equal(read(pfd.fd, &n, sizeof(n)), (ssize_t)sizeof(n));
	while (!done)
		vssd_poll(qp);
	assert_int_equal(done, 1);
	vssd_dma_free(dev, buf);
	vssd_qpair_close(qp);
	vssd_close(dev);
}

static void keep_cqe(void *arg, const struct nvme_cqe *cqe)
{
	*(struct nvme_cqe *)arg = *cqe;
}

/* Admin commands without waiting: an Identify completes through the
 * eventfd and vssd_admin_poll(); an Asynchronous Event Request is held
 * (while a synchronous command goes by) until an Abort ends it; a device
 * closed with one held closes. */
static void test_admin_async(void **state)
{
	struct nvme_cqe id_cqe = {.status = 0xffff}, aer_cqe = {.status = 0xffff}, cqe;
	struct nvme_sqe id, aer = {.opcode = NVME_ADMIN_ASYNC_EVENT}, abort = {0}, sync;
	struct pollfd pfd = {.events = POLLIN};
	struct vssd *dev;
	char err[256];
	uint8_t *buf;
	uint64_t n;
	int aer_cid;

	(void)state;
	if (vssd_open(params, VSSD_THREADED, &dev, err, sizeof(err)))
		fail_msg("%s", err);
	pfd.fd = vssd_admin_eventfd(dev);
	assert_true(pfd.fd >= 0);
	assert_int_equal(vssd_admin_async(dev, &aer, NULL, NULL), -EINVAL); /* no callback */
	aer_cid = vssd_admin_async(dev, &aer, keep_cqe, &aer_cqe);
	assert_true(aer_cid >= 0);
	buf = vssd_dma_alloc(dev, 4096);
	nvme_prep_identify(&id, 0, NVME_ID_CNS_CTRL, buf);
	assert_true(vssd_admin_async(dev, &id, keep_cqe, &id_cqe) >= 0);
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	assert_int_equal(read(pfd.fd, &n, sizeof(n)), (ssize_t)sizeof(n));
	while (id_cqe.status == 0xffff)
		vssd_admin_poll(dev);
	assert_int_equal(nvme_cqe_code(&id_cqe), 0);
	assert_int_equal(memcmp(((struct nvme_id_ctrl *)buf)->mn, "vssd", 4), 0);
	/* a synchronous command between: the held AER stays held */
	nvme_prep_identify(&sync, 0, NVME_ID_CNS_CTRL, buf);
	assert_int_equal(vssd_admin(dev, &sync, &cqe), 0);
	vssd_admin_poll(dev);
	assert_int_equal(aer_cqe.status, 0xffff);
	abort.opcode = NVME_ADMIN_ABORT;
	nvme_set(&abort, NVME_F_ABORT_SQID, 0);
	nvme_set(&abort, NVME_F_ABORT_CID, (uint32_t)aer_cid);
	assert_int_equal(vssd_admin(dev, &abort, &cqe), 0);
	assert_int_equal(cqe.result & 1, 0); /* aborted */
	while (aer_cqe.status == 0xffff)
		vssd_admin_poll(dev);
	assert_int_equal(nvme_cqe_code(&aer_cqe), NVME_SC_ABORT_REQ);
	/* one more held AER at close */
	assert_true(vssd_admin_async(dev, &aer, keep_cqe, &aer_cqe) >= 0);
	vssd_dma_free(dev, buf);
	vssd_close(dev);
}

/* A QD1 read of data on NAND is never reported earlier than the model says,
 * whether a runtime thread posts it or the waiting thread does (inline). */
static void never_early(enum vssd_runtime runtime)
{
	const char *p970[] = {"profile=nvmevirt_970pro", "blocks_per_plane=96", NULL};
	struct vssd *dev;
	struct vssd_qpair *qp;
	char err[256];
	uint8_t *buf;
	/* fw 21.5 us + read >= 29.76 us + 4 KiB over 800 MB/s and 3360 MB/s */
	const uint64_t floor_ns = 21500 + 29760 + 5120 + 1219;

	if (vssd_open(p970, runtime, &dev, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(vssd_qpair_open(dev, 8, &qp), 0);
	buf = vssd_dma_alloc(dev, 64 * 4096);
	assert_int_equal(vssd_write(qp, buf, 0, 32 * 8, 0), 0); /* 128 KiB */
	assert_int_equal(vssd_flush(qp), 0);
	for (int i = 0; i < 20; i++) {
		uint64_t t0 = mono_ns();

		assert_int_equal(vssd_read(qp, buf, (uint64_t)i * 8, 8), 0);
		assert_true(mono_ns() - t0 >= floor_ns);
	}
	vssd_dma_free(dev, buf);
	vssd_qpair_close(qp);
	vssd_close(dev);
}

static void test_never_early_threaded(void **state)
{
	(void)state;
	never_early(VSSD_THREADED);
}

static void test_never_early_inline(void **state)
{
	(void)state;
	never_early(VSSD_INLINE);
}

/* vssd_qpair_wait: a completion ends the wait, an idle queue times out. */
static void test_qpair_wait(void **state)
{
	enum vssd_runtime modes[] = {VSSD_INLINE, VSSD_THREADED};

	(void)state;
	for (int m = 0; m < 2; m++) {
		struct vssd *dev;
		struct vssd_qpair *qp;
		char err[256];
		uint8_t *buf;
		uint64_t t0;
		int done = 0;

		if (vssd_open(params, modes[m], &dev, err, sizeof(err)))
			fail_msg("%s", err);
		assert_int_equal(vssd_qpair_open(dev, 8, &qp), 0);
		t0 = mono_ns();
		assert_int_equal(vssd_qpair_wait(qp, 2000000), 0);
		assert_true(mono_ns() - t0 >= 2000000);
		buf = vssd_dma_alloc(dev, 4096);
		assert_int_equal(vssd_write_async(qp, buf, 7, 1, 0, count_done, &done), 0);
		assert_int_equal(vssd_qpair_wait(qp, UINT64_MAX), 1);
		assert_int_equal(done, 0); /* posted, not yet reaped */
		assert_int_equal(vssd_poll(qp), 1);
		assert_int_equal(done, 1);
		vssd_dma_free(dev, buf);
		vssd_qpair_close(qp);
		vssd_close(dev);
	}
}

static void test_open_errors(void **state)
{
	const char *bad[] = {"channels=0", NULL};
	const char *unknown[] = {"bogus=1", NULL};
	struct vssd *dev = NULL;
	char err[256];

	(void)state;
	assert_int_not_equal(vssd_open(bad, VSSD_INLINE, &dev, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "channels=0"));
	assert_int_not_equal(vssd_open(unknown, VSSD_INLINE, &dev, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "unknown parameter 'bogus'"));
	assert_null(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threaded_many_host_threads),
		cmocka_unit_test(test_threaded_dispatcher_posts),
		cmocka_unit_test(test_inline_many_host_threads),
		cmocka_unit_test(test_eventfd_notification),
		cmocka_unit_test(test_admin_async),
		cmocka_unit_test(test_never_early_threaded),
		cmocka_unit_test(test_never_early_inline),
		cmocka_unit_test(test_qpair_wait),
		cmocka_unit_test(test_open_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
