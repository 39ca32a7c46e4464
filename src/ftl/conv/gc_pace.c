/*
 * gc_pacing=proportional. A foreground collection happens when line pacing
 * would do it, and its bookkeeping (map, lines, credits) is done at once
 * as there, so WAF and every count are line pacing's. Its NAND work (page
 * reads, the programs of the copies, the erases) goes into the reclaim
 * group's queue instead of onto the dies, each read costed at the host
 * writes the victim's free space pays for it (valid units over freed ones
 * per unit read), and each host unit the group writes then issues its
 * share. So a victim's copies spread over the host writes it makes room
 * for, and no host write waits behind a whole line's. The queue waits for
 * at most a line's worth of host writes; past that (collections come
 * faster than host writes pay for them) the oldest collection's work is
 * issued at once. A device going idle issues what is queued, and a
 * checkpoint all of it first.
 */
#include "ftl/conv/conv_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define GC_PACE_ONE 1024 /* one host unit, in the queue's fixed point */
/* A victim's work is issued over the first quarter of the host writes its
 * space takes, not all of them: the longer it lags, the more host writes
 * queue behind it at once (demo: IOPS 3.1% under line pacing paying over
 * all of them, 1.8% over half, 0.9% over a quarter, at tails of 33, 46
 * and 81 ms for line pacing's 2.0 s). */
#define GC_PACE_AHEAD 4

enum gc_op_kind { GC_OP_READ, GC_OP_PROGRAM, GC_OP_ERASE };

struct gc_op {
	uint8_t kind;	   /* enum gc_op_kind */
	uint8_t page_type; /* of a read */
	uint8_t last;	   /* the last op of its collection */
	uint16_t units;	   /* of a read */
	uint32_t die;
	uint64_t prog_ns; /* of a program */
	uint64_t cost;	  /* host writes it waits for, in GC_PACE_ONE (reads) */
};

static int push(struct gc_queue *q, struct gc_op op)
{
	if (q->head + q->n == q->cap && q->head) { /* slide the pending ops down */
		memmove(q->op, q->op + q->head, q->n * sizeof(*q->op));
		q->head = 0;
	}
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 256;
		struct gc_op *p = realloc(q->op, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		q->op = p;
		q->cap = cap;
	}
	q->op[q->head + q->n++] = op;
	return 0;
}

/* Issues the queue's next op at now_ns; a program once its data, read by
 * the reads before it, is in. */
static void issue_next(struct conv_ftl *f, struct gc_queue *q, uint64_t now_ns)
{
	const struct gc_op *op = &q->op[q->head];
	uint64_t end;

	switch (op->kind) {
	case GC_OP_READ:
		end = nand_read(f->tm, op->die, op->page_type, now_ns, op->units);
		q->data_ready_ns = end > q->data_ready_ns ? end : q->data_ready_ns;
		break;
	case GC_OP_PROGRAM:
		nand_program(f->tm, op->die, q->data_ready_ns > now_ns ? q->data_ready_ns : now_ns,
			     op->prog_ns, 0);
		break;
	default: nand_erase(f->tm, op->die, now_ns); break;
	}
	q->victims -= op->last;
	q->cost -= op->cost;
	q->head++;
	if (!--q->n)
		q->head = 0;
}

/* Queues an op of the collection being recorded: false when there is no
 * memory for it; the queue is then issued, the rest of the collection
 * goes to the dies at once, and the op is left to the caller. */
static bool record(struct conv_ftl *f, struct gc_op op, uint64_t now_ns)
{
	if (!push(f->gc_recording, op))
		return true;
	conv_gc_drain(f, f->gc_recording, now_ns);
	f->gc_recording = NULL;
	return false;
}

uint64_t conv_gc_read(struct conv_ftl *f, uint32_t die, uint32_t page_type, uint64_t now_ns,
		      uint32_t units)
{
	struct gc_op op = {.kind = GC_OP_READ,
			   .page_type = (uint8_t)page_type,
			   .units = (uint16_t)units,
			   .die = die};

	if (f->gc_recording && record(f, op, now_ns))
		return now_ns;
	return nand_read(f->tm, die, page_type, now_ns, units);
}

void conv_gc_program(struct conv_ftl *f, uint32_t die, uint64_t ready_ns, uint64_t prog_ns)
{
	struct gc_op op = {.kind = GC_OP_PROGRAM, .die = die, .prog_ns = prog_ns};

	if (!f->gc_recording || !record(f, op, ready_ns))
		nand_program(f->tm, die, ready_ns, prog_ns, 0);
}

void conv_gc_erase(struct conv_ftl *f, uint32_t die, uint64_t now_ns)
{
	struct gc_op op = {.kind = GC_OP_ERASE, .die = die};

	if (!f->gc_recording || !record(f, op, now_ns))
		nand_erase(f->tm, die, now_ns);
}

/* Costs the collection's ops, the last n of the queue: valid / freed host
 * units per unit read (over GC_PACE_AHEAD), so its reads are issued over
 * the host writes its free space takes. */
static void cost_collection(struct gc_queue *q, size_t n, uint64_t valid, uint64_t freed)
{
	size_t end = q->head + q->n;

	for (size_t i = end - n; i < end; i++)
		if (q->op[i].kind == GC_OP_READ) {
			q->op[i].cost =
				q->op[i].units * freed * GC_PACE_ONE / valid / GC_PACE_AHEAD;
			q->cost += q->op[i].cost;
		}
	if (n) {
		q->op[end - 1].last = 1;
		q->victims++;
	}
}

/* Issues the oldest collection's work at once. */
static void issue_oldest(struct conv_ftl *f, struct gc_queue *q, uint64_t now_ns)
{
	uint32_t victims = q->victims;

	while (q->n && q->victims == victims)
		issue_next(f, q, now_ns);
}

size_t conv_gc_record_begin(struct conv_ftl *f, uint32_t rg)
{
	f->gc_recording = &f->rg[rg].q;
	return f->rg[rg].q.n;
}

void conv_gc_record_end(struct conv_ftl *f, uint32_t rg, size_t before, uint64_t valid,
			uint64_t freed, uint64_t now_ns)
{
	struct gc_queue *q = &f->rg[rg].q;

	f->gc_recording = NULL;
	cost_collection(q, q->n >= before ? q->n - before : 0, valid ? valid : 1, freed);
	while (q->cost > (uint64_t)f->geo->units_per_line * GC_PACE_ONE)
		issue_oldest(f, q, now_ns);
}

int conv_gc_collect_paced(struct conv_ftl *f, uint32_t rg, uint64_t now_ns)
{
	int64_t credits = f->rg[rg].credits;
	size_t before = conv_gc_record_begin(f, rg);
	int rc = conv_gc_collect(f, rg, now_ns);
	/* a failed collection frees nothing: what it did is due at once */
	uint64_t freed = rc ? 0 : (uint64_t)(f->rg[rg].credits - credits);

	conv_gc_record_end(f, rg, before, f->geo->units_per_line - freed, freed, now_ns);
	return rc;
}

void conv_gc_pace(struct conv_ftl *f, uint32_t rg, uint64_t now_ns)
{
	struct gc_queue *q = &f->rg[rg].q;

	q->credit += GC_PACE_ONE;
	while (q->n && q->op[q->head].cost <= q->credit) {
		q->credit -= q->op[q->head].cost;
		issue_next(f, q, now_ns);
	}
	if (!q->n)
		q->credit = 0; /* host writes are not banked for later collections */
}

void conv_gc_drain(struct conv_ftl *f, struct gc_queue *q, uint64_t now_ns)
{
	while (q->n)
		issue_next(f, q, now_ns);
	q->credit = 0;
	q->cost = 0;
}

void conv_gc_drain_all(struct conv_ftl *f, uint64_t now_ns)
{
	for (uint32_t g = 0; g < f->nrg; g++)
		conv_gc_drain(f, &f->rg[g].q, now_ns);
}
