/*
 * Media faults of the device FTL, seeded and deterministic: read retries
 * whose odds grow with a block's wear, pages no retry recovers once a block
 * is worn past a threshold, and program and erase failures that retire a
 * block to one of its die's spare blocks (and, when a die has none left,
 * put the drive in read-only mode, as drives do).
 *
 * Whether a page is uncorrectable is a property of the page in its block's
 * current life (a hash of the seed, the page and the block's erase count),
 * so it reads the same every time until its block is erased again; retries
 * and failures are draws from the device's own random stream.
 */
#include "ftl/conv/conv_int.h"

#include <errno.h>
#include <stdlib.h>

#include "util/rng.h"

#define FAULT_RETRY_MAX 8 /* extra senses a read tries before it gives up */

int conv_faults_init(struct conv_ftl *f, const struct vssd_config *cfg)
{
	struct faults *fl = &f->faults;

	*fl = (struct faults){
		.read_retry_rate = cfg->read_retry_rate,
		.uncorrectable_pe = (uint32_t)cfg->uncorrectable_pe,
		.uncorrectable_rate = cfg->uncorrectable_rate,
		.program_fail_rate = cfg->program_fail_rate,
		.erase_fail_rate = cfg->erase_fail_rate,
		.rated_pe = (uint32_t)config_rated_pe_cycles(cfg),
		.seed = cfg->seed,
		.spare_per_die = (uint32_t)cfg->spare_blocks_per_die,
	};
	fl->on = fl->read_retry_rate > 0 || (fl->uncorrectable_pe && fl->uncorrectable_rate > 0) ||
		 fl->program_fail_rate > 0 || fl->erase_fail_rate > 0;
	rng_seed(&fl->rng, cfg->seed ^ 0x6661756c7473ULL); /* "faults": its own stream */
	fl->spare_left = malloc(f->geo->dies * sizeof(uint32_t));
	if (!fl->spare_left)
		return -ENOMEM;
	for (uint32_t d = 0; d < f->geo->dies; d++)
		fl->spare_left[d] = fl->spare_per_die;
	fl->spare_left_total = (uint64_t)fl->spare_per_die * f->geo->dies;
	return 0;
}

void conv_faults_fini(struct conv_ftl *f)
{
	free(f->faults.spare_left);
	f->faults.spare_left = NULL;
}

/* Whether a flash page is past recovery in its block's current life. */
static bool uncorrectable(const struct conv_ftl *f, uint32_t ppa, uint32_t erases)
{
	const struct faults *fl = &f->faults;
	uint64_t key = fl->seed ^ ((uint64_t)(ppa / f->geo->units_per_page) << 20) ^ erases;

	if (!fl->uncorrectable_pe || erases < fl->uncorrectable_pe)
		return false;
	return (double)(splitmix64(&key) >> 11) * 0x1.0p-53 < fl->uncorrectable_rate;
}

uint32_t conv_faults_read(struct conv_ftl *f, uint32_t ppa, bool *lost)
{
	struct faults *fl = &f->faults;
	uint32_t erases = f->lines[geo_line_of(f->geo, ppa)].erase_count, retries = 0;
	double p = fl->read_retry_rate * erases / (fl->rated_pe ? fl->rated_pe : 1);

	*lost = uncorrectable(f, ppa, erases);
	if (*lost) {
		retries = FAULT_RETRY_MAX; /* every step tried, none recovered it */
		fl->c.uncorrectable_reads++;
	} else {
		/* each step fails again with the same odds */
		while (retries < FAULT_RETRY_MAX && p > 0 && rng_unit(&fl->rng) < p)
			retries++;
	}
	fl->c.read_retries += retries;
	return retries;
}

void conv_faults_lost(struct conv_ftl *f, uint32_t lu)
{
	struct faults *fl = &f->faults;

	for (uint32_t i = 0; i < fl->nlost; i++)
		if (fl->lost_lu[i] == lu)
			return;
	if (fl->nlost < FTL_LOST_KEPT)
		fl->lost_lu[fl->nlost++] = lu;
}

/* A block on die failed: its spare takes its place; with the die's last
 * spare gone the drive turns read-only. The layer above hears of it. */
static void retire(struct conv_ftl *f, uint32_t die)
{
	struct faults *fl = &f->faults;

	if (fl->spare_left[die]) {
		fl->spare_left[die]--;
		fl->spare_left_total--;
	}
	if (!fl->spare_left[die])
		fl->read_only = true;
	if (f->hooks.health)
		f->hooks.health(f->hooks.arg);
}

bool conv_faults_program(struct conv_ftl *f, uint32_t die)
{
	struct faults *fl = &f->faults;

	if (fl->program_fail_rate <= 0 || rng_unit(&fl->rng) >= fl->program_fail_rate)
		return false;
	fl->c.program_fails++;
	retire(f, die);
	return true;
}

uint32_t conv_faults_erase(struct conv_ftl *f, uint32_t die)
{
	struct faults *fl = &f->faults;
	uint32_t failed = 0;

	if (fl->erase_fail_rate <= 0)
		return 0;
	for (uint32_t p = 0; p < f->geo->planes; p++) /* one block per plane */
		if (rng_unit(&fl->rng) < fl->erase_fail_rate) {
			fl->c.erase_fails++;
			retire(f, die);
			failed++;
		}
	return failed;
}

void conv_faults_stats(const struct conv_ftl *f, struct ftl_stats *st)
{
	const struct faults *fl = &f->faults;

	st->faults_on = fl->on;
	st->read_retries = fl->c.read_retries;
	st->uncorrectable_reads = fl->c.uncorrectable_reads;
	st->program_fails = fl->c.program_fails;
	st->erase_fails = fl->c.erase_fails;
	st->spare_blocks = fl->spare_per_die * f->geo->dies;
	st->spare_left = (uint32_t)fl->spare_left_total;
	st->read_only = fl->read_only;
	st->nlost = fl->nlost;
	for (uint32_t i = 0; i < fl->nlost; i++)
		st->lost_lbas[i] = (uint64_t)fl->lost_lu[i] * f->geo->lbas_per_unit;
}

uint32_t conv_faults_spare_percent(const struct conv_ftl *f)
{
	uint64_t all = (uint64_t)f->faults.spare_per_die * f->geo->dies;

	return all ? (uint32_t)(f->faults.spare_left_total * 100 / all) : 100;
}
