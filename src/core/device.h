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
#include "ftl/conv.h"
#include "ftl/ocssd.h"
#include "ftl/persist.h"
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
	uint64_t borrowed_lines; /* host lines a full reclaim group took from another */
};

/* The device's life as SMART reports it, kept with its media (at each
 * flush and at a clean close), so a reopened device goes on counting. */
struct dev_health {
	uint64_t host_write_bytes, host_read_bytes, host_trim_bytes; /* the core's own */
	uint64_t read_bytes, write_bytes;  /* by Read and Write commands */
	uint64_t read_cmds, write_cmds;
	uint64_t busy_ns;        /* time with I/O outstanding */
	uint64_t power_on_ns;    /* before this power-on */
	uint64_t power_cycles;   /* opens and power losses survived, this one included */
	uint64_t unsafe_shutdowns; /* recoveries without a clean close's checkpoint */
	uint64_t media_errors;   /* reads the media could not serve (a unit failed its CRC) */
};

struct vssd_dev {
	struct vssd_config cfg;
	struct geometry geo;
	struct timing tm;
	struct media *media;
	struct conv_ftl ftl;     /* ftl=conv */
	struct ocssd oc;         /* ftl=ocssd: the host maps */
	bool open_channel;
	struct dev_health health;
	struct ftl_recovery recovery; /* what the last open or power loss recovered */
	bool loaded; /* the FTL is whole (a failed recovery leaves nothing to checkpoint) */
	uint64_t now_ns; /* the latest time a command brought */
	uint64_t powered_at_ns; /* when power last came back (a power loss) */
	uint8_t *unit_buf; /* one unit for read-modify-write of partial units */
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

/* Logical capacity in LBAs of lba_bytes. */
uint64_t dev_capacity_lbas(const struct vssd_dev *dev);

/*
 * Commands. buf holds nlb * lba_bytes bytes; NULL means no data (the
 * simulator with media=none), which a store that keeps data takes as zeros. Each returns 0 and the completion time in *done_ns,
 * -ERANGE for LBAs past the end, -EINVAL for nlb == 0, -ENOSPC on an FTL
 * failure.
 */
int dev_write(struct vssd_dev *dev, uint64_t slba, uint32_t nlb, const void *buf,
	      uint64_t now_ns, uint64_t *done_ns);
/* A write through placement pl, a reclaim unit handle in a reclaim group
 * (dev_write uses handle 0 of group 0; so does a placement out of range). */
int dev_write_placed(struct vssd_dev *dev, uint64_t slba, uint32_t nlb, const void *buf,
		     uint64_t now_ns, struct placement pl, uint64_t *done_ns);
int dev_read(struct vssd_dev *dev, uint64_t slba, uint32_t nlb, void *buf, uint64_t now_ns,
	     uint64_t *done_ns);
int dev_trim(struct vssd_dev *dev, uint64_t slba, uint32_t nlb, uint64_t now_ns,
	     uint64_t *done_ns);
/* Completes when everything written is on NAND: a partly filled program
 * unit is padded and programmed, as a drive does, and trims since the last
 * flush are recorded on the media. Returns 0 or a media error. */
int dev_flush(struct vssd_dev *dev, uint64_t now_ns, uint64_t *done_ns);

/*
 * Open-channel mode: a vector command (NVME_CMD_OC_WRITE, _READ, _RESET)
 * over n device addresses, with n sectors of data and n * OC_MS bytes of
 * metadata (either may be NULL). st[i] gets each address's NVMe status.
 * Returns the completion time.
 */
uint64_t dev_oc_vector(struct vssd_dev *dev, uint8_t opcode, const uint64_t *lbas, uint32_t n,
		       void *data, void *meta, uint64_t now_ns, uint16_t *st);

/* Hint that a command on slba is coming (stage 0 first, then 1 later):
 * lets the FTL fetch its map entries early. Changes no state. */
static inline void dev_prefetch(const struct vssd_dev *dev, uint64_t slba, int stage)
{
	uint64_t lu = slba >> dev->geo.lba_unit_shift;

	if (!dev->open_channel && lu < dev->geo.logical_units)
		conv_prefetch(&dev->ftl, (uint32_t)lu, stage);
}

/* The device has had no command since now; the next comes at until_ns. */
void dev_idle(struct vssd_dev *dev, uint64_t until_ns);

/* Power-on time over the device's life, at the caller's time now_ns. */
uint64_t dev_power_on_ns(const struct vssd_dev *dev, uint64_t now_ns);

/* A snapshot of the counters. */
void dev_counters(const struct vssd_dev *dev, struct dev_counters *c);

/* Percentage of rated endurance used: mean erases per block over the rated
 * P/E cycles, times 100 (may exceed 100, as SMART allows up to 255). */
uint32_t dev_percent_used(const struct vssd_dev *dev);

/* Bytes of RAM the device's own tables use (maps, lines, timing). */
uint64_t dev_metadata_bytes(const struct vssd_dev *dev);

#endif
