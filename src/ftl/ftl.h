/*
 * The FTL interface: what the FTL behind a namespace does for the device
 * core, as an operations table (src/media's shape, and NVMeVirt's per-FTL
 * namespace functions). Each FTL lives in its own folder (conv/, ocssd/) and
 * embeds struct ftl first; ftl.c is the one table that names them. Nothing
 * above src/ftl knows which FTL it holds: the core calls the table, and an
 * operation an FTL does not offer is NULL.
 *
 * Commands come in LBAs (or device addresses) at a virtual time and return
 * when they complete. An FTL knows the NVMe spec's data structures (Identify
 * data, log pages, status codes) but no queues and no commands.
 */
#ifndef VSSD_FTL_FTL_H
#define VSSD_FTL_FTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/params.h"
#include "media/media.h"
#include "nand/geometry.h"
#include "nand/timing.h"
#include "vssd/nvme.h"

/* The layer above's own counters (SMART), which an FTL that keeps a state
 * block on its media (ftl_ops.keeps_state) keeps with it at every flush. */
#define FTL_EXTRA_BYTES 256

/* The I/O command set a namespace over the FTL serves. */
enum ftl_iocs {
	FTL_IOCS_NVM,	/* NVM: the FTL maps LBAs */
	FTL_IOCS_OCSSD, /* Open-Channel SSD 2.0: the host addresses chunks */
	FTL_IOCS_ZNS,	/* Zoned Namespace: the host writes zones at their write pointers */
	FTL_IOCS_COUNT,
};

/* Where a write goes: a reclaim unit handle in a reclaim group. */
struct placement {
	uint16_t ruh;
	uint16_t rg;
};

/* Vector commands over device addresses (the open-channel command set). */
enum ftl_vector_op { FTL_VECTOR_WRITE, FTL_VECTOR_READ, FTL_VECTOR_RESET };

/* What the last open or power loss recovered, for the report. */
struct ftl_recovery {
	bool recovered;		   /* the media held a device */
	bool from_checkpoint;	   /* a clean close's checkpoint (else a scan) */
	const char *ckpt_rejected; /* why a clean close's checkpoint was not used, or NULL */
	uint64_t units_scanned;	   /* programmed units whose OOB was read */
	uint64_t oob_lost;	   /* units both of whose OOB copies failed their CRC: skipped */
	uint64_t oob_from_copy;	   /* units whose first OOB copy failed and the second served */
	uint64_t state_blocks_damaged; /* of the two (both: the counters start again) */
	uint64_t trim_pages_from_copy; /* trim pages whose first copy failed, the second served */
	uint64_t trim_pages_damaged;   /* trim pages neither copy of which was whole: ignored */
	uint64_t mapped_units;
	uint64_t wall_ns;
};

/* Logical units lost to uncorrectable reads that stats keep, the first ones. */
#define FTL_LOST_KEPT 16

/* What an FTL counted, in one shape for every FTL (what it does not do stays 0). */
struct ftl_stats {
	uint64_t host_write_units;  /* 4 KiB units the host wrote */
	uint64_t media_write_units; /* units programmed: the host's, GC copies, padding */
	uint64_t gc_copied_units;
	uint64_t gc_runs;
	uint64_t erases;	/* erase operations: line erases, chunk resets */
	uint64_t erased_blocks; /* blocks those erased */
	uint64_t mapped_units;	/* logical units holding data */
	uint32_t free_lines;
	uint64_t borrowed_lines; /* host lines a full reclaim group took from another */
	/* erases per block, over the blocks (initial_pe_cycles included); zero
	 * for an FTL that does not count them */
	uint32_t erase_min, erase_max;
	double erase_mean, erase_stdev;
	uint64_t wear_moves; /* collections that moved data for wear levelling */
	/* media faults (zero when the FTL models none) */
	bool faults_on;
	uint64_t read_retries;		     /* extra senses reads took */
	uint64_t uncorrectable_reads;	     /* page reads no retry recovered */
	uint64_t program_fails, erase_fails; /* each retired a block to a spare */
	uint32_t spare_blocks, spare_left;   /* spare blocks of all dies, and those left */
	bool read_only;			     /* the spares ran out: writes are refused */
	uint64_t lost_lbas[FTL_LOST_KEPT];   /* the first LBAs reads lost, in order */
	uint32_t nlost;
};

/* What one reclaim unit handle did (FDP). */
struct ftl_ruh_stats {
	uint64_t host_units;   /* written by the host through it */
	uint64_t gc_out_units; /* moved by GC out of its units */
	uint64_t gc_in_units;  /* moved by GC into its units (persistently isolated) */
	uint64_t in_use_units; /* valid units in reclaim units it owns */
};

/* What the layer above may want to hear of (FDP events, health); any may be NULL. */
struct ftl_events {
	void *arg;
	/* a handle's reclaim unit filled up and its next write opens a new one */
	void (*ru_full)(void *arg, struct placement pl);
	/* GC moved `units` units of a handle's data (owner, or FTL_OWNER_SHARED)
	 * in reclaim group rg, the first holding logical unit lu */
	void (*gc_moved)(void *arg, uint16_t owner, uint16_t rg, uint32_t lu, uint32_t units);
	/* a block was retired to a spare: the spares left (or read-only) changed */
	void (*health)(void *arg);
	/* the device changed a zone by itself (read only, offline): its first LBA */
	void (*zone_changed)(void *arg, uint64_t zslba);
};

#define FTL_OWNER_SHARED UINT16_MAX /* GC data of no one handle */

/* A zoned namespace's zones, as Identify says them. */
struct ftl_zone_info {
	uint32_t nzones;
	uint64_t zone_lbas;	       /* the zone size */
	uint64_t cap_lbas;	       /* what a zone holds */
	uint32_t max_open, max_active; /* 0: no limit */
};

/* A named figure of the FTL's own, for reports (the open-channel chunk shape). */
struct ftl_figure {
	const char *key;
	uint64_t value;
};
#define FTL_MAX_FIGURES 8

/* What an FTL is built over: the device's, outliving the FTL. */
struct ftl_env {
	const struct vssd_config *cfg;
	const struct geometry *geo;
	struct timing *tm;
	struct media *media;
};

struct ftl {
	const struct ftl_ops *ops;
};

struct ftl_ops {
	const char *name;
	enum ftl_iocs iocs;
	bool maps_lbas;	     /* it maps LBAs: logical capacity, spare, lines and GC of its own */
	bool volatile_cache; /* a write completes before it is durable (the NVMe VWC) */
	bool keeps_state;    /* it keeps FTL_EXTRA_BYTES of the layer above's on its media */
	/* the group figures() fills, as reports name it, or NULL */
	const char *figures_name;
	/* host metadata bytes per sector a vector command moves (MPTR) */
	uint32_t sector_meta_bytes;

	/* What it needs of the configuration beyond what config_check() and
	 * geometry_init() check: 0, or -EINVAL saying why in err. NULL: nothing. */
	int (*check_config)(const struct vssd_config *cfg, const struct geometry *geo, char *err,
			    size_t errlen);
	/* Bytes of the media's metadata area it needs. */
	uint64_t (*meta_bytes)(const struct geometry *geo, const struct vssd_config *cfg);
	/* Builds the FTL over empty media, or recovers it from media that held a
	 * device (env->media->reopened), saying how in rec; extra receives the
	 * layer above's counters as last kept (keeps_state). Returns 0 with *out
	 * set, or a negative errno. */
	int (*open)(const struct ftl_env *env, struct ftl **out, struct ftl_recovery *rec,
		    void *extra);
	/* Frees it; safe on one whose open or power loss failed. */
	void (*close)(struct ftl *ftl);
	/* A clean close: everything buffered programmed, then what lets the next
	 * open skip the scan. NULL when nothing is kept. Returns 0 or a media error. */
	int (*checkpoint)(struct ftl *ftl, const void *extra, uint64_t now_ns);
	/* Whether power_loss() can recover (the media keeps data). */
	bool (*can_power_loss)(const struct ftl *ftl);
	/* Power is cut and comes back: what is volatile is lost, the FTL is
	 * rebuilt from its media, and what it has measured (counters, wear) is
	 * kept. The timing model is already reset. Returns 0 or an error. */
	int (*power_loss)(struct ftl *ftl, struct ftl_recovery *rec);

	/* Addressable LBAs (device addresses for the open-channel set). */
	uint64_t (*capacity_lbas)(const struct ftl *ftl);
	/* The NVM command set, in LBAs within the capacity. Each returns 0 with
	 * the completion time, -EBADMSG when data (or a partial unit's old data)
	 * failed its check or could not be recovered (a read then gives the time
	 * it gave up and the first LBA it lost in *err_lba), -EROFS when the
	 * media is read-only, or another negative errno. */
	int (*write)(struct ftl *ftl, uint64_t slba, uint32_t nlb, const void *buf, uint64_t now_ns,
		     struct placement pl, uint64_t *done_ns);
	int (*read)(struct ftl *ftl, uint64_t slba, uint32_t nlb, void *buf, uint64_t now_ns,
		    uint64_t *done_ns, uint64_t *err_lba);
	int (*trim)(struct ftl *ftl, uint64_t slba, uint32_t nlb, uint64_t now_ns,
		    uint64_t *done_ns);
	/* Everything written durable; extra (FTL_EXTRA_BYTES, NULL unless
	 * keeps_state) kept with it. */
	int (*flush)(struct ftl *ftl, const void *extra, uint64_t now_ns, uint64_t *done_ns);
	/* The open-channel command set: n addresses, st[i] each one's NVMe status.
	 * Returns the completion time. */
	uint64_t (*vector)(struct ftl *ftl, enum ftl_vector_op op, const uint64_t *lbas, uint32_t n,
			   void *data, void *meta, uint64_t now_ns, uint16_t *st);
	/* A hint that a command on slba comes (stage 0, then 1): fetch map entries. */
	void (*prefetch)(const struct ftl *ftl, uint64_t slba, int stage);
	/* No command until until_ns: background work may run. */
	void (*idle)(struct ftl *ftl, uint64_t until_ns);

	/* Its command set's Identify data (the open-channel Geometry) into buf
	 * of bytes; returns the bytes it has, 0 for none. */
	size_t (*identify_cs)(const struct ftl *ftl, void *buf, size_t bytes);
	/* A log page of its own: its size (0: not its own), and a window of it. */
	uint64_t (*log_bytes)(const struct ftl *ftl, uint8_t lid);
	void (*log_read)(const struct ftl *ftl, uint8_t lid, uint64_t off, uint64_t bytes,
			 void *out);

	void (*stats)(const struct ftl *ftl, struct ftl_stats *st);
	/* Mean erases per block over rated, times 100 (SMART Percentage Used). */
	uint32_t (*percent_used)(const struct ftl *ftl, uint64_t rated_pe);
	/* Spare blocks left, percent of those it had (SMART Available Spare),
	 * and whether the media is read-only. NULL: no spares modelled. */
	uint32_t (*spare_percent)(const struct ftl *ftl, bool *read_only);
	/* Bytes of RAM its tables take. */
	uint64_t (*ram_bytes)(const struct ftl *ftl);
	/* Its figures for reports (see figures_name); returns how many. */
	uint32_t (*figures)(const struct ftl *ftl, struct ftl_figure *out);
	/* Checks its invariants in full (slow: every unit). Returns 0, or
	 * -EUCLEAN with the first broken one said in err. */
	int (*check)(const struct ftl *ftl, char *err, size_t errlen);

	/* Zoned namespaces: NULL when it has no zones. Each returns 0 or the
	 * NVMe status the command fails with (the zone rules, Write Fault). */
	void (*zone_info)(const struct ftl *ftl, struct ftl_zone_info *out);
	/* A write at a zone's write pointer, or an append (slba: the zone's
	 * first LBA) at it: *lba where the data went. */
	uint16_t (*zone_write)(struct ftl *ftl, uint64_t slba, uint32_t nlb, const void *buf,
			       bool append, uint64_t now_ns, uint64_t *lba, uint64_t *done_ns);
	uint16_t (*zone_read)(struct ftl *ftl, uint64_t slba, uint32_t nlb, void *buf,
			      uint64_t now_ns, uint64_t *done_ns);
	/* Zone Management Send on the zone starting at slba, or every zone (all). */
	uint16_t (*zone_send)(struct ftl *ftl, uint64_t slba, enum nvme_zone_send_action action,
			      bool all, uint64_t now_ns, uint64_t *done_ns);
	/* Zone Management Receive's report into buf of bytes. */
	uint16_t (*zone_report)(const struct ftl *ftl, uint64_t slba, uint8_t filter, bool partial,
				void *buf, size_t bytes);

	/* Where it tells the layer above what it does by itself (FDP events,
	 * health, zones changed); NULL when it tells nothing. */
	void (*set_events)(struct ftl *ftl, const struct ftl_events *ev);
	/* Flexible Data Placement: NULL when it places nothing. */
	/* Units the handle can still write in that group before its reclaim unit is full. */
	uint32_t (*ruh_available_units)(const struct ftl *ftl, struct placement pl);
	/* The handle's next write goes to a new reclaim unit; returns whether the
	 * one it leaves held data and was not full. */
	bool (*ruh_update)(struct ftl *ftl, struct placement pl, uint64_t now_ns);
	void (*ruh_stats)(const struct ftl *ftl, uint16_t ruh, struct ftl_ruh_stats *st);
	/* Free reclaim units of a reclaim group. */
	uint32_t (*rg_free_units)(const struct ftl *ftl, uint32_t rg);
};

/* What runs on the host side of the device for each ftl= value. */
enum ftl_host {
	FTL_HOST_NONE, /* the host sees the device's own command set */
	FTL_HOST_PBLK, /* pblk, the host FTL, over the device (ftl=pblk) */
	FTL_HOST_ZFTL, /* zftl, a host FTL over zones (ftl=zns-host) */
};

/* The FTL that serves cfg->ftl, and the host its ftl= value puts above it. */
const struct ftl_ops *ftl_ops_for(const struct vssd_config *cfg);
enum ftl_host ftl_host_for(const struct vssd_config *cfg);

/* Why a host of blocks cannot use the device (it serves no block I/O and
 * no host FTL is asked for), or NULL. */
const char *ftl_block_refusal(const struct vssd_config *cfg);

/* The FTL's own check of the configuration (see check_config). */
int ftl_check_config(const struct vssd_config *cfg, const struct geometry *geo, char *err,
		     size_t errlen);

#endif
