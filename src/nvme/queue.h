/*
 * NVMe queue pairs as the base specification defines them: a submission ring
 * of 64-byte SQEs the host produces and the controller consumes, a
 * completion ring of 16-byte CQEs the controller produces with a phase tag,
 * and two doorbells (SQ tail, CQ head) the host writes. In process, the
 * doorbells are atomics; every barrier below names the side it pairs with.
 */
#ifndef VSSD_NVME_QUEUE_H
#define VSSD_NVME_QUEUE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "vssd/nvme.h"

/* A queue pair's doorbell registers. Like a PCIe BAR they outlive the
 * queues: the host may write them whatever state its queues are in. */
struct nvme_doorbells {
	_Atomic uint32_t sq_tail;
	_Atomic uint32_t cq_head;
};

struct nvme_sq {
	struct nvme_sqe *ring;
	uint16_t qid;
	uint16_t size; /* entries */
	uint16_t cqid;
	uint16_t prio;
	uint16_t head;		      /* controller's consumer index */
	_Atomic uint16_t head_shadow; /* head as completions report it (sq_head) */
	_Atomic uint32_t *tail_db;    /* SQ tail doorbell, written by the host */
};

struct nvme_cq {
	struct nvme_cqe *ring;
	uint16_t qid;
	uint16_t size;
	uint16_t tail; /* controller's producer index */
	uint8_t phase; /* phase tag the controller writes now */
	bool irq_enabled;
	uint16_t vector;
	uint16_t nr_sqs;	   /* SQs bound to this CQ */
	_Atomic uint32_t *head_db; /* CQ head doorbell, written by the host */
};

/* Controller side. */

/* Reads the host's SQ tail doorbell: the number of new entries, or -1 if the
 * doorbell holds a value past the queue's end (an invalid doorbell write). */
static inline int nvme_sq_pending(struct nvme_sq *sq)
{
	/* acquire: pairs with the host's release store of the tail in nvme_sq_ring() */
	uint32_t tail = atomic_load_explicit(sq->tail_db, memory_order_acquire);

	if (tail >= sq->size)
		return -1;
	return tail >= sq->head ? (int)(tail - sq->head) : (int)(tail + sq->size - sq->head);
}

/* Takes the SQE at the head. Call only when nvme_sq_pending() > 0. */
static inline void nvme_sq_fetch(struct nvme_sq *sq, struct nvme_sqe *out)
{
	*out = sq->ring[sq->head];
	if (++sq->head == sq->size)
		sq->head = 0;
	atomic_store_explicit(&sq->head_shadow, sq->head, memory_order_release);
}

/* True when the CQ has no free slot (the host has not consumed enough). */
static inline bool nvme_cq_full(struct nvme_cq *cq)
{
	/* acquire: pairs with the host's release store in nvme_cq_ring_head() */
	uint32_t head = atomic_load_explicit(cq->head_db, memory_order_acquire);
	uint32_t next = cq->tail + 1u == cq->size ? 0 : cq->tail + 1u;

	return next == head;
}

/* Writes a CQE with the current phase. The status word, which carries the
 * phase, is stored last with release order so the host never sees a new
 * phase with old contents. Returns false if the CQ is full. */
bool nvme_cq_post(struct nvme_cq *cq, const struct nvme_cqe *cqe);

/* Host side: the host's own rings and the doorbell registers, nothing of
 * the controller's state. */

/* Copies sqe into the ring at the host's tail and rings the tail doorbell.
 * sq_head is the SQ head the host has learnt from completions (CQE
 * sq_head). Returns false when the queue is full (one slot always stays
 * empty, as the spec requires). */
bool nvme_sq_submit(struct nvme_sqe *ring, uint16_t size, _Atomic uint32_t *tail_db,
		    uint16_t *host_tail, uint16_t sq_head, const struct nvme_sqe *sqe);

/* Takes the next completion whose phase matches *host_phase; advances the
 * host's head and flips its phase on wrap. Returns false when none is there.
 * The CQ head doorbell is written separately (nvme_cq_ring_head), so a host
 * can reap a batch and ring once. */
bool nvme_cq_reap(const struct nvme_cqe *ring, uint16_t size, uint16_t *host_head,
		  uint8_t *host_phase, struct nvme_cqe *out);

static inline void nvme_cq_ring_head(_Atomic uint32_t *head_db, uint16_t host_head)
{
	/* release: the host is done with every entry before head; pairs with
	 * the acquire in nvme_cq_full() */
	atomic_store_explicit(head_db, host_head, memory_order_release);
}

#endif
