/* zftl, the host FTL over zones (ftl=zns-host, src/host/zftl), through the
 * simulator: data checked through GC and trims, the map's invariants, the
 * spare it takes from op, the same figures on every run, and what it
 * refuses. */
#include "helpers.h"
#include "waf_theory.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define SMALL "ftl=zns-host", "blocks_per_plane=32", "op=0.15"

/* A fill, random overwrites of three times the capacity checked by
 * verify=crc32c, trims of a tenth, random reads. */
static const char *const churn_jobs =
	"[global]\nbs=4k\niodepth=32\n"
	"[fill]\nrw=write\nbs=64k\nsize=100%\n"
	"[overwrite]\nstonewall\nrw=randwrite\nio_size=300%\nverify=crc32c\n"
	"[trim]\nstonewall\nrw=randtrim\nio_size=10%\n"
	"[read]\nstonewall\nrw=randread\nio_size=50%\n";

static void test_data_through_gc(void **unused)
{
	const char *pairs[] = {SMALL, "media=ram", NULL};
	struct nvme_ctrl *ctrl = make_ctrl(pairs);
	uint64_t logical = ctrl->ns->geo.logical_units;
	const struct zftl_stats *z;
	struct sim_result res;
	struct job_file jf;

	(void)unused;
	run_jobs(ctrl, churn_jobs, &jf, &res);
	z = &res.zftl;
	assert_true(res.has_zftl);
	/* op gives zftl the device FTL's capacity over the same NAND */
	assert_int_equal(z->capacity_sectors, logical);
	for (uint32_t j = 0; j < res.njobs; j++)
		assert_int_equal(res.jobs[j].errors, 0);
	assert_true(res.jobs[1].verify_blocks > logical / 2);
	assert_int_equal(res.jobs[1].verify_bad, 0);
	/* GC ran, and every sector the user wrote is counted once */
	assert_true(z->gc_zones > 10 && z->gc_sectors > 0);
	assert_int_equal(z->user_sectors * 4096, res.final.host_write_bytes);
	assert_int_equal(z->user_sectors,
			 (res.jobs[0].dir[DIR_WRITE].bytes + res.jobs[1].dir[DIR_WRITE].bytes) /
				 4096);
	assert_int_equal(z->trim_sectors * 4096, res.jobs[2].dir[DIR_TRIM].bytes);
	/* the device wrote what zftl sent it, user and GC: media WAF = zftl's */
	assert_int_equal(res.final.media_write_bytes, (z->user_sectors + z->gc_sectors) * 4096);
	assert_int_equal(z->zones, 32);
	assert_int_equal(z->free_zones + z->open_zones + z->full_zones, 32);
	print_message("zftl: WAF %.3f, %llu zones collected, %llu copies dead on arrival\n",
		      zftl_stats_waf(z), (unsigned long long)z->gc_zones,
		      (unsigned long long)z->gc_dead_sectors);
	sim_result_free(&res);
	job_file_free(&jf);
	nvme_ctrl_destroy(ctrl);
}

/* Trims and reads arriving while writes wait for GC to free a zone: each
 * is taken in its turn (a trim, or a read of unmapped sectors, is done at
 * once), and every request completes. */
static void test_requests_behind_waiting_writes(void **unused)
{
	const char *pairs[] = {SMALL, "media=ram", NULL};
	struct nvme_ctrl *ctrl = make_ctrl(pairs);
	struct sim_result res;
	struct job_file jf;

	(void)unused;
	run_jobs(ctrl,
		 "[global]\nbs=4k\nnorandommap\n[fill]\nrw=write\nbs=64k\nsize=100%\n"
		 "[w]\nstonewall\nrw=randwrite\niodepth=32\nio_size=300%\n"
		 "[t]\nrw=randtrim\niodepth=4\nio_size=20%\n"
		 "[r]\nrw=randread\niodepth=4\nio_size=20%\n",
		 &jf, &res);
	for (uint32_t j = 0; j < res.njobs; j++)
		assert_int_equal(res.jobs[j].errors, 0);
	assert_true(res.zftl.stalled_writes > 0 && res.zftl.trim_sectors > 0);
	assert_int_equal(res.zftl.trim_sectors * 4096, res.jobs[2].dir[DIR_TRIM].bytes);
	sim_result_free(&res);
	job_file_free(&jf);
	nvme_ctrl_destroy(ctrl);
}

/* Overwrites without trims leave every user sector mapped: the zones'
 * valid counts add up to the capacity. */
static void test_map_covers_capacity(void **unused)
{
	const char *pairs[] = {SMALL, "media=none", NULL};
	struct nvme_ctrl *ctrl = make_ctrl(pairs);
	struct sim_result res;
	struct job_file jf;

	(void)unused;
	run_jobs(ctrl,
		 "[fill]\nrw=write\nbs=128k\niodepth=16\nsize=100%\n"
		 "[rand]\nstonewall\nrw=randwrite\nbs=4k\niodepth=32\nio_size=200%\n",
		 &jf, &res);
	assert_int_equal(res.zftl.valid_sectors, res.zftl.capacity_sectors);
	assert_true(res.zftl.gc_zones > 0);
	sim_result_free(&res);
	job_file_free(&jf);
	nvme_ctrl_destroy(ctrl);
}

/* Uniform overwrites follow greedy GC's analytic WAF: alpha is the zones
 * that can hold data (all, less the free zones GC keeps, between 3 and 4,
 * and half of each of the two open zones) over the user capacity. */
static void test_waf_theory(void **unused)
{
	(void)unused;
	for (int i = 0; i < 2; i++) {
		const char *op = i ? "op=0.3" : "op=0.1";
		const char *pairs[] = {"ftl=zns-host", "media=none", WAF_THEORY_DEVICE, op, NULL};
		struct nvme_ctrl *ctrl = make_ctrl(pairs);
		const struct geometry *geo = &ctrl->ns->geo; /* a zone is a line: all the dies */
		double alpha = (geo->lines - 3.5 - 1) * (double)geo->units_per_line /
			       (double)geo->logical_units;
		double want = greedy_uniform_waf(alpha), got = waf_theory_measured(ctrl, "random");

		print_message("%s: zftl WAF %.4f, theory %.4f, error %+.2f%%\n", op, got, want,
			      100 * rel_err(got, want));
		assert_true(fabs(rel_err(got, want)) < 0.03);
		nvme_ctrl_destroy(ctrl);
	}
}

/* The same seed, the same figures. */
static void test_deterministic(void **unused)
{
	const char *pairs[] = {SMALL, "media=none", NULL};
	struct sim_result res[2];
	struct job_file jf[2];

	(void)unused;
	for (int i = 0; i < 2; i++) {
		struct nvme_ctrl *ctrl = make_ctrl(pairs);

		run_jobs(ctrl,
			 "[fill]\nrw=write\nbs=128k\niodepth=16\nsize=100%\n"
			 "[rand]\nstonewall\nrw=randwrite\nbs=4k\niodepth=32\nio_size=150%\n",
			 &jf[i], &res[i]);
		nvme_ctrl_destroy(ctrl);
	}
	assert_memory_equal(&res[0].zftl, &res[1].zftl, sizeof(res[0].zftl));
	assert_int_equal(res[0].virtual_ns, res[1].virtual_ns);
	assert_int_equal(res[0].final.erased_blocks, res[1].final.erased_blocks);
	for (int i = 0; i < 2; i++) {
		sim_result_free(&res[i]);
		job_file_free(&jf[i]);
	}
}

/* A trace's writes, flush, trim and reads through zftl: the flush is a
 * device Flush that completes, and nothing fails. */
static void test_trace_with_flush(void **unused)
{
	const char *pairs[] = {SMALL, "media=ram", NULL};
	struct nvme_ctrl *ctrl = make_ctrl(pairs);
	char path[] = "/tmp/zftl-trace-XXXXXX", text[256];
	struct sim_result res;
	struct job_file jf;
	int fd = mkstemp(path);

	(void)unused;
	assert_true(fd >= 0);
	dprintf(fd, "fio version 2 iolog\n/dev/x add\n/dev/x open\n/dev/x write 0 262144\n"
		    "/dev/x sync 0 0\n/dev/x trim 4096 8192\n/dev/x read 0 262144\n"
		    "/dev/x close\n");
	close(fd);
	snprintf(text, sizeof(text), "[t]\nread_iolog=%s\n", path);
	run_jobs(ctrl, text, &jf, &res);
	unlink(path);
	assert_int_equal(res.jobs[0].errors, 0);
	assert_int_equal(res.jobs[0].flush.n, 1);
	assert_int_equal(res.zftl.user_sectors, 64);
	assert_int_equal(res.zftl.trim_sectors, 2);
	assert_int_equal(res.zftl.valid_sectors, 62);
	assert_int_equal(res.zftl.read_sectors, 64);
	sim_result_free(&res);
	job_file_free(&jf);
	nvme_ctrl_destroy(ctrl);
}

static void expect_sim_refused(const char *const *pairs, const struct sim_options *opt,
			       const char *needle)
{
	struct nvme_ctrl *ctrl = make_ctrl(pairs);
	struct sim_result res;
	struct job_file jf;
	char err[512] = "";

	if (job_file_parse("[w]\nrw=randwrite\nbs=4k\nio_size=1m\n", "t.fio", &jf, err,
			   sizeof(err)))
		fail_msg("parse: %s", err);
	assert_int_not_equal(sim_run(ctrl, &jf, opt, &res, err, sizeof(err)), 0);
	if (!strstr(err, needle))
		fail_msg("got '%s', expected it to mention '%s'", err, needle);
	job_file_free(&jf);
	nvme_ctrl_destroy(ctrl);
}

static void test_refusals(void **unused)
{
	const char *small_op[] = {"ftl=zns-host", "blocks_per_plane=32", "op=0.05", NULL};
	const char *ram[] = {SMALL, "media=ram", NULL};
	struct sim_options cut = {.npowerloss = 1};

	(void)unused;
	/* 32 zones at op 0.05 leave under the 4 zones GC needs */
	expect_sim_refused(small_op, &(struct sim_options){0}, "give a larger op");
	cut.powerloss[0].at_ns = 1000000;
	expect_sim_refused(ram, &cut, "power cuts with ftl=zns-host: not supported");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_data_through_gc),
		cmocka_unit_test(test_requests_behind_waiting_writes),
		cmocka_unit_test(test_map_covers_capacity),
		cmocka_unit_test(test_waf_theory),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_trace_with_flush),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
