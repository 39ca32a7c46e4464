/*
 * Steady-state WAF of uniform random overwrites under greedy GC with large
 * erase units (Desnoyers; Van Houdt):
 *   alpha / (alpha + W0(-alpha * e^-alpha))
 * W0: the principal branch of Lambert W; alpha: the physical units that can
 * hold data over the logical ones. test_waf checks the device FTL against
 * it, test_zftl the host FTL over zones.
 */
#ifndef VSSD_TESTS_WAF_THEORY_H
#define VSSD_TESTS_WAF_THEORY_H

#include <math.h>

#include "helpers.h"
#include "report/report.h"

/* 128 lines of 2048 units (>= 1024, as the theory wants), 1 GiB raw */
#define WAF_THEORY_DEVICE                                                                          \
	"timing=off", "channels=4", "luns_per_channel=2", "pages_per_block=64", "oneshot_pages=1", \
		"blocks_per_plane=128"

static inline double lambert_w0(double x)
{
	double w = x < -0.3 ? -0.5 : x;

	for (int i = 0; i < 200; i++) {
		double ew = exp(w), step = (w * ew - x) / (ew * (w + 1));

		w -= step;
		if (fabs(step) < 1e-15)
			break;
	}
	return w;
}

static inline double greedy_uniform_waf(double alpha)
{
	return alpha / (alpha + lambert_w0(-alpha * exp(-alpha)));
}

/* Fill, warm to steady state, then measure: the last group's WAF. */
static inline double waf_theory_measured(struct nvme_ctrl *ctrl, const char *distribution)
{
	char text[1024];
	struct job_file jf;
	struct sim_result res;
	const struct sim_group_result *g;
	double waf;

	snprintf(text, sizeof(text),
		 "[global]\nbs=4k\nrandom_distribution=%s\n"
		 "[fill]\nrw=write\nbs=256k\n"
		 "[warm]\nstonewall\nrw=randwrite\nnorandommap\nio_size=400%%\n"
		 "[measure]\nstonewall\nrw=randwrite\nnorandommap\nio_size=200%%\n",
		 distribution);
	run_jobs(ctrl, text, &jf, &res);
	g = &res.groups[res.ngroups - 1];
	waf = waf_of(g->after.media_write_bytes - g->before.media_write_bytes,
		     g->after.host_write_bytes - g->before.host_write_bytes);
	sim_result_free(&res);
	job_file_free(&jf);
	return waf;
}

#endif
