/* The simulator as a user drives it: job-file parsing and its errors,
 * stonewall groups, time-based runs, distributions, determinism. */
#include "helpers.h"

#include <stdlib.h>
#include <unistd.h>

#include "report/report.h"
#include "workload/dist.h"
#include "workload/verify.h"
#include "util/crc32c.h"

static void expect_parse_error(const char *text, const char *needle)
{
	struct job_file jf;
	char err[512] = "";

	assert_int_not_equal(job_file_parse(text, "job.fio", &jf, err, sizeof(err)), 0);
	if (!strstr(err, needle))
		fail_msg("got '%s', expected '%s'", err, needle);
}

static void test_job_file_errors_name_the_line(void **state)
{
	(void)state;
	expect_parse_error("[a]\nrw=write\nbogus_opt=3\n",
			   "job.fio:3: fio option 'bogus_opt' is not supported");
	expect_parse_error("[a]\nrw=sideways\n", "job.fio:2: rw=sideways: bad value");
	expect_parse_error("[a]\nbs=4q\n", "job.fio:2: bs=4q: bad value");
	expect_parse_error("[a\nrw=read\n", "job.fio:1: malformed section header");
	expect_parse_error("rw=read\n", "job.fio:1: option 'rw' outside any [section]");
	expect_parse_error("[global]\nbs=4k\n", "no job sections");
	expect_parse_error("[a]\nrandom_distribution=zoned:50/50:40/40\n", "bad value");
	expect_parse_error("[a]\ninclude other.fio\n",
			   "job.fio:2: fio option 'include other.fio' is not supported");
}

static void test_globals_numjobs_and_groups(void **state)
{
	struct job_file jf;
	char err[256];

	(void)state;
	assert_int_equal(job_file_parse("[global]\nbs=8k\n[a]\nnumjobs=3\n[global]\niodepth=4\n"
					"[b]\nstonewall\n[c]\n",
					"j", &jf, err, sizeof(err)),
			 0);
	assert_int_equal(jf.njobs, 5);
	assert_int_equal(jf.ngroups, 2);
	assert_int_equal(jf.jobs[0].bs, 8192);
	assert_int_equal(jf.jobs[0].iodepth, 1); /* [global] applies to jobs after it */
	assert_int_equal(jf.jobs[3].iodepth, 4);
	assert_string_equal(jf.jobs[3].name, "b");
	assert_int_equal(jf.jobs[2].group, 0);
	assert_int_equal(jf.jobs[3].group, 1);
	assert_int_equal(jf.jobs[4].group, 1);
	job_file_free(&jf);
}

static char *json_of(const char *seed)
{
	const char *pairs[] = {"channels=2",
			       "luns_per_channel=2",
			       "blocks_per_plane=64",
			       "pages_per_block=48",
			       "op=0.2",
			       seed,
			       NULL};
	struct nvme_ctrl *ctrl = make_ctrl(pairs);
	struct job_file jf;
	struct sim_result res;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	run_jobs(ctrl,
		 "[fill]\nrw=write\nbs=64k\niodepth=8\n"
		 "[mix]\nstonewall\nrw=randrw\nrwmixread=30\nbs=4k\niodepth=16\n"
		 "io_size=150%\nrandom_distribution=zipf:1.1\n",
		 &jf, &res);
	assert_int_equal(report_json(f, ctrl->ns, &res, false), 0);
	fclose(f);
	sim_result_free(&res);
	job_file_free(&jf);
	nvme_ctrl_destroy(ctrl);
	return buf;
}

/* Cuts the numbers after the wall-clock keys out (not overwrites them: two
 * wall times may print with different numbers of digits). */
static void drop_wall_fields(char *json)
{
	const char *keys[] = {"\"wall_s\":", "\"host_ios_per_wall_s\":"};

	for (int k = 0; k < 2; k++)
		for (char *p = strstr(json, keys[k]); p; p = strstr(p + 1, keys[k])) {
			char *value = p + strlen(keys[k]);
			size_t len = strcspn(value, ",\n}");

			memmove(value, value + len, strlen(value + len) + 1);
		}
}

static void test_deterministic_json(void **state)
{
	char *a = json_of("seed=5"), *b = json_of("seed=5"), *c = json_of("seed=6");

	(void)state;
	drop_wall_fields(a);
	drop_wall_fields(b);
	drop_wall_fields(c);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	free(a);
	free(b);
	free(c);
}

static void test_time_based_runtime(void **state)
{
	struct nvme_ctrl *ctrl = make_ctrl(NULL);
	struct job_file jf;
	struct sim_result res;

	(void)state;
	run_jobs(ctrl, "[t]\nrw=randread\nbs=4k\niodepth=4\ntime_based\nruntime=250ms\n", &jf,
		 &res);
	/* submissions stop at 250 ms; the last completions land just after */
	assert_true(res.virtual_ns >= 250000000ULL);
	assert_true(res.virtual_ns < 251000000ULL);
	sim_result_free(&res);
	job_file_free(&jf);
	nvme_ctrl_destroy(ctrl);
}

static void test_distributions_are_skewed(void **state)
{
	struct job_spec spec;
	struct dist d;
	struct rng r;
	const uint64_t n = 100000, draws = 200000;
	uint32_t *hits = calloc(n, sizeof(uint32_t));
	char err[128];
	const char *dists[] = {"zipf:1.2", "pareto:0.2", "zoned:90/10:10/90"};

	(void)state;
	for (int k = 0; k < 3; k++) {
		uint64_t top = 0;

		job_spec_defaults(&spec);
		assert_int_equal(
			job_option_apply(&spec, "random_distribution", dists[k], err, sizeof(err)),
			0);
		dist_init(&d, &spec, n, 1);
		rng_seed(&r, 2);
		memset(hits, 0, n * sizeof(uint32_t));
		for (uint64_t i = 0; i < draws; i++) {
			uint64_t b = dist_next(&d, &r);

			assert_true(b < n);
			hits[b]++;
		}
		/* the hottest 10% of blocks get far more than 10% of accesses */
		for (uint64_t i = 0; i < n; i++)
			for (uint32_t h = hits[i]; h > 6; h = 0)
				top += hits[i];
		print_message("%s: blocks hit > 6 times take %.1f%% of accesses\n", dists[k],
			      100.0 * (double)top / draws);
		assert_true(top > draws / 3);
	}
	free(hits);
}

static void test_random_map_visits_every_block(void **state)
{
	struct job_spec spec;
	struct dist d;
	struct rng r;
	const uint64_t n = 1000;
	uint8_t seen[1000] = {0};

	(void)state;
	job_spec_defaults(&spec);
	dist_init(&d, &spec, n, 9);
	rng_seed(&r, 3);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t b = dist_next(&d, &r);

		assert_int_equal(seen[b], 0);
		seen[b] = 1;
	}
}

/* CRC-32C's check value, and a verify block's round trip: every way a block
 * can be wrong is told apart, each in its own words. */
static void test_verify_blocks(void **state)
{
	struct job_spec spec;
	struct job_gen g;
	struct verify_log v;
	uint8_t a[8192], b[8192];
	uint64_t lba, order[3] = {0}, n = 0;
	char why[200], err[256];

	(void)state;
	assert_int_equal(crc32c(0, "123456789", 9), 0xe3069283);
	assert_int_equal(crc32c(crc32c(0, "1234", 4), "56789", 5), 0xe3069283);
	job_spec_defaults(&spec);
	spec.bs = 8192;
	assert_int_equal(gen_init(&g, &spec, 1024, 512, NULL, 0, 1, err, sizeof(err)), 0);
	assert_int_equal(verify_init(&v, &g, 7, true), 0);
	verify_fill(&v, a, 32); /* block 2 */
	verify_fill(&v, b, 32); /* written again: a is stale now */
	assert_true(verify_check(&v, b, 32, why, sizeof(why)));
	assert_false(verify_check(&v, a, 32, why, sizeof(why)));
	assert_non_null(strstr(why, "holds write 1, but the last write there was 2 (stale data)"));
	assert_false(verify_check(&v, b, 48, why, sizeof(why)));
	assert_non_null(strstr(why, "offset 24576: holds the block written at offset 16384"));
	b[5000] ^= 1;
	assert_false(verify_check(&v, b, 32, why, sizeof(why)));
	assert_non_null(strstr(why, "the data differs from byte 5000 of the block"));
	memset(b, 0, sizeof(b));
	assert_false(verify_check(&v, b, 32, why, sizeof(why)));
	assert_non_null(strstr(why, "bad magic 00000000"));
	verify_fill(&v, a, 0);
	verify_fill(&v, a, 1008);	       /* the last block */
	while (n < 3 && verify_next(&v, &lba)) /* in offset order, written blocks only */
		order[n++] = lba;
	assert_int_equal(n, 3);
	assert_false(verify_next(&v, &lba));
	assert_int_equal(order[0], 0);
	assert_int_equal(order[1], 32);
	assert_int_equal(order[2], 1008);
	verify_fini(&v);
	/* a reader without a log checks the header only */
	assert_int_equal(verify_init(&v, &g, 7, false), 0);
	assert_true(verify_check(&v, a, 1008, why, sizeof(why)));
	assert_false(verify_next(&v, &lba));
	verify_fini(&v);
	gen_fini(&g);
}

static const char *const small_ram[] = {"channels=2",
					"luns_per_channel=2",
					"blocks_per_plane=64",
					"pages_per_block=48",
					"media=ram",
					"op=0.25",
					NULL};

/* Runs text on a small device with media=ram and ftl; the one job's result. */
static struct sim_job_result verify_run(const char *ftl, const char *text)
{
	const char *pairs[16];
	struct nvme_ctrl *ctrl;
	struct job_file jf;
	struct sim_result res;
	struct sim_job_result r;
	size_t n = 0;

	while (small_ram[n]) {
		pairs[n] = small_ram[n];
		n++;
	}
	pairs[n++] = ftl;
	pairs[n] = NULL;
	ctrl = make_ctrl(pairs);
	run_jobs(ctrl, text, &jf, &res);
	r = res.jobs[jf.njobs - 1];
	sim_result_free(&res);
	job_file_free(&jf);
	nvme_ctrl_destroy(ctrl);
	return r;
}

/* verify=crc32c through the device FTL and through pblk: 3x the capacity
 * in random overwrites at depth 16, GC moving the data, then every block
 * written reads back as its last write. A reader over blocks never written
 * finds them bad, and says why. */
static void test_verify_through_gc(void **state)
{
	const char *churn = "[churn]\nrw=randwrite\nbs=4k\niodepth=16\nio_size=300%\n"
			    "norandommap\nverify=crc32c\n";
	struct sim_job_result r;

	(void)state;
	for (int i = 0; i < 2; i++) {
		r = verify_run(i ? "ftl=pblk" : "ftl=conv", churn);
		assert_true(r.verify_blocks > 30000); /* of ~40,000; 1 - e^-3 of them written */
		assert_int_equal(r.verify_bad, 0);
		assert_int_equal(r.verify_blocks, r.dir[DIR_READ].n);
	}
	r = verify_run("ftl=conv", "[w]\nrw=write\nbs=16k\nsize=40%\nverify=crc32c\ndo_verify=0\n"
				   "[r]\nstonewall\nrw=read\nbs=16k\nsize=80%\nverify=crc32c\n");
	assert_int_equal(r.verify_blocks, r.dir[DIR_READ].n);
	assert_true(r.verify_bad > 0 && r.verify_bad < r.verify_blocks);
	assert_non_null(
		strstr(r.verify_first_bad, "bad magic 00000000 (not a block written with verify)"));
}

static void test_verify_refusals(void **state)
{
	const char *const none[] = {"media=none", NULL};
	struct nvme_ctrl *ctrl = make_ctrl(none);
	struct sim_options opt = {0};
	struct job_file jf;
	struct sim_result res;
	char err[512];

	(void)state;
	assert_int_equal(job_file_parse("[a]\nrw=randwrite\nverify=crc32c\nnumber_ios=10\n", "j",
					&jf, err, sizeof(err)),
			 0);
	assert_int_not_equal(sim_run(ctrl, &jf, &opt, &res, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "job 'a': verify=crc32c: the media must keep the data"));
	job_file_free(&jf);
	nvme_ctrl_destroy(ctrl);
	expect_parse_error("[a]\nverify=md5\n", "verify=md5: bad value, expected crc32c");
	expect_parse_error("[a]\nverify_state_save=1\n", "verify_state_save=1: bad value");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_job_file_errors_name_the_line),
		cmocka_unit_test(test_globals_numjobs_and_groups),
		cmocka_unit_test(test_deterministic_json),
		cmocka_unit_test(test_time_based_runtime),
		cmocka_unit_test(test_distributions_are_skewed),
		cmocka_unit_test(test_random_map_visits_every_block),
		cmocka_unit_test(test_verify_blocks),
		cmocka_unit_test(test_verify_through_gc),
		cmocka_unit_test(test_verify_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
