/*
 * Random block choice. Zipf follows Gray et al., "Quickly generating
 * billion-record synthetic databases" (as fio's zipf does); pareto uses
 * fio's power form; both then scatter ranks with the permutation.
 */
#include "workload/dist.h"

#include <math.h>
#include <string.h>

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

void perm_init(struct permutation *p, uint64_t n, uint64_t seed)
{
	uint32_t bits = 2;

	while (bits < 64 && (1ULL << bits) < n)
		bits++;
	bits += bits & 1;
	p->n = n;
	p->half_bits = bits / 2;
	p->half_mask = (1ULL << p->half_bits) - 1;
	for (int i = 0; i < 4; i++)
		p->keys[i] = splitmix64(&seed);
}

uint64_t perm_apply(const struct permutation *p, uint64_t x)
{
	/* cycle walking: the Feistel domain is at most 4n, so few steps on average */
	do {
		uint64_t l = x >> p->half_bits, r = x & p->half_mask;

		for (int i = 0; i < 4; i++) {
			uint64_t t = l ^ (mix64(r ^ p->keys[i]) & p->half_mask);

			l = r;
			r = t;
		}
		x = (l << p->half_bits) | r;
	} while (x >= p->n);
	return x;
}

/* zeta(n, theta) = sum 1/i^theta: exact for the first terms, the integral
 * (Euler-Maclaurin midpoint form) for the tail, so huge regions start fast. */
static double zeta(uint64_t n, double theta)
{
	const uint64_t exact = n < 1000000 ? n : 1000000;
	double sum = 0;

	for (uint64_t i = 1; i <= exact; i++)
		sum += pow((double)i, -theta);
	if (n > exact) {
		double a = (double)exact + 0.5, b = (double)n + 0.5;

		sum += (pow(b, 1 - theta) - pow(a, 1 - theta)) / (1 - theta);
	}
	return sum;
}

static void zoned_init(struct dist *d, const struct job_spec *spec)
{
	double cum = 0, range_cum = 0;
	uint64_t first = 0;

	d->nzones = spec->nzones;
	for (uint32_t z = 0; z < spec->nzones; z++) {
		uint64_t end;

		cum += spec->zones[z].access_pct / 100.0;
		range_cum += spec->zones[z].range_pct / 100.0;
		end = z + 1 == spec->nzones ? d->n : (uint64_t)((double)d->n * range_cum);
		if (end <= first)
			end = first + 1 <= d->n ? first + 1 : d->n;
		d->zone_cum[z] = cum;
		d->zone_first[z] = first;
		d->zone_blocks[z] = end - first;
		first = end;
	}
}

void dist_init(struct dist *d, const struct job_spec *spec, uint64_t n, uint64_t seed)
{
	memset(d, 0, sizeof(*d));
	d->kind = spec->dist;
	d->n = n;
	d->random_map = spec->dist == DIST_UNIFORM && !spec->norandommap;
	perm_init(&d->perm, n, seed ^ 0x5eedULL);
	switch (d->kind) {
	case DIST_ZIPF:
		d->theta = spec->dist_param;
		d->zetan = zeta(n, d->theta);
		d->zeta2_theta = zeta(2, d->theta);
		d->alpha = 1.0 / (1.0 - d->theta);
		d->eta = (1 - pow(2.0 / (double)n, 1 - d->theta)) / (1 - d->zeta2_theta / d->zetan);
		break;
	case DIST_PARETO:
		d->pareto_pow = log(spec->dist_param) / log(1.0 - spec->dist_param);
		break;
	case DIST_ZONED: zoned_init(d, spec); break;
	default: break;
	}
}

static uint64_t zipf_rank(struct dist *d, struct rng *r)
{
	double u = rng_unit(r), uz = u * d->zetan;
	double rank;

	if (uz < 1.0)
		return 0;
	if (uz < 1.0 + pow(0.5, d->theta))
		return d->n > 1 ? 1 : 0;
	rank = (double)d->n * pow(d->eta * u - d->eta + 1, d->alpha);
	if (!(rank >= 0)) /* NaN at the very edge of the formula's domain */
		return 0;
	return rank >= (double)d->n ? d->n - 1 : (uint64_t)rank;
}

uint64_t dist_next(struct dist *d, struct rng *r)
{
	switch (d->kind) {
	case DIST_ZIPF: return perm_apply(&d->perm, zipf_rank(d, r));
	case DIST_PARETO: {
		uint64_t rank = (uint64_t)((double)(d->n - 1) * pow(rng_unit(r), d->pareto_pow));

		return perm_apply(&d->perm, rank);
	}
	case DIST_ZONED: {
		double u = rng_unit(r);
		uint32_t z = 0;

		while (z + 1 < d->nzones && u >= d->zone_cum[z])
			z++;
		return d->zone_first[z] + rng_below(r, d->zone_blocks[z]);
	}
	default:
		if (!d->random_map)
			return rng_below(r, d->n);
		/* each pass visits every block once, in a new order */
		if (d->map_pos == d->n) {
			d->map_pos = 0;
			perm_init(&d->perm, d->n, rng_next(r));
		}
		return perm_apply(&d->perm, d->map_pos++);
	}
}
