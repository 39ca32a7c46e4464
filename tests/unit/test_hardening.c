/* Library misuse that once crashed or hung (issue 20; each test names its
 * item): NULL pointers, a power loss the media cannot survive, two pblks on
 * one device, and pblk over media whose writes fail more often than not. */
#include "helpers.h"

#include <stdlib.h>

#include "vssd/served.h"
#include "vssd/sim.h"
#include "vssd/vssd.h"

static struct vssd *open_dev(const char *extra1, const char *extra2)
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
	struct vssd *dev = NULL;
	char err[512];

	if (vssd_open(params, VSSD_INLINE, &dev, err, sizeof(err)))
		fail_msg("%s", err);
	return dev;
}

/* Item 15: NULL out-pointers and buffers are refused, not dereferenced. */
static void test_null_pointers(void **state)
{
	const char *const params[] = {"timing=off", NULL};
	struct nvme_sqe sqe = {.opcode = NVME_CMD_FLUSH, .nsid = 1};
	struct nvme_cqe cqe;
	struct vssd_qpair *qp;
	struct vssd *dev;
	char err[256] = "";

	(void)state;
	assert_int_equal(vssd_open(params, VSSD_INLINE, NULL, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "out is NULL"));
	assert_int_equal(vssd_open(NULL, VSSD_INLINE, &dev, err, sizeof(err)), -EINVAL);
	assert_int_equal(vssd_open(params, VSSD_INLINE, &dev, err, sizeof(err)), 0);
	assert_int_equal(vssd_qpair_open(dev, 8, NULL), -EINVAL);
	assert_int_equal(vssd_qpair_open(NULL, 8, &qp), -EINVAL);
	assert_int_equal(vssd_dma_register(dev, NULL, 4096), -EINVAL);
	assert_int_equal(vssd_dma_register(dev, err, 0), -EINVAL);
	assert_int_equal(vssd_dma_unregister(dev, NULL), -EINVAL);
	assert_int_equal(vssd_admin(dev, NULL, &cqe), -EINVAL);
	assert_int_equal(vssd_admin(dev, &sqe, NULL), -EINVAL);
	assert_int_equal(vssd_qpair_open(dev, 8, &qp), 0);
	assert_int_equal(vssd_submit(qp, NULL), -EINVAL);
	assert_int_equal(vssd_submit(NULL, &sqe), -EINVAL);
	assert_int_equal(vssd_submit_cb(qp, NULL, NULL, NULL), -EINVAL);
	assert_int_equal(vssd_flush(qp), 0); /* still a working queue pair */
	assert_int_equal(vssd_check(NULL, err, sizeof(err)), -EINVAL);
	assert_int_equal(vssd_check(dev, NULL, 0), -EINVAL);
	assert_int_equal(vssd_check(dev, err, sizeof(err)), 0); /* a whole FTL */
	assert_int_equal(vssd_qpair_close(NULL), -EINVAL);
	assert_int_equal(vssd_qpair_close(qp), 0);
	vssd_close(dev);
	vssd_close(NULL);
}

/* The same for the info, simulator and served-statistics calls (issue 15). */
static void test_null_pointers_info_sim_served(void **state)
{
	const char *const params[] = {"timing=off", NULL};
	struct vssd_sim_verify v;
	struct vssd_served *st;
	struct vssd_info info;
	struct vssd_counters c;
	struct vssd_sim *sim;
	struct vssd *dev;
	char err[256] = "";

	(void)state;
	assert_int_equal(vssd_open(params, VSSD_INLINE, &dev, err, sizeof(err)), 0);
	assert_int_equal(vssd_info(NULL, &info), -EINVAL);
	assert_int_equal(vssd_info(dev, NULL), -EINVAL);
	assert_int_equal(vssd_counters(dev, NULL), -EINVAL);
	assert_int_equal(vssd_handle_counters(dev, 0, NULL), -EINVAL);
	assert_int_equal(vssd_placement_id(dev, 0), -EINVAL); /* fdp=off: no identifiers */
	assert_int_equal(vssd_info(dev, &info), 0);
	assert_string_equal(info.ftl, "conv");
	assert_int_equal(info.block_host, VSSD_BLOCK_NVM);
	assert_int_equal(vssd_counters(dev, &c), 0);
	assert_int_equal(vssd_served_open(NULL, NULL, &st), -EINVAL);
	assert_int_equal(vssd_served_open(dev, NULL, NULL), -EINVAL);
	assert_int_equal(vssd_served_client(NULL, "a"), -EINVAL);
	assert_int_equal(vssd_served_start(NULL, NULL, 0), -EINVAL);
	vssd_served_close(NULL, NULL);
	vssd_close(dev);
	assert_int_equal(vssd_sim_run(NULL, "x.fio", NULL, &sim, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "params is NULL"));
	assert_int_equal(vssd_sim_run(params, NULL, NULL, &sim, err, sizeof(err)), -EINVAL);
	assert_int_equal(vssd_sim_report(NULL, VSSD_REPORT_TEXT, stdout), -EINVAL);
	assert_int_equal(vssd_sim_write_csv(NULL, "/tmp", err, sizeof(err)), -EINVAL);
	assert_int_equal(vssd_sim_verify(NULL, 0, &v), -EINVAL);
	vssd_sim_summary(NULL, NULL);
	vssd_sim_free(NULL);
}

/* Item 3: a power loss with media=none is refused before anything is torn
 * down, so the device goes on serving commands and closes. */
static void test_powerloss_refused_leaves_device_usable(void **state)
{
	const char *const params[] = {"media=none", "timing=off", NULL};
	struct vssd_qpair *qp;
	struct vssd *dev;
	char err[256];
	uint8_t *buf;

	(void)state;
	assert_int_equal(vssd_open(params, VSSD_INLINE, &dev, err, sizeof(err)), 0);
	assert_int_equal(vssd_qpair_open(dev, 8, &qp), 0);
	buf = vssd_dma_alloc(dev, 4096);
	assert_int_equal(vssd_write(qp, buf, 0, 1, 0), 0);
	assert_int_equal(vssd_powerloss(dev), -EOPNOTSUPP);
	assert_int_equal(vssd_write(qp, buf, 1, 1, 0), 0);
	assert_int_equal(vssd_read(qp, buf, 0, 1), 0);
	assert_int_equal(vssd_flush(qp), 0);
	vssd_dma_free(dev, buf);
	assert_int_equal(vssd_qpair_close(qp), 0);
	vssd_close(dev);
}

/* Item 4: a second pblk on one device is refused; after the first closes,
 * a new one opens and finds the data. */
static void test_second_pblk_refused(void **state)
{
	struct vssd *dev = open_dev(NULL, NULL);
	struct vssd_pblk *a, *b = NULL;
	uint8_t in[4096], out[4096];
	char err[256] = "";

	(void)state;
	assert_int_equal(vssd_pblk_open(dev, &a, err, sizeof(err)), 0);
	assert_int_equal(vssd_pblk_open(dev, &b, err, sizeof(err)), -EBUSY);
	assert_null(b);
	assert_non_null(strstr(err, "already"));
	memset(in, 0x5a, sizeof(in));
	assert_int_equal(vssd_pblk_write(a, in, 7, 1), 0);
	assert_int_equal(vssd_pblk_flush(a), 0);
	vssd_pblk_close(a);
	assert_int_equal(vssd_pblk_open(dev, &b, err, sizeof(err)), 0);
	assert_int_equal(vssd_pblk_read(b, out, 7, 1), 0);
	assert_memory_equal(in, out, sizeof(in));
	vssd_pblk_close(b);
	vssd_close(dev);
}

/* Item 10: when most writes fail, pblk gives up on the request with an
 * error saying why instead of retrying for ever; close still works. */
static void test_pblk_write_failures_bounded(void **state)
{
	struct vssd *dev = open_dev("ocssd_write_fail=0.9", NULL);
	struct vssd_pblk *pb;
	uint8_t *buf = calloc(64, 4096);
	char err[256];
	int rc = 0;

	(void)state;
	assert_int_equal(vssd_pblk_open(dev, &pb, err, sizeof(err)), 0);
	for (uint64_t lba = 0; !rc && lba < vssd_pblk_capacity(pb); lba += 64)
		rc = vssd_pblk_write(pb, buf, lba, 64);
	if (!rc)
		rc = vssd_pblk_flush(pb);
	assert_int_not_equal(rc, 0);
	assert_non_null(vssd_pblk_error(pb));
	vssd_pblk_close(pb);
	vssd_close(dev);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_null_pointers),
		cmocka_unit_test(test_null_pointers_info_sim_served),
		cmocka_unit_test(test_powerloss_refused_leaves_device_usable),
		cmocka_unit_test(test_second_pblk_refused),
		cmocka_unit_test(test_pblk_write_failures_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
