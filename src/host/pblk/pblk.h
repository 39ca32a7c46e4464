/*
 * pblk: the host-side FTL over an Open-Channel SSD 2.0 device, as Linux's
 * LightNVM pblk did it. It turns 4 KiB block reads and writes into vector
 * commands: user writes complete once copied into a write ring buffer, a
 * writer stripes the buffer over every parallel unit of the open line
 * ws_opt sectors at a time, and the L2P table points either into the
 * buffer or at a device address.
 *
 * pblk talks to the device only through a transport (submit a command,
 * run an admin command, DMA memory) and has no clock: every call passes
 * "now", and completions of block requests become due at times the caller
 * collects (pblk_next_due, pblk_complete_due). So the simulator drives it
 * in virtual time and a real-time host in wall time.
 */
#ifndef VSSD_HOST_PBLK_H
#define VSSD_HOST_PBLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vssd/nvme.h"

typedef void (*pblk_cmd_done)(void *arg, const struct nvme_cqe *cqe);

struct pblk_transport {
	void *ctx;
	/* Submits an I/O command; done runs when it completes. 0 or -EAGAIN. */
	int (*submit)(void *ctx, struct nvme_sqe *sqe, pblk_cmd_done done, void *arg);
	/* Runs an admin command to completion. 0 or a negative errno. */
	int (*admin)(void *ctx, struct nvme_sqe *sqe, struct nvme_cqe *cqe);
	void *(*dma_alloc)(void *ctx, size_t bytes); /* zeroed, page aligned */
	void (*dma_free)(void *ctx, void *buf);
};

struct pblk_config {
	uint32_t op_percent;   /* sectors of the good chunks kept from the user */
	uint32_t rb_entries;   /* write buffer entries (a power of two); 0: from the geometry */
	uint64_t copy_ns;      /* host time to copy 4 KiB into the buffer */
};

enum pblk_dir { PBLK_READ, PBLK_WRITE, PBLK_FLUSH };

/* A block request in 4 KiB sectors. done(arg, status) runs inside
 * pblk_complete_due() with 0 or an NVMe status. */
struct pblk_bio {
	uint8_t dir;
	uint64_t lba;
	uint32_t nr;
	uint8_t *buf;
	void (*done)(void *arg, uint16_t status);
	void *arg;
	/* pblk's own */
	struct pblk_bio *next;
	uint64_t due_ns;
	uint32_t pending; /* device reads outstanding */
	uint16_t status;
	uint64_t flush_point; /* a flush: entries before it must be synced */
};

struct pblk_stats {
	uint64_t user_sectors, pad_sectors, meta_sectors;
	uint64_t read_sectors, cache_read_sectors;
	uint64_t lines, free_lines, closed_lines, bad_chunks;
	uint64_t write_errors, read_errors;
	uint64_t capacity_sectors;
};

struct pblk;

/* Reads the device's geometry and chunk states and builds pblk over a
 * fresh device. Returns 0 or a negative errno with a message in err. */
int pblk_create(const struct pblk_config *cfg, const struct pblk_transport *tr,
		struct pblk **out, char *err, size_t errlen);
void pblk_destroy(struct pblk *pb);

/* Sectors the user may address. */
uint64_t pblk_capacity(const struct pblk *pb);

/* Takes a block request at now_ns (its completion comes later, through
 * pblk_complete_due). Returns 0, or -ERANGE / -EINVAL for a bad request. */
int pblk_submit(struct pblk *pb, struct pblk_bio *bio, uint64_t now_ns);

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

#endif
