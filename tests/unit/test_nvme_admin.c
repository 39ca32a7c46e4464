/* Admin command set conformance: every command and error path, with the
 * status codes the NVMe base specification assigns, and Identify/log page
 * fields checked at their byte offsets. */
#include "nvme_harness.h"

static const char *const ram[] = {"media=ram", "blocks_per_plane=64", "pages_per_block=48",
				  "op=0.2", NULL};

static struct nvme_sqe identify(void *buf, uint8_t cns, uint32_t nsid)
{
	return (struct nvme_sqe){
		.opcode = NVME_ADMIN_IDENTIFY, .nsid = nsid, .prp1 = (uintptr_t)buf, .cdw10 = cns};
}

/* The Commands Supported and Effects log of the namespace's command sets. */
static struct nvme_cmd_effects_log *effects_log(struct th *t, uint8_t *b)
{
	struct nvme_sqe sqe;

	nvme_prep_get_log_page(&sqe, 0, NVME_LOG_CMD_EFFECTS, b, 4096, 0);
	assert_int_equal(st(th_admin(t, sqe)), NVME_SC_SUCCESS);
	return (struct nvme_cmd_effects_log *)b;
}

/* Every opcode the effects log lists is one dispatch runs, and every other
 * is Invalid Command Opcode, on each command set's namespace. */
static void check_commands_agree(const char *const *pairs)
{
	struct th t;
	uint8_t *b, *data;
	uint32_t acs[256], iocs[256];

	th_init(&t, pairs);
	th_qpair(&t, 1, 16);
	b = th_alloc(&t, 4096);
	data = th_alloc(&t, 4096);
	memcpy(acs, effects_log(&t, b)->acs, sizeof(acs));
	memcpy(iocs, effects_log(&t, b)->iocs, sizeof(iocs));
	assert_true(acs[NVME_ADMIN_ASYNC_EVENT] & NVME_CMD_EFFECTS_CSUPP); /* held: not sent */
	for (int op = 0; op < 256; op++) {
		struct nvme_sqe sqe = {.opcode = (uint8_t)op, .prp1 = (uintptr_t)data};
		bool listed = acs[op] & NVME_CMD_EFFECTS_CSUPP;

		if (op == NVME_ADMIN_ASYNC_EVENT || op == NVME_ADMIN_FORMAT_NVM)
			continue; /* held until an event; and a format would rebuild the device */
		if ((st(th_admin(&t, sqe)) != NVME_SC_INVALID_OPCODE) != listed)
			fail_msg("admin opcode 0x%02x: the effects log says %s, dispatch the other",
				 op, listed ? "supported" : "not supported");
	}
	for (int op = 0; op < 256; op++) {
		struct nvme_sqe sqe = {.opcode = (uint8_t)op, .nsid = 1, .prp1 = (uintptr_t)data};
		bool listed = iocs[op] & NVME_CMD_EFFECTS_CSUPP;

		if ((st(th_run(&t, &t.io[1], sqe)) != NVME_SC_INVALID_OPCODE) != listed)
			fail_msg("I/O opcode 0x%02x: the effects log says %s, dispatch the other",
				 op, listed ? "supported" : "not supported");
	}
	th_fini(&t);
}

static void test_effects_log_and_dispatch_agree(void **state)
{
	static const char *const oc[] = {"ftl=ocssd", "media=ram", "blocks_per_plane=64",
					 "pages_per_block=48", NULL};

	(void)state;
	check_commands_agree(ram);
	check_commands_agree(oc);
}

/* Get Features select 3 names a feature as supported exactly when Get
 * Features (current and default) answers for it. */
static void test_features_agree(void **state)
{
	static const char *const fdp[] = {"media=ram",
					  "blocks_per_plane=64",
					  "pages_per_block=48",
					  "op=0.3",
					  "fdp=on",
					  "fdp_nruh=2",
					  NULL};
	struct th t;
	uint8_t *data;
	int supported = 0;

	(void)state;
	th_init(&t, fdp);
	data = th_alloc(&t, 4096);
	for (uint32_t fid = 0; fid < 256; fid++) {
		/* CDW11 1: endurance group 1 (FDP), placement handle 1 (FDP events) */
		struct nvme_sqe caps = {.opcode = NVME_ADMIN_GET_FEATURES,
					.prp1 = (uintptr_t)data,
					.cdw10 = fid | 3u << 8,
					.cdw11 = 1};
		struct nvme_sqe cur = caps, def = caps;
		bool claimed = st(th_admin(&t, caps)) == NVME_SC_SUCCESS;

		cur.cdw10 = fid;
		def.cdw10 = fid | 1u << 8;
		supported += claimed;
		if ((st(th_admin(&t, cur)) == NVME_SC_SUCCESS) != claimed ||
		    (st(th_admin(&t, def)) == NVME_SC_SUCCESS) != claimed)
			fail_msg("feature 0x%02x: select 3 says %s, Get Features the other", fid,
				 claimed ? "supported" : "not supported");
	}
	assert_int_equal(supported, 7);
	th_fini(&t);
}

static void test_identify_controller(void **state)
{
	struct th t;
	uint8_t *b;

	(void)state;
	th_init(&t, ram);
	b = th_alloc(&t, 4096);
	assert_int_equal(st(th_admin(&t, identify(b, NVME_ID_CNS_CTRL, 0))), NVME_SC_SUCCESS);
	assert_int_equal(b[77], NVME_MDTS);	     /* MDTS */
	assert_int_equal(b[512], 0x66);		     /* SQES */
	assert_int_equal(b[513], 0x44);		     /* CQES */
	assert_int_equal(*(uint32_t *)(b + 516), 1); /* NN */
	assert_int_equal(*(uint16_t *)(b + 520),     /* ONCS */
			 NVME_ONCS_COMPARE | NVME_ONCS_DSM | NVME_ONCS_WRITE_ZEROES |
				 NVME_ONCS_TIMESTAMP | NVME_ONCS_VERIFY);
	assert_int_equal(b[525] & 1, 1);		     /* VWC present */
	assert_int_equal(*(uint16_t *)(b + 256) & 2, 2);     /* OACS: Format NVM */
	assert_int_equal(b[259], NVME_AERL);		     /* AERL */
	assert_int_equal(b[262], NVME_ERR_LOG_ENTRIES - 1);  /* ELPE */
	assert_int_equal(*(uint32_t *)(b + 80), 0x00020000); /* VER 2.0 */
	assert_memory_equal(b + 4, "VSSD", 4);		     /* SN */
	assert_int_equal(*(uint64_t *)(b + 280),	     /* TNVMCAP */
			 t.ctrl->ns->geo.logical_units * 4096);
	th_fini(&t);
}

static void test_identify_namespace(void **state)
{
	struct th t;
	struct nvme_id_ns *ns;
	uint8_t *b, *buf;

	(void)state;
	th_init(&t, ram);
	ns = th_alloc(&t, 4096);
	b = (uint8_t *)ns;
	assert_int_equal(st(th_admin(&t, identify(ns, NVME_ID_CNS_NS, 1))), NVME_SC_SUCCESS);
	assert_int_equal(*(uint64_t *)(b + 0), dev_capacity_lbas(t.ctrl->ns)); /* NSZE */
	assert_int_equal(*(uint64_t *)(b + 8), dev_capacity_lbas(t.ctrl->ns)); /* NCAP */
	assert_int_equal(*(uint64_t *)(b + 16), 0);			       /* NUSE */
	assert_int_equal(b[25], 1);	  /* NLBAF: two formats */
	assert_int_equal(b[26] & 0xf, 1); /* FLBAS: 4096 */
	assert_int_equal(b[128 + 2], 9);  /* LBAF0: 512 B */
	assert_int_equal(b[132 + 2], 12); /* LBAF1: 4 KiB */
	assert_int_equal(b[33] & 7, 1);	  /* DLFEAT: deallocated reads zeros */
	/* NUSE follows the FTL's mapped units */
	t.io[1].qid = 0;
	th_qpair(&t, 1, 16);
	buf = th_alloc(&t, 8192);
	assert_int_equal(st(th_run(&t, &t.io[1], th_rw(&t, NVME_CMD_WRITE, 10, 2, buf))), 0);
	assert_int_equal(st(th_admin(&t, identify(ns, NVME_ID_CNS_NS, 1))), NVME_SC_SUCCESS);
	assert_int_equal(ns->nuse, 2);
	/* errors */
	assert_int_equal(st(th_admin(&t, identify(ns, NVME_ID_CNS_NS, 2))), NVME_SC_INVALID_NS);
	assert_int_equal(st(th_admin(&t, identify(ns, 0x55, 0))), NVME_SC_INVALID_FIELD);
	th_fini(&t);
}

static void test_identify_lists(void **state)
{
	struct th t;
	uint8_t *b;

	(void)state;
	th_init(&t, ram);
	b = th_alloc(&t, 4096);
	assert_int_equal(st(th_admin(&t, identify(b, NVME_ID_CNS_NS_ACTIVE_LIST, 0))), 0);
	assert_int_equal(*(uint32_t *)b, 1);
	assert_int_equal(*(uint32_t *)(b + 4), 0);
	assert_int_equal(st(th_admin(&t, identify(b, NVME_ID_CNS_NS_ACTIVE_LIST, 1))), 0);
	assert_int_equal(*(uint32_t *)b, 0); /* none after NSID 1 */
	assert_int_equal(st(th_admin(&t, identify(b, NVME_ID_CNS_NS_DESC_LIST, 1))), 0);
	assert_int_equal(b[0], 1); /* EUI-64 */
	assert_int_equal(b[1], 8);
	assert_int_equal(b[12], 2); /* NGUID */
	assert_int_equal(b[13], 16);
	assert_int_equal(b[32], 4); /* CSI */
	assert_int_equal(b[36], 0); /* NVM command set */
	assert_int_equal(st(th_admin(&t, identify(b, NVME_ID_CNS_CSI_INDEP_NS, 1))), 0);
	assert_int_equal(b[14] & 1, 1); /* NSTAT: ready */
	assert_int_equal(st(th_admin(&t, identify(b, NVME_ID_CNS_NS_DESC_LIST, 9))),
			 NVME_SC_INVALID_NS);
	/* the NVM set's controller data: no limits past the command fields */
	memset(b, 0xff, 4096);
	assert_int_equal(st(th_admin(&t, identify(b, NVME_ID_CNS_CS_CTRL, 0))), 0);
	for (int i = 0; i < 4096; i++)
		assert_int_equal(b[i], 0);
	{
		struct nvme_sqe s = identify(b, NVME_ID_CNS_CS_CTRL, 0);

		nvme_set(&s, NVME_F_CSI, 2); /* zoned: not served */
		assert_int_equal(st(th_admin(&t, s)), NVME_SC_INVALID_FIELD);
	}
	th_fini(&t);
}

static void test_queue_creation_errors(void **state)
{
	struct th t;
	void *ring;
	struct nvme_sqe s;

	(void)state;
	th_init(&t, ram);
	ring = th_alloc(&t, 64 * 16);
	nvme_prep_create_cq(&s, 0, 16, ring, 0);
	assert_int_equal(st(th_admin(&t, s)), NVME_SC_QID_INVALID); /* QID 0 */
	nvme_set(&s, NVME_F_QID, 1);
	nvme_set(&s, NVME_F_QSIZE, 0);
	assert_int_equal(st(th_admin(&t, s)), NVME_SC_QUEUE_SIZE);
	nvme_set(&s, NVME_F_QSIZE, 15);
	nvme_set(&s, NVME_F_PC, 0); /* not physically contiguous */
	assert_int_equal(st(th_admin(&t, s)), NVME_SC_INVALID_FIELD);
	nvme_set(&s, NVME_F_PC, 1);
	s.prp1 = 0x1000; /* not host memory */
	assert_int_equal(st(th_admin(&t, s)), NVME_SC_DATA_XFER_ERROR);
	s.prp1 = (uintptr_t)ring;
	assert_int_equal(st(th_admin(&t, s)), NVME_SC_SUCCESS);
	assert_int_equal(st(th_admin(&t, s)), NVME_SC_QID_INVALID); /* exists */
	nvme_prep_create_sq(&s, 1, 16, th_alloc(&t, 1024), 7);
	assert_int_equal(st(th_admin(&t, s)), NVME_SC_CQ_INVALID); /* no CQ 7 */
	nvme_set(&s, NVME_F_SQ_CQID, 1);
	assert_int_equal(st(th_admin(&t, s)), NVME_SC_SUCCESS);
	nvme_prep_delete_queue(&s, NVME_ADMIN_DELETE_CQ, 1);
	assert_int_equal(st(th_admin(&t, s)), NVME_SC_INVALID_QUEUE_DELETION); /* SQ 1 on it */
	nvme_prep_delete_queue(&s, NVME_ADMIN_DELETE_SQ, 1);
	assert_int_equal(st(th_admin(&t, s)), NVME_SC_SUCCESS);
	assert_int_equal(st(th_admin(&t, s)), NVME_SC_QID_INVALID);
	nvme_prep_delete_queue(&s, NVME_ADMIN_DELETE_CQ, 1);
	assert_int_equal(st(th_admin(&t, s)), NVME_SC_SUCCESS);
	/* Number of Queues only before I/O queues exist */
	nvme_prep_set_features(&s, NVME_FEAT_NUM_QUEUES, NULL);
	nvme_set(&s, NVME_F_NSQR, 3);
	nvme_set(&s, NVME_F_NCQR, 3);
	assert_int_equal(st(th_admin(&t, s)), NVME_SC_CMD_SEQ_ERROR);
	th_fini(&t);
}

static void test_number_of_queues(void **state)
{
	struct th t;
	struct nvme_sqe s = {.opcode = NVME_ADMIN_SET_FEATURES,
			     .cdw10 = NVME_FEAT_NUM_QUEUES,
			     .cdw11 = 3 | 1u << 16}; /* 4 SQs, 2 CQs, zero-based */
	struct nvme_cqe c;

	(void)state;
	th_init(&t, ram);
	c = th_admin(&t, s);
	assert_int_equal(st(c), 0);
	assert_int_equal(c.result, 3 | 1u << 16);
	/* a CQ beyond the granted count is refused */
	nvme_prep_create_cq(&s, 3, 16, th_alloc(&t, 4096), 3);
	assert_int_equal(st(th_admin(&t, s)), NVME_SC_QID_INVALID);
	s = (struct nvme_sqe){.opcode = NVME_ADMIN_GET_FEATURES, .cdw10 = NVME_FEAT_NUM_QUEUES};
	assert_int_equal(th_admin(&t, s).result, 3 | 1u << 16);
	th_fini(&t);
}

static void test_features(void **state)
{
	struct th t;
	struct nvme_sqe s;
	uint64_t *ts;

	(void)state;
	th_init(&t, ram);
	s = (struct nvme_sqe){.opcode = NVME_ADMIN_SET_FEATURES,
			      .cdw10 = NVME_FEAT_ARBITRATION,
			      .cdw11 = 0x03020107};
	assert_int_equal(st(th_admin(&t, s)), 0);
	s.opcode = NVME_ADMIN_GET_FEATURES;
	assert_int_equal(th_admin(&t, s).result, 0x03020107);
	s.cdw10 = NVME_FEAT_ARBITRATION | 1u << 8; /* default */
	assert_int_equal(th_admin(&t, s).result, 0);
	s.cdw10 = NVME_FEAT_ARBITRATION | 3u << 8; /* capabilities: changeable */
	assert_int_equal(th_admin(&t, s).result, 4);
	s = (struct nvme_sqe){
		.opcode = NVME_ADMIN_SET_FEATURES, .cdw10 = NVME_FEAT_POWER_MGMT, .cdw11 = 1};
	assert_int_equal(st(th_admin(&t, s)), NVME_SC_INVALID_FIELD); /* NPSS is 0 */
	s = (struct nvme_sqe){
		.opcode = NVME_ADMIN_SET_FEATURES, .cdw10 = NVME_FEAT_VOLATILE_WC, .cdw11 = 0};
	assert_int_equal(st(th_admin(&t, s)), 0);
	s.opcode = NVME_ADMIN_GET_FEATURES;
	assert_int_equal(th_admin(&t, s).result, 0);
	s = (struct nvme_sqe){.opcode = NVME_ADMIN_SET_FEATURES,
			      .cdw10 = NVME_FEAT_VOLATILE_WC | 1u << 31,
			      .cdw11 = 1};
	assert_int_equal(st(th_admin(&t, s)), NVME_SC_FEATURE_NOT_SAVEABLE);
	s = (struct nvme_sqe){.opcode = NVME_ADMIN_GET_FEATURES, .cdw10 = 0x7f};
	assert_int_equal(st(th_admin(&t, s)), NVME_SC_INVALID_FIELD);
	/* Timestamp: set 1000 ms, two virtual seconds pass, read 3000 ms */
	ts = th_alloc(&t, 8);
	*ts = 1000;
	s = (struct nvme_sqe){.opcode = NVME_ADMIN_SET_FEATURES,
			      .cdw10 = NVME_FEAT_TIMESTAMP,
			      .prp1 = (uintptr_t)ts};
	assert_int_equal(st(th_admin(&t, s)), 0);
	t.now_ns += 2000000000ULL;
	*ts = 0;
	s.opcode = NVME_ADMIN_GET_FEATURES;
	assert_int_equal(st(th_admin(&t, s)), 0);
	assert_int_equal(*ts & 0xffffffffffffULL, 3000);
	assert_int_equal((*ts >> 49) & 1, 1); /* set by the host */
	th_fini(&t);
}

static struct nvme_sqe get_log(void *buf, uint8_t lid, uint32_t bytes, bool rae)
{
	struct nvme_sqe s;

	nvme_prep_get_log_page(&s, NVME_NSID_ALL, lid, buf, bytes, 0);
	nvme_set(&s, NVME_F_RAE, rae);
	return s;
}

static void test_smart_counts_real_work(void **state)
{
	const char *pairs[] = {"media=ram", "blocks_per_plane=64", "pages_per_block=48",
			       "op=0.2",    "pe_cycles=3",	   NULL};
	struct th t;
	struct nvme_smart_log *s;
	uint8_t *buf;
	uint64_t v;

	(void)state;
	th_init(&t, pairs);
	th_qpair(&t, 1, 64);
	buf = th_alloc(&t, 128 * 1024);
	s = th_alloc(&t, 512);
	for (int i = 0; i < 10; i++)
		assert_int_equal(
			st(th_run(&t, &t.io[1], th_rw(&t, NVME_CMD_WRITE, i * 32, 32, buf))), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(st(th_run(&t, &t.io[1], th_rw(&t, NVME_CMD_READ, 0, 8, buf))), 0);
	assert_int_equal(st(th_admin(&t, get_log(s, NVME_LOG_SMART, 512, false))), 0);
	memcpy(&v, s->data_units_written, 8);
	assert_int_equal(v, (10 * 32 * 4096 + 511999) / 512000); /* 1000s of 512 B, rounded up */
	memcpy(&v, s->data_units_read, 8);
	assert_int_equal(v, 1);
	memcpy(&v, s->host_writes, 8);
	assert_int_equal(v, 10);
	memcpy(&v, s->host_reads, 8);
	assert_int_equal(v, 3);
	assert_int_equal(s->percent_used, 0);
	/* wear the drive past its rated 3 cycles: percentage used passes 100 */
	for (int pass = 0; pass < 6; pass++)
		for (uint64_t lba = 0; lba + 32 <= dev_capacity_lbas(t.ctrl->ns); lba += 32)
			th_run(&t, &t.io[1], th_rw(&t, NVME_CMD_WRITE, lba, 32, buf));
	assert_int_equal(st(th_admin(&t, get_log(s, NVME_LOG_SMART, 512, false))), 0);
	assert_true(s->percent_used >= 100);
	assert_int_equal(s->critical_warning & 4, 4);
	memcpy(&v, s->ctrl_busy_time, 8);
	assert_true(t.ctrl->ns->health.busy_ns > 0); /* I/O was outstanding for a while */
	assert_int_equal(v, t.ctrl->ns->health.busy_ns / 60000000000ULL); /* reported in minutes */
	th_fini(&t);
}

static void test_error_log_and_effects(void **state)
{
	struct th t;
	struct nvme_error_log *e;
	struct nvme_cmd_effects_log *fx;
	uint8_t *buf;
	struct nvme_cqe c;

	(void)state;
	th_init(&t, ram);
	th_qpair(&t, 1, 16);
	buf = th_alloc(&t, 4096);
	c = th_run(&t, &t.io[1], th_rw(&t, NVME_CMD_READ, dev_capacity_lbas(t.ctrl->ns), 1, buf));
	assert_int_equal(st(c), NVME_SC_LBA_RANGE);
	assert_true(c.status & NVME_CQE_DNR);
	e = th_alloc(&t, 64 * 4);
	assert_int_equal(st(th_admin(&t, get_log(e, NVME_LOG_ERROR, 256, false))), 0);
	assert_int_equal(e[0].error_count, 1);
	assert_int_equal(e[0].sqid, 1);
	assert_int_equal(e[0].cmdid, c.cid);
	assert_int_equal(e[0].status_field & ~NVME_CQE_DNR, NVME_SC_LBA_RANGE);
	assert_int_equal(e[0].lba, dev_capacity_lbas(t.ctrl->ns));
	assert_int_equal(e[0].opcode, NVME_CMD_READ);
	fx = th_alloc(&t, 4096);
	assert_int_equal(st(th_admin(&t, get_log(fx, NVME_LOG_CMD_EFFECTS, 4096, false))), 0);
	assert_true(fx->acs[NVME_ADMIN_IDENTIFY] & NVME_CMD_EFFECTS_CSUPP);
	assert_true(fx->acs[NVME_ADMIN_FORMAT_NVM] & NVME_CMD_EFFECTS_LBCC);
	assert_true(fx->iocs[NVME_CMD_WRITE] & NVME_CMD_EFFECTS_LBCC);
	assert_true(fx->iocs[NVME_CMD_READ] & NVME_CMD_EFFECTS_CSUPP);
	assert_int_equal(fx->iocs[0x7f], 0);
	assert_int_equal(st(th_admin(&t, get_log(fx, 0x70, 512, false))), NVME_SC_INVALID_LOG_PAGE);
	/* a length over MDTS (found by the fuzzer: it used to be allocated whole) */
	{
		struct nvme_sqe big = get_log(fx, NVME_LOG_SMART, 512, false);

		big.cdw10 |= 0xffffu << 16;
		big.cdw11 = 0xffff;
		assert_int_equal(st(th_admin(&t, big)), NVME_SC_INVALID_FIELD);
	}
	th_fini(&t);
}

static void test_aer_held_until_event_and_abort(void **state)
{
	struct th t;
	struct nvme_sqe aer = {.opcode = NVME_ADMIN_ASYNC_EVENT};
	struct nvme_cqe c;
	uint8_t *e;
	int cid;

	(void)state;
	th_init(&t, ram);
	cid = host_qp_submit(&t.admin, &aer, NULL, NULL, NULL);
	nvme_ctrl_process_sq(t.ctrl, 0, t.now_ns);
	th_drain(&t);
	assert_int_equal(host_qp_reap(&t.admin, 1, &c, NULL, NULL), 0); /* held */
	/* an invalid doorbell write (a tail past the end of the admin SQ) is the event */
	atomic_store(&t.ctrl->db[0].sq_tail, 1000);
	nvme_ctrl_process_sq(t.ctrl, 0, t.now_ns);
	atomic_store(&t.ctrl->db[0].sq_tail, t.admin.sq_tail);
	th_drain(&t);
	assert_int_equal(host_qp_reap(&t.admin, 1, &c, NULL, NULL), 1);
	assert_int_equal(c.cid, cid);
	assert_int_equal(c.result & 7, 0);	     /* error status */
	assert_int_equal((c.result >> 8) & 0xff, 1); /* invalid doorbell write value */
	assert_int_equal((c.result >> 16) & 0xff, NVME_LOG_ERROR);
	/* masked until the host reads the error log; then a new AER can be aborted */
	e = th_alloc(&t, 64);
	assert_int_equal(st(th_admin(&t, get_log(e, NVME_LOG_ERROR, 64, false))), 0);
	cid = th_submit(&t, &t.admin, aer);
	{
		int acid = th_submit(&t, &t.admin,
				     (struct nvme_sqe){.opcode = NVME_ADMIN_ABORT,
						       .cdw10 = (uint32_t)cid << 16});
		struct nvme_cqe two[2];

		th_drain(&t);
		assert_int_equal(host_qp_reap(&t.admin, 2, two, NULL, NULL), 2);
		for (int i = 0; i < 2; i++) {
			if (two[i].cid == acid) { /* the Abort: done, bit 0 clear = aborted */
				assert_int_equal(st(two[i]), 0);
				assert_int_equal(two[i].result & 1, 0);
			} else { /* the AER it aborted */
				assert_int_equal(two[i].cid, cid);
				assert_int_equal(st(two[i]), NVME_SC_ABORT_REQ);
			}
		}
	}
	/* an I/O command has run by the time it could be aborted */
	c = th_admin(&t, (struct nvme_sqe){.opcode = NVME_ADMIN_ABORT, .cdw10 = 1 | 5u << 16});
	assert_int_equal(c.result & 1, 1);
	/* at most AERL + 1 outstanding */
	for (int i = 0; i <= NVME_AERL; i++)
		host_qp_submit(&t.admin, &aer, NULL, NULL, NULL);
	nvme_ctrl_process_sq(t.ctrl, 0, t.now_ns);
	c = th_admin(&t, aer);
	assert_int_equal(st(c), NVME_SC_AER_LIMIT);
	th_fini(&t);
}

static void test_format_nvm(void **state)
{
	struct th t;
	struct nvme_id_ns *ns;
	uint8_t *buf;
	uint64_t before;

	(void)state;
	th_init(&t, ram);
	th_qpair(&t, 1, 16);
	buf = th_alloc(&t, 4096);
	memset(buf, 0xab, 4096);
	assert_int_equal(st(th_run(&t, &t.io[1], th_rw(&t, NVME_CMD_WRITE, 5, 1, buf))), 0);
	before = dev_capacity_lbas(t.ctrl->ns);
	assert_int_equal(st(th_admin(&t, (struct nvme_sqe){.opcode = NVME_ADMIN_FORMAT_NVM,
							   .nsid = 1,
							   .cdw10 = 0})),
			 0);
	ns = th_alloc(&t, 4096);
	assert_int_equal(st(th_admin(&t, identify(ns, NVME_ID_CNS_NS, 1))), 0);
	assert_int_equal(ns->flbas & 0xf, 0);
	assert_int_equal(ns->nsze, before * 8);
	assert_int_equal(ns->nuse, 0);
	assert_int_equal(st(th_run(&t, &t.io[1], th_rw(&t, NVME_CMD_READ, 40, 8, buf))), 0);
	for (int i = 0; i < 4096; i++)
		assert_int_equal(buf[i], 0); /* the old data is gone */
	assert_int_equal(st(th_admin(&t, (struct nvme_sqe){.opcode = NVME_ADMIN_FORMAT_NVM,
							   .nsid = 1,
							   .cdw10 = 7})),
			 NVME_SC_INVALID_FORMAT);
	assert_int_equal(st(th_admin(&t, (struct nvme_sqe){.opcode = NVME_ADMIN_FORMAT_NVM,
							   .nsid = 1,
							   .cdw10 = 2u << 9})),
			 NVME_SC_INVALID_FIELD);
	th_fini(&t);
}

static void test_invalid_admin_opcode(void **state)
{
	struct th t;

	(void)state;
	th_init(&t, ram);
	assert_int_equal(st(th_admin(&t, (struct nvme_sqe){.opcode = 0x7e})),
			 NVME_SC_INVALID_OPCODE);
	th_fini(&t);
}

/* Admin data through an SGL data block; one describing no bytes is refused. */
static void test_admin_sgl(void **state)
{
	struct nvme_sgl_desc d = {.length = 4096,
				  .type = NVME_SGL_ID(NVME_SGL_DATA_BLOCK, NVME_SGL_ADDRESS)};
	struct nvme_sqe s = {.opcode = NVME_ADMIN_IDENTIFY, .cdw10 = NVME_ID_CNS_CTRL};
	struct nvme_id_ctrl *id;
	struct th t;

	(void)state;
	th_init(&t, ram);
	id = th_alloc(&t, 4096);
	d.addr = (uintptr_t)id;
	NVME_SQE_SET_PSDT(&s, NVME_PSDT_SGL);
	memcpy(&s.prp1, &d, sizeof(d));
	assert_int_equal(st(th_admin(&t, s)), 0);
	assert_int_equal(id->sgls & 3, 1); /* SGLs supported */
	assert_int_equal(memcmp(id->mn, "vssd", 4), 0);
	d.length = 0;
	memcpy(&s.prp1, &d, sizeof(d));
	assert_int_equal(st(th_admin(&t, s)), NVME_SC_SGL_DATA_LENGTH_INVALID);
	th_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_effects_log_and_dispatch_agree),
		cmocka_unit_test(test_features_agree),
		cmocka_unit_test(test_identify_controller),
		cmocka_unit_test(test_identify_namespace),
		cmocka_unit_test(test_identify_lists),
		cmocka_unit_test(test_queue_creation_errors),
		cmocka_unit_test(test_number_of_queues),
		cmocka_unit_test(test_features),
		cmocka_unit_test(test_smart_counts_real_work),
		cmocka_unit_test(test_error_log_and_effects),
		cmocka_unit_test(test_aer_held_until_event_and_abort),
		cmocka_unit_test(test_format_nvm),
		cmocka_unit_test(test_invalid_admin_opcode),
		cmocka_unit_test(test_admin_sgl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
