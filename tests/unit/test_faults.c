/*
 * Media faults of the device FTL through the NVMe interface: an
 * uncorrectable page fails its read with Unrecovered Read Error, naming the
 * first lost LBA in the error log and counting in SMART, and never returns
 * data; read retries cost whole senses; program and erase failures use up
 * spare blocks, which SMART's Available Spare shows, with a critical
 * warning and an event below the threshold and read-only mode (writes
 * refused with Write Fault) once a die has none left.
 */
#include "nvme_harness.h"

#include "ftl/conv/conv_int.h"

static struct nvme_sqe get_log(void *buf, uint8_t lid, uint32_t bytes)
{
	struct nvme_sqe s;

	nvme_prep_get_log_page(&s, NVME_NSID_ALL, lid, buf, bytes, 0);
	return s;
}

static void stamp_lba(uint8_t *buf, uint64_t lba)
{
	for (uint32_t off = 0; off < 4096; off += 8)
		memcpy(buf + off, &lba, 8);
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void test_uncorrectable_reads_fail(void **state)
{
	/* half the pages of blocks erased 100 times or more: every block here */
	const char *pairs[] = {"media=ram",
			       "blocks_per_plane=64",
			       "pages_per_block=48",
			       "op=0.2",
			       "initial_pe_cycles=100",
			       "uncorrectable_pe=100",
			       "uncorrectable_rate=0.5",
			       NULL};
	struct th t;
	uint8_t *buf, *big;
	struct nvme_error_log *e;
	struct nvme_smart_log *s;
	uint64_t first_lost = UINT64_MAX, lost = 0;
	struct nvme_cqe c;

	(void)state;
	th_init(&t, pairs);
	th_qpair(&t, 1, 16);
	buf = th_alloc(&t, 4096);
	big = th_alloc(&t, 64 * 4096);
	memset(big, 0xab, 64 * 4096);
	assert_int_equal(st(th_run(&t, &t.io[1], th_rw(&t, NVME_CMD_WRITE, 0, 64, big))), 0);
	assert_int_equal(st(th_run(&t, &t.io[1],
				   (struct nvme_sqe){.opcode = NVME_CMD_FLUSH, .nsid = NVME_NSID})),
			 0);
	/* LBA by LBA: some read back whole, the others fail, and the same way twice */
	for (uint64_t lba = 0; lba < 64; lba++) {
		memset(buf, 0, 4096);
		c = th_run(&t, &t.io[1], th_rw(&t, NVME_CMD_READ, lba, 1, buf));
		if (!st(c)) {
			assert_int_equal(buf[0], 0xab);
			assert_int_equal(buf[4095], 0xab);
		} else {
			assert_int_equal(st(c), NVME_SC_READ_ERROR);
			assert_true(c.status & NVME_CQE_DNR);
			assert_int_equal(buf[0], 0); /* no data delivered */
			lost++;
			first_lost = first_lost == UINT64_MAX ? lba : first_lost;
		}
		assert_int_equal(st(th_run(&t, &t.io[1], th_rw(&t, NVME_CMD_READ, lba, 1, buf))),
				 st(c));
	}
	assert_true(lost > 0 && lost < 64);
	/* a read of all of them fails at the first lost LBA, which the log names */
	c = th_run(&t, &t.io[1], th_rw(&t, NVME_CMD_READ, 0, 64, big));
	assert_int_equal(st(c), NVME_SC_READ_ERROR);
	e = th_alloc(&t, sizeof(*e));
	assert_int_equal(st(th_admin(&t, get_log(e, NVME_LOG_ERROR, sizeof(*e)))), 0);
	assert_int_equal(e->status_field & ~NVME_CQE_DNR, NVME_SC_READ_ERROR);
	assert_int_equal(e->lba, first_lost);
	assert_int_equal(e->opcode, NVME_CMD_READ);
	s = th_alloc(&t, 512);
	assert_int_equal(st(th_admin(&t, get_log(s, NVME_LOG_SMART, 512))), 0);
	assert_int_equal(le64(s->media_errors), 2 * lost + 1);
	th_fini(&t);
}

static void test_read_retries_sense_again(void **state)
{
	/* at its rated 3000 cycles every read retries, with the same odds again:
	 * all 8 retries, 9 senses */
	const char *pairs[] = {"blocks_per_plane=64",	 "pages_per_block=48", "op=0.2",
			       "initial_pe_cycles=3000", "read_retry_rate=1",  NULL};
	struct vssd_dev *dev = make_dev(pairs);
	const struct vssd_config *c = &dev->cfg;
	uint64_t done, t;
	uint32_t ppa;

	(void)state;
	assert_int_equal(dev_write(dev, 0, 1, NULL, 0, &done), 0);
	assert_int_equal(dev_flush(dev, done, &done), 0);
	t = done + 1000000000ULL;
	assert_int_equal(dev_read(dev, 0, 1, NULL, t, &done), 0);
	ppa = conv_of(dev->ftl)->l2p[0];
	assert_int_equal(done - t,
			 c->fw_read_ns + 9 * dev->tm.read_ns[geo_page_type_of(&dev->geo, ppa)] +
				 xfer_ns(4096, c->channel_mbps) + xfer_ns(4096, c->pcie_mbps));
	assert_int_equal(conv_of(dev->ftl)->faults.c.read_retries, 8);
	dev_destroy(dev);
}

/* Writes 4 KiB LBAs from *lba on until the critical warning has `bit`
 * (the SMART log's, read then), or a write fails; returns the status of
 * the write that failed (0 for none). */
static uint16_t write_until(struct th *t, uint64_t *lba, uint8_t bit, struct nvme_smart_log *s,
			    uint8_t *buf)
{
	for (;;) {
		uint16_t status;

		stamp_lba(buf, *lba);
		status = st(th_run(t, &t->io[1], th_rw(t, NVME_CMD_WRITE, *lba, 1, buf)));
		if (status)
			return status;
		(*lba)++;
		if (nvme_critical_warning(t->ctrl) & bit)
			break;
	}
	/* an event waiting on the admin queue first; then the log (which
	 * acknowledges it) */
	return 0;
}

static void read_smart(struct th *t, struct nvme_smart_log *s)
{
	assert_int_equal(st(th_admin(t, get_log(s, NVME_LOG_SMART, 512))), 0);
}

static void test_spares_run_out(void **state)
{
	/* every program fails: each uses up a spare of its die, round the dies */
	const char *pairs[] = {"media=ram", "blocks_per_plane=64", "pages_per_block=48",
			       "op=0.2",    "program_fail_rate=1", "spare_blocks_per_die=20",
			       NULL};
	struct th t;
	struct nvme_sqe aer = {.opcode = NVME_ADMIN_ASYNC_EVENT};
	struct nvme_smart_log *s;
	uint8_t *buf;
	uint64_t lba = 0;
	struct nvme_cqe c;

	(void)state;
	th_init(&t, pairs);
	th_qpair(&t, 1, 16);
	buf = th_alloc(&t, 4096);
	s = th_alloc(&t, 512);
	read_smart(&t, s);
	assert_int_equal(s->avail_spare, 100);
	assert_int_equal(s->spare_thresh, NVME_SMART_SPARE_THRESH);
	th_submit(&t, &t.admin, aer);
	/* below the threshold: an event that says so, and the warning */
	assert_int_equal(write_until(&t, &lba, NVME_SMART_CW_SPARE, s, buf), 0);
	assert_int_equal(host_qp_reap(&t.admin, 1, &c, NULL, NULL), 1);
	assert_int_equal(c.result & 7, NVME_AER_SMART);
	assert_int_equal((c.result >> 8) & 0xff, NVME_AER_INFO_SPARE);
	assert_int_equal((c.result >> 16) & 0xff, NVME_LOG_SMART);
	read_smart(&t, s);
	assert_true(s->avail_spare < NVME_SMART_SPARE_THRESH);
	assert_int_equal(s->critical_warning, NVME_SMART_CW_SPARE);
	/* a die's last spare gone: read-only, writes refused, data still there */
	th_submit(&t, &t.admin, aer);
	assert_int_equal(write_until(&t, &lba, NVME_SMART_CW_READ_ONLY, s, buf), 0);
	assert_int_equal(host_qp_reap(&t.admin, 1, &c, NULL, NULL), 1);
	assert_int_equal((c.result >> 8) & 0xff, NVME_AER_INFO_RELIABILITY);
	read_smart(&t, s);
	assert_int_equal(s->critical_warning, NVME_SMART_CW_SPARE | NVME_SMART_CW_READ_ONLY);
	c = th_run(&t, &t.io[1], th_rw(&t, NVME_CMD_WRITE, lba, 1, buf));
	assert_int_equal(st(c), NVME_SC_WRITE_FAULT);
	assert_true(c.status & NVME_CQE_DNR);
	assert_int_equal(st(th_run(&t, &t.io[1],
				   (struct nvme_sqe){.opcode = NVME_CMD_FLUSH, .nsid = NVME_NSID})),
			 0);
	for (uint64_t l = 0; l < lba; l += 97) {
		uint8_t want[4096];

		stamp_lba(want, l);
		assert_int_equal(st(th_run(&t, &t.io[1], th_rw(&t, NVME_CMD_READ, l, 1, buf))), 0);
		assert_memory_equal(buf, want, 4096);
	}
	/* the failed blocks stay failed through a power cut */
	{
		uint8_t avail = s->avail_spare;

		assert_int_equal(nvme_ctrl_powerloss(t.ctrl), 0);
		host_qp_reset(&t.admin, NULL, NULL);
		assert_int_equal(nvme_ctrl_enable(t.ctrl, t.admin.sq_ring, 32, t.admin.cq_ring, 32),
				 0);
		host_qp_bind(&t.admin, &t.ctrl->db[0]);
		read_smart(&t, s);
		assert_int_equal(s->avail_spare, avail);
		assert_true(s->critical_warning & NVME_SMART_CW_READ_ONLY);
	}
	th_fini(&t);
}

static void test_erase_failures_use_spares(void **state)
{
	const char *pairs[] = {"blocks_per_plane=64",  "pages_per_block=48",	  "op=0.2",
			       "erase_fail_rate=0.05", "spare_blocks_per_die=64", NULL};
	struct vssd_dev *dev = make_dev(pairs);
	uint64_t cap = dev_capacity_lbas(dev), now = 0, done;
	struct dev_counters c;
	bool read_only;

	(void)state;
	for (uint64_t i = 0; i < cap * 3; i++) { /* GC erases lines */
		assert_int_equal(dev_write(dev, (i * 7919) % cap, 1, NULL, now, &done), 0);
		now = done;
	}
	dev_counters(dev, &c);
	assert_true(c.faults_on);
	assert_true(c.erase_fails > 0);
	assert_int_equal(c.spare_left, c.spare_blocks - c.erase_fails);
	assert_int_equal(dev_spare_percent(dev, &read_only), c.spare_left * 100 / c.spare_blocks);
	assert_false(read_only);
	dev_destroy(dev);
}

static void test_refusals(void **state)
{
	const char *no_spare[] = {"program_fail_rate=0.1", "spare_blocks_per_die=0", NULL};
	const char *ocssd[] = {"ftl=ocssd", "read_retry_rate=0.1", NULL};
	const char *const *cases[] = {no_spare, ocssd};
	const char *want[] = {"program_fail_rate=0.1 needs spare blocks",
			      "read_retry_rate: the device FTL's media faults"};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct vssd_config cfg;
		struct vssd_dev *dev = NULL;
		char err[512] = "";

		config_from_pairs(&cfg, cases[i]);
		assert_int_not_equal(dev_create(&cfg, &dev, err, sizeof(err)), 0);
		if (!strstr(err, want[i]))
			fail_msg("got '%s', expected '%s'", err, want[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uncorrectable_reads_fail),
		cmocka_unit_test(test_read_retries_sense_again),
		cmocka_unit_test(test_spares_run_out),
		cmocka_unit_test(test_erase_failures_use_spares),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
