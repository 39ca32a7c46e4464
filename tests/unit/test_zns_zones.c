/* The zone state machine of the Zoned Namespace Command Set (src/ftl/zns/
 * zones.c), white-box: every Zone Management Send action from every state
 * (the specification's transition table, allowed and refused), writes and
 * Zone Append at and off the write pointer, the open and active limits
 * with the implicit close that makes room, reads across a boundary, Select
 * All, and zone reports with each filter, partial or not, read at their
 * byte offsets. */
#include "helpers.h"

#include "ftl/zns/zones.h"

#define ZONE 64 /* LBAs a zone spans */
#define CAP 48	/* LBAs it holds */

static struct zns_zones zs;

static void make(uint32_t nzones, uint32_t max_open, uint32_t max_active)
{
	zns_zones_fini(&zs);
	assert_int_equal(zns_zones_init(&zs, nzones, ZONE, CAP, max_open, max_active), 0);
}

static uint16_t write_at(uint64_t slba, uint32_t nlb)
{
	uint64_t lba;
	uint16_t st = zns_zones_write(&zs, slba, nlb, false, &lba);

	if (!st) {
		assert_int_equal(lba, slba);
		zns_zones_written(&zs, lba, nlb);
	}
	return st;
}

static uint16_t send(uint32_t idx, enum nvme_zone_send_action a)
{
	bool erase;

	return zns_zones_send(&zs, idx, a, &erase);
}

static uint8_t state(uint32_t idx)
{
	return zs.z[idx].state;
}

/* Zone 0 brought to state s the way a host (or the controller) would. */
static void bring_to(uint8_t s)
{
	make(4, 0, 0);
	switch (s) {
	case NVME_ZS_EMPTY: break;
	case NVME_ZS_IMP_OPEN: assert_int_equal(write_at(0, 1), 0); break;
	case NVME_ZS_EXP_OPEN: assert_int_equal(send(0, NVME_ZSA_OPEN), 0); break;
	case NVME_ZS_CLOSED:
		assert_int_equal(write_at(0, 1), 0);
		assert_int_equal(send(0, NVME_ZSA_CLOSE), 0);
		break;
	case NVME_ZS_FULL: assert_int_equal(send(0, NVME_ZSA_FINISH), 0); break;
	default: /* read only and offline: the controller's doing */
		assert_int_equal(write_at(0, 1), 0);
		zns_zones_fail(&zs, 0, s);
	}
	assert_int_equal(state(0), s);
}

static void test_transition_table(void **unused)
{
	enum {
		E = NVME_ZS_EMPTY,
		I = NVME_ZS_IMP_OPEN,
		X = NVME_ZS_EXP_OPEN,
		C = NVME_ZS_CLOSED,
		F = NVME_ZS_FULL,
		R = NVME_ZS_READ_ONLY,
		O = NVME_ZS_OFFLINE
	};
	static const uint8_t from[] = {E, I, X, C, F, R, O};
	static const enum nvme_zone_send_action acts[] = {
		NVME_ZSA_OPEN, NVME_ZSA_CLOSE, NVME_ZSA_FINISH, NVME_ZSA_RESET, NVME_ZSA_OFFLINE};
	const uint16_t T = NVME_SC_ZONE_INVALID_TRANSITION, RO = NVME_SC_ZONE_READ_ONLY,
		       OFF = NVME_SC_ZONE_OFFLINE;
	/* [action][from]: the status, and the state after */
	const struct {
		uint16_t st;
		uint8_t to;
	} want[5][7] = {
		/* open */ {{0, X}, {0, X}, {0, X}, {0, X}, {T, F}, {RO, R}, {OFF, O}},
		/* close */ {{T, E}, {0, C}, {0, C}, {0, C}, {T, F}, {RO, R}, {OFF, O}},
		/* finish */ {{0, F}, {0, F}, {0, F}, {0, F}, {0, F}, {RO, R}, {OFF, O}},
		/* reset */ {{0, E}, {0, E}, {0, E}, {0, E}, {0, E}, {RO, R}, {OFF, O}},
		/* offline */ {{T, E}, {T, I}, {T, X}, {T, C}, {T, F}, {0, O}, {0, O}},
	};

	(void)unused;
	for (int a = 0; a < 5; a++) {
		for (int f = 0; f < 7; f++) {
			uint16_t st;

			bring_to(from[f]);
			st = send(0, acts[a]);
			if (st != want[a][f].st || state(0) != want[a][f].to)
				fail_msg("action %d from state 0x%x: status 0x%x, state 0x%x; the "
					 "table says 0x%x, 0x%x",
					 acts[a], from[f], st, state(0), want[a][f].st,
					 want[a][f].to);
			/* the resources follow the state */
			assert_int_equal(zs.open, state(0) == I || state(0) == X);
			assert_int_equal(zs.active,
					 state(0) == I || state(0) == X || state(0) == C);
		}
	}
	bring_to(NVME_ZS_CLOSED);
	assert_int_equal(send(0, NVME_ZSA_SET_ZDE), NVME_SC_INVALID_FIELD); /* ZDES 0 */
	assert_int_equal(send(0, 0x07), NVME_SC_INVALID_FIELD);
	assert_int_equal(state(0), NVME_ZS_CLOSED);
}

static void test_writes(void **unused)
{
	uint64_t lba;

	(void)unused;
	make(4, 0, 0);
	assert_int_equal(write_at(ZONE + 1, 1), NVME_SC_ZONE_INVALID_WRITE); /* not at the WP */
	assert_int_equal(state(1), NVME_ZS_EMPTY);
	assert_int_equal(write_at(ZONE, 8), 0);
	assert_int_equal(state(1), NVME_ZS_IMP_OPEN);
	assert_int_equal(write_at(ZONE, 1), NVME_SC_ZONE_INVALID_WRITE);  /* behind it */
	assert_int_equal(write_at(ZONE + 8, CAP), NVME_SC_ZONE_BOUNDARY); /* past the capacity */
	/* Zone Append: by the zone's first LBA, written at the write pointer */
	assert_int_equal(zns_zones_write(&zs, ZONE + 8, 1, true, &lba), NVME_SC_INVALID_FIELD);
	assert_int_equal(zns_zones_write(&zs, ZONE, 4, true, &lba), 0);
	assert_int_equal(lba, ZONE + 8);
	zns_zones_written(&zs, lba, 4);
	assert_int_equal(zs.z[1].wp, 12);
	/* filling it to the capacity makes it full and frees its resources */
	assert_int_equal(write_at(ZONE + 12, CAP - 12), 0);
	assert_int_equal(state(1), NVME_ZS_FULL);
	assert_int_equal(zs.open, 0);
	assert_int_equal(zs.active, 0);
	assert_int_equal(write_at(ZONE + CAP, 1), NVME_SC_ZONE_FULL);
	assert_int_equal(zns_zones_write(&zs, ZONE, 1, true, &lba), NVME_SC_ZONE_FULL);
	/* a closed zone reopens implicitly at its write pointer */
	assert_int_equal(write_at(0, 2), 0);
	assert_int_equal(send(0, NVME_ZSA_CLOSE), 0);
	assert_int_equal(write_at(2, 2), 0);
	assert_int_equal(state(0), NVME_ZS_IMP_OPEN);
	/* read only and offline zones take no writes */
	zns_zones_fail(&zs, 2, NVME_ZS_READ_ONLY);
	assert_int_equal(write_at(2 * ZONE, 1), NVME_SC_ZONE_READ_ONLY);
	zns_zones_fail(&zs, 3, NVME_ZS_OFFLINE);
	assert_int_equal(write_at(3 * ZONE, 1), NVME_SC_ZONE_OFFLINE);
	assert_int_equal(write_at(4 * ZONE, 1), NVME_SC_LBA_RANGE);
}

static void test_limits(void **unused)
{
	(void)unused;
	make(8, 2, 3);
	assert_int_equal(write_at(0, 1), 0);
	assert_int_equal(write_at(ZONE, 1), 0);
	/* a third open: the implicitly opened zone opened first closes */
	assert_int_equal(write_at(2 * ZONE, 1), 0);
	assert_int_equal(state(0), NVME_ZS_CLOSED);
	assert_int_equal(state(1), NVME_ZS_IMP_OPEN);
	assert_int_equal(state(2), NVME_ZS_IMP_OPEN);
	assert_int_equal(zs.open, 2);
	assert_int_equal(zs.active, 3);
	/* a fourth active zone: none left, and nothing changes */
	assert_int_equal(write_at(3 * ZONE, 1), NVME_SC_ZONE_TOO_MANY_ACTIVE);
	assert_int_equal(send(3, NVME_ZSA_OPEN), NVME_SC_ZONE_TOO_MANY_ACTIVE);
	assert_int_equal(state(3), NVME_ZS_EMPTY);
	assert_int_equal(zs.active, 3);
	/* explicit opens take the implicitly opened zones' places */
	assert_int_equal(send(0, NVME_ZSA_OPEN), 0);
	assert_int_equal(state(1), NVME_ZS_CLOSED);
	assert_int_equal(send(1, NVME_ZSA_OPEN), 0);
	assert_int_equal(state(2), NVME_ZS_CLOSED);
	/* both open resources held explicitly: no zone to close for a third */
	assert_int_equal(write_at(2 * ZONE + 1, 1), NVME_SC_ZONE_TOO_MANY_OPEN);
	assert_int_equal(state(2), NVME_ZS_CLOSED);
	assert_int_equal(zs.z[2].wp, 1);
	/* finishing one frees an open and an active resource */
	assert_int_equal(send(0, NVME_ZSA_FINISH), 0);
	assert_int_equal(zs.open, 1);
	assert_int_equal(zs.active, 2);
	assert_int_equal(write_at(2 * ZONE + 1, 1), 0);
	assert_int_equal(write_at(3 * ZONE, 1), 0);
	assert_int_equal(state(1),
			 NVME_ZS_EXP_OPEN);	    /* an explicit open is never closed for room */
	assert_int_equal(state(2), NVME_ZS_CLOSED); /* it was the oldest implicit one */
}

static void test_reads(void **unused)
{
	(void)unused;
	make(4, 0, 0);
	assert_int_equal(zns_zones_read(&zs, 0, ZONE), 0); /* unwritten: read as deallocated */
	assert_int_equal(zns_zones_read(&zs, ZONE - 1, 2), NVME_SC_ZONE_BOUNDARY);
	zns_zones_fail(&zs, 1, NVME_ZS_OFFLINE);
	assert_int_equal(zns_zones_read(&zs, ZONE, 1), NVME_SC_ZONE_OFFLINE);
	zns_zones_fail(&zs, 2, NVME_ZS_READ_ONLY);
	assert_int_equal(zns_zones_read(&zs, 2 * ZONE, 1), 0);
}

static void test_select_all(void **unused)
{
	bool erase[8];

	(void)unused;
	make(8, 3, 0);
	assert_int_equal(write_at(0, 1), 0);
	assert_int_equal(send(1, NVME_ZSA_OPEN), 0);
	assert_int_equal(write_at(2 * ZONE, 1), 0);
	assert_int_equal(send(3, NVME_ZSA_FINISH), 0);
	zns_zones_fail(&zs, 4, NVME_ZS_READ_ONLY);
	assert_int_equal(zns_zones_send_all(&zs, NVME_ZSA_CLOSE, erase), 0);
	for (uint32_t i = 0; i < 3; i++)
		assert_int_equal(state(i), NVME_ZS_CLOSED);
	assert_int_equal(state(3), NVME_ZS_FULL);
	assert_int_equal(zs.open, 0);
	/* opening every closed zone: 3 fit the 3 open resources */
	assert_int_equal(zns_zones_send_all(&zs, NVME_ZSA_OPEN, erase), 0);
	assert_int_equal(zs.open, 3);
	assert_int_equal(zns_zones_send_all(&zs, NVME_ZSA_CLOSE, erase), 0);
	assert_int_equal(write_at(5 * ZONE, 1), 0); /* 3 closed + 1 open: too many */
	assert_int_equal(zns_zones_send_all(&zs, NVME_ZSA_OPEN, erase), NVME_SC_ZONE_TOO_MANY_OPEN);
	assert_int_equal(state(0), NVME_ZS_CLOSED);
	/* reset all: the opened, closed and full zones; an erase where data was */
	assert_int_equal(zns_zones_send_all(&zs, NVME_ZSA_RESET, erase), 0);
	for (uint32_t i = 0; i < 8; i++) {
		assert_int_equal(state(i), i == 4 ? NVME_ZS_READ_ONLY : NVME_ZS_EMPTY);
		assert_int_equal(erase[i], i < 4 || i == 5);
	}
	assert_int_equal(zs.active, 0);
	assert_int_equal(zns_zones_send_all(&zs, NVME_ZSA_OFFLINE, erase), 0);
	assert_int_equal(state(4), NVME_ZS_OFFLINE);
	assert_int_equal(zns_zones_send_all(&zs, NVME_ZSA_SET_ZDE, erase), NVME_SC_INVALID_FIELD);
}

/* A report's header and descriptor fields, read at their byte offsets. */
static uint64_t u64_at(const uint8_t *b, size_t off)
{
	uint64_t v;

	memcpy(&v, b + off, 8);
	return v;
}

static void test_report(void **unused)
{
	uint8_t buf[64 + 8 * 64];

	(void)unused;
	make(8, 0, 0);
	assert_int_equal(write_at(ZONE, 5), 0);	       /* zone 1: implicitly opened */
	assert_int_equal(send(2, NVME_ZSA_FINISH), 0); /* zone 2: full */
	assert_int_equal(send(3, NVME_ZSA_OPEN), 0);   /* zone 3: explicitly opened */
	zns_zones_fail(&zs, 6, NVME_ZS_OFFLINE);       /* zone 6: offline */
	assert_int_equal(zns_zones_report(&zs, 0, NVME_ZRAS_ALL, false, buf, sizeof(buf)), 0);
	assert_int_equal(u64_at(buf, 0), 8);
	for (uint32_t i = 0; i < 8; i++) {
		const uint8_t *d = buf + 64 + i * 64;

		assert_int_equal(d[0] & 0xf, NVME_ZONE_TYPE_SEQ_WRITE);
		assert_int_equal(d[1] >> 4, state(i));
		assert_int_equal(u64_at(d, 8), CAP);
		assert_int_equal(u64_at(d, 16), (uint64_t)i * ZONE);
	}
	assert_int_equal(u64_at(buf + 64 + 64, 24), ZONE + 5); /* zone 1's write pointer */
	assert_int_equal(u64_at(buf + 64 + 2 * 64, 24),
			 2 * ZONE + CAP); /* finished: at its capacity */
	/* filters, from the zone holding slba on */
	assert_int_equal(zns_zones_report(&zs, ZONE + 3, NVME_ZRAS_EMPTY, false, buf, sizeof(buf)),
			 0);
	assert_int_equal(u64_at(buf, 0), 3); /* zones 4, 5, 7 */
	assert_int_equal(u64_at(buf, 64 + 16), 4 * ZONE);
	assert_int_equal(u64_at(buf, 64 + 2 * 64 + 16), 7 * ZONE);
	assert_int_equal(u64_at(buf, 64 + 3 * 64 + 16), 0); /* nothing past them */
	const struct {
		uint8_t filter;
		uint64_t zone;
	} one[] = {{NVME_ZRAS_IMP_OPEN, 1},
		   {NVME_ZRAS_EXP_OPEN, 3},
		   {NVME_ZRAS_FULL, 2},
		   {NVME_ZRAS_OFFLINE, 6}};
	for (size_t k = 0; k < sizeof(one) / sizeof(one[0]); k++) {
		assert_int_equal(zns_zones_report(&zs, 0, one[k].filter, false, buf, sizeof(buf)),
				 0);
		assert_int_equal(u64_at(buf, 0), 1);
		assert_int_equal(u64_at(buf, 64 + 16), one[k].zone * ZONE);
	}
	assert_int_equal(zns_zones_report(&zs, 0, NVME_ZRAS_CLOSED, false, buf, sizeof(buf)), 0);
	assert_int_equal(u64_at(buf, 0), 0);
	assert_int_equal(zns_zones_report(&zs, 0, 8, false, buf, sizeof(buf)),
			 NVME_SC_INVALID_FIELD);
	/* room for two descriptors: a partial report counts those, a full one all */
	assert_int_equal(zns_zones_report(&zs, 0, NVME_ZRAS_ALL, true, buf, 64 + 2 * 64), 0);
	assert_int_equal(u64_at(buf, 0), 2);
	assert_int_equal(zns_zones_report(&zs, 0, NVME_ZRAS_ALL, false, buf, 64 + 2 * 64), 0);
	assert_int_equal(u64_at(buf, 0), 8);
	/* a buffer of the header alone: the count, no descriptor */
	assert_int_equal(zns_zones_report(&zs, 0, NVME_ZRAS_ALL, false, buf, 64), 0);
	assert_int_equal(u64_at(buf, 0), 8);
}

static int teardown(void **unused)
{
	(void)unused;
	zns_zones_fini(&zs);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_transition_table, teardown),
		cmocka_unit_test_teardown(test_writes, teardown),
		cmocka_unit_test_teardown(test_limits, teardown),
		cmocka_unit_test_teardown(test_reads, teardown),
		cmocka_unit_test_teardown(test_select_all, teardown),
		cmocka_unit_test_teardown(test_report, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
