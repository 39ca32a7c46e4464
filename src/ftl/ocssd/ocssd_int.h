/*
 * The Open-Channel SSD 2.0 device mode: the device maps nothing. It exposes
 * its NAND as groups (channels), parallel units (the LUNs of a channel) and
 * chunks (block i of every plane of one LUN), and enforces the chunk rules:
 * writes only at a chunk's write pointer in multiples of ws_min, reads of an
 * open chunk only below the write pointer minus mw_cunits, resets only of
 * closed chunks (and of free ones with the MCCAP bit), nothing on an offline
 * chunk. Each sector keeps OC_MS bytes of host metadata in its OOB.
 *
 * Timing is the same die / channel / PCIe / write buffer model as the
 * device FTL's: a write completes once its data is in the write buffer, and
 * each program unit is programmed when the chunk's write pointer fills it.
 * A chunk's write pointer survives power loss: it is found again by the
 * write sequence numbers in the OOB (a reset clears its chunk's first).
 */
#ifndef VSSD_FTL_OCSSD_INT_H
#define VSSD_FTL_OCSSD_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "config/params.h"
#include "ftl/ftl.h"
#include "media/media.h"
#include "nand/geometry.h"
#include "nand/timing.h"
#include "util/rng.h"
#include "vssd/nvme.h"

#define OC_MS 8 /* host metadata bytes per sector (pblk keeps the LBA there) */

struct oc_chunk {
	uint32_t wp; /* sectors written */
	uint32_t erase_count;
	uint8_t state; /* enum nvme_oc_chunk_state */
};

struct oc_counters {
	uint64_t written_sectors, read_sectors, resets;
	uint64_t write_faults, erase_faults, rule_violations;
};

struct ocssd {
	const struct geometry *geo;
	struct timing *tm;
	struct media *media;
	uint32_t ngrp, npu, nchk, clba;
	uint8_t sec_bits, chk_bits, pu_bits, grp_bits;
	uint32_t ws_min, ws_opt, mw_cunits;
	bool reset_free;
	double write_fail, erase_fail;
	uint64_t rated_pe;
	struct rng fault_rng;
	struct oc_chunk *chunks; /* (grp * npu + pu) * nchk + chk */
	uint64_t seq;		 /* the last write's sequence number */
	struct oc_counters c;
};

/* A decoded device address. */
struct oc_addr {
	uint32_t grp, pu, chk, sec;
};

/* The open-channel device behind the FTL interface (ops.c). */
/* The open-channel device behind ftl, or NULL when ftl is another (for its tests). */
struct ocssd *ocssd_of(struct ftl *ftl);

/* Builds the chunk table (fresh, with ocssd_offline_rate of chunks offline
 * by the seed), or recovers it from media that held a device. Returns 0,
 * -ENOMEM, or a media error. */
int ocssd_init(struct ocssd *oc, const struct geometry *geo, const struct vssd_config *cfg,
	       struct timing *tm, struct media *media);
void ocssd_fini(struct ocssd *oc);

/* Bytes of the media's metadata area the chunk table takes. */
uint64_t ocssd_meta_bytes(const struct geometry *geo);

/* Splits a device address; false when a field is out of range. */
bool ocssd_decode(const struct ocssd *oc, uint64_t lba, struct oc_addr *a);
uint64_t ocssd_encode(const struct ocssd *oc, struct oc_addr a);
/* The address space: every valid address is below this. */
uint64_t ocssd_address_space(const struct ocssd *oc);

static inline uint32_t ocssd_chunk_index(const struct ocssd *oc, struct oc_addr a)
{
	return (a.grp * oc->npu + a.pu) * oc->nchk + a.chk;
}

/*
 * Vector commands over n (at most 64) addresses. data holds n sectors (NULL:
 * none, zeros are stored), meta n * OC_MS bytes (NULL: none). st[i] gets
 * each address's status (0 on success). Each returns the time the command
 * completes, at least start_ns.
 */
uint64_t ocssd_write(struct ocssd *oc, const uint64_t *lbas, uint32_t n, const uint8_t *data,
		     const uint8_t *meta, uint64_t start_ns, uint16_t *st);
uint64_t ocssd_read(struct ocssd *oc, const uint64_t *lbas, uint32_t n, uint8_t *data,
		    uint8_t *meta, uint64_t start_ns, uint16_t *st);
/* Resets the chunks the addresses name (their sector bits are ignored). */
uint64_t ocssd_reset(struct ocssd *oc, const uint64_t *lbas, uint32_t n, uint64_t start_ns,
		     uint16_t *st);

/* The Geometry command's answer; its timing fields are the timing model's. */
void ocssd_geometry(const struct ocssd *oc, struct nvme_oc_geometry *g);
void ocssd_chunk_desc(const struct ocssd *oc, uint32_t idx, struct nvme_oc_chunk_desc *d);
static inline uint32_t ocssd_nchunks(const struct ocssd *oc)
{
	return oc->ngrp * oc->npu * oc->nchk;
}

#endif
