/*
 * Program/erase suspend in the timing model, against times worked by hand:
 * a host read to a die that is programming or erasing waits for the end
 * with suspend=off; with suspend=on it senses suspend_ns after it comes and
 * the program ends suspend_ns + the read + resume_ns later, and so does
 * what is queued behind it. Queued work is overtaken, a GC read is not
 * suspended, suspend_max caps suspensions, and the write buffer frees a
 * suspended program's data when it really ends.
 */
#include "helpers.h"

#include "nand/timing.h"

/* The default TLC die: 48 KiB program units over an 800 MB/s channel. */
#define XFER_UNIT_NS 5120  /* 4 KiB over the channel */
#define XFER_PROG_NS 61440 /* a 48 KiB program unit over the channel */
#define PROG_NS 700000	   /* prog_ns */
#define ERASE_NS 3000000   /* erase_ns */
#define READ_LSB_NS 45000  /* read_ns[0] */
#define SUSPEND_NS 20000   /* suspend_ns */
#define RESUME_NS 20000	   /* resume_ns */
#define PAUSE_NS (SUSPEND_NS + READ_LSB_NS + RESUME_NS)

struct rig {
	struct vssd_config cfg;
	struct geometry geo;
	struct timing tm;
};

static void rig_up(struct rig *r, const char *suspend, const char *max)
{
	const char *pairs[] = {"write_buffer_bytes=48k", suspend, max, NULL};
	char err[256];

	config_from_pairs(&r->cfg, pairs);
	if (geometry_init(&r->geo, &r->cfg, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(timing_init(&r->tm, &r->geo, &r->cfg), 0);
}

static void rig_down(struct rig *r)
{
	timing_fini(&r->tm);
}

/* A host read of 4 KiB of an LSB page on die 0 at t_ns; returns its end. */
static uint64_t host_read(struct rig *r, uint64_t t_ns)
{
	timing_set_now(&r->tm, t_ns);
	return nand_read_host(&r->tm, 0, 0, t_ns, 1, 1);
}

static void test_read_waits_without_suspend(void **state)
{
	struct rig r;
	uint64_t prog_end;

	(void)state;
	rig_up(&r, "suspend=off", NULL);
	prog_end = nand_program(&r.tm, 0, 0, PROG_NS, 0);
	assert_int_equal(prog_end, XFER_PROG_NS + PROG_NS);
	assert_int_equal(host_read(&r, 100000), prog_end + READ_LSB_NS + XFER_UNIT_NS);
	rig_down(&r);
}

static void test_read_suspends_program(void **state)
{
	struct rig r;
	uint64_t prog_end, second_end;

	(void)state;
	rig_up(&r, "suspend=on", NULL);
	prog_end = nand_program(&r.tm, 0, 0, PROG_NS, 0);
	second_end = nand_program(&r.tm, 0, 0, PROG_NS, 0); /* queued behind it */
	assert_int_equal(second_end, prog_end + PROG_NS);
	/* senses suspend_ns after it comes; both programs end a pause later */
	assert_int_equal(host_read(&r, 100000), 100000 + SUSPEND_NS + READ_LSB_NS + XFER_UNIT_NS);
	assert_int_equal(r.tm.die_free_ns[0], second_end + PAUSE_NS);
	assert_int_equal(r.tm.die_busy_ns[0], 2 * PROG_NS + PAUSE_NS);
	rig_down(&r);
}

static void test_read_overtakes_queued_work(void **state)
{
	struct rig r;
	uint64_t first_end;

	(void)state;
	rig_up(&r, "suspend=on", NULL);
	first_end = nand_program(&r.tm, 0, 0, PROG_NS, 0);
	nand_erase(&r.tm, 0, 0); /* queued: starts when the program ends */
	/* a read that comes after the program ended, while the erase runs,
	 * suspends the erase; one that comes exactly as the program ends goes
	 * first and pushes the erase back by the read alone */
	assert_int_equal(host_read(&r, first_end), first_end + READ_LSB_NS + XFER_UNIT_NS);
	assert_int_equal(r.tm.die_free_ns[0], first_end + READ_LSB_NS + ERASE_NS);
	assert_int_equal(host_read(&r, first_end + 1000000),
			 first_end + 1000000 + SUSPEND_NS + READ_LSB_NS + XFER_UNIT_NS);
	assert_int_equal(r.tm.die_free_ns[0], first_end + READ_LSB_NS + ERASE_NS + PAUSE_NS);
	rig_down(&r);
}

static void test_gc_read_is_not_suspended(void **state)
{
	struct rig r;
	uint64_t gc_end;

	(void)state;
	rig_up(&r, "suspend=on", NULL);
	gc_end = nand_read(&r.tm, 0, 2, 0, 4); /* an MSB page, 70 us */
	assert_int_equal(gc_end, 70000 + 4 * XFER_UNIT_NS);
	/* sensing from 70 us (cache read: the register passes the GC page on
	 * meanwhile), then the channel */
	assert_int_equal(host_read(&r, 10000), 70000 + READ_LSB_NS + XFER_UNIT_NS);
	rig_down(&r);
}

static void test_suspensions_are_capped(void **state)
{
	struct rig r;
	uint64_t prog_end, t = 100000;

	(void)state;
	rig_up(&r, "suspend=on", "suspend_max=2");
	prog_end = nand_program(&r.tm, 0, 0, PROG_NS, 0);
	for (int i = 0; i < 2; i++, t += 200000)
		assert_int_equal(host_read(&r, t), t + SUSPEND_NS + READ_LSB_NS + XFER_UNIT_NS);
	prog_end += 2 * PAUSE_NS;
	assert_int_equal(r.tm.die_free_ns[0], prog_end);
	/* the third waits for the end, as without suspend */
	assert_int_equal(host_read(&r, t), prog_end + READ_LSB_NS + XFER_UNIT_NS);
	rig_down(&r);
}

static void test_write_buffer_frees_at_real_end(void **state)
{
	struct rig r;
	uint64_t prog_end;

	(void)state;
	rig_up(&r, "suspend=on", NULL);
	/* the whole 48 KiB buffer is one program's data */
	assert_int_equal(wb_reserve(&r.tm, 0, 49152), 0);
	prog_end = nand_program(&r.tm, 0, 0, PROG_NS, 49152);
	assert_int_equal(wb_drained_ns(&r.tm), prog_end);
	host_read(&r, 100000);
	assert_int_equal(wb_drained_ns(&r.tm), prog_end + PAUSE_NS);
	/* a write at the booked end still finds the buffer full until then */
	assert_int_equal(wb_reserve(&r.tm, prog_end, 4096), prog_end + PAUSE_NS);
	rig_down(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_waits_without_suspend),
		cmocka_unit_test(test_read_suspends_program),
		cmocka_unit_test(test_read_overtakes_queued_work),
		cmocka_unit_test(test_gc_read_is_not_suspended),
		cmocka_unit_test(test_suspensions_are_capped),
		cmocka_unit_test(test_write_buffer_frees_at_real_end),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
