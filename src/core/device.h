/*
 * The device core: one namespace's FTL, its timing model and its media,
 * built from a config, taking commands in LBAs at a virtual time and
 * returning the time they complete. Single-threaded and deterministic;
 * the NVMe controller and both runtimes sit on top of it.
 */
#ifndef VSSD_CORE_DEVICE_H
#define VSSD_CORE_DEVICE_H

#include <stdint.h>

#include "config/params.h"
#include "ftl/ftl.h"
#include "media/media.h"
#include "nand/geometry.h"
#include "nand/timing.h"

struct dev_counters {
	uint64_t host_write_bytes;
	uint64_t host_read_bytes;
	uint64_t host_trim_bytes;
	uint64_t host_write_units; /* 4 KiB units the host wrote to the FTL */
	uint64_t gc_copied_units;
	uint64_t media_write_bytes; /* (host + GC units) x 4 KiB */
	uint64_t erased_blocks;
	uint64_t gc_runs;
	uint64_t mapped_units;
	uint32_t free_lines;
	uint64_t borrowed_lines;       /* host lines a full reclaim group took from another */
	uint32_t erase_min, erase_max; /* erases per block (struct ftl_stats) */
	double erase_mean, erase_stdev;
	uint64_t wear_moves;
	/* media faults (struct ftl_stats) */
	bool faults_on;
	uint64_t read_retries, uncorrectable_reads, program_fails, erase_fails;
	uint32_t spare_blocks, spare_left;
	bool read_only;
	uint64_t lost_lbas[FTL_LOST_KEPT]; /* the first LBAs reads lost */
	uint32_t nlost;
};

/* The device's life as SMART reports it, kept with its media (at each
 * flush and at a clean close), so a reopened device goes on counting. */
struct dev_health {
	uint64_t host_write_bytes, host_read_bytes, host_trim_bytes; /* the core's own */
	uint64_t read_bytes, write_bytes; /* by Read and Write commands */
	uint64_t read_cmds, write_cmds;
	uint64_t busy_ns;	   /* time with I/O outstanding */
	uint64_t power_on_ns;	   /* before this power-on */
	uint64_t power_cycles;	   /* opens and power losses survived, this one included */
	uint64_t unsafe_shutdowns; /* recoveries without a clean close's checkpoint */
	uint64_t media_errors;	   /* reads the media could not serve (a unit failed its CRC) */
};

struct vssd_dev {
	struct vssd_config cfg;
	struct geometry geo;
	struct timing tm;
	struct media *media;
	struct ftl *ftl;	/* whichever serves cfg.ftl, behind the FTL interface */
	uint64_t capacity_lbas; /* the FTL's, fixed for its life (asked once: every command checks
				   it) */
	uint64_t rated_pe;	/* rated P/E cycles, for Percentage Used at every write */
	/* the FTL's prefetch hint (or NULL), one load nearer: it runs twice per I/O */
	void (*prefetch)(const struct ftl *ftl, uint64_t slba, int stage);
	struct dev_health health;
	struct ftl_recovery recovery; /* what the last open or power loss recovered */
	bool loaded;	 /* the FTL is whole (a failed recovery leaves nothing to checkpoint) */
	uint64_t now_ns; /* the latest time a command brought */
	uint64_t powered_at_ns; /* when power last came back (a power loss) */
};

/* Builds a device; with media that holds one (a device file), recovers it.
 * Returns 0 or a negative errno with a message in err. */
int dev_create(const struct vssd_config *cfg, struct vssd_dev **out, char *err, size_t errlen);
/* A clean close: on media that keeps data, everything buffered is programmed
 * and a checkpoint written first. */
void dev_destroy(struct vssd_dev *dev);

/*
 * Power is cut and comes back: what no program had taken yet (the write
 * buffer, trims since the last flush) is lost, and the device is rebuilt
 * from its media by a scan, as after a crash. Returns 0, -EOPNOTSUPP with
 * media=none (it keeps nothing to recover from), or a media error.
 */
int dev_powerloss(struct vssd_dev *dev);
/* Whether dev_powerloss() can recover: false with media=none. */
bool dev_can_powerloss(const struct vssd_dev *dev);

/* Logical capacity in LBAs of lba_bytes (device addresses for the
 * open-channel command set). */
static inline uint64_t dev_capacity_lbas(const struct vssd_dev *dev)
{
	return dev->capacity_lbas;
}

/* What the FTL behind the namespace is: its name (`ftl=`), the I/O command
 * set it serves, whether it maps LBAs itself (logical capacity, spare,
 * lines and GC), whether writes complete before they are durable (VWC). */
static inline const char *dev_ftl_name(const struct vssd_dev *dev)
{
	return dev->ftl->ops->name;
}

static inline enum ftl_iocs dev_iocs(const struct vssd_dev *dev)
{
	return dev->ftl->ops->iocs;
}

static inline bool dev_maps_lbas(const struct vssd_dev *dev)
{
	return dev->ftl->ops->maps_lbas;
}

static inline bool dev_volatile_cache(const struct vssd_dev *dev)
{
	return dev->ftl->ops->volatile_cache;
}

/*
 * The NVM command set. buf holds nlb * lba_bytes bytes; NULL means no data
 * (the simulator with media=none), which a store that keeps data takes as
 * zeros. Each returns 0 and the completion time in *done_ns, -ERANGE for
 * LBAs past the end, -EINVAL for nlb == 0, -EOPNOTSUPP when the FTL does
 * not serve it, -EBADMSG for data that failed its check (counted as a media
 * error), -ENOSPC on an FTL failure.
 */
int dev_write(struct vssd_dev *dev, uint64_t slba, uint32_t nlb, const void *buf, uint64_t now_ns,
	      uint64_t *done_ns);
/* A write through placement pl, a reclaim unit handle in a reclaim group
 * (dev_write uses handle 0 of group 0; so does a placement out of range). */
int dev_write_placed(struct vssd_dev *dev, uint64_t slba, uint32_t nlb, const void *buf,
		     uint64_t now_ns, struct placement pl, uint64_t *done_ns);
/* dev_read, which on -EBADMSG (data lost or damaged) also says the first
 * LBA it could not read, and when it gave up in *done_ns. */
int dev_read_err(struct vssd_dev *dev, uint64_t slba, uint32_t nlb, void *buf, uint64_t now_ns,
		 uint64_t *done_ns, uint64_t *err_lba);
int dev_read(struct vssd_dev *dev, uint64_t slba, uint32_t nlb, void *buf, uint64_t now_ns,
	     uint64_t *done_ns);
int dev_trim(struct vssd_dev *dev, uint64_t slba, uint32_t nlb, uint64_t now_ns, uint64_t *done_ns);
/* Completes when everything written is on NAND: a partly filled program
 * unit is padded and programmed, as a drive does, and trims since the last
 * flush are recorded on the media. Returns 0 or a media error. */
int dev_flush(struct vssd_dev *dev, uint64_t now_ns, uint64_t *done_ns);

/*
 * The open-channel command set: a vector command over n device addresses,
 * with n sectors of data and n * dev_sector_meta_bytes() of metadata (either
 * may be NULL). st[i] gets each address's NVMe status. Returns the
 * completion time.
 */
uint64_t dev_vector(struct vssd_dev *dev, enum ftl_vector_op op, const uint64_t *lbas, uint32_t n,
		    void *data, void *meta, uint64_t now_ns, uint16_t *st);
uint32_t dev_sector_meta_bytes(const struct vssd_dev *dev);

/*
 * The zoned command set (dev_iocs() FTL_IOCS_ZNS): writes at each zone's
 * write pointer or appended to it, reads, Zone Management Send and
 * Receive. Each returns 0 or the NVMe status the command fails with.
 */
void dev_zone_info(const struct vssd_dev *dev, struct ftl_zone_info *out);
uint16_t dev_zone_write(struct vssd_dev *dev, uint64_t slba, uint32_t nlb, const void *buf,
			bool append, uint64_t now_ns, uint64_t *lba, uint64_t *done_ns);
uint16_t dev_zone_read(struct vssd_dev *dev, uint64_t slba, uint32_t nlb, void *buf,
		       uint64_t now_ns, uint64_t *done_ns);
uint16_t dev_zone_send(struct vssd_dev *dev, uint64_t slba, enum nvme_zone_send_action action,
		       bool all, uint64_t now_ns, uint64_t *done_ns);
uint16_t dev_zone_report(const struct vssd_dev *dev, uint64_t slba, uint8_t filter, bool partial,
			 void *buf, size_t bytes);

/* Hint that a command on slba is coming (stage 0 first, then 1 later):
 * lets the FTL fetch its map entries early. Changes no state. */
static inline void dev_prefetch(const struct vssd_dev *dev, uint64_t slba, int stage)
{
	if (dev->prefetch)
		dev->prefetch(dev->ftl, slba, stage);
}

/* The device has had no command since now; the next comes at until_ns. */
void dev_idle(struct vssd_dev *dev, uint64_t until_ns);

/* SMART's command counters: a Read (or Write) command of bytes done. */
static inline void dev_count_io(struct vssd_dev *dev, bool write, uint64_t bytes)
{
	if (write) {
		dev->health.write_bytes += bytes;
		dev->health.write_cmds++;
	} else {
		dev->health.read_bytes += bytes;
		dev->health.read_cmds++;
	}
}

/* SMART's Controller Busy Time: busy_ns more with I/O outstanding. */
static inline void dev_count_busy(struct vssd_dev *dev, uint64_t busy_ns)
{
	dev->health.busy_ns += busy_ns;
}

/* Power-on time over the device's life, at the caller's time now_ns. */
uint64_t dev_power_on_ns(const struct vssd_dev *dev, uint64_t now_ns);

/* A snapshot of the counters. */
void dev_counters(const struct vssd_dev *dev, struct dev_counters *c);

/* Percentage of rated endurance used: mean erases per block over the rated
 * P/E cycles, times 100 (may exceed 100, as SMART allows up to 255). */
uint32_t dev_percent_used(const struct vssd_dev *dev);

/* Spare blocks left, percent (SMART Available Spare; 100 when the FTL
 * models none), and in *read_only whether they ran out. */
uint32_t dev_spare_percent(const struct vssd_dev *dev, bool *read_only);

/* Bytes of RAM the device's own tables use (maps, lines, timing). */
uint64_t dev_metadata_bytes(const struct vssd_dev *dev);

/* Checks the FTL's invariants in full (every unit: slow). Returns 0, or
 * -EUCLEAN with the first broken one said in err. */
int dev_check(const struct vssd_dev *dev, char *err, size_t errlen);

/* The FTL's own figures for reports, under the name it gives them (NULL and
 * 0 when it has none). */
const char *dev_figures(const struct vssd_dev *dev, struct ftl_figure out[FTL_MAX_FIGURES],
			uint32_t *n);

/* The I/O command set's Identify data into buf (bytes); returns the bytes
 * the FTL has, 0 for none. */
size_t dev_identify_cs(const struct vssd_dev *dev, void *buf, size_t bytes);
/* A log page of the FTL's own: its size (0: not the FTL's), and a window of it. */
uint64_t dev_log_bytes(const struct vssd_dev *dev, uint8_t lid);
void dev_log_read(const struct vssd_dev *dev, uint8_t lid, uint64_t off, uint64_t bytes, void *out);

/*
 * Flexible Data Placement, for an FTL that places data (the others: no
 * events, 0 units available, nothing to update, zero counters).
 */
bool dev_places_data(const struct vssd_dev *dev);
void dev_set_events(struct vssd_dev *dev, const struct ftl_events *ev);
/* Units the handle can still write in that group before its reclaim unit is full. */
uint32_t dev_ruh_available_units(const struct vssd_dev *dev, struct placement pl);
/* Reclaim Unit Handle Update: returns whether the unit left held data and
 * was not full (an FDP "reclaim unit not fully written" event). */
bool dev_ruh_update(struct vssd_dev *dev, struct placement pl, uint64_t now_ns);
void dev_ruh_stats(const struct vssd_dev *dev, uint16_t ruh, struct ftl_ruh_stats *st);
uint32_t dev_rg_free_units(const struct vssd_dev *dev, uint32_t rg);

#endif
