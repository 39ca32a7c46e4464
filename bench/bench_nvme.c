/*
 * The NVMe path in real time.
 *
 * fidelity: QD1 4 KiB reads and writes on the 970 PRO-like profile; for each
 *   command, (observed completion - submission) - modelled latency, i.e.
 *   how late the runtime delivers what the model promised; p50 and p99, in
 *   inline and threaded mode.
 * throughput: inline mode, timing=off, media=ram, 4 KiB random reads through
 *   the full NVMe path (SQE, doorbell, PRP, FTL, media copy, CQE), and a
 *   plain memcpy loop over the same buffers in the same run; IOPS and ratio.
 *
 * usage: bench_nvme fidelity|throughput [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "host/api_internal.h"
#include "stats/histogram.h"
#include "util/rng.h"
#include "util/clock.h"
#include "vssd/vssd.h"

static struct vssd *open_dev(const char *const *params, enum vssd_runtime rt)
{
	struct vssd *dev;
	char err[512];

	if (vssd_open(params, rt, &dev, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
	return dev;
}

struct model_read {
	struct nvme_ctrl *ctrl;
	uint16_t qid, cid;
	uint64_t ns;
};

static void read_model(void *arg)
{
	struct model_read *m = arg;

	m->ns = nvme_ctrl_model_ns(m->ctrl, m->qid, m->cid);
}

/* One command at a time; returns the lateness of each in *late. */
static void qd1(struct vssd *dev, struct vssd_qpair *qp, uint8_t opcode, uint32_t n, uint8_t *buf,
		struct lat_stats *late)
{
	uint32_t lpu = 4096 / vssd_lba_bytes(dev);
	uint64_t cap_units = vssd_capacity_lbas(dev) / lpu;
	struct rng r;

	rng_seed(&r, 7);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t lba = rng_below(&r, cap_units / 4) * lpu; /* a region written earlier */
		struct nvme_sqe sqe = {.opcode = opcode,
				       .nsid = 1,
				       .prp1 = (uintptr_t)buf,
				       .cdw10 = (uint32_t)lba,
				       .cdw11 = (uint32_t)(lba >> 32),
				       .cdw12 = lpu - 1};
		struct model_read m = {libvssd_ctrl_of(dev), libvssd_qpair_qid(qp), 0, 0};
		struct nvme_cqe cqe;
		uint64_t t0, t1;
		int cid;

		t0 = mono_ns();
		cid = vssd_submit(qp, &sqe);
		while (vssd_reap(qp, &cqe, 1) == 0)
			;
		t1 = mono_ns();
		m.cid = (uint16_t)cid;
		libvssd_locked(dev, read_model, &m);
		lat_stats_add(late, t1 - t0 > m.ns ? t1 - t0 - m.ns : 0, 0);
	}
}

static void fidelity(uint32_t n)
{
	static const struct {
		const char *name;
		enum vssd_runtime rt;
		const char *workers;
	} modes[] = {
		{"inline", VSSD_INLINE, "rt_workers=1"},
		{"threaded, dispatcher + worker", VSSD_THREADED, "rt_workers=1"},
		{"threaded, dispatcher posts", VSSD_THREADED, "rt_workers=0"},
	};

	printf("fidelity: QD1 4 KiB, nvmevirt_970pro; lateness = observed - modelled latency\n");
	for (size_t mode = 0; mode < sizeof(modes) / sizeof(modes[0]); mode++) {
		const char *params[] = {"profile=nvmevirt_970pro", "blocks_per_plane=96",
					modes[mode].workers, NULL};
		struct vssd *dev = open_dev(params, modes[mode].rt);
		struct vssd_qpair *qp;
		struct lat_stats rd, wr;
		uint8_t *buf = NULL;
		uint32_t lpu = 4096 / vssd_lba_bytes(dev);

		nvme_ctrl_trace_model(libvssd_ctrl_of(dev));
		vssd_qpair_open(dev, 64, &qp);
		buf = vssd_dma_alloc(dev, 128 * 1024);
		/* put data on NAND so reads sense real pages */
		for (uint64_t lba = 0; lba < vssd_capacity_lbas(dev) / 4; lba += 32 * lpu)
			vssd_write(qp, buf, lba, 32 * lpu, 0);
		vssd_flush(qp);
		lat_stats_init(&rd);
		lat_stats_init(&wr);
		qd1(dev, qp, NVME_CMD_READ, n, buf, &rd);
		qd1(dev, qp, NVME_CMD_WRITE, n, buf, &wr);
		printf("  %-30s read : p50 %6.2f us  p99 %7.2f us  max %8.2f us  (%llu)\n",
		       modes[mode].name, lat_stats_percentile(&rd, 50) / 1e3,
		       lat_stats_percentile(&rd, 99) / 1e3, rd.max_ns / 1e3,
		       (unsigned long long)rd.n);
		printf("  %-30s write: p50 %6.2f us  p99 %7.2f us  max %8.2f us  (%llu)\n",
		       modes[mode].name, lat_stats_percentile(&wr, 50) / 1e3,
		       lat_stats_percentile(&wr, 99) / 1e3, wr.max_ns / 1e3,
		       (unsigned long long)wr.n);
		vssd_dma_free(dev, buf);
		vssd_qpair_close(qp);
		vssd_close(dev);
	}
}

static void throughput(uint32_t n, int small)
{
	/* small: 32 MiB raw, the data stays in the L3 cache; large: 1.5 GiB raw */
	const char *small_params[] = {"timing=off",
				      "media=ram",
				      "channels=1",
				      "luns_per_channel=1",
				      "pages_per_block=16",
				      "oneshot_pages=1",
				      "blocks_per_plane=128",
				      "op=0.2",
				      NULL};
	const char *large_params[] = {"timing=off",	    "media=ram", "blocks_per_plane=64",
				      "pages_per_block=48", "op=0.2",	 NULL};
	struct vssd *dev = open_dev(small ? small_params : large_params, VSSD_INLINE);
	const uint32_t qd = 32;
	struct vssd_qpair *qp;
	uint8_t *bufs, *src;
	uint64_t units, t0, done = 0, submitted = 0, copies = 0;
	double nvme_s, memcpy_s;
	struct nvme_cqe cqe[64];
	struct rng r;

	vssd_qpair_open(dev, 128, &qp);
	bufs = vssd_dma_alloc(dev, (size_t)qd * 4096);
	units = vssd_capacity_lbas(dev) / (4096 / vssd_lba_bytes(dev));
	for (uint64_t u = 0; u < units; u += 32) /* data everywhere, so reads copy it */
		vssd_write(qp, bufs, u, u + 32 <= units ? 32 : (uint32_t)(units - u), 0);
	rng_seed(&r, 3);
	t0 = mono_ns();
	while (done < n) {
		while (submitted - done < qd && submitted < n) {
			uint64_t lba = rng_below(&r, units);
			struct nvme_sqe sqe = {.opcode = NVME_CMD_READ,
					       .nsid = 1,
					       .prp1 = (uintptr_t)(bufs + (submitted % qd) * 4096),
					       .cdw10 = (uint32_t)lba,
					       .cdw11 = (uint32_t)(lba >> 32)};

			if (vssd_submit(qp, &sqe) < 0)
				break;
			submitted++;
		}
		done += (uint64_t)vssd_reap(qp, cqe, 64);
	}
	nvme_s = (double)(mono_ns() - t0) / 1e9;
	/* the baseline: copy 4 KiB from a random place of a same-sized source into
	 * the same host buffers, no NVMe, no FTL */
	src = malloc(units * 4096);
	memset(src, 1, units * 4096);
	rng_seed(&r, 3);
	t0 = mono_ns();
	for (uint64_t i = 0; i < n; i++) {
		memcpy(bufs + (i % qd) * 4096, src + rng_below(&r, units) * 4096, 4096);
		copies += bufs[(i % qd) * 4096];
	}
	memcpy_s = (double)(mono_ns() - t0) / 1e9;
	printf("throughput: inline, timing=off, media=ram, 4 KiB random reads, QD %u, "
	       "%.0f MiB of data\n",
	       qd, units * 4096.0 / (1 << 20));
	printf("  vssd NVMe path: %.2f M IOPS (%u reads in %.3f s)\n", n / nvme_s / 1e6, n, nvme_s);
	printf("  memcpy loop:    %.2f M copies/s (checksum %llu)\n", n / memcpy_s / 1e6,
	       (unsigned long long)copies);
	printf("  ratio: vssd / memcpy = %.3f\n", memcpy_s / nvme_s);
	free(src);
	vssd_dma_free(dev, bufs);
	vssd_qpair_close(qp);
	vssd_close(dev);
}

int main(int argc, char **argv)
{
	uint32_t n = argc > 2 ? (uint32_t)atoi(argv[2]) : 0;

	if (argc > 1 && !strcmp(argv[1], "fidelity"))
		fidelity(n ? n : 20000);
	else if (argc > 1 && !strcmp(argv[1], "throughput")) {
		throughput(n ? n : 4000000, 1);
		throughput(n ? n : 4000000, 0);
	} else {
		fprintf(stderr, "usage: bench_nvme fidelity|throughput [N]\n");
		return 2;
	}
	return 0;
}
