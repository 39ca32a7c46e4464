/*
 * The host's side of a queue pair, as a driver keeps it: its SQ tail, the SQ
 * head learnt from completions, its CQ head and phase, and one slot per
 * command identifier holding what to do when that command completes (and
 * a PRP list page for it). Rings and PRP lists are host memory the device
 * reaches through DMA.
 */
#ifndef VSSD_NVME_HOST_QP_H
#define VSSD_NVME_HOST_QP_H

#include <stdbool.h>
#include <stdint.h>

#include "nvme/dma.h"
#include "nvme/queue.h"
#include "vssd/nvme.h"

typedef void (*host_done_fn)(void *arg, const struct nvme_cqe *cqe);

struct host_slot {
	bool busy;
	host_done_fn done;
	void *arg;
	void *registered; /* buffer registered for this command only, or NULL */
};

struct host_qp {
	uint16_t qid;
	uint16_t entries;
	struct nvme_sqe *sq_ring;
	struct nvme_cqe *cq_ring;
	_Atomic uint32_t *sq_tail_db; /* the controller's doorbell registers */
	_Atomic uint32_t *cq_head_db;
	uint16_t sq_tail, sq_head, cq_head;
	uint8_t cq_phase;
	uint32_t inflight;
	struct host_slot *slot; /* by cid */
	uint16_t *free_cid;
	uint32_t nfree;
	uint64_t *prp_lists; /* a page per cid */
};

/* Allocates rings (page aligned) and slots for a queue pair of `entries`.
 * Returns 0 or -ENOMEM. */
int host_qp_alloc(struct host_qp *qp, uint16_t qid, uint16_t entries);
void host_qp_free(struct host_qp *qp);

/* Registers (or forgets) the pair's rings and PRP list pages as DMA-able
 * host memory. Returns 0 or the dma_register error. */
int host_qp_register(struct host_qp *qp, struct dma_space *dma);
void host_qp_unregister(struct host_qp *qp, struct dma_space *dma);

/* Forgets every command in flight (their callbacks never run; buffers
 * registered for one command are given to unregister) and starts the rings
 * afresh, as a driver does after a controller reset. One SQ slot always
 * stays empty, so entries - 1 commands at most. */
void host_qp_reset(struct host_qp *qp, void (*unregister)(void *ctx, void *buf), void *ctx);

/* Binds the queue pair to its doorbell registers (the controller's db[qid]). */
void host_qp_bind(struct host_qp *qp, struct nvme_doorbells *db);

/* How a host runs one admin command to completion: 0 when it succeeded, a
 * negative errno otherwise (-EIO for an NVMe failure). */
typedef int (*host_admin_fn)(void *ctx, struct nvme_sqe *sqe);

/* Creates the controller's I/O CQ and SQ over qp's rings (Create I/O CQ,
 * then SQ; the CQ is deleted again when the SQ is refused), as a driver
 * does. Bind the doorbells after. Returns 0 or admin's error. */
int host_qp_create_queues(struct host_qp *qp, host_admin_fn admin, void *ctx);
/* Deletes them (SQ first). */
void host_qp_delete_queues(struct host_qp *qp, host_admin_fn admin, void *ctx);

/*
 * Takes a command identifier and submits sqe with it (sqe->cid is set).
 * Returns the cid, or -EAGAIN when the queue or the slots are full.
 */
int host_qp_submit(struct host_qp *qp, struct nvme_sqe *sqe, host_done_fn done, void *arg,
		   void *registered);

/*
 * Reaps up to max completions: copies each into out[] (when out is given),
 * calls its slot's done function and frees the slot, then rings the CQ head
 * doorbell once. Returns the number reaped.
 */
int host_qp_reap(struct host_qp *qp, int max, struct nvme_cqe *out,
		 void (*unregister)(void *ctx, void *buf), void *ctx);

/* A completion waits at the CQ head (its phase tag is the expected one). */
static inline bool host_qp_has_cqe(const struct host_qp *qp)
{
	uint16_t status = __atomic_load_n(&qp->cq_ring[qp->cq_head].status, __ATOMIC_ACQUIRE);

	return (status & NVME_CQE_PHASE) == qp->cq_phase;
}

/* The PRP list page of command identifier cid. */
static inline uint64_t *host_qp_prp_list(struct host_qp *qp, uint16_t cid)
{
	return qp->prp_lists + (uint64_t)cid * (4096 / 8);
}

/* The cid the next submission will take, or -1 when none is free. */
static inline int host_qp_next_cid(const struct host_qp *qp)
{
	return qp->nfree ? qp->free_cid[qp->nfree - 1] : -1;
}

#endif
