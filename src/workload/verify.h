/*
 * fio's verify=crc32c, for the simulator. Each block a job writes begins
 * with a header (magic, length, byte offset, the number of the write that
 * put it there, a seed) and a CRC-32C over the whole block; the rest is
 * data that follows from the offset and the write's number, so every write
 * of every block differs. A job that writes logs, per block, the number of
 * its last write (fio's write log): its verify phase reads the blocks back
 * in offset order and tells a corrupt block (CRC), a block written
 * elsewhere (offset) and a stale one (an older write's number) apart. A
 * read-only job checks what it reads against the header alone.
 */
#ifndef VSSD_WORKLOAD_VERIFY_H
#define VSSD_WORKLOAD_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "workload/generator.h"

struct verify_log {
	uint64_t region_lba; /* the job's region, in bs blocks */
	uint64_t nblocks;
	uint32_t bs_lbas, lba_bytes;
	uint64_t seed;
	uint32_t *last;	 /* per block: its last write's number (0: none); NULL for a read job */
	uint32_t writes; /* the last write's number (wraps past 2^32 - 1 to 1) */
	uint64_t next;	 /* the verify phase: the next block to look at */
};

/* For the job g generates (bs blocks, no trace). logs: the job writes. */
int verify_init(struct verify_log *v, const struct job_gen *g, uint64_t seed, bool logs);
void verify_fini(struct verify_log *v);

/* Fills buf with the block at lba as the job's next write, and logs it. */
void verify_fill(struct verify_log *v, uint8_t *buf, uint64_t lba);

/* The verify phase's next block to read (its first LBA); false when done. */
bool verify_next(struct verify_log *v, uint64_t *lba);

/* Checks the block read at lba. Returns true when good, else false with
 * what is wrong in why. */
bool verify_check(const struct verify_log *v, const uint8_t *buf, uint64_t lba, char *why,
		  size_t whylen);

#endif
