/*
 * zftl's set-up from what the device says of its zones, its device
 * commands, block requests in and their completions out, and its figures.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/zftl/zftl_int.h"
#include "nvme/dma.h"

void zftl_fail(struct zftl *z, const char *what, uint16_t status)
{
	if (!z->err[0])
		snprintf(z->err, sizeof(z->err), "zftl: %s failed with status 0x%x", what, status);
}

struct zftl_cmd *zftl_cmd_get(struct zftl *z, uint8_t kind, uint32_t zone, uint32_t n)
{
	struct zftl_cmd *c = z->free_cmds;

	if (!c)
		return NULL;
	z->free_cmds = c->next_free;
	z->cmds_free--;
	c->kind = kind;
	c->zone = zone;
	c->n = n;
	c->bio = NULL;
	c->chunk = NULL;
	return c;
}

void zftl_cmd_put(struct zftl *z, struct zftl_cmd *c)
{
	c->next_free = z->free_cmds;
	z->free_cmds = c;
	z->cmds_free++;
}

void zftl_set_data(struct zftl *z, struct zftl_cmd *c, struct nvme_sqe *sqe, uint8_t *buf)
{
	nvme_build_prps(buf ? buf : z->scratch, (uint64_t)c->n * ZFTL_SECTOR_BYTES, c->prp_list,
			&sqe->prp1, &sqe->prp2);
}

/* What each kind of command does when it completes, and what a failure
 * of it is called (NULL: the block request gets the status, zftl goes on). */
static const struct {
	zftl_done_fn *done;
	const char *fatal;
} kinds[] = {
	[ZFTL_CMD_READ] = {zftl_read_done, "a read"},
	[ZFTL_CMD_APPEND] = {zftl_user_done, "a user write (Zone Append)"},
	[ZFTL_CMD_GC_READ] = {zftl_gc_read_done, "a GC read"},
	[ZFTL_CMD_GC_APPEND] = {zftl_gc_append_done, "a GC write (Zone Append)"},
	[ZFTL_CMD_RESET] = {zftl_reset_done, "a zone reset"},
	[ZFTL_CMD_FLUSH] = {zftl_flush_done, NULL},
};

/* Every command's completion: the clock, the kind's own work, then what
 * the freed command and room let go on. */
static void cmd_done(void *arg, const struct nvme_cqe *cqe)
{
	struct zftl_cmd *c = arg;
	struct zftl *z = c->z;
	uint16_t st = nvme_cqe_code(cqe);

	z->now_ns = z->tr.now_ns(z->tr.ctx);
	if (st && kinds[c->kind].fatal)
		zftl_fail(z, kinds[c->kind].fatal, st);
	kinds[c->kind].done(z, c, cqe, st);
	zftl_cmd_put(z, c);
	zftl_kick(z);
}

void zftl_submit(struct zftl *z, struct zftl_cmd *c, struct nvme_sqe *sqe)
{
	if (z->tr.submit(z->tr.ctx, sqe, cmd_done, c)) {
		zftl_fail(z, "a submission (the queue was full)", 0);
		zftl_cmd_put(z, c);
	}
}

void zftl_bio_part_done(struct zftl *z, struct host_bio *bio, uint16_t status)
{
	if (status && !bio->status)
		bio->status = status;
	if (--bio->pending)
		return;
	bio->due_ns = z->now_ns;
	bio->next = NULL;
	if (z->due_tail)
		z->due_tail->next = bio;
	else
		z->due_head = bio;
	z->due_tail = bio;
}

void zftl_invalidate(struct zftl *z, uint32_t dlba)
{
	z->p2l[dlba] = ZFTL_UNMAPPED;
	z->zones[dlba / z->zone_lbas].valid--;
}

void zftl_map(struct zftl *z, uint32_t lba, uint32_t dlba)
{
	if (z->l2p[lba] != ZFTL_UNMAPPED)
		zftl_invalidate(z, z->l2p[lba]);
	z->l2p[lba] = dlba;
	z->p2l[dlba] = lba;
	z->zones[dlba / z->zone_lbas].valid++;
}

void zftl_kick(struct zftl *z)
{
	zftl_gc_run(z);
	zftl_run_waiting(z);
	/* no zone for a waiting write, nothing in flight to free one, and GC
	 * finds nothing to collect: it would wait for ever */
	if (z->wait_head && z->cmds_free == z->cfg.max_cmds && !zftl_gc_busy(z) && !z->err[0])
		snprintf(z->err, sizeof(z->err),
			 "zftl: no free zone for a write and none GC can empty (%u free)",
			 z->nfree);
}

/* An admin or I/O command at set-up, to completion. */
static void setup_done(void *arg, const struct nvme_cqe *cqe)
{
	int *st = arg;

	*st = nvme_cqe_code(cqe);
}

static int run_io(struct zftl *z, struct nvme_sqe *sqe)
{
	int st = -1, rc;

	if ((rc = z->tr.submit(z->tr.ctx, sqe, setup_done, &st)))
		return rc;
	while (st < 0)
		if ((rc = z->tr.poll(z->tr.ctx)))
			return rc;
	return st ? -EIO : 0;
}

static int run_admin(struct zftl *z, struct nvme_sqe *sqe)
{
	struct nvme_cqe cqe;
	int rc = z->tr.admin(z->tr.ctx, sqe, &cqe);

	return rc ? rc : nvme_cqe_code(&cqe) ? -EIO : 0;
}

/* Zone size, the open limit and how much one Zone Append carries. */
static int read_identify(struct zftl *z, uint8_t *page, char *err, size_t errlen)
{
	const struct nvme_id_ns_zns *ns = (const void *)page;
	const struct nvme_id_ctrl *ctrl = (const void *)page;
	const struct nvme_id_ctrl_zns *zc = (const void *)page;
	struct nvme_sqe sqe;
	uint32_t mdts_sectors;
	int rc;

	nvme_prep_identify(&sqe, 0, NVME_ID_CNS_CTRL, page);
	if ((rc = run_admin(z, &sqe)))
		goto fail;
	mdts_sectors = ctrl->mdts ? (1u << ctrl->mdts) : HOST_BIO_MAX_SECTORS;
	nvme_prep_identify(&sqe, 0, NVME_ID_CNS_CS_CTRL, page);
	nvme_set(&sqe, NVME_F_CSI, NVME_CSI_ZNS);
	if ((rc = run_admin(z, &sqe)))
		goto fail;
	z->max_append = zc->zasl ? (1u << zc->zasl) : mdts_sectors;
	if (z->max_append > HOST_BIO_MAX_SECTORS)
		z->max_append = HOST_BIO_MAX_SECTORS;
	nvme_prep_identify(&sqe, 1, NVME_ID_CNS_CS_NS, page);
	nvme_set(&sqe, NVME_F_CSI, NVME_CSI_ZNS);
	if ((rc = run_admin(z, &sqe)))
		goto fail;
	z->zone_lbas = ns->lbafe[0].zsze;
	/* MOR and MAR are 0-based, all ones for no limit */
	if (ns->mor != 0xffffffffu && ns->mor + 1 < ZFTL_STREAMS) {
		snprintf(err, errlen, "zftl: the device opens %u zone(s) at once; it needs %d",
			 ns->mor + 1, ZFTL_STREAMS);
		return -EINVAL;
	}
	if (ns->mar != 0xffffffffu && ns->mar + 1 < ZFTL_STREAMS) {
		snprintf(err, errlen,
			 "zftl: the device keeps %u zone(s) active at once; it needs %d",
			 ns->mar + 1, ZFTL_STREAMS);
		return -EINVAL;
	}
	return 0;
fail:
	snprintf(err, errlen, "zftl: the device is not a zoned namespace (Identify failed: %s)",
		 strerror(-rc));
	return rc;
}

/* Each zone's capacity and state, 63 descriptors a page. Every zone must
 * be empty: the map of data already there is not kept anywhere. */
static int read_zones(struct zftl *z, uint8_t *page, char *err, size_t errlen)
{
	const struct nvme_zone_report *head = (const void *)page;
	const struct nvme_zone_desc *d = (const void *)(page + sizeof(*head));
	uint32_t k = 0;
	int rc;

	while (k < z->nzones) {
		struct nvme_sqe sqe;

		nvme_prep_zone_report(&sqe, 1, k * z->zone_lbas, 4096, NVME_ZRAS_ALL, true);
		sqe.prp1 = (uintptr_t)page;
		if ((rc = run_io(z, &sqe)) || !head->nr_zones) {
			snprintf(err, errlen, "zftl: a zone report failed");
			return rc ? rc : -EIO;
		}
		for (uint64_t i = 0; i < head->nr_zones && k < z->nzones; i++, k++) {
			uint8_t zs = d[i].zs >> 4;

			z->zones[k] =
				(struct zftl_zone){.slba = d[i].zslba, .cap = (uint32_t)d[i].zcap};
			if (zs == NVME_ZS_OFFLINE || zs == NVME_ZS_READ_ONLY) {
				z->zones[k].state = ZFTL_ZONE_OFFLINE;
				z->st.offline_zones++;
			} else if (zs != NVME_ZS_EMPTY) {
				snprintf(err, errlen,
					 "zftl: zone %u holds data; zftl keeps its map in host "
					 "memory and cannot take over a written device (a reopened "
					 "media=file or a power cut: not supported)",
					 k);
				return -EEXIST;
			}
		}
	}
	return 0;
}

/* The spare (usable sectors past the user's) must hold the streams' open
 * zones, GC's reserve and one more, or GC could find no victim with room
 * freed in it. */
static int check_spare(struct zftl *z, char *err, size_t errlen)
{
	uint64_t usable = 0, cap = 0, need;

	for (uint32_t k = 0; k < z->nzones; k++)
		if (z->zones[k].state != ZFTL_ZONE_OFFLINE) {
			usable += z->zones[k].cap;
			cap = z->zones[k].cap > cap ? z->zones[k].cap : cap;
		}
	need = (ZFTL_STREAMS + ZFTL_RESERVE_ZONES + 1) * cap;
	if (usable < need || z->capacity > usable - need || !z->capacity) {
		snprintf(err, errlen,
			 "zftl: a user capacity of %llu sectors leaves %llu of the zones' %llu as "
			 "spare; zftl needs %llu (%d zones): give a larger op",
			 (unsigned long long)z->capacity,
			 (unsigned long long)(usable > z->capacity ? usable - z->capacity : 0),
			 (unsigned long long)usable, (unsigned long long)need,
			 ZFTL_STREAMS + ZFTL_RESERVE_ZONES + 1);
		return -ENOSPC;
	}
	z->st.zone_sectors = cap;
	return 0;
}

void zftl_zone_freed(struct zftl *z, uint32_t k)
{
	z->zones[k].state = ZFTL_ZONE_FREE;
	z->zones[k].wp = 0;
	z->zones[k].next = ZFTL_NO_ZONE;
	if (z->free_tail != ZFTL_NO_ZONE)
		z->zones[z->free_tail].next = k;
	else
		z->free_head = k;
	z->free_tail = k;
	z->nfree++;
}

uint32_t zftl_free_pop(struct zftl *z)
{
	uint32_t k = z->free_head;

	if (k == ZFTL_NO_ZONE)
		return k;
	z->free_head = z->zones[k].next;
	if (z->free_head == ZFTL_NO_ZONE)
		z->free_tail = ZFTL_NO_ZONE;
	z->nfree--;
	return k;
}

static int alloc_tables(struct zftl *z, uint64_t dev_lbas)
{
	uint32_t ncmds = z->cfg.max_cmds;

	z->l2p = malloc(z->capacity * sizeof(*z->l2p));
	z->p2l = malloc(dev_lbas * sizeof(*z->p2l));
	z->cmds = calloc(ncmds, sizeof(*z->cmds));
	z->scratch = z->tr.dma_alloc(z->tr.ctx, HOST_BIO_MAX_SECTORS * ZFTL_SECTOR_BYTES);
	if (!z->l2p || !z->p2l || !z->cmds || !z->scratch)
		return -ENOMEM;
	memset(z->l2p, 0xff, z->capacity * sizeof(*z->l2p));
	memset(z->p2l, 0xff, dev_lbas * sizeof(*z->p2l));
	for (uint32_t i = 0; i < ncmds; i++) {
		z->cmds[i].z = z;
		if (!(z->cmds[i].prp_list = z->tr.dma_alloc(z->tr.ctx, NVME_PAGE_BYTES)))
			return -ENOMEM;
		zftl_cmd_put(z, &z->cmds[i]);
	}
	for (int i = 0; i < ZFTL_GC_CHUNKS; i++)
		if (!(z->gc.chunk[i].buf =
			      z->tr.dma_alloc(z->tr.ctx, HOST_BIO_MAX_SECTORS * ZFTL_SECTOR_BYTES)))
			return -ENOMEM;
	return 0;
}

/* The device's size, then its zones, then the tables. */
static int build(struct zftl *z, char *err, size_t errlen)
{
	uint8_t *page = z->tr.dma_alloc(z->tr.ctx, 4096);
	const struct nvme_id_ns *ns = (const void *)page;
	struct nvme_sqe sqe;
	uint64_t nsze;
	int rc;

	if (!page)
		return -ENOMEM;
	if ((rc = read_identify(z, page, err, errlen)))
		goto out;
	nvme_prep_identify(&sqe, 1, NVME_ID_CNS_NS, page);
	if ((rc = run_admin(z, &sqe)))
		goto out;
	nsze = ns->nsze;
	if (!z->zone_lbas || nsze % z->zone_lbas || nsze >= UINT32_MAX) {
		snprintf(err, errlen,
			 "zftl: %llu LBAs in zones of %llu: not a zoned layout it maps",
			 (unsigned long long)nsze, (unsigned long long)z->zone_lbas);
		rc = -EINVAL;
		goto out;
	}
	z->nzones = (uint32_t)(nsze / z->zone_lbas);
	z->st.zones = z->nzones;
	if (!(z->zones = calloc(z->nzones, sizeof(*z->zones)))) {
		rc = -ENOMEM;
		goto out;
	}
	if ((rc = read_zones(z, page, err, errlen)) || (rc = check_spare(z, err, errlen)) ||
	    (rc = alloc_tables(z, nsze)))
		goto out;
	for (uint32_t k = 0; k < z->nzones; k++)
		if (z->zones[k].state != ZFTL_ZONE_OFFLINE)
			zftl_zone_freed(z, k);
out:
	z->tr.dma_free(z->tr.ctx, page);
	return rc;
}

int zftl_create(const struct zftl_config *cfg, const struct host_transport *tr, struct zftl **out,
		char *err, size_t errlen)
{
	struct zftl *z = calloc(1, sizeof(*z));
	int rc;

	if (!z)
		return -ENOMEM;
	z->cfg = *cfg;
	z->tr = *tr;
	z->capacity = cfg->capacity_sectors;
	z->st.capacity_sectors = cfg->capacity_sectors;
	z->free_head = z->free_tail = ZFTL_NO_ZONE;
	z->gc.victim = ZFTL_NO_ZONE;
	for (int s = 0; s < ZFTL_STREAMS; s++)
		z->open[s] = ZFTL_NO_ZONE;
	if ((rc = build(z, err, errlen))) {
		if (rc == -ENOMEM)
			snprintf(err, errlen, "zftl: out of memory for its tables");
		zftl_destroy(z);
		return rc;
	}
	*out = z;
	return 0;
}

void zftl_destroy(struct zftl *z)
{
	if (!z)
		return;
	for (uint32_t i = 0; z->cmds && i < z->cfg.max_cmds; i++)
		if (z->cmds[i].prp_list)
			z->tr.dma_free(z->tr.ctx, z->cmds[i].prp_list);
	for (int i = 0; i < ZFTL_GC_CHUNKS; i++)
		if (z->gc.chunk[i].buf)
			z->tr.dma_free(z->tr.ctx, z->gc.chunk[i].buf);
	if (z->scratch)
		z->tr.dma_free(z->tr.ctx, z->scratch);
	free(z->cmds);
	free(z->l2p);
	free(z->p2l);
	free(z->zones);
	free(z);
}
