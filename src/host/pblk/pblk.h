/*
 * pblk: the host-side FTL over an Open-Channel SSD 2.0 device, as Linux's
 * LightNVM pblk did it. It turns 4 KiB block reads and writes into vector
 * commands: user writes complete once copied into a write ring buffer, a
 * writer stripes the buffer over every parallel unit of the open line
 * ws_opt sectors at a time, and the L2P table points either into the
 * buffer or at a device address.
 *
 * pblk talks to the device only through a transport (submit a command,
 * run an admin command, DMA memory, the host's clock, wait for a
 * completion) and keeps no clock of its own: every call passes "now", and
 * completions of block requests become due at times the caller collects
 * (pblk_next_due, pblk_complete_due). So the simulator drives it in
 * virtual time and a real-time host in wall time.
 */
#ifndef VSSD_HOST_PBLK_H
#define VSSD_HOST_PBLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/device.h"

#include "host/host_ftl.h"
#include "vssd/nvme.h"

struct pblk_config {
	/* the user capacity asked for: op's (what the device FTL would have
	 * over the same NAND), or 0 for op_percent's */
	uint64_t capacity_sectors;
	uint32_t op_percent; /* sectors of the good chunks kept from the user */
	uint32_t rb_entries; /* write buffer entries (a power of two); 0: from the geometry */
	uint64_t copy_ns;    /* host time to copy 4 KiB into the buffer */
	/* The device keeps no data (media=none, for timing and mapping
	 * studies): reads return zeros with no out-of-band LBA to check. */
	bool media_none;
};

/* pblk's configuration from the device's parameters: pblk_op when given,
 * else op's capacity (logical_units, the device FTL's over the same NAND),
 * so equal parameters mean an equal spare for every FTL. */
void pblk_config_of(struct pblk_config *pc, const struct vssd_config *cfg, uint64_t logical_units);

/* A sector of pblk (the open-channel device's). */
#define PBLK_SECTOR_BYTES 4096

/* GC groups of closed lines, in the order GC takes them (pblk's gc lists):
 * write errors, no valid data, under 1/8 valid, under 1/2, under all, full. */
enum {
	PBLK_GC_GROUP_WERR,
	PBLK_GC_GROUP_EMPTY,
	PBLK_GC_GROUP_HIGH,
	PBLK_GC_GROUP_MID,
	PBLK_GC_GROUP_LOW,
	PBLK_GC_GROUP_FULL,
	PBLK_GC_GROUPS
};
/* Rate limiter states: no GC; a small GC budget for lines with write
 * errors; GC shares the buffer by free chunks; only GC writes. */
enum { PBLK_RL_OFF, PBLK_RL_WERR, PBLK_RL_LOW, PBLK_RL_RSV };

/* What pblk's sysfs showed. Sectors are 4 KiB. */
struct pblk_stats {
	uint64_t user_sectors, gc_sectors, pad_sectors, meta_sectors;
	uint64_t read_sectors, cache_read_sectors, trim_sectors;
	uint64_t lines, free_lines, open_lines, closed_lines, bad_lines, bad_chunks;
	uint64_t gc_lines;				  /* lines GC emptied and reset */
	uint64_t gc_group[PBLK_GC_GROUPS];		  /* closed lines in each GC group now */
	uint64_t write_errors, read_errors, erase_errors; /* sectors, sectors, chunks */
	uint64_t capacity_sectors;
	/* rate limiter: its state and budgets, in ring entries */
	uint32_t rl_state;
	uint64_t rb_budget, rb_user_max, rb_gc_max, rb_user_cnt, rb_gc_cnt;
	uint64_t free_blocks, rl_high, rl_rsv;
	/* the last start-up over a device that held data */
	uint64_t recovered_lines, recovered_from_emeta, recovered_sectors, recovery_pad_sectors;
};

/* (user + GC + padding) / user, as pblk's sysfs computed it; 0 before any write. */
double pblk_stats_waf(const struct pblk_stats *s);

/* The counters of the device under pblk, c, as the stack counts them: the
 * user's writes, reads and trims in place of what pblk sent the device,
 * pblk's GC copies and collections, its free lines. Media writes (pblk's
 * GC, padding and metadata among them) and erases stay the device's, so
 * WAF is the whole stack's. */
void pblk_stack_counters(const struct pblk_stats *s, struct dev_counters *c);

/* Adds the I/O and GC counts of another pblk's stats (one a power cut
 * ended, whose successor counts from zero) to sum. */
void pblk_stats_add(struct pblk_stats *sum, const struct pblk_stats *s);

struct pblk;

/* Reads the device's geometry and chunk states and builds pblk. Over a
 * device that holds data (after a power loss, or media=file reopened) it
 * recovers: lines in sequence order, the L2P from each line's emeta, or by
 * reading the out-of-band area up to each chunk's write pointer, and open
 * chunks padded to full. Returns 0 or a negative errno with a message in err. */
int pblk_create(const struct pblk_config *cfg, const struct host_transport *tr, struct pblk **out,
		char *err, size_t errlen);
void pblk_destroy(struct pblk *pb);

/* pblk's block requests for a host of blocks (the simulator). */
extern const struct host_ftl_ops pblk_host_ops;

/* Sectors the user may address. */
uint64_t pblk_capacity(const struct pblk *pb);

/* Takes a block request at now_ns (its completion comes later, through
 * pblk_complete_due). Returns 0, or -ERANGE / -EINVAL for a bad request
 * (past the end, empty, or over HOST_BIO_MAX_SECTORS). */
int pblk_submit(struct pblk *pb, struct host_bio *bio, uint64_t now_ns);

/* When the next block request completes, or UINT64_MAX. */
uint64_t pblk_next_due(const struct pblk *pb);
/* Completes every block request due by now_ns and lets the writer go on.
 * Returns how many completed. */
int pblk_complete_due(struct pblk *pb, uint64_t now_ns);

/* The ring buffer's pointers, for tests and reports. */
struct pblk_rb_pointers {
	uint64_t mem, subm, sync, l2p, size;
};
void pblk_rb_pointers(const struct pblk *pb, struct pblk_rb_pointers *p);
void pblk_get_stats(const struct pblk *pb, struct pblk_stats *s);
/* A fatal error (a command the device failed that pblk cannot handle), or NULL. */
const char *pblk_error(const struct pblk *pb);
/* Puts pblk in its error state, saying why, unless it is in it already:
 * for a host that finds it can make no progress. */
void pblk_fail_why(struct pblk *pb, const char *why);

#endif
