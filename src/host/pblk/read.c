/*
 * pblk's read path: each sector is served from the ring buffer when its
 * newest copy is there, as zeros when it was never written, and otherwise
 * from the device by vector reads (up to 64 sectors each) into a bounce
 * buffer; a request partly cached is merged. The OOB metadata each sector
 * comes back with must name the LBA asked for.
 */
#include "host/pblk/pblk_int.h"

#include <errno.h>
#include <string.h>

static void read_done(void *arg, const struct nvme_cqe *cqe)
{
	struct pblk_cmd *c = arg;
	struct pblk *pb = c->pb;
	struct host_bio *bio = c->bio;
	uint16_t status = nvme_cqe_code(cqe);
	uint64_t failed = status ? pblk_cqe_failed(cqe) : 0;

	pblk_tick(pb);
	for (uint32_t k = 0; k < c->n; k++) {
		uint32_t off = c->bio_off[k];

		if (failed >> k & 1) {
			bio->status = status;
			pb->st.read_errors++;
			continue;
		}
		if (!pb->cfg.media_none && (uint32_t)c->meta[k] != bio->lba + off) {
			/* the device gave another sector */
			bio->status = NVME_SC_READ_ERROR;
			pb->st.read_errors++;
			continue;
		}
		if (bio->buf && pb->cfg.media_none) /* the device moved no data */
			memset(bio->buf + (uint64_t)off * 4096, 0, 4096);
		else if (bio->buf)
			memcpy(bio->buf + (uint64_t)off * 4096, c->bounce + (uint64_t)k * 4096,
			       4096);
	}
	if (!--bio->pending)
		pblk_bio_due(pb, bio, pb->now_ns);
	pblk_cmd_put(pb, c);
	pblk_after_completion(pb);
}

static int submit_read(struct pblk *pb, struct pblk_cmd *c)
{
	struct nvme_sqe sqe;

	for (uint32_t k = 0; k < c->n; k++) /* the bounce buffer, page by page */
		c->prp[k] = (uintptr_t)(c->bounce + (uint64_t)k * 4096);
	sqe = pblk_vector_sqe(NVME_CMD_OC_READ, c);
	return pb->tr.submit(pb->tr.ctx, &sqe, read_done, c);
}

/* One vector read of the request; the queue has room, as the caller checked
 * its contexts, so a refusal is a fault of the transport. */
static void issue_read(struct pblk *pb, struct host_bio *bio, struct pblk_cmd *c)
{
	bio->pending++;
	if (!submit_read(pb, c))
		return;
	pblk_fail(pb, "a vector read submission", NVME_SC_INTERNAL);
	bio->pending--;
	bio->status = NVME_SC_INTERNAL;
	pblk_cmd_put(pb, c);
}

/* Sectors of the request the device must serve. */
static uint32_t device_sectors(const struct pblk *pb, const struct host_bio *bio)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < bio->nr; i++) {
		uint32_t v = pb->l2p[bio->lba + i];

		n += v != PBLK_EMPTY && !(v & PBLK_CACHED);
	}
	return n;
}

bool pblk_read_try(struct pblk *pb, struct host_bio *bio)
{
	uint32_t ndev = device_sectors(pb, bio);
	struct pblk_cmd *c = NULL;

	if ((ndev + PBLK_MAX_VEC - 1) / PBLK_MAX_VEC > pb->nfree_cmds)
		return false;
	bio->pending = 1; /* this function's own, dropped at its end */
	for (uint32_t i = 0; i < bio->nr; i++) {
		uint32_t v = pb->l2p[bio->lba + i];
		uint8_t *dst = bio->buf ? bio->buf + (uint64_t)i * 4096 : NULL;

		if (v == PBLK_EMPTY || (v & PBLK_CACHED)) {
			if (dst && v == PBLK_EMPTY)
				memset(dst, 0, 4096);
			else if (dst)
				memcpy(dst, pb->rb_data + (uint64_t)(v & ~PBLK_CACHED) * 4096,
				       4096);
			pb->st.cache_read_sectors += v != PBLK_EMPTY;
			continue;
		}
		if (!c) {
			c = pblk_cmd_get(pb);
			c->n = 0;
			c->bio = bio;
		}
		c->lbas[c->n] = pblk_dev_addr(pb, &pb->lines[v / pb->line_max], v % pb->line_max);
		c->bio_off[c->n++] = i;
		if (c->n == PBLK_MAX_VEC) {
			issue_read(pb, bio, c);
			c = NULL;
		}
	}
	if (c)
		issue_read(pb, bio, c);
	pb->st.read_sectors += bio->nr;
	if (!--bio->pending)
		pblk_bio_due(pb, bio, pb->now_ns + bio->nr * pb->cfg.copy_ns);
	return true;
}

int pblk_read(struct pblk *pb, struct host_bio *bio)
{
	if (pb->wait_head || !pblk_read_try(pb, bio))
		pblk_wait_enqueue(pb, bio);
	return 0;
}
