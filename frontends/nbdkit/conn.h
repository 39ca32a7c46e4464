/*
 * One NBD connection: an NVMe I/O queue pair of its own, DMA buffers for
 * the requests in flight on it, and the placement identifier its export
 * name asked for. nbdkit's parallel thread model runs several requests of a
 * connection at once; they share the queue pair under the connection's lock.
 */
#ifndef VSSD_NBDKIT_CONN_H
#define VSSD_NBDKIT_CONN_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "vssd/served.h"
#include "vssd/vssd.h"

struct req;

#define CONN_SLOTS 16 /* requests in flight per connection (nbdkit's default threads) */

struct conn {
	struct vssd *dev;
	struct vssd_pblk *pblk; /* ftl=pblk: requests go through it, not a queue pair */
	struct vssd_qpair *qp;
	pthread_mutex_t lock;
	pthread_cond_t cond;  /* a slot was freed */
	bool reaping;	      /* a thread is polling, or waiting on qp, for everyone */
	struct req *sleepers; /* threads waiting for their command meanwhile */
	uint8_t *slot_buf;    /* CONN_SLOTS buffers of one maximum transfer each */
	uint32_t slot_bytes;
	uint32_t free_slots;	    /* bit per free slot */
	unsigned write_flags;	    /* VSSD_PID(n) for a pid=N export, else 0 */
	struct vssd_served *served; /* the statistics */
	int export_index;	    /* its client there: 0 default, 1 + status-list entry */
};

int conn_open(struct conn *c, struct vssd *dev, struct vssd_pblk *pblk, struct vssd_served *served,
	      unsigned write_flags, int export_index);
void conn_close(struct conn *c);

/* The NBD operations, split into commands of at most one maximum transfer.
 * Return 0 or an errno value (for nbdkit_set_error). */
int conn_read(struct conn *c, void *buf, uint32_t count, uint64_t offset);
int conn_write(struct conn *c, const void *buf, uint32_t count, uint64_t offset, bool fua);
int conn_zero(struct conn *c, uint32_t count, uint64_t offset, bool may_trim, bool fua);
int conn_trim(struct conn *c, uint32_t count, uint64_t offset, bool fua);
int conn_flush(struct conn *c);

#endif
