/* I/O command set conformance and the queue protocol: each command and
 * error path with its status code; wrap-around, phase flips, full queues,
 * out-of-order completion, many queue pairs at once. */
#include "nvme_harness.h"

#include <unistd.h>

#include "ftl/conv/conv_int.h"

static const char *const ram[] = {"media=ram", "blocks_per_plane=64", "pages_per_block=48",
				  "op=0.2", NULL};

static void fill(uint8_t *b, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed + i * 7);
}

/* Runs sqe on qid and returns what the controller wrote on stderr. */
static char *stderr_of(struct th *t, uint16_t qid, struct nvme_sqe sqe, uint16_t status)
{
	static char said[1024];
	FILE *f = tmpfile();
	int saved = dup(2);
	size_t n;

	assert_non_null(f);
	fflush(stderr);
	dup2(fileno(f), 2);
	assert_int_equal(st(th_run(t, qid ? &t->io[qid] : &t->admin, sqe)), status);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(said, 1, sizeof(said) - 1, f);
	said[n] = 0;
	fclose(f);
	return said;
}

/* debug=nvme: each rejected command is said with the field and the check;
 * without it, nothing is said. */
static void test_debug_nvme_says_why(void **state)
{
	static const char *const debug[] = {"media=ram",	  "blocks_per_plane=64",
					    "pages_per_block=48", "op=0.2",
					    "debug=nvme",	  NULL};
	struct th t;
	uint8_t *buf;
	uint64_t cap;
	struct nvme_sqe sqe;
	char want[160];

	(void)state;
	th_init(&t, debug);
	th_qpair(&t, 1, 16);
	buf = th_alloc(&t, 8 * 4096);
	cap = dev_capacity_lbas(t.ctrl->ns);
	snprintf(want, sizeof(want),
		 "vssd: nvme: write nsid=1 slba=0x%llx nlb=8: LBA out of range "
		 "(the namespace has 0x%llx LBAs) (LBA Out of Range)\n",
		 (unsigned long long)(cap - 4), (unsigned long long)cap);
	assert_string_equal(
		stderr_of(&t, 1, th_rw(&t, NVME_CMD_WRITE, cap - 4, 8, buf), NVME_SC_LBA_RANGE),
		want);
	sqe = th_rw(&t, NVME_CMD_READ, 0, 1, buf);
	sqe.nsid = 2;
	assert_string_equal(
		stderr_of(&t, 1, sqe, NVME_SC_INVALID_NS),
		"vssd: nvme: read nsid=2 slba=0x0 nlb=1: NSID 2 is not namespace 1, the "
		"only one (Invalid Namespace or Format)\n");
	assert_string_equal(
		stderr_of(&t, 0, (struct nvme_sqe){.opcode = 0x7f}, NVME_SC_INVALID_OPCODE),
		"vssd: nvme: admin opcode 0x7f nsid=0: opcode 0x7f is not an admin command "
		"this controller serves (Invalid Command Opcode)\n");
	th_fini(&t);
	th_init(&t, ram); /* off: nothing said */
	assert_string_equal(
		stderr_of(&t, 0, (struct nvme_sqe){.opcode = 0x7f}, NVME_SC_INVALID_OPCODE), "");
	th_fini(&t);
}

static void test_write_read_prp_forms(void **state)
{
	struct th t;
	uint8_t *src, *dst;
	/* one page, two pages (PRP2), a PRP list, and a start inside a page */
	const uint32_t sizes[] = {1, 2, 32, 7};
	const uint32_t offsets[] = {0, 0, 0, 512};

	(void)state;
	th_init(&t, ram);
	th_qpair(&t, 1, 16);
	src = th_alloc(&t, 256 * 1024);
	dst = th_alloc(&t, 256 * 1024);
	for (int i = 0; i < 4; i++) {
		uint64_t bytes = sizes[i] * 4096ULL;

		fill(src + offsets[i], bytes, (uint8_t)i);
		memset(dst + offsets[i], 0, bytes);
		assert_int_equal(
			st(th_run(&t, &t.io[1],
				  th_rw(&t, NVME_CMD_WRITE, 100 * i, sizes[i], src + offsets[i]))),
			0);
		assert_int_equal(
			st(th_run(&t, &t.io[1],
				  th_rw(&t, NVME_CMD_READ, 100 * i, sizes[i], dst + offsets[i]))),
			0);
		assert_memory_equal(src + offsets[i], dst + offsets[i], bytes);
	}
	th_fini(&t);
}

static void test_io_errors(void **state)
{
	struct th t;
	uint8_t *buf;
	struct nvme_sqe s;
	uint64_t cap;

	(void)state;
	th_init(&t, ram);
	th_qpair(&t, 1, 16);
	buf = th_alloc(&t, 256 * 1024);
	cap = dev_capacity_lbas(t.ctrl->ns);
	s = th_rw(&t, NVME_CMD_READ, cap - 1, 2, buf);
	assert_int_equal(st(th_run(&t, &t.io[1], s)), NVME_SC_LBA_RANGE);
	s = th_rw(&t, NVME_CMD_READ, 0, 1, buf);
	s.nsid = 2;
	assert_int_equal(st(th_run(&t, &t.io[1], s)), NVME_SC_INVALID_NS);
	s.nsid = 1;
	s.opcode = 0x7f;
	assert_int_equal(st(th_run(&t, &t.io[1], s)), NVME_SC_INVALID_OPCODE);
	s = th_rw(&t, NVME_CMD_READ, 0, 1, buf);
	s.prp1 = 0x10000; /* not registered host memory */
	assert_int_equal(st(th_run(&t, &t.io[1], s)), NVME_SC_DATA_XFER_ERROR);
	s.prp1 = (uintptr_t)buf + 2; /* PRP1 must be dword aligned */
	assert_int_equal(st(th_run(&t, &t.io[1], s)), NVME_SC_PRP_OFFSET_INVALID);
	s = th_rw(&t, NVME_CMD_READ, 0, 2, buf);
	s.prp2 += 8; /* PRP2 of a two-page transfer must be page aligned */
	assert_int_equal(st(th_run(&t, &t.io[1], s)), NVME_SC_PRP_OFFSET_INVALID);
	s = th_rw(&t, NVME_CMD_READ, 0, 65, buf); /* 260 KiB > MDTS (256 KiB) */
	assert_int_equal(st(th_run(&t, &t.io[1], s)), NVME_SC_INVALID_FIELD);
	s = th_rw(&t, NVME_CMD_WRITE, 0, 1, buf);
	NVME_SQE_SET_PSDT(&s, 3); /* reserved */
	assert_int_equal(st(th_run(&t, &t.io[1], s)), NVME_SC_INVALID_FIELD);
	/* a PRP list entry that is not page aligned */
	s = th_rw(&t, NVME_CMD_WRITE, 0, 16, buf);
	t.prp_list[3] += 4;
	assert_int_equal(st(th_run(&t, &t.io[1], s)), NVME_SC_PRP_OFFSET_INVALID);
	th_fini(&t);
}

/* A command whose data pointer is the SGL descriptor d. */
static struct nvme_sqe with_sgl(struct nvme_sqe s, struct nvme_sgl_desc d)
{
	NVME_SQE_SET_PSDT(&s, NVME_PSDT_SGL);
	memcpy(&s.prp1, &d, sizeof(d));
	return s;
}

static struct nvme_sgl_desc sgl_desc(uint8_t type, const void *addr, uint32_t length)
{
	return (struct nvme_sgl_desc){.addr = (uintptr_t)addr,
				      .length = length,
				      .type = NVME_SGL_ID(type, NVME_SGL_ADDRESS)};
}

/* Data through SGLs: one data block, and a segment chain of pieces that
 * are not page aligned, read back through PRPs; and what a bad SGL gets. */
static void test_sgl_forms(void **state)
{
	struct th t;
	uint8_t *src, *dst;
	struct nvme_sgl_desc *list1, *list2, d;
	struct nvme_sqe s;

	(void)state;
	th_init(&t, ram);
	th_qpair(&t, 1, 16);
	src = th_alloc(&t, 8 * 4096);
	dst = th_alloc(&t, 8 * 4096);
	list1 = th_alloc(&t, 4096);
	list2 = th_alloc(&t, 4096);
	fill(src, 8 * 4096, 7);
	s = th_rw(&t, NVME_CMD_WRITE, 0, 2, NULL);
	s = with_sgl(s, sgl_desc(NVME_SGL_DATA_BLOCK, src, 8192));
	assert_int_equal(st(th_run(&t, &t.io[1], s)), 0);
	assert_int_equal(st(th_run(&t, &t.io[1], th_rw(&t, NVME_CMD_READ, 0, 2, dst))), 0);
	assert_memory_equal(src, dst, 8192);
	/* 16 KiB in three pieces over two lists: 100 + 5000 bytes, then the rest */
	list1[0] = sgl_desc(NVME_SGL_DATA_BLOCK, src + 8192 + 3, 100);
	list1[1] = sgl_desc(NVME_SGL_DATA_BLOCK, src + 8192 + 200, 5000);
	list1[2] = sgl_desc(NVME_SGL_LAST_SEGMENT, list2, sizeof(*list2));
	list2[0] = sgl_desc(NVME_SGL_DATA_BLOCK, src + 20000, 16384 - 5100);
	s = with_sgl(th_rw(&t, NVME_CMD_WRITE, 8, 4, NULL),
		     sgl_desc(NVME_SGL_SEGMENT, list1, 3 * sizeof(*list1)));
	assert_int_equal(st(th_run(&t, &t.io[1], s)), 0);
	assert_int_equal(st(th_run(&t, &t.io[1], th_rw(&t, NVME_CMD_READ, 8, 4, dst))), 0);
	assert_memory_equal(dst, src + 8192 + 3, 100);
	assert_memory_equal(dst + 100, src + 8192 + 200, 5000);
	assert_memory_equal(dst + 5100, src + 20000, 16384 - 5100);
	/* a descriptor longer than the transfer is fine; a shorter one is not */
	s = with_sgl(th_rw(&t, NVME_CMD_READ, 0, 1, NULL),
		     sgl_desc(NVME_SGL_DATA_BLOCK, dst, 8192));
	assert_int_equal(st(th_run(&t, &t.io[1], s)), 0);
	s = with_sgl(th_rw(&t, NVME_CMD_READ, 0, 2, NULL),
		     sgl_desc(NVME_SGL_DATA_BLOCK, dst, 4096));
	assert_int_equal(st(th_run(&t, &t.io[1], s)), NVME_SC_SGL_DATA_LENGTH_INVALID);
	d = sgl_desc(NVME_SGL_DATA_BLOCK, dst, 4096);
	d.type = NVME_SGL_ID(NVME_SGL_DATA_BLOCK, NVME_SGL_OFFSET); /* a capsule's, not ours */
	assert_int_equal(
		st(th_run(&t, &t.io[1], with_sgl(th_rw(&t, NVME_CMD_READ, 0, 1, NULL), d))),
		NVME_SC_SGL_TYPE_INVALID);
	s = with_sgl(th_rw(&t, NVME_CMD_READ, 0, 1, NULL),
		     sgl_desc(NVME_SGL_BIT_BUCKET, dst, 4096));
	assert_int_equal(st(th_run(&t, &t.io[1], s)), NVME_SC_SGL_TYPE_INVALID);
	s = with_sgl(th_rw(&t, NVME_CMD_READ, 0, 1, NULL),
		     sgl_desc(NVME_SGL_DATA_BLOCK, (void *)0x10000, 4096));
	assert_int_equal(st(th_run(&t, &t.io[1], s)), NVME_SC_DATA_XFER_ERROR);
	/* a segment list entry that is itself a segment, and a ragged list */
	list2[0] = sgl_desc(NVME_SGL_SEGMENT, list1, 16);
	s = with_sgl(th_rw(&t, NVME_CMD_READ, 0, 1, NULL),
		     sgl_desc(NVME_SGL_LAST_SEGMENT, list2, sizeof(*list2)));
	assert_int_equal(st(th_run(&t, &t.io[1], s)), NVME_SC_INVALID_SGL_DESC);
	s = with_sgl(th_rw(&t, NVME_CMD_READ, 0, 1, NULL),
		     sgl_desc(NVME_SGL_LAST_SEGMENT, list1, 20));
	assert_int_equal(st(th_run(&t, &t.io[1], s)), NVME_SC_SGL_COUNT_INVALID);
	/* a segment chained to itself ends at the chain limit */
	list1[0] = sgl_desc(NVME_SGL_SEGMENT, list1, sizeof(*list1));
	s = with_sgl(th_rw(&t, NVME_CMD_READ, 0, 1, NULL),
		     sgl_desc(NVME_SGL_SEGMENT, list1, sizeof(*list1)));
	assert_int_equal(st(th_run(&t, &t.io[1], s)), NVME_SC_SGL_COUNT_INVALID);
	th_fini(&t);
}

static void test_flush_fua_and_cache(void **state)
{
	const char *pairs[] = {"media=ram", "blocks_per_plane=64", "pages_per_block=48", "op=0.2",
			       NULL};
	struct th t;
	uint8_t *buf;
	uint64_t t0, plain, fua;
	struct nvme_sqe s;

	(void)state;
	th_init(&t, pairs);
	th_qpair(&t, 1, 16);
	buf = th_alloc(&t, 4096);
	t0 = t.now_ns;
	th_run(&t, &t.io[1], th_rw(&t, NVME_CMD_WRITE, 0, 1, buf));
	plain = t.now_ns - t0;
	/* fill a program unit so the FUA write has something to wait for */
	for (int i = 1; i < 12; i++)
		th_run(&t, &t.io[1], th_rw(&t, NVME_CMD_WRITE, i, 1, buf));
	t.now_ns += 1000000;
	t0 = t.now_ns;
	s = th_rw(&t, NVME_CMD_WRITE, 20, 1, buf);
	nvme_set(&s, NVME_F_FUA, 1);
	assert_int_equal(st(th_run(&t, &t.io[1], s)), 0);
	fua = t.now_ns - t0;
	assert_true(plain < 10000); /* completes from the write buffer */
	assert_true(fua > 100000);  /* waits for the program that holds the unit */
	assert_int_equal(
		st(th_run(&t, &t.io[1], (struct nvme_sqe){.opcode = NVME_CMD_FLUSH, .nsid = 1})),
		0);
	assert_int_equal(
		st(th_run(&t, &t.io[1],
			  (struct nvme_sqe){.opcode = NVME_CMD_FLUSH, .nsid = 0xffffffff})),
		0);
	th_fini(&t);
}

static void test_write_zeroes_dsm_compare_verify(void **state)
{
	struct th t;
	uint8_t *buf, *back;
	struct nvme_dsm_range *r;
	struct nvme_sqe s;
	uint64_t mapped;

	(void)state;
	th_init(&t, ram);
	th_qpair(&t, 1, 16);
	buf = th_alloc(&t, 64 * 1024);
	back = th_alloc(&t, 64 * 1024);
	fill(buf, 64 * 1024, 3);
	assert_int_equal(st(th_run(&t, &t.io[1], th_rw(&t, NVME_CMD_WRITE, 0, 16, buf))), 0);
	/* Compare: equal, then different */
	assert_int_equal(st(th_run(&t, &t.io[1], th_rw(&t, NVME_CMD_COMPARE, 0, 16, buf))), 0);
	buf[5000] ^= 1;
	assert_int_equal(st(th_run(&t, &t.io[1], th_rw(&t, NVME_CMD_COMPARE, 0, 16, buf))),
			 NVME_SC_COMPARE_FAILED);
	/* Verify: no data transfer, range checked */
	s = (struct nvme_sqe){.opcode = NVME_CMD_VERIFY, .nsid = 1, .cdw10 = 0, .cdw12 = 15};
	assert_int_equal(st(th_run(&t, &t.io[1], s)), 0);
	s.cdw10 = (uint32_t)dev_capacity_lbas(t.ctrl->ns);
	assert_int_equal(st(th_run(&t, &t.io[1], s)), NVME_SC_LBA_RANGE);
	/* Write Zeroes without and with deallocate */
	s = (struct nvme_sqe){.opcode = NVME_CMD_WRITE_ZEROES, .nsid = 1, .cdw10 = 2, .cdw12 = 1};
	assert_int_equal(st(th_run(&t, &t.io[1], s)), 0);
	mapped = conv_of(t.ctrl->ns->ftl)->c.mapped_units;
	nvme_prep_rw(&s, NVME_CMD_WRITE_ZEROES, NVME_NSID, 8, 4);
	nvme_set(&s, NVME_F_DEAC, 1);
	assert_int_equal(st(th_run(&t, &t.io[1], s)), 0);
	assert_int_equal(conv_of(t.ctrl->ns->ftl)->c.mapped_units, mapped - 4);
	assert_int_equal(st(th_run(&t, &t.io[1], th_rw(&t, NVME_CMD_READ, 0, 16, back))), 0);
	for (int i = 2 * 4096; i < 4 * 4096; i++)
		assert_int_equal(back[i], 0);
	for (int i = 8 * 4096; i < 12 * 4096; i++)
		assert_int_equal(back[i], 0);
	assert_int_equal(back[14 * 4096], buf[14 * 4096]);
	/* Dataset Management: deallocate two ranges */
	r = th_alloc(&t, 2 * sizeof(*r));
	r[0] = (struct nvme_dsm_range){.slba = 0, .nlb = 1};
	r[1] = (struct nvme_dsm_range){.slba = 14, .nlb = 2};
	nvme_prep_trim(&s, NVME_NSID, r, 2);
	assert_int_equal(st(th_run(&t, &t.io[1], s)), 0);
	assert_int_equal(st(th_run(&t, &t.io[1], th_rw(&t, NVME_CMD_READ, 0, 16, back))), 0);
	assert_int_equal(back[0], 0);
	assert_int_equal(back[15 * 4096 + 9], 0);
	assert_int_equal(back[5 * 4096], buf[5 * 4096]);
	r[1].slba = dev_capacity_lbas(t.ctrl->ns);
	assert_int_equal(st(th_run(&t, &t.io[1], s)), NVME_SC_LBA_RANGE);
	th_fini(&t);
}

static void test_wraparound_and_phase(void **state)
{
	struct th t;
	uint8_t *buf;
	struct nvme_cqe c;

	(void)state;
	th_init(&t, ram);
	th_qpair(&t, 1, 4); /* 3 usable slots */
	buf = th_alloc(&t, 4096);
	/* 25 commands through a 4-entry queue: the rings wrap six times and the
	 * phase tag flips each time */
	for (int i = 0; i < 25; i++) {
		c = th_run(&t, &t.io[1], th_rw(&t, NVME_CMD_WRITE, i, 1, buf));
		assert_int_equal(st(c), 0);
		assert_int_equal(c.status & NVME_CQE_PHASE,
				 t.io[1].cq_phase ^ (t.io[1].cq_head == 0));
		assert_int_equal(c.sq_head, (i + 1) % 4);
		assert_int_equal(c.sq_id, 1);
	}
	assert_int_equal(t.io[1].cq_head, 25 % 4);
	assert_int_equal(t.io[1].cq_phase, (25 / 4) % 2 ? 0 : 1);
	th_fini(&t);
}

static void test_full_queues(void **state)
{
	struct th t;
	uint8_t *buf;
	struct nvme_sqe s;
	struct nvme_cqe c[8];

	(void)state;
	th_init(&t, ram);
	th_qpair(&t, 1, 4);
	buf = th_alloc(&t, 4096);
	/* SQ full: 3 accepted, the 4th refused until something completes */
	for (int i = 0; i < 3; i++) {
		s = th_rw(&t, NVME_CMD_READ, i, 1, buf);
		assert_true(host_qp_submit(&t.io[1], &s, NULL, NULL, NULL) >= 0);
	}
	s = th_rw(&t, NVME_CMD_READ, 3, 1, buf);
	assert_int_equal(host_qp_submit(&t.io[1], &s, NULL, NULL, NULL), -EAGAIN);
	nvme_ctrl_process_sq(t.ctrl, 1, t.now_ns);
	th_drain(&t);
	/* CQ full: the CQ holds 3; post nothing more until the host reaps */
	assert_int_equal(host_qp_reap(&t.io[1], 8, c, NULL, NULL), 3);
	for (int i = 0; i < 3; i++) {
		s = th_rw(&t, NVME_CMD_READ, i, 1, buf);
		assert_true(host_qp_submit(&t.io[1], &s, NULL, NULL, NULL) >= 0);
		nvme_ctrl_process_sq(t.ctrl, 1, t.now_ns);
	}
	th_drain(&t);
	assert_int_equal(host_qp_reap(&t.io[1], 8, c, NULL, NULL), 3);
	th_fini(&t);
}

static void test_cq_full_holds_completions(void **state)
{
	struct th t;
	uint8_t *buf;
	struct nvme_cqe c[8];

	(void)state;
	th_init(&t, ram);
	/* CQ of 4 shared by two SQs of 4: up to 6 completions for 3 CQ slots */
	th_qpair(&t, 1, 4);
	{
		struct host_qp *qp = &t.io[2];
		struct nvme_sqe sq;

		assert_int_equal(host_qp_alloc(qp, 2, 4), 0);
		th_register_qp(&t, qp);
		nvme_prep_create_sq(&sq, 2, 4, qp->sq_ring, 1);
		assert_int_equal(st(th_admin(&t, sq)), 0);
		/* its own SQ tail doorbell; completions are reaped through pair 1 */
		qp->sq_tail_db = &t.ctrl->db[2].sq_tail;
		qp->cq_head_db = &t.ctrl->db[1].cq_head;
	}
	buf = th_alloc(&t, 4096);
	for (int q = 1; q <= 2; q++)
		for (int i = 0; i < 3; i++)
			th_submit(&t, &t.io[q], th_rw(&t, NVME_CMD_READ, i, 1, buf));
	th_drain(&t);
	assert_int_equal(t.ctrl->pend.len, 3); /* three wait for room */
	assert_int_equal(host_qp_reap(&t.io[1], 8, c, NULL, NULL), 3);
	th_drain(&t);
	assert_int_equal(t.ctrl->pend.len, 0);
	assert_int_equal(host_qp_reap(&t.io[1], 8, c, NULL, NULL), 3);
	th_fini(&t);
}

static void test_out_of_order_completion(void **state)
{
	struct th t;
	uint8_t *buf;
	struct nvme_cqe c[4];
	int slow, fast;

	(void)state;
	th_init(&t, ram);
	th_qpair(&t, 1, 16);
	buf = th_alloc(&t, 4096);
	th_run(&t, &t.io[1], th_rw(&t, NVME_CMD_WRITE, 0, 1, buf));
	t.now_ns += 100000000; /* let it reach NAND */
	/* a NAND read (tens of us) then a read of a never-written LBA (no NAND) */
	slow = th_submit(&t, &t.io[1], th_rw(&t, NVME_CMD_READ, 0, 1, buf));
	fast = th_submit(&t, &t.io[1], th_rw(&t, NVME_CMD_READ, 999, 1, buf));
	th_drain(&t);
	assert_int_equal(host_qp_reap(&t.io[1], 4, c, NULL, NULL), 2);
	assert_int_equal(c[0].cid, fast);
	assert_int_equal(c[1].cid, slow);
	th_fini(&t);
}

static void test_many_queue_pairs(void **state)
{
	struct th t;
	uint8_t *buf;
	struct nvme_cqe c;
	int total = 0;

	(void)state;
	th_init(&t, ram);
	buf = th_alloc(&t, 4096);
	for (uint16_t q = 1; q < NVME_MAX_QUEUES; q++)
		th_qpair(&t, q, 8);
	/* every queue pair holds commands at once, each on its own LBAs */
	for (uint16_t q = 1; q < NVME_MAX_QUEUES; q++)
		for (int i = 0; i < 4; i++)
			th_submit(&t, &t.io[q], th_rw(&t, NVME_CMD_WRITE, q * 8 + i, 1, buf));
	th_drain(&t);
	for (uint16_t q = 1; q < NVME_MAX_QUEUES; q++) {
		int n = 0;

		while (host_qp_reap(&t.io[q], 1, &c, NULL, NULL)) {
			assert_int_equal(c.sq_id, q);
			assert_int_equal(st(c), 0);
			n++;
		}
		assert_int_equal(n, 4);
		total += n;
	}
	assert_int_equal(total, 4 * (NVME_MAX_QUEUES - 1));
	/* a 64th I/O queue does not exist */
	{
		struct nvme_sqe cq;

		nvme_prep_create_cq(&cq, 64, 4, th_alloc(&t, 4096), 64);
		assert_int_equal(st(th_admin(&t, cq)), NVME_SC_QID_INVALID);
	}
	th_fini(&t);
}

/* DTYPE 2 in CDW12 bits 23:20 and DSPEC in CDW13 bits 31:16 pick the
 * reclaim unit handle; no directive, or an identifier past the last handle,
 * means handle 0. */
static void test_placement_directive(void **state)
{
	const char *pairs[] = {"media=ram",
			       "blocks_per_plane=96",
			       "pages_per_block=48",
			       "op=0.2",
			       "fdp=on",
			       "fdp_nruh=4",
			       NULL};
	struct th t;
	uint8_t *buf;
	struct nvme_sqe s;
	const struct ruh_counters *ruh;

	(void)state;
	th_init(&t, pairs);
	th_qpair(&t, 1, 16);
	buf = th_alloc(&t, 4096);
	ruh = conv_of(t.ctrl->ns->ftl)->ruh;
	s = th_rw(&t, NVME_CMD_WRITE, 0, 1, buf);
	nvme_prep_placement(&s, 3);
	assert_int_equal(st(th_run(&t, &t.io[1], s)), 0);
	assert_int_equal(ruh[3].host_units, 1);
	nvme_set(&s, NVME_F_DSPEC, 9); /* no handle 9: handle 0 */
	assert_int_equal(st(th_run(&t, &t.io[1], s)), 0);
	assert_int_equal(ruh[0].host_units, 1);
	nvme_set(&s, NVME_F_DTYPE, NVME_DTYPE_NONE); /* no directive: handle 0 */
	nvme_set(&s, NVME_F_DSPEC, 3);
	assert_int_equal(st(th_run(&t, &t.io[1], s)), 0);
	assert_int_equal(ruh[0].host_units, 2);
	assert_int_equal(ruh[3].host_units, 1);
	th_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debug_nvme_says_why),
		cmocka_unit_test(test_write_read_prp_forms),
		cmocka_unit_test(test_io_errors),
		cmocka_unit_test(test_sgl_forms),
		cmocka_unit_test(test_flush_fua_and_cache),
		cmocka_unit_test(test_write_zeroes_dsm_compare_verify),
		cmocka_unit_test(test_wraparound_and_phase),
		cmocka_unit_test(test_full_queues),
		cmocka_unit_test(test_cq_full_holds_completions),
		cmocka_unit_test(test_out_of_order_completion),
		cmocka_unit_test(test_many_queue_pairs),
		cmocka_unit_test(test_placement_directive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
