/*
 * Where the next random I/O lands, as fio chooses it: uniform (with or
 * without a random map that visits every block once per pass), zipf and
 * pareto (ranks scattered over the region by a permutation, so hot blocks
 * are not all adjacent) and zoned (percent of accesses to percent of range).
 */
#ifndef VSSD_WORKLOAD_DIST_H
#define VSSD_WORKLOAD_DIST_H

#include <stdbool.h>
#include <stdint.h>

#include "util/rng.h"
#include "workload/job.h"

/* A keyed bijection on [0, n): a 4-round Feistel network with cycle walking. */
struct permutation {
	uint64_t n;
	uint32_t half_bits;
	uint64_t half_mask;
	uint64_t keys[4];
};

void perm_init(struct permutation *p, uint64_t n, uint64_t seed);
uint64_t perm_apply(const struct permutation *p, uint64_t x);

struct dist {
	enum dist_kind kind;
	uint64_t n; /* blocks in the region */
	bool random_map;
	uint64_t map_pos; /* next index of the random map's pass */
	struct permutation perm;
	/* zipf */
	double theta, zetan, eta, alpha, zeta2_theta;
	/* pareto */
	double pareto_pow;
	/* zoned: cumulative access fraction and block range per zone */
	double zone_cum[MAX_ZONES];
	uint64_t zone_first[MAX_ZONES], zone_blocks[MAX_ZONES];
	uint32_t nzones;
};

/* Prepares the distribution of a job over n blocks. */
void dist_init(struct dist *d, const struct job_spec *spec, uint64_t n, uint64_t seed);

/* The next block index in [0, n). */
uint64_t dist_next(struct dist *d, struct rng *r);

#endif
