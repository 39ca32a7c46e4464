/*
 * The library's pblk: the host FTL over a device's own I/O queue pair, for
 * callers of include/vssd/vssd.h (and the nbdkit plugin). Requests are
 * synchronous and may come from many threads; they share pblk under one
 * lock, and whichever thread waits drives the device for all of them.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/api_internal.h"
#include "host/pblk/pblk.h"
#include "util/clock.h"
#include "vssd/vssd.h"

struct vssd_pblk {
	struct vssd *dev;
	struct vssd_qpair *qp;
	struct pblk *pb;
	pthread_mutex_t lock;
	uint64_t power_cycles; /* the device's, when pblk started */
};

static uint64_t power_cycles(struct vssd *dev)
{
	return libvssd_ctrl_of(dev)->ns->health.power_cycles;
}

/* One synchronous request: its parts' completions. */
struct sync_req {
	uint32_t left;
	uint16_t status;
};

static int tr_submit(void *ctx, struct nvme_sqe *sqe, host_cmd_done done, void *arg)
{
	return vssd_submit_cb(((struct vssd_pblk *)ctx)->qp, sqe, done, arg) < 0 ? -EAGAIN : 0;
}

static int tr_admin(void *ctx, struct nvme_sqe *sqe, struct nvme_cqe *cqe)
{
	return vssd_admin(((struct vssd_pblk *)ctx)->dev, sqe, cqe);
}

static void *tr_alloc(void *ctx, size_t bytes)
{
	void *p = vssd_dma_alloc(((struct vssd_pblk *)ctx)->dev, bytes);

	return p ? memset(p, 0, bytes) : NULL;
}

static void tr_free(void *ctx, void *p)
{
	vssd_dma_free(((struct vssd_pblk *)ctx)->dev, p);
}

static uint64_t tr_now(void *ctx)
{
	(void)ctx;
	return mono_ns();
}

/* Runs the device until something completes, or pblk's next request is due. */
static int tr_poll(void *ctx)
{
	struct vssd_pblk *p = ctx;
	/* while pblk_create() recovers, p->pb is not set yet: it waits for the device alone */
	uint64_t due = p->pb ? pblk_next_due(p->pb) : UINT64_MAX, now = mono_ns();

	if (vssd_inflight(p->qp))
		vssd_qpair_wait(p->qp, due > now ? due - now : 0);
	vssd_poll(p->qp);
	return 0;
}

int vssd_pblk_open(struct vssd *dev, struct vssd_pblk **out, char *err, size_t errlen)
{
	const struct vssd_dev *ns = libvssd_ctrl_of(dev)->ns;
	struct vssd_pblk *p = calloc(1, sizeof(*p));
	struct host_transport tr = {NULL, tr_submit, tr_admin, tr_alloc, tr_free, tr_now, tr_poll};
	struct pblk_config pc;
	int rc;

	pblk_config_of(&pc, &ns->cfg, ns->geo.logical_units);
	pc.copy_ns = 0; /* a real host copies in its own time */
	if (!p)
		return -ENOMEM;
	if ((rc = libvssd_claim_pblk(dev))) {
		snprintf(err, errlen,
			 "pblk: this device has a pblk open already (one pblk owns "
			 "its chunks; close it first)");
		free(p);
		return rc;
	}
	p->dev = dev;
	p->power_cycles = power_cycles(dev);
	tr.ctx = p;
	pthread_mutex_init(&p->lock, NULL);
	if ((rc = vssd_qpair_open(dev, 256, &p->qp))) {
		snprintf(err, errlen, "pblk: cannot open its queue pair: %s", strerror(-rc));
		goto fail;
	}
	if ((rc = pblk_create(&pc, &tr, &p->pb, err, errlen))) {
		vssd_qpair_close(p->qp);
		goto fail;
	}
	*out = p;
	return 0;
fail:
	libvssd_release_pblk(dev);
	pthread_mutex_destroy(&p->lock);
	free(p);
	return rc;
}

static void part_done(void *arg, uint16_t status)
{
	struct sync_req *r = arg;

	if (status && !r->status)
		r->status = status;
	r->left--;
}

/* Runs the parts to completion; the lock is held. A part that waits while
 * nothing is in flight on the device and nothing is due never completes:
 * pblk has stalled (as `vssd sim` says too), and the request fails. */
static int wait_parts(struct vssd_pblk *p, struct sync_req *r)
{
	while (r->left) {
		pblk_complete_due(p->pb, mono_ns());
		if (!r->left)
			break;
		if (!vssd_inflight(p->qp) && pblk_next_due(p->pb) == UINT64_MAX)
			pblk_fail_why(p->pb, "stalled: a request waits and nothing is in flight");
		if (pblk_error(p->pb))
			return -EIO;
		tr_poll(p);
	}
	return r->status;
}

/* A request of nlb 4 KiB sectors, in parts pblk takes. */
static int request(struct vssd_pblk *p, uint8_t dir, void *buf, uint64_t lba, uint32_t nlb)
{
	struct host_bio bios[8];
	struct sync_req r = {0};
	uint32_t done = 0;
	int rc = 0;

	pthread_mutex_lock(&p->lock);
	do {
		uint32_t n = 0;

		r.left = 0;
		for (; n < 8 && (done < nlb || (dir == HOST_BIO_FLUSH && !n)); n++) {
			uint32_t nr = nlb - done < HOST_BIO_MAX_SECTORS ? nlb - done
									: HOST_BIO_MAX_SECTORS;

			bios[n] = (struct host_bio){
				.dir = dir,
				.lba = lba + done,
				.nr = nr,
				.buf = buf ? (uint8_t *)buf + (uint64_t)done * 4096 : NULL,
				.done = part_done,
				.arg = &r};
			r.left++;
			if ((rc = pblk_submit(p->pb, &bios[n], mono_ns()))) {
				r.left--;
				break;
			}
			done += nr;
		}
		if (wait_parts(p, &r) && !rc)
			rc = r.status ? r.status : -EIO;
	} while (!rc && done < nlb);
	pthread_mutex_unlock(&p->lock);
	return rc;
}

int vssd_pblk_read(struct vssd_pblk *p, void *buf, uint64_t lba, uint32_t nlb)
{
	return request(p, HOST_BIO_READ, buf, lba, nlb);
}

int vssd_pblk_write(struct vssd_pblk *p, const void *buf, uint64_t lba, uint32_t nlb)
{
	return request(p, HOST_BIO_WRITE, (void *)buf, lba, nlb);
}

int vssd_pblk_trim(struct vssd_pblk *p, uint64_t lba, uint32_t nlb)
{
	return request(p, HOST_BIO_TRIM, NULL, lba, nlb);
}

int vssd_pblk_flush(struct vssd_pblk *p)
{
	return request(p, HOST_BIO_FLUSH, NULL, 0, 0);
}

const char *vssd_pblk_error(const struct vssd_pblk *p)
{
	return pblk_error(p->pb);
}

uint64_t vssd_pblk_capacity(const struct vssd_pblk *p)
{
	return pblk_capacity(p->pb);
}

void libvssd_pblk_report_stats(struct vssd_pblk *p, struct pblk_stats *out)
{
	pthread_mutex_lock(&p->lock);
	pblk_get_stats(p->pb, out);
	pthread_mutex_unlock(&p->lock);
}

void vssd_pblk_stats(struct vssd_pblk *p, struct vssd_pblk_stats *out)
{
	struct pblk_stats s;

	libvssd_pblk_report_stats(p, &s);
	*out = (struct vssd_pblk_stats){.capacity_sectors = s.capacity_sectors,
					.user_sectors = s.user_sectors,
					.gc_sectors = s.gc_sectors,
					.pad_sectors = s.pad_sectors,
					.meta_sectors = s.meta_sectors,
					.waf = pblk_stats_waf(&s),
					.gc_lines = s.gc_lines,
					.free_lines = s.free_lines,
					.closed_lines = s.closed_lines,
					.bad_chunks = s.bad_chunks,
					.write_errors = s.write_errors,
					.read_errors = s.read_errors,
					.erase_errors = s.erase_errors,
					.rb_user_max = s.rb_user_max,
					.rb_gc_max = s.rb_gc_max,
					.recovered_lines = s.recovered_lines};
}

void vssd_pblk_close(struct vssd_pblk *p)
{
	bool powered = p && power_cycles(p->dev) == p->power_cycles;

	if (!p)
		return;
	/* after a power loss pblk's memory is gone with the power: nothing to write */
	if (powered && !pblk_error(p->pb))
		vssd_pblk_flush(p);
	pthread_mutex_lock(&p->lock);
	/* let the writer finish what the flush left in flight (GC, metadata); in
	 * its error state too, as each completion calls back into pblk */
	while (powered && vssd_inflight(p->qp))
		tr_poll(p);
	pthread_mutex_unlock(&p->lock);
	pblk_destroy(p->pb);
	vssd_qpair_close(p->qp);
	libvssd_release_pblk(p->dev);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
