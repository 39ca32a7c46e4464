/*
 * The timing model against its closed forms (docs/MODEL.md), on the default
 * TLC profile, NVMeVirt's SAMSUNG_970PRO set and the calibrated 970 PRO,
 * plus variants that move the bottleneck to the channels, the PCIe link or
 * the firmware's cores:
 *   4 KiB read, QD1:  fw_read_ns + read_ns[type] + 4 KiB/channel + 4 KiB/PCIe
 *   4 KiB write, QD1: fw_write_ns + 4 KiB/PCIe
 *   sequential write bandwidth = min(PCIe, channels x channel,
 *                                    dies x program unit / prog_ns,
 *                                    fw_cores x command bytes / fw_write_ns)
 *   random read IOPS at high QD = min(dies / mean read_ns,
 *                                     channels / (4 KiB/channel), PCIe / 4 KiB,
 *                                     fw_cores / fw_read_ns)
 * The random reads make one random-map pass (every block once), so every die
 * gets the same load; a random sample would leave the busiest die finishing
 * last, and at QD 1024 dies are rarely starved.
 */
#include "helpers.h"

#include "ftl/conv/conv_int.h"

#include <math.h>

#include "config/params.h"

struct profile_case {
	const char *profile;
	const char *extra; /* one more key=value, or NULL */
};

static struct nvme_ctrl *profile_ctrl(const struct profile_case *pc)
{
	struct vssd_config cfg;
	struct nvme_ctrl *ctrl = NULL;
	char err[512];

	config_defaults(&cfg);
	if (config_load_profile(&cfg, pc->profile, err, sizeof(err)))
		fail_msg("%s", err);
	/* a smaller drive than the preset: the same dies, fewer blocks */
	assert_int_equal(config_set(&cfg, "blocks_per_plane", "96", err, sizeof(err)), 0);
	if (pc->extra && config_set_pair(&cfg, pc->extra, err, sizeof(err)))
		fail_msg("%s", err);
	if (nvme_ctrl_create(&cfg, &ctrl, err, sizeof(err)))
		fail_msg("%s", err);
	return ctrl;
}

static double ns_per_unit(uint64_t mbps)
{
	return 4096.0 * 1000.0 / (double)mbps;
}

static double mean_read_ns(const struct vssd_dev *dev)
{
	double sum = 0;

	for (uint32_t t = 0; t < dev->geo.page_types; t++)
		sum += (double)dev->tm.read_ns[t];
	return sum / dev->geo.page_types;
}

static const struct lat_stats *job_dir(const struct sim_result *res, uint32_t job, int dir)
{
	return &res->jobs[job].dir[dir];
}

static double job_secs(const struct sim_result *res, uint32_t job)
{
	return (double)(res->jobs[job].end_ns - res->jobs[job].start_ns) / 1e9;
}

/* Exact per-request figures on an idle device, through the device API. */
static void check_qd1_exact(const struct profile_case *pc)
{
	struct nvme_ctrl *ctrl = profile_ctrl(pc);
	struct vssd_dev *dev = ctrl->ns;
	const struct vssd_config *c = &dev->cfg;
	uint32_t lpu = dev->geo.lbas_per_unit;
	uint64_t t = 0, done;

	/* write 4096 units: many full program units, all of them on NAND later */
	for (uint64_t lu = 0; lu < 4096; lu++) {
		assert_int_equal(dev_write(dev, lu * lpu, lpu, NULL, t, &done), 0);
		t = done;
	}
	for (uint64_t lu = 0; lu < 4096; lu += 97) {
		uint32_t ppa = conv_of(dev->ftl)->l2p[lu];
		uint64_t want = c->fw_read_ns + dev->tm.read_ns[geo_page_type_of(&dev->geo, ppa)] +
				xfer_ns(4096, c->channel_mbps) + xfer_ns(4096, c->pcie_mbps);

		t += 1000000000ULL; /* a second later everything is idle */
		assert_int_equal(dev_read(dev, lu * lpu, lpu, NULL, t, &done), 0);
		assert_int_equal(done - t, want);
	}
	t += 1000000000ULL;
	assert_int_equal(dev_write(dev, 5000ULL * lpu, lpu, NULL, t, &done), 0);
	assert_int_equal(done - t, c->fw_write_ns + xfer_ns(4096, c->pcie_mbps));
	nvme_ctrl_destroy(ctrl);
}

/* The same figures as a fio job sees them, as means over many requests. */
static void check_qd1_jobs(const struct profile_case *pc)
{
	struct nvme_ctrl *ctrl = profile_ctrl(pc);
	struct vssd_dev *dev = ctrl->ns;
	const struct vssd_config *c = &dev->cfg;
	struct job_file jf;
	struct sim_result res;
	double want_read = (double)c->fw_read_ns + mean_read_ns(dev) +
			   ns_per_unit(c->channel_mbps) + ns_per_unit(c->pcie_mbps);
	double want_write = (double)c->fw_write_ns + ns_per_unit(c->pcie_mbps);
	double got_read, got_write;

	run_jobs(ctrl,
		 "[fill]\nrw=write\nbs=128k\niodepth=16\n"
		 "[qd1read]\nstonewall\nrw=randread\nbs=4k\nnumber_ios=20000\nthinktime=200\n"
		 "[qd1write]\nstonewall\nrw=randwrite\nbs=4k\nnumber_ios=2000\nthinktime=2ms\n",
		 &jf, &res);
	got_read = lat_stats_mean(job_dir(&res, 1, DIR_READ));
	got_write = lat_stats_mean(job_dir(&res, 2, DIR_WRITE));
	print_message("%s %s: QD1 read %.0f ns (closed form %.0f, %+.3f%%), write %.0f ns "
		      "(%.0f, %+.3f%%)\n",
		      pc->profile, pc->extra ? pc->extra : "", got_read, want_read,
		      100 * rel_err(got_read, want_read), got_write, want_write,
		      100 * rel_err(got_write, want_write));
	assert_true(fabs(rel_err(got_read, want_read)) < 0.01);
	assert_true(fabs(rel_err(got_write, want_write)) < 0.01);
	sim_result_free(&res);
	job_file_free(&jf);
	nvme_ctrl_destroy(ctrl);
}

static void check_throughput(const struct profile_case *pc)
{
	struct nvme_ctrl *ctrl = profile_ctrl(pc);
	struct vssd_dev *dev = ctrl->ns;
	const struct vssd_config *c = &dev->cfg;
	const struct geometry *g = &dev->geo;
	struct job_file jf;
	struct sim_result res;
	double prog_bytes = (double)g->units_per_prog * 4096, prog_ns = 0;
	double bw_pcie = (double)c->pcie_mbps * 1e6,
	       bw_ch = (double)c->channels * c->channel_mbps * 1e6;
	double bw_dies, want_bw, got_bw, want_iops, got_iops;
	double die_read_ns = mean_read_ns(dev); /* cache read hides the transfer */

	/* a one-shot unit's program time is its slowest page's; average over units */
	for (uint32_t row = 0; row < g->progs_per_block; row++)
		prog_ns += (double)prog_time_ns(&dev->tm, row * g->dies * g->units_per_prog);
	prog_ns /= g->progs_per_block;
	bw_dies = g->dies * prog_bytes / (prog_ns / 1e9);
	want_bw = fmin(bw_pcie, fmin(bw_ch, bw_dies));
	want_iops = fmin(g->dies / (die_read_ns / 1e9),
			 fmin(g->channels / (ns_per_unit(c->channel_mbps) / 1e9),
			      1e9 / ns_per_unit(c->pcie_mbps)));
	if (c->fw_cores) { /* each command holds a core for its firmware time */
		want_bw = fmin(want_bw, c->fw_cores * 131072e9 / (double)c->fw_write_ns);
		want_iops = fmin(want_iops, c->fw_cores * 1e9 / (double)c->fw_read_ns);
	}
	run_jobs(ctrl,
		 "[seqwrite]\nrw=write\nbs=128k\niodepth=64\n"
		 "[randread]\nstonewall\nrw=randread\nbs=4k\niodepth=1024\n",
		 &jf, &res);
	got_bw = (double)job_dir(&res, 0, DIR_WRITE)->bytes / job_secs(&res, 0);
	got_iops = (double)job_dir(&res, 1, DIR_READ)->n / job_secs(&res, 1);
	print_message("%s %s: seq write %.1f MB/s (closed form %.1f, %+.2f%%), rand read %.0f "
		      "IOPS (%.0f, %+.2f%%)\n",
		      pc->profile, pc->extra ? pc->extra : "", got_bw / 1e6, want_bw / 1e6,
		      100 * rel_err(got_bw, want_bw), got_iops, want_iops,
		      100 * rel_err(got_iops, want_iops));
	assert_true(fabs(rel_err(got_bw, want_bw)) < 0.03);
	assert_true(fabs(rel_err(got_iops, want_iops)) < 0.03);
	sim_result_free(&res);
	job_file_free(&jf);
	nvme_ctrl_destroy(ctrl);
}

static const struct profile_case cases[] = {
	{"default", NULL},		       /* die-bound TLC */
	{"nvmevirt_970pro", NULL},	       /* NVMeVirt's MLC set, 512 B LBAs */
	{"samsung_970pro", NULL},	       /* calibrated: 32 dies, 9 firmware cores */
	{"default", "channel_mbps=60"},	       /* channel-bound */
	{"nvmevirt_970pro", "pcie_mbps=1000"}, /* PCIe-bound */
	{"samsung_970pro", "fw_cores=1"},      /* firmware-bound reads */
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void test_qd1_exact(void **state)
{
	(void)state;
	for (size_t i = 0; i < NCASES; i++)
		check_qd1_exact(&cases[i]);
}

static void test_qd1_jobs(void **state)
{
	(void)state;
	for (size_t i = 0; i < NCASES; i++)
		check_qd1_jobs(&cases[i]);
}

static void test_throughput_limits(void **state)
{
	(void)state;
	for (size_t i = 0; i < NCASES; i++)
		check_throughput(&cases[i]);
}

static void test_timing_off_is_zero_latency(void **state)
{
	const char *pairs[] = {"timing=off", NULL};
	struct vssd_dev *dev = make_dev(pairs);
	uint64_t done = 1;

	(void)state;
	assert_int_equal(dev_write(dev, 0, 1, NULL, 500, &done), 0);
	assert_int_equal(done, 500);
	assert_int_equal(dev_read(dev, 0, 1, NULL, 700, &done), 0);
	assert_int_equal(done, 700);
	dev_destroy(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qd1_exact),
		cmocka_unit_test(test_qd1_jobs),
		cmocka_unit_test(test_throughput_limits),
		cmocka_unit_test(test_timing_off_is_zero_latency),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
