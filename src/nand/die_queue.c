/*
 * The per-die booking queue behind program/erase suspend: a ring of the
 * operations booked from the present on, oldest first. It stays short (the
 * work booked ahead on one die), so lookups are scans.
 */
#include "nand/die_queue.h"

#include <stdlib.h>

static bool grow(struct die_queue *q)
{
	uint32_t cap = q->cap ? q->cap * 2 : 16;
	struct die_op *op = malloc(cap * sizeof(*op));

	if (!op)
		return false;
	for (uint32_t i = 0; i < q->n; i++) /* unroll the ring */
		op[i] = *dq_at(q, i);
	free(q->op);
	q->op = op;
	q->head = 0;
	q->cap = cap;
	return true;
}

bool dq_push(struct die_queue *q, enum die_op_kind kind, uint64_t start_ns, uint64_t end_ns,
	     bool wb_pending, uint32_t *seq)
{
	struct die_op *op;

	if (q->n == q->cap && !grow(q))
		return false;
	op = &q->op[(q->head + q->n++) % q->cap];
	*op = (struct die_op){.start_ns = start_ns,
			      .end_ns = end_ns,
			      .seq = q->next_seq,
			      .kind = (uint8_t)kind,
			      .wb_pending = wb_pending};
	*seq = q->next_seq++;
	return true;
}

void dq_retire(struct die_queue *q, uint64_t floor_ns)
{
	while (q->n && dq_at(q, 0)->end_ns <= floor_ns && !dq_at(q, 0)->wb_pending) {
		q->head = (q->head + 1) % q->cap;
		q->n--;
	}
}

uint32_t dq_first_ending_after(const struct die_queue *q, uint64_t t_ns)
{
	uint32_t i = 0;

	/* booked back to back in start order, so ends rise too */
	while (i < q->n && dq_at(q, i)->end_ns <= t_ns)
		i++;
	return i;
}

uint64_t dq_push_back(struct die_queue *q, uint32_t i, uint64_t free_ns)
{
	for (; i < q->n; i++) {
		struct die_op *op = dq_at(q, i);

		if (op->start_ns >= free_ns)
			break;
		op->end_ns += free_ns - op->start_ns;
		op->start_ns = free_ns;
		free_ns = op->end_ns;
	}
	return q->n ? dq_at(q, q->n - 1)->end_ns : 0;
}

struct die_op *dq_find(const struct die_queue *q, uint32_t seq)
{
	/* numbers wrap; the live ones are the n from the head's on */
	uint32_t i = seq - (q->n ? dq_at(q, 0)->seq : seq);

	return i < q->n ? dq_at(q, i) : NULL;
}

void dq_fini(struct die_queue *q)
{
	free(q->op);
	*q = (struct die_queue){0};
}
