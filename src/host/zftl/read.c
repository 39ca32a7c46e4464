/*
 * zftl's reads and trims. A read becomes one Read per run of sectors that
 * sit next to each other in a zone; unmapped sectors read as zeros. A
 * read in flight holds its zone: GC resets the zone only after it.
 */
#include <string.h>

#include "host/zftl/zftl_int.h"

void zftl_read_done(struct zftl *z, struct zftl_cmd *c, const struct nvme_cqe *cqe, uint16_t st)
{
	z->zones[c->zone].reads--;
	zftl_bio_part_done(z, c->bio, st);
}

/* Sectors from i on that sit next to each other in one zone. */
static uint32_t run_length(const struct zftl *z, const struct host_bio *bio, uint32_t i)
{
	uint32_t d = z->l2p[bio->lba + i], n = 1;

	while (i + n < bio->nr && z->l2p[bio->lba + i + n] == d + n &&
	       (d + n) / z->zone_lbas == d / z->zone_lbas)
		n++;
	return n;
}

static uint32_t runs_of(const struct zftl *z, const struct host_bio *bio)
{
	uint32_t runs = 0;

	for (uint32_t i = 0; i < bio->nr;) {
		uint32_t n = z->l2p[bio->lba + i] == ZFTL_UNMAPPED ? 1 : run_length(z, bio, i);

		runs += z->l2p[bio->lba + i] != ZFTL_UNMAPPED;
		i += n;
	}
	return runs;
}

static void read_run(struct zftl *z, struct host_bio *bio, uint32_t i, uint32_t n)
{
	uint32_t d = z->l2p[bio->lba + i];
	struct zftl_cmd *c = zftl_cmd_get(z, ZFTL_CMD_READ, (uint32_t)(d / z->zone_lbas), n);
	struct nvme_sqe sqe;

	c->bio = bio;
	bio->pending++;
	z->zones[c->zone].reads++;
	nvme_prep_rw(&sqe, NVME_CMD_READ, 1, d, n);
	zftl_set_data(z, c, &sqe, bio->buf ? bio->buf + (uint64_t)i * ZFTL_SECTOR_BYTES : NULL);
	zftl_submit(z, c, &sqe);
}

bool zftl_read_try(struct zftl *z, struct host_bio *bio)
{
	if (runs_of(z, bio) > z->cmds_free)
		return false;
	bio->pending = 1; /* the reader's own, so no part completes it early */
	for (uint32_t i = 0; i < bio->nr;) {
		uint32_t n = 1;

		if (z->l2p[bio->lba + i] == ZFTL_UNMAPPED) {
			if (bio->buf)
				memset(bio->buf + (uint64_t)i * ZFTL_SECTOR_BYTES, 0,
				       ZFTL_SECTOR_BYTES);
		} else {
			read_run(z, bio, i, n = run_length(z, bio, i));
		}
		i += n;
	}
	bio->taken = bio->nr;
	z->st.read_sectors += bio->nr;
	zftl_bio_part_done(z, bio, 0);
	return true;
}

void zftl_trim(struct zftl *z, struct host_bio *bio)
{
	for (uint32_t i = 0; i < bio->nr; i++) {
		uint32_t *d = &z->l2p[bio->lba + i];

		if (*d != ZFTL_UNMAPPED) {
			zftl_invalidate(z, *d);
			*d = ZFTL_UNMAPPED;
		}
	}
	z->st.trim_sectors += bio->nr;
	bio->pending = 1;
	zftl_bio_part_done(z, bio, 0);
}
