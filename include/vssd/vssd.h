/*
 * vssd: a virtual NVMe SSD in your process.
 *
 * A device is an NVMe controller over an emulated SSD, driven by the wall
 * clock: every command completes when the model says it would. You talk to
 * it as a driver talks to a PCIe SSD, through submission and completion
 * queues of raw NVMe commands (vssd/nvme.h), or through the small host
 * helper below that builds the commands and PRPs for you.
 *
 * Host memory the device reads or writes (queues, data, PRP lists) must be
 * registered for DMA: allocate it with vssd_dma_alloc() or register it.
 * The helper registers a plain buffer for the length of one command.
 *
 * Functions return 0 (or a count) on success and a negative errno on
 * failure; NVMe-level failures are in the completion's status.
 */
#ifndef VSSD_VSSD_H
#define VSSD_VSSD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vssd/nvme.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vssd;
struct vssd_qpair;

enum vssd_runtime {
	VSSD_INLINE,   /* no threads: the submitting thread runs the controller (polled) */
	VSSD_THREADED, /* a dispatcher thread and a completion worker, as NVMeVirt */
};

/*
 * The functions that create, register or submit (vssd_open,
 * vssd_qpair_open/close, vssd_admin, vssd_submit, vssd_submit_cb,
 * vssd_dma_register/unregister) refuse NULL pointers with -EINVAL;
 * vssd_close(NULL) does nothing.
 *
 * Creates a device from "key=value" parameters (NULL-terminated; the keys of
 * `vssd params`, plus profile=NAME|FILE applied first) and starts its
 * runtime. On failure, err says which key or value is at fault.
 */
int vssd_open(const char *const *params, enum vssd_runtime runtime, struct vssd **out, char *err,
	      size_t errlen);
/* A clean shutdown: with media=ram or file, everything buffered is
 * programmed and a checkpoint written, so media=file reopens without a scan. */
void vssd_close(struct vssd *dev);

/*
 * Cuts the power and brings it back: commands in flight never complete
 * (their callbacks never run), data acknowledged from the write buffer
 * since the last Flush (or FUA) is lost, as are trims since then, and the
 * device recovers from its media by scanning every unit's out-of-band
 * area. Queue pairs stay open and usable afterwards. No other thread may
 * use the device meanwhile. Returns 0, -EOPNOTSUPP with media=none (nothing
 * is kept to recover from; the device is left untouched and usable), or a
 * negative errno from the media. After that last case the device is lost:
 * every later command returns -ENODEV and only vssd_close() is left.
 */
int vssd_powerloss(struct vssd *dev);

/* What the device recovered at its last open or power loss. */
struct vssd_recovery {
	int recovered;		/* the media held a device (0: it was new) */
	int from_checkpoint;	/* a clean close's checkpoint; 0: a scan of every unit */
	uint64_t units_scanned; /* programmed 4 KiB units whose out-of-band area was read */
	uint64_t mapped_bytes;	/* data found */
	uint64_t wall_ns;	/* how long recovery took */
	uint64_t power_cycles, unsafe_shutdowns; /* as SMART counts them */
	/* what recovery found damaged (a device file checksums everything) */
	const char
		*checkpoint_rejected; /* why a clean close's checkpoint was scanned past, or NULL */
	uint64_t state_blocks_damaged; /* of two */
	uint64_t oob_from_copy;	       /* units whose OOB came from its second copy */
	uint64_t oob_lost;	       /* units both of whose OOB copies were damaged */
	uint64_t trim_pages_from_copy; /* trim records whose second copy served */
	uint64_t trim_pages_damaged;   /* trim records neither copy of which was whole */
	uint64_t media_errors;	       /* SMART: reads that failed a unit's checksum */
};
int vssd_recovery_info(struct vssd *dev, struct vssd_recovery *out);

/*
 * Checks the device FTL's invariants in full: the map and the reverse map
 * agree and every count adds up (the device FTL), every chunk's state
 * agrees with its write pointer (the open-channel device; pblk's own map is
 * not checked). Reads every unit's entry, so it takes time on a large
 * device; commands wait meanwhile. Returns 0, -EUCLEAN with the first
 * broken invariant said in err (errlen bytes), -ENODEV for a lost device,
 * or -EINVAL.
 */
int vssd_check(struct vssd *dev, char *err, size_t errlen);

/* The errno of the latest write the device's store failed (ENOSPC: the
 * device file's disk is full), 0 if none: the cause behind a Write Fault. */
int vssd_media_errno(struct vssd *dev);

/* The specification's name of a CQE status word's code ("Write Fault"). */
const char *vssd_status_name(uint16_t status);

/* Checks parameters as vssd_open() would, without building the device. */
int vssd_check_params(const char *const *params, char *err, size_t errlen);
/* Checks one "key=value" as --set takes it: the key is a parameter and the
 * value parses and is in its range (how it sits with the others is
 * vssd_check_params'). Returns 0 or -EINVAL with err naming both. */
int vssd_check_param(const char *pair, char *err, size_t errlen);
/* The same, for a host of blocks (NBD, fio, torture): also refuses, saying
 * why, a device that serves no block reads and writes (ftl=ocssd). */
int vssd_check_block_params(const char *const *params, char *err, size_t errlen);
/* Every parameter with its type, range, default and meaning (`vssd params`). */
void vssd_params_describe(FILE *out);
/* "key = value" for every parameter, as params (a profile= first) set them. */
int vssd_params_print(const char *const *params, FILE *out, char *err, size_t errlen);

/* The monotonic clock, in ns, the real-time runtime runs on: time commands with it. */
uint64_t vssd_clock_ns(void);
/* CRC-32C (Castagnoli) continued from crc (0 to start) over len bytes: the
 * checksum of fio's verify=crc32c and of NVMe/TCP's digests. */
uint32_t vssd_crc32c(uint32_t crc, const void *p, size_t len);

/* How a host of blocks reaches the device's data. */
enum vssd_block_host {
	VSSD_BLOCK_NVM,	  /* the NVM command set on the namespace (vssd_read, vssd_write, ...) */
	VSSD_BLOCK_PBLK,  /* ftl=pblk: through the host FTL, vssd_pblk_open() */
	VSSD_BLOCK_NONE,  /* ftl=ocssd (vector commands only), ftl=zns-host (the simulator's
			     only): block_refusal says why */
	VSSD_BLOCK_ZONED, /* ftl=zns: the zoned command set (writes at zones' write pointers);
			     block_refusal says why a plain block host cannot use it */
};

/* What a device is. */
struct vssd_info {
	char ftl[16]; /* the ftl= value: "conv", "ocssd", "pblk", "zns" or "zns-host" */
	enum vssd_block_host block_host;
	const char *block_refusal; /* VSSD_BLOCK_NONE, _ZONED: why, for the user; else NULL */
	int keeps_data;		   /* media=ram or file (media=none keeps nothing to read back) */
	uint64_t capacity_lbas;	   /* the namespace's */
	uint32_t lba_bytes;
	uint32_t max_transfer_bytes; /* one command's (MDTS) */
	uint32_t max_io_queue_pairs; /* open at once (vssd_qpair_open) */
	uint32_t flash_page_bytes;   /* what the NAND programs and senses at once */
	uint32_t placement_handles;  /* fdp=on: reclaim unit handles (0 when off) */
	uint32_t placement_ids;	     /* fdp=on: entries of the handle status list (0 when off) */
	uint64_t rt_spin_ns; /* how close a completion must be due for a waiting host to spin */
};
int vssd_info(struct vssd *dev, struct vssd_info *out);
/* The placement identifier of entry i (< placement_ids) of the handle status
 * list (what a write's DSPEC names, VSSD_PID()), or -EINVAL. */
int vssd_placement_id(struct vssd *dev, uint32_t i);

#define VSSD_MAX_FIGURES 8

/* What the device has done, as its reports count it (bytes, except blocks). */
struct vssd_counters {
	uint64_t host_write_bytes, host_read_bytes, host_trim_bytes; /* the commands' */
	uint64_t gc_copied_bytes;   /* valid data garbage collection moved */
	uint64_t media_write_bytes; /* programmed: the host's and GC's (4 KiB units) */
	double waf;		    /* media over host writes, as the reports; 0 before any */
	uint64_t erased_blocks, gc_runs;
	uint64_t mapped_bytes; /* data the FTL holds */
	uint32_t free_lines;
	/* erases per block over the blocks, and wear levelling's moves (ftl=conv) */
	uint32_t erase_min, erase_max;
	double erase_mean, erase_stdev;
	uint64_t wear_moves;
	/* the FTL's own figures, under its name ("ocssd"), or NULL and none */
	const char *figures_name;
	uint32_t nfigures;
	struct vssd_figure {
		const char *key;
		uint64_t value;
	} figures[VSSD_MAX_FIGURES];
};
int vssd_counters(struct vssd *dev, struct vssd_counters *out);

/* One FDP reclaim unit handle's share (fdp=on; ruh < placement_handles, else -EINVAL). */
struct vssd_handle_counters {
	uint64_t host_bytes;   /* written by the host through it */
	uint64_t gc_out_bytes; /* moved by GC out of its reclaim units */
	uint64_t gc_in_bytes;  /* moved by GC into its reclaim units (persistently isolated) */
	uint64_t in_use_bytes; /* valid data in the reclaim units it owns */
};
int vssd_handle_counters(struct vssd *dev, uint32_t ruh, struct vssd_handle_counters *out);

uint64_t vssd_capacity_lbas(const struct vssd *dev);
uint32_t vssd_lba_bytes(const struct vssd *dev);

/* DMA-able host memory, page aligned. */
void *vssd_dma_alloc(struct vssd *dev, size_t bytes);
void vssd_dma_free(struct vssd *dev, void *buf);
int vssd_dma_register(struct vssd *dev, void *buf, size_t bytes);
int vssd_dma_unregister(struct vssd *dev, void *buf);

/* What runs when a command completes (its CQE), inside vssd_poll() or
 * vssd_admin_poll(). */
typedef void (*vssd_cb)(void *arg, const struct nvme_cqe *cqe);

/* Runs one admin command to completion (cid is chosen for you). An
 * Asynchronous Event Request is refused (-EINVAL): it may never complete. */
int vssd_admin(struct vssd *dev, struct nvme_sqe *sqe, struct nvme_cqe *cqe);
/*
 * Submits an admin command (an Asynchronous Event Request too) whose
 * completion runs cb inside a later vssd_admin_poll(). Data goes through
 * registered memory, as for I/O. Returns the cid, -EAGAIN when the admin
 * queue is full, or -ENODEV for a lost device.
 */
int vssd_admin_async(struct vssd *dev, struct nvme_sqe *sqe, vssd_cb cb, void *arg);
/* Runs the callbacks of admin commands that have completed; returns how many. */
int vssd_admin_poll(struct vssd *dev);
/* An eventfd written to when an admin completion waits for vssd_admin_poll(). */
int vssd_admin_eventfd(struct vssd *dev);

/* Creates an I/O queue pair of `entries` slots with Create I/O CQ/SQ. */
int vssd_qpair_open(struct vssd *dev, uint16_t entries, struct vssd_qpair **out);
/* Deletes it with Delete I/O SQ/CQ after its commands have completed. */
int vssd_qpair_close(struct vssd_qpair *qp);

/* Raw commands. vssd_submit() rings the doorbell; returns the cid it gave
 * the command, or -EAGAIN when the queue is full. */
int vssd_submit(struct vssd_qpair *qp, struct nvme_sqe *sqe);
/* Reaps up to max completions into out. Returns how many. */
int vssd_reap(struct vssd_qpair *qp, struct nvme_cqe *out, int max);

/* Host helper. Completion callbacks run inside vssd_poll(). */

/* A raw command whose completion runs cb inside vssd_poll() (the vector
 * commands of an open-channel device, say). Returns the cid or -EAGAIN. */
int vssd_submit_cb(struct vssd_qpair *qp, struct nvme_sqe *sqe, vssd_cb cb, void *arg);

/* Flags of the write helpers. */
#define VSSD_FUA 1u	   /* Force Unit Access: durable when it completes */
#define VSSD_DEALLOCATE 2u /* Write Zeroes may deallocate (DEAC) */
#define VSSD_PLACED 4u	   /* FDP: the data placement directive ... */
#define VSSD_PID(pid) (VSSD_PLACED | (unsigned)(pid) << 16) /* ... with this identifier */

/* Largest data transfer of one command (MDTS), in bytes. */
uint32_t vssd_max_transfer_bytes(const struct vssd *dev);

int vssd_read_async(struct vssd_qpair *qp, void *buf, uint64_t slba, uint32_t nlb, vssd_cb cb,
		    void *arg);
int vssd_write_async(struct vssd_qpair *qp, const void *buf, uint64_t slba, uint32_t nlb,
		     unsigned flags, vssd_cb cb, void *arg);
/* Write Zeroes of nlb (at most 65536) LBAs; flags VSSD_FUA, VSSD_DEALLOCATE. */
int vssd_write_zeroes_async(struct vssd_qpair *qp, uint64_t slba, uint32_t nlb, unsigned flags,
			    vssd_cb cb, void *arg);
int vssd_flush_async(struct vssd_qpair *qp, vssd_cb cb, void *arg);
int vssd_trim_async(struct vssd_qpair *qp, uint64_t slba, uint32_t nlb, vssd_cb cb, void *arg);
/* Processes completions and runs their callbacks. Returns how many. */
int vssd_poll(struct vssd_qpair *qp);
/* Blocks until a completion of this queue pair can be reaped (returns 1)
 * or timeout_ns passes (0; UINT64_MAX waits for ever). VSSD_INLINE: the
 * calling thread drives the device meanwhile, posting each completion at
 * its modelled time, so a waiting host needs no other thread. */
int vssd_qpair_wait(struct vssd_qpair *qp, uint64_t timeout_ns);
/* Commands submitted and not yet completed. */
uint32_t vssd_inflight(const struct vssd_qpair *qp);
/* For a host that drives a VSSD_INLINE device from its own event loop:
 * nanoseconds until the next completion is due (0: one is due now, and
 * vssd_poll() posts it), or UINT64_MAX when none is pending. Sleep that
 * long at most; spin the last rt_spin_ns (vssd_info) for precision. */
uint64_t vssd_next_due_ns(struct vssd *dev);

/* Synchronous forms: return 0, a negative errno, or the NVMe status (> 0,
 * the CQE status without its phase bit) when the command failed. */
int vssd_read(struct vssd_qpair *qp, void *buf, uint64_t slba, uint32_t nlb);
int vssd_write(struct vssd_qpair *qp, const void *buf, uint64_t slba, uint32_t nlb, unsigned flags);
int vssd_flush(struct vssd_qpair *qp);
int vssd_trim(struct vssd_qpair *qp, uint64_t slba, uint32_t nlb);

/*
 * A zoned namespace (ftl=zns; docs/ZNS.md). Writes go at a zone's write
 * pointer with vssd_write*; Zone Append writes nlb LBAs at the write
 * pointer of the zone starting at zslba, and its callback's CQE says where
 * (result: the LBA's low 32 bits, dw1: its high ones; flags: VSSD_FUA).
 * Zone Management Send acts on the zone starting at zslba, or every zone
 * the action applies to (select_all). The report fills buf (bytes, at
 * least 64, a multiple of 4) with struct nvme_zone_report and the
 * descriptors of the zones from slba's on that filter selects. The
 * synchronous calls return 0, the NVMe status, or a negative errno.
 */
int vssd_zone_append_async(struct vssd_qpair *qp, const void *buf, uint64_t zslba, uint32_t nlb,
			   unsigned flags, vssd_cb cb, void *arg);
int vssd_zone_send_async(struct vssd_qpair *qp, uint64_t zslba, enum nvme_zone_send_action action,
			 bool select_all, vssd_cb cb, void *arg);
int vssd_zone_send(struct vssd_qpair *qp, uint64_t zslba, enum nvme_zone_send_action action,
		   bool select_all);
int vssd_zone_report(struct vssd_qpair *qp, uint64_t slba, enum nvme_zone_report_filter filter,
		     bool partial, void *buf, uint32_t bytes);

/* When completions are posted, the runtime calls cb (from its thread in
 * VSSD_THREADED mode: keep it short), or writes 1 to an eventfd. */
void vssd_qpair_set_notify(struct vssd_qpair *qp, void (*cb)(void *arg), void *arg);
int vssd_qpair_eventfd(struct vssd_qpair *qp);

/*
 * pblk, the host FTL, over an open-channel device (opened with ftl=ocssd or
 * ftl=pblk): a block device of 4 KiB sectors on a queue pair of its own,
 * with the device's pblk_op and pblk_rb_entries. Over a device that holds
 * data (media=file reopened, or after vssd_powerloss() with a new pblk) it
 * recovers. Requests are synchronous and thread-safe; a write is durable
 * once a later vssd_pblk_flush() returns. They return 0, a negative errno,
 * or the NVMe status (> 0) of a failure.
 */
struct vssd_pblk;

/* Returns 0, or a negative errno with a message in err: -EBUSY while another
 * pblk is open on the device. */
int vssd_pblk_open(struct vssd *dev, struct vssd_pblk **out, char *err, size_t errlen);
/* Flushes, lets pblk's writes in flight finish, and frees it. After a
 * vssd_powerloss() it only frees: pblk's memory went with the power, and a
 * new vssd_pblk_open() recovers from the media. */
void vssd_pblk_close(struct vssd_pblk *pb);
uint64_t vssd_pblk_capacity(const struct vssd_pblk *pb); /* in 4 KiB sectors */
int vssd_pblk_read(struct vssd_pblk *pb, void *buf, uint64_t lba, uint32_t nlb);
int vssd_pblk_write(struct vssd_pblk *pb, const void *buf, uint64_t lba, uint32_t nlb);
/* Unmapped sectors read as zeros; a trim is not kept across a power loss. */
int vssd_pblk_trim(struct vssd_pblk *pb, uint64_t lba, uint32_t nlb);
int vssd_pblk_flush(struct vssd_pblk *pb);
/* Why pblk stopped taking requests (every one then fails with -EIO), or NULL. */
const char *vssd_pblk_error(const struct vssd_pblk *pb);

/* pblk's figures, as its sysfs showed them (sectors of 4 KiB). */
struct vssd_pblk_stats {
	uint64_t capacity_sectors, user_sectors, gc_sectors, pad_sectors, meta_sectors;
	double waf; /* (user + GC + padding) / user */
	uint64_t gc_lines, free_lines, closed_lines, bad_chunks;
	uint64_t write_errors, read_errors, erase_errors;
	uint64_t rb_user_max, rb_gc_max; /* the rate limiter's budgets, in buffer entries */
	uint64_t recovered_lines;
};
void vssd_pblk_stats(struct vssd_pblk *pb, struct vssd_pblk_stats *out);

#ifdef __cplusplus
}
#endif

#endif
