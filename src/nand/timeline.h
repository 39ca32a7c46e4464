/*
 * A shared link (a NAND channel, one direction of PCIe) as a timeline of
 * reserved intervals. Requests are reserved when they are submitted, not
 * when their data is ready, so a link kept as one "next free" time would
 * make a transfer that is ready now wait behind one reserved for later.
 * The timeline puts each transfer in the first gap that fits instead.
 */
#ifndef VSSD_NAND_TIMELINE_H
#define VSSD_NAND_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>

struct busy {
	uint64_t start, end;
};

struct timeline {
	struct busy *iv; /* sorted, disjoint; live ones are iv[first..len) */
	uint32_t first, len, cap;
	uint64_t busy_until; /* end of the last interval */
};

/* Returns 0 or -ENOMEM. */
int timeline_init(struct timeline *tl);
void timeline_fini(struct timeline *tl);

/*
 * Reserves dur_ns at the earliest time >= ready_ns with the link free for
 * that long, and returns when the transfer ends. Intervals that ended
 * before floor_ns (no later request can start before it) are forgotten.
 */
uint64_t timeline_reserve(struct timeline *tl, uint64_t ready_ns, uint64_t dur_ns,
			  uint64_t floor_ns);

#endif
