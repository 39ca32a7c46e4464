/*
 * The Zoned Namespace device: zones laid on the NAND. A zone is block b of
 * every plane of zone_dies dies (ConfZNS-style: all the dies, or a group of
 * neighbouring dies so that zones of different groups run in parallel);
 * zone k is in die group k % groups, at block k / groups. Within a zone,
 * program units go round its dies, as a line of the device FTL goes round
 * all of them, so the same address math gives each sector's die, flash
 * page and page type.
 *
 * The rules are the zone state machine's (zones.h); this file moves the
 * data and times it on the same die / channel / PCIe / write buffer model
 * as the other FTLs: a write completes once its data is in the write
 * buffer (which, as on the open-channel device, holds up over a power
 * loss), each program unit is programmed when the zone's write pointer
 * fills it, and a reset erases the zone's blocks on their dies in
 * parallel. Zones may be offline from the start (zns_offline_zones), and
 * one worn past zns_read_only_pe turns read only when it next fills: its
 * data stays readable, the layer above hears of it (the Changed Zone List)
 * and the host takes it offline. What survives a power loss: the data,
 * each zone's write pointer (found again from the sequence numbers in the
 * OOB), and a record per zone on the media's metadata area (erase count,
 * finished, read only, offline); opened zones come back closed.
 */
#ifndef VSSD_FTL_ZNS_INT_H
#define VSSD_FTL_ZNS_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "config/params.h"
#include "ftl/ftl.h"
#include "ftl/zns/zones.h"
#include "media/media.h"
#include "nand/geometry.h"
#include "nand/timing.h"

struct zns_counters {
	uint64_t written_units, read_units, resets, erased_blocks, finishes;
	uint64_t worn_read_only; /* zones the wear limit turned read only */
};

struct zns {
	const struct geometry *geo;
	struct timing *tm;
	struct media *media;
	uint32_t zone_dies;  /* dies a zone spans */
	uint32_t groups;     /* die groups: dies / zone_dies */
	uint64_t zone_units; /* 4 KiB units the zone's blocks hold */
	struct zns_zones zones;
	uint32_t *erase_count; /* per zone: its blocks are erased together */
	uint64_t *filled; /* per zone: sectors holding data (a finished zone's WP is past them) */
	uint64_t seq;	  /* the last write's sequence number */
	uint64_t read_only_pe; /* zns_read_only_pe */
	struct ftl_events ev;  /* zone_changed, when the layer above listens */
	struct zns_counters c;
};

/* The zone layout's sizes from the configuration: what check_config
 * validates and the device builds. Returns 0, or -EINVAL saying why. */
struct zns_layout {
	uint32_t zone_dies, groups, nzones;
	uint64_t zone_units, zone_lbas, cap_lbas;
};
int zns_layout_of(const struct vssd_config *cfg, const struct geometry *geo, struct zns_layout *out,
		  char *err, size_t errlen);

/* Bytes of the media's metadata area the zone records take. */
uint64_t zns_meta_bytes(const struct geometry *geo, const struct vssd_config *cfg);

/* Builds the zones (all empty), or finds them again on media that held a
 * device. Returns 0, -ENOMEM, or a media error. */
int zns_init(struct zns *zn, const struct geometry *geo, const struct vssd_config *cfg,
	     struct timing *tm, struct media *media);
void zns_fini(struct zns *zn);

/* The physical unit of the zone's sector (4 KiB unit) s. */
uint32_t zns_ppa_of(const struct zns *zn, uint32_t zone, uint64_t s);

/* A write (or an append, by its zone's first LBA) of nlb 4 KiB LBAs from
 * data (NULL: the media keeps none): 0 with *lba where it went and *done_ns
 * when it completes, or the status it fails with. */
uint16_t zns_write(struct zns *zn, uint64_t slba, uint32_t nlb, const uint8_t *data, bool append,
		   uint64_t now_ns, uint64_t *lba, uint64_t *done_ns);
/* A read: 0 with *done_ns, or its status. What lies past a zone's write
 * pointer reads as zeros, without a sense. */
uint16_t zns_read(struct zns *zn, uint64_t slba, uint32_t nlb, uint8_t *data, uint64_t now_ns,
		  uint64_t *done_ns);
/* Zone Management Send on the zone holding slba, or every zone (all):
 * resets erase the blocks of the zones that held data. */
uint16_t zns_send(struct zns *zn, uint64_t slba, enum nvme_zone_send_action action, bool all,
		  uint64_t now_ns, uint64_t *done_ns);

#endif
