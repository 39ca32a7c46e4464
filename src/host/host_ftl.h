/*
 * A host FTL: a block device of 4 KiB sectors that the host builds over a
 * device that maps nothing itself (pblk over an open-channel device, zftl
 * over a zoned one). Block requests go in; NVMe commands go out through a
 * transport. Neither keeps a clock of its own: every call passes "now",
 * and completions of block requests become due at times the caller
 * collects (next_due, complete_due), so the simulator drives them in
 * virtual time and a real-time host in wall time.
 */
#ifndef VSSD_HOST_HOST_FTL_H
#define VSSD_HOST_HOST_FTL_H

#include <stddef.h>
#include <stdint.h>

#include "vssd/nvme.h"

typedef void (*host_cmd_done)(void *arg, const struct nvme_cqe *cqe);

/* How a host FTL reaches the device. */
struct host_transport {
	void *ctx;
	/* Submits an I/O command; done runs when it completes. 0 or -EAGAIN. */
	int (*submit)(void *ctx, struct nvme_sqe *sqe, host_cmd_done done, void *arg);
	/* Runs an admin command to completion. 0 or a negative errno. */
	int (*admin)(void *ctx, struct nvme_sqe *sqe, struct nvme_cqe *cqe);
	void *(*dma_alloc)(void *ctx, size_t bytes); /* zeroed, page aligned */
	void (*dma_free)(void *ctx, void *buf);
	/* The host's clock (virtual or wall), read when a command completes:
	 * block requests that waited complete after it. */
	uint64_t (*now_ns)(void *ctx);
	/* Waits for and runs the completions of at least one submitted
	 * command (set-up and recovery need their commands done before they
	 * go on). 0 or a negative errno. */
	int (*poll)(void *ctx);
};

/* Sectors one block request may carry at most (a frontend splits larger). */
#define HOST_BIO_MAX_SECTORS 64

/* A trim unmaps: the sectors read as zeros. */
enum host_bio_dir { HOST_BIO_READ, HOST_BIO_WRITE, HOST_BIO_FLUSH, HOST_BIO_TRIM };

/* A block request in 4 KiB sectors. done(arg, status) runs inside the
 * FTL's complete_due with 0 or an NVMe status. */
struct host_bio {
	uint8_t dir;
	uint64_t lba;
	uint32_t nr;
	uint8_t *buf;
	void (*done)(void *arg, uint16_t status);
	void *arg;
	/* the FTL's own */
	struct host_bio *next;
	uint64_t due_ns;
	uint32_t pending; /* device commands outstanding */
	uint32_t taken;	  /* sectors of it the FTL has taken on so far */
	uint16_t status;
	uint64_t flush_point; /* a flush: what must be durable before it completes */
};

/* What a host of blocks (the simulator) calls, whichever FTL it is. */
struct host_ftl_ops {
	const char *name;
	/* Takes a block request at now_ns. 0, or -ERANGE / -EINVAL for a bad
	 * request (past the end, empty, over HOST_BIO_MAX_SECTORS). */
	int (*submit)(void *ftl, struct host_bio *bio, uint64_t now_ns);
	/* When the next block request completes, or UINT64_MAX. */
	uint64_t (*next_due)(const void *ftl);
	/* Completes every block request due by now_ns. Returns how many. */
	int (*complete_due)(void *ftl, uint64_t now_ns);
	uint64_t (*capacity)(const void *ftl); /* sectors the user may address */
	/* A fatal error (a device failure the FTL cannot handle), or NULL. */
	const char *(*error)(const void *ftl);
	void (*destroy)(void *ftl);
};

#endif
