/* The conventional FTL's invariants, with media=ram so a mapping bug shows
 * up as wrong data: map and reverse map agree, valid counts add up, and
 * every LBA reads back its last data, through many GC cycles. */
#include "helpers.h"

#include "ftl/conv/conv_int.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "util/rng.h"

static void stamp(uint8_t *buf, uint64_t lba, uint32_t version, uint32_t lba_bytes)
{
	for (uint32_t off = 0; off < lba_bytes; off += 16) {
		uint64_t w[2] = {lba, ((uint64_t)version << 32) | off};

		memcpy(buf + off, w, sizeof(w));
	}
}

/* The FTL's own full check (map and reverse map agree, counts add up). */
static void check_maps(const struct vssd_dev *dev)
{
	char err[256];

	if (dev_check(dev, err, sizeof(err)))
		fail_msg("FTL invariant: %s", err);
}

static void check_data(struct vssd_dev *dev, const uint32_t *version)
{
	uint32_t lb = dev->geo.lba_bytes;
	uint8_t *got = malloc(lb), *want = malloc(lb);
	uint64_t done;

	for (uint64_t lba = 0; lba < dev_capacity_lbas(dev); lba++) {
		assert_int_equal(dev_read(dev, lba, 1, got, 0, &done), 0);
		if (version[lba])
			stamp(want, lba, version[lba], lb);
		else
			memset(want, 0, lb); /* never written or trimmed: zeros */
		if (memcmp(got, want, lb))
			fail_msg("LBA %llu: wrong data (expected version %u)",
				 (unsigned long long)lba, version[lba]);
	}
	free(got);
	free(want);
}

/* A write's placement: every (handle, group) in turn with `spread`, else
 * handle 0 of group 0 (all a device without FDP has). */
static struct placement churn_placement(const struct vssd_dev *dev, bool spread, struct rng *r)
{
	if (!spread)
		return (struct placement){0, 0};
	return (struct placement){(uint16_t)rng_below(r, conv_of(dev->ftl)->nruh),
				  (uint16_t)rng_below(r, conv_of(dev->ftl)->nrg)};
}

/* A small SLC device (4 dies, 64 lines, op 0.25) with data kept. */
#define SMALL_DEVICE                                                                               \
	"media=ram", "channels=2", "luns_per_channel=2", "blocks_per_plane=64",                    \
		"pages_per_block=16", "oneshot_pages=1", "cell=slc", "read_ns=25000", "op=0.25"

/* Random writes of 1..8 LBAs and some trims, several device fills' worth. */
static struct vssd_dev *churn_placed(const char *const *pairs, uint32_t fills, bool spread)
{
	struct vssd_dev *dev = make_dev(pairs);
	uint64_t cap = dev_capacity_lbas(dev), now = 0, done;
	uint32_t lb = dev->geo.lba_bytes, *version = calloc(cap, sizeof(uint32_t)), v = 0;
	uint8_t *buf = malloc(8ULL * lb);
	struct rng r;

	rng_seed(&r, 42);
	for (uint64_t op = 0; op < cap * fills / 4; op++) {
		uint32_t n = 1 + (uint32_t)rng_below(&r, 8);
		uint64_t lba = rng_below(&r, cap - n);

		if (rng_below(&r, 16) == 0) {
			uint64_t first_unit =
				(lba + dev->geo.lbas_per_unit - 1) / dev->geo.lbas_per_unit;
			uint64_t end_unit = (lba + n) / dev->geo.lbas_per_unit;

			assert_int_equal(dev_trim(dev, lba, n, now, &done), 0);
			/* whole units are deallocated; partial ones keep their data */
			for (uint64_t u = first_unit; u < end_unit; u++)
				for (uint32_t k = 0; k < dev->geo.lbas_per_unit; k++)
					version[u * dev->geo.lbas_per_unit + k] = 0;
		} else {
			v++;
			for (uint32_t i = 0; i < n; i++) {
				stamp(buf + (uint64_t)i * lb, lba + i, v, lb);
				version[lba + i] = v;
			}
			assert_int_equal(dev_write_placed(dev, lba, n, buf, now,
							  churn_placement(dev, spread, &r), &done),
					 0);
			assert_true(done >= now);
		}
		now += 1000;
		if (op % (cap / 2) == 0)
			check_maps(dev);
	}
	assert_true(conv_of(dev->ftl)->c.gc_runs > 10); /* GC really ran */
	check_maps(dev);
	check_data(dev, version);
	free(version);
	free(buf);
	return dev;
}

static void churn(const char *const *pairs, uint32_t fills)
{
	dev_destroy(churn_placed(pairs, fills, false));
}

/* The check finds a broken invariant and says which: a reverse map that
 * disagrees, a valid count off by one, a free list one short. */
static void test_check_finds_what_broke(void **state)
{
	const char *pairs[] = {SMALL_DEVICE, NULL};
	struct vssd_dev *dev = make_dev(pairs);
	struct conv_ftl *f = conv_of(dev->ftl);
	uint8_t buf[4096] = {0};
	char err[256];
	uint64_t done;
	uint32_t ppa;

	assert_int_equal(dev_write(dev, 8, 1, buf, 0, &done), 0);
	assert_int_equal(dev_check(dev, err, sizeof(err)), 0);
	ppa = f->l2p[8];
	f->p2l[ppa] = 9;
	assert_int_equal(dev_check(dev, err, sizeof(err)), -EUCLEAN);
	assert_non_null(strstr(err, "logical unit 8 maps to unit"));
	f->p2l[ppa] = 8;
	f->lines[geo_line_of(&dev->geo, ppa)].vpc++;
	assert_int_equal(dev_check(dev, err, sizeof(err)), -EUCLEAN);
	assert_non_null(strstr(err, "its count says 2"));
	f->lines[geo_line_of(&dev->geo, ppa)].vpc--;
	f->rg[0].lm.free_count--;
	assert_int_equal(dev_check(dev, err, sizeof(err)), -EUCLEAN);
	assert_non_null(strstr(err, "free lines"));
	f->rg[0].lm.free_count++;
	assert_int_equal(dev_check(dev, err, sizeof(err)), 0);
	dev_destroy(dev);
}

static void test_greedy_4k_lbas(void **state)
{
	const char *pairs[] = {SMALL_DEVICE, NULL};
	(void)state;
	churn(pairs, 12);
}

static void test_512_byte_lbas_and_policies(void **state)
{
	const char *policies[] = {"gc_policy=greedy", "gc_policy=cost_benefit", "gc_policy=fifo"};

	(void)state;
	for (int i = 0; i < 3; i++) {
		const char *pairs[] = {"media=ram",
				       "lba_bytes=512",
				       "channels=2",
				       "luns_per_channel=1",
				       "blocks_per_plane=48",
				       "pages_per_block=12",
				       "oneshot_pages=3",
				       "op=0.3",
				       "timing=off",
				       policies[i],
				       NULL};
		churn(pairs, 8);
	}
}

static void test_background_gc_uses_idle_time(void **state)
{
	const char *pairs[] = {"channels=2",	       "luns_per_channel=1",
			       "blocks_per_plane=64",  "pages_per_block=16",
			       "oneshot_pages=1",      "cell=slc",
			       "read_ns=25000",	       "op=0.25",
			       "gc_background=on",     "gc_free_lines_low=2",
			       "gc_free_lines_high=8", NULL};
	struct vssd_dev *dev = make_dev(pairs);
	uint64_t cap = dev_capacity_lbas(dev), now = 0, done;
	struct rng r;

	(void)state;
	rng_seed(&r, 7);
	for (uint64_t i = 0; i < cap * 3; i++) {
		assert_int_equal(dev_write(dev, rng_below(&r, cap), 1, NULL, now, &done), 0);
		now = done;
	}
	assert_true(conv_free_lines(conv_of(dev->ftl)) < 8);
	dev_idle(dev, now + 10ULL * 1000 * 1000 * 1000); /* ten idle seconds */
	assert_int_equal(conv_free_lines(conv_of(dev->ftl)), 8);
	dev_destroy(dev);
}

/* What a steady-state random write run under one gc_pacing gives: the
 * device's counters and the writes' mean and longest latency. */
struct paced_run {
	struct dev_counters c;
	double mean_ns;
	uint64_t max_ns;
	uint64_t runtime_ns;
};

static struct paced_run run_paced(const char *pacing)
{
	const char *pairs[] = {"channels=2",
			       "luns_per_channel=2",
			       "blocks_per_plane=64",
			       "pages_per_block=48",
			       "op=0.1",
			       pacing,
			       NULL};
	struct nvme_ctrl *ctrl = make_ctrl(pairs);
	struct job_file jf;
	struct sim_result res;
	struct paced_run r;

	run_jobs(ctrl,
		 "[fill]\nrw=write\nbs=128k\niodepth=8\n"
		 "[rand]\nstonewall\nrw=randwrite\nbs=4k\niodepth=32\nio_size=300%\n",
		 &jf, &res);
	dev_counters(ctrl->ns, &r.c);
	r.mean_ns = lat_stats_mean(&res.jobs[1].dir[DIR_WRITE]);
	r.max_ns = res.jobs[1].dir[DIR_WRITE].max_ns;
	r.runtime_ns = res.jobs[1].end_ns - res.jobs[1].start_ns;
	sim_result_free(&res);
	job_file_free(&jf);
	nvme_ctrl_destroy(ctrl);
	return r;
}

/* gc_pacing=proportional moves when GC's NAND work is done, nothing else:
 * the same copies, erases and media writes as line pacing, about the same
 * time, and a tail far below line pacing's whole-line stalls. */
static void test_gc_pacing_spreads_the_same_work(void **state)
{
	struct paced_run line = run_paced("gc_pacing=line");
	struct paced_run prop = run_paced("gc_pacing=proportional");

	(void)state;
	print_message(
		"max write latency: line %.1f ms, proportional %.1f ms (means %.2f, %.2f ms)\n",
		line.max_ns / 1e6, prop.max_ns / 1e6, line.mean_ns / 1e6, prop.mean_ns / 1e6);
	assert_true(line.c.gc_copied_units > 0);
	assert_int_equal(prop.c.gc_copied_units, line.c.gc_copied_units);
	assert_int_equal(prop.c.gc_runs, line.c.gc_runs);
	assert_int_equal(prop.c.erased_blocks, line.c.erased_blocks);
	assert_int_equal(prop.c.media_write_bytes, line.c.media_write_bytes);
	assert_true(fabs(rel_err((double)prop.runtime_ns, (double)line.runtime_ns)) < 0.05);
	assert_true(prop.max_ns * 4 < line.max_ns);
	assert_true(prop.max_ns < 20 * prop.mean_ns);
}

/* Hot/cold writes (90% to the first tenth of the LBAs) of 20 capacities
 * under a wear_levelling setting; the device's counters after. */
static struct dev_counters hot_cold(const char *wear, const char *policy, const char *spread)
{
	const char *pairs[] = {"channels=2",
			       "luns_per_channel=1",
			       "blocks_per_plane=64",
			       "pages_per_block=16",
			       "oneshot_pages=1",
			       "cell=slc",
			       "read_ns=25000",
			       "timing=off",
			       "op=0.25",
			       wear,
			       policy,
			       spread,
			       NULL};
	struct vssd_dev *dev = make_dev(pairs);
	uint64_t cap = dev_capacity_lbas(dev), done;
	struct dev_counters c;
	char err[256];
	struct rng r;

	rng_seed(&r, 3);
	for (uint64_t i = 0; i < cap; i++) /* fill */
		assert_int_equal(dev_write(dev, i, 1, NULL, 0, &done), 0);
	for (uint64_t i = 0; i < cap * 20; i++) {
		uint64_t lba = rng_below(&r, 10) ? rng_below(&r, cap / 10)
						 : cap / 10 + rng_below(&r, cap - cap / 10);

		assert_int_equal(dev_write(dev, lba, 1, NULL, 0, &done), 0);
	}
	assert_int_equal(dev_check(dev, err, sizeof(err)), 0);
	dev_counters(dev, &c);
	dev_destroy(dev);
	return c;
}

/* Static wear levelling moves cold data off the least erased blocks, so
 * erase counts stay within wear_level_spread of each other; without it the
 * blocks under cold data fall behind. */
static void test_static_wear_levelling_evens_erases(void **state)
{
	struct dev_counters off = hot_cold("wear_levelling=off", "gc_policy=greedy", NULL);
	struct dev_counters wl = hot_cold("wear_levelling=static", "gc_policy=greedy", NULL);
	/* fifo keeps closed lines in close order, and so wears them evenly by
	 * itself; a tight spread still moves lines out of that order */
	struct dev_counters fifo =
		hot_cold("wear_levelling=static", "gc_policy=fifo", "wear_level_spread=2");

	(void)state;
	print_message("erases per block: off %u..%u (mean %.1f, stdev %.1f), static %u..%u (mean "
		      "%.1f, stdev %.1f), "
		      "%llu moves\n",
		      off.erase_min, off.erase_max, off.erase_mean, off.erase_stdev, wl.erase_min,
		      wl.erase_max, wl.erase_mean, wl.erase_stdev,
		      (unsigned long long)wl.wear_moves);
	assert_int_equal(off.wear_moves, 0);
	assert_true(wl.wear_moves > 0);
	assert_true(off.erase_max - off.erase_min > 2 * 16);
	assert_true(wl.erase_max - wl.erase_min <= 16 + 2); /* the spread, and a move's lag */
	assert_true(wl.erase_stdev * 2 < off.erase_stdev);
	assert_true(fifo.wear_moves > 0);
	assert_true(fifo.erase_max - fifo.erase_min <= 2 + 2);
}

/* Dynamic wear levelling opens the free line erased least; without it, the
 * oldest free line (FIFO). */
static void test_dynamic_wear_levelling_takes_the_youngest(void **state)
{
	static const uint32_t erases[4] = {5, 2, 9, 3};
	struct line table[4];
	struct line_mgr lm;

	(void)state;
	for (int wear = WL_OFF; wear <= WL_DYNAMIC; wear++) {
		assert_int_equal(lines_init(&lm, table, 0, 4, 8, GC_GREEDY), 0);
		lm.wear = wear;
		for (uint32_t l = 0; l < 4; l++)
			table[l].erase_count = erases[l];
		assert_int_equal(line_take_free(&lm), wear == WL_OFF ? 0 : 1);
		assert_int_equal(line_take_free(&lm), wear == WL_OFF ? 1 : 3);
		lines_fini(&lm);
	}
}

/* initial_pe_cycles ages every block: the erase counts start there, and
 * SMART's percentage used counts them against the rated cycles. */
static void test_initial_pe_cycles_age_the_drive(void **state)
{
	const char *pairs[] = {"initial_pe_cycles=1500", "pe_cycles=3000", NULL};
	struct vssd_dev *dev = make_dev(pairs);
	struct dev_counters c;

	(void)state;
	dev_counters(dev, &c);
	assert_int_equal(c.erase_min, 1500);
	assert_int_equal(c.erase_max, 1500);
	assert_int_equal(dev_percent_used(dev), 50);
	dev_destroy(dev);
}

/* Two streams written in turns, each through its placement, random
 * overwrites so GC runs: stream 0 owns the first half of the LBAs, stream 1
 * the second. `lu_stream` says which stream wrote each unit last. */
static struct vssd_dev *two_streams(const char *ruh_type, const char *nrg,
				    const struct placement pl[2], uint8_t **lu_stream_out)
{
	char type[64];
	const char *pairs[] = {"channels=2",
			       "luns_per_channel=2",
			       "blocks_per_plane=64",
			       "pages_per_block=16",
			       "oneshot_pages=1",
			       "cell=slc",
			       "read_ns=25000",
			       "op=0.3",
			       "fdp=on",
			       "fdp_nruh=2",
			       type,
			       nrg,
			       NULL};
	struct vssd_dev *dev;
	uint64_t cap, done, now = 0;
	uint8_t *lu_stream;
	struct rng r;

	snprintf(type, sizeof(type), "fdp_ruh_type=%s", ruh_type);
	dev = make_dev(pairs);
	cap = dev->geo.logical_units;
	lu_stream = calloc(cap, 1);
	rng_seed(&r, 11);
	for (uint64_t i = 0; i < cap * 6; i++) {
		uint32_t k = i & 1;
		uint64_t lu = k * (cap / 2) + rng_below(&r, cap / 2);

		assert_int_equal(dev_write_placed(dev, lu, 1, NULL, now, pl[k], &done), 0);
		lu_stream[lu] = (uint8_t)k;
		now += 1000;
	}
	assert_true(conv_of(dev->ftl)->c.gc_runs > 20);
	*lu_stream_out = lu_stream;
	return dev;
}

static const struct placement two_handles[2] = {{0, 0}, {1, 0}};

/* The handle whose data the line holds, or -1 for a mix. */
static int line_content(const struct vssd_dev *dev, uint32_t line, const uint8_t *lu_ruh)
{
	const struct conv_ftl *f = conv_of(dev->ftl);
	int who = -2;

	for (uint32_t u = 0; u < dev->geo.units_per_line; u++) {
		uint32_t lu = f->p2l[line * dev->geo.units_per_line + u];

		if (lu == CONV_UNMAPPED)
			continue;
		if (who == -2)
			who = lu_ruh[lu];
		else if (who != lu_ruh[lu])
			return -1;
	}
	return who;
}

static void test_placement_handles_persistently_isolated(void **state)
{
	uint8_t *lu_ruh;
	struct vssd_dev *dev = two_streams("persistently", "fdp_nrg=1", two_handles, &lu_ruh);
	const struct conv_ftl *f = conv_of(dev->ftl);

	(void)state;
	check_maps(dev);
	/* every line, host- or GC-written, holds one handle's data: its owner's */
	for (uint32_t l = 0; l < dev->geo.lines; l++) {
		int who = line_content(dev, l, lu_ruh);

		if (who >= 0)
			assert_int_equal(who, f->lines[l].owner);
		assert_int_not_equal(who, -1);
	}
	for (int h = 0; h < 2; h++) {
		assert_true(f->ruh[h].host_units > 0);
		assert_true(f->ruh[h].gc_out_units > 0);
		assert_int_equal(f->ruh[h].gc_in_units, f->ruh[h].gc_out_units);
	}
	assert_int_equal(conv_ruh_units_in_use(f, 0) + conv_ruh_units_in_use(f, 1),
			 f->c.mapped_units);
	free(lu_ruh);
	dev_destroy(dev);
}

static void test_placement_handles_initially_isolated(void **state)
{
	uint8_t *lu_ruh;
	struct vssd_dev *dev = two_streams("initially", "fdp_nrg=1", two_handles, &lu_ruh);
	const struct conv_ftl *f = conv_of(dev->ftl);
	int mixed = 0;

	(void)state;
	check_maps(dev);
	/* host lines stay pure; GC merges both handles into shared lines */
	for (uint32_t l = 0; l < dev->geo.lines; l++) {
		int who = line_content(dev, l, lu_ruh);

		if (f->lines[l].owner != FTL_OWNER_SHARED && who != -2)
			assert_int_equal(who, f->lines[l].owner);
		mixed += who == -1;
	}
	assert_true(mixed > 0);
	assert_int_equal(f->ruh[0].gc_in_units + f->ruh[1].gc_in_units, 0);
	free(lu_ruh);
	dev_destroy(dev);
}

/* A handle per type: the persistently isolated one keeps its data to
 * itself through GC, the initially isolated one's data goes to shared lines. */
static void test_per_handle_types(void **state)
{
	uint8_t *lu_ruh;
	struct vssd_dev *dev =
		two_streams("persistently,initially", "fdp_nrg=1", two_handles, &lu_ruh);
	const struct conv_ftl *f = conv_of(dev->ftl);

	(void)state;
	check_maps(dev);
	for (uint32_t l = 0; l < dev->geo.lines; l++) {
		int who = line_content(dev, l, lu_ruh);

		if (f->lines[l].owner == 0)
			assert_true(who == 0 || who == -2);
		if (who == 0) /* handle 0's data is only in handle 0's lines */
			assert_int_equal(f->lines[l].owner, 0);
	}
	assert_true(f->ruh[0].gc_in_units > 0);
	assert_int_equal(f->ruh[0].gc_in_units, f->ruh[0].gc_out_units);
	assert_int_equal(f->ruh[1].gc_in_units, 0);
	assert_true(f->ruh[1].gc_out_units > 0);
	free(lu_ruh);
	dev_destroy(dev);
}

/* Two reclaim groups, one stream each through the same handle: each
 * group's data stays on that group's dies, through GC. */
static void test_reclaim_groups_keep_data_on_their_dies(void **state)
{
	static const struct placement groups[2] = {{0, 0}, {0, 1}};
	uint8_t *lu_stream;
	struct vssd_dev *dev = two_streams("persistently", "fdp_nrg=2", groups, &lu_stream);
	const struct geometry *geo = &dev->geo;
	const struct conv_ftl *f = conv_of(dev->ftl);

	(void)state;
	assert_int_equal(geo->rgs, 2);
	assert_int_equal(geo->line_dies, 2);
	check_maps(dev);
	for (uint32_t l = 0; l < geo->lines; l++) {
		int who = line_content(dev, l, lu_stream);
		uint32_t g = geo_rg_of_line(geo, l);

		assert_true(who == -2 || who == (int)g);
		/* group g is dies 2g and 2g+1 */
		for (uint32_t u = 0; u < geo->units_per_line; u += geo->units_per_prog)
			assert_int_equal(geo_die_of(geo, l * geo->units_per_line + u) / 2, g);
	}
	for (uint32_t g = 0; g < 2; g++)
		assert_true(f->rg[g].lm.free_count > 0);
	assert_int_equal(f->c.borrowed_lines, 0);
	free(lu_stream);
	dev_destroy(dev);
}

/* Reclaim units of one die: a line is one die's blocks, lines taken in
 * order rotate over the dies, and data survives GC with writes spread over
 * every (handle, group). */
static void test_small_reclaim_units(void **state)
{
	const char *pairs[] = {SMALL_DEVICE,	    "fdp=on", "fdp_nruh=3", "fdp_nrg=2",
			       "fdp_ru_bytes=256k", NULL};
	struct vssd_dev *dev;
	const struct geometry *geo;

	(void)state;
	dev = churn_placed(pairs, 10, true);
	geo = &dev->geo;
	assert_int_equal(geo->line_dies, 1);
	assert_int_equal(geo->units_per_line, 64); /* 16 pages of 16 KiB on one die */
	assert_int_equal(geo->lines, 4 * 64);
	for (uint32_t l = 0; l < geo->lines; l++)
		assert_int_equal(geo_line_first_die(geo, l), 2 * geo_rg_of_line(geo, l) + l % 2);
	dev_destroy(dev);
}

/* All data placed in one of two groups, more than it holds: its writes
 * borrow the other group's lines rather than fail, and no data is lost. */
static void test_full_group_borrows_lines(void **state)
{
	const char *pairs[] = {SMALL_DEVICE, "fdp=on", "fdp_nruh=2", "fdp_nrg=2", NULL};
	struct vssd_dev *dev;

	(void)state;
	dev = churn_placed(pairs, 3, false);
	assert_true(conv_of(dev->ftl)->c.borrowed_lines > 0);
	dev_destroy(dev);
}

static void test_range_errors(void **state)
{
	struct vssd_dev *dev = make_dev(NULL);
	uint64_t cap = dev_capacity_lbas(dev), done;

	(void)state;
	assert_int_equal(dev_write(dev, cap, 1, NULL, 0, &done), -ERANGE);
	assert_int_equal(dev_read(dev, cap - 1, 2, NULL, 0, &done), -ERANGE);
	assert_int_equal(dev_trim(dev, 0, 0, 0, &done), -EINVAL);
	dev_destroy(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_finds_what_broke),
		cmocka_unit_test(test_greedy_4k_lbas),
		cmocka_unit_test(test_512_byte_lbas_and_policies),
		cmocka_unit_test(test_background_gc_uses_idle_time),
		cmocka_unit_test(test_gc_pacing_spreads_the_same_work),
		cmocka_unit_test(test_static_wear_levelling_evens_erases),
		cmocka_unit_test(test_dynamic_wear_levelling_takes_the_youngest),
		cmocka_unit_test(test_initial_pe_cycles_age_the_drive),
		cmocka_unit_test(test_placement_handles_persistently_isolated),
		cmocka_unit_test(test_placement_handles_initially_isolated),
		cmocka_unit_test(test_per_handle_types),
		cmocka_unit_test(test_reclaim_groups_keep_data_on_their_dies),
		cmocka_unit_test(test_small_reclaim_units),
		cmocka_unit_test(test_full_group_borrows_lines),
		cmocka_unit_test(test_range_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
