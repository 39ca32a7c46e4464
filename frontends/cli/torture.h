/*
 * What `vssd torture`'s two runs share: the block run (cmd_torture.c:
 * writes, trims and flushes anywhere, through the NVM command set or pblk)
 * and the zoned run (torture_zns.c: zone writes, appends, resets and
 * finishes on a zoned namespace). Every block written carries its LBA and
 * a version, so garbage, a block from elsewhere and an old version are
 * told apart; the runs are seeded with POSIX's nrand48(), the same
 * everywhere.
 */
#ifndef VSSD_CLI_TORTURE_H
#define VSSD_CLI_TORTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "vssd/vssd.h"

#define MAX_QD 64

struct torture_args {
	const char *profile, *seed;
	char *sets[CLI_MAX_SETS];
	int nsets;
	long cycles, ops, qd;
	bool verbose;
};

struct torture_rng {
	unsigned short s[3]; /* nrand48()'s state */
};
void torture_rng_seed(struct torture_rng *r, uint64_t seed);
/* Uniform in [0, n): 62 random bits, whose bias modulo n is negligible. */
uint64_t torture_below(struct torture_rng *r, uint64_t n);

/* Block lba's contents at version ver (0: zeros), bytes long. */
void torture_fill_block(uint8_t *dst, uint64_t lba, uint32_t ver, uint32_t bytes);
/* The version a block holds: 0 for zeros, UINT32_MAX for anything that is
 * not exactly some version's contents of this LBA. */
uint32_t torture_block_version(const uint8_t *src, uint64_t lba, uint32_t bytes);

/* The zoned run over dev (a zoned namespace): returns 0 when no cut broke
 * a rule and no command failed, else 1 (said on stderr). */
int torture_zoned(struct vssd *dev, const struct torture_args *a);

#endif
