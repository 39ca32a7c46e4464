/*
 * What the conventional FTL keeps on its media so a device survives a
 * restart or a crash, in the store's metadata area:
 *
 * - two state blocks, written alternately at every flush: write sequence,
 *   counters, each line's erase count, the layer above's counters, and
 *   whether a clean close left a checkpoint;
 * - trim records, twice: a bitmap of unmapped logical units in 4 KiB pages,
 *   each page stamped with the write sequence when it was last written and
 *   its CRC. A page
 *   written at sequence S says "these units were unmapped after write S",
 *   so copies up to S found by a scan are dead; newer writes win. Pages a trim
 *   touched are written at the next flush, so trims are as durable as data;
 * - the checkpoint, written at a clean close: the map, the lines and the
 *   write pointers, so reopening need not scan.
 *
 * Without a checkpoint (after a crash or a simulated power loss) recovery
 * scans every unit's OOB: the newest sequence of each logical unit wins,
 * then the trim pages remove what was trimmed after it.
 */
#ifndef VSSD_FTL_PERSIST_H
#define VSSD_FTL_PERSIST_H

#include <stdbool.h>
#include <stdint.h>

#include "ftl/ftl.h"
#include "nand/geometry.h"

struct conv_ftl;
struct media;

#define PERSIST_EXTRA_BYTES                                                                        \
	FTL_EXTRA_BYTES /* the layer above's own counters, kept in the state block */

struct persist {
	struct media *media;
	uint64_t state_off[2], state_bytes;
	uint64_t stamp_off[2], tpage_off[2]; /* two copies of the trim records */
	uint64_t ckpt_off, ckpt_bytes;
	uint32_t tpages;    /* trim bitmap pages */
	uint64_t *unmapped; /* bit per logical unit: 1 = not mapped */
	uint64_t *stamps;   /* per trim page: the sequence it was written at, 0 = never */
	uint8_t *dirty;	    /* per trim page: a trim changed it since it was written */
	uint64_t gen;	    /* state blocks written */
	uint64_t ckpt_seq;  /* sequence of the checkpoint a clean close left, 0 = none */
	uint8_t extra[PERSIST_EXTRA_BYTES];
};

/* scan.c: the map, lines and write pointers from every unit's OOB. */
int persist_scan(struct conv_ftl *f, struct ftl_recovery *rec);
/* Unmaps what the trim records say was trimmed after the newest copy a
 * scan found (newest: per logical unit, its copy's sequence). */
int persist_apply_trims(struct conv_ftl *f, const uint64_t *newest, struct ftl_recovery *rec);

/* Bytes of metadata area a device of this geometry needs. */
uint64_t persist_meta_bytes(const struct geometry *geo, uint32_t nruh);

/* Sets up f->ps over f->media. Returns 0 or -ENOMEM. */
int persist_init(struct conv_ftl *f);
void persist_fini(struct conv_ftl *f);

/* Logical unit lu became mapped (a write of an unmapped unit) or unmapped (a trim). */
static inline void persist_mapped(struct persist *ps, uint32_t lu)
{
	ps->unmapped[lu / 64] &= ~(1ULL << (lu % 64));
}

static inline void persist_trimmed(struct persist *ps, uint32_t lu)
{
	ps->unmapped[lu / 64] |= 1ULL << (lu % 64);
	ps->dirty[lu / (4096 * 8)] = 1;
}

/*
 * Makes what a flush covers durable in the metadata area: the trim pages
 * changed since the last flush, then a state block with the counters and
 * extra (PERSIST_EXTRA_BYTES of the layer above's). Returns 0 or a media error.
 */
int persist_flush(struct conv_ftl *f, const void *extra);

/* A clean close: the checkpoint, then a state block that points at it, then
 * a sync to stable storage. Everything must have been flushed. */
int persist_checkpoint(struct conv_ftl *f, const void *extra);

/*
 * Rebuilds the FTL from its media: the checkpoint if the last close was
 * clean, else a scan. extra receives the layer above's counters as last
 * flushed. Afterwards the media says "not clean", so a crash from here on
 * scans. Returns 0 or a media error.
 */
int persist_recover(struct conv_ftl *f, void *extra, struct ftl_recovery *rec);

/* A power cut: the units no program has taken yet (each write pointer's
 * partly filled program unit) are lost from the media. */
int persist_drop_volatile(struct conv_ftl *f);

/*
 * Programs every write pointer's buffered units (padding their program
 * units) and writes changed trim pages. GC does this before a collected
 * line goes back to the free lines, so what made its data dead (the writes
 * and trims that replaced it, the copies GC made of it) is durable: a free
 * line never holds the only durable copy of anything, and recovery finds
 * free what was free. A clean close does it before its checkpoint.
 * Returns 0 or a media error.
 */
int persist_program_buffers(struct conv_ftl *f, uint64_t now_ns);

#endif
