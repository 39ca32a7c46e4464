/*
 * A job's stream of I/O: from its spec (pattern, region, amount) or from a
 * trace, resolved against the device's capacity and LBA size.
 */
#ifndef VSSD_WORKLOAD_GENERATOR_H
#define VSSD_WORKLOAD_GENERATOR_H

#include <stdbool.h>
#include <stdint.h>

#include "util/rng.h"
#include "workload/dist.h"
#include "workload/job.h"
#include "workload/trace.h"
#include "workload/trace_stat.h"

struct io_req {
	uint8_t dir; /* enum io_dir */
	uint64_t slba;
	uint32_t nlb;
	uint64_t not_before_ns; /* trace replay: offset from the job's start */
	int32_t pid;		/* placement identifier of a write, or -1 for none */
};

struct job_gen {
	const struct job_spec *spec;
	uint32_t lba_bytes;
	uint64_t region_lba; /* first LBA of the region */
	uint64_t nblocks;    /* bs-sized blocks in the region */
	uint32_t bs_lbas;
	uint64_t budget_bytes; /* UINT64_MAX when time_based */
	uint64_t issued_bytes, issued_ios;
	uint64_t seq_block;
	struct dist dist;
	struct rng rng;
	struct trace trace;
	size_t trace_pos;
	struct trace_summary trace_summary; /* of the trace as shaped, before past-end handling */
	uint64_t trace_loop;		    /* loops replayed so far */
	uint64_t trace_base_ns;		    /* where this loop's timestamps start */
	uint64_t max_io_bytes;
	uint32_t nplis; /* placement identifiers the job cycles through */
	uint16_t plis[MAX_PLIS];
	uint32_t next_pli;
};

/*
 * Resolves a job against a device of dev_lbas LBAs of lba_bytes whose
 * reclaim unit handle status list holds the npids placement identifiers
 * pids (none when FDP is off). Returns 0 or -EINVAL with a message naming
 * the option or trace line at fault.
 */
int gen_init(struct job_gen *g, const struct job_spec *spec, uint64_t dev_lbas, uint32_t lba_bytes,
	     const uint16_t *pids, uint32_t npids, uint64_t seed, char *err, size_t errlen);
void gen_fini(struct job_gen *g);

/* The job's next I/O. Returns false when the job has issued everything. */
bool gen_next(struct job_gen *g, struct io_req *io);

#endif
