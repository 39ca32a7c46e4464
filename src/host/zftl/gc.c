/*
 * zftl's GC, at the level of zones: while fewer than ZFTL_GC_FREE_ZONES
 * are free it takes the full zone with the fewest valid sectors (greedy),
 * reads its valid sectors in chunks, appends them to the GC stream's
 * zone, points the map at the copies (unless the user wrote or trimmed
 * the sector meanwhile: then the copy is dead), and resets the zone once
 * nothing of it is mapped and no read of it is in flight.
 */
#include "host/zftl/zftl_int.h"

bool zftl_gc_busy(const struct zftl *z)
{
	return z->gc.victim != ZFTL_NO_ZONE;
}

/* The full zone with the fewest valid sectors; none when every full zone
 * is all valid (moving one would take a zone to free one). */
static uint32_t pick_victim(const struct zftl *z)
{
	uint32_t best = ZFTL_NO_ZONE;

	for (uint32_t k = 0; k < z->nzones; k++)
		if (z->zones[k].state == ZFTL_ZONE_FULL && z->zones[k].valid < z->zones[k].cap &&
		    (best == ZFTL_NO_ZONE || z->zones[k].valid < z->zones[best].valid))
			best = k;
	return best;
}

void zftl_gc_read_done(struct zftl *z, struct zftl_cmd *c, const struct nvme_cqe *cqe, uint16_t st)
{
	z->zones[c->zone].reads--;
	c->chunk->reads--;
}

/* The copies land: the map points at them unless the user wrote or
 * trimmed the sector while it moved. */
void zftl_gc_append_done(struct zftl *z, struct zftl_cmd *c, const struct nvme_cqe *cqe,
			 uint16_t st)
{
	struct zftl_gc_chunk *ch = c->chunk;
	uint64_t dlba = zftl_append_lba(cqe);

	for (uint32_t i = 0; !st && i < c->n; i++) {
		uint32_t k = (uint32_t)c->lba + i; /* the chunk's index */

		if (z->l2p[ch->lba[k]] == ch->from[k])
			zftl_map(z, ch->lba[k], (uint32_t)(dlba + i));
		else
			z->st.gc_dead_sectors++;
	}
	z->st.gc_sectors += c->n;
	zftl_append_ended(z, c->zone);
	ch->busy = --ch->appends || ch->taken < ch->n;
}

/* Reads the chunk's sectors, one Read per run next to each other. */
static void chunk_read(struct zftl *z, struct zftl_gc_chunk *ch)
{
	for (uint32_t i = 0, n; i < ch->n; i += n) {
		struct zftl_cmd *c;
		struct nvme_sqe sqe;

		for (n = 1; i + n < ch->n && ch->from[i + n] == ch->from[i] + n; n++)
			;
		c = zftl_cmd_get(z, ZFTL_CMD_GC_READ, z->gc.victim, n);
		c->chunk = ch;
		ch->reads++;
		z->zones[z->gc.victim].reads++;
		nvme_prep_rw(&sqe, NVME_CMD_READ, 1, ch->from[i], n);
		zftl_set_data(z, c, &sqe, ch->buf + (uint64_t)i * ZFTL_SECTOR_BYTES);
		zftl_submit(z, c, &sqe);
	}
}

/* Takes the victim's next valid sectors into a free chunk and reads them;
 * false when the scan is done or there are too few commands. */
static bool chunk_fill(struct zftl *z, struct zftl_gc_chunk *ch)
{
	struct zftl_zone *v = &z->zones[z->gc.victim];

	if (z->cmds_free <= z->max_append) /* its reads, at most one a sector */
		return false;
	ch->n = ch->taken = 0;
	for (; z->gc.scan < v->cap && ch->n < z->max_append; z->gc.scan++) {
		uint32_t d = (uint32_t)(v->slba + z->gc.scan);

		if (z->p2l[d] != ZFTL_UNMAPPED) {
			ch->lba[ch->n] = z->p2l[d];
			ch->from[ch->n++] = d;
		}
	}
	if (!ch->n)
		return false;
	ch->busy = true;
	chunk_read(z, ch);
	return true;
}

/* Appends what the chunk read to the GC stream, splitting at a zone's end. */
static void chunk_write(struct zftl *z, struct zftl_gc_chunk *ch)
{
	while (ch->taken < ch->n) {
		uint32_t k = zftl_stream_zone(z, ZFTL_GC), n = ch->n - ch->taken;
		struct zftl_cmd *c;

		if (k == ZFTL_NO_ZONE)
			return;
		n = n < z->zones[k].cap - z->zones[k].wp ? n : z->zones[k].cap - z->zones[k].wp;
		if (!(c = zftl_cmd_get(z, ZFTL_CMD_GC_APPEND, k, n)))
			return;
		c->chunk = ch;
		c->lba = ch->taken;
		ch->appends++;
		zftl_append(z, c, ch->buf + (uint64_t)ch->taken * ZFTL_SECTOR_BYTES);
		ch->taken += n;
	}
}

void zftl_reset_done(struct zftl *z, struct zftl_cmd *c, const struct nvme_cqe *cqe, uint16_t st)
{
	if (st)
		return;
	if (z->zones[c->zone].valid)
		zftl_fail(z, "GC (a reset zone still held valid sectors)", 0);
	else
		zftl_zone_freed(z, c->zone);
	z->st.gc_zones++;
	z->gc.victim = ZFTL_NO_ZONE;
}

/* The victim is empty once its scan is done, its chunks are written and
 * no read of it is in flight. */
static void reset_victim(struct zftl *z)
{
	struct zftl_zone *v = &z->zones[z->gc.victim];
	struct zftl_cmd *c;
	struct nvme_sqe sqe;

	for (int i = 0; i < ZFTL_GC_CHUNKS; i++)
		if (z->gc.chunk[i].busy)
			return;
	if (z->gc.scan < v->cap || v->reads || v->state == ZFTL_ZONE_RESET ||
	    !(c = zftl_cmd_get(z, ZFTL_CMD_RESET, z->gc.victim, 0)))
		return;
	v->state = ZFTL_ZONE_RESET;
	nvme_prep_zone_send(&sqe, 1, v->slba, NVME_ZSA_RESET, false);
	zftl_submit(z, c, &sqe);
}

void zftl_gc_run(struct zftl *z)
{
	if (z->err[0])
		return;
	if (z->gc.victim == ZFTL_NO_ZONE) {
		if (z->nfree >= ZFTL_GC_FREE_ZONES ||
		    (z->gc.victim = pick_victim(z)) == ZFTL_NO_ZONE)
			return;
		z->zones[z->gc.victim].state = ZFTL_ZONE_VICTIM;
		z->gc.scan = 0;
	}
	for (int i = 0; i < ZFTL_GC_CHUNKS; i++) {
		struct zftl_gc_chunk *ch = &z->gc.chunk[i];

		if (!ch->busy && !chunk_fill(z, ch))
			continue;
		if (!ch->reads)
			chunk_write(z, ch);
	}
	reset_victim(z);
}
