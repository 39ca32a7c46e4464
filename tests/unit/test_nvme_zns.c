/* Zoned Namespace conformance through NVMe commands (ftl=zns): Identify
 * for CSI 02h at its byte offsets (CNS 05h, 06h; the descriptor list's
 * CSI; one 4 KiB LBA format; ONCS; the command set combinations, CNS 1Ch,
 * and each set's active namespaces, CNS 07h), writes at and off the write pointer,
 * Zone Append's LBA in DW0/DW1, Write Zeroes, Zone Management Send and
 * Receive with their fields (Select All, filters, partial reports, the
 * ZRWA flag and extended reports refused), the limits, the command set's
 * effects log, commands it does not have, and the parameters refused. */
#include "nvme_harness.h"

#define ZNS_DEVICE                                                                                 \
	"ftl=zns", "media=ram", "channels=2", "luns_per_channel=2", "blocks_per_plane=16",         \
		"pages_per_block=8", "oneshot_pages=1", "cell=slc", "read_ns=25000"

static const char *const zoned[] = {ZNS_DEVICE, "zns_zone_dies=2", "zns_max_open=2",
				    "zns_max_active=3", NULL};

static struct th t;
static uint64_t zone_lbas, cap_lbas;

static uint64_t u64_at(const uint8_t *b, size_t off)
{
	uint64_t v;

	memcpy(&v, b + off, 8);
	return v;
}

static uint32_t u32_at(const uint8_t *b, size_t off)
{
	uint32_t v;

	memcpy(&v, b + off, 4);
	return v;
}

static struct nvme_sqe identify(void *buf, uint8_t cns, uint8_t csi)
{
	struct nvme_sqe s;

	nvme_prep_identify(&s, cns == NVME_ID_CNS_CTRL || cns == NVME_ID_CNS_CS_CTRL ? 0 : 1, cns,
			   buf);
	nvme_set(&s, NVME_F_CSI, csi);
	return s;
}

static struct nvme_sqe zone_send(uint64_t slba, uint8_t action, bool all)
{
	struct nvme_sqe s = {.opcode = NVME_CMD_ZONE_MGMT_SEND, .nsid = 1};

	s.cdw10 = (uint32_t)slba;
	s.cdw11 = (uint32_t)(slba >> 32);
	nvme_set(&s, NVME_F_ZSA, action);
	nvme_set(&s, NVME_F_ZS_SELECT_ALL, all);
	return s;
}

static struct nvme_sqe zone_report(void *buf, uint32_t bytes, uint64_t slba, uint8_t filter,
				   bool partial)
{
	struct nvme_sqe s = {.opcode = NVME_CMD_ZONE_MGMT_RECV, .nsid = 1};

	assert_int_equal(nvme_build_prps(buf, bytes, t.prp_list, &s.prp1, &s.prp2), 0);
	s.cdw10 = (uint32_t)slba;
	s.cdw11 = (uint32_t)(slba >> 32);
	s.cdw12 = bytes / 4 - 1;
	nvme_set(&s, NVME_F_ZRA, NVME_ZRA_REPORT);
	nvme_set(&s, NVME_F_ZRAS, filter);
	nvme_set(&s, NVME_F_ZR_PARTIAL, partial);
	return s;
}

static uint16_t io(struct nvme_sqe s)
{
	return st(th_run(&t, &t.io[1], s));
}

static uint8_t zone_state(uint32_t zone)
{
	uint8_t *buf = th_alloc(&t, 4096);

	assert_int_equal(io(zone_report(buf, 4096, zone * zone_lbas, NVME_ZRAS_ALL, true)), 0);
	return buf[64 + 1] >> 4;
}

static int setup(void **unused)
{
	uint8_t *buf;

	(void)unused;
	th_init(&t, zoned);
	th_qpair(&t, 1, 16);
	buf = th_alloc(&t, 4096);
	assert_int_equal(st(th_admin(&t, identify(buf, NVME_ID_CNS_CS_NS, NVME_CSI_ZNS))), 0);
	zone_lbas = u64_at(buf, 2816);
	cap_lbas = t.ctrl->ns->geo.units_per_line / t.ctrl->ns->geo.dies * 2;
	return 0;
}

/* Identify with NSID 0 (a list from the first namespace on). */
static struct nvme_sqe identify_list(void *buf, uint8_t cns, uint8_t csi)
{
	struct nvme_sqe s;

	nvme_prep_identify(&s, 0, cns, buf);
	nvme_set(&s, NVME_F_CSI, csi);
	return s;
}

static int teardown(void **unused)
{
	(void)unused;
	th_fini(&t);
	return 0;
}

static void test_identify(void **unused)
{
	uint8_t *buf = th_alloc(&t, 4096);
	struct nvme_id_ns *ns = (void *)buf;
	struct nvme_id_ctrl *ctrl = (void *)buf;

	(void)unused;
	/* CNS 05h, CSI 02h: ZOC 0, OZCS 0, MAR 2 and MOR 1 (0-based), LBAFE0.ZSZE */
	assert_int_equal(st(th_admin(&t, identify(buf, NVME_ID_CNS_CS_NS, NVME_CSI_ZNS))), 0);
	assert_int_equal(u32_at(buf, 0), 0);
	assert_int_equal(u32_at(buf, 4), 2);
	assert_int_equal(u32_at(buf, 8), 1);
	assert_int_equal(zone_lbas, 64);	     /* 2 dies x 32 units: capacity and size 64 */
	assert_int_equal(u64_at(buf, 2816 + 16), 0); /* one format */
	/* CNS 06h, CSI 02h: ZASL 0 (MDTS) */
	memset(buf, 0xff, 4096);
	assert_int_equal(st(th_admin(&t, identify(buf, NVME_ID_CNS_CS_CTRL, NVME_CSI_ZNS))), 0);
	assert_int_equal(buf[0], 0);
	/* a command set the controller does not have */
	assert_int_equal(st(th_admin(&t, identify(buf, NVME_ID_CNS_CS_NS, 1))),
			 NVME_SC_INVALID_FIELD);
	/* the descriptor list names the zoned set */
	assert_int_equal(st(th_admin(&t, identify(buf, NVME_ID_CNS_NS_DESC_LIST, 0))), 0);
	assert_int_equal(buf[32], 4);
	assert_int_equal(buf[36], NVME_CSI_ZNS);
	/* one LBA format, 4 KiB; the namespace is whole zones */
	assert_int_equal(st(th_admin(&t, identify(buf, NVME_ID_CNS_NS, 0))), 0);
	assert_int_equal(ns->nlbaf, 0);
	assert_int_equal(ns->lbaf[0].lbads, 12);
	assert_int_equal(ns->nsze % zone_lbas, 0);
	assert_int_equal(ns->nsze / zone_lbas, 32); /* 2 die groups x 16 blocks */
	assert_int_equal(st(th_admin(&t, identify(buf, NVME_ID_CNS_CTRL, 0))), 0);
	assert_int_equal(ctrl->oncs, NVME_ONCS_WRITE_ZEROES | NVME_ONCS_TIMESTAMP);
	assert_int_equal(ctrl->ctratt & NVME_CTRATT_FDPS, 0);
}

/* CNS 1Ch: the command set combinations (bit n of a vector: CSI n), the
 * zoned set with the NVM set it builds on; CNS 07h: the active namespaces
 * of one set (the zoned namespace is the zoned set's); a device FTL's
 * controller has the NVM set alone. */
static void test_command_sets(void **unused)
{
	const char *const conv[] = {
		"ftl=conv", "channels=2", "luns_per_channel=2", "blocks_per_plane=32",
		"op=0.28",  NULL};
	uint8_t *buf = th_alloc(&t, 4096);
	struct th c;
	uint8_t *cbuf;

	(void)unused;
	assert_int_equal(st(th_admin(&t, identify_list(buf, NVME_ID_CNS_IOCS, 0))), 0);
	assert_int_equal(u64_at(buf, 0), 1u << NVME_CSI_NVM | 1u << NVME_CSI_ZNS);
	assert_int_equal(u64_at(buf, 8), 0); /* one combination */
	assert_int_equal(
		st(th_admin(&t, identify_list(buf, NVME_ID_CNS_CS_NS_ACTIVE_LIST, NVME_CSI_ZNS))),
		0);
	assert_int_equal(u32_at(buf, 0), 1);
	memset(buf, 0xff, 4096);
	assert_int_equal(
		st(th_admin(&t, identify_list(buf, NVME_ID_CNS_CS_NS_ACTIVE_LIST, NVME_CSI_NVM))),
		0);
	assert_int_equal(u32_at(buf, 0), 0);
	assert_int_equal(st(th_admin(&t, identify_list(buf, NVME_ID_CNS_CS_NS_ACTIVE_LIST, 1))),
			 NVME_SC_INVALID_FIELD);
	th_init(&c, conv);
	cbuf = th_alloc(&c, 4096);
	assert_int_equal(st(th_admin(&c, identify_list(cbuf, NVME_ID_CNS_IOCS, 0))), 0);
	assert_int_equal(u64_at(cbuf, 0), 1u << NVME_CSI_NVM);
	assert_int_equal(
		st(th_admin(&c, identify_list(cbuf, NVME_ID_CNS_CS_NS_ACTIVE_LIST, NVME_CSI_NVM))),
		0);
	assert_int_equal(u32_at(cbuf, 0), 1);
	assert_int_equal(
		st(th_admin(&c, identify_list(cbuf, NVME_ID_CNS_CS_NS_ACTIVE_LIST, NVME_CSI_ZNS))),
		NVME_SC_INVALID_FIELD);
	th_fini(&c);
}

static void test_writes_and_append(void **unused)
{
	uint8_t *data = th_alloc(&t, 64 * 4096), *back = th_alloc(&t, 16 * 4096);
	struct nvme_cqe c;
	uint64_t z = 4 * zone_lbas;

	(void)unused;
	for (uint32_t i = 0; i < 16 * 4096; i++)
		data[i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(io(th_rw(&t, NVME_CMD_WRITE, z + 1, 1, data)), NVME_SC_ZONE_INVALID_WRITE);
	assert_int_equal(io(th_rw(&t, NVME_CMD_WRITE, z, 4, data)), 0);
	/* an append by the zone's first LBA: the LBA written comes back in DW0/DW1 */
	c = th_run(&t, &t.io[1], th_rw(&t, NVME_CMD_ZONE_APPEND, z, 2, data + 4 * 4096));
	assert_int_equal(st(c), 0);
	assert_int_equal(c.result, (uint32_t)(z + 4));
	assert_int_equal(c.dw1, (uint32_t)((z + 4) >> 32));
	assert_int_equal(io(th_rw(&t, NVME_CMD_ZONE_APPEND, z + 1, 1, data)),
			 NVME_SC_INVALID_FIELD);
	assert_int_equal(io(th_rw(&t, NVME_CMD_READ, z, 6, back)), 0);
	assert_memory_equal(back, data, 6 * 4096);
	/* Write Zeroes writes zeros at the write pointer */
	{
		struct nvme_sqe s;

		nvme_prep_rw(&s, NVME_CMD_WRITE_ZEROES, NVME_NSID, z + 6, 2);
		assert_int_equal(io(s), 0);
	}
	memset(back, 0xaa, 4 * 4096);
	assert_int_equal(io(th_rw(&t, NVME_CMD_READ, z + 6, 4, back)), 0);
	for (uint32_t i = 0; i < 4 * 4096; i++)
		assert_int_equal(back[i], 0); /* 2 zeroed, 2 never written */
	/* past the capacity, across the zone's end, a full zone */
	assert_int_equal(io(th_rw(&t, NVME_CMD_WRITE, z + 8, (uint32_t)cap_lbas - 7, data)),
			 NVME_SC_ZONE_BOUNDARY);
	assert_int_equal(io(th_rw(&t, NVME_CMD_READ, z + zone_lbas - 1, 2, back)),
			 NVME_SC_ZONE_BOUNDARY);
	assert_int_equal(io(zone_send(z, NVME_ZSA_FINISH, false)), 0);
	assert_int_equal(io(th_rw(&t, NVME_CMD_ZONE_APPEND, z, 1, data)), NVME_SC_ZONE_FULL);
	assert_int_equal(io(zone_send(z, NVME_ZSA_RESET, false)), 0);
	assert_int_equal(zone_state(4), NVME_ZS_EMPTY);
	/* not this command set's */
	assert_int_equal(io(th_rw(&t, NVME_CMD_COMPARE, z, 1, back)), NVME_SC_INVALID_OPCODE);
	assert_int_equal(io((struct nvme_sqe){.opcode = NVME_CMD_DSM, .nsid = 1}),
			 NVME_SC_INVALID_OPCODE);
}

static void test_send_fields(void **unused)
{
	struct nvme_sqe s;

	(void)unused;
	assert_int_equal(io(zone_send(5 * zone_lbas + 3, NVME_ZSA_OPEN, false)),
			 NVME_SC_INVALID_FIELD); /* not a zone's first LBA */
	assert_int_equal(io(zone_send(100 * zone_lbas, NVME_ZSA_OPEN, false)), NVME_SC_LBA_RANGE);
	assert_int_equal(io(zone_send(5 * zone_lbas, 0x09, false)), NVME_SC_INVALID_FIELD);
	assert_int_equal(io(zone_send(5 * zone_lbas, NVME_ZSA_SET_ZDE, false)),
			 NVME_SC_INVALID_FIELD);
	s = zone_send(5 * zone_lbas, NVME_ZSA_OPEN, false);
	s.cdw13 |= 1u << 9; /* ZRWA allocation */
	assert_int_equal(io(s), NVME_SC_INVALID_FIELD);
	/* the limits: 2 open, 3 active */
	assert_int_equal(io(zone_send(5 * zone_lbas, NVME_ZSA_OPEN, false)), 0);
	assert_int_equal(io(zone_send(6 * zone_lbas, NVME_ZSA_OPEN, false)), 0);
	assert_int_equal(io(zone_send(7 * zone_lbas, NVME_ZSA_OPEN, false)),
			 NVME_SC_ZONE_TOO_MANY_OPEN);
	assert_int_equal(io(zone_send(5 * zone_lbas, NVME_ZSA_CLOSE, false)), 0);
	assert_int_equal(io(zone_send(7 * zone_lbas, NVME_ZSA_OPEN, false)), 0);
	assert_int_equal(io(zone_send(8 * zone_lbas, NVME_ZSA_OPEN, false)),
			 NVME_SC_ZONE_TOO_MANY_ACTIVE);
	assert_int_equal(io(zone_send(0, NVME_ZSA_OFFLINE, false)),
			 NVME_SC_ZONE_INVALID_TRANSITION);
	/* Select All: every open zone closed, then every active one reset */
	assert_int_equal(io(zone_send(0, NVME_ZSA_CLOSE, true)), 0);
	assert_int_equal(zone_state(6), NVME_ZS_CLOSED);
	assert_int_equal(zone_state(7), NVME_ZS_CLOSED);
	assert_int_equal(io(zone_send(0, NVME_ZSA_RESET, true)), 0);
	for (uint32_t z = 4; z < 9; z++)
		assert_int_equal(zone_state(z), NVME_ZS_EMPTY);
}

static void test_report(void **unused)
{
	uint8_t *buf = th_alloc(&t, 64 + 40 * 64);
	struct nvme_sqe s;

	(void)unused;
	assert_int_equal(io(th_rw(&t, NVME_CMD_WRITE, 2 * zone_lbas, 3, buf)), 0);
	assert_int_equal(io(zone_send(9 * zone_lbas, NVME_ZSA_FINISH, false)), 0);
	assert_int_equal(io(zone_report(buf, 64 + 40 * 64, 0, NVME_ZRAS_ALL, false)), 0);
	assert_int_equal(u64_at(buf, 0), 32);
	assert_int_equal(buf[64 + 2 * 64] & 0xf, NVME_ZONE_TYPE_SEQ_WRITE);
	assert_int_equal(buf[64 + 2 * 64 + 1] >> 4, NVME_ZS_IMP_OPEN);
	assert_int_equal(u64_at(buf, 64 + 2 * 64 + 8), cap_lbas);
	assert_int_equal(u64_at(buf, 64 + 2 * 64 + 16), 2 * zone_lbas);
	assert_int_equal(u64_at(buf, 64 + 2 * 64 + 24), 2 * zone_lbas + 3);
	assert_int_equal(io(zone_report(buf, 4096, zone_lbas, NVME_ZRAS_FULL, false)), 0);
	assert_int_equal(u64_at(buf, 0), 1);
	assert_int_equal(u64_at(buf, 64 + 16), 9 * zone_lbas);
	/* partial: what fits in 3 descriptors' room; not partial: all that match */
	assert_int_equal(io(zone_report(buf, 64 + 3 * 64, 0, NVME_ZRAS_EMPTY, true)), 0);
	assert_int_equal(u64_at(buf, 0), 3);
	assert_int_equal(io(zone_report(buf, 64 + 3 * 64, 0, NVME_ZRAS_EMPTY, false)), 0);
	assert_int_equal(u64_at(buf, 0), 30);
	/* the extended report needs descriptor extensions; a filter past the last */
	s = zone_report(buf, 4096, 0, NVME_ZRAS_ALL, false);
	nvme_set(&s, NVME_F_ZRA, NVME_ZRA_EXT_REPORT);
	assert_int_equal(io(s), NVME_SC_INVALID_FIELD);
	assert_int_equal(io(zone_report(buf, 4096, 0, 8, false)), NVME_SC_INVALID_FIELD);
	assert_int_equal(io(zone_report(buf, 4096, 32 * zone_lbas, 0, false)), NVME_SC_LBA_RANGE);
	assert_int_equal(io(zone_send(0, NVME_ZSA_RESET, true)), 0);
}

static void test_effects_log(void **unused)
{
	struct nvme_cmd_effects_log *e = th_alloc(&t, sizeof(*e));
	struct nvme_sqe s;

	(void)unused;
	nvme_prep_get_log_page(&s, NVME_NSID_ALL, NVME_LOG_CMD_EFFECTS, e, sizeof(*e), 0);
	assert_int_equal(st(th_admin(&t, s)), 0);
	assert_int_equal(e->iocs[NVME_CMD_ZONE_APPEND],
			 NVME_CMD_EFFECTS_CSUPP | NVME_CMD_EFFECTS_LBCC);
	assert_int_equal(e->iocs[NVME_CMD_ZONE_MGMT_SEND],
			 NVME_CMD_EFFECTS_CSUPP | NVME_CMD_EFFECTS_LBCC);
	assert_int_equal(e->iocs[NVME_CMD_ZONE_MGMT_RECV], NVME_CMD_EFFECTS_CSUPP);
	assert_int_equal(e->iocs[NVME_CMD_DSM], 0);
	assert_int_equal(e->iocs[NVME_CMD_COMPARE], 0);
}

/* A zone worn past zns_read_only_pe turns read only when it fills again:
 * a notice, the Changed Zone List naming it (emptied by a read without
 * RAE), its data readable, resets refused until the host takes it
 * offline; zones offline from the start refuse everything. */
static void test_wear_and_offline(void **unused)
{
	static const char *const worn[] = {ZNS_DEVICE, "zns_zone_dies=2", "zns_read_only_pe=1",
					   "zns_offline_zones=2", NULL};
	struct th w;
	struct nvme_sqe aer = {.opcode = NVME_ADMIN_ASYNC_EVENT}, s;
	struct nvme_changed_zone_log *log;
	struct nvme_cqe c;
	uint8_t *buf, *data;
	uint64_t z = 0;

	(void)unused;
	th_init(&w, worn);
	th_qpair(&w, 1, 16);
	buf = th_alloc(&w, 4096);
	data = th_alloc(&w, 64 * 4096);
	log = th_alloc(&w, sizeof(*log));
	/* two zones offline from the start; take the first that is not */
	{
		struct nvme_sqe r = {
			.opcode = NVME_CMD_ZONE_MGMT_RECV, .nsid = 1, .prp1 = (uintptr_t)buf};

		r.cdw12 = 4096 / 4 - 1;
		nvme_set(&r, NVME_F_ZRAS, NVME_ZRAS_OFFLINE);
		assert_int_equal(st(th_run(&w, &w.io[1], r)), 0);
		assert_int_equal(u64_at(buf, 0), 2);
		while (z == u64_at(buf, 64 + 16) || z == u64_at(buf, 128 + 16))
			z += zone_lbas;
		assert_int_equal(
			st(th_run(&w, &w.io[1],
				  th_rw(&w, NVME_CMD_WRITE, u64_at(buf, 64 + 16), 1, data))),
			NVME_SC_ZONE_OFFLINE);
	}
	/* filled, reset (its first erase), filled again: worn, read only */
	for (int round = 0; round < 2; round++) {
		if (round)
			th_submit(&w, &w.admin, aer);
		assert_int_equal(st(th_run(&w, &w.io[1],
					   th_rw(&w, NVME_CMD_WRITE, z, (uint32_t)cap_lbas, data))),
				 0);
		if (!round)
			assert_int_equal(
				st(th_run(&w, &w.io[1], zone_send(z, NVME_ZSA_RESET, false))), 0);
	}
	assert_int_equal(host_qp_reap(&w.admin, 1, &c, NULL, NULL), 1);
	assert_int_equal(c.result & 7, NVME_AER_NOTICE);
	assert_int_equal((c.result >> 8) & 0xff, NVME_AER_INFO_ZONE_CHANGED);
	assert_int_equal((c.result >> 16) & 0xff, NVME_LOG_CHANGED_ZONES);
	nvme_prep_get_log_page(&s, 1, NVME_LOG_CHANGED_ZONES, log, sizeof(*log), 0);
	nvme_set(&s, NVME_F_RAE, 1); /* kept */
	assert_int_equal(st(th_admin(&w, s)), 0);
	assert_int_equal(log->nrzid, 1);
	assert_int_equal(log->zid[0], z);
	nvme_set(&s, NVME_F_RAE, 0); /* read: emptied */
	assert_int_equal(st(th_admin(&w, s)), 0);
	assert_int_equal(st(th_admin(&w, s)), 0);
	assert_int_equal(log->nrzid, 0);
	/* read only: readable, not writable, not resettable; offline by the host */
	memset(buf, 0, 4096);
	assert_int_equal(st(th_run(&w, &w.io[1], th_rw(&w, NVME_CMD_READ, z, 1, buf))), 0);
	assert_memory_equal(buf, data, 4096);
	assert_int_equal(st(th_run(&w, &w.io[1], zone_send(z, NVME_ZSA_RESET, false))),
			 NVME_SC_ZONE_READ_ONLY);
	assert_int_equal(st(th_run(&w, &w.io[1], zone_send(z, NVME_ZSA_OFFLINE, false))), 0);
	assert_int_equal(st(th_run(&w, &w.io[1], th_rw(&w, NVME_CMD_READ, z, 1, buf))),
			 NVME_SC_ZONE_OFFLINE);
	/* Identify says the notices come */
	assert_int_equal(st(th_admin(&w, identify(buf, NVME_ID_CNS_CTRL, 0))), 0);
	assert_true(((struct nvme_id_ctrl *)buf)->oaes & NVME_OAES_ZONE_CHANGED);
	th_fini(&w);
}

static void test_parameters(void **unused)
{
	(void)unused;
	expect_refused((const char *const[]){ZNS_DEVICE, "zns_zone_dies=3", NULL},
		       "zns_zone_dies=3: it must divide the 4 dies");
	expect_refused((const char *const[]){ZNS_DEVICE, "zns_zone_bytes=196608", NULL},
		       "zns_zone_bytes=196608: a power of two");
	expect_refused((const char *const[]){ZNS_DEVICE, "zns_zone_cap_bytes=1m", NULL},
		       "zns_zone_cap_bytes=1048576: a multiple of 4 KiB, at most");
	expect_refused(
		(const char *const[]){ZNS_DEVICE, "zns_max_open=4", "zns_max_active=2", NULL},
		"open zones are active ones");
	expect_refused((const char *const[]){ZNS_DEVICE, "fdp=on", NULL},
		       "fdp: not supported with ftl=zns");
	expect_refused((const char *const[]){ZNS_DEVICE, "lba_bytes=512", NULL},
		       "ftl=zns needs lba_bytes=4096");
	expect_refused((const char *const[]){"zns_zone_dies=2", NULL}, "zns_zone_dies: only with "
								       "ftl=zns");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identify),
		cmocka_unit_test(test_command_sets),
		cmocka_unit_test(test_writes_and_append),
		cmocka_unit_test(test_send_fields),
		cmocka_unit_test(test_report),
		cmocka_unit_test(test_effects_log),
		cmocka_unit_test(test_wear_and_offline),
		cmocka_unit_test(test_parameters),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
