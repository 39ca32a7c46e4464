/*
 * The SLC cache (ftl/conv/slc.c) against its closed forms and with data
 * kept: its size is its static lines plus the dynamic lines the drive
 * lends, each holding line_units host units; sequential writes run at
 * dies x program unit / (oneshot_pages x slc_prog_ns) in it and at the
 * native program time after it; a read of cached data senses in
 * slc_read_ns; folding (idle, or as the drive fills) and a power cut keep
 * every LBA's last data, and the invariants hold throughout.
 */
#include "helpers.h"

#include "ftl/conv/conv_int.h"

#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "nand/timing.h"

#include "util/rng.h"

/* TLC, 4 dies, 64 lines of 768 units; an SLC line is the first 5 of a
 * block's 16 program rows: 5 x 4 dies x 12 units = 240 units. */
#define SMALL_TLC                                                                                  \
	"channels=2", "luns_per_channel=2", "blocks_per_plane=64", "pages_per_block=48",           \
		"op=0.25", "slc_prog_ns=100000", "slc_read_ns=20000"
#define SLC_LINE_UNITS 240
#define STATIC_LINES 5	/* slc_cache_bytes=4m: 4 MiB / 960 KiB, rounded up */
#define DYNAMIC_LINES 9 /* slc_dynamic_bytes=8m */

static void test_slc_refusals(void **state)
{
	const char *fdp[] = {"slc_cache_bytes=4m", "fdp=on", NULL};
	const char *slc_cell[] = {"slc_cache_bytes=4m", "cell=slc", "read_ns=25000", NULL};
	const char *ocssd[] = {"slc_dynamic_bytes=4m", "ftl=ocssd", NULL};
	const char *too_big[] = {"slc_cache_bytes=2g", NULL};

	(void)state;
	expect_refused(fdp, "slc_cache_bytes: an SLC cache with fdp=on is not supported");
	expect_refused(slc_cell, "slc_cache_bytes: an SLC cache needs a cell of more bits");
	expect_refused(ocssd, "slc_dynamic_bytes: the open-channel device has no SLC cache");
	expect_refused(too_big, "and the static SLC cache's lines");
}

/* Writes n units from lba on at time t, as fast as the device takes them,
 * then flushes: returns when the last is programmed. */
static uint64_t write_through(struct vssd_dev *dev, uint64_t lba, uint64_t n, uint64_t t)
{
	uint64_t done, end = t;

	for (uint64_t i = 0; i < n; i++) {
		assert_int_equal(dev_write(dev, lba + i, 1, NULL, t, &done), 0);
		end = done > end ? done : end;
	}
	assert_int_equal(dev_flush(dev, end, &done), 0);
	return done;
}

static void test_slc_size_and_speeds(void **state)
{
	const char *pairs[] = {SMALL_TLC, "slc_cache_bytes=4m", "slc_dynamic_bytes=8m", NULL};
	struct vssd_dev *dev = make_dev(pairs);
	const struct geometry *g = &dev->geo;
	const struct conv_ftl *f = conv_of(dev->ftl);
	double prog_bytes = (double)g->units_per_prog * GEO_UNIT_BYTES;
	double want_in = g->dies * prog_bytes / (3 * 100000e-9) / 1e6;
	double want_after = g->dies * prog_bytes / (700000e-9) / 1e6;
	uint64_t cache_units = (STATIC_LINES + DYNAMIC_LINES) * SLC_LINE_UNITS, t0, t1;
	double got_in, got_after;

	(void)state;
	assert_int_equal(f->slc.line_units, SLC_LINE_UNITS);
	assert_int_equal(f->slc.nstatic, STATIC_LINES);
	assert_int_equal(f->slc.dyn_max, DYNAMIC_LINES);
	/* the whole cache, then 8192 units after it */
	t0 = write_through(dev, 0, cache_units, 0);
	got_in = (double)cache_units * GEO_UNIT_BYTES / (double)t0 * 1e3;
	assert_int_equal(f->slc.c.host_units, cache_units); /* every line the drive lent */
	assert_int_equal(f->slc.dyn_lines, DYNAMIC_LINES);
	t1 = write_through(dev, cache_units, 8192, t0);
	got_after = 8192.0 * GEO_UNIT_BYTES / (double)(t1 - t0) * 1e3;
	assert_int_equal(f->slc.c.host_units, cache_units); /* none of it cached */
	print_message("in the cache %.1f MB/s (closed form %.1f), after %.1f MB/s (%.1f)\n", got_in,
		      want_in, got_after, want_after);
	assert_true(fabs(rel_err(got_in, want_in)) < 0.03);
	assert_true(fabs(rel_err(got_after, want_after)) < 0.03);
	dev_destroy(dev);
}

static void test_slc_reads_sense_fast(void **state)
{
	const char *pairs[] = {SMALL_TLC, "slc_cache_bytes=4m", NULL};
	struct vssd_dev *dev = make_dev(pairs);
	const struct vssd_config *c = &dev->cfg;
	uint64_t xfers = xfer_ns(4096, c->channel_mbps) + xfer_ns(4096, c->pcie_mbps);
	uint64_t done, t;
	uint32_t ppa;

	(void)state;
	t = write_through(dev, 0, SLC_LINE_UNITS, 0) + 1000000000ULL; /* a full SLC line */
	assert_int_equal(dev_read(dev, 0, 1, NULL, t, &done), 0);
	assert_int_equal(done - t, c->fw_read_ns + c->slc_read_ns + xfers);
	/* idle: folded into a native line, read at its page's time */
	dev_idle(dev, t + 10000000000ULL);
	ppa = conv_of(dev->ftl)->l2p[0];
	assert_int_equal(conv_of(dev->ftl)->lines[geo_line_of(&dev->geo, ppa)].slc, 0);
	t += 20000000000ULL;
	assert_int_equal(dev_read(dev, 0, 1, NULL, t, &done), 0);
	assert_int_equal(done - t,
			 c->fw_read_ns + dev->tm.read_ns[geo_page_type_of(&dev->geo, ppa)] + xfers);
	dev_destroy(dev);
}

static void stamp(uint8_t *buf, uint64_t lba, uint32_t version)
{
	for (uint32_t off = 0; off < 4096; off += 16) {
		uint64_t w[2] = {lba, ((uint64_t)version << 32) | off};

		memcpy(buf + off, w, sizeof(w));
	}
}

static void check_all(struct vssd_dev *dev, const uint32_t *version)
{
	uint8_t got[4096], want[4096];
	char err[256];
	uint64_t done;

	if (dev_check(dev, err, sizeof(err)))
		fail_msg("FTL invariant: %s", err);
	for (uint64_t lba = 0; lba < dev_capacity_lbas(dev); lba++) {
		assert_int_equal(dev_read(dev, lba, 1, got, 0, &done), 0);
		if (version[lba])
			stamp(want, lba, version[lba]);
		else
			memset(want, 0, sizeof(want));
		if (memcmp(got, want, sizeof(got)))
			fail_msg("LBA %llu: wrong data (expected version %u)",
				 (unsigned long long)lba, version[lba]);
	}
}

/* Random writes over the first `span` LBAs, n of them. */
static uint64_t scribble(struct vssd_dev *dev, struct rng *r, uint64_t span, uint64_t n,
			 uint32_t *version, uint32_t *v, uint64_t now)
{
	uint8_t buf[4096];
	uint64_t done;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t lba = rng_below(r, span);

		stamp(buf, lba, ++*v);
		version[lba] = *v;
		assert_int_equal(dev_write(dev, lba, 1, buf, now, &done), 0);
		now = done;
	}
	return now;
}

static void test_slc_keeps_data(void **state)
{
	const char *pairs[] = {SMALL_TLC, "media=ram", "slc_cache_bytes=4m", "slc_dynamic_bytes=8m",
			       NULL};
	struct vssd_dev *dev = make_dev(pairs);
	const struct conv_ftl *f = conv_of(dev->ftl);
	uint64_t cap = dev_capacity_lbas(dev), now = 0;
	uint32_t *version = calloc(cap, sizeof(uint32_t)), v = 0;
	struct rng r;

	(void)state;
	rng_seed(&r, 19);
	/* a burst into the cache, its dynamic lines lent */
	now = scribble(dev, &r, cap / 2, 3000, version, &v, now);
	assert_true(f->slc.dyn_lines > 0);
	check_all(dev, version);
	/* a power cut with cached data: recovered from the lines' OOB */
	assert_int_equal(dev_powerloss(dev), 0);
	f = conv_of(dev->ftl);
	assert_true(f->slc.c.host_units >= 3000); /* what it measured is kept */
	for (uint64_t lba = 0; lba < cap; lba++)  /* the cut lost the buffered writes */
		if (version[lba] && f->l2p[lba] == CONV_UNMAPPED)
			version[lba] = 0;
	check_all(dev, version);
	now = scribble(dev, &r, cap / 2, 2000, version, &v, now);
	/* idle: every full line folded, the dynamic ones given back (the open
	 * line stays for the next burst) */
	dev_idle(dev, now + 60000000000ULL);
	assert_int_equal(f->slc.full[0].count + f->slc.full[1].count, 0);
	assert_true(f->slc.dyn_lines <= 1);
	assert_true(f->slc.c.folds > 0);
	check_all(dev, version);
	/* the drive fills: it lends no more than the space still unwritten,
	 * and nothing once every LBA holds data */
	now = scribble(dev, &r, cap, cap * 3, version, &v, now + 60000000000ULL);
	assert_true((uint64_t)f->slc.dyn_lines * dev->geo.units_per_line <=
		    dev->geo.logical_units - f->c.mapped_units);
	assert_true(f->c.gc_runs > 0);
	check_all(dev, version);
	for (uint64_t lba = 0; lba < cap; lba++) {
		uint8_t buf[4096];
		uint64_t done;

		if (version[lba])
			continue;
		stamp(buf, lba, ++v);
		version[lba] = v;
		assert_int_equal(dev_write(dev, lba, 1, buf, now, &done), 0);
		now = done;
	}
	assert_int_equal(f->c.mapped_units, dev->geo.logical_units);
	assert_int_equal(f->slc.dyn_lines, 0);
	check_all(dev, version);
	free(version);
	dev_destroy(dev);
}

/* slc_when_full=fold: past the cache's size every host write still goes
 * into it, the oldest line folded out in the foreground to make room, at
 * less than the native speed (each unit is programmed twice and its line
 * erased); the data stays whole. */
static void test_slc_fold_when_full(void **state)
{
	const char *pairs[] = {SMALL_TLC, "media=ram", "slc_cache_bytes=4m", "slc_when_full=fold",
			       NULL};
	struct vssd_dev *dev = make_dev(pairs);
	const struct conv_ftl *f = conv_of(dev->ftl);
	uint64_t cache_units = STATIC_LINES * SLC_LINE_UNITS, t0, t1, cap = dev_capacity_lbas(dev);
	double native = 4 * 12 * 4096.0 / 700000e-9 / 1e6, got;
	uint32_t *version = calloc(cap, sizeof(uint32_t)), v = 0;
	struct rng r;

	(void)state;
	t0 = write_through(dev, 0, cache_units, 0);
	t1 = write_through(dev, cache_units, 4096, t0);
	got = 4096.0 * GEO_UNIT_BYTES / (double)(t1 - t0) * 1e3;
	print_message("past the cache, folding: %.1f MB/s (native %.1f)\n", got, native);
	assert_int_equal(f->slc.c.host_units, cache_units + 4096);
	assert_true(f->slc.c.folds >= 4096 / SLC_LINE_UNITS);
	assert_true(got < 0.6 * native);
	rng_seed(&r, 3); /* over what was written without data (zeros) */
	scribble(dev, &r, cap, 3000, version, &v, t1);
	check_all(dev, version);
	free(version);
	dev_destroy(dev);
}

/* A clean close keeps the cache: the reopened device has the same full
 * lines (from its checkpoint, SLC marks included) and every LBA's data. */
static void test_slc_checkpoint_reopens(void **state)
{
	char path[] = "/tmp/vssd-slc-XXXXXX", path_pair[64];
	const char *pairs[] = {
		SMALL_TLC, "media=file", path_pair, "slc_cache_bytes=4m", "slc_dynamic_bytes=8m",
		NULL};
	int fd = mkstemp(path);
	struct vssd_dev *dev;
	uint64_t cap;
	uint32_t *version, v = 0, full;
	struct rng r;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	unlink(path); /* created afresh by the device */
	snprintf(path_pair, sizeof(path_pair), "path=%s", path);
	dev = make_dev(pairs);
	cap = dev_capacity_lbas(dev);
	version = calloc(cap, sizeof(uint32_t));
	rng_seed(&r, 5);
	scribble(dev, &r, cap / 2, 2500, version, &v, 0);
	full = conv_of(dev->ftl)->slc.full[0].count + conv_of(dev->ftl)->slc.full[1].count;
	assert_true(full > 0);
	dev_destroy(dev);
	dev = make_dev(pairs);
	assert_true(dev->recovery.from_checkpoint);
	/* the line being written was closed for the checkpoint: one more */
	assert_int_equal(conv_of(dev->ftl)->slc.full[0].count +
				 conv_of(dev->ftl)->slc.full[1].count,
			 full + 1);
	check_all(dev, version);
	dev_destroy(dev);
	unlink(path);
	free(version);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slc_refusals),
		cmocka_unit_test(test_slc_size_and_speeds),
		cmocka_unit_test(test_slc_reads_sense_fast),
		cmocka_unit_test(test_slc_keeps_data),
		cmocka_unit_test(test_slc_checkpoint_reopens),
		cmocka_unit_test(test_slc_fold_when_full),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
