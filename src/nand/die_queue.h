/*
 * What each die has booked, for program/erase suspend (suspend=on): its
 * programs, erases and background (GC) reads from the present on, in the
 * order they run. Work is booked when it is submitted, so a host read that
 * arrives later must be able to go ahead of what is queued and suspend
 * what is running: the queue says which operation runs at a given time,
 * and moves the ones behind it when a read takes their place. A program
 * that holds write-buffer data keeps its record until the buffer has let
 * the data go, because the buffer asks it when it really ended.
 */
#ifndef VSSD_NAND_DIE_QUEUE_H
#define VSSD_NAND_DIE_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

enum die_op_kind { DIE_OP_READ, DIE_OP_PROGRAM, DIE_OP_ERASE };

struct die_op {
	uint64_t start_ns, end_ns; /* end_ns moves when it is suspended or pushed back */
	uint32_t seq;		   /* its number on the die (wrapping), for the write buffer */
	uint8_t kind;		   /* enum die_op_kind */
	uint8_t suspensions;
	bool wb_pending; /* the write buffer has not yet freed the data it programs */
};

struct die_queue {
	struct die_op *op; /* ring: op[(head + i) % cap], i < n, in start order */
	uint32_t head, n, cap;
	uint32_t next_seq;
	uint64_t host_read_free_ns; /* when the next host read may start sensing */
	/* the operation last suspended, and when its reads end: a read that
	 * comes by then is served in the same suspension */
	uint32_t susp_seq;
	uint64_t susp_reads_end_ns;
};

/* Books an operation at the tail, its number in *seq. Returns false when
 * there is no memory: it is then not tracked (nothing suspends or moves it). */
bool dq_push(struct die_queue *q, enum die_op_kind kind, uint64_t start_ns, uint64_t end_ns,
	     bool wb_pending, uint32_t *seq);

/* Forgets operations that ended by floor_ns and hold no write-buffer data. */
void dq_retire(struct die_queue *q, uint64_t floor_ns);

/* The i-th booked operation (i < n). */
static inline struct die_op *dq_at(const struct die_queue *q, uint32_t i)
{
	return &q->op[(q->head + i) % q->cap];
}

/* The index of the first operation that ends after t_ns, or n. */
uint32_t dq_first_ending_after(const struct die_queue *q, uint64_t t_ns);

/* Operations from index i on start no earlier than free_ns: each one that
 * would is pushed back, and those behind it as far as it then reaches
 * (gaps absorb the push). Returns the end of the last one, or 0 for none. */
uint64_t dq_push_back(struct die_queue *q, uint32_t i, uint64_t free_ns);

/* The operation numbered seq, or NULL when it has been forgotten. */
struct die_op *dq_find(const struct die_queue *q, uint32_t seq);

void dq_fini(struct die_queue *q);

#endif
