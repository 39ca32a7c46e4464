/*
 * zftl: a host FTL over a zoned namespace (ftl=zns-host), a small
 * log-structured block device as dm-zoned and the zoned hosts of the
 * literature build one: a map of 4 KiB sectors to device LBAs, user
 * writes appended (Zone Append) to one open zone, GC copies appended to
 * another, and zone-level GC that takes the full zone with the fewest
 * valid sectors, moves them, and resets the zone.
 *
 * It talks to the device only through a host transport (host_ftl.h) and
 * reads what it needs of the device with NVMe commands (Identify for the
 * zone size and limits, a zone report for each zone's capacity and
 * state), so the simulator drives it in virtual time like pblk.
 *
 * Its map lives in host memory only: over a device that holds data (a
 * reopened media=file, a power cut) it is refused, not recovered.
 */
#ifndef VSSD_HOST_ZFTL_H
#define VSSD_HOST_ZFTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/device.h"
#include "host/host_ftl.h"

struct zftl_config {
	uint64_t capacity_sectors; /* op's user capacity: the device FTL's over the same NAND */
	uint32_t max_cmds;	   /* device commands in flight at most (the queue's room) */
};

/* Sectors are 4 KiB (the zoned device's LBAs). */
struct zftl_stats {
	uint64_t user_sectors, gc_sectors, read_sectors, trim_sectors;
	uint64_t capacity_sectors, zone_sectors; /* user capacity; a zone's capacity */
	uint64_t valid_sectors;			 /* user sectors mapped now */
	uint64_t zones, free_zones, open_zones, full_zones, offline_zones;
	uint64_t gc_zones;	  /* zones GC emptied and reset */
	uint64_t stalled_writes;  /* user writes that waited for GC to free a zone */
	uint64_t gc_dead_sectors; /* copies overwritten by the user while they moved */
};

/* (user + GC) / user sectors written to the device; 0 before any write. */
double zftl_stats_waf(const struct zftl_stats *s);

/* The counters of the device under zftl, c, as the stack counts them: the
 * user's writes, reads and trims in place of what zftl sent the device,
 * its GC copies and collections, its free zones. Media writes and erases
 * stay the device's, so WAF is the whole stack's. */
void zftl_stack_counters(const struct zftl_stats *s, struct dev_counters *c);

struct zftl;

/* Reads the device's zones and builds zftl over them. Returns 0 or a
 * negative errno with a message in err: a device that is not zoned, holds
 * data, or has too little spare for GC. */
int zftl_create(const struct zftl_config *cfg, const struct host_transport *tr, struct zftl **out,
		char *err, size_t errlen);
void zftl_destroy(struct zftl *z);

void zftl_get_stats(const struct zftl *z, struct zftl_stats *s);

/* Block requests (submit, next_due, complete_due, capacity, error). Their
 * buffers must be memory the transport can DMA (the simulator's are). */
extern const struct host_ftl_ops zftl_host_ops;

#endif
