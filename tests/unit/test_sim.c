/* The simulator as a user drives it: job-file parsing and its errors,
 * traces, stonewall groups, time-based runs, distributions, determinism. */
#include "helpers.h"

#include <stdlib.h>
#include <unistd.h>

#include "report/report.h"
#include "workload/dist.h"
#include "workload/trace.h"
#include "workload/trace_stat.h"
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
	assert_int_equal(report_json(f, ctrl->ns, &res), 0);
	fclose(f);
	sim_result_free(&res);
	job_file_free(&jf);
	nvme_ctrl_destroy(ctrl);
	return buf;
}

/* Blanks the numbers after the wall-clock keys. */
static void drop_wall_fields(char *json)
{
	const char *keys[] = {"\"wall_s\":", "\"host_ios_per_wall_s\":"};

	for (int k = 0; k < 2; k++)
		for (char *p = strstr(json, keys[k]); p; p = strstr(p + 1, keys[k]))
			for (char *q = p + strlen(keys[k]); *q && *q != ',' && *q != '\n'; q++)
				*q = '#';
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

static char *write_temp(const char *suffix, const void *data, size_t len)
{
	char *path = malloc(64);
	int fd;

	snprintf(path, 64, "/tmp/vssd-test-XXXXXX%s", suffix);
	fd = mkstemps(path, (int)strlen(suffix));
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

static void test_trace_formats(void **state)
{
	const char *v2 = "fio version 2 iolog\n/dev/x add\n/dev/x open\n/dev/x write 0 8192\n"
			 "/dev/x wait 1000 0\n/dev/x read 4096 4096\n/dev/x trim 0 4096\n"
			 "/dev/x sync 0 0\n/dev/x close\n";
	const char *v3 = "fio version 3 iolog\n0 /dev/x add\n5 /dev/x write 4096 4096\n"
			 "7 /dev/x read 0 512\n";
	const char *msr = "128166372003061629,hm,1,Write,383135744,32768,1331\n"
			  "128166372003065629,hm,1,Read,0,4096,200\n";
	struct {
		uint32_t magic, seq;
		uint64_t time, sector;
		uint32_t bytes, action, pid, device, cpu;
		uint16_t error, pdu_len;
	} bt[3] = {
		{0x65617407, 0, 1000, 8, 4096, (2u << 16) | 1, 0, 0, 0, 0, 0}, /* queue write */
		{0x65617407, 1, 1500, 8, 4096, (2u << 16) | 8, 0, 0, 0, 0,
		 0}, /* complete: skipped */
		{0x65617407, 2, 3000, 0, 8192, (1u << 13 << 16) | 1, 0, 0, 0, 0, 0}, /* discard */
	};
	struct trace t;
	char err[256], *p;

	(void)state;
	p = write_temp(".log", v2, strlen(v2));
	assert_int_equal(trace_load(p, &t, err, sizeof(err)), 0);
	assert_int_equal(t.n, 4);
	assert_int_equal(t.rec[0].dir, DIR_WRITE);
	assert_int_equal(t.rec[0].len, 8192);
	assert_int_equal(t.rec[1].t_ns, 1000000); /* wait 1000 us */
	assert_int_equal(t.rec[2].dir, DIR_TRIM);
	assert_int_equal(t.rec[3].dir, DIR_FLUSH);
	trace_free(&t);
	unlink(p);
	free(p);

	p = write_temp(".log", v3, strlen(v3));
	assert_int_equal(trace_load(p, &t, err, sizeof(err)), 0);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.rec[0].t_ns,
			 5000000); /* stamps count from the log's first line, as fio replays */
	assert_int_equal(t.rec[1].t_ns, 7000000);
	trace_free(&t);
	unlink(p);
	free(p);

	p = write_temp(".csv", msr, strlen(msr));
	assert_int_equal(trace_load(p, &t, err, sizeof(err)), 0);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.rec[0].offset, 383135744);
	assert_int_equal(t.rec[1].t_ns, 400000); /* 4000 ticks of 100 ns */
	assert_int_equal(t.rec[1].dir, DIR_READ);
	trace_free(&t);
	unlink(p);
	free(p);

	p = write_temp(".bin", bt, sizeof(bt));
	assert_int_equal(trace_load(p, &t, err, sizeof(err)), 0);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.rec[0].offset, 4096);
	assert_int_equal(t.rec[1].dir, DIR_TRIM);
	assert_int_equal(t.rec[1].t_ns, 2000);
	trace_free(&t);
	unlink(p);
	free(p);

	p = write_temp(".log", "fio version 2 iolog\n/dev/x write zero 1\n", 40);
	assert_int_not_equal(trace_load(p, &t, err, sizeof(err)), 0);
	assert_non_null(strstr(err, ":2: malformed iolog v2 line"));
	unlink(p);
	free(p);
}

static void test_trace_replay(void **state)
{
	const char *v3 = "fio version 3 iolog\n0 /dev/x write 0 65536\n10 /dev/x write 65536 4096\n"
			 "20 /dev/x read 0 4096\n";
	char *p = write_temp(".log", v3, strlen(v3)), text[256];
	struct nvme_ctrl *ctrl = make_ctrl(NULL);
	struct job_file jf;
	struct sim_result res;

	(void)state;
	snprintf(text, sizeof(text), "[replay]\nread_iolog=%s\n", p);
	run_jobs(ctrl, text, &jf, &res);
	assert_int_equal(res.jobs[0].dir[DIR_WRITE].n, 2);
	assert_int_equal(res.jobs[0].dir[DIR_WRITE].bytes, 65536 + 4096);
	assert_int_equal(res.jobs[0].dir[DIR_READ].n, 1);
	/* replayed at the trace's pace: the read is issued at 20 ms */
	assert_true(res.virtual_ns > 20000000ULL);
	sim_result_free(&res);
	job_file_free(&jf);
	nvme_ctrl_destroy(ctrl);
	unlink(p);
	free(p);
}

/* Loads text as a trace file, told from its contents or as sel says. */
static int load_text_trace(const char *text, const struct trace_select *sel, struct trace *t,
			   char *err, size_t errlen)
{
	char *p = write_temp(".trace", text, strlen(text));
	int rc = trace_load_select(p, sel, t, err, errlen);

	unlink(p);
	free(p);
	return rc;
}

/* DiskSim ASCII (ns, sectors), Alibaba (us, bytes) and Tencent (s, sectors),
 * each told from its contents, against values worked out by hand; a trace
 * of several volumes needs one picked. */
static void test_trace_formats_more(void **state)
{
	const struct trace_select vol5 = {NULL, true, 5}, as_iolog = {"iolog", false, 0};
	const char *alibaba_two = "3,R,4096,8192,1577808000000047\n5,W,1048576,4096,"
				  "1577808000001047\n";
	struct trace t;
	char err[256];

	(void)state;
	assert_int_equal(
		load_text_trace("0 0 100 8 1\n1500 0 200 16 0\n", NULL, &t, err, sizeof(err)), 0);
	assert_string_equal(t.format, "disksim");
	assert_int_equal(t.n, 2);
	assert_int_equal(t.rec[0].offset, 100 * 512);
	assert_int_equal(t.rec[0].len, 8 * 512);
	assert_int_equal(t.rec[0].dir, DIR_READ);
	assert_int_equal(t.rec[1].t_ns, 1500);
	assert_int_equal(t.rec[1].dir, DIR_WRITE);
	trace_free(&t);

	assert_int_equal(load_text_trace("3,R,4096,8192,1577808000000047\n3,W,1048576,4096,"
					 "1577808000001047\n",
					 NULL, &t, err, sizeof(err)),
			 0);
	assert_string_equal(t.format, "alibaba");
	assert_int_equal(t.rec[0].offset, 4096);
	assert_int_equal(t.rec[0].len, 8192);
	assert_int_equal(t.rec[1].t_ns, 1000000); /* 1000 us */
	assert_int_equal(t.rec[1].dir, DIR_WRITE);
	trace_free(&t);

	assert_int_equal(load_text_trace("1538323200,100,8,0,7\n1538323202,200,16,1,7\n", NULL, &t,
					 err, sizeof(err)),
			 0);
	assert_string_equal(t.format, "tencent");
	assert_int_equal(t.rec[0].offset, 100 * 512);
	assert_int_equal(t.rec[0].dir, DIR_READ);
	assert_int_equal(t.rec[1].len, 16 * 512);
	assert_int_equal(t.rec[1].t_ns, 2000000000ULL);
	assert_int_equal(t.rec[1].dir, DIR_WRITE);
	trace_free(&t);

	/* two volumes: refused naming both, or one of them replayed */
	assert_int_not_equal(load_text_trace(alibaba_two, NULL, &t, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "several volumes (3, 5)"));
	assert_int_equal(load_text_trace(alibaba_two, &vol5, &t, err, sizeof(err)), 0);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.rec[0].offset, 1048576);
	assert_int_equal(t.rec[0].t_ns, 0); /* the first request replayed */
	trace_free(&t);
	/* a format named that the file is not, and a type the format has not */
	assert_int_not_equal(load_text_trace(alibaba_two, &as_iolog, &t, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "trace_format=iolog, but the file is not in that format"));
	assert_int_not_equal(load_text_trace("0 0 100 8 7\n", NULL, &t, err, sizeof(err)), 0);
	assert_non_null(strstr(err, ":1: DiskSim request type '7' is not 1 (read) or 0 (write)"));
}

/* A trace's summary against hand-worked values: kinds, sizes, span,
 * footprint (overlaps counted once) and requests past the end; then what a
 * replay does with those: an error by default, wrapped, or skipped. */
static void test_trace_summary_and_past_end(void **state)
{
	/* DiskSim: ns, device, sector, sectors, 1 read / 0 write; 1 MiB device */
	const char *text = "0 0 0 8 0\n1000 0 4 16 1\n2000 0 2040 16 1\n5000 0 4096 8 0\n";
	char *p = write_temp(".trace", text, strlen(text)), err[256];
	static const char *const opts[][2] = {{"replay_past_end", "wrap"},
					      {"replay_past_end", "skip"}};
	struct trace_summary s;
	struct job_spec spec;
	struct job_gen g;
	struct io_req io;
	struct trace t;

	(void)state;
	assert_int_equal(trace_load(p, &t, err, sizeof(err)), 0);
	assert_int_equal(trace_summarize(&t, 1u << 20, &s), 0);
	assert_int_equal(s.n[DIR_READ], 2);
	assert_int_equal(s.n[DIR_WRITE], 2);
	assert_int_equal(s.span_ns, 5000);
	assert_int_equal(s.size_hist[0], 2); /* two of 4 KiB */
	assert_int_equal(s.size_hist[1], 2); /* two of 8 KiB */
	/* units 0 and 0-2 overlap: 3 units; then 255-256 and 512 */
	assert_int_equal(s.footprint_bytes, 6 * 4096);
	assert_int_equal(s.lowest, 0);
	assert_int_equal(s.highest, 4096 * 512 + 4096);
	assert_int_equal(s.past_end, 2); /* sector 2040 + 16 crosses 1 MiB; 4096 is past */
	assert_int_equal(s.first_past_end_line, 3);
	trace_free(&t);

	job_spec_defaults(&spec);
	snprintf(spec.read_iolog, sizeof(spec.read_iolog), "%s", p);
	assert_int_not_equal(gen_init(&g, &spec, 2048, 512, NULL, 0, 1, err, sizeof(err)), 0);
	assert_non_null(strstr(err, ":3: request at offset 1044480 length 8192 is past"));
	for (int k = 0; k < 2; k++) {
		uint32_t n = 0;
		uint64_t last = 0;

		assert_int_equal(job_option_apply(&spec, opts[k][0], opts[k][1], err, sizeof(err)),
				 0);
		assert_int_equal(gen_init(&g, &spec, 2048, 512, NULL, 0, 1, err, sizeof(err)), 0);
		while (gen_next(&g, &io)) {
			assert_true(io.slba + io.nlb <= 2048);
			last = io.slba;
			n++;
		}
		gen_fini(&g);
		/* wrap: the crossing one moved back to end at the end (2032), the
		 * past one to 4096 % 2048 = 0; skip: both left out */
		assert_int_equal(n, k == 0 ? 4 : 2);
		assert_int_equal(last, k == 0 ? 0 : 4);
	}
	unlink(p);
	free(p);
}

/* The replay of a job with these options over the v3 trace below: each
 * request's kind, LBA (of 512 bytes), LBAs and due time, until it ends. */
static uint32_t replay_with(const char *const *opts, struct io_req *out, uint32_t max)
{
	const char *v3 = "fio version 3 iolog\n0 /dev/x add\n10 /dev/x write 12288 4096\n"
			 "20 /dev/x read 20480 8192\n30 /dev/x trim 40960 4096\n";
	char *p = write_temp(".log", v3, strlen(v3)), err[256];
	struct job_spec spec;
	struct job_gen g;
	uint32_t n = 0;

	job_spec_defaults(&spec);
	snprintf(spec.read_iolog, sizeof(spec.read_iolog), "%s", p);
	for (; opts && opts[0]; opts += 2)
		if (job_option_apply(&spec, opts[0], opts[1], err, sizeof(err)))
			fail_msg("%s=%s: %s", opts[0], opts[1], err);
	if (gen_init(&g, &spec, 1u << 20, 512, NULL, 0, 1, err, sizeof(err)))
		fail_msg("%s", err);
	while (n < max && gen_next(&g, &out[n]))
		n++;
	gen_fini(&g);
	unlink(p);
	free(p);
	return n;
}

/* fio's replay options, against values worked out by hand from the trace:
 * its requests are stamped 10, 20 and 30 ms (v3 stamps count from 0). */
static void test_replay_options(void **state)
{
	static const char *const skip[] = {"replay_skip", "write,trim", NULL};
	static const char *const offsets[] = {"replay_scale", "3", "replay_align", "4096", NULL};
	static const char *const rate[] = {"replay_time_scale", "200", NULL};
	static const char *const loops[] = {"loops", "3", NULL};
	static const char *const count[] = {"loops", "3", "number_ios", "4", NULL};
	struct io_req io[16];

	(void)state;
	assert_int_equal(replay_with(NULL, io, 16), 3);
	assert_int_equal(io[1].slba, 20480 / 512);
	assert_int_equal(io[1].nlb, 16);
	assert_int_equal(io[1].not_before_ns, 20000000);
	/* only the read is left */
	assert_int_equal(replay_with(skip, io, 16), 1);
	assert_int_equal(io[0].dir, DIR_READ);
	/* 12288 / 3 = 4096; 20480 / 3 = 6826 -> 4096; 40960 / 3 = 13653 -> 12288 */
	assert_int_equal(replay_with(offsets, io, 16), 3);
	assert_int_equal(io[0].slba, 4096 / 512);
	assert_int_equal(io[1].slba, 4096 / 512);
	assert_int_equal(io[2].slba, 12288 / 512);
	/* twice the rate: half the times */
	assert_int_equal(replay_with(rate, io, 16), 3);
	assert_int_equal(io[2].not_before_ns, 15000000);
	/* each loop starts where the last ended: 10 20 30, 40 50 60, 70 80 90 ms */
	assert_int_equal(replay_with(loops, io, 16), 9);
	assert_int_equal(io[3].not_before_ns, 40000000);
	assert_int_equal(io[8].not_before_ns, 90000000);
	assert_int_equal(io[7].slba, 20480 / 512);
	assert_int_equal(replay_with(count, io, 16), 4);
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
		cmocka_unit_test(test_replay_options),
		cmocka_unit_test(test_trace_formats_more),
		cmocka_unit_test(test_trace_summary_and_past_end),
		cmocka_unit_test(test_distributions_are_skewed),
		cmocka_unit_test(test_random_map_visits_every_block),
		cmocka_unit_test(test_trace_formats),
		cmocka_unit_test(test_trace_replay),
		cmocka_unit_test(test_verify_blocks),
		cmocka_unit_test(test_verify_through_gc),
		cmocka_unit_test(test_verify_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
