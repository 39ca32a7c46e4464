/* Ring operations that are more than a line. */
#include "nvme/queue.h"

#include <string.h>

bool nvme_cq_post(struct nvme_cq *cq, const struct nvme_cqe *cqe)
{
	struct nvme_cqe *slot;
	uint16_t status;

	if (nvme_cq_full(cq))
		return false;
	slot = &cq->ring[cq->tail];
	slot->result = cqe->result;
	slot->dw1 = cqe->dw1;
	slot->sq_head = cqe->sq_head;
	slot->sq_id = cqe->sq_id;
	slot->cid = cqe->cid;
	status = (uint16_t)((cqe->status & ~NVME_CQE_PHASE) | cq->phase);
	/* release: pairs with the acquire load of the status in nvme_cq_reap() */
	__atomic_store_n(&slot->status, status, __ATOMIC_RELEASE);
	if (++cq->tail == cq->size) {
		cq->tail = 0;
		cq->phase ^= 1;
	}
	return true;
}

bool nvme_sq_submit(struct nvme_sqe *ring, uint16_t size, _Atomic uint32_t *tail_db,
		    uint16_t *host_tail, uint16_t sq_head, const struct nvme_sqe *sqe)
{
	uint16_t next = *host_tail + 1 == size ? 0 : (uint16_t)(*host_tail + 1);

	if (next == sq_head)
		return false;
	ring[*host_tail] = *sqe;
	*host_tail = next;
	/* release: the SQE is written before the controller can see the tail;
	 * pairs with the acquire in nvme_sq_pending() */
	atomic_store_explicit(tail_db, next, memory_order_release);
	return true;
}

bool nvme_cq_reap(const struct nvme_cqe *ring, uint16_t size, uint16_t *host_head,
		  uint8_t *host_phase, struct nvme_cqe *out)
{
	const struct nvme_cqe *slot = &ring[*host_head];
	/* acquire: pairs with the release store of the status in nvme_cq_post() */
	uint16_t status = __atomic_load_n(&slot->status, __ATOMIC_ACQUIRE);

	if ((status & NVME_CQE_PHASE) != *host_phase)
		return false;
	/* field by field: the status word is only ever accessed atomically */
	out->result = slot->result;
	out->dw1 = slot->dw1;
	out->sq_head = slot->sq_head;
	out->sq_id = slot->sq_id;
	out->cid = slot->cid;
	out->status = status;
	if (++*host_head == size) {
		*host_head = 0;
		*host_phase ^= 1;
	}
	return true;
}
