/*
 * Data stores, addressed by physical 4 KiB unit, each unit with a small
 * out-of-band area (the LBA it holds and the sequence number of its write),
 * behind one small vtable so the FTL never knows which store it has. A
 * store that keeps data also keeps a metadata area of meta_bytes that the
 * FTL lays out itself (checkpoint, trim records, counters): what a drive
 * keeps in its own system blocks. none keeps nothing (timing and mapping
 * only); ram keeps everything for the life of the process, so a simulated
 * power loss can recover from it; file keeps everything in a file, so a
 * device survives restarts and crashes.
 */
#ifndef VSSD_MEDIA_MEDIA_H
#define VSSD_MEDIA_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/params.h"

#define MEDIA_OOB_SLC 1 /* written into a block programmed as SLC (the SLC cache) */

struct media_oob {
	uint32_t lba;	/* logical 4 KiB unit held here */
	uint16_t owner; /* reclaim unit handle whose data it is (FTL_OWNER_SHARED for GC'd mixes) */
	uint16_t flags; /* MEDIA_OOB_*; an open-channel host's metadata (OC_MS bytes) spans it */
	uint64_t seq;	/* device-wide write sequence number; 0: never programmed */
};

/* What a store that checksums its units (file) found damaged as it read:
 * the FTL's recovery reports what these rose by while it scanned. */
struct media_damage {
	uint64_t oob_from_copy; /* OOB records whose first copy failed, the second served */
	uint64_t oob_lost;	/* units both of whose records failed: read as never written */
	uint64_t data_bad;	/* unit reads whose data failed its CRC (-EBADMSG) */
};

struct media;

/* Every function returns 0 or a negative errno (-ENOSPC when the file's
 * disk is full, -EIO when it fails, -EBADMSG when a unit read fails its
 * checksum: what a drive's ECC reports as an unrecovered read error). */
struct media_ops {
	const char *name;
	/* Stores one unit (data may be NULL: keep the OOB, zero-fill the data). */
	int (*write)(struct media *m, uint32_t ppa, const void *data, const struct media_oob *oob);
	/* Copies one unit into data (4 KiB) and its OOB into oob (either may be NULL). */
	int (*read)(struct media *m, uint32_t ppa, void *data, struct media_oob *oob);
	/* Moves a unit to a new place, as GC does, with a new OOB; a damaged
	 * unit stays damaged at its new place (its data is not made good). */
	int (*copy)(struct media *m, uint32_t from, uint32_t to, const struct media_oob *oob);
	/* The OOB of units [first, first + n): what a recovery scan reads (a
	 * unit whose OOB is lost reads as never written). */
	int (*read_oob)(struct media *m, uint64_t first, uint32_t n, struct media_oob *out);
	/* Bytes [off, off + len) of the metadata area. */
	int (*meta_write)(struct media *m, uint64_t off, const void *buf, size_t len);
	int (*meta_read)(struct media *m, uint64_t off, void *buf, size_t len);
	/* Everything written so far reaches stable storage. */
	int (*sync)(struct media *m);
	void (*destroy)(struct media *m);
};

struct media {
	const struct media_ops *ops;
	uint64_t units;
	uint64_t meta_bytes;
	bool keeps_data;	    /* false for none: reads of it are not data */
	bool reopened;		    /* holds a device from before: the FTL recovers it */
	struct media_damage damage; /* counted since the store was opened */
	int last_errno; /* of the latest write the store failed (ENOSPC: its disk is full); 0: none
			 */
};

/* Opens the store the config names for `units` physical units and a
 * metadata area of meta_bytes. Returns 0 or a negative errno with a
 * message naming the parameter at fault. */
int media_open(const struct vssd_config *cfg, uint64_t units, uint64_t meta_bytes,
	       struct media **out, char *err, size_t errlen);

int media_none_open(const struct vssd_config *cfg, uint64_t units, uint64_t meta_bytes,
		    struct media **out, char *err, size_t errlen);
int media_ram_open(const struct vssd_config *cfg, uint64_t units, uint64_t meta_bytes,
		   struct media **out, char *err, size_t errlen);
int media_file_open(const struct vssd_config *cfg, uint64_t units, uint64_t meta_bytes,
		    struct media **out, char *err, size_t errlen);

#endif
