/*
 * Inside the library (src/host/api.c, helper.c): a device handle and its
 * queue pairs.
 */
#ifndef VSSD_HOST_API_TYPES_H
#define VSSD_HOST_API_TYPES_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "nvme/ctrl.h"
#include "nvme/host_qp.h"
#include "runtime/realtime.h"
#include "vssd/vssd.h"

struct vssd_qpair {
	struct vssd *dev;
	struct host_qp hq;
	void (*notify)(void *arg);
	void *notify_arg;
	int efd;
};

#define LIBVSSD_ADMIN_ENTRIES 64

/* An asynchronous admin command's callback, and a completion waiting for
 * vssd_admin_poll() to run it. */
struct libvssd_admin_cb {
	vssd_cb cb;
	void *arg;
	struct nvme_cqe cqe;
};

struct vssd {
	struct nvme_ctrl *ctrl;
	struct rt rt;
	struct host_qp admin;
	pthread_mutex_t admin_lock; /* the admin queue pair and what follows */
	struct libvssd_admin_cb admin_cb[LIBVSSD_ADMIN_ENTRIES]; /* by cid */
	struct libvssd_admin_cb admin_done[LIBVSSD_ADMIN_ENTRIES];
	uint32_t nadmin_done;
	int admin_efd;		 /* written when an admin completion waits; -1: none asked for */
	pthread_mutex_t qp_lock; /* choosing a qid and publishing the pair */
	struct vssd_qpair *qp[NVME_MAX_QUEUES]; /* by qid; changed with the runtime locked */
	atomic_bool
		pblk_claimed; /* one pblk owns the chunks: a second would write over the first */
	int lost;	      /* the namespace did not come back from a power loss: its error */
};

/* A synchronous command's completion, filled in by libvssd_sync_done. */
struct libvssd_sync_wait {
	volatile int done;
	struct nvme_cqe cqe;
};
void libvssd_sync_done(void *arg, const struct nvme_cqe *cqe);

/* Whether [buf, buf + bytes) is registered host memory already. */
bool libvssd_dma_is_mapped(struct vssd *dev, const void *buf, size_t bytes);

#endif
