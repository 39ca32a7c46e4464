/*
 * `vssd torture`: power-loss testing. A random workload of writes (some
 * FUA), trims and flushes runs at queue depth through the library; at a
 * random point, with commands still in flight, the power is cut
 * (vssd_powerloss) and the device recovers from its media. Then every LBA
 * is read and checked against what the host knows, kept outside the device:
 *
 *   a version acknowledged before the last completed flush was submitted
 *   (or acknowledged with FUA) must read back, or a newer one; versions
 *   written after it may read back; nothing else may, zeros included
 *   unless the LBA was trimmed or never written.
 *
 * With ftl=pblk the same workload goes through pblk, the host FTL, whose
 * requests are synchronous: what a cut catches is what pblk holds in its
 * write buffer and has in flight on the device. pblk keeps no trim across a
 * power loss (nor did Linux's), so an LBA trimmed since its last durable
 * write may read back zeros or any version it ever held, but never garbage
 * or another LBA's block; the power cut throws pblk away, and a new one
 * recovers from the media.
 *
 * With ftl=zns, torture_zns.c runs zone writes, appends, resets and
 * finishes instead, and checks each zone's write pointer and data.
 *
 * Writes carry a random placement identifier (0-7), which FDP uses.
 * Every block carries its LBA and version, so garbage, a block from
 * elsewhere and a resurrected old version are all told apart. Writes to an
 * LBA never overlap in flight, so each LBA's versions are ordered.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "torture.h"
#include "vssd/vssd.h"

#define MAX_WRITE_UNITS 16 /* 4 KiB units in one write or trim */
#define NOT_ACKED UINT64_MAX

/* A version written to one LBA: when the host saw it complete. */
struct version {
	uint32_t ver;
	bool fua;
	uint64_t acked_at; /* event number, or NOT_ACKED */
};

/* What one LBA may hold: base (known since the last check) and the versions since. */
struct lba_hist {
	uint32_t base;
	uint32_t n, cap;
	bool loose; /* pblk: trimmed since its last durable write, as of the last check */
	struct version *v;
};

enum cmd_kind { CMD_WRITE, CMD_TRIM, CMD_FLUSH };

struct torture;

struct cmd {
	struct torture *t;
	bool used;
	enum cmd_kind kind;
	uint64_t slba;
	uint32_t nlb;
	uint64_t submitted_at; /* event number */
	uint8_t *buf;
};

struct torture {
	struct vssd *dev;
	struct vssd_qpair *qp;
	struct vssd_pblk *pb; /* ftl=pblk: the block device is pblk's */
	bool zoned;	      /* ftl=zns: torture_zoned() runs it */
	uint64_t cap;
	uint32_t lba_bytes, lpu; /* LBAs per 4 KiB unit */
	struct lba_hist *h;
	uint8_t *busy; /* per LBA: a command on it is in flight */
	struct cmd cmds[MAX_QD];
	uint32_t qd;
	uint64_t event;	     /* submissions and completions, counted */
	uint64_t flushed_at; /* submission event of the newest completed flush */
	uint32_t next_ver;
	struct torture_rng rng;
	uint8_t *check_buf;
	uint32_t check_lbas;
	/* figures */
	uint64_t writes, trims, flushes, in_flight_lost, errors;
	uint64_t checked, violations, cuts, recovery_ns, scanned;
	uint64_t ftl_checks; /* recoveries after which vssd_check() found the FTL whole */
	uint64_t pblk_lines; /* ftl=pblk: lines recovered */
};

/* Uniform in [0, n), from the run's seeded generator. */
static uint64_t below(struct torture *t, uint64_t n)
{
	return torture_below(&t->rng, n);
}

static int hist_push(struct lba_hist *h, uint32_t ver, bool fua)
{
	if (h->n == h->cap) {
		uint32_t cap = h->cap ? 2 * h->cap : 4;
		struct version *v = realloc(h->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		h->v = v;
		h->cap = cap;
	}
	h->v[h->n++] = (struct version){ver, fua, NOT_ACKED};
	return 0;
}

static void on_done(void *arg, const struct nvme_cqe *cqe)
{
	struct cmd *c = arg;
	struct torture *t = c->t;
	uint16_t status = NVME_STATUS(NVME_CQE_SCT(cqe->status), NVME_CQE_SC(cqe->status));

	c->used = false;
	t->event++;
	if (status && ++t->errors <= 10) {
		fprintf(stderr, "torture: %s of LBA %llu+%u failed: status %x/%02xh (%s)\n",
			c->kind == CMD_FLUSH  ? "flush"
			: c->kind == CMD_TRIM ? "trim"
					      : "write",
			(unsigned long long)c->slba, c->nlb, NVME_CQE_SCT(status),
			NVME_CQE_SC(status), vssd_status_name(status));
	}
	if (c->kind == CMD_FLUSH) {
		if (!status && c->submitted_at > t->flushed_at)
			t->flushed_at = c->submitted_at;
		return;
	}
	for (uint64_t lba = c->slba; lba < c->slba + c->nlb; lba++) {
		struct lba_hist *h = &t->h[lba];

		t->busy[lba] = 0;
		if (!status) /* the newest version of an LBA is its in-flight one */
			h->v[h->n - 1].acked_at = t->event;
	}
}

static struct cmd *free_cmd(struct torture *t)
{
	for (;;) {
		for (uint32_t i = 0; i < t->qd; i++)
			if (!t->cmds[i].used)
				return &t->cmds[i];
		if (!vssd_poll(t->qp))
			vssd_qpair_wait(t->qp, UINT64_MAX);
	}
}

/* A range of whole 4 KiB units with nothing in flight, or false. */
static bool pick_range(struct torture *t, uint64_t *slba, uint32_t *nlb)
{
	uint64_t units = t->cap / t->lpu;
	uint32_t n = 1 + (uint32_t)below(t, MAX_WRITE_UNITS);
	uint64_t first = below(t, units - n + 1);

	*slba = first * t->lpu;
	*nlb = n * t->lpu;
	for (uint64_t lba = *slba; lba < *slba + *nlb; lba++)
		if (t->busy[lba])
			return false;
	return true;
}

/* Sends c: an NVMe command on the queue pair, or pblk's request, which is
 * done when the call returns. */
static int issue(struct torture *t, struct cmd *c, unsigned flags)
{
	struct nvme_cqe cqe = {0};
	int rc;

	if (!t->pb) {
		if (c->kind == CMD_FLUSH)
			return vssd_flush_async(t->qp, on_done, c);
		if (c->kind == CMD_TRIM)
			return vssd_trim_async(t->qp, c->slba, c->nlb, on_done, c);
		return vssd_write_async(t->qp, c->buf, c->slba, c->nlb, flags, on_done, c);
	}
	rc = c->kind == CMD_FLUSH  ? vssd_pblk_flush(t->pb)
	     : c->kind == CMD_TRIM ? vssd_pblk_trim(t->pb, c->slba, c->nlb)
				   : vssd_pblk_write(t->pb, c->buf, c->slba, c->nlb);
	if (rc < 0)
		return rc;
	cqe.status = (uint16_t)rc; /* pblk's status is the CQE's, without the phase */
	on_done(c, &cqe);
	return 0;
}

static int submit_one(struct torture *t)
{
	struct cmd *c = free_cmd(t);
	uint64_t r = below(t, 100);
	bool fua = false;
	uint32_t ver = 0;
	int rc;

	*c = (struct cmd){.t = t, .used = true, .buf = c->buf, .submitted_at = ++t->event};
	c->kind = r < 5 ? CMD_FLUSH : r < 15 ? CMD_TRIM : CMD_WRITE;
	if (c->kind == CMD_FLUSH) {
		t->flushes++;
		return (rc = issue(t, c, 0)) < 0 ? rc : 0;
	}
	if (!pick_range(t, &c->slba, &c->nlb)) {
		c->used = false;
		return 0; /* busy: try another next time */
	}
	if (c->kind == CMD_WRITE) {
		ver = ++t->next_ver;
		fua = below(t, 16) == 0 && !t->pb; /* pblk's writes have no FUA */
		for (uint32_t i = 0; i < c->nlb; i++)
			torture_fill_block(c->buf + (uint64_t)i * t->lba_bytes, c->slba + i, ver,
					   t->lba_bytes);
	}
	for (uint64_t lba = c->slba; lba < c->slba + c->nlb; lba++) {
		t->busy[lba] = 1;
		if (hist_push(&t->h[lba], ver, fua))
			return -ENOMEM;
	}
	if (c->kind == CMD_WRITE) {
		t->writes++;
		/* a placement identifier too: with fdp=on the handles write apart */
		rc = issue(t, c, (fua ? VSSD_FUA : 0) | VSSD_PID(below(t, 8)));
	} else {
		t->trims++;
		rc = issue(t, c, 0);
	}
	return rc < 0 ? rc : 0;
}

/* The newest entry of h that must survive a power loss (-1: none); for
 * pblk, writes only, and *trimmed says whether a trim came after it (or,
 * with none, after the last durable write of an earlier cycle). */
static int last_durable(const struct torture *t, const struct lba_hist *h, bool *trimmed)
{
	int durable = -1;

	*trimmed = h->loose;
	for (uint32_t i = 0; i < h->n; i++) {
		bool acked = h->v[i].acked_at != NOT_ACKED;

		if (t->pb && !h->v[i].ver) {
			*trimmed |= acked;
		} else if (acked && (h->v[i].acked_at < t->flushed_at || h->v[i].fua)) {
			durable = (int)i;
			*trimmed = false;
		}
	}
	return durable;
}

/* Whether ver may be what lba reads back now; see the top of the file. */
static bool allowed(const struct torture *t, const struct lba_hist *h, uint32_t ver)
{
	bool trimmed;
	int durable = last_durable(t, h, &trimmed);

	if (trimmed) /* pblk: any version of this LBA, or zeros; never garbage */
		return ver != UINT32_MAX;
	if (durable < 0 && ver == h->base)
		return true;
	for (uint32_t i = (uint32_t)(durable < 0 ? 0 : durable); i < h->n; i++)
		if (h->v[i].ver == ver)
			return true;
	return false;
}

static void report_violation(struct torture *t, uint64_t lba, uint32_t got)
{
	const struct lba_hist *h = &t->h[lba];

	if (++t->violations > 10)
		return;
	fprintf(stderr, "torture: VIOLATION at LBA %llu: read %s", (unsigned long long)lba,
		got == UINT32_MAX ? "garbage" : "version");
	if (got != UINT32_MAX)
		fprintf(stderr, " %u", got);
	fprintf(stderr, "; base %u, since:", h->base);
	for (uint32_t i = 0; i < h->n; i++)
		fprintf(stderr, " %u%s", h->v[i].ver, h->v[i].fua ? "F" : ""),
			h->v[i].acked_at == NOT_ACKED
				? fprintf(stderr, " (not acknowledged)")
				: fprintf(stderr, " (acknowledged at event %llu)",
					  (unsigned long long)h->v[i].acked_at);
	fprintf(stderr, " (last flush submitted at event %llu)\n",
		(unsigned long long)t->flushed_at);
}

/* Reads every LBA back and checks it; each LBA's history then starts over. */
static int check_all(struct torture *t)
{
	for (uint64_t slba = 0; slba < t->cap; slba += t->check_lbas) {
		uint32_t n =
			t->cap - slba < t->check_lbas ? (uint32_t)(t->cap - slba) : t->check_lbas;
		int rc = t->pb ? vssd_pblk_read(t->pb, t->check_buf, slba, n)
			       : vssd_read(t->qp, t->check_buf, slba, n);

		if (rc) {
			fprintf(stderr, "torture: reading LBA %llu+%u failed: %d\n",
				(unsigned long long)slba, n, rc);
			return -EIO;
		}
		for (uint32_t i = 0; i < n; i++) {
			struct lba_hist *h = &t->h[slba + i];
			uint32_t got = torture_block_version(
				t->check_buf + (uint64_t)i * t->lba_bytes, slba + i, t->lba_bytes);

			if (!allowed(t, h, got))
				report_violation(t, slba + i, got);
			last_durable(t, h, &h->loose);
			h->base = got == UINT32_MAX ? h->base : got;
			h->n = 0;
		}
		t->checked += n;
	}
	t->flushed_at = 0;
	return 0;
}

/* pblk's memory went with the power: a new pblk recovers from the media. */
static int pblk_restart(struct torture *t)
{
	struct vssd_pblk_stats st;
	uint64_t t0 = vssd_clock_ns();
	char err[512];
	int rc;

	vssd_pblk_close(t->pb);
	t->pb = NULL;
	if ((rc = vssd_pblk_open(t->dev, &t->pb, err, sizeof(err)))) {
		fprintf(stderr, "torture: pblk did not recover: %s\n", err);
		return rc;
	}
	t->recovery_ns += vssd_clock_ns() - t0;
	vssd_pblk_stats(t->pb, &st);
	t->pblk_lines += st.recovered_lines;
	return 0;
}

static int power_cut(struct torture *t)
{
	struct vssd_recovery rec;
	int rc;

	for (uint32_t i = 0; i < t->qd; i++) {
		struct cmd *c = &t->cmds[i];

		if (!c->used)
			continue;
		t->in_flight_lost++;
		c->used = false;
		if (c->kind != CMD_FLUSH)
			for (uint64_t lba = c->slba; lba < c->slba + c->nlb; lba++)
				t->busy[lba] = 0;
	}
	if ((rc = vssd_powerloss(t->dev)))
		return rc;
	vssd_recovery_info(t->dev, &rec);
	t->cuts++;
	t->recovery_ns += rec.wall_ns;
	t->scanned += rec.units_scanned;
	return t->pb ? pblk_restart(t) : 0;
}

static void torture_usage(FILE *out)
{
	fprintf(out, "usage: vssd torture [--profile NAME|FILE] [--set KEY=VALUE]... [--seed N]\n"
		     "                    [--cycles N] [--ops N] [--qd N] [-v]\n\n"
		     "Runs random writes (some FUA), trims and flushes at queue depth --qd (8),\n"
		     "cuts the power after a random number of commands (mean --ops, 2000) with\n"
		     "commands in flight, lets the device recover, and checks every LBA: what\n"
		     "was acknowledged before the last completed flush must read back, or\n"
		     "something newer. --cycles (50) power cuts. The device is a small one\n"
		     "(153 MiB) with media=ram unless --set says otherwise; media=none keeps\n"
		     "nothing and cannot be tortured. --set ftl=pblk runs it through pblk, the\n"
		     "host FTL (whose trims do not survive a power loss). Exits 1 on any\n"
		     "violation.\n");
}

static int parse_args(int argc, char **argv, struct torture_args *a)
{
	static const struct option longopts[] = {
		{"profile", required_argument, 0, 'p'},
		{"set", required_argument, 0, 'S'},
		{"seed", required_argument, 0, 'e'},
		{"cycles", required_argument, 0, 'c'},
		{"ops", required_argument, 0, 'o'},
		{"qd", required_argument, 0, 'q'},
		{"verbose", no_argument, 0, 'v'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	int c;

	*a = (struct torture_args){
		.profile = "default", .seed = "1", .cycles = 50, .ops = 2000, .qd = 8};
	while ((c = getopt_long(argc, argv, "p:S:e:c:o:q:vh", longopts, NULL)) != -1) {
		long *num = c == 'c' ? &a->cycles : c == 'o' ? &a->ops : c == 'q' ? &a->qd : NULL;

		if (num) {
			char *end;

			*num = strtol(optarg, &end, 10);
			if (*end || *num < 1 || (c == 'q' && *num > MAX_QD)) {
				fprintf(stderr,
					"vssd torture: --%s %s: expected a whole number from 1%s\n",
					c == 'c'   ? "cycles"
					: c == 'o' ? "ops"
						   : "qd",
					optarg, c == 'q' ? " to 64" : "");
				return 2;
			}
			continue;
		}
		switch (c) {
		case 'p': a->profile = optarg; break;
		case 'e': a->seed = optarg; break;
		case 'v': a->verbose = true; break;
		case 'S':
			if (cli_add_set(a->sets, &a->nsets, optarg))
				return 2;
			break;
		case 'h': torture_usage(stdout); return -1;
		default: torture_usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vssd torture: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	return 0;
}

/* Why the device cannot be tortured, or NULL. */
static const char *refusal(const struct vssd_info *info)
{
	if (!info->keeps_data)
		return "media=none keeps no data, so nothing survives a power cut to be checked: "
		       "use media=ram or media=file";
	return info->block_host == VSSD_BLOCK_ZONED ? NULL : info->block_refusal;
}

/* Whether the user's --set asks for a zoned device. */
static bool zoned_asked(const struct torture_args *a)
{
	bool zoned = false;

	for (int i = 0; i < a->nsets; i++)
		if (!strncmp(a->sets[i], "ftl=", 4))
			zoned = !strcmp(a->sets[i], "ftl=zns");
	return zoned;
}

/* The small default device first, then the profile and the user's --set. */
static int open_device(const struct torture_args *a, struct torture *t)
{
	static const char *const small[] = {"channels=2",	   "luns_per_channel=2",
					    "blocks_per_plane=64", "pages_per_block=48",
					    "media=ram",	   "timing=off"};
	const char *params[CLI_MAX_SETS + 16];
	char profile[512], seed[64], err[512];
	struct vssd_info info;
	const char *why;
	int n = 0, rc;

	snprintf(profile, sizeof(profile), "profile=%s", a->profile);
	snprintf(seed, sizeof(seed), "seed=%s", a->seed);
	params[n++] = profile;
	for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++)
		params[n++] = small[i];
	if (!zoned_asked(a)) /* the spare of an FTL that maps; a zoned device keeps none */
		params[n++] = "op=0.25";
	params[n++] = seed;
	for (int i = 0; i < a->nsets; i++)
		params[n++] = a->sets[i];
	params[n] = NULL;
	if ((rc = vssd_open(params, VSSD_INLINE, &t->dev, err, sizeof(err)))) {
		fprintf(stderr, "vssd torture: %s\n", err);
		return rc;
	}
	if ((rc = vssd_info(t->dev, &info)))
		return rc;
	if ((why = refusal(&info))) {
		fprintf(stderr, "vssd torture: %s\n", why);
		return -EINVAL;
	}
	if ((t->zoned = info.block_host == VSSD_BLOCK_ZONED))
		return 0; /* the zoned run opens what it needs */
	if (info.block_host != VSSD_BLOCK_PBLK)
		return vssd_qpair_open(t->dev, (uint16_t)(t->qd + 1), &t->qp);
	if ((rc = vssd_pblk_open(t->dev, &t->pb, err, sizeof(err))))
		fprintf(stderr, "vssd torture: %s\n", err);
	return rc;
}

static int setup(struct torture *t, const struct torture_args *a)
{
	t->qd = (uint32_t)a->qd;
	torture_rng_seed(&t->rng, strtoull(a->seed, NULL, 0) ^ 0x746f72747572ULL);
	if (open_device(a, t))
		return -1;
	if (t->zoned)
		return 0;
	t->cap = t->pb ? vssd_pblk_capacity(t->pb) : vssd_capacity_lbas(t->dev);
	t->lba_bytes = t->pb ? 4096 : vssd_lba_bytes(t->dev);
	t->lpu = 4096 / t->lba_bytes;
	t->check_lbas = vssd_max_transfer_bytes(t->dev) / t->lba_bytes;
	t->h = calloc(t->cap, sizeof(*t->h));
	t->busy = calloc(t->cap, 1);
	t->check_buf = vssd_dma_alloc(t->dev, vssd_max_transfer_bytes(t->dev));
	if (!t->h || !t->busy || !t->check_buf)
		return -ENOMEM;
	for (uint32_t i = 0; i < t->qd; i++)
		if (!(t->cmds[i].buf = vssd_dma_alloc(t->dev, MAX_WRITE_UNITS * 4096)))
			return -ENOMEM;
	return 0;
}

static void teardown(struct torture *t)
{
	if (t->dev) {
		for (uint32_t i = 0; i < t->qd; i++)
			vssd_dma_free(t->dev, t->cmds[i].buf);
		vssd_dma_free(t->dev, t->check_buf);
		if (t->qp)
			vssd_qpair_close(t->qp);
		vssd_pblk_close(t->pb);
		vssd_close(t->dev);
	}
	for (uint64_t i = 0; t->h && i < t->cap; i++)
		free(t->h[i].v);
	free(t->h);
	free(t->busy);
}

/* What recovery rebuilt holds together: the device's own invariant check. */
static int check_ftl(struct torture *t)
{
	char why[256];
	int rc = vssd_check(t->dev, why, sizeof(why));

	if (rc)
		fprintf(stderr, "vssd torture: after recovery %llu the FTL is inconsistent: %s\n",
			(unsigned long long)t->cuts, rc == -EUCLEAN ? why : strerror(-rc));
	else
		t->ftl_checks++;
	return rc;
}

static int run_cycles(struct torture *t, const struct torture_args *a)
{
	for (long cycle = 1; cycle <= a->cycles; cycle++) {
		uint64_t ops = 1 + below(t, 2 * (uint64_t)a->ops);
		int rc;

		for (uint64_t i = 0; i < ops; i++) {
			if ((rc = submit_one(t))) {
				fprintf(stderr, "vssd torture: a command could not be sent: %s\n",
					t->pb && vssd_pblk_error(t->pb) ? vssd_pblk_error(t->pb)
									: strerror(-rc));
				return rc;
			}
		}
		if (below(t, 2) && t->qp) /* else those in flight are cut off */
			vssd_poll(t->qp);
		if ((rc = power_cut(t))) {
			fprintf(stderr, "vssd torture: power loss: %s\n", strerror(-rc));
			return rc;
		}
		if ((rc = check_ftl(t)) || (rc = check_all(t)))
			return rc;
		if (a->verbose || cycle % 10 == 0 || cycle == a->cycles)
			fprintf(stderr,
				"torture: %ld/%ld power cuts, %llu LBAs checked, %llu violations\n",
				cycle, a->cycles, (unsigned long long)t->checked,
				(unsigned long long)t->violations);
	}
	return 0;
}

int cmd_torture(int argc, char **argv)
{
	struct torture_args a;
	struct torture t = {0};
	uint64_t t0 = vssd_clock_ns();
	int rc = parse_args(argc, argv, &a);

	if (rc)
		return rc < 0 ? 0 : rc;
	if ((rc = setup(&t, &a))) {
		if (rc != -1)
			fprintf(stderr, "vssd torture: setting up: %s\n", strerror(-rc));
		teardown(&t);
		return 1;
	}
	if (t.zoned) {
		rc = torture_zoned(t.dev, &a);
		teardown(&t);
		return rc;
	}
	rc = run_cycles(&t, &a);
	printf("torture: %llu power cuts, %llu writes, %llu trims, %llu flushes, %llu commands "
	       "cut off in flight; %llu LBAs checked, %llu violations, %llu command errors; "
	       "FTL invariants held after %llu recoveries\n",
	       (unsigned long long)t.cuts, (unsigned long long)t.writes,
	       (unsigned long long)t.trims, (unsigned long long)t.flushes,
	       (unsigned long long)t.in_flight_lost, (unsigned long long)t.checked,
	       (unsigned long long)t.violations, (unsigned long long)t.errors,
	       (unsigned long long)t.ftl_checks);
	if (t.cuts && t.pb)
		printf("recovery: pblk rebuilt its map from %.1f lines in %.2f ms on average; "
		       "%.1f s in all\n",
		       (double)t.pblk_lines / (double)t.cuts,
		       (double)t.recovery_ns / (double)t.cuts / 1e6,
		       (double)(vssd_clock_ns() - t0) / 1e9);
	else if (t.cuts)
		printf("recovery: %.2f ms and %llu units scanned on average; %.1f s in all\n",
		       (double)t.recovery_ns / (double)t.cuts / 1e6,
		       (unsigned long long)(t.scanned / t.cuts),
		       (double)(vssd_clock_ns() - t0) / 1e9);
	teardown(&t);
	return rc || t.violations || t.errors ? 1 : 0;
}
