/*
 * The zones of a Zoned Namespace (NVMe Zoned Namespace Command Set 1.1),
 * as a state machine over a table of zones: each zone's state and write
 * pointer, the open and active resources (MOR, MAR) they hold, and every
 * transition the specification allows, with its status for the rest.
 * Nothing here touches the NAND: the zoned FTL asks what a command may do,
 * moves its data, and then tells the table (zns_zones_written); a reset
 * says so (zns_send's *erase) for the FTL to erase the zone's blocks.
 *
 * States (ZS): empty, implicitly opened (a write opened it), explicitly
 * opened (Open Zone), closed, full, read only, offline. Open zones are the
 * opened ones; active zones are the opened and the closed ones. When a
 * zone must open and all open resources are taken, the controller closes
 * the implicitly opened zone opened longest ago, if there is one (as
 * QEMU's "auto transition" does), else the command fails with Too Many
 * Open Zones.
 */
#ifndef VSSD_FTL_ZNS_ZONES_H
#define VSSD_FTL_ZNS_ZONES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vssd/nvme.h"

struct zns_zone {
	uint64_t wp;	    /* LBAs written, from the zone's first */
	uint64_t opened_at; /* the table's open count when a write opened it */
	uint8_t state;	    /* enum nvme_zone_state */
	uint8_t attrs;	    /* NVME_ZA_* */
};

struct zns_zones {
	uint32_t nzones;
	uint64_t zone_lbas;	       /* the zone size: a power of two */
	uint64_t cap_lbas;	       /* the zone capacity, at most the size */
	uint32_t max_open, max_active; /* MOR + 1, MAR + 1; 0: no limit */
	uint32_t open, active;	       /* zones holding those resources */
	uint64_t opens;		       /* implicit opens so far: their order */
	struct zns_zone *z;
};

/* A table of nzones empty zones. Returns 0 or -ENOMEM. */
int zns_zones_init(struct zns_zones *zs, uint32_t nzones, uint64_t zone_lbas, uint64_t cap_lbas,
		   uint32_t max_open, uint32_t max_active);
void zns_zones_fini(struct zns_zones *zs);

static inline uint32_t zns_zone_of(const struct zns_zones *zs, uint64_t lba)
{
	return (uint32_t)(lba / zs->zone_lbas);
}

/*
 * A write (append: a Zone Append, whose slba must be its zone's first LBA)
 * of nlb LBAs: 0 with *lba the first LBA it writes (an append's is the
 * write pointer) and the zone opened for it, or its status: the zone full,
 * read only or offline, a write not at the write pointer, past the zone's
 * capacity, or no open or active resource left. Nothing changes on a
 * failure.
 */
uint16_t zns_zones_write(struct zns_zones *zs, uint64_t slba, uint32_t nlb, bool append,
			 uint64_t *lba);
/* The data of a write zns_zones_write() allowed is written: the write
 * pointer moves past it, and a zone it filled is full. */
void zns_zones_written(struct zns_zones *zs, uint64_t lba, uint32_t nlb);

/* A read of nlb LBAs from slba: 0, Zone Boundary Error when it crosses a
 * zone's end (no read across zone boundaries), or Zone Is Offline. */
uint16_t zns_zones_read(const struct zns_zones *zs, uint64_t slba, uint32_t nlb);

/* Zone Management Send's action on zone idx: 0 or the status. A reset of a
 * zone that held data sets *erase (its blocks are the FTL's to erase). */
uint16_t zns_zones_send(struct zns_zones *zs, uint32_t idx, enum nvme_zone_send_action action,
			bool *erase);
/* The same with Select All: every zone in a state the action applies to
 * (close: opened; finish: opened and closed; open: closed; reset: opened,
 * closed and full; offline: read only). erase[idx] set for each zone
 * whose blocks must be erased (nzones flags). Returns 0 or the status. */
uint16_t zns_zones_send_all(struct zns_zones *zs, enum nvme_zone_send_action action, bool *erase);

/* A zone as recovery found it (empty, closed, full, read only or offline,
 * with its write pointer). */
void zns_zones_restore(struct zns_zones *zs, uint32_t idx, enum nvme_zone_state state, uint64_t wp);
/* A controller-made transition (wear, faults): to read only or offline. */
void zns_zones_fail(struct zns_zones *zs, uint32_t idx, enum nvme_zone_state to);

/*
 * A report of the zones from the one holding slba on, those the filter
 * selects, into buf of bytes (a header and 64-byte descriptors). With
 * partial, the header counts the descriptors that fit; else every zone
 * the filter selects from there. Returns 0 or Invalid Field (an unknown
 * filter).
 */
uint16_t zns_zones_report(const struct zns_zones *zs, uint64_t slba, uint8_t filter, bool partial,
			  void *buf, size_t bytes);

#endif
