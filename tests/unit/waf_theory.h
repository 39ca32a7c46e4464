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

#endif
