/* Zones on the NAND (src/ftl/zns/zns.c), white-box over a real geometry,
 * timing model and store: the layout (every zone sector its own physical
 * unit; program units going round the zone's dies), data written at the
 * write pointer and by Zone Append read back, unwritten sectors as zeros,
 * a reset taking the erase time of its blocks (their dies in parallel),
 * and what a power loss leaves: each zone's write pointer at its last
 * written sector, finished zones full, opened zones closed. */
#include "helpers.h"

#include "ftl/zns/zns_int.h"

#include <math.h>
#include <stdlib.h>
#include <unistd.h>

/* 2 x 2 dies, 16 blocks each; 16 KiB pages, one a program: 4 units a program */
#define GEO_PAIRS                                                                                  \
	"channels=2", "luns_per_channel=2", "blocks_per_plane=16", "pages_per_block=8",            \
		"oneshot_pages=1", "cell=slc", "read_ns=25000"

struct rig {
	struct vssd_config cfg;
	struct geometry geo;
	struct timing tm;
	struct media *media;
	struct zns zn;
};

static void rig_open(struct rig *r, const char *const *pairs, uint32_t zone_dies)
{
	char err[256];

	config_from_pairs(&r->cfg, pairs);
	r->cfg.zns_zone_dies = zone_dies;
	assert_int_equal(geometry_init(&r->geo, &r->cfg, err, sizeof(err)), 0);
	assert_int_equal(timing_init(&r->tm, &r->geo, &r->cfg), 0);
	if (media_open(&r->cfg, r->geo.physical_units, zns_meta_bytes(&r->geo, &r->cfg), &r->media,
		       err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(zns_init(&r->zn, &r->geo, &r->cfg, &r->tm, r->media), 0);
}

static void rig_close(struct rig *r)
{
	zns_fini(&r->zn);
	r->media->ops->destroy(r->media);
	timing_fini(&r->tm);
}

static void stamp(uint8_t *b, uint64_t lba, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t k = 0; k < 4096; k += 8) {
			uint64_t v = (lba + i) * 1000003 + k;

			memcpy(b + (uint64_t)i * 4096 + k, &v, 8);
		}
}

static void test_layout(void **unused)
{
	const char *const pairs[] = {GEO_PAIRS, "media=none", "timing=off", NULL};
	struct rig r;

	(void)unused;
	for (uint32_t zd = 1; zd <= 4; zd *= 2) {
		uint32_t upp;
		uint8_t *seen;

		rig_open(&r, pairs, zd);
		upp = r.geo.units_per_prog;
		assert_int_equal(r.zn.groups, 4 / zd);
		assert_int_equal(r.zn.zones.nzones, r.zn.groups * r.geo.lines);
		assert_int_equal(r.zn.zone_units, zd * (r.geo.units_per_line / 4));
		assert_true(r.zn.zones.zone_lbas >= r.zn.zones.cap_lbas);
		seen = calloc(r.geo.physical_units, 1);
		for (uint32_t z = 0; z < r.zn.zones.nzones; z++)
			for (uint64_t s = 0; s < r.zn.zones.cap_lbas; s++) {
				uint32_t ppa = zns_ppa_of(&r.zn, z, s);
				uint32_t die = geo_die_of(&r.geo, ppa);

				assert_true(ppa < r.geo.physical_units);
				assert_int_equal(seen[ppa], 0);
				seen[ppa] = 1;
				/* program unit p of the zone is on die p % zone_dies of its group
				 */
				assert_int_equal(die, z % r.zn.groups * zd + s / upp % zd);
			}
		free(seen);
		rig_close(&r);
	}
}

static void test_data(void **unused)
{
	const char *const pairs[] = {GEO_PAIRS, "media=ram", "timing=off", NULL};
	static uint8_t in[64 * 4096], out[64 * 4096];
	struct rig r;
	uint64_t lba, done, zl;

	(void)unused;
	rig_open(&r, pairs, 2);
	zl = r.zn.zones.zone_lbas;
	stamp(in, 0, 10);
	assert_int_equal(zns_write(&r.zn, 0, 10, in, false, 0, &lba, &done), 0);
	stamp(in, zl, 7);
	assert_int_equal(zns_write(&r.zn, zl, 7, in, true, 0, &lba, &done), 0);
	assert_int_equal(lba, zl);
	stamp(in, zl + 7, 5);
	assert_int_equal(zns_write(&r.zn, zl, 5, in, true, 0, &lba, &done), 0);
	assert_int_equal(lba, zl + 7);
	/* back, with what lies past the write pointer as zeros */
	assert_int_equal(zns_read(&r.zn, 0, 16, out, 0, &done), 0);
	stamp(in, 0, 10);
	assert_memory_equal(out, in, 10 * 4096);
	memset(in, 0, sizeof(in));
	assert_memory_equal(out + 10 * 4096, in, 6 * 4096);
	assert_int_equal(zns_read(&r.zn, zl, 12, out, 0, &done), 0);
	stamp(in, zl, 12);
	assert_memory_equal(out, in, 12 * 4096);
	/* a finished zone reads its data, and zeros past it */
	assert_int_equal(zns_send(&r.zn, 0, NVME_ZSA_FINISH, false, 0, &done), 0);
	assert_int_equal(r.zn.zones.z[0].state, NVME_ZS_FULL);
	assert_int_equal(zns_read(&r.zn, 8, 4, out, 0, &done), 0);
	stamp(in, 8, 2);
	memset(in + 2 * 4096, 0, 2 * 4096);
	assert_memory_equal(out, in, 4 * 4096);
	/* a reset empties it: zeros, and writes from its start again */
	assert_int_equal(zns_send(&r.zn, 0, NVME_ZSA_RESET, false, 0, &done), 0);
	assert_int_equal(r.zn.erase_count[0], 1);
	assert_int_equal(zns_read(&r.zn, 0, 4, out, 0, &done), 0);
	memset(in, 0, 4 * 4096);
	assert_memory_equal(out, in, 4 * 4096);
	assert_int_equal(zns_write(&r.zn, 4, 1, in, false, 0, &lba, &done),
			 NVME_SC_ZONE_INVALID_WRITE);
	assert_int_equal(zns_send(&r.zn, 3, NVME_ZSA_OPEN, false, 0, &done), NVME_SC_INVALID_FIELD);
	rig_close(&r);
}

static void test_reset_time(void **unused)
{
	const char *const pairs[] = {GEO_PAIRS, "media=none", "timing=on", NULL};
	const uint64_t t0 = 10000000000ull; /* long after every program */
	struct rig r;
	uint64_t lba, done;

	(void)unused;
	for (uint32_t zd = 1; zd <= 4; zd *= 4) {
		rig_open(&r, pairs, zd);
		assert_int_equal(zns_write(&r.zn, 0, (uint32_t)r.zn.zones.cap_lbas, NULL, false, 0,
					   &lba, &done),
				 0);
		assert_int_equal(r.zn.zones.z[0].state, NVME_ZS_FULL);
		assert_int_equal(zns_send(&r.zn, 0, NVME_ZSA_RESET, false, t0, &done), 0);
		/* the firmware's step, then one erase time: the dies erase in parallel */
		assert_int_equal(done - t0, r.tm.fw_write_ns + r.tm.erase_ns);
		assert_int_equal(r.zn.c.erased_blocks, zd * r.geo.planes);
		/* a reset of an empty zone erases nothing */
		assert_int_equal(zns_send(&r.zn, 0, NVME_ZSA_RESET, false, 2 * t0, &done), 0);
		assert_int_equal(done - 2 * t0, r.tm.fw_write_ns);
		rig_close(&r);
	}
}

static void test_power_loss(void **unused)
{
	char path[] = "/tmp/vssd-zns-XXXXXX", pathp[64];
	int fd = mkstemp(path);
	static uint8_t in[32 * 4096], out[32 * 4096];
	struct rig r;
	uint64_t lba, done, zl, cap;

	(void)unused;
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	snprintf(pathp, sizeof(pathp), "path=%s", path);
	{
		const char *const pairs[] = {GEO_PAIRS, "media=file", pathp, "timing=off", NULL};

		rig_open(&r, pairs, 2);
		zl = r.zn.zones.zone_lbas;
		cap = r.zn.zones.cap_lbas;
		stamp(in, 0, 9);
		assert_int_equal(zns_write(&r.zn, 0, 9, in, false, 0, &lba, &done), 0);
		assert_int_equal(zns_send(&r.zn, zl, NVME_ZSA_OPEN, false, 0, &done), 0);
		assert_int_equal(zns_write(&r.zn, zl, 3, in, false, 0, &lba, &done), 0);
		assert_int_equal(zns_send(&r.zn, zl, NVME_ZSA_FINISH, false, 0, &done), 0);
		assert_int_equal(zns_write(&r.zn, 2 * zl, 20, NULL, false, 0, &lba, &done), 0);
		assert_int_equal(zns_send(&r.zn, 2 * zl, NVME_ZSA_RESET, false, 0, &done), 0);
		assert_int_equal(zns_write(&r.zn, 2 * zl, 2, in, false, 0, &lba, &done), 0);
		assert_int_equal(zns_send(&r.zn, 4 * zl, NVME_ZSA_OPEN, false, 0, &done), 0);
		/* the power goes: nothing is closed cleanly */
		zns_fini(&r.zn);
		r.media->ops->destroy(r.media);
		timing_fini(&r.tm);
		rig_open(&r, pairs, 2);
	}
	assert_true(r.media->reopened);
	assert_int_equal(r.zn.zones.z[0].state, NVME_ZS_CLOSED); /* implicitly opened before */
	assert_int_equal(r.zn.zones.z[0].wp, 9);
	assert_int_equal(r.zn.zones.z[1].state, NVME_ZS_FULL); /* finished */
	assert_int_equal(r.zn.zones.z[1].wp, cap);
	assert_int_equal(r.zn.zones.z[2].state, NVME_ZS_CLOSED); /* reset, then 2 written */
	assert_int_equal(r.zn.zones.z[2].wp, 2);
	assert_int_equal(r.zn.erase_count[2], 1);
	assert_int_equal(r.zn.zones.z[4].state, NVME_ZS_EMPTY); /* opened, never written */
	assert_int_equal(r.zn.zones.active, 2);
	assert_int_equal(r.zn.zones.open, 0);
	assert_int_equal(zns_read(&r.zn, 0, 9, out, 0, &done), 0);
	stamp(in, 0, 9);
	assert_memory_equal(out, in, 9 * 4096);
	/* writes go on at the write pointer found */
	assert_int_equal(zns_write(&r.zn, 9, 1, in, false, 0, &lba, &done), 0);
	assert_int_equal(zns_write(&r.zn, zl, 1, in, false, 0, &lba, &done), NVME_SC_ZONE_FULL);
	rig_close(&r);
	unlink(path);
}

/* Sequential writes of zones of one die group, one zone at a time, all
 * submitted at once (a deep queue of 128 KiB commands): the steady rate is
 * the closed form's for a zone of zone_dies dies, min(PCIe, the channels
 * its dies are on x channel, zone_dies x program unit / mean program time,
 * fw_cores x command / fw_write_ns), on the default TLC profile. */
static void test_sequential_bandwidth(void **unused)
{
	/* program-bound at 2 and 8 dies a zone; channel-bound with slow channels */
	static const struct {
		uint32_t zone_dies;
		const char *extra;
	} cases[] = {{2, NULL}, {8, NULL}, {8, "channel_mbps=100"}};
	const uint32_t chunk = 32; /* 128 KiB */

	(void)unused;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *const pairs[] = {"blocks_per_plane=16", "media=none", "timing=on",
					     cases[i].extra, NULL};
		uint32_t zd = cases[i].zone_dies;
		struct rig r;
		const struct vssd_config *c;
		const struct geometry *g;
		double prog_ns = 0, want, got;
		uint64_t last = 0, lba, done, bytes = 0, mark_bytes = 0, mark_ns = 0;

		rig_open(&r, pairs, zd);
		c = &r.cfg;
		g = &r.geo;
		for (uint32_t row = 0; row < g->progs_per_block; row++)
			prog_ns += (double)prog_time_ns(&r.tm, row * g->dies * g->units_per_prog);
		prog_ns /= g->progs_per_block;
		want = fmin(
			(double)c->pcie_mbps * 1e6,
			fmin((double)(zd < g->channels ? zd : g->channels) * c->channel_mbps * 1e6,
			     zd * g->units_per_prog * 4096.0 / (prog_ns / 1e9)));
		if (c->fw_cores)
			want = fmin(want, c->fw_cores * 131072e9 / (double)c->fw_write_ns);
		/* four zones of die group 0: zones 0, groups, 2 x groups, ...; the
		 * rate from the end of the first to the end of the last, in steady
		 * state (the write buffer hides as much at either end) */
		for (uint32_t k = 0; k < 4; k++) {
			if (k == 1) {
				mark_bytes = bytes;
				mark_ns = last;
			}
			uint64_t z = (uint64_t)k * r.zn.groups * r.zn.zones.zone_lbas;

			for (uint64_t s = 0; s < r.zn.zones.cap_lbas; s += chunk) {
				assert_int_equal(
					zns_write(&r.zn, z + s, chunk, NULL, false, 0, &lba, &done),
					0);
				last = done > last ? done : last;
				bytes += chunk * 4096ull;
			}
		}
		got = (double)(bytes - mark_bytes) / ((double)(last - mark_ns) / 1e9);
		print_message("zone of %u dies%s%s: sequential write %.1f MB/s (closed form %.1f, "
			      "%+.2f%%)\n",
			      zd, cases[i].extra ? ", " : "", cases[i].extra ? cases[i].extra : "",
			      got / 1e6, want / 1e6, 100 * rel_err(got, want));
		assert_true(fabs(rel_err(got, want)) < 0.03);
		rig_close(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_data),
		cmocka_unit_test(test_reset_time),
		cmocka_unit_test(test_power_loss),
		cmocka_unit_test(test_sequential_bandwidth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
