/*
 * `vssd torture` on a zoned namespace (ftl=zns): at queue depth, random
 * zones get writes at their write pointer (as the host keeps it), Zone
 * Appends, resets and finishes; the power is cut with commands in flight
 * and the device recovers. Then each zone's report and every LBA are
 * checked against what the host knows. The zoned device has no volatile
 * cache: a completed write or append is durable. So, for each zone:
 *
 *   - its write pointer is at least the end of every acknowledged write
 *     and at most the end of what was submitted; with a finish in flight
 *     or acknowledged it may (or must) be full instead; with a reset in
 *     flight it may be empty instead;
 *   - every LBA below its write pointer (a finished zone: below what was
 *     written) holds the block this zone generation wrote there, and every
 *     LBA past it reads zeros;
 *   - an append completes naming the LBA the host expected (a zone's
 *     commands reach it in the order they were sent).
 *
 * A zone's blocks carry its generation (resets so far, plus one) as their
 * version, so a block from before a reset is told apart. Resets and
 * finishes go to zones with nothing in flight; writes to zones without a
 * reset or finish in flight.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "torture.h"

#define MAX_WRITE_LBAS 16

enum zcmd_kind { Z_WRITE, Z_APPEND, Z_RESET, Z_FINISH };

struct zt_zone {
	uint64_t issued;	   /* LBAs sent for writing, from the zone's start */
	uint64_t acked;		   /* the end of the furthest acknowledged write */
	uint32_t gen;		   /* acknowledged resets */
	uint32_t inflight;	   /* commands on it in flight */
	bool full;		   /* all its capacity sent, or finished: no write until a reset */
	bool finished;		   /* an acknowledged finish: the device must say full */
	bool resetting, finishing; /* such a command in flight (or cut off) */
};

struct zt;

struct zt_cmd {
	struct zt *t;
	bool used;
	enum zcmd_kind kind;
	uint32_t zone;
	uint64_t off; /* where in the zone a write or append goes */
	uint32_t nlb;
	uint8_t *buf;
};

struct zt {
	struct vssd *dev;
	struct vssd_qpair *qp;
	uint32_t qd, nzones;
	uint64_t zone_lbas, cap_lbas;
	struct zt_zone *z;
	struct zt_cmd cmds[MAX_QD];
	struct torture_rng rng;
	uint8_t *report, *check_buf;
	uint32_t check_lbas;
	/* figures */
	uint64_t writes, appends, resets, finishes, in_flight_lost, errors;
	uint64_t zones_checked, lbas_checked, violations, cuts, ftl_checks;
};

static void violation(struct zt *t, uint32_t zone, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void violation(struct zt *t, uint32_t zone, const char *fmt, ...)
{
	const struct zt_zone *z = &t->z[zone];
	va_list ap;

	if (++t->violations > 10)
		return;
	fprintf(stderr, "torture: VIOLATION in zone %u: ", zone);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (host: %llu LBAs sent, %llu acknowledged, generation %u%s%s%s)\n",
		(unsigned long long)z->issued, (unsigned long long)z->acked, z->gen,
		z->full ? ", full" : "", z->resetting ? ", reset in flight" : "",
		z->finishing ? ", finish in flight" : "");
}

static void on_done(void *arg, const struct nvme_cqe *cqe)
{
	struct zt_cmd *c = arg;
	struct zt *t = c->t;
	struct zt_zone *z = &t->z[c->zone];
	uint16_t status = NVME_STATUS(NVME_CQE_SCT(cqe->status), NVME_CQE_SC(cqe->status));
	static const char *const names[] = {"write", "append", "reset", "finish"};

	c->used = false;
	z->inflight--;
	if (status) {
		if (++t->errors <= 10)
			fprintf(stderr, "torture: %s in zone %u failed: %s\n", names[c->kind],
				c->zone, vssd_status_name(status));
		return;
	}
	switch (c->kind) {
	case Z_APPEND: {
		uint64_t lba = (uint64_t)cqe->dw1 << 32 | cqe->result;

		if (lba != c->zone * t->zone_lbas + c->off)
			violation(t, c->zone, "an append wrote at LBA %llu, not %llu",
				  (unsigned long long)lba,
				  (unsigned long long)(c->zone * t->zone_lbas + c->off));
	}
		/* fall through */
	case Z_WRITE:
		if (c->off + c->nlb > z->acked)
			z->acked = c->off + c->nlb;
		break;
	case Z_RESET: *z = (struct zt_zone){.gen = z->gen + 1, .inflight = z->inflight}; break;
	case Z_FINISH:
		z->full = z->finished = true;
		z->finishing = false;
		break;
	}
}

static struct zt_cmd *free_cmd(struct zt *t)
{
	for (;;) {
		for (uint32_t i = 0; i < t->qd; i++)
			if (!t->cmds[i].used)
				return &t->cmds[i];
		if (!vssd_poll(t->qp))
			vssd_qpair_wait(t->qp, UINT64_MAX);
	}
}

/* One command on a random zone, or none when that zone is busy. */
static int submit_one(struct zt *t)
{
	uint32_t zone = (uint32_t)torture_below(&t->rng, t->nzones);
	struct zt_zone *z = &t->z[zone];
	uint64_t zslba = zone * t->zone_lbas, r = torture_below(&t->rng, 100);
	struct zt_cmd *c;
	int rc;

	if (z->resetting || z->finishing)
		return 0;
	c = free_cmd(t);
	*c = (struct zt_cmd){.t = t, .used = true, .zone = zone, .buf = c->buf};
	if (z->full || r < 5) { /* a reset, of a full zone or now and then */
		if (z->inflight) {
			c->used = false;
			return 0;
		}
		c->kind = Z_RESET;
		z->resetting = true;
		t->resets++;
		rc = vssd_zone_send_async(t->qp, zslba, NVME_ZSA_RESET, false, on_done, c);
	} else if (r < 8) {
		if (z->inflight) {
			c->used = false;
			return 0;
		}
		c->kind = Z_FINISH;
		z->finishing = true;
		t->finishes++;
		rc = vssd_zone_send_async(t->qp, zslba, NVME_ZSA_FINISH, false, on_done, c);
	} else {
		c->kind = torture_below(&t->rng, 4) ? Z_WRITE : Z_APPEND;
		c->off = z->issued;
		c->nlb = 1 + (uint32_t)torture_below(&t->rng, MAX_WRITE_LBAS);
		if (c->nlb > t->cap_lbas - c->off)
			c->nlb = (uint32_t)(t->cap_lbas - c->off);
		for (uint32_t i = 0; i < c->nlb; i++)
			torture_fill_block(c->buf + (uint64_t)i * 4096, zslba + c->off + i,
					   z->gen + 1, 4096);
		z->issued += c->nlb;
		z->full = z->issued == t->cap_lbas;
		if (c->kind == Z_WRITE) {
			t->writes++;
			rc = vssd_write_async(t->qp, c->buf, zslba + c->off, c->nlb, 0, on_done, c);
		} else {
			t->appends++;
			rc = vssd_zone_append_async(t->qp, c->buf, zslba, c->nlb, 0, on_done, c);
		}
	}
	if (rc) {
		c->used = false;
		return rc;
	}
	z->inflight++;
	return 0;
}

/* Reads [from, to) of the zone: each LBA must hold version ver (0: zeros). */
static int check_blocks(struct zt *t, uint32_t zone, uint64_t from, uint64_t to, uint32_t ver)
{
	uint64_t zslba = zone * t->zone_lbas;

	for (uint64_t off = from; off < to;) {
		uint32_t n = to - off < t->check_lbas ? (uint32_t)(to - off) : t->check_lbas;
		int rc = vssd_read(t->qp, t->check_buf, zslba + off, n);

		if (rc) {
			fprintf(stderr, "torture: reading zone %u at %llu+%u failed: %d\n", zone,
				(unsigned long long)off, n, rc);
			return -EIO;
		}
		for (uint32_t i = 0; i < n; i++) {
			uint32_t got = torture_block_version(t->check_buf + (uint64_t)i * 4096,
							     zslba + off + i, 4096);

			if (got != ver) {
				violation(t, zone,
					  "LBA %llu of the zone holds %s %u, expected %s %u",
					  (unsigned long long)(off + i),
					  got == UINT32_MAX ? "garbage, not version" : "version",
					  got, ver ? "version" : "zeros, version", ver);
				break;
			}
		}
		t->lbas_checked += n;
		off += n;
	}
	return 0;
}

/* One zone after a power cut, against the rules at the top; the host's
 * view then starts over from what the device says. */
static int check_zone(struct zt *t, uint32_t zone)
{
	struct zt_zone *z = &t->z[zone];
	const struct nvme_zone_desc *d = (const void *)(t->report + 64);
	uint64_t wp, data_end;
	uint8_t state;
	bool ok;
	int rc = vssd_zone_report(t->qp, zone * t->zone_lbas, NVME_ZRAS_ALL, true, t->report, 128);

	if (rc) {
		fprintf(stderr, "torture: the report of zone %u failed: %d\n", zone, rc);
		return -EIO;
	}
	state = d->zs >> 4;
	wp = d->wp - d->zslba;
	if (z->resetting && state == NVME_ZS_EMPTY) { /* the reset was done */
		*z = (struct zt_zone){.gen = z->gen + 1};
		data_end = 0;
		ok = wp == 0;
	} else if (state == NVME_ZS_FULL) {
		/* by writes (then all were sent), or a finish with nothing in flight */
		ok = z->finished || z->finishing || z->issued == t->cap_lbas;
		data_end = z->issued;
		ok = ok && wp == t->cap_lbas && z->acked <= data_end;
	} else {
		ok = !z->finished && (state == NVME_ZS_EMPTY || state == NVME_ZS_CLOSED) &&
		     wp >= z->acked && wp <= z->issued;
		data_end = wp;
	}
	if (!ok)
		violation(t, zone, "state 0x%x, write pointer at %llu", state,
			  (unsigned long long)wp);
	if ((rc = check_blocks(t, zone, 0, data_end, z->gen + 1)) ||
	    (rc = check_blocks(t, zone, data_end, t->cap_lbas, 0)))
		return rc;
	/* from here on the host knows the zone as the device says it: a full
	 * one holds data to data_end (a finished one may hold less than its
	 * capacity) and takes no writes until a reset */
	z->issued = z->acked = data_end;
	z->full = z->finished = state == NVME_ZS_FULL;
	z->resetting = z->finishing = false;
	z->inflight = 0;
	t->zones_checked++;
	return 0;
}

static int power_cut_and_check(struct zt *t)
{
	char why[256];
	int rc;

	for (uint32_t i = 0; i < t->qd; i++)
		if (t->cmds[i].used) {
			t->cmds[i].used = false;
			t->in_flight_lost++;
		}
	if ((rc = vssd_powerloss(t->dev))) {
		fprintf(stderr, "vssd torture: power loss: %s\n", strerror(-rc));
		return rc;
	}
	t->cuts++;
	if ((rc = vssd_check(t->dev, why, sizeof(why)))) {
		fprintf(stderr, "vssd torture: after recovery %llu the FTL is inconsistent: %s\n",
			(unsigned long long)t->cuts, rc == -EUCLEAN ? why : strerror(-rc));
		return rc;
	}
	t->ftl_checks++;
	for (uint32_t zone = 0; zone < t->nzones; zone++)
		if ((rc = check_zone(t, zone)))
			return rc;
	return 0;
}

static int setup(struct zt *t, const struct torture_args *a)
{
	struct nvme_id_ns_zns *id = vssd_dma_alloc(t->dev, 4096);
	struct nvme_sqe sqe;
	struct nvme_cqe cqe;
	int rc;

	if (!id)
		return -ENOMEM;
	nvme_prep_identify(&sqe, 1, NVME_ID_CNS_CS_NS, id);
	nvme_set(&sqe, NVME_F_CSI, NVME_CSI_ZNS);
	rc = vssd_admin(t->dev, &sqe, &cqe);
	t->zone_lbas = id->lbafe[0].zsze;
	vssd_dma_free(t->dev, id);
	if (rc || nvme_cqe_code(&cqe) || !t->zone_lbas)
		return rc ? rc : -EIO;
	t->qd = (uint32_t)a->qd;
	t->nzones = (uint32_t)(vssd_capacity_lbas(t->dev) / t->zone_lbas);
	torture_rng_seed(&t->rng, strtoull(a->seed, NULL, 0) ^ 0x7a6f6e6573ULL);
	t->z = calloc(t->nzones, sizeof(*t->z));
	t->report = vssd_dma_alloc(t->dev, 4096);
	t->check_lbas = vssd_max_transfer_bytes(t->dev) / 4096;
	t->check_buf = vssd_dma_alloc(t->dev, vssd_max_transfer_bytes(t->dev));
	if (!t->z || !t->report || !t->check_buf)
		return -ENOMEM;
	if ((rc = vssd_qpair_open(t->dev, (uint16_t)(t->qd + 1), &t->qp)) ||
	    (rc = vssd_zone_report(t->qp, 0, NVME_ZRAS_ALL, true, t->report, 128)))
		return rc < 0 ? rc : -EIO;
	t->cap_lbas = ((const struct nvme_zone_desc *)(t->report + 64))->zcap;
	for (uint32_t i = 0; i < t->qd; i++)
		if (!(t->cmds[i].buf = vssd_dma_alloc(t->dev, MAX_WRITE_LBAS * 4096)))
			return -ENOMEM;
	return 0;
}

static void teardown(struct zt *t)
{
	for (uint32_t i = 0; i < t->qd; i++)
		vssd_dma_free(t->dev, t->cmds[i].buf);
	vssd_dma_free(t->dev, t->check_buf);
	vssd_dma_free(t->dev, t->report);
	if (t->qp)
		vssd_qpair_close(t->qp);
	free(t->z);
}

int torture_zoned(struct vssd *dev, const struct torture_args *a)
{
	struct zt t = {.dev = dev};
	int rc = setup(&t, a);

	if (rc)
		fprintf(stderr, "vssd torture: setting up the zones: %s\n",
			rc > 0 ? vssd_status_name((uint16_t)rc) : strerror(-rc));
	for (long cycle = 1; !rc && cycle <= a->cycles; cycle++) {
		uint64_t ops = 1 + torture_below(&t.rng, 2 * (uint64_t)a->ops);

		for (uint64_t i = 0; !rc && i < ops; i++)
			if ((rc = submit_one(&t)))
				fprintf(stderr, "vssd torture: a command could not be sent: %s\n",
					strerror(-rc));
		if (rc)
			break;
		if (torture_below(&t.rng, 2)) /* else those in flight are cut off */
			vssd_poll(t.qp);
		if ((rc = power_cut_and_check(&t)))
			break;
		if (a->verbose || cycle % 10 == 0 || cycle == a->cycles)
			fprintf(stderr,
				"torture: %ld/%ld power cuts, %llu zones checked, %llu "
				"violations\n",
				cycle, a->cycles, (unsigned long long)t.zones_checked,
				(unsigned long long)t.violations);
	}
	printf("torture: %llu power cuts, %u zones, %llu writes, %llu appends, %llu resets, "
	       "%llu finishes, %llu commands cut off in flight; %llu zones and %llu LBAs checked, "
	       "%llu violations, %llu command errors; FTL invariants held after %llu "
	       "recoveries\n",
	       (unsigned long long)t.cuts, t.nzones, (unsigned long long)t.writes,
	       (unsigned long long)t.appends, (unsigned long long)t.resets,
	       (unsigned long long)t.finishes, (unsigned long long)t.in_flight_lost,
	       (unsigned long long)t.zones_checked, (unsigned long long)t.lbas_checked,
	       (unsigned long long)t.violations, (unsigned long long)t.errors,
	       (unsigned long long)t.ftl_checks);
	teardown(&t);
	return rc || t.violations || t.errors ? 1 : 0;
}
