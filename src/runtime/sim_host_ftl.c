/*
 * A host FTL under the jobs (ftl=pblk, ftl=zns-host): the jobs' I/Os
 * become its block requests, and it reaches the controller through a
 * transport of its own in virtual time (a queue pair, admin commands, DMA
 * memory, the clock, and a poll that moves the clock to the next
 * completion while set-up or recovery waits).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/sim_internal.h"

static const uint8_t bio_dir_of[] = {
	[DIR_READ] = HOST_BIO_READ,
	[DIR_WRITE] = HOST_BIO_WRITE,
	[DIR_TRIM] = HOST_BIO_TRIM,
	[DIR_FLUSH] = HOST_BIO_FLUSH,
};

/* Part k of an I/O as the host FTL's block request. */
int sim_host_ftl_part(struct sim *s, struct io_track *t, uint32_t k, uint64_t slba, uint32_t nlb,
		      uint8_t *buf)
{
	struct host_bio *bio = &t->bios[k];
	int rc;

	/* with media that keeps no data there is none to move */
	*bio = (struct host_bio){.dir = bio_dir_of[t->dir],
				 .lba = slba,
				 .nr = nlb,
				 .buf = s->dev->media->keeps_data ? buf : NULL,
				 .done = sim_part_status,
				 .arg = t};
	if ((rc = s->host.ops->submit(s->host.ftl, bio, s->now_ns)))
		snprintf(s->err, s->errlen, "job '%s': %s refused a request at LBA %llu: %s",
			 s->js[t->job].res->spec->name, s->host.ops->name, (unsigned long long)slba,
			 strerror(-rc));
	return rc;
}

/* With a host FTL the jobs go through it, not queues; each I/O slot gets the
 * block requests its largest I/O needs. */
int sim_setup_group_bios(struct sim *s, const struct job_file *jf, int g)
{
	for (uint32_t j = 0; j < jf->njobs; j++) {
		struct job_state *js = &s->js[j];
		uint64_t per = (uint64_t)HOST_BIO_MAX_SECTORS * 4096;
		uint32_t parts = (uint32_t)((js->gen.max_io_bytes + per - 1) / per);

		if (jf->jobs[j].group != g)
			continue;
		parts = parts ? parts : 1;
		for (uint32_t d = 0; d < jf->jobs[j].iodepth; d++)
			if (!(js->tracks[d].bios = calloc(parts, sizeof(struct host_bio))))
				return -ENOMEM;
	}
	return 0;
}

/* The host FTL's transport to the controller, in virtual time. */
static int tr_submit(void *ctx, struct nvme_sqe *sqe, host_cmd_done done, void *arg)
{
	struct sim *s = ctx;

	if (host_qp_submit(&s->qps[HOST_FTL_QID], sqe, done, arg, NULL) < 0)
		return -EAGAIN;
	nvme_ctrl_process_sq(s->ctrl, HOST_FTL_QID, s->now_ns);
	return 0;
}

static int tr_admin(void *ctx, struct nvme_sqe *sqe, struct nvme_cqe *cqe)
{
	return sim_admin_cqe(ctx, sqe, cqe);
}

static void *tr_alloc(void *ctx, size_t bytes)
{
	struct sim *s = ctx;
	size_t len = (bytes + NVME_PAGE_BYTES - 1) / NVME_PAGE_BYTES * NVME_PAGE_BYTES;
	void *p = aligned_alloc(NVME_PAGE_BYTES, len);

	if (p && sim_register_mem(s, memset(p, 0, len), len)) {
		free(p);
		p = NULL;
	}
	return p;
}

static void tr_free(void *ctx, void *p)
{
	dma_unregister(&((struct sim *)ctx)->ctrl->dma, p);
	free(p);
}

static uint64_t tr_now(void *ctx)
{
	return ((struct sim *)ctx)->now_ns;
}

/* Recovery waits for its reads: the clock moves to the next completion. */
static int tr_poll(void *ctx)
{
	struct sim *s = ctx;
	uint64_t t = nvme_ctrl_next_due(s->ctrl);

	if (s->posted_cqs) /* posted already (admin commands post what is due) */
		return sim_reap_posted(s);
	if (t == UINT64_MAX)
		return -EIO;
	if (t > s->now_ns)
		s->now_ns = t;
	nvme_ctrl_post_due(s->ctrl, s->now_ns);
	sim_reap_posted(s);
	return 0;
}

/* The host FTL over the controller: pblk new or recovered from the media,
 * or zftl over empty zones. */
int sim_host_ftl_start(struct sim *s)
{
	struct host_transport tr = {s, tr_submit, tr_admin, tr_alloc, tr_free, tr_now, tr_poll};
	int rc;

	if (ftl_host_for(&s->dev->cfg) == FTL_HOST_ZFTL) {
		/* op's capacity, so equal parameters mean an equal spare for every FTL */
		struct zftl_config zc = {.capacity_sectors = s->dev->geo.logical_units,
					 .max_cmds = HOST_FTL_QUEUE_ENTRIES - 1};
		struct zftl *z;

		if (!(rc = zftl_create(&zc, &tr, &z, s->err, s->errlen)))
			s->host = (struct sim_host_ftl){&zftl_host_ops, z};
	} else {
		struct pblk_config pc;
		struct pblk *pb;

		pblk_config_of(&pc, &s->dev->cfg, s->dev->geo.logical_units);
		if (!(rc = pblk_create(&pc, &tr, &pb, s->err, s->errlen)))
			s->host = (struct sim_host_ftl){&pblk_host_ops, pb};
	}
	return rc;
}

void sim_host_ftl_stop(struct sim *s)
{
	if (s->host.ftl)
		s->host.ops->destroy(s->host.ftl);
	s->host = (struct sim_host_ftl){0};
}
