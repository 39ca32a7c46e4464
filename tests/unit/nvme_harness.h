/* A test host for the NVMe controller in virtual time: an admin queue, I/O
 * queues, a registered memory arena, and helpers that run one command to
 * completion and return its CQE. */
#ifndef VSSD_TEST_NVME_HARNESS_H
#define VSSD_TEST_NVME_HARNESS_H

#include "helpers.h"

#include <errno.h>
#include <stdlib.h>

#include "nvme/ctrl.h"
#include "nvme/host_qp.h"

#define ARENA_BYTES (8u << 20)

struct th {
	struct nvme_ctrl *ctrl;
	struct host_qp admin;
	struct host_qp io[NVME_MAX_QUEUES];
	uint8_t *arena; /* registered; th_alloc hands out pages */
	size_t arena_used;
	uint64_t *prp_list; /* one list page, for commands run one at a time */
	uint64_t now_ns;
};

static inline void *th_alloc(struct th *t, size_t bytes)
{
	void *p = t->arena + t->arena_used;

	t->arena_used += (bytes + 4095) / 4096 * 4096;
	assert_true(t->arena_used <= ARENA_BYTES);
	memset(p, 0, bytes);
	return p;
}

static inline void th_register_qp(struct th *t, struct host_qp *qp)
{
	assert_int_equal(host_qp_register(qp, &t->ctrl->dma), 0);
}

static inline void th_init(struct th *t, const char *const *pairs)
{
	struct vssd_config cfg;
	char err[512];

	memset(t, 0, sizeof(*t));
	config_from_pairs(&cfg, pairs);
	if (nvme_ctrl_create(&cfg, &t->ctrl, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(posix_memalign((void **)&t->arena, 4096, ARENA_BYTES), 0);
	assert_int_equal(dma_register(&t->ctrl->dma, t->arena, ARENA_BYTES), 0);
	t->prp_list = th_alloc(t, 4096);
	assert_int_equal(host_qp_alloc(&t->admin, 0, 32), 0);
	th_register_qp(t, &t->admin);
	assert_int_equal(nvme_ctrl_enable(t->ctrl, t->admin.sq_ring, 32, t->admin.cq_ring, 32), 0);
	host_qp_bind(&t->admin, &t->ctrl->db[0]);
}

static inline void th_fini(struct th *t)
{
	for (int q = 0; q < NVME_MAX_QUEUES; q++)
		host_qp_free(&t->io[q]);
	host_qp_free(&t->admin);
	nvme_ctrl_destroy(t->ctrl);
	free(t->arena);
}

/* Lets virtual time run until everything submitted has completed. */
static inline void th_drain(struct th *t)
{
	while (nvme_ctrl_next_due(t->ctrl) != UINT64_MAX) {
		uint64_t due = nvme_ctrl_next_due(t->ctrl);

		if (due > t->now_ns)
			t->now_ns = due;
		if (!nvme_ctrl_post_due(t->ctrl, t->now_ns))
			break; /* a full CQ: the host must reap first */
	}
}

/* Runs one command on qp to completion and returns its CQE. */
static inline struct nvme_cqe th_run(struct th *t, struct host_qp *qp, struct nvme_sqe sqe)
{
	struct nvme_cqe cqe;

	assert_true(host_qp_submit(qp, &sqe, NULL, NULL, NULL) >= 0);
	nvme_ctrl_process_sq(t->ctrl, qp->qid, t->now_ns);
	th_drain(t);
	assert_int_equal(host_qp_reap(qp, 1, &cqe, NULL, NULL), 1);
	return cqe;
}

static inline struct nvme_cqe th_admin(struct th *t, struct nvme_sqe sqe)
{
	return th_run(t, &t->admin, sqe);
}

/* Status without phase and DNR, to compare with enum nvme_status. */
static inline uint16_t st(struct nvme_cqe c)
{
	return nvme_cqe_code(&c);
}

/* th_admin as a host_admin_fn: 0, or -EIO when the command failed. */
static inline int th_admin_fn(void *t, struct nvme_sqe *sqe)
{
	return st(th_admin(t, *sqe)) ? -EIO : 0;
}

/* Creates I/O queue pair qid with `entries` slots. */
static inline void th_qpair(struct th *t, uint16_t qid, uint16_t entries)
{
	struct host_qp *qp = &t->io[qid];

	assert_int_equal(host_qp_alloc(qp, qid, entries), 0);
	th_register_qp(t, qp);
	assert_int_equal(host_qp_create_queues(qp, th_admin_fn, t), 0);
	host_qp_bind(qp, &t->ctrl->db[qid]);
}

/* A Read/Write-like command for buf; PRP2 or a PRP list as the size needs
 * (the harness's one list page: run such commands one at a time). */
static inline struct nvme_sqe th_rw(struct th *t, uint8_t opcode, uint64_t slba, uint32_t nlb,
				    void *buf)
{
	struct nvme_sqe sqe;
	uint64_t bytes = (uint64_t)nlb * t->ctrl->ns->geo.lba_bytes;
	nvme_prep_rw(&sqe, opcode, NVME_NSID, slba, nlb);
	assert_int_equal(nvme_build_prps(buf, bytes, t->prp_list, &sqe.prp1, &sqe.prp2), 0);
	return sqe;
}

/* Submits without waiting; returns the cid. */
static inline int th_submit(struct th *t, struct host_qp *qp, struct nvme_sqe sqe)
{
	int cid = host_qp_submit(qp, &sqe, NULL, NULL, NULL);

	assert_true(cid >= 0);
	nvme_ctrl_process_sq(t->ctrl, qp->qid, t->now_ns);
	return cid;
}

#endif
