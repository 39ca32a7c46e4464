/*
 * zftl's block requests: taken in, completed at their due times, and the
 * figures the report shows. The interface a host of blocks calls.
 */
#include <errno.h>
#include <string.h>

#include "host/zftl/zftl_int.h"

void zftl_flush_done(struct zftl *z, struct zftl_cmd *c, const struct nvme_cqe *cqe, uint16_t st)
{
	zftl_bio_part_done(z, c->bio, st);
}

/* What completed writes hold is in the device's write buffer already; a
 * Flush makes the device write it to the NAND. */
static bool flush_try(struct zftl *z, struct host_bio *bio)
{
	struct zftl_cmd *c = zftl_cmd_get(z, ZFTL_CMD_FLUSH, ZFTL_NO_ZONE, 0);
	struct nvme_sqe sqe;

	if (!c)
		return false;
	c->bio = bio;
	bio->pending = 1;
	nvme_prep_flush(&sqe, 1);
	zftl_submit(z, c, &sqe);
	return true;
}

/* A write holds a reference of its own while it is taken, so no append
 * that completes first completes it. */
static bool write_try(struct zftl *z, struct host_bio *bio)
{
	bool first = !bio->pending;

	bio->pending += first;
	if (!zftl_write_try(z, bio)) {
		z->st.stalled_writes += first;
		return false;
	}
	zftl_bio_part_done(z, bio, 0);
	return true;
}

static bool try_bio(struct zftl *z, struct host_bio *bio)
{
	switch (bio->dir) {
	case HOST_BIO_READ: return zftl_read_try(z, bio);
	case HOST_BIO_FLUSH: return flush_try(z, bio);
	case HOST_BIO_TRIM: zftl_trim(z, bio); return true;
	default: return write_try(z, bio);
	}
}

/* Each is out of the list while it is tried: one taken whole may be due
 * at once, and the due list links it through the same next. One that
 * cannot go on goes back to the head. */
void zftl_run_waiting(struct zftl *z)
{
	struct host_bio *bio;

	while ((bio = z->wait_head)) {
		if (!(z->wait_head = bio->next))
			z->wait_tail = NULL;
		bio->next = NULL;
		if (!try_bio(z, bio)) {
			if (!(bio->next = z->wait_head))
				z->wait_tail = bio;
			z->wait_head = bio;
			return;
		}
	}
}

/* Block requests are taken in the order they came: one that
 * waits for a zone or for commands holds back those after it. */
static int zftl_submit_bio(void *ftl, struct host_bio *bio, uint64_t now_ns)
{
	struct zftl *z = ftl;

	if (now_ns > z->now_ns)
		z->now_ns = now_ns;
	*bio = (struct host_bio){.dir = bio->dir,
				 .lba = bio->lba,
				 .nr = bio->nr,
				 .buf = bio->buf,
				 .done = bio->done,
				 .arg = bio->arg};
	if (bio->dir != HOST_BIO_FLUSH && (!bio->nr || bio->nr > HOST_BIO_MAX_SECTORS))
		return -EINVAL;
	if (bio->dir != HOST_BIO_FLUSH &&
	    (bio->lba >= z->capacity || bio->nr > z->capacity - bio->lba))
		return -ERANGE;
	if (z->wait_tail)
		z->wait_tail->next = bio;
	else
		z->wait_head = bio;
	z->wait_tail = bio;
	zftl_run_waiting(z);
	return 0;
}

static uint64_t zftl_next_due(const void *ftl)
{
	const struct zftl *z = ftl;

	return z->due_head ? z->due_head->due_ns : UINT64_MAX;
}

static int zftl_complete_due(void *ftl, uint64_t now_ns)
{
	struct zftl *z = ftl;
	int n = 0;

	if (now_ns > z->now_ns)
		z->now_ns = now_ns;
	while (z->due_head && z->due_head->due_ns <= now_ns) {
		struct host_bio *bio = z->due_head;

		if (!(z->due_head = bio->next))
			z->due_tail = NULL;
		bio->done(bio->arg, bio->status);
		n++;
	}
	return n;
}

static uint64_t zftl_capacity(const void *ftl)
{
	return ((const struct zftl *)ftl)->capacity;
}

static const char *zftl_error(const void *ftl)
{
	const struct zftl *z = ftl;

	return z->err[0] ? z->err : NULL;
}

static void zftl_destroy_ftl(void *ftl)
{
	zftl_destroy(ftl);
}

const struct host_ftl_ops zftl_host_ops = {
	.name = "zftl",
	.submit = zftl_submit_bio,
	.next_due = zftl_next_due,
	.complete_due = zftl_complete_due,
	.capacity = zftl_capacity,
	.error = zftl_error,
	.destroy = zftl_destroy_ftl,
};

void zftl_get_stats(const struct zftl *z, struct zftl_stats *s)
{
	*s = z->st;
	s->free_zones = z->nfree;
	s->open_zones = s->full_zones = s->valid_sectors = 0;
	for (uint32_t k = 0; k < z->nzones; k++) {
		s->valid_sectors += z->zones[k].valid;
		s->open_zones += z->zones[k].state == ZFTL_ZONE_OPEN;
		s->full_zones += z->zones[k].state == ZFTL_ZONE_FULL;
	}
}

double zftl_stats_waf(const struct zftl_stats *s)
{
	if (!s->user_sectors)
		return 0;
	return (double)(s->user_sectors + s->gc_sectors) / (double)s->user_sectors;
}

void zftl_stack_counters(const struct zftl_stats *s, struct dev_counters *c)
{
	c->host_write_bytes = s->user_sectors * ZFTL_SECTOR_BYTES;
	c->host_read_bytes = s->read_sectors * ZFTL_SECTOR_BYTES;
	c->host_trim_bytes = s->trim_sectors * ZFTL_SECTOR_BYTES;
	c->host_write_units = s->user_sectors;
	c->gc_copied_units = s->gc_sectors;
	c->gc_runs = s->gc_zones;
	c->free_lines = (uint32_t)s->free_zones;
}
