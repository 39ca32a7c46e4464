/*
 * pblk's garbage collection. Closed lines fall into groups by their valid
 * sector count (pblk's gc lists); GC takes lines with write errors first,
 * then the line with the fewest valid sectors. It reads the victim's valid
 * sectors (those its LBA list names whose L2P entry still points there) by
 * vector reads, and puts each copy into the ring buffer only if the L2P
 * still points at the victim when the read returns, so a user write that
 * came meanwhile wins. Once every copy and every write that invalidated
 * the victim is synced, its chunks are reset: until then a power loss
 * still finds the data there. A failed reset takes the chunk offline and
 * the line stripes over the chunks left.
 */
#include "host/pblk/pblk_int.h"

#include <stdio.h>
#include <string.h>

int pblk_gc_group(const struct pblk *pb, const struct pblk_line *line)
{
	uint32_t data = line->data_end - pb->smeta_secs;

	if (line->w_err)
		return PBLK_GC_GROUP_WERR;
	if (!line->vsc)
		return PBLK_GC_GROUP_EMPTY;
	if (line->vsc < data / 8)
		return PBLK_GC_GROUP_HIGH;
	if (line->vsc < data / 2)
		return PBLK_GC_GROUP_MID;
	return line->vsc < data ? PBLK_GC_GROUP_LOW : PBLK_GC_GROUP_FULL;
}

/* The closed line to collect, or NULL. Lines whose ring entries have not
 * left the buffer yet are not candidates (their L2P entries would move to
 * the line after GC looked). */
static struct pblk_line *pick_victim(struct pblk *pb)
{
	struct pblk_line *best = NULL;
	int best_group = PBLK_GC_GROUP_FULL;

	pblk_rb_update_l2p(pb, pb->rb_size);
	for (uint32_t l = 0; l < pb->nchk; l++) {
		struct pblk_line *line = &pb->lines[l];
		int g;

		if (line->state != PBLK_LINESTATE_CLOSED || line->rb_refs)
			continue;
		g = pblk_gc_group(pb, line);
		if (pb->rl.state == PBLK_RL_WERR && g != PBLK_GC_GROUP_WERR)
			continue;
		if (g < best_group || (best && g == best_group && line->vsc < best->vsc)) {
			best = line;
			best_group = g;
		}
	}
	return best;
}

static void gc_read_done(void *arg, const struct nvme_cqe *cqe)
{
	struct pblk_cmd *c = arg;
	struct pblk *pb = c->pb;
	uint16_t status = nvme_cqe_code(cqe);
	uint64_t failed = status ? pblk_cqe_failed(cqe) : 0;

	pblk_tick(pb);
	for (uint32_t k = 0; k < c->n; k++) {
		uint32_t lba = c->rb_idx[k], old = c->line->id * pb->line_max + c->sec[k];

		if ((failed >> k & 1) || (!pb->cfg.media_none && (uint32_t)c->meta[k] != lba)) {
			/* the only copy is unreadable: the LBA is lost, and says so on read */
			pb->st.read_errors++;
			pb->gc.reserved--;
			if (pb->l2p[lba] == old) {
				pb->l2p[lba] = PBLK_EMPTY;
				c->line->vsc--;
			}
			continue;
		}
		pblk_rb_put_gc(pb, lba, c->bounce + (uint64_t)k * 4096, old);
	}
	pb->gc.reads_inflight--;
	pblk_cmd_put(pb, c);
	pblk_after_completion(pb);
}

/* The victim's next valid sectors, up to 64, from gc->next_sec: into c
 * (addresses, line sectors, LBAs). Returns how far the scan got. */
static uint32_t gather(struct pblk *pb, struct pblk_line *v, struct pblk_cmd *c)
{
	uint32_t sec = pb->gc.next_sec;

	c->n = 0;
	for (; sec < v->data_end && c->n < PBLK_MAX_VEC; sec++) {
		uint32_t lba = v->lba[sec];

		pblk_l2p_prefetch(
			pb,
			v->lba[sec + PBLK_PREFETCH_AHEAD < v->data_end ? sec + PBLK_PREFETCH_AHEAD
								       : sec]);

		if (lba >= pb->capacity || pb->l2p[lba] != v->id * pb->line_max + sec)
			continue;
		c->lbas[c->n] = pblk_dev_addr(pb, v, sec);
		c->sec[c->n] = sec;
		c->rb_idx[c->n] = lba; /* a GC read keeps its LBAs here */
		c->prp[c->n] = (uintptr_t)(c->bounce + (uint64_t)c->n * 4096);
		c->n++;
	}
	return sec;
}

/* Starts GC reads while the rate limiter and the ring allow. Returns true
 * when the victim is fully read. */
static bool gc_read_more(struct pblk *pb, struct pblk_line *v)
{
	struct pblk_gc *gc = &pb->gc;

	while (gc->reads_inflight < PBLK_GC_READS && gc->next_sec < v->data_end) {
		struct pblk_cmd *c = pblk_cmd_get(pb);
		struct nvme_sqe sqe;
		uint32_t end;

		if (!c)
			return false;
		/* room for a whole read first: gathering is a scan of the line */
		if (!pblk_rl_gc_may_insert(pb, PBLK_MAX_VEC) ||
		    (pblk_rb_update_l2p(pb, PBLK_MAX_VEC), pblk_rb_free(pb) < PBLK_MAX_VEC)) {
			pblk_cmd_put(pb, c);
			return false;
		}
		end = gather(pb, v, c);
		if (c->n) {
			c->line = v;
			sqe = pblk_vector_sqe(NVME_CMD_OC_READ, c);
			if (pb->tr.submit(pb->tr.ctx, &sqe, gc_read_done, c)) {
				pblk_cmd_put(pb, c);
				return false;
			}
			gc->reserved += c->n;
			gc->reads_inflight++;
		} else {
			pblk_cmd_put(pb, c);
		}
		gc->next_sec = end;
	}
	return gc->next_sec >= v->data_end && !gc->reads_inflight;
}

static void line_freed(struct pblk *pb, struct pblk_line *line)
{
	line->state = PBLK_LINESTATE_FREE;
	pblk_line_setup(pb, line); /* without the chunks that went offline */
	pb->st.gc_lines++;
	pblk_rl_update(pb);
}

static void reset_done(void *arg, const struct nvme_cqe *cqe)
{
	struct pblk_cmd *c = arg;
	struct pblk *pb = c->pb;
	struct pblk_line *line = c->line;
	uint16_t status = nvme_cqe_code(cqe);
	uint64_t failed = status ? pblk_cqe_failed(cqe) : 0;

	pblk_tick(pb);
	if (status && status != NVME_SC_OC_OFFLINE_CHUNK)
		pblk_fail(pb, "a chunk reset", status);
	for (uint32_t k = 0; k < c->n; k++) {
		if (!(failed >> k & 1))
			continue;
		pb->offline[(uint64_t)line->id * pb->nr_pus + line->good_pu[c->sec[k]]] = 1;
		pb->st.erase_errors++;
		pb->st.bad_chunks++;
	}
	pblk_cmd_put(pb, c);
	if (!--line->meta_inflight)
		line_freed(pb, line);
	pblk_after_completion(pb);
}

/* Resets the line's written chunks (a chunk never written is free
 * already), in as many vector resets as it takes; false when there are not
 * enough command contexts yet (tried again at the next completion). */
static bool reset_line(struct pblk *pb, struct pblk_line *line)
{
	uint32_t written = 0;
	struct pblk_cmd *c = NULL;

	for (uint32_t i = 0; i < line->nr_good; i++)
		written += line->chunk_done[i] > 0;
	if ((written + PBLK_MAX_VEC - 1) / PBLK_MAX_VEC > pb->nfree_cmds)
		return false;
	line->state = PBLK_LINESTATE_RESETTING;
	line->meta_inflight++; /* this function's own, dropped at its end */
	for (uint32_t i = 0; i <= line->nr_good; i++) {
		struct nvme_sqe sqe;

		if (i < line->nr_good && line->chunk_done[i]) {
			if (!c) {
				c = pblk_cmd_get(pb);
				c->n = 0;
				c->line = line;
			}
			c->lbas[c->n] = pblk_dev_addr(pb, line, i * pb->ws_opt);
			c->sec[c->n++] = i; /* the good-PU index */
			line->chunk_done[i] = 0;
		}
		if (!c || (c->n < PBLK_MAX_VEC && i < line->nr_good))
			continue;
		sqe = pblk_vector_sqe(NVME_CMD_OC_RESET, c);
		line->meta_inflight++;
		if (pb->tr.submit(pb->tr.ctx, &sqe, reset_done, c)) {
			pblk_fail(pb, "a chunk reset submission", NVME_SC_INTERNAL);
			line->meta_inflight--;
			pblk_cmd_put(pb, c);
		}
		c = NULL;
	}
	if (!--line->meta_inflight)
		line_freed(pb, line);
	return true;
}

/* Resets the lines GC emptied whose copies are all synced, oldest first. */
static void reset_freed_lines(struct pblk *pb)
{
	struct pblk_gc *gc = &pb->gc;

	while (gc->freeing_head != gc->freeing_tail) {
		struct pblk_line *line = &pb->lines[gc->freeing[gc->freeing_head % pb->nchk]];

		if (pb->rb_sync < line->free_after || !reset_line(pb, line))
			return;
		gc->freeing_head++;
	}
}

/* Only GC may write, and it has nothing to collect or wait for: every line
 * is full of valid data, as when too many chunks went offline. */
static void check_full(struct pblk *pb)
{
	if (pb->rl.rb_user_max || !pb->wait_head || pb->emeta_busy ||
	    pb->gc.freeing_head != pb->gc.freeing_tail)
		return;
	for (uint32_t l = 0; l < pb->nchk; l++) {
		enum pblk_line_state state = pb->lines[l].state;

		if (state == PBLK_LINESTATE_CLOSING || state == PBLK_LINESTATE_RESETTING)
			return;
	}
	snprintf(pb->err, sizeof(pb->err),
		 "pblk is out of space: every line is full of valid "
		 "data and %llu chunks are offline; writes cannot go on",
		 (unsigned long long)pb->st.bad_chunks);
}

void pblk_gc_kick(struct pblk *pb)
{
	struct pblk_gc *gc = &pb->gc;

	while (!pb->err[0]) {
		struct pblk_line *v = gc->victim;

		reset_freed_lines(pb);
		if (!v) {
			if (pb->rl.state == PBLK_RL_OFF)
				return;
			if (!(v = pick_victim(pb))) {
				check_full(pb);
				return;
			}
			gc->victim = v;
			v->state = PBLK_LINESTATE_GC;
			gc->next_sec = pb->smeta_secs;
		}
		if (!gc_read_more(pb, v))
			return;
		if (v->vsc) { /* cannot be: every valid sector was read and put */
			pblk_fail(pb, "GC left valid data in its victim", NVME_SC_INTERNAL);
			return;
		}
		/* its copies, and the writes that made the rest invalid, are
		 * before the mem pointer: once synced, the line can go */
		v->state = PBLK_LINESTATE_FREEING;
		v->free_after = pb->rb_mem;
		gc->freeing[gc->freeing_tail++ % pb->nchk] = v->id;
		gc->victim = NULL;
	}
}
