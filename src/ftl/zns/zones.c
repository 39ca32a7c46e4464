/*
 * The zone state machine: see zones.h. Transitions go through set_state(),
 * which keeps the open and active counts; the checks before them leave
 * the table as it was when a command fails.
 */
#include "ftl/zns/zones.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool is_open(uint8_t s)
{
	return s == NVME_ZS_IMP_OPEN || s == NVME_ZS_EXP_OPEN;
}

static bool is_active(uint8_t s)
{
	return is_open(s) || s == NVME_ZS_CLOSED;
}

int zns_zones_init(struct zns_zones *zs, uint32_t nzones, uint64_t zone_lbas, uint64_t cap_lbas,
		   uint32_t max_open, uint32_t max_active)
{
	*zs = (struct zns_zones){.nzones = nzones,
				 .zone_lbas = zone_lbas,
				 .cap_lbas = cap_lbas,
				 .max_open = max_open,
				 .max_active = max_active};
	zs->z = calloc(nzones, sizeof(*zs->z));
	if (!zs->z)
		return -ENOMEM;
	for (uint32_t i = 0; i < nzones; i++)
		zs->z[i].state = NVME_ZS_EMPTY;
	return 0;
}

void zns_zones_fini(struct zns_zones *zs)
{
	free(zs->z);
	zs->z = NULL;
}

static void set_state(struct zns_zones *zs, struct zns_zone *z, uint8_t to)
{
	zs->open -= is_open(z->state);
	zs->active -= is_active(z->state);
	z->state = to;
	zs->open += is_open(to);
	zs->active += is_active(to);
}

/* The implicitly opened zone opened longest ago, or NULL. */
static struct zns_zone *oldest_implicit(struct zns_zones *zs)
{
	struct zns_zone *best = NULL;

	for (uint32_t i = 0; i < zs->nzones; i++)
		if (zs->z[i].state == NVME_ZS_IMP_OPEN &&
		    (!best || zs->z[i].opened_at < best->opened_at))
			best = &zs->z[i];
	return best;
}

/* Room for one more open zone (and active, when it was empty): 0, after
 * closing an implicitly opened zone if all open resources were taken, or
 * the status. Fails before changing anything. */
static uint16_t reserve(struct zns_zones *zs, bool needs_active)
{
	struct zns_zone *victim;

	if (needs_active && zs->max_active && zs->active >= zs->max_active)
		return NVME_SC_ZONE_TOO_MANY_ACTIVE;
	if (!zs->max_open || zs->open < zs->max_open)
		return 0;
	if (!(victim = oldest_implicit(zs)))
		return NVME_SC_ZONE_TOO_MANY_OPEN;
	set_state(zs, victim, NVME_ZS_CLOSED);
	return 0;
}

/* Opens zone z to state to (an opened state), taking what it needs. */
static uint16_t open_zone(struct zns_zones *zs, struct zns_zone *z, uint8_t to)
{
	uint16_t st = 0;

	if (!is_open(z->state))
		st = reserve(zs, z->state == NVME_ZS_EMPTY);
	if (st)
		return st;
	if (to == NVME_ZS_IMP_OPEN && z->state != NVME_ZS_IMP_OPEN)
		z->opened_at = ++zs->opens;
	if (z->state != NVME_ZS_EXP_OPEN) /* an explicit open stays explicit */
		set_state(zs, z, to);
	return 0;
}

/* The status of a write or management action on a zone that cannot take
 * it whatever it asks, or 0. */
static uint16_t unusable(const struct zns_zone *z)
{
	switch (z->state) {
	case NVME_ZS_READ_ONLY: return NVME_SC_ZONE_READ_ONLY;
	case NVME_ZS_OFFLINE: return NVME_SC_ZONE_OFFLINE;
	default: return 0;
	}
}

uint16_t zns_zones_write(struct zns_zones *zs, uint64_t slba, uint32_t nlb, bool append,
			 uint64_t *lba)
{
	uint32_t idx = zns_zone_of(zs, slba);
	uint64_t start = (uint64_t)idx * zs->zone_lbas, at;
	struct zns_zone *z;
	uint16_t st;

	if (idx >= zs->nzones)
		return NVME_SC_LBA_RANGE;
	z = &zs->z[idx];
	if ((st = unusable(z)))
		return st;
	if (z->state == NVME_ZS_FULL)
		return NVME_SC_ZONE_FULL;
	if (append && slba != start)
		return NVME_SC_INVALID_FIELD; /* an append names its zone by its first LBA */
	at = append ? start + z->wp : slba;
	if (at != start + z->wp)
		return NVME_SC_ZONE_INVALID_WRITE;
	if (z->wp + nlb > zs->cap_lbas)
		return NVME_SC_ZONE_BOUNDARY;
	if ((st = open_zone(zs, z, NVME_ZS_IMP_OPEN)))
		return st;
	*lba = at;
	return 0;
}

void zns_zones_written(struct zns_zones *zs, uint64_t lba, uint32_t nlb)
{
	struct zns_zone *z = &zs->z[zns_zone_of(zs, lba)];

	z->wp += nlb;
	if (z->wp >= zs->cap_lbas)
		set_state(zs, z, NVME_ZS_FULL);
}

uint16_t zns_zones_read(const struct zns_zones *zs, uint64_t slba, uint32_t nlb)
{
	uint32_t idx = zns_zone_of(zs, slba);

	if (idx >= zs->nzones)
		return NVME_SC_LBA_RANGE;
	if (zs->z[idx].state == NVME_ZS_OFFLINE)
		return NVME_SC_ZONE_OFFLINE;
	if (slba % zs->zone_lbas + nlb > zs->zone_lbas)
		return NVME_SC_ZONE_BOUNDARY;
	return 0;
}

static uint16_t do_open(struct zns_zones *zs, struct zns_zone *z)
{
	if (z->state == NVME_ZS_FULL)
		return NVME_SC_ZONE_INVALID_TRANSITION;
	return open_zone(zs, z, NVME_ZS_EXP_OPEN);
}

static uint16_t do_close(struct zns_zones *zs, struct zns_zone *z)
{
	if (is_open(z->state))
		set_state(zs, z, NVME_ZS_CLOSED);
	else if (z->state != NVME_ZS_CLOSED)
		return NVME_SC_ZONE_INVALID_TRANSITION;
	return 0;
}

static uint16_t do_finish(struct zns_zones *zs, struct zns_zone *z)
{
	if (z->state != NVME_ZS_FULL) {
		z->wp = zs->cap_lbas;
		set_state(zs, z, NVME_ZS_FULL);
	}
	return 0;
}

static uint16_t do_reset(struct zns_zones *zs, struct zns_zone *z, bool *erase)
{
	/* an empty zone holds nothing: no erase; a finished one may hold data */
	*erase = z->state != NVME_ZS_EMPTY;
	z->wp = 0;
	z->attrs = 0;
	set_state(zs, z, NVME_ZS_EMPTY);
	return 0;
}

static uint16_t do_offline(struct zns_zones *zs, struct zns_zone *z)
{
	if (z->state == NVME_ZS_READ_ONLY)
		set_state(zs, z, NVME_ZS_OFFLINE);
	else if (z->state != NVME_ZS_OFFLINE)
		return NVME_SC_ZONE_INVALID_TRANSITION;
	return 0;
}

static bool known_action(enum nvme_zone_send_action action)
{
	switch (action) {
	case NVME_ZSA_CLOSE:
	case NVME_ZSA_FINISH:
	case NVME_ZSA_OPEN:
	case NVME_ZSA_RESET:
	case NVME_ZSA_OFFLINE:
	case NVME_ZSA_SET_ZDE: return true;
	default: return false;
	}
}

uint16_t zns_zones_send(struct zns_zones *zs, uint32_t idx, enum nvme_zone_send_action action,
			bool *erase)
{
	struct zns_zone *z = &zs->z[idx];
	uint16_t st;

	*erase = false;
	if (!known_action(action) || action == NVME_ZSA_SET_ZDE)
		return NVME_SC_INVALID_FIELD; /* no zone descriptor extensions (ZDES 0) */
	if (action != NVME_ZSA_OFFLINE && (st = unusable(z)))
		return st;
	switch (action) {
	case NVME_ZSA_OPEN: return do_open(zs, z);
	case NVME_ZSA_CLOSE: return do_close(zs, z);
	case NVME_ZSA_FINISH: return do_finish(zs, z);
	case NVME_ZSA_RESET: return do_reset(zs, z, erase);
	default: return do_offline(zs, z);
	}
}

/* The states an action with Select All applies to. */
static bool selected(enum nvme_zone_send_action action, uint8_t s)
{
	switch (action) {
	case NVME_ZSA_CLOSE: return is_open(s);
	case NVME_ZSA_FINISH: return is_active(s);
	case NVME_ZSA_OPEN: return s == NVME_ZS_CLOSED;
	case NVME_ZSA_RESET: return is_active(s) || s == NVME_ZS_FULL;
	case NVME_ZSA_OFFLINE: return s == NVME_ZS_READ_ONLY;
	default: return false;
	}
}

uint16_t zns_zones_send_all(struct zns_zones *zs, enum nvme_zone_send_action action, bool *erase)
{
	uint32_t closed = 0;

	if (!known_action(action) || action == NVME_ZSA_SET_ZDE)
		return NVME_SC_INVALID_FIELD; /* Set Zone Descriptor Extension names one zone */
	/* opening every closed zone: all of them or none */
	for (uint32_t i = 0; action == NVME_ZSA_OPEN && i < zs->nzones; i++)
		closed += zs->z[i].state == NVME_ZS_CLOSED;
	if (action == NVME_ZSA_OPEN && zs->max_open && zs->open + closed > zs->max_open)
		return NVME_SC_ZONE_TOO_MANY_OPEN;
	for (uint32_t i = 0; i < zs->nzones; i++) {
		erase[i] = false;
		if (selected(action, zs->z[i].state))
			zns_zones_send(zs, i, action, &erase[i]);
	}
	return 0;
}

void zns_zones_restore(struct zns_zones *zs, uint32_t idx, enum nvme_zone_state state, uint64_t wp)
{
	zs->z[idx].wp = wp;
	set_state(zs, &zs->z[idx], (uint8_t)state);
}

void zns_zones_fail(struct zns_zones *zs, uint32_t idx, enum nvme_zone_state to)
{
	set_state(zs, &zs->z[idx], (uint8_t)to);
}

/* The zone state a report filter selects (0: every state). */
static const uint8_t filter_state[] = {
	[NVME_ZRAS_ALL] = 0,
	[NVME_ZRAS_EMPTY] = NVME_ZS_EMPTY,
	[NVME_ZRAS_IMP_OPEN] = NVME_ZS_IMP_OPEN,
	[NVME_ZRAS_EXP_OPEN] = NVME_ZS_EXP_OPEN,
	[NVME_ZRAS_CLOSED] = NVME_ZS_CLOSED,
	[NVME_ZRAS_FULL] = NVME_ZS_FULL,
	[NVME_ZRAS_READ_ONLY] = NVME_ZS_READ_ONLY,
	[NVME_ZRAS_OFFLINE] = NVME_ZS_OFFLINE,
};

static void describe(const struct zns_zones *zs, uint32_t idx, struct nvme_zone_desc *d)
{
	const struct zns_zone *z = &zs->z[idx];
	uint64_t start = (uint64_t)idx * zs->zone_lbas;

	*d = (struct nvme_zone_desc){.zt = NVME_ZONE_TYPE_SEQ_WRITE,
				     .zs = (uint8_t)(z->state << 4),
				     .za = z->attrs,
				     .zcap = zs->cap_lbas,
				     .zslba = start,
				     .wp = start + z->wp};
}

uint16_t zns_zones_report(const struct zns_zones *zs, uint64_t slba, uint8_t filter, bool partial,
			  void *buf, size_t bytes)
{
	struct nvme_zone_report head = {0};
	size_t room =
		bytes > sizeof(head) ? (bytes - sizeof(head)) / sizeof(struct nvme_zone_desc) : 0;
	uint64_t matched = 0, placed = 0;

	if (filter >= sizeof(filter_state))
		return NVME_SC_INVALID_FIELD;
	memset(buf, 0, bytes);
	for (uint32_t i = zns_zone_of(zs, slba); i < zs->nzones; i++) {
		struct nvme_zone_desc d;

		if (filter_state[filter] && zs->z[i].state != filter_state[filter])
			continue;
		matched++;
		if (placed < room) {
			describe(zs, i, &d);
			memcpy((uint8_t *)buf + sizeof(head) + placed * sizeof(d), &d, sizeof(d));
			placed++;
		} else if (partial) {
			break; /* the count is of what fits: no need to look further */
		}
	}
	head.nr_zones = partial ? placed : matched;
	memcpy(buf, &head, bytes < sizeof(head) ? bytes : sizeof(head));
	return 0;
}
