/* vssd sim with fio's zonemode=zbd on a zoned namespace (src/runtime/
 * sim_zbd.c): sequential writes of one die group's zones (zoneskip) at the
 * closed form's bandwidth for two zns_zone_dies settings, random writes over three times the
 * capacity (resets, no command failing), verify and zone_append, and each refusal. */
#include "helpers.h"

#include <math.h>

#define SMALL "ftl=zns", "blocks_per_plane=16"

static struct nvme_ctrl *zns_ctrl(const char *const *extra)
{
	const char *pairs[16] = {SMALL};
	int n = 2;

	for (; extra && *extra; extra++)
		pairs[n++] = *extra;
	pairs[n] = NULL;
	return make_ctrl(pairs);
}

static uint64_t capacity_bytes(const struct nvme_ctrl *ctrl)
{
	struct ftl_zone_info zi;

	dev_zone_info(ctrl->ns, &zi);
	return (uint64_t)zi.nzones * zi.cap_lbas * 4096;
}

static uint64_t zone_bytes(const struct nvme_ctrl *ctrl)
{
	struct ftl_zone_info zi;

	dev_zone_info(ctrl->ns, &zi);
	return zi.zone_lbas * 4096;
}

/* One zone at a time, a deep queue of 128 KiB writes over every zone's
 * capacity: min(PCIe, the zone's channels x channel, zone_dies x program
 * unit / mean program time) */
static void test_sequential_bandwidth(void **unused)
{
	(void)unused;
	for (uint32_t zd = 2; zd <= 8; zd *= 4) {
		char dies[32], text[256];
		const char *extra[] = {"media=none", dies, NULL};
		struct nvme_ctrl *ctrl;
		struct vssd_dev *dev;
		const struct geometry *g;
		struct job_file jf;
		struct sim_result res;
		double prog_ns = 0, want, got;

		snprintf(dies, sizeof(dies), "zns_zone_dies=%u", zd);
		ctrl = zns_ctrl(extra);
		dev = ctrl->ns;
		g = &dev->geo;
		for (uint32_t row = 0; row < g->progs_per_block; row++)
			prog_ns +=
				(double)prog_time_ns(&dev->tm, row * g->dies * g->units_per_prog);
		prog_ns /= g->progs_per_block;
		want = fmin((double)dev->cfg.pcie_mbps * 1e6,
			    fmin((double)(zd < g->channels ? zd : g->channels) *
					 dev->cfg.channel_mbps * 1e6,
				 zd * g->units_per_prog * 4096.0 / (prog_ns / 1e9)));
		/* the zones of one die group: zone k is in group k mod (8 / zd) */
		snprintf(text, sizeof(text),
			 "[seq]\nrw=write\nbs=128k\niodepth=64\nzonemode=zbd\nmax_open_zones=1\n"
			 "zoneskip=%llu\nio_size=%llu\n",
			 (unsigned long long)((8 / zd - 1) * zone_bytes(ctrl)),
			 (unsigned long long)(capacity_bytes(ctrl) / (8 / zd)));
		run_jobs(ctrl, text, &jf, &res);
		got = (double)res.jobs[0].dir[DIR_WRITE].bytes /
		      ((double)(res.jobs[0].end_ns - res.jobs[0].start_ns) / 1e9);
		print_message("vssd sim, zones of %u dies: sequential write %.1f MB/s (closed form "
			      "%.1f, %+.2f%%)\n",
			      zd, got / 1e6, want / 1e6, 100 * rel_err(got, want));
		assert_true(fabs(rel_err(got, want)) < 0.03);
		assert_int_equal(res.jobs[0].errors, 0);
		sim_result_free(&res);
		job_file_free(&jf);
		nvme_ctrl_destroy(ctrl);
	}
}

/* Random writes of three times the capacity through four open zones: full
 * zones reset and written again, every write at a write pointer. */
static void test_random_with_resets(void **unused)
{
	const char *extra[] = {"media=ram", "timing=off", "zns_zone_dies=2", "zns_max_open=6",
			       NULL};
	struct nvme_ctrl *ctrl = zns_ctrl(extra);
	struct job_file jf;
	struct sim_result res;
	struct dev_counters c;

	(void)unused;
	run_jobs(ctrl,
		 "[rand]\nrw=randwrite\nbs=16k\niodepth=16\nzonemode=zbd\nmax_open_zones=4\n"
		 "io_size=300%\n",
		 &jf, &res);
	assert_int_equal(res.jobs[0].errors, 0);
	dev_counters(ctrl->ns, &c);
	/* zones reset to be written again: more blocks erased than there are */
	assert_true(c.erased_blocks > ctrl->ns->geo.physical_units / ctrl->ns->geo.units_per_line *
					      ctrl->ns->geo.dies * ctrl->ns->geo.planes);
	assert_true(res.jobs[0].dir[DIR_WRITE].bytes >= 2 * capacity_bytes(ctrl));
	sim_result_free(&res);
	job_file_free(&jf);
	nvme_ctrl_destroy(ctrl);
}

/* One pass over the zones, verified, by writes and by Zone Appends. */
static void test_verify_and_append(void **unused)
{
	const char *extra[] = {"media=ram", "timing=off", NULL};

	(void)unused;
	for (int append = 0; append < 2; append++) {
		struct nvme_ctrl *ctrl = zns_ctrl(extra);
		struct job_file jf;
		struct sim_result res;
		char text[256];

		snprintf(text, sizeof(text),
			 "[v]\nrw=write\nbs=64k\niodepth=8\nzonemode=zbd\nmax_open_zones=2\n"
			 "io_size=%llu\nverify=crc32c\nzone_append=%d\n",
			 (unsigned long long)capacity_bytes(ctrl), append);
		run_jobs(ctrl, text, &jf, &res);
		assert_int_equal(res.jobs[0].errors, 0);
		assert_true(res.jobs[0].verify_blocks > 0);
		assert_int_equal(res.jobs[0].verify_bad, 0);
		sim_result_free(&res);
		job_file_free(&jf);
		nvme_ctrl_destroy(ctrl);
	}
}

static void expect_sim_error(const char *const *pairs, const char *text, const char *needle)
{
	struct nvme_ctrl *ctrl = make_ctrl(pairs);
	struct sim_options opt = {.seed = 1};
	struct job_file jf;
	struct sim_result res;
	char err[512] = "";

	if (job_file_parse(text, "test.fio", &jf, err, sizeof(err)))
		fail_msg("parse: %s", err);
	assert_int_not_equal(sim_run(ctrl, &jf, &opt, &res, err, sizeof(err)), 0);
	if (!strstr(err, needle))
		fail_msg("got '%s', expected it to mention '%s'", err, needle);
	sim_result_free(&res);
	job_file_free(&jf);
	nvme_ctrl_destroy(ctrl);
}

static void test_refusals(void **unused)
{
	const char *zns[] = {SMALL, "media=ram", "timing=off", NULL};
	const char *conv[] = {"blocks_per_plane=64", "op=0.25", "media=ram", "timing=off", NULL};

	(void)unused;
	expect_sim_error(zns, "[w]\nrw=randwrite\n", "the job needs zonemode=zbd");
	expect_sim_error(conv, "[w]\nrw=write\nzonemode=zbd\n",
			 "zonemode=zbd needs a zoned namespace");
	expect_sim_error(zns, "[w]\nrw=write\nzonemode=zbd\nnumjobs=2\n",
			 "several jobs writing zones at once");
	expect_sim_error(zns, "[w]\nrw=write\nzonemode=zbd\nzonesize=1m\n",
			 "the device's zones are");
	expect_sim_error(zns, "[w]\nrw=randwrite\nzonemode=zbd\nio_size=200%\nverify=crc32c\n",
			 "which verify does not allow");
	expect_sim_error(zns, "[w]\nrw=randtrim\nzonemode=zbd\n", "trims with zonemode=zbd");
	expect_sim_error(conv, "[w]\nrw=write\nzone_append=1\n",
			 "zone_append: only with zonemode=zbd");
	{
		struct nvme_ctrl *ctrl = make_ctrl(zns);
		struct sim_options opt = {.seed = 1, .npowerloss = 1};
		struct job_file jf;
		struct sim_result res;
		char err[512] = "";

		opt.powerloss[0].at_ns = 1000000;
		assert_int_equal(job_file_parse("[w]\nrw=write\nzonemode=zbd\n", "t.fio", &jf, err,
						sizeof(err)),
				 0);
		assert_int_not_equal(sim_run(ctrl, &jf, &opt, &res, err, sizeof(err)), 0);
		assert_non_null(strstr(err, "power cuts with zonemode=zbd: not supported"));
		sim_result_free(&res);
		job_file_free(&jf);
		nvme_ctrl_destroy(ctrl);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequential_bandwidth),
		cmocka_unit_test(test_random_with_resets),
		cmocka_unit_test(test_verify_and_append),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
