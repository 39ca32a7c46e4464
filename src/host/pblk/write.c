/*
 * pblk's write path. User writes are copied into the ring buffer at the mem
 * pointer and complete; the writer takes entries from the submission
 * pointer and stripes them over the open line's good parallel units, ws_opt
 * sectors to a unit, up to 64 sectors a vector write; completions advance
 * the sync pointer; entries leave the buffer (the l2p pointer) only when
 * the space is needed and the device can serve them (mw_cunits written
 * after them in their chunk, or the chunk full). A flush waits for the sync
 * pointer to pass it, padding a partial write unit. A line starts with smeta
 * and ends with emeta, its LBA list, both with a CRC.
 */
#include "host/pblk/pblk_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

static uint64_t rb_mask(const struct pblk *pb, uint64_t pos)
{
	return pos & (pb->rb_size - 1);
}

uint64_t pblk_rb_free(const struct pblk *pb)
{
	return pb->rb_size - (pb->rb_mem - pb->rb_l2p) - pb->gc.reserved;
}

struct pblk_line *pblk_line_of_addr(struct pblk *pb, uint32_t addr)
{
	return &pb->lines[addr / pb->line_max];
}

/* The device can serve an entry's sector: mw_cunits sectors after it in
 * its chunk have been written, or the chunk is full. */
static bool readable(const struct pblk *pb, const struct rb_entry *e)
{
	return pb->lines[e->line].chunk_done[e->pu_i] >= e->ready;
}

/* Entry e goes to line sector sec, the chunk sector cs of good PU pu_i. */
static void rb_assign(struct pblk *pb, struct rb_entry *e, const struct pblk_line *line,
		      uint32_t sec, uint32_t pu_i, uint32_t cs)
{
	e->addr = line->id * pb->line_max + sec;
	e->line = line->id;
	e->pu_i = (uint16_t)pu_i;
	e->ready = cs + 1 + pb->mw_cunits < pb->clba ? cs + 1 + pb->mw_cunits : pb->clba;
}

void pblk_rb_update_l2p(struct pblk *pb, uint64_t need)
{
	while (pblk_rb_free(pb) < need && pb->rb_l2p < pb->rb_sync) {
		uint64_t idx = rb_mask(pb, pb->rb_l2p);
		struct rb_entry *e = &pb->rb[idx];

		pblk_l2p_prefetch(pb, pb->rb[rb_mask(pb, idx + PBLK_PREFETCH_AHEAD)].lba);
		if (e->lba != PBLK_EMPTY && !readable(pb, e))
			break;
		if (e->lba != PBLK_EMPTY && pb->l2p[e->lba] == (PBLK_CACHED | (uint32_t)idx)) {
			pb->l2p[e->lba] = e->addr;
			pb->lines[e->line].vsc++;
		}
		pb->lines[e->line].rb_refs--;
		pb->rb_l2p++;
	}
}

/* A new copy of lba is at entry idx (or nowhere: PBLK_EMPTY, a trim): the
 * old one, on the device, is invalid. */
static void map_cached(struct pblk *pb, uint32_t lba, uint32_t idx)
{
	uint32_t old = pb->l2p[lba];

	if (old != PBLK_EMPTY && !(old & PBLK_CACHED))
		pblk_line_of_addr(pb, old)->vsc--;
	pb->l2p[lba] = idx == PBLK_EMPTY ? PBLK_EMPTY : PBLK_CACHED | idx;
}

/* Puts one entry at mem: data (NULL: padding) for lba. */
static void rb_put(struct pblk *pb, uint32_t lba, const uint8_t *data, bool gc)
{
	uint64_t idx = rb_mask(pb, pb->rb_mem++);

	pb->rb[idx] = (struct rb_entry){.lba = lba, .addr = PBLK_EMPTY, .gc = gc};
	/* with media=none nothing is kept anywhere: the buffer stays zeros */
	if (pb->cfg.media_none)
		;
	else if (data)
		memcpy(pb->rb_data + idx * 4096, data, 4096);
	else
		memset(pb->rb_data + idx * 4096, 0, 4096);
	if (lba != PBLK_EMPTY)
		map_cached(pb, lba, (uint32_t)idx);
	if (gc)
		pb->rl.rb_gc_cnt++;
	else if (lba != PBLK_EMPTY)
		pb->rl.rb_user_cnt++;
}

void pblk_rb_put_gc(struct pblk *pb, uint32_t lba, const uint8_t *data, uint32_t old_addr)
{
	pb->gc.reserved--;
	if (pb->l2p[lba] != old_addr)
		return; /* overwritten or trimmed while GC read it */
	rb_put(pb, lba, data, true);
	pb->st.gc_sectors++;
}

static bool write_try(struct pblk *pb, struct host_bio *bio)
{
	if (!pblk_rl_user_may_insert(pb, bio->nr))
		return false;
	if (pblk_rb_free(pb) < bio->nr)
		pblk_rb_update_l2p(pb, bio->nr);
	if (pblk_rb_free(pb) < bio->nr)
		return false;
	for (uint32_t i = 0; i < bio->nr; i++)
		rb_put(pb, (uint32_t)(bio->lba + i),
		       bio->buf ? bio->buf + (uint64_t)i * 4096 : NULL, false);
	pb->st.user_sectors += bio->nr;
	pblk_bio_due(pb, bio, pb->now_ns + bio->nr * pb->cfg.copy_ns);
	return true;
}

void pblk_wait_enqueue(struct pblk *pb, struct host_bio *bio)
{
	bio->next = NULL;
	if (pb->wait_tail)
		pb->wait_tail->next = bio;
	else
		pb->wait_head = bio;
	pb->wait_tail = bio;
}

int pblk_write(struct pblk *pb, struct host_bio *bio)
{
	if (pb->wait_head || !write_try(pb, bio))
		pblk_wait_enqueue(pb, bio);
	pblk_writer_kick(pb);
	return 0;
}

/* Unmaps: later reads see zeros. */
static void trim_now(struct pblk *pb, struct host_bio *bio)
{
	for (uint32_t i = 0; i < bio->nr; i++)
		map_cached(pb, (uint32_t)(bio->lba + i), PBLK_EMPTY);
	pb->st.trim_sectors += bio->nr;
	pblk_bio_due(pb, bio, pb->now_ns);
}

/* A trim waits behind earlier requests, so it never overtakes a write it follows. */
void pblk_trim(struct pblk *pb, struct host_bio *bio)
{
	if (pb->wait_head)
		pblk_wait_enqueue(pb, bio);
	else
		trim_now(pb, bio);
}

void pblk_flush(struct pblk *pb, struct host_bio *bio)
{
	bio->flush_point = pb->rb_mem;
	if (pb->rb_sync >= bio->flush_point) {
		pblk_bio_due(pb, bio, pb->now_ns);
		return;
	}
	bio->next = pb->flush_head;
	pb->flush_head = bio;
	pblk_writer_kick(pb);
}

/* Requests that waited (for buffer space or command contexts), in order.
 * Each leaves the queue before it starts: starting links it elsewhere. */
static void retry_waiting(struct pblk *pb)
{
	while (pb->wait_head) {
		struct host_bio *bio = pb->wait_head, *next = bio->next;

		if (next && next->next) /* a random write's L2P entry is a cache miss */
			pblk_l2p_prefetch(pb, (uint32_t)next->next->lba);
		if (bio->dir == HOST_BIO_WRITE	? !write_try(pb, bio)
		    : bio->dir == HOST_BIO_READ ? !pblk_read_try(pb, bio)
						: false)
			return;
		if (!(pb->wait_head = next))
			pb->wait_tail = NULL;
		if (bio->dir == HOST_BIO_TRIM)
			trim_now(pb, bio);
	}
}

static void complete_flushes(struct pblk *pb)
{
	struct host_bio **p = &pb->flush_head;

	while (*p) {
		struct host_bio *bio = *p;

		if (pb->rb_sync >= bio->flush_point) {
			*p = bio->next;
			pblk_bio_due(pb, bio, pb->now_ns);
		} else {
			p = &bio->next;
		}
	}
}

/* The write of the line's sectors [first, first + n) completed: each
 * chunk's count of sectors written moves up to the last of them it holds.
 * A write unit's sectors are consecutive in one chunk, so the last sector
 * of each unit says it all. */
static void chunk_written(struct pblk *pb, struct pblk_line *line, uint32_t first, uint32_t n)
{
	for (uint32_t end = first + n; first < end;) {
		uint32_t unit_end = (first / pb->ws_opt + 1) * pb->ws_opt, pu_i, cs;

		first = unit_end < end ? unit_end : end;
		pblk_sec_pos(pb, first - 1, line, &pu_i, &cs);
		if (cs + 1 > line->chunk_done[pu_i])
			line->chunk_done[pu_i] = cs + 1;
	}
}

void pblk_after_completion(struct pblk *pb)
{
	complete_flushes(pb);
	retry_waiting(pb);
	pblk_gc_kick(pb);
	pblk_writer_kick(pb);
	retry_waiting(pb); /* the writer may have freed ring space */
}

/* The device failed some sectors of a data write: their entries are written
 * again elsewhere (they are still in the ring), and the line is marked so
 * GC moves its data first. Anything but a write fault is beyond pblk, and so
 * is a sector that keeps failing: a device that fails most writes would
 * otherwise keep pblk rewriting for ever. */
static void too_many_write_fails(struct pblk *pb)
{
	char why[128];

	snprintf(why, sizeof(why),
		 "a buffered sector failed to write %d times: the device "
		 "fails too many writes to keep the data",
		 PBLK_MAX_WRITE_FAILS);
	pblk_fail_why(pb, why);
}

static void write_failed(struct pblk *pb, struct pblk_cmd *c, uint16_t status, uint64_t failed)
{
	if (status != NVME_SC_WRITE_FAULT) {
		pblk_fail(pb, "a vector write", status);
		failed = c->n >= 64 ? UINT64_MAX : (1ull << c->n) - 1;
	}
	c->line->w_err = true;
	for (uint32_t i = 0; i < c->n; i++) {
		struct rb_entry *e = &pb->rb[c->rb_idx[i]];

		if (!(failed >> i & 1) || c->rb_idx[i] == PBLK_EMPTY)
			continue; /* a failed pad sector is just used up */
		pb->st.write_errors++;
		if (++e->write_fails == PBLK_MAX_WRITE_FAILS)
			too_many_write_fails(pb);
		c->line->lba[c->sec[i]] = PBLK_EMPTY;
		c->line->rb_refs--;
		e->addr = PBLK_EMPTY;
		pb->resub[rb_mask(pb, pb->resub_tail++)] = c->rb_idx[i];
	}
}

static void data_done(void *arg, const struct nvme_cqe *cqe)
{
	struct pblk_cmd *c = arg;
	struct pblk *pb = c->pb;
	uint16_t status = nvme_cqe_code(cqe);
	uint64_t failed = status ? pblk_cqe_failed(cqe) : 0;

	pblk_tick(pb);
	if (status)
		write_failed(pb, c, status, failed);
	chunk_written(pb, c->line, c->first_sec, c->n); /* a failed sector is used up too */
	for (uint32_t i = 0; i < c->n; i++)
		if (!(failed >> i & 1) && c->rb_idx[i] != PBLK_EMPTY)
			pb->rb[c->rb_idx[i]].synced = true;
	while (pb->rb_sync < pb->rb_subm && pb->rb[rb_mask(pb, pb->rb_sync)].synced)
		pb->rb_sync++;
	c->line->data_inflight--;
	pblk_cmd_put(pb, c);
	pblk_after_completion(pb);
}

/* A failed metadata sector costs the line its emeta or smeta: recovery then
 * reads the line's out-of-band area instead; GC moves the line first. */
static void meta_done(void *arg, const struct nvme_cqe *cqe)
{
	struct pblk_cmd *c = arg;
	struct pblk *pb = c->pb;
	struct pblk_line *line = c->line;
	uint16_t status = nvme_cqe_code(cqe);

	pblk_tick(pb);
	if (status == NVME_SC_WRITE_FAULT) {
		pb->st.write_errors += (uint64_t)__builtin_popcountll(pblk_cqe_failed(cqe));
		line->w_err = true;
	} else if (status) {
		pblk_fail(pb, "a line metadata write", status);
	}
	chunk_written(pb, line, c->first_sec, c->n);
	if (!--line->meta_inflight && line->state == PBLK_LINESTATE_CLOSING) {
		line->state = PBLK_LINESTATE_CLOSED;
		pb->emeta_busy = false;
	}
	pblk_cmd_put(pb, c);
	pblk_after_completion(pb);
}

/* Submits a vector write of n sectors of the line from line->cur; page[i]
 * is each sector's data. Returns false when no context or queue slot is free. */
static bool submit_write(struct pblk *pb, struct pblk_line *line, uint32_t n, uint8_t *const *page,
			 const uint32_t *lbas, const uint32_t *rb_idx)
{
	struct pblk_cmd *c = pblk_cmd_get(pb);
	struct nvme_sqe sqe;

	if (!c)
		return false;
	for (uint32_t i = 0; i < n; i++) {
		/* a write unit's sectors are consecutive addresses in one chunk */
		c->lbas[i] = i && (line->cur + i) % pb->ws_opt
				     ? c->lbas[i - 1] + 1
				     : pblk_dev_addr(pb, line, line->cur + i);
		c->meta[i] = pblk_oob(lbas[i], line->seq);
		c->prp[i] = (uintptr_t)page[i];
		c->sec[i] = line->cur + i;
		c->rb_idx[i] = rb_idx ? rb_idx[i] : 0;
	}
	c->n = n;
	c->line = line;
	c->first_sec = line->cur;
	sqe = pblk_vector_sqe(NVME_CMD_OC_WRITE, c);
	if (pb->tr.submit(pb->tr.ctx, &sqe, rb_idx ? data_done : meta_done, c)) {
		pblk_cmd_put(pb, c);
		return false;
	}
	for (uint32_t i = 0; i < n; i++)
		line->lba[line->cur + i] = lbas[i];
	line->cur += n;
	if (rb_idx)
		line->data_inflight++;
	else
		line->meta_inflight++;
	return true;
}

uint32_t pblk_header_crc(struct line_header *h, const void *rest, size_t len)
{
	uLong crc;

	h->crc = 0;
	crc = crc32(0L, (const Bytef *)h, sizeof(*h));
	return (uint32_t)crc32(crc, rest, (uInt)len);
}

/* Metadata sectors from buf, in vector writes of whole write units. */
static bool write_meta(struct pblk *pb, struct pblk_line *line, uint8_t *buf, uint32_t end)
{
	uint32_t per = PBLK_MAX_VEC / pb->ws_opt * pb->ws_opt;
	uint32_t empty[PBLK_MAX_VEC];
	uint8_t *page[PBLK_MAX_VEC];

	memset(empty, 0xff, sizeof(empty));
	while (line->cur < end) {
		uint32_t n = end - line->cur < per ? end - line->cur : per;
		uint32_t first = line->cur - (end == pb->smeta_secs ? 0 : line->data_end);

		for (uint32_t i = 0; i < n; i++)
			page[i] = buf + (uint64_t)(first + i) * 4096;
		if (!submit_write(pb, line, n, page, empty, NULL))
			return false;
		pb->st.meta_sectors += n;
	}
	return true;
}

static bool open_line(struct pblk *pb)
{
	struct line_header *h = (struct line_header *)pb->smeta_buf;

	for (uint32_t l = 0; l < pb->nchk; l++) {
		struct pblk_line *line = &pb->lines[l];

		if (line->state != PBLK_LINESTATE_FREE)
			continue;
		line->state = PBLK_LINESTATE_OPEN;
		line->seq = ++pb->next_seq;
		line->cur = line->vsc = 0;
		line->w_err = false;
		memset(line->chunk_done, 0, pb->nr_pus * sizeof(uint32_t));
		memset(line->lba, 0xff, (uint64_t)pb->line_max * sizeof(uint32_t));
		memset(pb->smeta_buf, 0, (size_t)pb->smeta_secs * 4096);
		*h = (struct line_header){.magic = PBLK_SMETA_MAGIC,
					  .seq = line->seq,
					  .line = l,
					  .capacity = pb->capacity};
		h->crc = pblk_header_crc(h, NULL, 0);
		pb->cur = line;
		pblk_rl_update(pb);
		return true;
	}
	return false;
}

/* The line's data area is full: emeta (its LBA list) goes at its end. */
static void build_emeta(struct pblk *pb, struct pblk_line *line)
{
	struct line_header *h = (struct line_header *)pb->emeta_buf;
	size_t list = (size_t)line->data_end * sizeof(uint32_t);

	memset(pb->emeta_buf, 0, (size_t)pb->emeta_secs * 4096);
	memcpy(h + 1, line->lba, list);
	*h = (struct line_header){.magic = PBLK_EMETA_MAGIC,
				  .seq = line->seq,
				  .line = line->id,
				  .nr_lbas = line->data_end,
				  .valid = line->vsc};
	h->crc = pblk_header_crc(h, h + 1, list);
	line->state = PBLK_LINESTATE_CLOSING;
	pb->emeta_busy = true;
}

/* The ring entry the writer takes next: a failed one to write again first,
 * else the next at the submission pointer. */
static uint32_t next_entry(struct pblk *pb, uint64_t *resub, uint64_t *subm)
{
	if (*resub < pb->resub_tail)
		return pb->resub[rb_mask(pb, (*resub)++)];
	return (uint32_t)rb_mask(pb, (*subm)++);
}

/* Submits the next data write: n ring entries and `pad` sectors of padding
 * after them (zeros from outside the ring), in whole write units. An entry
 * written again whose LBA was overwritten meanwhile goes as padding, so the
 * newest copy stays the last one on the media. */
static bool write_data(struct pblk *pb, struct pblk_line *line, uint32_t n, uint32_t pad)
{
	uint8_t *page[PBLK_MAX_VEC]; /* the first n + pad of each are set */
	uint32_t lbas[PBLK_MAX_VEC], idx[PBLK_MAX_VEC];
	uint64_t resub = pb->resub_head, subm = pb->rb_subm;

	for (uint32_t i = 0; i < n; i++) {
		bool again = resub < pb->resub_tail;
		struct rb_entry *e = &pb->rb[idx[i] = next_entry(pb, &resub, &subm)];

		page[i] = pb->rb_data + (uint64_t)idx[i] * 4096;
		lbas[i] = e->lba;
		if (again && e->lba != PBLK_EMPTY && pb->l2p[e->lba] != (PBLK_CACHED | idx[i]))
			lbas[i] = PBLK_EMPTY;
	}
	for (uint32_t i = n; i < n + pad; i++) {
		page[i] = pb->zero_page;
		lbas[i] = PBLK_EMPTY;
		idx[i] = PBLK_EMPTY;
	}
	if (!submit_write(pb, line, n + pad, page, lbas, idx))
		return false;
	pb->st.pad_sectors += pad;
	for (uint32_t i = 0, pu_i = 0, cs = 0; i < n; i++) {
		struct rb_entry *e = &pb->rb[idx[i]];
		uint32_t sec = line->cur - n - pad + i;

		if (!i || sec % pb->ws_opt == 0) /* a write unit is consecutive in one chunk */
			pblk_sec_pos(pb, sec, line, &pu_i, &cs);
		else
			cs++;
		rb_assign(pb, e, line, sec, pu_i, cs);
		line->rb_refs++;
		if (pb->resub_head < pb->resub_tail) {
			pb->resub_head++;
			continue;
		}
		if (e->gc)
			pb->rl.rb_gc_cnt--;
		else if (e->lba != PBLK_EMPTY)
			pb->rl.rb_user_cnt--;
		pb->rb_subm++;
	}
	return true;
}

/* A flush waits for entries not yet submitted. */
static bool flush_wanted(const struct pblk *pb)
{
	for (const struct host_bio *b = pb->flush_head; b; b = b->next)
		if (b->flush_point > pb->rb_subm)
			return true;
	return false;
}

/* Synced entries cannot leave the ring because the device cannot serve them
 * yet (too little written after them in their chunk, as after a write was
 * done again at the line's end), nothing in flight will change that, and a
 * request needs their space. */
static bool ring_stuck(struct pblk *pb, const struct pblk_line *line)
{
	uint64_t want =
		pb->wait_head && pb->wait_head->dir == HOST_BIO_WRITE ? pb->wait_head->nr : 0;

	if (pb->gc.victim && !pb->gc.reads_inflight)
		want = want > PBLK_MAX_VEC ? want : PBLK_MAX_VEC;
	if (!want || pb->rb_l2p == pb->rb_sync || line->meta_inflight || line->data_inflight)
		return false;
	pblk_rb_update_l2p(pb, want);
	return pblk_rb_free(pb) < want && pb->rb_l2p < pb->rb_sync;
}

/* Less than a write unit waits: it is padded to one when a flush waits for
 * it, when it holds entries to write again (the sync pointer waits for
 * them), or when the ring is stuck (padding fills the chunks). */
static bool pad_wanted(struct pblk *pb, const struct pblk_line *line, uint64_t avail)
{
	return (avail && (flush_wanted(pb) || pb->resub_head < pb->resub_tail)) ||
	       ring_stuck(pb, line);
}

void pblk_writer_kick(struct pblk *pb)
{
	while (!pb->err[0]) {
		struct pblk_line *line = pb->cur;
		uint64_t avail = pb->rb_mem - pb->rb_subm + (pb->resub_tail - pb->resub_head),
			 units;

		if (!line) {
			if (pb->emeta_busy || !open_line(pb))
				return; /* no free line: GC must make one */
			continue;
		}
		if (line->cur < pb->smeta_secs) {
			if (!write_meta(pb, line, pb->smeta_buf, pb->smeta_secs))
				return;
			continue;
		}
		if (line->cur >= line->data_end) {
			/* emeta lists what the data writes left: wait for their failures */
			if (line->state == PBLK_LINESTATE_OPEN && line->data_inflight)
				return;
			if (line->state == PBLK_LINESTATE_OPEN)
				build_emeta(pb, line);
			if (!write_meta(pb, line, pb->emeta_buf, line->cap))
				return;
			pb->cur = NULL;
			continue;
		}
		units = avail / pb->ws_opt;
		if (units > PBLK_MAX_VEC / pb->ws_opt)
			units = PBLK_MAX_VEC / pb->ws_opt;
		if (units > (line->data_end - line->cur) / pb->ws_opt)
			units = (line->data_end - line->cur) / pb->ws_opt;
		if (!units) {
			if (!pad_wanted(pb, line, avail) ||
			    !write_data(pb, line, (uint32_t)avail, pb->ws_opt - (uint32_t)avail))
				return;
			continue;
		}
		if (!write_data(pb, line, (uint32_t)(units * pb->ws_opt), 0))
			return;
	}
}
