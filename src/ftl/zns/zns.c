/*
 * Zones on the NAND: the layout, the data of writes and reads with their
 * timing, resets as erases, and what a power loss leaves (see zns_int.h).
 */
#include "ftl/zns/zns_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/rng.h"

#define UNIT GEO_UNIT_BYTES /* a 4 KiB LBA */

/* A zone as the media's metadata area keeps it: what no scan can find. */
struct zns_zone_rec {
	uint32_t erase_count;
	uint8_t finished; /* Finish Zone (or a write) filled it with no data past its end */
	uint8_t read_only;
	uint8_t offline;
	uint8_t rsvd;
};

static uint64_t pow2_at_least(uint64_t n)
{
	uint64_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

int zns_layout_of(const struct vssd_config *cfg, const struct geometry *geo, struct zns_layout *out,
		  char *err, size_t errlen)
{
	struct zns_layout l = {.zone_dies = cfg->zns_zone_dies ? (uint32_t)cfg->zns_zone_dies
							       : geo->dies};

	if (l.zone_dies > geo->dies || geo->dies % l.zone_dies) {
		snprintf(err, errlen, "zns_zone_dies=%u: it must divide the %u dies", l.zone_dies,
			 geo->dies);
		return -EINVAL;
	}
	l.groups = geo->dies / l.zone_dies;
	l.nzones = l.groups * geo->lines;
	l.zone_units = (uint64_t)l.zone_dies * (geo->units_per_line / geo->dies);
	l.cap_lbas = cfg->zns_zone_cap_bytes ? cfg->zns_zone_cap_bytes / UNIT : l.zone_units;
	if (cfg->zns_zone_cap_bytes % UNIT || !l.cap_lbas || l.cap_lbas > l.zone_units) {
		snprintf(err, errlen,
			 "zns_zone_cap_bytes=%llu: a multiple of 4 KiB, at most the %llu bytes a "
			 "zone's blocks hold",
			 (unsigned long long)cfg->zns_zone_cap_bytes,
			 (unsigned long long)(l.zone_units * UNIT));
		return -EINVAL;
	}
	l.zone_lbas = cfg->zns_zone_bytes ? cfg->zns_zone_bytes / UNIT : pow2_at_least(l.cap_lbas);
	if (cfg->zns_zone_bytes % UNIT || l.zone_lbas < l.cap_lbas ||
	    l.zone_lbas != pow2_at_least(l.zone_lbas)) {
		snprintf(err, errlen,
			 "zns_zone_bytes=%llu: a power of two of 4 KiB LBAs, at least the zone "
			 "capacity (%llu bytes)",
			 (unsigned long long)cfg->zns_zone_bytes,
			 (unsigned long long)(l.cap_lbas * UNIT));
		return -EINVAL;
	}
	if (cfg->zns_offline_zones >= l.nzones) {
		snprintf(err, errlen, "zns_offline_zones=%llu: there are %u zones, one must work",
			 (unsigned long long)cfg->zns_offline_zones, l.nzones);
		return -EINVAL;
	}
	if (cfg->zns_max_active > l.nzones ||
	    (cfg->zns_max_active && cfg->zns_max_open > cfg->zns_max_active)) {
		snprintf(err, errlen,
			 "zns_max_open=%llu, zns_max_active=%llu: open zones are active ones, "
			 "and there are %u zones",
			 (unsigned long long)cfg->zns_max_open,
			 (unsigned long long)cfg->zns_max_active, l.nzones);
		return -EINVAL;
	}
	*out = l;
	return 0;
}

uint64_t zns_meta_bytes(const struct geometry *geo, const struct vssd_config *cfg)
{
	struct zns_layout l;
	char err[256];

	if (zns_layout_of(cfg, geo, &l, err, sizeof(err)))
		return 0;
	return (uint64_t)l.nzones * sizeof(struct zns_zone_rec);
}

uint32_t zns_ppa_of(const struct zns *zn, uint32_t zone, uint64_t s)
{
	const struct geometry *geo = zn->geo;
	uint32_t upp = geo->units_per_prog, block = zone / zn->groups;
	uint64_t pu = s / upp, cs = pu / zn->zone_dies * upp + s % upp;
	uint32_t die = zone % zn->groups * zn->zone_dies + (uint32_t)(pu % zn->zone_dies);

	return (uint32_t)(block * geo->units_per_line + cs / upp * upp * geo->dies + die * upp +
			  cs % upp);
}

static uint32_t die_of(const struct zns *zn, uint32_t zone, uint64_t s)
{
	return zone % zn->groups * zn->zone_dies +
	       (uint32_t)(s / zn->geo->units_per_prog % zn->zone_dies);
}

static int save_zone(struct zns *zn, uint32_t zone, bool finished)
{
	uint8_t st = zn->zones.z[zone].state;
	struct zns_zone_rec r = {.erase_count = zn->erase_count[zone],
				 .finished = finished,
				 .read_only = st == NVME_ZS_READ_ONLY,
				 .offline = st == NVME_ZS_OFFLINE};

	if (!zn->media->keeps_data)
		return 0;
	return zn->media->ops->meta_write(zn->media, (uint64_t)zone * sizeof(r), &r, sizeof(r));
}

/* How far a zone was written, from the sequence numbers in its OOB:
 * sectors written since its last reset rise from its first on. */
static int scan_filled(struct zns *zn, uint32_t zone, uint64_t *filled)
{
	uint32_t upp = zn->geo->units_per_prog;
	struct media_oob oob[upp];
	uint64_t last = 0;

	for (uint64_t s = 0; s < zn->zones.cap_lbas; s += upp) {
		int rc = zn->media->ops->read_oob(zn->media, zns_ppa_of(zn, zone, s), upp, oob);

		if (rc)
			return rc;
		for (uint32_t i = 0; i < upp && s + i < zn->zones.cap_lbas; i++) {
			if (oob[i].seq == 0 || oob[i].seq <= last) {
				*filled = s + i;
				return 0;
			}
			last = oob[i].seq;
			zn->seq = last > zn->seq ? last : zn->seq;
		}
	}
	*filled = zn->zones.cap_lbas;
	return 0;
}

/* Each zone from its record and its OOB: opened zones come back closed. */
static int recover(struct zns *zn)
{
	for (uint32_t i = 0; i < zn->zones.nzones; i++) {
		struct zns_zone_rec r;
		uint64_t filled;
		enum nvme_zone_state st;
		int rc = zn->media->ops->meta_read(zn->media, (uint64_t)i * sizeof(r), &r,
						   sizeof(r));

		if (rc || (rc = scan_filled(zn, i, &filled)))
			return rc;
		zn->erase_count[i] = r.erase_count;
		zn->filled[i] = filled;
		st = r.offline					  ? NVME_ZS_OFFLINE
		     : r.read_only				  ? NVME_ZS_READ_ONLY
		     : r.finished || filled == zn->zones.cap_lbas ? NVME_ZS_FULL
		     : filled					  ? NVME_ZS_CLOSED
								  : NVME_ZS_EMPTY;
		zns_zones_restore(&zn->zones, i, st,
				  st == NVME_ZS_FULL ? zn->zones.cap_lbas : filled);
	}
	return 0;
}

/* zns_offline_zones distinct zones, chosen by the seed, offline from the start. */
static void offline_from_start(struct zns *zn, const struct vssd_config *cfg)
{
	struct rng r;

	rng_seed(&r, cfg->seed ^ 0x7a6e736f66ull);
	for (uint64_t k = 0; k < cfg->zns_offline_zones; k++) {
		uint32_t i = (uint32_t)rng_below(&r, zn->zones.nzones);

		while (zn->zones.z[i].state == NVME_ZS_OFFLINE)
			i = (i + 1) % zn->zones.nzones;
		zns_zones_fail(&zn->zones, i, NVME_ZS_OFFLINE);
	}
}

/* A zone that just filled, worn past the limit, turns read only, and the
 * layer above hears of it. */
static int wear_check(struct zns *zn, uint32_t zone)
{
	if (!zn->read_only_pe || zn->erase_count[zone] < zn->read_only_pe ||
	    zn->zones.z[zone].state != NVME_ZS_FULL)
		return 0;
	zns_zones_fail(&zn->zones, zone, NVME_ZS_READ_ONLY);
	zn->c.worn_read_only++;
	if (zn->ev.zone_changed)
		zn->ev.zone_changed(zn->ev.arg, (uint64_t)zone * zn->zones.zone_lbas);
	return save_zone(zn, zone, false);
}

int zns_init(struct zns *zn, const struct geometry *geo, const struct vssd_config *cfg,
	     struct timing *tm, struct media *media)
{
	struct zns_layout l;
	char err[256];
	int rc;

	*zn = (struct zns){.geo = geo, .tm = tm, .media = media};
	if ((rc = zns_layout_of(cfg, geo, &l, err, sizeof(err))))
		return rc; /* check_config said why */
	zn->zone_dies = l.zone_dies;
	zn->groups = l.groups;
	zn->zone_units = l.zone_units;
	zn->erase_count = calloc(l.nzones, sizeof(*zn->erase_count));
	zn->filled = calloc(l.nzones, sizeof(*zn->filled));
	if (!zn->erase_count || !zn->filled ||
	    zns_zones_init(&zn->zones, l.nzones, l.zone_lbas, l.cap_lbas,
			   (uint32_t)cfg->zns_max_open, (uint32_t)cfg->zns_max_active)) {
		zns_fini(zn);
		return -ENOMEM;
	}
	zn->read_only_pe = cfg->zns_read_only_pe;
	if (media->reopened)
		return recover(zn);
	offline_from_start(zn, cfg);
	for (uint32_t i = 0; i < l.nzones; i++)
		if ((rc = save_zone(zn, i, false)))
			return rc;
	return 0;
}

void zns_fini(struct zns *zn)
{
	zns_zones_fini(&zn->zones);
	free(zn->erase_count);
	free(zn->filled);
	zn->erase_count = NULL;
	zn->filled = NULL;
}

/* The program unit that the zone's sector s completes is programmed. */
static void program_if_full(struct zns *zn, uint32_t zone, uint64_t s, uint64_t ready_ns)
{
	uint32_t upp = zn->geo->units_per_prog;
	struct timing *tm = zn->tm;

	if ((s + 1) % upp || !tm->on)
		return;
	nand_program(tm, die_of(zn, zone, s), ready_ns,
		     prog_time_ns(tm, zns_ppa_of(zn, zone, s + 1 - upp)), (uint64_t)upp * UNIT);
}

uint16_t zns_write(struct zns *zn, uint64_t slba, uint32_t nlb, const uint8_t *data, bool append,
		   uint64_t now_ns, uint64_t *lba, uint64_t *done_ns)
{
	struct timing *tm = zn->tm;
	uint64_t at, ready = now_ns, done = now_ns, s0;
	uint32_t zone;
	uint16_t st = zns_zones_write(&zn->zones, slba, nlb, append, &at);

	if (st)
		return st;
	zone = zns_zone_of(&zn->zones, at);
	s0 = at - (uint64_t)zone * zn->zones.zone_lbas;
	if (tm->on)
		ready = pcie_xfer(tm, PCIE_TO_DEVICE, fw_step(tm, now_ns, tm->fw_write_ns),
				  (uint64_t)nlb * UNIT);
	for (uint32_t i = 0; i < nlb; i++) {
		struct media_oob oob = {.seq = ++zn->seq};
		uint64_t t = tm->on ? wb_reserve(tm, ready, UNIT) : now_ns;

		if (zn->media->ops->write(zn->media, zns_ppa_of(zn, zone, s0 + i),
					  data ? data + (uint64_t)i * UNIT : NULL, &oob)) {
			zns_zones_written(&zn->zones, at, i); /* what went before stays */
			zn->filled[zone] = s0 + i;
			return NVME_SC_WRITE_FAULT;
		}
		program_if_full(zn, zone, s0 + i, t);
		done = t > done ? t : done;
	}
	zns_zones_written(&zn->zones, at, nlb);
	zn->filled[zone] = s0 + nlb;
	zn->c.written_units += nlb;
	*lba = at;
	*done_ns = done;
	return wear_check(zn, zone) ? NVME_SC_WRITE_FAULT : 0;
}

uint16_t zns_read(struct zns *zn, uint64_t slba, uint32_t nlb, uint8_t *data, uint64_t now_ns,
		  uint64_t *done_ns)
{
	struct timing *tm = zn->tm;
	uint32_t zone = zns_zone_of(&zn->zones, slba);
	uint64_t s0 = slba - (uint64_t)zone * zn->zones.zone_lbas, end;
	struct nand_read_batch senses;
	uint16_t st = zns_zones_read(&zn->zones, slba, nlb);

	if (st)
		return st;
	nand_read_batch_init(&senses, tm, zn->geo,
			     tm->on ? fw_step(tm, now_ns, tm->fw_read_ns) : now_ns);
	for (uint32_t i = 0; i < nlb; i++) {
		uint8_t *dst = data ? data + (uint64_t)i * UNIT : NULL;
		uint32_t ppa = zns_ppa_of(zn, zone, s0 + i);
		struct media_oob oob;

		if (s0 + i >= zn->filled[zone]) { /* never written: zeros, no sense */
			if (dst)
				memset(dst, 0, UNIT);
			continue;
		}
		if (zn->media->ops->read(zn->media, ppa, dst, &oob))
			return NVME_SC_READ_ERROR;
		zn->c.read_units++;
		nand_read_batch_add(&senses, ppa);
	}
	end = nand_read_batch_end(&senses);
	*done_ns = tm->on ? pcie_xfer(tm, PCIE_TO_HOST, end, (uint64_t)nlb * UNIT) : end;
	return 0;
}

/* A reset's erase of the zone's blocks, one per plane of each of its dies,
 * in parallel from start_ns; the first sector's OOB cleared so recovery
 * finds the zone empty. */
static int erase_zone(struct zns *zn, uint32_t zone, uint64_t start_ns, uint64_t *end_ns)
{
	struct media_oob erased = {0};

	for (uint32_t d = 0; d < zn->zone_dies && zn->tm->on; d++) {
		uint64_t t = nand_erase(zn->tm, zone % zn->groups * zn->zone_dies + d, start_ns);

		*end_ns = t > *end_ns ? t : *end_ns;
	}
	zn->erase_count[zone]++;
	zn->filled[zone] = 0;
	zn->c.resets++;
	zn->c.erased_blocks += (uint64_t)zn->zone_dies * zn->geo->planes;
	if (zn->media->ops->write(zn->media, zns_ppa_of(zn, zone, 0), NULL, &erased))
		return -EIO;
	return save_zone(zn, zone, false);
}

/* After an action on zone i (erase: its blocks must be erased): the
 * erases, and the zone's record where the media keeps one. */
static uint16_t after_action(struct zns *zn, uint32_t i, enum nvme_zone_send_action action,
			     bool erase, uint64_t start_ns, uint64_t *end_ns)
{
	int rc = 0;

	if (erase)
		rc = erase_zone(zn, i, start_ns, end_ns);
	else if (action == NVME_ZSA_FINISH || action == NVME_ZSA_OFFLINE)
		rc = save_zone(zn, i, zn->zones.z[i].state == NVME_ZS_FULL);
	if (!rc && action == NVME_ZSA_FINISH)
		rc = wear_check(zn, i);
	zn->c.finishes += action == NVME_ZSA_FINISH;
	return rc ? NVME_SC_WRITE_FAULT : 0;
}

uint16_t zns_send(struct zns *zn, uint64_t slba, enum nvme_zone_send_action action, bool all,
		  uint64_t now_ns, uint64_t *done_ns)
{
	struct zns_zones *zs = &zn->zones;
	uint64_t start = zn->tm->on ? fw_step(zn->tm, now_ns, zn->tm->fw_write_ns) : now_ns;
	uint32_t idx = zns_zone_of(zs, slba);
	uint16_t st = 0;
	bool one;

	*done_ns = start;
	if (!all) {
		if (idx >= zs->nzones)
			return NVME_SC_LBA_RANGE;
		if (slba % zs->zone_lbas)
			return NVME_SC_INVALID_FIELD; /* a zone is named by its first LBA */
		if ((st = zns_zones_send(zs, idx, action, &one)))
			return st;
		return after_action(zn, idx, action, one, start, done_ns);
	}
	{
		bool *erase = calloc(zs->nzones, sizeof(*erase));
		uint8_t *before = malloc(zs->nzones);

		if (!erase || !before) {
			free(erase);
			free(before);
			return NVME_SC_INTERNAL;
		}
		for (uint32_t i = 0; i < zs->nzones; i++)
			before[i] = zs->z[i].state;
		st = zns_zones_send_all(zs, action, erase);
		for (uint32_t i = 0; !st && i < zs->nzones; i++)
			if (zs->z[i].state != before[i] || erase[i])
				st = after_action(zn, i, action, erase[i], start, done_ns);
		free(erase);
		free(before);
	}
	return st;
}
