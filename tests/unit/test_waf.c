/*
 * Write amplification against theory. For uniform random overwrites under
 * greedy GC with large lines, the steady-state WAF is
 *   alpha / (alpha + W0(-alpha * e^-alpha))
 * (W0: principal branch of Lambert W), alpha = data-capable physical units
 * over logical units. Data-capable: all lines, less the free-line reserve
 * (free lines oscillate between gc_free_lines_low and _high, so the mean of
 * the two), less half of each of the two open lines (host and GC).
 */
#include "helpers.h"

#include <math.h>

#include "report/report.h"
#include "waf_theory.h"

static double theory_waf(const struct vssd_dev *dev)
{
	const struct geometry *geo = &dev->geo;
	double reserve = (dev->cfg.gc_free_lines_low + dev->cfg.gc_free_lines_high) / 2.0;
	double alpha = ((double)geo->lines - reserve - 1) * geo->units_per_line /
		       (double)geo->logical_units;

	return greedy_uniform_waf(alpha);
}

static struct nvme_ctrl *waf_ctrl(const char *op)
{
	const char *pairs[] = {WAF_THEORY_DEVICE, op, NULL};

	return make_ctrl(pairs);
}

static void check_uniform(const char *op)
{
	struct nvme_ctrl *ctrl = waf_ctrl(op);
	double want = theory_waf(ctrl->ns), got = waf_theory_measured(ctrl, "random");

	print_message("%s: WAF measured %.4f, theory %.4f, error %+.2f%%\n", op, got, want,
		      100 * rel_err(got, want));
	assert_true(fabs(rel_err(got, want)) < 0.03);
	nvme_ctrl_destroy(ctrl);
}

static void test_uniform_op_007(void **state)
{
	(void)state;
	check_uniform("op=0.07");
}

static void test_uniform_op_028(void **state)
{
	(void)state;
	check_uniform("op=0.28");
}

static void test_hot_cold_raises_waf(void **state)
{
	struct nvme_ctrl *a = waf_ctrl("op=0.28"), *b = waf_ctrl("op=0.28");
	double uniform = waf_theory_measured(a, "random");
	double hotcold = waf_theory_measured(b, "zoned:80/20:20/80");

	(void)state;
	print_message("op=0.28: uniform WAF %.4f, hot/cold 80/20 WAF %.4f\n", uniform, hotcold);
	assert_true(hotcold > uniform * 1.02);
	nvme_ctrl_destroy(a);
	nvme_ctrl_destroy(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uniform_op_007),
		cmocka_unit_test(test_uniform_op_028),
		cmocka_unit_test(test_hot_cold_raises_waf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
