/*
 * NAND geometry and address math. A physical unit (ppa) is one 4 KiB mapping
 * unit, numbered in the order the FTL writes a line: line by line; inside a
 * line, program unit by program unit across the line's dies (channel
 * fastest, then LUN, as NVMeVirt's write pointer advances); inside a program
 * unit, flash page, then plane, then 4 KiB slot. So a write pointer is a
 * counter, and a flash page's units are contiguous.
 *
 * A line is block i of every plane of line_dies consecutive dies (a
 * stripe). Without FDP a line spans every die, as in NVMeVirt. FDP's
 * reclaim groups split the dies into nrg disjoint sets, and a reclaim unit
 * smaller than a group's dies (fdp_ru_bytes) splits each group into
 * stripes; a line is then one reclaim unit. Line ids run group by group
 * (each group's lines are one range) and, inside a group, block-major over
 * its stripes, so lines taken in order rotate over the group's dies.
 */
#ifndef VSSD_NAND_GEOMETRY_H
#define VSSD_NAND_GEOMETRY_H

#include <stdint.h>
#include <stddef.h>

#include "config/params.h"

#define GEO_UNIT_BYTES 4096u
#define UNIT_SHIFT 12

struct geometry {
	uint32_t channels;
	uint32_t luns_per_channel;
	uint32_t dies;
	uint32_t planes;
	uint32_t pages_per_block;
	uint32_t oneshot_pages;
	uint32_t page_types;
	uint32_t units_per_page;  /* 4 KiB units in one flash page */
	uint32_t units_per_prog;  /* units one program operation writes on a die */
	uint32_t progs_per_block; /* program operations that fill a block */
	uint32_t units_per_line;  /* a line is block i of every plane of line_dies dies */
	uint32_t lines;
	uint32_t blocks_per_line;
	uint32_t line_dies;	 /* dies a line spans */
	uint32_t rgs;		 /* reclaim groups */
	uint32_t lines_per_rg;	 /* lines of one reclaim group */
	uint32_t stripes_per_rg; /* disjoint die sets of line_dies dies in a group */
	uint64_t physical_units;
	uint64_t logical_units; /* physical / (1 + op), rounded down */
	uint32_t lba_bytes;
	uint32_t lbas_per_unit;
	uint32_t lba_unit_shift; /* log2(lbas_per_unit): LBA >> shift = unit */
};

/* Where a physical unit sits in the NAND array. */
struct nand_addr {
	uint32_t line;
	uint32_t die;
	uint32_t page_type;
};

/*
 * Derives the geometry from the parameters and checks it can work: a page of
 * whole 4 KiB units, blocks of whole one-shot units, enough lines for GC, a
 * write buffer that holds a program unit. Returns 0 or -EINVAL with a message.
 */
int geometry_init(struct geometry *geo, const struct vssd_config *cfg, char *err, size_t errlen);

static inline uint32_t geo_line_of(const struct geometry *geo, uint32_t ppa)
{
	return ppa / geo->units_per_line;
}

/* Reclaim group of a line. */
static inline uint32_t geo_rg_of_line(const struct geometry *geo, uint32_t line)
{
	return geo->rgs == 1 ? 0 : line / geo->lines_per_rg;
}

/* The first of a line's dies. */
static inline uint32_t geo_line_first_die(const struct geometry *geo, uint32_t line)
{
	if (geo->line_dies == geo->dies)
		return 0; /* no groups, whole-device lines: skip the divisions */
	return (geo_rg_of_line(geo, line) * geo->stripes_per_rg + line % geo->stripes_per_rg) *
	       geo->line_dies;
}

static inline uint32_t geo_die_of(const struct geometry *geo, uint32_t ppa)
{
	uint32_t line = geo_line_of(geo, ppa);

	return geo_line_first_die(geo, line) +
	       (ppa % geo->units_per_line) / geo->units_per_prog % geo->line_dies;
}

/* The flash page a unit is on: units of one flash page share this number. */
static inline uint32_t geo_flash_page_of(const struct geometry *geo, uint32_t ppa)
{
	return ppa / geo->units_per_page;
}

/* Page type (0 = LSB) of the flash page holding ppa. */
uint32_t geo_page_type_of(const struct geometry *geo, uint32_t ppa);

/* Page type of the k-th flash page of a one-shot program, for its prog time. */
uint32_t geo_prog_page_type(const struct geometry *geo, uint32_t ppa_of_prog_start,
			    uint32_t page_in_oneshot);

#endif
