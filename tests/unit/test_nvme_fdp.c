/* Flexible Data Placement conformance: Identify bits, log pages 20h-23h at
 * their byte offsets, I/O Management Receive/Send, features 1Dh/1Eh, each
 * event raised by the action that causes it, FDP Disabled when off. */
#include "nvme_harness.h"

#include "ftl/conv/conv_int.h"

#include "util/rng.h"

/* A small SLC device (4 dies, 64 lines) with data kept, for every FDP setting below. */
#define SMALL_DEVICE                                                                               \
	"media=ram", "channels=2", "luns_per_channel=2", "blocks_per_plane=64",                    \
		"pages_per_block=16", "oneshot_pages=1", "cell=slc", "read_ns=25000", "op=0.5"

static const char *const fdp_on[] = {SMALL_DEVICE, "fdp=on", "fdp_nruh=4",
				     "fdp_ruh_type=persistently", NULL};
static const char *const fdp_off[] = {"media=ram", "blocks_per_plane=64", "pages_per_block=48",
				      "op=0.2", NULL};

static struct nvme_sqe log_page(void *buf, uint8_t lid, uint32_t bytes, uint8_t lsp, uint16_t lsi)
{
	struct nvme_sqe s;

	nvme_prep_get_log_page(&s, NVME_NSID_ALL, lid, buf, bytes, 0);
	nvme_set(&s, NVME_F_LSP, lsp);
	nvme_set(&s, NVME_F_LSI, lsi);
	return s;
}

/* Writes n 4 KiB units at lba through placement identifier pid (-1: none). */
static void write_units(struct th *t, uint8_t *buf, uint64_t lba, uint32_t n, int pid)
{
	for (uint32_t i = 0; i < n; i++) {
		struct nvme_sqe s = th_rw(t, NVME_CMD_WRITE, lba + i, 1, buf);

		if (pid >= 0)
			nvme_prep_placement(&s, (uint16_t)pid);
		assert_int_equal(st(th_run(t, &t->io[1], s)), 0);
	}
}

/* Descriptor i of the Reclaim Unit Handle Status, which has nruhsd of them. */
static struct nvme_fdp_ruh_status_desc status_desc(struct th *t, uint8_t *buf, uint16_t i,
						   uint16_t nruhsd)
{
	struct nvme_sqe s = {.opcode = NVME_CMD_IO_MGMT_RECV,
			     .nsid = 1,
			     .prp1 = (uintptr_t)buf,
			     .cdw10 = 1,
			     .cdw11 = 4096 / 4 - 1};
	struct nvme_fdp_ruh_status_desc d;

	assert_int_equal(st(th_run(t, &t->io[1], s)), 0);
	assert_int_equal(*(uint16_t *)(buf + 14), nruhsd); /* NRUHSD */
	memcpy(&d, buf + 16 + 32 * i, sizeof(d));
	return d;
}

/* With one reclaim group, descriptor r is handle r and its PID is r. */
static struct nvme_fdp_ruh_status_desc ruh_status(struct th *t, uint8_t *buf, uint16_t ruh)
{
	struct nvme_fdp_ruh_status_desc d = status_desc(t, buf, ruh, 4);

	assert_int_equal(d.pid, ruh);
	assert_int_equal(d.ruhid, ruh);
	return d;
}

static void update_handle(struct th *t, uint16_t *pids, uint16_t pid, uint16_t status)
{
	pids[0] = pid;
	assert_int_equal(st(th_run(t, &t->io[1],
				   (struct nvme_sqe){.opcode = NVME_CMD_IO_MGMT_SEND,
						     .nsid = 1,
						     .prp1 = (uintptr_t)pids,
						     .cdw10 = 1})),
			 status);
}

static uint32_t events(struct th *t, uint8_t *buf, bool host, struct nvme_fdp_event *last)
{
	assert_int_equal(st(th_admin(t, log_page(buf, NVME_LOG_FDP_EVENTS, 4096, host, 1))), 0);
	uint32_t n = *(uint32_t *)buf;

	if (n && last)
		memcpy(last, buf + 64 + 64 * (n - 1), sizeof(*last));
	return n;
}

static void test_identify_fdp_support(void **state)
{
	struct th t;
	uint8_t *b;

	(void)state;
	th_init(&t, fdp_on);
	b = th_alloc(&t, 4096);
	assert_int_equal(st(th_admin(&t, (struct nvme_sqe){.opcode = NVME_ADMIN_IDENTIFY,
							   .prp1 = (uintptr_t)b,
							   .cdw10 = 1})),
			 0);
	assert_true(*(uint32_t *)(b + 96) & (1u << 19)); /* CTRATT: FDP supported */
	assert_true(*(uint32_t *)(b + 96) & (1u << 4));	 /* endurance groups */
	assert_int_equal(*(uint16_t *)(b + 340), 1);	 /* ENDGIDMAX */
	assert_int_equal(st(th_admin(&t, (struct nvme_sqe){.opcode = NVME_ADMIN_IDENTIFY,
							   .nsid = 1,
							   .prp1 = (uintptr_t)b})),
			 0);
	assert_int_equal(*(uint16_t *)(b + 102), 1); /* ENDGID of the namespace */
	th_fini(&t);
}

static void test_fdp_disabled(void **state)
{
	struct th t;
	uint8_t *b;
	struct nvme_cqe c;

	(void)state;
	th_init(&t, fdp_off);
	th_qpair(&t, 1, 16);
	b = th_alloc(&t, 4096);
	for (uint8_t lid = NVME_LOG_FDP_CONFIGS; lid <= NVME_LOG_FDP_EVENTS; lid++)
		assert_int_equal(st(th_admin(&t, log_page(b, lid, 512, 0, 1))),
				 NVME_SC_FDP_DISABLED);
	assert_int_equal(st(th_run(&t, &t.io[1],
				   (struct nvme_sqe){.opcode = NVME_CMD_IO_MGMT_RECV,
						     .nsid = 1,
						     .prp1 = (uintptr_t)b,
						     .cdw10 = 1,
						     .cdw11 = 15})),
			 NVME_SC_FDP_DISABLED);
	c = th_admin(&t, (struct nvme_sqe){.opcode = NVME_ADMIN_GET_FEATURES,
					   .cdw10 = NVME_FEAT_FDP,
					   .cdw11 = 1});
	assert_int_equal(st(c), 0);
	assert_int_equal(c.result & 1, 0); /* FDPE clear */
	assert_int_equal(st(th_admin(&t, (struct nvme_sqe){.opcode = NVME_ADMIN_GET_FEATURES,
							   .cdw10 = NVME_FEAT_FDP_EVENTS,
							   .prp1 = (uintptr_t)b,
							   .cdw11 = 6u << 16})),
			 NVME_SC_FDP_DISABLED);
	th_fini(&t);
}

static void test_config_and_usage_logs(void **state)
{
	struct th t;
	uint8_t *b;
	uint32_t upl;

	(void)state;
	th_init(&t, fdp_on);
	b = th_alloc(&t, 4096);
	upl = t.ctrl->ns->geo.units_per_line;
	assert_int_equal(st(th_admin(&t, log_page(b, NVME_LOG_FDP_CONFIGS, 512, 0, 1))), 0);
	assert_int_equal(*(uint16_t *)(b + 0), 0);	      /* NUMFDPC: one, zero-based */
	assert_int_equal(*(uint32_t *)(b + 4), 16 + 64 + 16); /* SZE */
	assert_int_equal(*(uint16_t *)(b + 16), 64 + 16);     /* DSZE */
	assert_true(b[18] & 0x80);			      /* FDPA: valid */
	assert_int_equal(b[18] & 0xf, 0);		      /* RGIF: one group */
	assert_int_equal(*(uint32_t *)(b + 20), 1);	      /* NRG */
	assert_int_equal(*(uint16_t *)(b + 24), 4);	      /* NRUH */
	assert_int_equal(*(uint16_t *)(b + 26), 3);	      /* MAXPIDS, zero-based */
	assert_int_equal(*(uint32_t *)(b + 28), 1);	      /* NNSS */
	assert_int_equal(*(uint64_t *)(b + 32), (uint64_t)upl * 4096); /* RUNS */
	assert_int_equal(*(uint32_t *)(b + 40), 0);		       /* ERUTL: no time limit */
	for (int r = 0; r < 4; r++)
		assert_int_equal(b[80 + 4 * r], NVME_RUHT_PERSISTENTLY);
	assert_int_equal(st(th_admin(&t, log_page(b, NVME_LOG_FDP_RUH_USAGE, 512, 0, 1))), 0);
	assert_int_equal(*(uint16_t *)b, 4); /* NRUH */
	for (int r = 0; r < 4; r++)
		assert_int_equal(b[8 + 8 * r], NVME_RUHA_HOST);
	/* one endurance group: LSI 2 does not exist */
	assert_int_equal(st(th_admin(&t, log_page(b, NVME_LOG_FDP_CONFIGS, 512, 0, 2))),
			 NVME_SC_INVALID_FIELD);
	th_fini(&t);
}

static void test_ruamw_and_update(void **state)
{
	struct th t;
	uint8_t *b, *buf;
	uint64_t full;
	struct nvme_fdp_event e;
	uint16_t *pids;

	(void)state;
	th_init(&t, fdp_on);
	th_qpair(&t, 1, 16);
	b = th_alloc(&t, 4096);
	buf = th_alloc(&t, 4096);
	full = t.ctrl->ns->geo.units_per_line; /* 4 KiB LBAs: one LBA a unit */
	assert_int_equal(ruh_status(&t, b, 2).ruamw, full);
	write_units(&t, buf, 100, 10, 2);
	assert_int_equal(ruh_status(&t, b, 2).ruamw, full - 10); /* RUAMW falls with writes */
	assert_int_equal(ruh_status(&t, b, 1).ruamw, full);	 /* other handles untouched */
	/* Reclaim Unit Handle Update moves handle 2 to a new unit */
	pids = th_alloc(&t, 4096);
	update_handle(&t, pids, 2, 0);
	assert_int_equal(ruh_status(&t, b, 2).ruamw, full);
	assert_int_equal(events(&t, b, true, &e), 1); /* 00h: unit not fully written */
	assert_int_equal(e.type, NVME_FDP_EVT_RU_NOT_FULLY_WRITTEN);
	assert_int_equal(e.pid, 2);
	assert_int_equal(e.ruhid, 2);
	assert_true(e.flags & NVME_FDP_EVF_PIV);
	/* the data written before the update is still there */
	assert_int_equal(st(th_run(&t, &t.io[1], th_rw(&t, NVME_CMD_COMPARE, 100, 1, buf))), 0);
	update_handle(&t, pids, 7, NVME_SC_INVALID_FIELD); /* no such handle */
	th_fini(&t);
}

/* Two reclaim groups: RGIF and NRG in the configuration, a status
 * descriptor per (handle, group) with PID (group << 15) | handle, writes and
 * updates acting on one (handle, group) only, its data on its group's
 * dies, events naming the group; and a type per handle. */
static void test_reclaim_groups(void **state)
{
	const char *pairs[] = {SMALL_DEVICE,
			       "fdp=on",
			       "fdp_nruh=4",
			       "fdp_nrg=2",
			       "fdp_ruh_type=persistently,initially,initially,persistently",
			       NULL};
	const uint16_t rg1 = 1u << 15; /* RGIF 1: the group is the top bit */
	struct th t;
	uint8_t *b, *buf;
	uint16_t *pids;
	uint32_t upl;
	struct nvme_fdp_event e;
	const struct geometry *geo;

	(void)state;
	th_init(&t, pairs);
	th_qpair(&t, 1, 16);
	b = th_alloc(&t, 4096);
	buf = th_alloc(&t, 4096);
	pids = th_alloc(&t, 4096);
	geo = &t.ctrl->ns->geo;
	upl = geo->units_per_line;
	assert_int_equal(geo->line_dies, 2);
	assert_int_equal(st(th_admin(&t, log_page(b, NVME_LOG_FDP_CONFIGS, 512, 0, 1))), 0);
	assert_int_equal(b[18] & 0xf, 1);			       /* RGIF */
	assert_int_equal(*(uint32_t *)(b + 20), 2);		       /* NRG */
	assert_int_equal(*(uint64_t *)(b + 32), (uint64_t)upl * 4096); /* RUNS: two dies' blocks */
	assert_int_equal(b[80], NVME_RUHT_PERSISTENTLY);
	assert_int_equal(b[84], NVME_RUHT_INITIALLY);
	assert_int_equal(b[88], NVME_RUHT_INITIALLY);
	assert_int_equal(b[92], NVME_RUHT_PERSISTENTLY);
	for (uint16_t i = 0; i < 8; i++) {
		struct nvme_fdp_ruh_status_desc d = status_desc(&t, b, i, 8);

		assert_int_equal(d.pid, (i % 2 ? rg1 : 0) | i / 2);
		assert_int_equal(d.ruhid, i / 2);
		assert_int_equal(d.ruamw, upl);
	}
	/* handle 2 in group 1 is descriptor 5 */
	write_units(&t, buf, 300, 10, rg1 | 2);
	assert_int_equal(status_desc(&t, b, 5, 8).ruamw, upl - 10);
	assert_int_equal(status_desc(&t, b, 4, 8).ruamw, upl);
	{
		uint32_t ppa = conv_of(t.ctrl->ns->ftl)->l2p[300];

		assert_int_equal(geo_rg_of_line(geo, geo_line_of(geo, ppa)), 1);
		assert_true(geo_die_of(geo, ppa) >= 2); /* group 1 is dies 2 and 3 */
	}
	update_handle(&t, pids, rg1 | 2, 0);
	assert_int_equal(status_desc(&t, b, 5, 8).ruamw, upl);
	assert_int_equal(events(&t, b, true, &e), 1); /* 00h, in group 1 */
	assert_int_equal(e.type, NVME_FDP_EVT_RU_NOT_FULLY_WRITTEN);
	assert_int_equal(e.pid, rg1 | 2);
	assert_int_equal(e.rgid, 1);
	assert_int_equal(e.ruhid, 2);
	assert_int_equal(st(th_run(&t, &t.io[1], th_rw(&t, NVME_CMD_COMPARE, 300, 1, buf))), 0);
	/* 81h names the group too */
	write_units(&t, buf, 1000, upl, rg1 | 3);
	assert_int_equal(events(&t, b, false, &e), 1);
	assert_int_equal(e.type, NVME_FDP_EVT_IMPLICIT_MODIFIED);
	assert_int_equal(e.pid, rg1 | 3);
	assert_int_equal(e.rgid, 1);
	/* a handle past the last, in group 1: event 03h, and the write goes to handle 0, group 0 */
	write_units(&t, buf, 2000, 1, rg1 | 9);
	assert_int_equal(events(&t, b, true, &e), 2);
	assert_int_equal(e.type, NVME_FDP_EVT_INVALID_PID);
	assert_int_equal(e.pid, rg1 | 9);
	assert_int_equal(status_desc(&t, b, 0, 8).ruamw, upl - 1);
	update_handle(&t, pids, rg1 | 9, NVME_SC_INVALID_FIELD);
	th_fini(&t);
}

/* The namespace's placement handle list: placement handle i is the i-th
 * listed reclaim unit handle, the others are unused, and writes without
 * the directive go to placement handle 0. */
static void test_placement_handle_list(void **state)
{
	const char *pairs[] = {SMALL_DEVICE, "fdp=on", "fdp_nruh=4", "fdp_phndls=3,1", NULL};
	struct th t;
	uint8_t *b, *buf;
	uint32_t upl;
	struct nvme_fdp_event e;
	struct nvme_fdp_ruh_status_desc d;

	(void)state;
	th_init(&t, pairs);
	th_qpair(&t, 1, 16);
	b = th_alloc(&t, 4096);
	buf = th_alloc(&t, 4096);
	upl = t.ctrl->ns->geo.units_per_line;
	assert_int_equal(st(th_admin(&t, log_page(b, NVME_LOG_FDP_RUH_USAGE, 512, 0, 1))), 0);
	assert_int_equal(b[8 + 8 * 0], NVME_RUHA_UNUSED);
	assert_int_equal(b[8 + 8 * 1], NVME_RUHA_HOST);
	assert_int_equal(b[8 + 8 * 2], NVME_RUHA_UNUSED);
	assert_int_equal(b[8 + 8 * 3], NVME_RUHA_HOST);
	d = status_desc(&t, b, 0, 2);
	assert_int_equal(d.pid, 0);
	assert_int_equal(d.ruhid, 3);
	d = status_desc(&t, b, 1, 2);
	assert_int_equal(d.pid, 1);
	assert_int_equal(d.ruhid, 1);
	write_units(&t, buf, 0, 5, -1); /* no directive: placement handle 0, handle 3 */
	assert_int_equal(status_desc(&t, b, 0, 2).ruamw, upl - 5);
	assert_int_equal(conv_of(t.ctrl->ns->ftl)->ruh[3].host_units, 5);
	write_units(&t, buf, 10, 2, 1);
	assert_int_equal(conv_of(t.ctrl->ns->ftl)->ruh[1].host_units, 2);
	write_units(&t, buf, 20, 1, 2); /* past the list: 03h, and handle 3 */
	assert_int_equal(events(&t, b, true, &e), 1);
	assert_int_equal(e.type, NVME_FDP_EVT_INVALID_PID);
	assert_int_equal(conv_of(t.ctrl->ns->ftl)->ruh[3].host_units, 6);
	/* the events feature takes a placement handle of the namespace */
	assert_int_equal(st(th_admin(&t, (struct nvme_sqe){.opcode = NVME_ADMIN_GET_FEATURES,
							   .prp1 = (uintptr_t)b,
							   .nsid = 1,
							   .cdw10 = NVME_FEAT_FDP_EVENTS,
							   .cdw11 = 2 | 6u << 16})),
			 NVME_SC_INVALID_FIELD);
	assert_int_equal(st(th_admin(&t, (struct nvme_sqe){.opcode = NVME_ADMIN_GET_FEATURES,
							   .prp1 = (uintptr_t)b,
							   .nsid = 1,
							   .cdw10 = NVME_FEAT_FDP_EVENTS,
							   .cdw11 = 1 | 6u << 16})),
			 0);
	th_fini(&t);
}

static void test_events_from_their_causes(void **state)
{
	struct th t;
	uint8_t *b, *buf;
	uint32_t upl;
	struct nvme_fdp_event e;
	uint64_t cap, lba;

	(void)state;
	th_init(&t, fdp_on);
	th_qpair(&t, 1, 16);
	b = th_alloc(&t, 4096);
	buf = th_alloc(&t, 4096);
	upl = t.ctrl->ns->geo.units_per_line;
	cap = dev_capacity_lbas(t.ctrl->ns);
	/* 03h: a placement identifier past the last handle */
	write_units(&t, buf, 0, 1, 9);
	assert_int_equal(events(&t, b, true, &e), 1);
	assert_int_equal(e.type, NVME_FDP_EVT_INVALID_PID);
	assert_int_equal(e.pid, 9);
	/* 81h: a write fills handle 1's unit and it moves to a new one */
	write_units(&t, buf, 1000, upl, 1);
	assert_int_equal(events(&t, b, false, &e), 1);
	assert_int_equal(e.type, NVME_FDP_EVT_IMPLICIT_MODIFIED);
	assert_int_equal(e.ruhid, 1);
	assert_int_equal(ruh_status(&t, b, 1).ruamw, upl);
	/* 80h: GC moves data (handle 0 overwrites until GC runs), with its LBA */
	{
		struct rng r;

		rng_seed(&r, 5);
		for (lba = 0; conv_of(t.ctrl->ns->ftl)->c.gc_copied_units == 0;
		     lba = rng_below(&r, cap))
			write_units(&t, buf, lba, 1, 0);
	}
	{
		uint32_t n = events(&t, b, false, NULL);
		int found = -1;

		for (uint32_t i = 0; i < n && found < 0; i++)
			if (b[64 + 64 * i] == NVME_FDP_EVT_MEDIA_REALLOCATED)
				found = (int)i;
		assert_true(found >= 0);
		memcpy(&e, b + 64 + 64 * found, sizeof(e));
	}
	assert_int_equal(e.type, NVME_FDP_EVT_MEDIA_REALLOCATED);
	assert_true(e.type_specific[0] & 1); /* LBA valid */
	{
		uint16_t nlbam; /* the fields sit at offsets 2 and 4 of the event's bytes */
		uint64_t lba_of_event;

		memcpy(&nlbam, e.type_specific + 2, sizeof(nlbam));
		memcpy(&lba_of_event, e.type_specific + 4, sizeof(lba_of_event));
		assert_true(nlbam > 0);
		assert_true(lba_of_event < cap);
	}
	th_fini(&t);
}

/* After a power cut the FTL is rebuilt from its media; its FDP events go on
 * (they once stopped: the rebuild dropped the hooks that raise them). */
static void test_events_after_power_loss(void **state)
{
	struct th t;
	uint8_t *b, *buf;
	uint32_t upl;
	struct nvme_fdp_event e;

	(void)state;
	th_init(&t, fdp_on);
	b = th_alloc(&t, 4096);
	buf = th_alloc(&t, 4096);
	upl = t.ctrl->ns->geo.units_per_line;
	assert_int_equal(nvme_ctrl_powerloss(t.ctrl), 0);
	host_qp_reset(&t.admin, NULL, NULL);
	assert_int_equal(nvme_ctrl_enable(t.ctrl, t.admin.sq_ring, 32, t.admin.cq_ring, 32), 0);
	host_qp_bind(&t.admin, &t.ctrl->db[0]);
	th_qpair(&t, 1, 16);
	write_units(&t, buf, 1000, upl, 1);
	assert_int_equal(events(&t, b, false, &e), 1);
	assert_int_equal(e.type, NVME_FDP_EVT_IMPLICIT_MODIFIED);
	assert_int_equal(e.ruhid, 1);
	th_fini(&t);
}

static void test_event_filter_feature(void **state)
{
	struct th t;
	uint8_t *b, *buf;
	uint32_t upl, before;
	struct nvme_cqe c;

	(void)state;
	th_init(&t, fdp_on);
	th_qpair(&t, 1, 16);
	b = th_alloc(&t, 4096);
	buf = th_alloc(&t, 4096);
	upl = t.ctrl->ns->geo.units_per_line;
	/* all six supported types, enabled */
	c = th_admin(&t, (struct nvme_sqe){.opcode = NVME_ADMIN_GET_FEATURES,
					   .cdw10 = NVME_FEAT_FDP_EVENTS,
					   .prp1 = (uintptr_t)b,
					   .cdw11 = 3 | 16u << 16});
	assert_int_equal(st(c), 0);
	assert_int_equal(c.result, 6);
	assert_int_equal(b[0], 0x00);
	assert_int_equal(b[10], 0x81);
	assert_int_equal(b[11] & 1, 1);
	/* disable 81h for handle 3: filling its unit logs nothing */
	b[0] = 0x81;
	assert_int_equal(st(th_admin(&t, (struct nvme_sqe){.opcode = NVME_ADMIN_SET_FEATURES,
							   .cdw10 = NVME_FEAT_FDP_EVENTS,
							   .prp1 = (uintptr_t)b,
							   .cdw11 = 3 | 1u << 16,
							   .cdw12 = 0})),
			 0);
	before = events(&t, b, false, NULL);
	write_units(&t, buf, 2000, upl, 3);
	assert_int_equal(events(&t, b, false, NULL), before);
	b[0] = 0x55; /* not an FDP event type */
	assert_int_equal(st(th_admin(&t, (struct nvme_sqe){.opcode = NVME_ADMIN_SET_FEATURES,
							   .cdw10 = NVME_FEAT_FDP_EVENTS,
							   .prp1 = (uintptr_t)b,
							   .cdw11 = 3 | 1u << 16,
							   .cdw12 = 1})),
			 NVME_SC_INVALID_FIELD);
	assert_int_equal(st(th_admin(&t, (struct nvme_sqe){.opcode = NVME_ADMIN_SET_FEATURES,
							   .cdw10 = NVME_FEAT_FDP_EVENTS,
							   .prp1 = (uintptr_t)b,
							   .cdw11 = 4 | 1u << 16,
							   .cdw12 = 1})),
			 NVME_SC_INVALID_FIELD);
	/* feature 1Dh: on, configuration 0; turning it off needs no namespace */
	c = th_admin(&t, (struct nvme_sqe){.opcode = NVME_ADMIN_GET_FEATURES,
					   .cdw10 = NVME_FEAT_FDP,
					   .cdw11 = 1});
	assert_int_equal(c.result & 0xffff, 1);
	assert_int_equal(st(th_admin(&t, (struct nvme_sqe){.opcode = NVME_ADMIN_SET_FEATURES,
							   .cdw10 = NVME_FEAT_FDP,
							   .cdw11 = 1,
							   .cdw12 = 0})),
			 NVME_SC_CMD_SEQ_ERROR);
	assert_int_equal(st(th_admin(&t, (struct nvme_sqe){.opcode = NVME_ADMIN_SET_FEATURES,
							   .cdw10 = NVME_FEAT_FDP,
							   .cdw11 = 2,
							   .cdw12 = 1})),
			 NVME_SC_INVALID_FIELD);
	th_fini(&t);
}

/* MBMW / HBMW is the device's WAF, exactly. */
static void test_statistics_are_the_waf(void **state)
{
	struct th t;
	uint8_t *b, *buf;
	uint64_t hbmw, mbmw, mbe;
	struct dev_counters c;

	(void)state;
	th_init(&t, fdp_on);
	th_qpair(&t, 1, 16);
	b = th_alloc(&t, 4096);
	buf = th_alloc(&t, 4096);
	{
		struct rng r;

		rng_seed(&r, 6);
		for (uint64_t i = 0; conv_of(t.ctrl->ns->ftl)->c.gc_copied_units < 1000; i++)
			write_units(&t, buf, rng_below(&r, dev_capacity_lbas(t.ctrl->ns)), 1,
				    (int)(i % 4));
	}
	assert_int_equal(st(th_admin(&t, log_page(b, NVME_LOG_FDP_STATS, 64, 0, 1))), 0);
	memcpy(&hbmw, b, 8);
	memcpy(&mbmw, b + 16, 8);
	memcpy(&mbe, b + 32, 8);
	dev_counters(t.ctrl->ns, &c);
	assert_int_equal(hbmw, c.host_write_bytes);
	assert_int_equal(mbmw, c.media_write_bytes);
	assert_true(mbmw > hbmw);
	assert_true(mbe > 0);
	th_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identify_fdp_support),
		cmocka_unit_test(test_fdp_disabled),
		cmocka_unit_test(test_config_and_usage_logs),
		cmocka_unit_test(test_ruamw_and_update),
		cmocka_unit_test(test_reclaim_groups),
		cmocka_unit_test(test_placement_handle_list),
		cmocka_unit_test(test_events_from_their_causes),
		cmocka_unit_test(test_events_after_power_loss),
		cmocka_unit_test(test_event_filter_feature),
		cmocka_unit_test(test_statistics_are_the_waf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
