/*
 * ftl=pblk: the jobs' I/Os become pblk's block requests, and pblk reaches
 * the controller through a transport of its own in virtual time (a queue
 * pair, admin commands, DMA memory, the clock, and a poll that moves the
 * clock to the next completion while recovery waits).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/sim_internal.h"

static const uint8_t pblk_dir_of[] = {
	[DIR_READ] = PBLK_READ,
	[DIR_WRITE] = PBLK_WRITE,
	[DIR_TRIM] = PBLK_TRIM,
	[DIR_FLUSH] = PBLK_FLUSH,
};

/* ftl=pblk: part k of an I/O as a pblk block request. */
int sim_pblk_part(struct sim *s, struct io_track *t, uint32_t k, uint64_t slba, uint32_t nlb,
		  uint8_t *buf)
{
	struct pblk_bio *bio = &t->bios[k];
	int rc;

	/* with media that keeps no data there is none to move */
	*bio = (struct pblk_bio){.dir = pblk_dir_of[t->dir],
				 .lba = slba,
				 .nr = nlb,
				 .buf = s->dev->media->keeps_data ? buf : NULL,
				 .done = sim_part_status,
				 .arg = t};
	if ((rc = pblk_submit(s->pb, bio, s->now_ns)))
		snprintf(s->err, s->errlen, "job '%s': pblk refused a request at LBA %llu: %s",
			 s->js[t->job].res->spec->name, (unsigned long long)slba, strerror(-rc));
	return rc;
}

/* ftl=pblk: the jobs go through pblk, not queues; each I/O slot gets the
 * block requests its largest I/O needs. */
int sim_setup_group_bios(struct sim *s, const struct job_file *jf, int g)
{
	for (uint32_t j = 0; j < jf->njobs; j++) {
		struct job_state *js = &s->js[j];
		uint64_t per = (uint64_t)PBLK_MAX_BIO_SECTORS * 4096;
		uint32_t parts = (uint32_t)((js->gen.max_io_bytes + per - 1) / per);

		if (jf->jobs[j].group != g)
			continue;
		parts = parts ? parts : 1;
		for (uint32_t d = 0; d < jf->jobs[j].iodepth; d++)
			if (!(js->tracks[d].bios = calloc(parts, sizeof(struct pblk_bio))))
				return -ENOMEM;
	}
	return 0;
}

/* ftl=pblk: pblk's transport to the controller, in virtual time. */
static int pblk_tr_submit(void *ctx, struct nvme_sqe *sqe, pblk_cmd_done done, void *arg)
{
	struct sim *s = ctx;

	if (host_qp_submit(&s->qps[PBLK_QID], sqe, done, arg, NULL) < 0)
		return -EAGAIN;
	nvme_ctrl_process_sq(s->ctrl, PBLK_QID, s->now_ns);
	return 0;
}

static int pblk_tr_admin(void *ctx, struct nvme_sqe *sqe, struct nvme_cqe *cqe)
{
	return sim_admin_cqe(ctx, sqe, cqe);
}

static void *pblk_tr_alloc(void *ctx, size_t bytes)
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

static void pblk_tr_free(void *ctx, void *p)
{
	dma_unregister(&((struct sim *)ctx)->ctrl->dma, p);
	free(p);
}

static uint64_t pblk_tr_now(void *ctx)
{
	return ((struct sim *)ctx)->now_ns;
}

/* Recovery waits for its reads: the clock moves to the next completion. */
static int pblk_tr_poll(void *ctx)
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

/* pblk over the controller: new, or recovered from the media. */
int sim_pblk_start(struct sim *s)
{
	struct pblk_transport tr = {
		s,	     pblk_tr_submit, pblk_tr_admin, pblk_tr_alloc, pblk_tr_free,
		pblk_tr_now, pblk_tr_poll};
	struct pblk_config pc;

	pblk_config_of(&pc, &s->dev->cfg, s->dev->geo.logical_units);

	return pblk_create(&pc, &tr, &s->pb, s->err, s->errlen);
}
