/*
 * pblk's set-up from the device's geometry and chunk log, its lines and
 * capacity, the command contexts, and the queue of block requests that are
 * done and wait for their time.
 */
#include "host/pblk/pblk_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vssd/vssd.h"

#define EMETA_HEADER_BYTES 64

uint64_t pblk_dev_addr(const struct pblk *pb, const struct pblk_line *line, uint32_t sec)
{
	uint32_t pu_i, chunk_sec, pu;

	pblk_sec_pos(pb, sec, line, &pu_i, &chunk_sec);
	pu = line->good_pu[pu_i]; /* PUs spread over groups (channels) first */
	return ((((uint64_t)(pu % pb->ngrp) << pb->pu_bits | pu / pb->ngrp) << pb->chk_bits |
		 line->id)
		<< pb->sec_bits) |
	       chunk_sec;
}

static int read_geometry(struct pblk *pb, char *err, size_t errlen)
{
	struct nvme_oc_geometry *g = pb->tr.dma_alloc(pb->tr.ctx, sizeof(*g));
	struct nvme_cqe cqe;
	int rc;

	if (!g)
		return -ENOMEM;
	rc = pb->tr.admin(pb->tr.ctx,
			  &(struct nvme_sqe){.opcode = NVME_ADMIN_OC_GEOMETRY,
					     .nsid = PBLK_NSID,
					     .prp1 = (uintptr_t)g},
			  &cqe);
	rc = rc ? rc : nvme_cqe_code(&cqe) ? -EIO : 0;
	if (rc || g->mjr != 2) {
		snprintf(err, errlen,
			 "pblk needs an Open-Channel SSD 2.0 device (ftl=ocssd or "
			 "ftl=pblk): the Geometry command %s",
			 rc ? "failed" : "reports another version");
		pb->tr.dma_free(pb->tr.ctx, g);
		return -ENODEV;
	}
	pb->ngrp = g->num_grp;
	pb->npu = g->num_pu;
	pb->nchk = g->num_chk;
	pb->clba = g->clba;
	pb->sec_bits = g->lbaf.lba_len;
	pb->chk_bits = g->lbaf.chk_len;
	pb->pu_bits = g->lbaf.pu_len;
	pb->ws_min = g->ws_min;
	pb->ws_opt = g->ws_opt;
	pb->mw_cunits = g->mw_cunits;
	pb->nr_pus = pb->ngrp * pb->npu;
	pb->line_max = pb->clba * pb->nr_pus;
	pb->tr.dma_free(pb->tr.ctx, g);
	return 0;
}

/* Each chunk's state and write pointer from the chunk log, read a page of
 * descriptors at a time; chunk log order is group, PU, chunk. */
static int read_chunk_log(struct pblk *pb, uint8_t *state, uint32_t *wp)
{
	uint32_t total = pb->nr_pus * pb->nchk, per = 4096 / sizeof(struct nvme_oc_chunk_desc);
	struct nvme_oc_chunk_desc *d = pb->tr.dma_alloc(pb->tr.ctx, per * sizeof(*d));
	int rc = 0;

	if (!d)
		return -ENOMEM;
	for (uint32_t first = 0; first < total && !rc; first += per) {
		uint32_t n = total - first < per ? total - first : per;
		uint64_t off = (uint64_t)first * sizeof(*d);
		struct nvme_cqe cqe;
		struct nvme_sqe sqe;

		nvme_prep_get_log_page(&sqe, PBLK_NSID, NVME_LOG_OC_CHUNK_INFO, d, n * sizeof(*d),
				       off);
		rc = pb->tr.admin(pb->tr.ctx, &sqe, &cqe);
		rc = rc ? rc : nvme_cqe_code(&cqe) ? -EIO : 0;
		for (uint32_t i = 0; i < n && !rc; i++) {
			state[first + i] = d[i].cs;
			wp[first + i] = (uint32_t)d[i].wp; /* sectors written, as pblk read it */
		}
	}
	pb->tr.dma_free(pb->tr.ctx, d);
	return rc;
}

uint32_t pblk_log_index(const struct pblk *pb, uint32_t l, uint32_t u)
{
	return ((u % pb->ngrp) * pb->npu + u / pb->ngrp) * pb->nchk + l;
}

void pblk_line_setup(struct pblk *pb, struct pblk_line *line)
{
	uint64_t emeta_bytes;

	line->nr_good = 0;
	for (uint32_t u = 0; u < pb->nr_pus; u++)
		if (!pb->offline[(uint64_t)line->id * pb->nr_pus + u])
			line->good_pu[line->nr_good++] = (uint16_t)u;
	line->cap = line->nr_good * pb->clba;
	emeta_bytes = EMETA_HEADER_BYTES + (uint64_t)line->cap * sizeof(uint32_t);
	line->data_end = line->cap - (uint32_t)(((emeta_bytes + 4095) / 4096 + pb->ws_opt - 1) /
						pb->ws_opt * pb->ws_opt);
	if (line->cap - line->data_end > pb->emeta_secs)
		pb->emeta_secs = line->cap - line->data_end;
	/* too few good chunks to be worth a line */
	if (line->nr_good < 2 || line->data_end <= pb->smeta_secs)
		line->state = PBLK_LINESTATE_BAD;
}

/* Lines: chunk l of every PU whose chunk is good; smeta at the start,
 * emeta (the LBA list) at the end, in whole write units. Returns the data
 * sectors of the usable lines. */
static int build_lines(struct pblk *pb, const uint8_t *state, uint64_t *data, uint32_t *max_data)
{
	pb->lines = calloc(pb->nchk, sizeof(*pb->lines));
	pb->offline = calloc((size_t)pb->nchk * pb->nr_pus, 1);
	if (!pb->lines || !pb->offline)
		return -ENOMEM;
	pb->smeta_secs = pb->ws_opt;
	*data = *max_data = 0;
	for (uint32_t l = 0; l < pb->nchk; l++) {
		struct pblk_line *line = &pb->lines[l];

		line->id = l;
		line->good_pu = calloc(pb->nr_pus, sizeof(uint16_t));
		line->chunk_done = calloc(pb->nr_pus, sizeof(uint32_t));
		line->lba = malloc((uint64_t)pb->line_max * sizeof(uint32_t));
		if (!line->good_pu || !line->chunk_done || !line->lba)
			return -ENOMEM;
		for (uint32_t u = 0; u < pb->nr_pus; u++) {
			bool off = state[pblk_log_index(pb, l, u)] == NVME_OC_CHUNK_OFFLINE;

			pb->offline[(uint64_t)l * pb->nr_pus + u] = off;
			pb->st.bad_chunks += off;
		}
		pblk_line_setup(pb, line);
		if (line->state == PBLK_LINESTATE_BAD)
			continue;
		*data += line->data_end - pb->smeta_secs;
		if (line->data_end - pb->smeta_secs > *max_data)
			*max_data = line->data_end - pb->smeta_secs;
	}
	return 0;
}

/* The ring buffer, sized as pblk sized it: enough that the oldest entries
 * are readable from the device once the buffer is full of newer ones. */
static void size_ring(struct pblk *pb)
{
	uint32_t need = 2 * (pb->mw_cunits + pb->ws_opt) * pb->nr_pus, size = 1;

	while (size < need || size < HOST_BIO_MAX_SECTORS * 4)
		size <<= 1;
	while (size < pb->cfg.rb_entries)
		size <<= 1;
	pb->rb_size = size;
}

void pblk_config_of(struct pblk_config *pc, const struct vssd_config *cfg, uint64_t logical_units)
{
	*pc = (struct pblk_config){.capacity_sectors = cfg->pblk_op ? 0 : logical_units,
				   .op_percent = (uint32_t)cfg->pblk_op,
				   .rb_entries = (uint32_t)cfg->pblk_rb_entries,
				   .copy_ns = cfg->pblk_copy_ns,
				   .media_none = cfg->media == MEDIA_NONE};
}

/* The user capacity: op's, or the op_percent kept back; and at least
 * enough free lines for the rate limiter's reserve and GC to always make
 * progress (pblk_capacity tells when that is less than op asked for). */
static int set_capacity(struct pblk *pb, uint64_t data, uint32_t max_data, char *err, size_t errlen)
{
	uint64_t spare_lines = 2 + (pb->rb_size + max_data - 1) / max_data + 2;
	uint64_t by_op = pb->cfg.capacity_sectors ? pb->cfg.capacity_sectors
						  : data * (100 - pb->cfg.op_percent) / 100;

	if (data <= spare_lines * max_data) {
		snprintf(err, errlen,
			 "the device is too small for pblk: it has %llu usable lines of "
			 "%u data sectors and pblk keeps %llu free",
			 (unsigned long long)(data / max_data), max_data,
			 (unsigned long long)spare_lines);
		return -ENOSPC;
	}
	pb->data_secs = data;
	pb->capacity =
		by_op < data - spare_lines * max_data ? by_op : data - spare_lines * max_data;
	return 0;
}

static int alloc_buffers(struct pblk *pb)
{
	uint64_t size = pb->rb_size;

	pb->rb = calloc(size, sizeof(*pb->rb));
	pb->resub = calloc(size, sizeof(*pb->resub));
	pb->rb_data = pb->tr.dma_alloc(pb->tr.ctx, (size_t)size * 4096);
	/* room for any capacity an earlier start gave, before chunks went bad */
	pb->l2p = malloc((uint64_t)pb->nchk * pb->line_max * sizeof(uint32_t));
	pb->cmds = calloc(PBLK_CMD_CTXS, sizeof(struct pblk_cmd));
	pb->cmd_pages = pb->tr.dma_alloc(pb->tr.ctx, (size_t)PBLK_CMD_CTXS * 4096);
	pb->bounces = pb->tr.dma_alloc(pb->tr.ctx, (size_t)PBLK_CMD_CTXS * PBLK_MAX_VEC * 4096);
	pb->smeta_buf = pb->tr.dma_alloc(pb->tr.ctx, (size_t)pb->smeta_secs * 4096);
	pb->emeta_buf = pb->tr.dma_alloc(pb->tr.ctx, (size_t)pb->emeta_secs * 4096);
	pb->gc.freeing = calloc(pb->nchk, sizeof(uint32_t));
	pb->zero_page = pb->tr.dma_alloc(pb->tr.ctx, 4096);
	if (!pb->gc.freeing || !pb->zero_page || !pb->rb || !pb->resub || !pb->rb_data ||
	    !pb->l2p || !pb->cmds || !pb->cmd_pages || !pb->bounces || !pb->smeta_buf ||
	    !pb->emeta_buf)
		return -ENOMEM;
	memset(pb->l2p, 0xff, (uint64_t)pb->nchk * pb->line_max * sizeof(uint32_t));
	for (uint32_t i = 0; i < PBLK_CMD_CTXS; i++) {
		uint64_t *page = (uint64_t *)(pb->cmd_pages + (size_t)i * 4096);

		pb->cmds[i].lbas = page;
		pb->cmds[i].meta = page + PBLK_MAX_VEC;
		pb->cmds[i].prp = page + 2 * PBLK_MAX_VEC;
		pb->cmds[i].bounce = pb->bounces + (size_t)i * PBLK_MAX_VEC * 4096;
		pblk_cmd_put(pb, &pb->cmds[i]);
	}
	return 0;
}

/* Builds pblk from the geometry and the chunk log; recovers when any chunk holds data. */
static int build(struct pblk *pb, char *err, size_t errlen)
{
	uint32_t total = pb->nr_pus * pb->nchk, max_data;
	uint8_t *state = calloc(total, 1);
	uint32_t *wp = calloc(total, sizeof(*wp));
	bool used = false;
	uint64_t data;
	int rc = -ENOMEM;

	if (state && wp && !(rc = read_chunk_log(pb, state, wp)) &&
	    !(rc = build_lines(pb, state, &data, &max_data))) {
		size_ring(pb);
		if (!max_data)
			rc = -ENOSPC, snprintf(err, errlen, "pblk: the device has no usable line");
		else if (!(rc = set_capacity(pb, data, max_data, err, errlen)))
			rc = alloc_buffers(pb);
	}
	if (!rc) {
		for (uint32_t i = 0; i < total; i++)
			used |= state[i] == NVME_OC_CHUNK_OPEN || state[i] == NVME_OC_CHUNK_CLOSED;
		if (used)
			rc = pblk_recover(pb, state, wp, err, errlen);
		pblk_rl_init(pb);
		pblk_rl_update(pb);
	}
	if (rc && !err[0])
		snprintf(err, errlen, "cannot build pblk: %s", strerror(-rc));
	free(state);
	free(wp);
	return rc;
}

int pblk_create(const struct pblk_config *cfg, const struct host_transport *tr, struct pblk **out,
		char *err, size_t errlen)
{
	struct pblk *pb = calloc(1, sizeof(*pb));
	int rc;

	if (!pb)
		return -ENOMEM;
	err[0] = 0;
	pb->cfg = *cfg;
	pb->tr = *tr;
	if ((rc = read_geometry(pb, err, errlen)) || (rc = build(pb, err, errlen))) {
		pblk_destroy(pb);
		return rc;
	}
	*out = pb;
	return 0;
}

void pblk_destroy(struct pblk *pb)
{
	if (!pb)
		return;
	for (uint32_t l = 0; pb->lines && l < pb->nchk; l++) {
		free(pb->lines[l].good_pu);
		free(pb->lines[l].chunk_done);
		free(pb->lines[l].lba);
	}
	free(pb->lines);
	free(pb->offline);
	free(pb->rb);
	free(pb->resub);
	free(pb->gc.freeing);
	free(pb->l2p);
	if (pb->rb_data)
		pb->tr.dma_free(pb->tr.ctx, pb->rb_data);
	free(pb->cmds);
	if (pb->bounces)
		pb->tr.dma_free(pb->tr.ctx, pb->bounces);
	if (pb->cmd_pages)
		pb->tr.dma_free(pb->tr.ctx, pb->cmd_pages);
	if (pb->smeta_buf)
		pb->tr.dma_free(pb->tr.ctx, pb->smeta_buf);
	if (pb->emeta_buf)
		pb->tr.dma_free(pb->tr.ctx, pb->emeta_buf);
	if (pb->zero_page)
		pb->tr.dma_free(pb->tr.ctx, pb->zero_page);
	free(pb);
}

uint64_t pblk_capacity(const struct pblk *pb)
{
	return pb->capacity;
}

struct nvme_sqe pblk_vector_sqe(uint8_t opcode, const struct pblk_cmd *c)
{
	/* one address goes in the command itself, more in the LBA list */
	uint64_t list = c->n == 1 ? c->lbas[0] : (uintptr_t)c->lbas;
	struct nvme_sqe sqe;

	nvme_prep_oc_vector(&sqe, opcode, PBLK_NSID, list, c->n);
	sqe.mptr = (uintptr_t)c->meta;
	sqe.prp1 = c->prp[0];
	sqe.prp2 = c->n == 1 ? 0 : c->n == 2 ? c->prp[1] : (uintptr_t)&c->prp[1];
	return sqe;
}

void pblk_tick(struct pblk *pb)
{
	uint64_t now = pb->tr.now_ns(pb->tr.ctx);

	if (now > pb->now_ns)
		pb->now_ns = now;
}

struct pblk_cmd *pblk_cmd_get(struct pblk *pb)
{
	struct pblk_cmd *c = pb->free_cmds;

	if (c) {
		pb->free_cmds = c->next_free;
		pb->nfree_cmds--;
	}
	return c;
}

void pblk_cmd_put(struct pblk *pb, struct pblk_cmd *c)
{
	c->pb = pb;
	c->next_free = pb->free_cmds;
	pb->free_cmds = c;
	pb->nfree_cmds++;
}

/* The request is done; it completes at due_ns (the list stays in time order). */
void pblk_bio_due(struct pblk *pb, struct host_bio *bio, uint64_t due_ns)
{
	struct host_bio **p = &pb->done_head;

	bio->due_ns = due_ns;
	while (*p && (*p)->due_ns <= due_ns)
		p = &(*p)->next;
	bio->next = *p;
	*p = bio;
}

void pblk_fail(struct pblk *pb, const char *what, uint16_t status)
{
	if (!pb->err[0])
		snprintf(pb->err, sizeof(pb->err), "pblk: %s failed with NVMe status %x/%02xh (%s)",
			 what, NVME_CQE_SCT(status), NVME_CQE_SC(status), vssd_status_name(status));
}

void pblk_fail_why(struct pblk *pb, const char *why)
{
	if (!pb->err[0])
		snprintf(pb->err, sizeof(pb->err), "pblk: %s", why);
}

const char *pblk_error(const struct pblk *pb)
{
	return pb->err[0] ? pb->err : NULL;
}

int pblk_submit(struct pblk *pb, struct host_bio *bio, uint64_t now_ns)
{
	if (now_ns > pb->now_ns)
		pb->now_ns = now_ns;
	bio->status = 0;
	bio->next = NULL;
	if (bio->dir == HOST_BIO_FLUSH) {
		pblk_flush(pb, bio);
		return 0;
	}
	if (!bio->nr || bio->nr > HOST_BIO_MAX_SECTORS)
		return -EINVAL;
	if (bio->lba >= pb->capacity || bio->nr > pb->capacity - bio->lba)
		return -ERANGE;
	if (bio->dir == HOST_BIO_TRIM) {
		pblk_trim(pb, bio);
		return 0;
	}
	return bio->dir == HOST_BIO_WRITE ? pblk_write(pb, bio) : pblk_read(pb, bio);
}

static void sync_done(void *arg, const struct nvme_cqe *cqe)
{
	struct pblk_cmd *c = arg;

	c->rc = nvme_cqe_code(cqe);
	c->failed = c->rc ? pblk_cqe_failed(cqe) : 0;
	c->done = true;
}

uint16_t pblk_cmd_sync(struct pblk *pb, struct pblk_cmd *c, uint8_t opcode)
{
	struct nvme_sqe sqe = pblk_vector_sqe(opcode, c);

	c->done = false;
	if (pb->tr.submit(pb->tr.ctx, &sqe, sync_done, c))
		return NVME_SC_INTERNAL;
	while (!c->done)
		if (pb->tr.poll(pb->tr.ctx))
			return NVME_SC_INTERNAL;
	return (uint16_t)c->rc;
}

uint64_t pblk_next_due(const struct pblk *pb)
{
	return pb->done_head ? pb->done_head->due_ns : UINT64_MAX;
}

int pblk_complete_due(struct pblk *pb, uint64_t now_ns)
{
	int n = 0;

	if (now_ns > pb->now_ns)
		pb->now_ns = now_ns;
	while (pb->done_head && pb->done_head->due_ns <= now_ns) {
		struct host_bio *bio = pb->done_head;

		pb->done_head = bio->next;
		bio->done(bio->arg, bio->status);
		n++;
	}
	return n;
}

void pblk_rb_pointers(const struct pblk *pb, struct pblk_rb_pointers *p)
{
	*p = (struct pblk_rb_pointers){.mem = pb->rb_mem,
				       .subm = pb->rb_subm,
				       .sync = pb->rb_sync,
				       .l2p = pb->rb_l2p,
				       .size = pb->rb_size};
}

void pblk_get_stats(const struct pblk *pb, struct pblk_stats *s)
{
	*s = pb->st;
	s->lines = pb->nchk;
	s->capacity_sectors = pb->capacity;
	s->free_lines = s->open_lines = s->closed_lines = s->bad_lines = 0;
	memset(s->gc_group, 0, sizeof(s->gc_group));
	for (uint32_t l = 0; l < pb->nchk; l++) {
		const struct pblk_line *line = &pb->lines[l];

		s->free_lines += line->state == PBLK_LINESTATE_FREE;
		s->open_lines +=
			line->state == PBLK_LINESTATE_OPEN || line->state == PBLK_LINESTATE_CLOSING;
		s->closed_lines += line->state == PBLK_LINESTATE_CLOSED;
		s->bad_lines += line->state == PBLK_LINESTATE_BAD;
		if (line->state == PBLK_LINESTATE_CLOSED)
			s->gc_group[pblk_gc_group(pb, line)]++;
	}
	s->rl_state = pb->rl.state;
	s->rb_budget = pb->rl.rb_budget;
	s->rb_user_max = pb->rl.rb_user_max;
	s->rb_gc_max = pb->rl.rb_gc_max;
	s->rb_user_cnt = pb->rl.rb_user_cnt;
	s->rb_gc_cnt = pb->rl.rb_gc_cnt;
	s->free_blocks = pb->rl.free_blocks;
	s->rl_high = pb->rl.high;
	s->rl_rsv = pb->rl.rsv;
}

void pblk_stack_counters(const struct pblk_stats *s, struct dev_counters *c)
{
	c->host_write_bytes = s->user_sectors * PBLK_SECTOR_BYTES;
	c->host_read_bytes = s->read_sectors * PBLK_SECTOR_BYTES;
	c->host_trim_bytes = s->trim_sectors * PBLK_SECTOR_BYTES;
	c->host_write_units = s->user_sectors;
	c->gc_copied_units = s->gc_sectors;
	c->gc_runs = s->gc_lines;
	c->free_lines = (uint32_t)s->free_lines;
}

void pblk_stats_add(struct pblk_stats *sum, const struct pblk_stats *s)
{
	sum->user_sectors += s->user_sectors;
	sum->gc_sectors += s->gc_sectors;
	sum->pad_sectors += s->pad_sectors;
	sum->meta_sectors += s->meta_sectors;
	sum->read_sectors += s->read_sectors;
	sum->cache_read_sectors += s->cache_read_sectors;
	sum->trim_sectors += s->trim_sectors;
	sum->gc_lines += s->gc_lines;
}

double pblk_stats_waf(const struct pblk_stats *s)
{
	if (!s->user_sectors)
		return 0;
	return (double)(s->user_sectors + s->gc_sectors + s->pad_sectors) / (double)s->user_sectors;
}

static int ops_submit(void *ftl, struct host_bio *bio, uint64_t now_ns)
{
	return pblk_submit(ftl, bio, now_ns);
}

static uint64_t ops_next_due(const void *ftl)
{
	return pblk_next_due(ftl);
}

static int ops_complete_due(void *ftl, uint64_t now_ns)
{
	return pblk_complete_due(ftl, now_ns);
}

static uint64_t ops_capacity(const void *ftl)
{
	return pblk_capacity(ftl);
}

static const char *ops_error(const void *ftl)
{
	return pblk_error(ftl);
}

static void ops_destroy(void *ftl)
{
	pblk_destroy(ftl);
}

const struct host_ftl_ops pblk_host_ops = {
	.name = "pblk",
	.submit = ops_submit,
	.next_due = ops_next_due,
	.complete_due = ops_complete_due,
	.capacity = ops_capacity,
	.error = ops_error,
	.destroy = ops_destroy,
};
