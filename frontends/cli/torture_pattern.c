/* The blocks `vssd torture` writes and the generator it draws from: see torture.h. */
#include <stdlib.h>

#include "torture.h"

#define MAGIC 0x76737364746f7274ULL /* "vssdtort" */

void torture_rng_seed(struct torture_rng *r, uint64_t seed)
{
	for (int i = 0; i < 3; i++)
		r->s[i] = (unsigned short)(seed >> (16 * i));
}

uint64_t torture_below(struct torture_rng *r, uint64_t n)
{
	uint64_t x = (uint64_t)nrand48(r->s) << 31 | (uint64_t)nrand48(r->s);

	return x % n;
}

/* MurmurHash3's 64-bit finaliser: every bit of x stirs every bit of the word. */
static uint64_t mix64(uint64_t x)
{
	x = (x ^ x >> 33) * 0xff51afd7ed558ccdULL;
	x = (x ^ x >> 33) * 0xc4ceb9fe1a85ec53ULL;
	return x ^ x >> 33;
}

/* The word i of LBA lba's block at version ver. */
static uint64_t pattern_word(uint64_t lba, uint32_t ver, uint32_t i)
{
	if (i == 0)
		return MAGIC ^ lba;
	if (i == 1)
		return ver;
	return mix64(lba * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)ver << 32 | i));
}

void torture_fill_block(uint8_t *dst, uint64_t lba, uint32_t ver, uint32_t bytes)
{
	uint64_t *w = (uint64_t *)dst;

	for (uint32_t i = 0; i < bytes / 8; i++)
		w[i] = pattern_word(lba, ver, i);
}

uint32_t torture_block_version(const uint8_t *src, uint64_t lba, uint32_t bytes)
{
	const uint64_t *w = (const uint64_t *)src;
	uint32_t ver;

	if (w[0] != (MAGIC ^ lba)) {
		for (uint32_t i = 0; i < bytes / 8; i++)
			if (w[i])
				return UINT32_MAX;
		return 0;
	}
	ver = (uint32_t)w[1];
	for (uint32_t i = 2; i < bytes / 8; i++)
		if (w[i] != pattern_word(lba, ver, i))
			return UINT32_MAX;
	return ver;
}
