/*
 * A load generator of the project's own that speaks NVMe/TCP (through
 * tests/nvmf/host.c): one admin queue brings a controller up, then QUEUES
 * I/O queues, a thread each, keep QD commands of 4 KiB at random LBAs in
 * flight for SECONDS. Writes carry their data in the capsule; reads get
 * theirs in C2HData. Prints the IOPS of all queues on one line:
 *
 *   nvmf_load ADDRESS PORT NQN read|write QUEUES QD SECONDS
 *   -> "nvmf_load: write 4 queues x QD 32: 123456 IOPS"
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "host.h"

#define BLOCK 4096

struct job {
	const char *addr, *nqn;
	uint16_t port, qid, cntlid, qd;
	bool write;
	double seconds;
	uint64_t lbas; /* the range the random LBAs fall in */
	uint64_t done;
	int failed;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int submit(struct nh_conn *c, struct job *j, uint16_t cid, void **bufs, uint64_t *rng)
{
	struct nvme_sqe sqe = {
		.opcode = j->write ? NVME_CMD_WRITE : NVME_CMD_READ, .cid = cid, .nsid = 1};
	uint64_t slba;

	*rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
	slba = (*rng >> 17) % j->lbas;
	sqe.cdw10 = (uint32_t)slba;
	sqe.cdw11 = (uint32_t)(slba >> 32);
	return nh_submit(c, &sqe, bufs[cid], BLOCK, j->write ? NH_TO_CTRL : NH_TO_HOST);
}

static void *run(void *arg)
{
	struct job *j = arg;
	struct nh_conn c;
	void **bufs = calloc(j->qd, sizeof(*bufs));
	uint64_t rng = j->qid * 0x9e3779b97f4a7c15ull;
	double end;

	if (!bufs || nh_open(&c, j->addr, j->port, false, false) ||
	    nh_fabrics_connect(&c, j->qid, (uint16_t)(j->qd + 1), j->cntlid, j->nqn, 0, NULL)) {
		j->failed = 1;
		return NULL;
	}
	for (uint16_t i = 0; i < j->qd; i++) {
		bufs[i] = malloc(BLOCK);
		memset(bufs[i], i, BLOCK);
		if (submit(&c, j, i, bufs, &rng))
			j->failed = 1;
	}
	end = now_s() + j->seconds;
	for (uint32_t inflight = j->qd; inflight && !j->failed;) {
		struct nvme_cqe cqe;

		if (nh_reap(&c, &cqe, bufs) || (cqe.status & 0xfffe) || cqe.cid >= j->qd) {
			j->failed = 1;
			break;
		}
		j->done++;
		inflight--;
		if (now_s() < end) { /* past the end, what is in flight comes back */
			if (submit(&c, j, cqe.cid, bufs, &rng))
				j->failed = 1;
			inflight++;
		}
	}
	nh_close(&c);
	return NULL;
}

int main(int argc, char **argv)
{
	struct nh_conn admin;
	struct nvme_sqe sqe;
	struct nvme_cqe cqe;
	struct nvme_id_ns id;
	struct job jobs[63];
	pthread_t th[63];
	int queues, qd;
	double secs, t0, t1;
	uint64_t total = 0;

	if (argc != 8 || (strcmp(argv[4], "read") && strcmp(argv[4], "write"))) {
		fprintf(stderr, "usage: nvmf_load ADDRESS PORT NQN read|write QUEUES QD SECONDS\n");
		return 2;
	}
	queues = atoi(argv[5]);
	qd = atoi(argv[6]);
	secs = atof(argv[7]);
	if (queues < 1 || queues > 63 || qd < 1 || qd > 1023 || !(secs > 0)) {
		fprintf(stderr, "nvmf_load: QUEUES 1 to 63, QD 1 to 1023, SECONDS > 0\n");
		return 2;
	}
	if (nh_admin_up(&admin, argv[1], (uint16_t)atoi(argv[2]), argv[3])) {
		fprintf(stderr, "nvmf_load: no controller at %s:%s for %s\n", argv[1], argv[2],
			argv[3]);
		return 1;
	}
	nvme_prep_identify(&sqe, 1, NVME_ID_CNS_NS, NULL);
	if (nh_cmd(&admin, &sqe, &id, sizeof(id), NH_TO_HOST, &cqe) || !id.nsze ||
	    (id.lbaf[id.flbas & 15].lbads != 12)) {
		fprintf(stderr, "nvmf_load: namespace 1 is not one of 4 KiB blocks\n");
		return 1;
	}
	t0 = now_s();
	for (int q = 0; q < queues; q++) {
		jobs[q] = (struct job){.addr = argv[1],
				       .nqn = argv[3],
				       .port = (uint16_t)atoi(argv[2]),
				       .qid = (uint16_t)(q + 1),
				       .cntlid = admin.cntlid,
				       .qd = (uint16_t)qd,
				       .write = !strcmp(argv[4], "write"),
				       .seconds = secs,
				       .lbas = id.nsze};
		pthread_create(&th[q], NULL, run, &jobs[q]);
	}
	for (int q = 0; q < queues; q++) {
		pthread_join(th[q], NULL);
		if (jobs[q].failed) {
			fprintf(stderr, "nvmf_load: queue %d failed\n", q + 1);
			return 1;
		}
		total += jobs[q].done;
	}
	t1 = now_s();
	printf("nvmf_load: %s %d queues x QD %d: %.0f IOPS\n", argv[4], queues, qd,
	       (double)total / (t1 - t0));
	nh_close(&admin);
	return 0;
}
