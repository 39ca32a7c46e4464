/*
 * zftl's writes: each stream appends to a zone of its own with Zone
 * Append, so the device picks the LBA and commands to one zone may run in
 * any order. zftl allocates a zone's room as it submits (wp), so an append
 * never finds the zone full, and maps the sectors when the completion
 * tells where they went.
 */
#include "host/zftl/zftl_int.h"

uint64_t zftl_append_lba(const struct nvme_cqe *cqe)
{
	return cqe->result | (uint64_t)cqe->dw1 << 32;
}

/* A zone whose room is all allocated and whose appends all completed. */
static void settle(struct zftl *z, uint32_t k)
{
	struct zftl_zone *zn = &z->zones[k];

	if (zn->state == ZFTL_ZONE_OPEN && zn->wp == zn->cap && !zn->writes)
		zn->state = ZFTL_ZONE_FULL;
}

uint32_t zftl_stream_zone(struct zftl *z, int s)
{
	uint32_t k = z->open[s];

	if (k != ZFTL_NO_ZONE && z->zones[k].wp < z->zones[k].cap)
		return k;
	if (k != ZFTL_NO_ZONE) {
		z->open[s] = ZFTL_NO_ZONE;
		settle(z, k);
	}
	/* the last free zones are GC's, so it can always move data */
	if (z->nfree <= (s == ZFTL_GC ? 0u : ZFTL_RESERVE_ZONES))
		return ZFTL_NO_ZONE;
	k = zftl_free_pop(z);
	z->zones[k].state = ZFTL_ZONE_OPEN;
	z->open[s] = k;
	return k;
}

void zftl_append(struct zftl *z, struct zftl_cmd *c, uint8_t *buf)
{
	struct zftl_zone *zn = &z->zones[c->zone];
	struct nvme_sqe sqe;

	nvme_prep_rw(&sqe, NVME_CMD_ZONE_APPEND, 1, zn->slba, c->n);
	zftl_set_data(z, c, &sqe, buf);
	zn->wp += c->n;
	zn->writes++;
	zftl_submit(z, c, &sqe);
}

/* An append finished: its zone may be full now. */
void zftl_append_ended(struct zftl *z, uint32_t k)
{
	z->zones[k].writes--;
	settle(z, k);
}

void zftl_user_done(struct zftl *z, struct zftl_cmd *c, const struct nvme_cqe *cqe, uint16_t st)
{
	uint64_t dlba = zftl_append_lba(cqe);

	for (uint32_t i = 0; !st && i < c->n; i++)
		zftl_map(z, (uint32_t)(c->lba + i), (uint32_t)(dlba + i));
	z->st.user_sectors += st ? 0 : c->n;
	zftl_append_ended(z, c->zone);
	zftl_bio_part_done(z, c->bio, st);
}

bool zftl_write_try(struct zftl *z, struct host_bio *bio)
{
	while (bio->taken < bio->nr) {
		uint32_t k = zftl_stream_zone(z, ZFTL_USER), n;
		struct zftl_cmd *c;

		if (k == ZFTL_NO_ZONE)
			return false;
		n = bio->nr - bio->taken;
		n = n < z->zones[k].cap - z->zones[k].wp ? n : z->zones[k].cap - z->zones[k].wp;
		n = n < z->max_append ? n : z->max_append;
		if (!(c = zftl_cmd_get(z, ZFTL_CMD_APPEND, k, n)))
			return false;
		c->bio = bio;
		c->lba = bio->lba + bio->taken;
		bio->pending++;
		zftl_append(z, c,
			    bio->buf ? bio->buf + (uint64_t)bio->taken * ZFTL_SECTOR_BYTES : NULL);
		bio->taken += n;
	}
	return true;
}
