/*
 * Data stores, addressed by physical 4 KiB unit, each unit with a small
 * out-of-band area (the LBA it holds and the sequence number of its write),
 * behind one small vtable so the FTL never knows which store it has.
 * none keeps nothing (timing and mapping only); ram keeps everything.
 */
#ifndef VSSD_MEDIA_MEDIA_H
#define VSSD_MEDIA_MEDIA_H

#include <stdint.h>

#include "config/params.h"

struct media_oob {
	uint32_t lba; /* logical 4 KiB unit held here */
	uint32_t reserved;
	uint64_t seq; /* device-wide write sequence number */
};

struct media;

struct media_ops {
	const char *name;
	/* Stores one unit (data may be NULL: keep the OOB, zero-fill the data). */
	void (*write)(struct media *m, uint32_t ppa, const void *data, const struct media_oob *oob);
	/* Copies one unit into data (4 KiB) and its OOB into oob (either may be NULL). */
	void (*read)(struct media *m, uint32_t ppa, void *data, struct media_oob *oob);
	/* Moves a unit to a new place, as GC does, with a new OOB. */
	void (*copy)(struct media *m, uint32_t from, uint32_t to, const struct media_oob *oob);
	void (*destroy)(struct media *m);
};

struct media {
	const struct media_ops *ops;
	uint64_t units;
	int keeps_data; /* 0 for none: reads of it are not data */
};

/* Opens the store the config names for `units` physical units.
 * Returns 0 or a negative errno with a message. */
int media_open(const struct vssd_config *cfg, uint64_t units, struct media **out, char *err,
	       size_t errlen);

struct media *media_none_open(uint64_t units);
struct media *media_ram_open(uint64_t units);

#endif
