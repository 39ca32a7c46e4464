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
#include <string.h>
#include <zlib.h>

#define SMETA_MAGIC 0x41544d53424c4250ull /* "PBLKSMTA" */
#define EMETA_MAGIC 0x41544d45424c4250ull /* "PBLKEMTA" */

struct line_header {
	uint64_t magic;
	uint64_t seq;
	uint32_t line, nr_lbas;
	uint32_t valid; /* emeta: the line's valid sectors when it was closed */
	uint32_t crc;   /* of the header (crc 0) and what follows it */
};

static uint64_t rb_mask(const struct pblk *pb, uint64_t pos)
{
	return pos & (pb->rb_size - 1);
}

static uint64_t rb_free(const struct pblk *pb)
{
	return pb->rb_size - (pb->rb_mem - pb->rb_l2p);
}

static struct pblk_line *line_of_addr(struct pblk *pb, uint32_t addr)
{
	return &pb->lines[addr / pb->line_max];
}

/* The device can serve a written sector: mw_cunits sectors after it in its
 * chunk have been written, or the chunk is full. */
static bool readable(const struct pblk *pb, uint32_t addr)
{
	const struct pblk_line *line = &pb->lines[addr / pb->line_max];
	uint32_t pu_i, cs, done;

	pblk_sec_pos(pb, addr % pb->line_max, line, &pu_i, &cs);
	done = line->chunk_done[pu_i];
	return done == pb->clba || done >= cs + 1 + pb->mw_cunits;
}

/* Frees the oldest synced entries until `need` are free: their L2P entries
 * (if still theirs) move to the device address. */
static void rb_update_l2p(struct pblk *pb, uint64_t need)
{
	while (rb_free(pb) < need && pb->rb_l2p < pb->rb_sync) {
		uint64_t idx = rb_mask(pb, pb->rb_l2p);
		struct rb_entry *e = &pb->rb[idx];

		if (e->lba != PBLK_EMPTY) {
			if (!readable(pb, e->addr))
				break;
			if (pb->l2p[e->lba] == (PBLK_CACHED | (uint32_t)idx)) {
				pb->l2p[e->lba] = e->addr;
				line_of_addr(pb, e->addr)->vsc++;
			}
		}
		pb->rb_l2p++;
	}
}

/* A new copy of lba is at entry idx: the old one, on the device, is invalid. */
static void map_cached(struct pblk *pb, uint32_t lba, uint32_t idx)
{
	uint32_t old = pb->l2p[lba];

	if (old != PBLK_EMPTY && !(old & PBLK_CACHED))
		line_of_addr(pb, old)->vsc--;
	pb->l2p[lba] = PBLK_CACHED | idx;
}

/* Puts one entry at mem: data (NULL: padding) for lba. */
static void rb_put(struct pblk *pb, uint32_t lba, const uint8_t *data)
{
	uint64_t idx = rb_mask(pb, pb->rb_mem++);

	pb->rb[idx] = (struct rb_entry){.lba = lba, .addr = PBLK_EMPTY};
	if (data)
		memcpy(pb->rb_data + idx * 4096, data, 4096);
	else
		memset(pb->rb_data + idx * 4096, 0, 4096);
	if (lba != PBLK_EMPTY)
		map_cached(pb, lba, (uint32_t)idx);
}

static bool write_try(struct pblk *pb, struct pblk_bio *bio)
{
	if (rb_free(pb) < bio->nr)
		rb_update_l2p(pb, bio->nr);
	if (rb_free(pb) < bio->nr)
		return false;
	for (uint32_t i = 0; i < bio->nr; i++)
		rb_put(pb, (uint32_t)(bio->lba + i), bio->buf ? bio->buf + (uint64_t)i * 4096 : NULL);
	pb->st.user_sectors += bio->nr;
	pblk_bio_due(pb, bio, pb->now_ns + bio->nr * pb->cfg.copy_ns);
	return true;
}

void pblk_wait_enqueue(struct pblk *pb, struct pblk_bio *bio)
{
	bio->next = NULL;
	if (pb->wait_tail)
		pb->wait_tail->next = bio;
	else
		pb->wait_head = bio;
	pb->wait_tail = bio;
}

int pblk_write(struct pblk *pb, struct pblk_bio *bio)
{
	if (bio->nr > pb->rb_size / 2)
		return -EINVAL;
	if (pb->wait_head || !write_try(pb, bio))
		pblk_wait_enqueue(pb, bio);
	pblk_writer_kick(pb);
	return 0;
}

void pblk_flush(struct pblk *pb, struct pblk_bio *bio)
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

/* Requests that waited (for buffer space or command contexts), in order. */
static void retry_waiting(struct pblk *pb)
{
	while (pb->wait_head) {
		struct pblk_bio *bio = pb->wait_head;
		bool started = bio->dir == PBLK_WRITE ? write_try(pb, bio) : pblk_read_try(pb, bio);

		if (!started)
			return;
		if (!(pb->wait_head = bio->next))
			pb->wait_tail = NULL;
	}
}

static void complete_flushes(struct pblk *pb)
{
	struct pblk_bio **p = &pb->flush_head;

	while (*p) {
		struct pblk_bio *bio = *p;

		if (pb->rb_sync >= bio->flush_point) {
			*p = bio->next;
			pblk_bio_due(pb, bio, pb->now_ns);
		} else {
			p = &bio->next;
		}
	}
}

/* Sectors of the line whose write completed: per chunk, in order. */
static void chunk_written(struct pblk *pb, struct pblk_line *line, uint32_t sec)
{
	uint32_t pu_i, cs;

	pblk_sec_pos(pb, sec, line, &pu_i, &cs);
	if (cs + 1 > line->chunk_done[pu_i])
		line->chunk_done[pu_i] = cs + 1;
}

static uint16_t cqe_status(const struct nvme_cqe *cqe)
{
	return cqe->status & ~NVME_CQE_PHASE & ~NVME_CQE_DNR;
}

void pblk_after_completion(struct pblk *pb)
{
	complete_flushes(pb);
	retry_waiting(pb);
	pblk_writer_kick(pb);
}

static void data_done(void *arg, const struct nvme_cqe *cqe)
{
	struct pblk_cmd *c = arg;
	struct pblk *pb = c->pb;
	uint16_t status = cqe_status(cqe);

	if (status) {
		pb->st.write_errors++;
		pblk_fail(pb, "a vector write", status);
	}
	for (uint32_t i = 0; i < c->n; i++) {
		pb->rb[rb_mask(pb, c->rb_first + i)].synced = true;
		chunk_written(pb, c->line, c->first_sec + i);
	}
	while (pb->rb_sync < pb->rb_subm && pb->rb[rb_mask(pb, pb->rb_sync)].synced)
		pb->rb_sync++;
	pblk_cmd_put(pb, c);
	pblk_after_completion(pb);
}

static void meta_done(void *arg, const struct nvme_cqe *cqe)
{
	struct pblk_cmd *c = arg;
	struct pblk *pb = c->pb;
	struct pblk_line *line = c->line;
	uint16_t status = cqe_status(cqe);

	if (status) {
		pb->st.write_errors++;
		pblk_fail(pb, "a line metadata write", status);
	}
	for (uint32_t i = 0; i < c->n; i++)
		chunk_written(pb, line, c->first_sec + i);
	if (!--line->meta_inflight && line->state == LINE_CLOSING) {
		line->state = LINE_CLOSED;
		pb->emeta_busy = false;
	}
	pblk_cmd_put(pb, c);
	pblk_after_completion(pb);
}

/* Submits a vector write of n sectors of the line from line->cur; page[i]
 * is each sector's data. Returns false when no context or queue slot is free. */
static bool submit_write(struct pblk *pb, struct pblk_line *line, uint32_t n, uint8_t *const *page,
			 const uint32_t *lbas, bool meta, uint64_t rb_first)
{
	struct pblk_cmd *c = pblk_cmd_get(pb);
	struct nvme_sqe sqe;

	if (!c)
		return false;
	for (uint32_t i = 0; i < n; i++) {
		c->lbas[i] = pblk_dev_addr(pb, line, line->cur + i);
		c->meta[i] = lbas[i] == PBLK_EMPTY ? UINT64_MAX : lbas[i];
		c->prp[i] = (uintptr_t)page[i];
	}
	c->n = n;
	c->line = line;
	c->first_sec = line->cur;
	c->rb_first = rb_first;
	sqe = pblk_vector_sqe(NVME_CMD_OC_WRITE, c);
	if (pb->tr.submit(pb->tr.ctx, &sqe, meta ? meta_done : data_done, c)) {
		pblk_cmd_put(pb, c);
		return false;
	}
	for (uint32_t i = 0; i < n; i++)
		line->lba[line->cur + i] = lbas[i];
	line->cur += n;
	if (meta)
		line->meta_inflight++;
	return true;
}

static uint32_t header_crc(struct line_header *h, const void *rest, size_t len)
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
		if (!submit_write(pb, line, n, page, empty, true, 0))
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

		if (line->state != LINE_FREE)
			continue;
		line->state = LINE_OPEN;
		line->seq = ++pb->next_seq;
		line->cur = line->vsc = 0;
		memset(line->chunk_done, 0, pb->nr_pus * sizeof(uint32_t));
		memset(line->lba, 0xff, (uint64_t)pb->line_max * sizeof(uint32_t));
		memset(pb->smeta_buf, 0, (size_t)pb->smeta_secs * 4096);
		*h = (struct line_header){.magic = SMETA_MAGIC, .seq = line->seq, .line = l};
		h->crc = header_crc(h, NULL, 0);
		pb->cur = line;
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
	*h = (struct line_header){.magic = EMETA_MAGIC, .seq = line->seq, .line = line->id,
				  .nr_lbas = line->data_end, .valid = line->vsc};
	h->crc = header_crc(h, h + 1, list);
	line->state = LINE_CLOSING;
	pb->emeta_busy = true;
}

/* Submits the next data write: up to 64 sectors of whole write units. */
static bool write_data(struct pblk *pb, struct pblk_line *line, uint32_t n)
{
	uint8_t *page[PBLK_MAX_VEC] = {0};
	uint32_t lbas[PBLK_MAX_VEC] = {0};

	for (uint32_t i = 0; i < n; i++) {
		struct rb_entry *e = &pb->rb[rb_mask(pb, pb->rb_subm + i)];

		page[i] = pb->rb_data + rb_mask(pb, pb->rb_subm + i) * 4096;
		lbas[i] = e->lba;
	}
	if (!submit_write(pb, line, n, page, lbas, false, pb->rb_subm))
		return false;
	for (uint32_t i = 0; i < n; i++)
		pb->rb[rb_mask(pb, pb->rb_subm + i)].addr = line->id * pb->line_max + line->cur - n + i;
	pb->rb_subm += n;
	return true;
}

/* A flush waits for entries not yet submitted. */
static bool flush_wanted(const struct pblk *pb)
{
	for (const struct pblk_bio *b = pb->flush_head; b; b = b->next)
		if (b->flush_point > pb->rb_subm)
			return true;
	return false;
}

void pblk_writer_kick(struct pblk *pb)
{
	for (;;) {
		struct pblk_line *line = pb->cur;
		uint64_t avail = pb->rb_mem - pb->rb_subm, units;

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
			if (line->state == LINE_OPEN)
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
			uint64_t pad = pb->ws_opt - avail;

			if (!avail || !flush_wanted(pb))
				return;
			rb_update_l2p(pb, pad);
			if (rb_free(pb) < pad)
				return;
			for (uint64_t i = 0; i < pad; i++)
				rb_put(pb, PBLK_EMPTY, NULL);
			pb->st.pad_sectors += pad;
			continue;
		}
		if (!write_data(pb, line, (uint32_t)(units * pb->ws_opt)))
			return;
	}
}
