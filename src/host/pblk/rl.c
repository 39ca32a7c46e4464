/*
 * pblk's rate limiter, as pblk-rl.c did it. The ring buffer's entries (the
 * budget) are shared between user writes and GC writes by how many chunks
 * are free. With at least `high` free chunks the user has the whole budget
 * and GC is off (or has one window, when lines with write errors wait to be
 * moved). Below `high` the user keeps a window of 64 entries for every
 * 2^(high_pw - windows_pw) free chunks and GC has the rest; at `rsv` free
 * chunks or fewer only GC writes, so it can always finish the line it
 * started and free it.
 */
#include "host/pblk/pblk_int.h"

static uint32_t order_of(uint64_t v) /* ceil(log2(v)) */
{
	uint32_t o = 0;

	while ((1ull << o) < v)
		o++;
	return o;
}

void pblk_rl_init(struct pblk *pb)
{
	struct pblk_rl *rl = &pb->rl;
	uint32_t per_line = pb->nr_pus;

	uint64_t line_secs = (uint64_t)pb->clba * per_line;

	/* GC's reserve: a line to move a victim's data into, and room for what
	 * the ring buffer holds */
	rl->rsv = (1 + (uint32_t)((pb->rb_size + line_secs - 1) / line_secs)) * per_line;
	/* pblk started GC at its whole over-provisioning less a line, which
	 * keeps the spare space free rather than spread over the lines GC
	 * chooses from; two lines above the reserve (one shared with the
	 * user) leave the rest to GC */
	rl->high = rl->rsv + 2 * per_line;
	rl->high_pw = order_of(rl->high);
	rl->rb_budget = pb->rb_size;
	rl->windows_pw = order_of(rl->rb_budget / PBLK_MAX_VEC);
	rl->rb_user_max = rl->rb_budget;
}

void pblk_rl_update(struct pblk *pb)
{
	struct pblk_rl *rl = &pb->rl;
	bool werr = false;

	rl->free_blocks = 0;
	for (uint32_t l = 0; l < pb->nchk; l++) {
		const struct pblk_line *line = &pb->lines[l];

		rl->free_blocks += line->state == PBLK_LINESTATE_FREE ? line->nr_good : 0;
		werr |= line->state == PBLK_LINESTATE_CLOSED && line->w_err;
	}
	if (rl->free_blocks >= rl->high) {
		rl->rb_gc_max = werr ? PBLK_MAX_VEC : 0;
		rl->state = werr ? PBLK_RL_WERR : PBLK_RL_OFF;
	} else if (rl->free_blocks <= rl->rsv) {
		rl->rb_gc_max = rl->rb_budget;
		rl->state = PBLK_RL_RSV;
	} else {
		uint32_t shift = rl->high_pw > rl->windows_pw ? rl->high_pw - rl->windows_pw : 0;
		uint64_t user = (uint64_t)(rl->free_blocks >> shift) * PBLK_MAX_VEC;

		rl->rb_gc_max = user < rl->rb_budget ? rl->rb_budget - user : 0;
		rl->state = PBLK_RL_LOW;
	}
	rl->rb_user_max = rl->rb_budget - rl->rb_gc_max;
}

/* A user write may enter when its share has room; one that alone is over
 * the share still enters an empty share, so large writes are not starved. */
bool pblk_rl_user_may_insert(const struct pblk *pb, uint32_t nr)
{
	const struct pblk_rl *rl = &pb->rl;

	if (!rl->rb_user_max)
		return false;
	return rl->rb_user_cnt + nr <= rl->rb_user_max || !rl->rb_user_cnt;
}

bool pblk_rl_gc_may_insert(const struct pblk *pb, uint32_t nr)
{
	const struct pblk_rl *rl = &pb->rl;

	return rl->rb_gc_max && (rl->rb_gc_cnt + pb->gc.reserved + nr <= rl->rb_gc_max ||
				 !(rl->rb_gc_cnt + pb->gc.reserved));
}
