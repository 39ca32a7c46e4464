/*
 * NBD requests as NVMe commands on the connection's queue pair. Data goes
 * through DMA buffers registered once per connection (a slot per request in
 * flight), so no command registers memory. Waiting threads take turns: one
 * waits on the queue pair for everyone (with the inline runtime it drives
 * the device meanwhile, posting completions at their modelled times) and
 * the others sleep on their own condition variable; whoever reaps wakes
 * the threads whose commands completed.
 */
#include "conn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nbdkit-plugin.h>

#include "vssd/served.h"

#define QUEUE_ENTRIES 64 /* more than the requests nbdkit runs at once on a connection */

enum op { OP_READ, OP_WRITE, OP_ZERO, OP_TRIM };

struct req {
	bool done;
	uint16_t status;   /* NVMe status field, without the phase bit */
	pthread_cond_t cv; /* its thread sleeps on it while another reaps */
	struct req *next;  /* in the connection's list of sleepers */
};

static void req_init(struct req *r)
{
	*r = (struct req){0};
	pthread_cond_init(&r->cv, NULL);
}

/* Runs inside vssd_poll(), with the connection locked. */
static void req_done(void *arg, const struct nvme_cqe *cqe)
{
	struct req *r = arg;

	r->status = nvme_cqe_status(cqe);
	r->done = true;
	pthread_cond_signal(&r->cv);
}

int conn_open(struct conn *c, struct vssd *dev, struct vssd_pblk *pblk, struct vssd_served *served,
	      unsigned write_flags, int export_index)
{
	memset(c, 0, sizeof(*c));
	c->dev = dev;
	c->pblk = pblk;
	c->served = served;
	c->write_flags = write_flags;
	c->export_index = export_index;
	if (pblk) /* pblk has its own queue pair and buffers */
		return 0;
	c->slot_bytes = vssd_max_transfer_bytes(dev);
	c->free_slots = (1u << CONN_SLOTS) - 1;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	c->slot_buf = vssd_dma_alloc(dev, (size_t)CONN_SLOTS * c->slot_bytes);
	if (!c->slot_buf)
		return -ENOMEM;
	return vssd_qpair_open(dev, QUEUE_ENTRIES, &c->qp);
}

void conn_close(struct conn *c)
{
	if (c->qp)
		vssd_qpair_close(c->qp); /* waits for its commands */
	if (c->slot_buf)
		vssd_dma_free(c->dev, c->slot_buf);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
}

static void unlink_sleeper(struct conn *c, struct req *r)
{
	for (struct req **p = &c->sleepers; *p; p = &(*p)->next)
		if (*p == r) {
			*p = r->next;
			return;
		}
}

/*
 * With c->lock held: returns once r is done. One thread at a time reaps:
 * it polls the queue pair and, when nothing is there, waits on it with the
 * lock released. A completion wakes only its own thread; a reaper whose
 * command is done hands the job to a sleeper.
 */
static void wait_done(struct conn *c, struct req *r)
{
	while (!r->done) {
		if (c->reaping) {
			r->next = c->sleepers;
			c->sleepers = r;
			pthread_cond_wait(&r->cv, &c->lock);
			unlink_sleeper(c, r);
			continue;
		}
		c->reaping = true;
		while (!r->done) {
			if (vssd_poll(c->qp) > 0)
				continue;
			pthread_mutex_unlock(&c->lock);
			vssd_qpair_wait(c->qp, UINT64_MAX);
			pthread_mutex_lock(&c->lock);
		}
		c->reaping = false;
		for (struct req *w = c->sleepers; w; w = w->next)
			if (!w->done) {
				pthread_cond_signal(&w->cv);
				break;
			}
	}
}

static int slot_get(struct conn *c)
{
	int i;

	while (!c->free_slots)
		pthread_cond_wait(&c->cond, &c->lock);
	i = __builtin_ctz(c->free_slots);
	c->free_slots &= ~(1u << i);
	return i;
}

static void slot_put(struct conn *c, int i)
{
	c->free_slots |= 1u << i;
	pthread_cond_broadcast(&c->cond);
}

static int submit(struct conn *c, enum op kind, unsigned flags, void *dma, uint64_t slba,
		  uint32_t nlb, struct req *r)
{
	switch (kind) {
	case OP_READ: return vssd_read_async(c->qp, dma, slba, nlb, req_done, r);
	case OP_WRITE: return vssd_write_async(c->qp, dma, slba, nlb, flags, req_done, r);
	case OP_ZERO: return vssd_write_zeroes_async(c->qp, slba, nlb, flags, req_done, r);
	case OP_TRIM: return vssd_trim_async(c->qp, slba, nlb, req_done, r);
	}
	return -EINVAL;
}

/* Most bytes one command of this kind may cover. */
static uint32_t chunk_limit(const struct conn *c, enum op kind, uint32_t lba_bytes)
{
	if (kind == OP_READ || kind == OP_WRITE)
		return c->slot_bytes;
	if (kind == OP_ZERO)
		return 65536u * lba_bytes > (1u << 30) ? 1u << 30 : 65536u * lba_bytes;
	return UINT32_MAX / lba_bytes * lba_bytes; /* one DSM range */
}

/* A failed command, in nbdkit's log with its cause when the store gave one;
 * a full disk reaches the client as ENOSPC, as a full file system would. */
static int fail(const struct conn *c, int err, const char *what, uint64_t offset, uint16_t status)
{
	int cause = vssd_media_errno(c->dev);
	bool write_fault = NVME_CQE_SCT(status) == NVME_CQE_SCT(NVME_SC_WRITE_FAULT) &&
			   NVME_CQE_SC(status) == NVME_CQE_SC(NVME_SC_WRITE_FAULT);

	nbdkit_error("vssd: %s at byte %llu failed: NVMe status %x/%02xh (%s)%s%s", what,
		     (unsigned long long)offset, NVME_CQE_SCT(status), NVME_CQE_SC(status),
		     vssd_status_name(status), cause ? "; the store's last write failed: " : "",
		     cause ? strerrordesc_np(cause) : "");
	return cause == ENOSPC && write_fault ? ENOSPC : err;
}

/* ftl=pblk: the operation through pblk, in 4 KiB sectors. Write Zeroes
 * becomes a trim when the client allows one, else zeros written. */
static int pblk_op(struct conn *c, enum op kind, unsigned flags, void *buf, uint32_t count,
		   uint64_t offset)
{
	static const char *const names[] = {"read", "write", "write zeroes", "trim"};
	uint64_t lba = offset / 4096;
	uint32_t nlb = count / 4096;
	void *zeros = NULL;
	int rc;

	if (count % 4096 || offset % 4096) {
		nbdkit_error("vssd: %s of %u bytes at %llu is not aligned to pblk's 4 KiB sector",
			     names[kind], count, (unsigned long long)offset);
		return EINVAL;
	}
	if (kind == OP_ZERO && !(flags & VSSD_DEALLOCATE) && !(zeros = buf = calloc(nlb, 4096)))
		return ENOMEM;
	if (kind == OP_READ)
		rc = vssd_pblk_read(c->pblk, buf, lba, nlb);
	else if (kind == OP_TRIM || (kind == OP_ZERO && !zeros))
		rc = vssd_pblk_trim(c->pblk, lba, nlb);
	else
		rc = vssd_pblk_write(c->pblk, buf, lba, nlb);
	free(zeros);
	if (!rc && (flags & VSSD_FUA))
		rc = vssd_pblk_flush(c->pblk);
	if (rc < 0) {
		nbdkit_error("vssd: pblk %s at byte %llu failed: %s", names[kind],
			     (unsigned long long)offset, strerror(-rc));
		return EIO;
	}
	return rc ? fail(c, EIO, names[kind], offset, (uint16_t)rc) : 0;
}

static int do_op(struct conn *c, enum op kind, unsigned flags, void *buf, uint32_t count,
		 uint64_t offset)
{
	static const char *const names[] = {"read", "write", "write zeroes", "trim"};
	uint32_t lb = vssd_lba_bytes(c->dev), limit = chunk_limit(c, kind, lb);
	bool data = kind == OP_READ || kind == OP_WRITE;
	uint8_t *dma = NULL;
	int slot = -1, err = 0;

	if (count % lb || offset % lb) {
		nbdkit_error("vssd: %s of %u bytes at %llu is not aligned to the %u-byte LBA",
			     names[kind], count, (unsigned long long)offset, lb);
		return EINVAL;
	}
	pthread_mutex_lock(&c->lock);
	if (data) {
		slot = slot_get(c);
		dma = c->slot_buf + (size_t)slot * c->slot_bytes;
	}
	for (uint32_t done = 0; done < count && !err;) {
		uint32_t n = count - done < limit ? count - done : limit;
		struct req r;
		int rc;

		if (kind == OP_WRITE) { /* the slot is ours: copy without the lock */
			pthread_mutex_unlock(&c->lock);
			memcpy(dma, (const uint8_t *)buf + done, n);
			pthread_mutex_lock(&c->lock);
		}
		req_init(&r);
		rc = submit(c, kind, flags, dma, (offset + done) / lb, n / lb, &r);
		if (!rc)
			wait_done(c, &r);
		pthread_cond_destroy(&r.cv);
		if (rc) {
			nbdkit_error("vssd: %s: submitting failed: %s", names[kind], strerror(-rc));
			err = EIO;
			break;
		}
		if (r.status) {
			err = fail(c, EIO, names[kind], offset + done, r.status);
			break;
		}
		if (kind == OP_READ) {
			pthread_mutex_unlock(&c->lock);
			memcpy((uint8_t *)buf + done, dma, n);
			pthread_mutex_lock(&c->lock);
		}
		done += n;
	}
	if (slot >= 0)
		slot_put(c, slot);
	pthread_mutex_unlock(&c->lock);
	return err;
}

/* Runs an operation and records its latency as the client sees it (less the network). */
static int timed(struct conn *c, enum vssd_served_dir dir, enum op kind, unsigned flags, void *buf,
		 uint32_t count, uint64_t offset)
{
	uint64_t start = vssd_clock_ns();
	int err = c->pblk ? pblk_op(c, kind, flags, buf, count, offset)
			  : do_op(c, kind, flags, buf, count, offset);

	if (!err)
		vssd_served_record(c->served, c->export_index, dir, vssd_clock_ns() - start, count);
	return err;
}

int conn_read(struct conn *c, void *buf, uint32_t count, uint64_t offset)
{
	return timed(c, VSSD_SERVED_READ, OP_READ, 0, buf, count, offset);
}

int conn_write(struct conn *c, const void *buf, uint32_t count, uint64_t offset, bool fua)
{
	return timed(c, VSSD_SERVED_WRITE, OP_WRITE, c->write_flags | (fua ? VSSD_FUA : 0),
		     (void *)buf, count, offset);
}

int conn_zero(struct conn *c, uint32_t count, uint64_t offset, bool may_trim, bool fua)
{
	return timed(c, VSSD_SERVED_WRITE, OP_ZERO,
		     (may_trim ? VSSD_DEALLOCATE : 0) | (fua ? VSSD_FUA : 0), NULL, count, offset);
}

int conn_trim(struct conn *c, uint32_t count, uint64_t offset, bool fua)
{
	int err = timed(c, VSSD_SERVED_TRIM, OP_TRIM, 0, NULL, count, offset);

	return err || !fua ? err : conn_flush(c);
}

int conn_flush(struct conn *c)
{
	uint64_t start = vssd_clock_ns();
	struct req r;
	int rc;

	if (c->pblk) {
		if ((rc = vssd_pblk_flush(c->pblk)))
			return rc < 0 ? (nbdkit_error("vssd: pblk flush: %s", strerror(-rc)), EIO)
				      : fail(c, EIO, "flush", 0, (uint16_t)rc);
		vssd_served_record(c->served, c->export_index, VSSD_SERVED_FLUSH,
				   vssd_clock_ns() - start, 0);
		return 0;
	}
	req_init(&r);
	pthread_mutex_lock(&c->lock);
	rc = vssd_flush_async(c->qp, req_done, &r);
	if (!rc)
		wait_done(c, &r);
	pthread_mutex_unlock(&c->lock);
	pthread_cond_destroy(&r.cv);
	if (rc) {
		nbdkit_error("vssd: flush: submitting failed: %s", strerror(-rc));
		return EIO;
	}
	if (r.status)
		return fail(c, EIO, "flush", 0, r.status);
	vssd_served_record(c->served, c->export_index, VSSD_SERVED_FLUSH, vssd_clock_ns() - start,
			   0);
	return 0;
}
