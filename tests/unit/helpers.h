/* Shared helpers for the unit tests: build a device from key=value pairs,
 * run a job file held in a string. Failures here fail the calling test. */
#ifndef VSSD_TEST_HELPERS_H
#define VSSD_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/device.h"
#include "nvme/ctrl.h"
#include "runtime/sim.h"
#include "workload/job.h"

/* The defaults, then the key=value pairs (NULL-terminated). */
static inline void config_from_pairs(struct vssd_config *cfg, const char *const *pairs)
{
	char err[512];

	assert_int_equal(config_defaults(cfg), 0);
	for (; pairs && *pairs; pairs++)
		if (config_set_pair(cfg, *pairs, err, sizeof(err)))
			fail_msg("%s", err);
}

/* A device from the defaults, then the pairs. */
static inline struct vssd_dev *make_dev(const char *const *pairs)
{
	struct vssd_config cfg;
	struct vssd_dev *dev = NULL;
	char err[512];

	config_from_pairs(&cfg, pairs);
	if (dev_create(&cfg, &dev, err, sizeof(err)))
		fail_msg("dev_create: %s", err);
	return dev;
}

/* A device from the defaults and the pairs is refused, saying needle. */
static inline void expect_refused(const char *const *pairs, const char *needle)
{
	struct vssd_config cfg;
	struct vssd_dev *dev = NULL;
	char err[512] = "";

	config_from_pairs(&cfg, pairs);
	assert_int_not_equal(dev_create(&cfg, &dev, err, sizeof(err)), 0);
	if (!strstr(err, needle))
		fail_msg("got '%s', expected it to mention '%s'", err, needle);
}

/* An NVMe controller over a device from the defaults, then the pairs. */
static inline struct nvme_ctrl *make_ctrl(const char *const *pairs)
{
	struct vssd_config cfg;
	struct nvme_ctrl *ctrl = NULL;
	char err[512];

	config_from_pairs(&cfg, pairs);
	if (nvme_ctrl_create(&cfg, &ctrl, err, sizeof(err)))
		fail_msg("nvme_ctrl_create: %s", err);
	return ctrl;
}

/* Runs job text on a new controller; the job file stays alive in *jf for the result. */
static inline void run_jobs(struct nvme_ctrl *ctrl, const char *text, struct job_file *jf,
			    struct sim_result *res)
{
	struct sim_options opt = {.seed = ctrl->cfg.seed};
	char err[512];

	if (job_file_parse(text, "test.fio", jf, err, sizeof(err)))
		fail_msg("parse: %s", err);
	if (sim_run(ctrl, jf, &opt, res, err, sizeof(err)))
		fail_msg("sim: %s", err);
}

static inline double rel_err(double got, double want)
{
	return want ? (got - want) / want : got;
}

#endif
