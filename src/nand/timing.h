/*
 * The timing model, NVMeVirt style: every resource keeps the time it is next
 * free, and an operation starts when both the request and the resource are
 * ready. Unlike NVMeVirt, dies use cache read and cache program: a die may
 * sense its next page while the previous one crosses the channel, and a
 * program's data crosses the channel while the die is still busy. The PCIe link
 * is one resource per direction. The write buffer completes host writes
 * early and frees space when the program holding the data ends.
 *
 * All times are virtual nanoseconds; nothing here knows about LBAs.
 */
#ifndef VSSD_NAND_TIMING_H
#define VSSD_NAND_TIMING_H

#include <stdbool.h>
#include <stdint.h>

#include "config/params.h"
#include "nand/die_queue.h"
#include "nand/geometry.h"
#include "nand/timeline.h"
#include "util/heap.h"

enum pcie_dir { PCIE_TO_DEVICE, PCIE_TO_HOST };

/* The page type of a flash page of a block programmed as SLC (one bit a
 * cell: the SLC cache's), read in slc_read_ns. */
#define NAND_PAGE_SLC VSSD_MAX_PAGE_TYPES

#define WB_UNTIED UINT32_MAX

/* Write-buffer bytes freed when a program ends: at_ns, or (suspend=on) when
 * program seq of die `die` ends, at_ns being no later than that. */
struct wb_release {
	uint64_t at_ns;
	uint32_t bytes; /* a program unit's */
	uint32_t die;	/* WB_UNTIED: at_ns is final */
	uint32_t seq;
};

static inline bool wb_before(const struct wb_release *a, const struct wb_release *b)
{
	return a->at_ns < b->at_ns;
}

HEAP_DEFINE(wb_heap, struct wb_release, wb_before)

struct timing {
	bool on;
	const struct geometry *geo;
	uint64_t *die_free_ns;
	uint64_t *die_busy_ns;	   /* accumulated, for utilisation */
	uint64_t *die_reg_free_ns; /* the cache register has passed its data on */
	struct timeline *channel;
	struct timeline pcie[2];
	uint64_t floor_ns;			   /* submission time of the current command */
	uint64_t read_ns[VSSD_MAX_PAGE_TYPES + 1]; /* by page type, then NAND_PAGE_SLC's */
	uint64_t prog_ns[VSSD_MAX_PAGE_TYPES];
	/* a one-shot unit's program time (its slowest page) by program row mod
	 * page types: the page types of row r repeat with that period */
	uint64_t prog_ns_by_row[VSSD_MAX_PAGE_TYPES];
	uint64_t erase_ns;
	/* suspend=on: each die's booked programs, erases and GC reads */
	struct die_queue *dq;
	uint64_t suspend_ns, resume_ns;
	uint32_t suspend_max;
	uint64_t channel_mbps;
	uint64_t pcie_mbps;
	uint64_t fw_read_ns;
	uint64_t fw_write_ns;
	/* fw_cores: when each controller core is next free; NULL for no limit */
	uint64_t *fw_free_ns;
	uint32_t fw_cores;
	/* write buffer: free bytes and the pending releases, earliest first */
	uint64_t wb_bytes;
	uint64_t wb_free_bytes;
	uint64_t wb_free_from_ns; /* the free bytes are free from this time on */
	struct wb_heap wb_pending;
};

/* Sets up the model for geo. Returns 0 or -ENOMEM. */
int timing_init(struct timing *tm, const struct geometry *geo, const struct vssd_config *cfg);
void timing_fini(struct timing *tm);

/* The current command was submitted at now_ns: no later work starts earlier
 * (commands arrive in time order), so link history before it can go. */
static inline void timing_set_now(struct timing *tm, uint64_t now_ns)
{
	if (now_ns > tm->floor_ns)
		tm->floor_ns = now_ns;
}

/* Nanoseconds to move bytes at mbps (10^6 B/s), rounded up. */
static inline uint64_t xfer_ns(uint64_t bytes, uint64_t mbps)
{
	return (bytes * 1000 + mbps - 1) / mbps;
}

/* The controller handles a command for fw_ns from now_ns: at once, or with
 * fw_cores set, on the core free first, so at most fw_cores commands are
 * in firmware at a time. Returns when the firmware is done. */
uint64_t fw_step_cores(struct timing *tm, uint64_t now_ns, uint64_t fw_ns);
static inline uint64_t fw_step(struct timing *tm, uint64_t now_ns, uint64_t fw_ns)
{
	return tm->fw_cores ? fw_step_cores(tm, now_ns, fw_ns) : now_ns + fw_ns;
}

/* Reads one flash page on die, then moves `units` 4 KiB units over its channel,
 * after everything booked on the die (GC's reads). Returns when the last byte
 * has crossed the channel. */
uint64_t nand_read(struct timing *tm, uint32_t die, uint32_t page_type, uint64_t start_ns,
		   uint32_t units);

/* The senses of a read of units in order: units on one flash page share
 * a sense, sensed when the next unit is on another page, and at the end.
 * With timing off nothing is sensed. */
struct nand_read_batch {
	struct timing *tm;
	const struct geometry *geo;
	uint64_t start_ns, end_ns; /* senses start at start_ns; the last ends at end_ns */
	uint32_t page, units, die; /* the page being gathered */
};
void nand_read_batch_init(struct nand_read_batch *b, struct timing *tm, const struct geometry *geo,
			  uint64_t start_ns);
void nand_read_batch_add(struct nand_read_batch *b, uint32_t ppa);
/* Senses the page gathered last; returns when the last sense ended. */
uint64_t nand_read_batch_end(struct nand_read_batch *b);

/* nand_read for a host's read, the page sensed `senses` times (read
 * retries sense again). With suspend=on it goes ahead of the
 * programs, erases and GC reads queued on the die, and suspends a program
 * or erase running when it comes (each at most suspend_max times), which
 * then ends suspend_ns + the read + resume_ns later, and so does the work
 * queued behind it. */
uint64_t nand_read_host(struct timing *tm, uint32_t die, uint32_t page_type, uint64_t start_ns,
			uint32_t units, uint32_t senses);

/* Moves a program unit over the channel, then programs it for prog_ns; the
 * write buffer gets wb_bytes back when the program ends (however late a
 * suspension makes it). Returns when the program ends, as booked. */
uint64_t nand_program(struct timing *tm, uint32_t die, uint64_t ready_ns, uint64_t prog_ns,
		      uint64_t wb_bytes);

/* Erases the die's blocks of a line (all planes at once). Returns the end. */
uint64_t nand_erase(struct timing *tm, uint32_t die, uint64_t start_ns);

/* Moves bytes over the PCIe link in one direction. Returns the end. */
uint64_t pcie_xfer(struct timing *tm, enum pcie_dir dir, uint64_t start_ns, uint64_t bytes);

/* Program time of the one-shot unit starting at ppa: its slowest page type. */
uint64_t prog_time_ns(const struct timing *tm, uint32_t prog_start_ppa);

/* Takes bytes of write buffer space; returns when the space is there (>= now_ns). */
uint64_t wb_reserve(struct timing *tm, uint64_t now_ns, uint64_t bytes);

/* When the last program holding write-buffer data ends (0 for none). */
uint64_t wb_drained_ns(const struct timing *tm);

/* Latest time any die is busy until. */
uint64_t timing_dies_free_ns(const struct timing *tm);

/* A power cut at cut_ns: the work booked on each die past it never happens,
 * so it leaves the busy time. A die that would have idled between booked
 * operations after the cut loses a little more than it should. */
void timing_cut_busy(struct timing *tm, uint64_t cut_ns);

#endif
