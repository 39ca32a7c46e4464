/*
 * The public library (include/vssd/vssd.h): a controller, its real-time
 * runtime, an admin queue pair, and I/O queue pairs created with admin
 * commands, plus the host helper that builds Read/Write/Flush/DSM commands
 * and their PRPs.
 */
#include "vssd/vssd.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "config/params.h"
#include "nvme/ctrl.h"
#include "nvme/host_qp.h"
#include "host/api_internal.h"
#include "host/api_types.h"
#include "runtime/realtime.h"

#define ADMIN_ENTRIES LIBVSSD_ADMIN_ENTRIES
struct dma_op {
	struct vssd *dev;
	void *buf;
	size_t bytes;
	int rc;
};

static void do_register(void *arg)
{
	struct dma_op *op = arg;

	op->rc = dma_register(&op->dev->ctrl->dma, op->buf, op->bytes);
}

static void do_unregister(void *arg)
{
	struct dma_op *op = arg;

	op->rc = dma_unregister(&op->dev->ctrl->dma, op->buf);
}

static void do_is_mapped(void *arg)
{
	struct dma_op *op = arg;

	op->rc = dma_map(&op->dev->ctrl->dma, (uintptr_t)op->buf, op->bytes) != NULL;
}

bool libvssd_dma_is_mapped(struct vssd *dev, const void *buf, size_t bytes)
{
	struct dma_op op = {dev, (void *)buf, bytes, 0};

	rt_locked(&dev->rt, do_is_mapped, &op);
	return op.rc;
}

int vssd_dma_register(struct vssd *dev, void *buf, size_t bytes)
{
	struct dma_op op = {dev, buf, bytes, 0};

	if (!dev || !buf || !bytes)
		return -EINVAL;
	rt_locked(&dev->rt, do_register, &op);
	return op.rc;
}

int vssd_dma_unregister(struct vssd *dev, void *buf)
{
	struct dma_op op = {dev, buf, 0, 0};

	if (!dev || !buf)
		return -EINVAL;
	rt_locked(&dev->rt, do_unregister, &op);
	return op.rc;
}

void *vssd_dma_alloc(struct vssd *dev, size_t bytes)
{
	void *p = NULL;

	if (!bytes || posix_memalign(&p, NVME_PAGE_BYTES, bytes))
		return NULL;
	memset(p, 0, bytes);
	if (vssd_dma_register(dev, p, bytes)) {
		free(p);
		return NULL;
	}
	return p;
}

void vssd_dma_free(struct vssd *dev, void *buf)
{
	if (buf && !vssd_dma_unregister(dev, buf))
		free(buf);
}

static void unregister_cb(void *ctx, void *buf)
{
	vssd_dma_unregister(ctx, buf);
}

/* The post hook (the MSI equivalent): runs with the controller locked. */
static void efd_signal(int efd)
{
	uint64_t one = 1;

	if (efd >= 0 && write(efd, &one, sizeof(one)) < 0) {
		/* a full eventfd counter already says "look" */
	}
}

static void on_post(void *arg, uint16_t cqid)
{
	struct vssd *dev = arg;
	struct vssd_qpair *qp = cqid ? dev->qp[cqid] : NULL;

	if (!cqid)
		efd_signal(dev->admin_efd);
	if (!qp)
		return;
	if (qp->notify)
		qp->notify(qp->notify_arg);
	efd_signal(qp->efd);
}

struct bind_op {
	struct vssd *dev;
	struct vssd_qpair *qp;
	uint16_t qid;
};

/* The qpair table is read by the post hook: change it with the runtime locked. */
static void do_bind(void *arg)
{
	struct bind_op *op = arg;

	if (op->qp)
		host_qp_bind(&op->qp->hq, &op->dev->ctrl->db[op->qid]);
	op->dev->qp[op->qid] = op->qp;
}

struct qp_mem_op {
	struct vssd *dev;
	struct host_qp *hq;
	bool add;
	int rc;
};

static void do_qp_mem(void *arg)
{
	struct qp_mem_op *op = arg;

	if (op->add)
		op->rc = host_qp_register(op->hq, &op->dev->ctrl->dma);
	else
		host_qp_unregister(op->hq, &op->dev->ctrl->dma);
}

/* A queue pair's rings and PRP lists, (un)registered with the runtime locked. */
static int register_qp_memory(struct vssd *dev, struct host_qp *hq, bool add)
{
	struct qp_mem_op op = {dev, hq, add, 0};

	rt_locked(&dev->rt, do_qp_mem, &op);
	return op.rc;
}

/* Enables the controller over the host's admin rings, as at open. */
static int enable_admin(struct vssd *dev)
{
	int rc = nvme_ctrl_enable(dev->ctrl, dev->admin.sq_ring, ADMIN_ENTRIES, dev->admin.cq_ring,
				  ADMIN_ENTRIES);

	if (!rc)
		host_qp_bind(&dev->admin, &dev->ctrl->db[0]);
	return rc;
}

int vssd_open(const char *const *params, enum vssd_runtime runtime, struct vssd **out, char *err,
	      size_t errlen)
{
	struct vssd_config cfg;
	struct vssd *dev;
	int rc;

	if (!params || !out) {
		snprintf(err, errlen, "vssd_open: %s is NULL", params ? "out" : "params");
		return -EINVAL;
	}
	if ((rc = libvssd_config_from_params(params, &cfg, err, errlen)))
		return rc;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	if ((rc = nvme_ctrl_create(&cfg, &dev->ctrl, err, errlen))) {
		free(dev);
		return rc;
	}
	pthread_mutex_init(&dev->admin_lock, NULL);
	pthread_mutex_init(&dev->qp_lock, NULL);
	dev->admin_efd = -1;
	rc = host_qp_alloc(&dev->admin, 0, ADMIN_ENTRIES);
	if (!rc) /* no runtime yet: nothing else touches the controller */
		rc = host_qp_register(&dev->admin, &dev->ctrl->dma);
	if (!rc)
		rc = enable_admin(dev);
	if (rc) {
		snprintf(err, errlen, "cannot set up the admin queue: %s", strerror(-rc));
		goto fail;
	}
	dev->ctrl->on_post = on_post;
	dev->ctrl->on_post_arg = dev;
	if ((rc = rt_start(&dev->rt, dev->ctrl,
			   runtime == VSSD_THREADED ? RT_THREADED : RT_INLINE))) {
		snprintf(err, errlen, "cannot start the runtime's threads");
		goto fail;
	}
	*out = dev;
	return 0;
fail:
	host_qp_free(&dev->admin);
	nvme_ctrl_destroy(dev->ctrl);
	pthread_mutex_destroy(&dev->admin_lock);
	pthread_mutex_destroy(&dev->qp_lock);
	free(dev);
	return rc;
}

void vssd_close(struct vssd *dev)
{
	if (!dev)
		return;
	for (int q = 1; q < NVME_MAX_QUEUES; q++)
		if (dev->qp[q])
			vssd_qpair_close(dev->qp[q]);
	rt_stop(&dev->rt);
	host_qp_free(&dev->admin);
	nvme_ctrl_destroy(dev->ctrl);
	pthread_mutex_destroy(&dev->admin_lock);
	pthread_mutex_destroy(&dev->qp_lock);
	if (dev->admin_efd >= 0)
		close(dev->admin_efd);
	free(dev);
}

uint64_t vssd_capacity_lbas(const struct vssd *dev)
{
	return dev_capacity_lbas(dev->ctrl->ns);
}

uint32_t vssd_max_transfer_bytes(const struct vssd *dev)
{
	(void)dev;
	return NVME_MAX_XFER_BYTES;
}

uint32_t vssd_lba_bytes(const struct vssd *dev)
{
	return dev->ctrl->ns->geo.lba_bytes;
}

void libvssd_sync_done(void *arg, const struct nvme_cqe *cqe)
{
	struct libvssd_sync_wait *w = arg;

	w->cqe = *cqe;
	w->done = 1;
}

/* rt_wait()'s condition: a completion waits at the host's CQ head. */
static bool has_cqe(void *arg)
{
	return host_qp_has_cqe(arg);
}

int vssd_admin(struct vssd *dev, struct nvme_sqe *sqe, struct nvme_cqe *cqe)
{
	struct libvssd_sync_wait w = {0};
	int rc;

	if (!dev || !sqe || !cqe)
		return -EINVAL;
	if (sqe->opcode == NVME_ADMIN_ASYNC_EVENT)
		return -EINVAL; /* held until an event: it would never return */
	if (dev->lost)
		return -ENODEV;
	pthread_mutex_lock(&dev->admin_lock);
	rc = host_qp_submit(&dev->admin, sqe, libvssd_sync_done, &w, NULL);
	if (rc >= 0) {
		rt_kick(&dev->rt, 0);
		while (!w.done)
			if (!host_qp_reap(&dev->admin, ADMIN_ENTRIES, NULL, NULL, NULL))
				rt_wait(&dev->rt, has_cqe, &dev->admin, UINT64_MAX);
		*cqe = w.cqe;
		rc = 0;
	}
	pthread_mutex_unlock(&dev->admin_lock);
	return rc;
}

/* An asynchronous admin command completed (with the admin lock held, in
 * whichever thread reaped it): its callback waits for vssd_admin_poll(),
 * which runs it without the lock, so it may submit again. */
static void admin_async_done(void *arg, const struct nvme_cqe *cqe)
{
	struct vssd *dev = arg;

	dev->admin_done[dev->nadmin_done] = dev->admin_cb[cqe->cid];
	dev->admin_done[dev->nadmin_done++].cqe = *cqe;
	efd_signal(dev->admin_efd); /* when another thread's vssd_admin() reaped it */
}

int vssd_admin_async(struct vssd *dev, struct nvme_sqe *sqe, vssd_cb cb, void *arg)
{
	int cid;

	if (!dev || !sqe || !cb)
		return -EINVAL;
	if (dev->lost)
		return -ENODEV;
	pthread_mutex_lock(&dev->admin_lock);
	cid = host_qp_submit(&dev->admin, sqe, admin_async_done, dev, NULL);
	if (cid >= 0) {
		dev->admin_cb[cid] = (struct libvssd_admin_cb){cb, arg, {0}};
		rt_kick(&dev->rt, 0);
	}
	pthread_mutex_unlock(&dev->admin_lock);
	return cid;
}

int vssd_admin_poll(struct vssd *dev)
{
	struct libvssd_admin_cb done[ADMIN_ENTRIES];
	uint32_t n;

	if (!dev)
		return -EINVAL;
	rt_poll(&dev->rt);
	pthread_mutex_lock(&dev->admin_lock);
	host_qp_reap(&dev->admin, ADMIN_ENTRIES, NULL, NULL, NULL);
	n = dev->nadmin_done;
	memcpy(done, dev->admin_done, n * sizeof(done[0]));
	dev->nadmin_done = 0;
	pthread_mutex_unlock(&dev->admin_lock);
	for (uint32_t i = 0; i < n; i++)
		done[i].cb(done[i].arg, &done[i].cqe);
	return (int)n;
}

int vssd_admin_eventfd(struct vssd *dev)
{
	if (!dev)
		return -EINVAL;
	pthread_mutex_lock(&dev->admin_lock);
	if (dev->admin_efd < 0)
		dev->admin_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	pthread_mutex_unlock(&dev->admin_lock);
	return dev->admin_efd < 0 ? -errno : dev->admin_efd;
}

/* An admin command to completion: 0, or -EIO when the device failed it. */
static int admin_status(void *dev, struct nvme_sqe *sqe)
{
	struct nvme_cqe cqe;
	int rc = vssd_admin(dev, sqe, &cqe);

	return rc ? rc : nvme_cqe_code(&cqe) ? -EIO : 0;
}

/* Creates the controller's CQ and SQ for a host queue pair (its rings). */
static int create_io_queues(struct vssd *dev, struct host_qp *hq)
{
	return host_qp_create_queues(hq, admin_status, dev);
}

int vssd_qpair_open(struct vssd *dev, uint16_t entries, struct vssd_qpair **out)
{
	struct vssd_qpair *qp;
	uint16_t qid = 1;
	int rc;

	if (!dev || !out || entries < 2 || entries > NVME_MQES + 1)
		return -EINVAL;
	qp = calloc(1, sizeof(*qp));
	if (!qp)
		return -ENOMEM;
	pthread_mutex_lock(&dev->qp_lock);
	while (qid < NVME_MAX_QUEUES && dev->qp[qid])
		qid++;
	if (qid == NVME_MAX_QUEUES) {
		pthread_mutex_unlock(&dev->qp_lock);
		free(qp);
		return -ENOSPC;
	}
	qp->dev = dev;
	qp->efd = -1;
	if ((rc = host_qp_alloc(&qp->hq, qid, entries)) ||
	    (rc = register_qp_memory(dev, &qp->hq, true)))
		goto fail;
	if ((rc = create_io_queues(dev, &qp->hq)))
		goto fail;
	rt_locked(&dev->rt, do_bind, &(struct bind_op){dev, qp, qid});
	pthread_mutex_unlock(&dev->qp_lock);
	*out = qp;
	return 0;
fail:
	pthread_mutex_unlock(&dev->qp_lock);
	register_qp_memory(dev, &qp->hq, false);
	host_qp_free(&qp->hq);
	free(qp);
	return rc;
}

static void unregister_now(void *ctx, void *buf)
{
	dma_unregister(ctx, buf); /* the runtime is stopped: nothing else touches it */
}

int vssd_powerloss(struct vssd *dev)
{
	uint64_t t0;
	int rc;

	/* before anything is torn down: a device that cannot recover stays as it was */
	if (!nvme_ctrl_can_powerloss(dev->ctrl))
		return -EOPNOTSUPP;
	if (dev->lost)
		return -ENODEV;
	pthread_mutex_lock(&dev->qp_lock);
	pthread_mutex_lock(&dev->admin_lock);
	t0 = dev->rt.t0_ns;
	rt_stop(&dev->rt);
	rc = nvme_ctrl_powerloss(dev->ctrl);
	host_qp_reset(&dev->admin, NULL, NULL);
	for (int q = 1; q < NVME_MAX_QUEUES; q++)
		if (dev->qp[q])
			host_qp_reset(&dev->qp[q]->hq, unregister_now, &dev->ctrl->dma);
	if (rc) /* no namespace to serve: every command fails from now on */
		dev->lost = rc;
	else
		rc = enable_admin(dev);
	if (rt_start(&dev->rt, dev->ctrl, dev->rt.mode) && !rc)
		rc = -EAGAIN;
	dev->rt.t0_ns = t0; /* the controller's clock goes on */
	pthread_mutex_unlock(&dev->admin_lock);
	for (int q = 1; q < NVME_MAX_QUEUES && !rc; q++)
		if (dev->qp[q])
			rc = create_io_queues(dev, &dev->qp[q]->hq);
	pthread_mutex_unlock(&dev->qp_lock);
	return rc;
}

int vssd_media_errno(struct vssd *dev)
{
	const struct vssd_dev *d = dev ? dev->ctrl->ns : NULL;

	return d ? d->media->last_errno : 0;
}

struct check_op {
	struct vssd *dev;
	char *err;
	size_t errlen;
	int rc;
};

static void do_check(void *arg)
{
	struct check_op *op = arg;

	op->rc = op->dev->ctrl->ns ? dev_check(op->dev->ctrl->ns, op->err, op->errlen) : -ENODEV;
}

int vssd_check(struct vssd *dev, char *err, size_t errlen)
{
	struct check_op op = {dev, err, errlen, 0};

	if (!dev || !err || !errlen)
		return -EINVAL;
	rt_locked(&dev->rt, do_check, &op);
	return op.rc;
}

int vssd_recovery_info(struct vssd *dev, struct vssd_recovery *out)
{
	const struct vssd_dev *d = dev->ctrl->ns;

	if (!d)
		return -ENODEV;
	*out = (struct vssd_recovery){
		.recovered = d->recovery.recovered,
		.from_checkpoint = d->recovery.from_checkpoint,
		.units_scanned = d->recovery.units_scanned,
		.mapped_bytes = d->recovery.mapped_units * GEO_UNIT_BYTES,
		.wall_ns = d->recovery.wall_ns,
		.power_cycles = d->health.power_cycles,
		.unsafe_shutdowns = d->health.unsafe_shutdowns,
		.checkpoint_rejected = d->recovery.ckpt_rejected,
		.state_blocks_damaged = d->recovery.state_blocks_damaged,
		.oob_from_copy = d->recovery.oob_from_copy,
		.oob_lost = d->recovery.oob_lost,
		.trim_pages_from_copy = d->recovery.trim_pages_from_copy,
		.trim_pages_damaged = d->recovery.trim_pages_damaged,
		.media_errors = d->health.media_errors,
	};
	return 0;
}

int vssd_qpair_close(struct vssd_qpair *qp)
{
	struct vssd *dev;
	uint16_t qid;

	if (!qp)
		return -EINVAL;
	dev = qp->dev;
	qid = qp->hq.qid;
	while (qp->hq.inflight)
		if (!vssd_poll(qp))
			vssd_qpair_wait(qp, UINT64_MAX);
	pthread_mutex_lock(&dev->qp_lock);
	host_qp_delete_queues(&qp->hq, admin_status, dev);
	rt_locked(&dev->rt, do_bind, &(struct bind_op){dev, NULL, qid});
	pthread_mutex_unlock(&dev->qp_lock);
	register_qp_memory(dev, &qp->hq, false);
	host_qp_free(&qp->hq);
	if (qp->efd >= 0)
		close(qp->efd);
	free(qp);
	return 0;
}

int vssd_submit(struct vssd_qpair *qp, struct nvme_sqe *sqe)
{
	return vssd_submit_cb(qp, sqe, NULL, NULL);
}

int vssd_submit_cb(struct vssd_qpair *qp, struct nvme_sqe *sqe, vssd_cb cb, void *arg)
{
	int cid;

	if (!qp || !sqe)
		return -EINVAL;
	cid = qp->dev->lost ? -ENODEV : host_qp_submit(&qp->hq, sqe, cb, arg, NULL);
	if (cid >= 0)
		rt_kick(&qp->dev->rt, qp->hq.qid);
	return cid;
}

int vssd_reap(struct vssd_qpair *qp, struct nvme_cqe *out, int max)
{
	rt_poll(&qp->dev->rt);
	return host_qp_reap(&qp->hq, max, out, unregister_cb, qp->dev);
}

int vssd_poll(struct vssd_qpair *qp)
{
	rt_poll(&qp->dev->rt);
	return host_qp_reap(&qp->hq, qp->hq.entries, NULL, unregister_cb, qp->dev);
}

int vssd_qpair_wait(struct vssd_qpair *qp, uint64_t timeout_ns)
{
	return rt_wait(&qp->dev->rt, has_cqe, &qp->hq, timeout_ns);
}

uint32_t vssd_inflight(const struct vssd_qpair *qp)
{
	return qp->hq.inflight;
}

struct due_op {
	struct vssd *dev;
	uint64_t in_ns;
};

static void do_next_due(void *arg)
{
	struct due_op *op = arg;
	uint64_t due = nvme_ctrl_next_due(op->dev->ctrl), now = rt_now(&op->dev->rt);

	op->in_ns = due == UINT64_MAX ? UINT64_MAX : due > now ? due - now : 0;
}

uint64_t vssd_next_due_ns(struct vssd *dev)
{
	struct due_op op = {dev, UINT64_MAX};

	if (dev)
		rt_locked(&dev->rt, do_next_due, &op);
	return op.in_ns;
}

/* Submits a command carrying buf: PRPs from the slot's list page; a buffer
 * not yet registered is registered for this command. */
void vssd_qpair_set_notify(struct vssd_qpair *qp, void (*cb)(void *arg), void *arg)
{
	qp->notify = cb;
	qp->notify_arg = arg;
}

int vssd_qpair_eventfd(struct vssd_qpair *qp)
{
	if (qp->efd < 0)
		qp->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return qp->efd < 0 ? -errno : qp->efd;
}

int libvssd_claim_pblk(struct vssd *dev)
{
	bool free = false;

	return atomic_compare_exchange_strong(&dev->pblk_claimed, &free, true) ? 0 : -EBUSY;
}

void libvssd_release_pblk(struct vssd *dev)
{
	atomic_store(&dev->pblk_claimed, false);
}

struct nvme_ctrl *libvssd_ctrl_of(struct vssd *dev)
{
	return dev->ctrl;
}

uint16_t libvssd_qpair_qid(const struct vssd_qpair *qp)
{
	return qp->hq.qid;
}

void libvssd_locked(struct vssd *dev, void (*fn)(void *arg), void *arg)
{
	rt_locked(&dev->rt, fn, arg);
}
