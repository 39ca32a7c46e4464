/* Traces as a user replays them: each format read against hand-worked
 * values, the summary, the replay options, and the warnings about times. */
#include "helpers.h"

#include <stdlib.h>
#include <unistd.h>

#include "workload/generator.h"
#include "workload/trace.h"
#include "workload/trace_stat.h"

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

/* n lines of a trace, line i printed by fmt from i * step + base. */
static char *lines_of(const char *fmt, uint32_t n, uint64_t base, uint64_t step)
{
	size_t cap = (size_t)n * 64 + 1, at = 0;
	char *text = malloc(cap);

	for (uint32_t i = 0; i < n; i++)
		at += (size_t)snprintf(text + at, cap - at, fmt,
				       (unsigned long long)(base + i * step),
				       (unsigned long long)i * 8);
	return text;
}

/* The one warning a trace's times give, checked for its line and words;
 * none when want is NULL. */
static void expect_warning(const char *text, const char *want)
{
	struct trace_summary s;
	struct trace t;
	char err[256];

	assert_int_equal(load_text_trace(text, NULL, &t, err, sizeof(err)), 0);
	assert_int_equal(t.nwarnings, want ? 1 : 0);
	if (want && !strstr(t.warning[0], want))
		fail_msg("got '%s', expected '%s'", t.warning[0], want);
	/* the summary a replay's report starts with carries them */
	assert_int_equal(trace_summarize(&t, 1ULL << 40, &s), 0);
	assert_int_equal(s.nwarnings, t.nwarnings);
	trace_free(&t);
}

/* Times that go back, and spans implausible for the format's unit, warn
 * with the line (the trace still loads); a plausible trace does not. */
static void test_trace_time_warnings(void **state)
{
	/* Tencent stamps seconds: a 60 s trace written in ms reads as 16.7 h */
	char *slow = lines_of("%llu,%llu,8,0,1\n", 2000, 1000, 30);
	/* MSR stamps 100 ns ticks: one tick apart is 10 M requests/s */
	char *fast = lines_of("%llu,h,0,Read,%llu,4096,10\n", 2000, 1000000, 1);
	char *paced = lines_of("%llu,h,0,Read,%llu,4096,10\n", 2000, 1000000, 100);

	(void)state;
	expect_warning("0 0 0 8 1\n1000 0 8 8 1\n500 0 16 8 0\n200 0 24 8 1\n",
		       ":3: a time earlier than a request before it (requests out of order: 2, "
		       "by up to 800 ns)");
	expect_warning(slow, ":2000: 2000 requests over 16.7 h, one per 30.0 s, slow for a "
			     "block trace: if its times are in a unit smaller than s");
	expect_warning(fast, ":2000: 2000 requests over 199.9 us, one per 100 ns, faster than "
			     "any device: if its times are in a unit larger than 100 ns");
	/* Alibaba stamps us: a stamp in ns is 463 days in */
	expect_warning("1,R,0,4096,1000\n1,W,4096,4096,40000000000000\n",
		       ":2: 463.0 days into the trace, longer than block traces are recorded "
		       "for: are its times in a unit smaller than us?");
	expect_warning(paced, NULL);
	free(slow);
	free(fast);
	free(paced);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trace_formats),
		cmocka_unit_test(test_trace_formats_more),
		cmocka_unit_test(test_trace_replay),
		cmocka_unit_test(test_trace_summary_and_past_end),
		cmocka_unit_test(test_replay_options),
		cmocka_unit_test(test_trace_time_warnings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
