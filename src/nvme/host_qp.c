/* Host queue-pair bookkeeping: command identifiers, submission, reaping. */
#include "nvme/host_qp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void *page_alloc(size_t bytes)
{
	void *p = NULL;

	if (posix_memalign(&p, 4096, (bytes + 4095) / 4096 * 4096))
		return NULL;
	memset(p, 0, bytes);
	return p;
}

int host_qp_alloc(struct host_qp *qp, uint16_t qid, uint16_t entries)
{
	memset(qp, 0, sizeof(*qp));
	qp->qid = qid;
	qp->entries = entries;
	qp->cq_phase = 1;
	qp->sq_ring = page_alloc((size_t)entries * sizeof(struct nvme_sqe));
	qp->cq_ring = page_alloc((size_t)entries * sizeof(struct nvme_cqe));
	qp->slot = calloc(entries, sizeof(*qp->slot));
	qp->free_cid = calloc(entries, sizeof(uint16_t));
	qp->prp_lists = page_alloc((size_t)entries * 4096);
	if (!qp->sq_ring || !qp->cq_ring || !qp->slot || !qp->free_cid || !qp->prp_lists) {
		host_qp_free(qp);
		return -ENOMEM;
	}
	host_qp_reset(qp, NULL, NULL);
	return 0;
}

void host_qp_free(struct host_qp *qp)
{
	free(qp->sq_ring);
	free(qp->cq_ring);
	free(qp->slot);
	free(qp->free_cid);
	free(qp->prp_lists);
	memset(qp, 0, sizeof(*qp));
}

int host_qp_register(struct host_qp *qp, struct dma_space *dma)
{
	int rc = dma_register(dma, qp->sq_ring, (size_t)qp->entries * sizeof(struct nvme_sqe));

	if (!rc)
		rc = dma_register(dma, qp->cq_ring, (size_t)qp->entries * sizeof(struct nvme_cqe));
	if (!rc)
		rc = dma_register(dma, qp->prp_lists, (size_t)qp->entries * NVME_PAGE_BYTES);
	return rc;
}

void host_qp_unregister(struct host_qp *qp, struct dma_space *dma)
{
	dma_unregister(dma, qp->sq_ring);
	dma_unregister(dma, qp->cq_ring);
	dma_unregister(dma, qp->prp_lists);
}

void host_qp_bind(struct host_qp *qp, struct nvme_doorbells *db)
{
	qp->sq_tail_db = &db->sq_tail;
	qp->cq_head_db = &db->cq_head;
}

int host_qp_submit(struct host_qp *qp, struct nvme_sqe *sqe, host_done_fn done, void *arg,
		   void *registered)
{
	uint16_t cid;

	if (!qp->nfree)
		return -EAGAIN;
	cid = qp->free_cid[qp->nfree - 1];
	sqe->cid = cid;
	if (!nvme_sq_submit(qp->sq_ring, qp->entries, qp->sq_tail_db, &qp->sq_tail, qp->sq_head,
			    sqe))
		return -EAGAIN;
	qp->nfree--;
	qp->slot[cid] = (struct host_slot){true, done, arg, registered};
	qp->inflight++;
	return cid;
}

int host_qp_reap(struct host_qp *qp, int max, struct nvme_cqe *out,
		 void (*unregister)(void *ctx, void *buf), void *ctx)
{
	struct nvme_cqe cqe;
	int n = 0;

	while (n < max &&
	       nvme_cq_reap(qp->cq_ring, qp->entries, &qp->cq_head, &qp->cq_phase, &cqe)) {
		struct host_slot s;

		if (out)
			out[n] = cqe;
		n++;
		/* a CQ may serve other SQs too: only this SQ's commands are ours */
		if (cqe.sq_id != qp->qid || cqe.cid >= qp->entries || !qp->slot[cqe.cid].busy)
			continue;
		qp->sq_head = cqe.sq_head;
		s = qp->slot[cqe.cid];
		qp->slot[cqe.cid] = (struct host_slot){0};
		qp->free_cid[qp->nfree++] = cqe.cid;
		qp->inflight--;
		if (s.registered && unregister)
			unregister(ctx, s.registered);
		if (s.done)
			s.done(s.arg, &cqe);
	}
	if (n)
		nvme_cq_ring_head(qp->cq_head_db, qp->cq_head);
	return n;
}

void host_qp_reset(struct host_qp *qp, void (*unregister)(void *ctx, void *buf), void *ctx)
{
	for (uint16_t c = 0; c < qp->entries; c++)
		if (qp->slot[c].busy && qp->slot[c].registered && unregister)
			unregister(ctx, qp->slot[c].registered);
	memset(qp->slot, 0, (size_t)qp->entries * sizeof(*qp->slot));
	memset(qp->sq_ring, 0, (size_t)qp->entries * sizeof(struct nvme_sqe));
	memset(qp->cq_ring, 0, (size_t)qp->entries * sizeof(struct nvme_cqe));
	qp->sq_tail = qp->sq_head = qp->cq_head = 0;
	qp->cq_phase = 1;
	qp->inflight = 0;
	qp->nfree = 0;
	for (uint16_t c = 0; c < qp->entries - 1; c++)
		qp->free_cid[qp->nfree++] = (uint16_t)(qp->entries - 2 - c);
}

int host_qp_create_queues(struct host_qp *qp, host_admin_fn admin, void *ctx)
{
	struct nvme_sqe sqe;
	int rc;

	nvme_prep_create_cq(&sqe, qp->qid, qp->entries, qp->cq_ring, qp->qid);
	if ((rc = admin(ctx, &sqe)))
		return rc;
	nvme_prep_create_sq(&sqe, qp->qid, qp->entries, qp->sq_ring, qp->qid);
	if ((rc = admin(ctx, &sqe))) {
		nvme_prep_delete_queue(&sqe, NVME_ADMIN_DELETE_CQ, qp->qid);
		admin(ctx, &sqe);
	}
	return rc;
}

void host_qp_delete_queues(struct host_qp *qp, host_admin_fn admin, void *ctx)
{
	struct nvme_sqe sqe;

	nvme_prep_delete_queue(&sqe, NVME_ADMIN_DELETE_SQ, qp->qid);
	admin(ctx, &sqe);
	nvme_prep_delete_queue(&sqe, NVME_ADMIN_DELETE_CQ, qp->qid);
	admin(ctx, &sqe);
}
