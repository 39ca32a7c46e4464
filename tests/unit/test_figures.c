/*
 * One meaning for every figure, whatever the FTL: a group's host bytes are
 * the workload's writes and its WAF all the media writes they caused,
 * through the device FTL or through pblk (whose GC, padding and metadata
 * the device programs); pblk's GC counts as the group's GC; the
 * open-channel device's own counters stay beside. And `op` gives pblk the
 * capacity it gives the device FTL.
 */
#include "helpers.h"

#include "vssd/vssd.h"

#define SMALL                                                                                      \
	"channels=2", "luns_per_channel=2", "blocks_per_plane=64", "pages_per_block=48", "op=0.2"

static const char jobs[] = "[fill]\nrw=write\nbs=128k\niodepth=8\n"
			   "[churn]\nstonewall\nrw=randwrite\nbs=4k\niodepth=16\nio_size=150%\n";

/* Bytes the jobs of group g wrote. */
static uint64_t group_writes(const struct sim_result *res, int g)
{
	uint64_t b = 0;

	for (uint32_t j = 0; j < res->njobs; j++)
		if (res->jobs[j].spec->group == g)
			b += res->jobs[j].dir[DIR_WRITE].bytes;
	return b;
}

static void check_groups(const char *ftl, bool host_ftl)
{
	const char *pairs[] = {SMALL, ftl, NULL};
	struct nvme_ctrl *ctrl = make_ctrl(pairs);
	struct job_file jf;
	struct sim_result res;
	uint64_t gc = 0;

	run_jobs(ctrl, jobs, &jf, &res);
	assert_int_equal(res.has_pblk, host_ftl);
	for (uint32_t g = 0; g < res.ngroups; g++) {
		const struct sim_group_result *gr = &res.groups[g];

		/* the workload's writes, whoever maps them */
		assert_int_equal(gr->after.host_write_bytes - gr->before.host_write_bytes,
				 group_writes(&res, (int)g));
		/* every media write the device did */
		assert_int_equal(gr->after.media_write_bytes - gr->before.media_write_bytes,
				 gr->device_after.media_write_bytes -
					 gr->device_before.media_write_bytes);
		gc += gr->after.gc_copied_units - gr->before.gc_copied_units;
	}
	if (host_ftl) {
		/* pblk's GC, and the device counting what pblk sent it */
		assert_int_equal(gc, res.pblk.gc_sectors);
		assert_true(gc > 0);
		assert_int_equal(res.final.host_write_bytes, res.pblk.user_sectors * 4096);
		assert_true(res.final_device.host_write_bytes >
			    res.final.host_write_bytes + gc * 4096);
	} else {
		assert_int_equal(gc, res.final.gc_copied_units);
		assert_memory_equal(&res.final, &res.final_device, sizeof(res.final));
	}
	sim_result_free(&res);
	job_file_free(&jf);
	nvme_ctrl_destroy(ctrl);
}

static void test_groups_count_the_workload(void **state)
{
	(void)state;
	check_groups("ftl=conv", false);
	check_groups("ftl=pblk", true);
}

/* The capacity a host sees through the library. */
static uint64_t capacity_of(const char *const *params, bool pblk)
{
	struct vssd *dev;
	struct vssd_pblk *pb = NULL;
	struct vssd_info info;
	char err[256];
	uint64_t cap;

	if (vssd_open(params, VSSD_INLINE, &dev, err, sizeof(err)))
		fail_msg("%s", err);
	if (pblk && vssd_pblk_open(dev, &pb, err, sizeof(err)))
		fail_msg("%s", err);
	vssd_info(dev, &info);
	cap = pblk ? vssd_pblk_capacity(pb) * 4096 : info.capacity_lbas * info.lba_bytes;
	if (pb)
		vssd_pblk_close(pb);
	vssd_close(dev);
	return cap;
}

static void test_op_gives_every_ftl_the_same_spare(void **state)
{
	const char *conv[] = {SMALL, NULL};
	const char *pblk[] = {SMALL, "ftl=pblk", NULL};
	const char *own[] = {"channels=2",
			     "luns_per_channel=2",
			     "blocks_per_plane=64",
			     "pages_per_block=48",
			     "ftl=pblk",
			     "pblk_op=30",
			     NULL};
	const char *both[] = {SMALL, "ftl=pblk", "pblk_op=30", NULL};
	char err[256];

	(void)state;
	assert_int_equal(capacity_of(pblk, true), capacity_of(conv, false));
	assert_true(capacity_of(own, true) < capacity_of(conv, false));
	assert_int_equal(vssd_check_params(both, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "op=0.2 and pblk_op=30: give one"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups_count_the_workload),
		cmocka_unit_test(test_op_gives_every_ftl_the_same_spare),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
