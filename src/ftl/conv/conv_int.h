/*
 * The conventional FTL (NVMeVirt's conv_ftl): a page map at 4 KiB
 * granularity (4-byte entries), its reverse map, lines with valid counts,
 * greedy / cost-benefit / fifo GC paced by write credits (its NAND work at
 * once, or in slices over the host writes it pays for), optional
 * background GC, and trim. Host data goes through one write pointer per
 * (reclaim unit handle, reclaim group) (one of each without FDP), so data
 * placed apart stays apart; GC moves a persistently isolated handle's data
 * through that handle's own GC write pointer, everything else through a
 * shared one, and never out of the group it is in. Each reclaim group has
 * its own lines, free lines and GC pacing. It works in logical 4 KiB units
 * (lu) and physical units (ppa); LBAs and NVMe are the layers above.
 */
#ifndef VSSD_FTL_CONV_INT_H
#define VSSD_FTL_CONV_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "config/params.h"
#include "ftl/conv/lines.h"
#include "ftl/ftl.h"
#include "ftl/conv/persist.h"
#include "media/media.h"
#include "nand/geometry.h"
#include "nand/timing.h"
#include "util/rng.h"

#define CONV_UNMAPPED UINT32_MAX

struct write_pointer {
	uint32_t line;	       /* CONV_LINE_NONE until the first write needs one */
	uint32_t off;	       /* next unit inside the line */
	uint32_t left_in_prog; /* units until the program unit being filled is full */
	uint32_t first_die;    /* the line's first die */
	uint32_t die;	       /* die of that program unit */
	uint32_t row;	       /* its program row in the block, for its page types */
	uint32_t buffered;     /* host units of it in the write buffer (not padding) */
	uint16_t owner;	       /* handle whose data it writes, or FTL_OWNER_SHARED */
	uint16_t rg;	       /* reclaim group it writes in */
	uint64_t ready_ns;     /* when all data of the program unit being filled is in */
};

struct ftl_counters {
	uint64_t host_write_units;
	uint64_t host_read_units;
	uint64_t trim_units;
	uint64_t gc_copied_units;
	uint64_t gc_runs;
	uint64_t erased_lines;
	uint64_t mapped_units;
	uint64_t pad_units;	 /* programmed to complete a flush, holding no data */
	uint64_t borrowed_lines; /* host lines taken from another group (see host_line_group) */
	uint64_t wear_moves;	 /* collections that were static wear levelling moves */
};

/* What one reclaim unit handle did. */
struct ruh_counters {
	uint64_t host_units;   /* written by the host through it */
	uint64_t gc_out_units; /* moved by GC out of its units */
	uint64_t gc_in_units;  /* moved by GC into its units (persistently isolated) */
};

/* gc_pacing=proportional: collections' NAND work, issued in slices (gc_pace.c). */
struct gc_queue {
	struct gc_op *op;
	size_t head, n, cap;
	uint32_t victims;	/* collections with work in it */
	uint64_t cost;		/* host writes its reads wait for, in GC_PACE_ONE */
	uint64_t credit;	/* host writes not yet spent on it, in GC_PACE_ONE */
	uint64_t data_ready_ns; /* when the reads issued so far are done */
};

/* Lines in the order they joined: a FIFO ring. */
struct line_ring {
	uint32_t *id;
	uint32_t head, count, cap;
};

/* What the SLC cache did. */
struct slc_counters {
	uint64_t host_units;   /* host units written into it */
	uint64_t folded_units; /* units folded out of it into native lines */
	uint64_t folds;	       /* SLC lines folded */
};

/*
 * The SLC cache (slc.c): host writes go to lines programmed as SLC (one
 * bit a cell: a bits-per-cell part of the line, faster to program and
 * read) while it has room, and straight to native lines after. Static
 * lines [first_static, first_static + nstatic) are the cache's for good,
 * outside every line manager; dynamic lines are free native lines lent to
 * it while the host has not written that much of the drive. A full SLC
 * line waits to be folded: its valid data moved to native lines, oldest
 * first, while the device is idle or (dynamic lines) when the drive fills.
 */
struct slc_cache {
	uint32_t line_units; /* host units one SLC line holds; 0: no cache */
	uint32_t first_static, nstatic;
	uint32_t dyn_max;	    /* most dynamic lines, from slc_dynamic_bytes */
	uint32_t dyn_lines;	    /* dynamic lines it holds now (open or full) */
	uint64_t fold_mapped_units; /* mapped units past which dynamic lines fold */
	uint64_t prog_ns;	    /* a program unit in SLC mode */
	bool fold_when_full;	    /* slc_when_full=fold */
	struct write_pointer wp;    /* the host's, into the cache */
	struct line_ring free_static;
	struct line_ring full[2]; /* full SLC lines, oldest first: static, dynamic */
	struct slc_counters c;
};

/* What media faults did (faults.c). */
struct fault_counters {
	uint64_t read_retries;	      /* extra senses host reads took */
	uint64_t uncorrectable_reads; /* host page reads no retry recovered */
	uint64_t program_fails;	      /* programs that failed: each retired a block */
	uint64_t erase_fails;	      /* block erases that failed: each retired a block */
};

/* Media faults (faults.c): read retries, uncorrectable pages, program and
 * erase failures retiring blocks to their die's spares. */
struct faults {
	bool on;		   /* any of it configured */
	double read_retry_rate;	   /* a page read's odds of a retry at rated wear */
	uint32_t uncorrectable_pe; /* erases from which pages may be uncorrectable; 0: never */
	double uncorrectable_rate; /* the share of such pages that are */
	double program_fail_rate, erase_fail_rate;
	uint32_t rated_pe;
	uint64_t seed;
	uint32_t spare_per_die;
	uint32_t *spare_left;	   /* per die */
	uint64_t spare_left_total; /* of every die */
	bool read_only;		   /* a die's spares ran out: writes are refused */
	struct rng rng;
	struct fault_counters c;
	uint32_t lost_lu[FTL_LOST_KEPT]; /* the first logical units reads lost */
	uint32_t nlost;
};

/* One reclaim group: its lines and the GC pacing over them. */
struct reclaim_group {
	struct line_mgr lm;
	int64_t credits; /* host units allowed before the next collection */
	bool gc_active;
	struct gc_queue q;
};

struct conv_ftl {
	const struct geometry *geo;
	struct timing *tm;
	struct media *media;
	uint32_t *l2p;	    /* logical unit -> ppa, or CONV_UNMAPPED */
	uint32_t *p2l;	    /* ppa -> logical unit, or CONV_UNMAPPED when not valid */
	struct line *lines; /* every line; each group's manager keeps a range of them */
	struct reclaim_group *rg;
	uint32_t nrg;
	uint32_t nruh;
	bool *ruh_persistent;		/* per handle */
	struct write_pointer *host_wps; /* [rg * nruh + handle] */
	struct write_pointer *gc_wps;	/* [rg * (nruh + 1) + handle], the shared one at nruh */
	struct ruh_counters *ruh;
	struct ftl_events hooks;
	uint32_t gc_low, gc_high; /* free lines of a group that start and stop GC */
	uint32_t gc_floor;	  /* free lines of a group its GC write pointers may need */
	bool gc_background;
	uint32_t initial_pe;	       /* initial_pe_cycles: erases before the run */
	bool gc_proportional;	       /* gc_pacing=proportional */
	struct gc_queue *gc_recording; /* the queue a collection's NAND work goes to, or NULL */
	uint64_t seq;		       /* write sequence number, stored in each unit's OOB */
	struct ftl_counters c;
	struct slc_cache slc;
	struct faults faults;
	struct persist *ps; /* what is kept on the media; NULL when it keeps nothing */
};

/* The conventional FTL behind the FTL interface (ops.c). */
/* The conventional FTL behind ftl, or NULL when ftl is another (for its tests). */
struct conv_ftl *conv_of(struct ftl *ftl);

/* Builds the FTL over empty media (persist_recover() rebuilds it from full
 * media). Returns 0 or -ENOMEM. */
int conv_init(struct conv_ftl *f, const struct geometry *geo, const struct vssd_config *cfg,
	      struct timing *tm, struct media *media);
void conv_fini(struct conv_ftl *f);

/* Rebuilds reverse map, valid counts and line lists from the map and each
 * line's state (open lines stay with their write pointers). Free lines go
 * in free_order (per line id range of each group, CONV_LINE_NONE-ended), or by
 * id when it is NULL; then (a recovery scan) closed lines left with no
 * valid data become free. */
void conv_rebuild(struct conv_ftl *f, const uint32_t *free_order);

/* Every write pointer without a line: the next writes open new ones. */
void conv_reset_write_pointers(struct conv_ftl *f);

/*
 * Writes logical unit lu (data: 4 KiB, or NULL when the store keeps none)
 * through placement pl (a valid handle and group), its data in the device at
 * ready_ns. Runs foreground GC first when due. Returns 0, -ENOSPC if no
 * line can be had (a geometry bug), or the media's error (the unit is then
 * not mapped: the old data stays).
 */
int conv_write(struct conv_ftl *f, uint32_t lu, const void *data, uint64_t ready_ns,
	       struct placement pl);

/*
 * Reclaim Unit Handle Update: the handle's next write in that group goes to
 * a new reclaim unit. Buffered data is programmed first (the program unit
 * padded) and the current unit is closed as it is. Returns true if that unit
 * held data and was not full (an FDP "reclaim unit not fully written" event).
 */
bool conv_ruh_update(struct conv_ftl *f, struct placement pl, uint64_t now_ns);

/* Units the handle can still write in that group before its reclaim unit is full. */
uint32_t conv_ruh_available_units(const struct conv_ftl *f, struct placement pl);

/* Free lines of every group together. */
uint32_t conv_free_lines(const struct conv_ftl *f);

/* Valid units in lines a handle owns (its data on the media now). */
uint64_t conv_ruh_units_in_use(const struct conv_ftl *f, uint16_t ruh);

/* Reads units [lu, lu + n) with one die read per flash page (more with
 * read retries), ending at *done_ns. Returns 0, or -EBADMSG with *failed
 * the first unit no retry recovered (or the store's error for the unit it
 * failed on), *done_ns when it gave up. */
int conv_read_range(struct conv_ftl *f, uint32_t lu, uint32_t n, uint8_t *data, uint64_t start_ns,
		    uint64_t *done_ns, uint32_t *failed);

/*
 * A write or trim of lu is coming: stage 0 asks for its map entry, stage 1
 * (issued later, once that entry is cached) for its old reverse-map entry
 * and line. Only a hint: it changes no state.
 */
static inline void conv_prefetch(const struct conv_ftl *f, uint32_t lu, int stage)
{
	if (stage == 0) {
		__builtin_prefetch(&f->l2p[lu], 1);
	} else {
		uint32_t old = f->l2p[lu];

		if (old != CONV_UNMAPPED)
			__builtin_prefetch(&f->p2l[old], 1);
	}
}

/* Pads a write pointer's partly filled program unit so its buffered data is
 * programmed (host: it is a host write pointer, whose data holds write buffer). */
void conv_pad(struct conv_ftl *f, struct write_pointer *wp, uint64_t now_ns, bool host);

/* Deallocates logical unit lu. */
void conv_trim(struct conv_ftl *f, uint32_t lu);

/* Collects one victim line of reclaim group rg at now_ns. Returns 0,
 * -ENOSPC when none is worth it or its data would not fit, or the media's
 * error (the victim then stays, holding what was not moved). */
int conv_gc_collect(struct conv_ftl *f, uint32_t rg, uint64_t now_ns);

/* gc_pacing=proportional (gc_pace.c): conv_gc_collect with its NAND work
 * queued; conv_gc_pace issues one host unit's share of it at now_ns;
 * drain issues the rest. GC's reads, programs and erases go through
 * conv_gc_read/program/erase, which queue them while a collection records. */
int conv_gc_collect_paced(struct conv_ftl *f, uint32_t rg, uint64_t now_ns);
/* The NAND work a line move does between begin and end goes into group
 * rg's queue, costed as a collection that moved `valid` units to free
 * `freed` (conv_gc_collect_paced is one; a fold of the SLC cache another).
 * begin returns the queue's length for end. */
size_t conv_gc_record_begin(struct conv_ftl *f, uint32_t rg);
void conv_gc_record_end(struct conv_ftl *f, uint32_t rg, size_t before, uint64_t valid,
			uint64_t freed, uint64_t now_ns);
void conv_gc_pace(struct conv_ftl *f, uint32_t rg, uint64_t now_ns);
void conv_gc_drain(struct conv_ftl *f, struct gc_queue *q, uint64_t now_ns);
void conv_gc_drain_all(struct conv_ftl *f, uint64_t now_ns);
uint64_t conv_gc_read(struct conv_ftl *f, uint32_t die, uint32_t page_type, uint64_t now_ns,
		      uint32_t units);
void conv_gc_program(struct conv_ftl *f, uint32_t die, uint64_t ready_ns, uint64_t prog_ns);
void conv_gc_erase(struct conv_ftl *f, uint32_t die, uint64_t now_ns);

/* The device is idle until until_ns: issues the paced GC work still queued,
 * then (gc_background) collects while the dies are idle and a group's free
 * lines are below gc_free_lines_high. */
void conv_gc_background(struct conv_ftl *f, uint64_t until_ns);

/* Takes the next unit of a write pointer. Returns its ppa or CONV_UNMAPPED. */
uint32_t conv_wp_take(struct conv_ftl *f, struct write_pointer *wp, uint64_t ready_ns, bool host);

/*
 * Makes everything the host has written durable: a partly filled program
 * unit is padded and programmed (the pad units hold no data), as a drive
 * does for a flush or FUA. The programs it starts release their buffer
 * space when they end, so the write buffer tells when all is on NAND.
 */
void conv_flush(struct conv_ftl *f, uint64_t now_ns);

/* Checks the invariants in full (check.c). Returns 0, or -EUCLEAN with the
 * first broken one said in err. */
int conv_check(const struct conv_ftl *f, char *err, size_t errlen);

/* Drops a physical unit's mapping: reverse map and line valid count. */
void conv_invalidate(struct conv_ftl *f, uint32_t ppa);

/* The timing model's page type of a unit: its page's, or NAND_PAGE_SLC on
 * a line programmed as SLC. */
static inline uint32_t conv_page_type(const struct conv_ftl *f, uint32_t ppa)
{
	if (f->slc.line_units && f->lines[geo_line_of(f->geo, ppa)].slc)
		return NAND_PAGE_SLC;
	return geo_page_type_of(f->geo, ppa);
}

/* gc.c: moves the valid units of line `line` through dest, one sense per
 * flash page with valid data, adding each to *moved, and erases the line.
 * Returns 0 (*first_lu the first unit's logical unit), or the media's error:
 * what was not moved stays in the line. */
int conv_move_line(struct conv_ftl *f, uint32_t line, struct write_pointer *dest, uint64_t now_ns,
		   uint64_t *moved, uint32_t *first_lu);
/* Builds with check_after_gc check every invariant here (after each
 * collection and fold) and abort on the first broken one; else nothing. */
void conv_check_after_gc(const struct conv_ftl *f);

/* The units of a line the reverse map says are valid (a recount). */
uint32_t conv_line_valid_units(const struct conv_ftl *f, uint32_t line);
/* Where GC moves data of handle owner in group rg (the shared pointer for
 * FTL_OWNER_SHARED), and whether that pointer has room for vpc units. */
struct write_pointer *conv_gc_dest(struct conv_ftl *f, uint32_t rg, uint16_t owner);
bool conv_dest_has_room(const struct conv_ftl *f, const struct write_pointer *dest, uint32_t vpc,
			uint32_t free_lines);

/* slc.c: the SLC cache. Static lines and host units per SLC line a
 * configuration asks for (0: no cache). */
uint32_t conv_slc_static_lines(const struct geometry *geo, const struct vssd_config *cfg);
uint32_t conv_slc_line_units(const struct geometry *geo, const struct vssd_config *cfg);
/* Sets it up (after the line managers, which leave the static lines out).
 * Returns 0 or -ENOMEM. */
int conv_slc_init(struct conv_ftl *f, const struct vssd_config *cfg);
void conv_slc_fini(struct conv_ftl *f);
/* The write pointer a host write at now_ns takes: the cache's while it
 * has room (or, slc_when_full=fold, makes room). */
static inline struct write_pointer *conv_slc_wp(struct conv_ftl *f, uint64_t now_ns);
/* The cache's write pointer needs a line: a free static one, else a
 * dynamic one while the drive has room, else (slc_when_full=fold) a static
 * one its oldest full line is folded out of now. Returns false when it can
 * have none. */
bool conv_slc_open_line(struct conv_ftl *f, struct write_pointer *wp, uint64_t now_ns);
/* The cache's line filled (or a checkpoint closes it). */
void conv_slc_line_full(struct conv_ftl *f, uint32_t line);
/* The host mapped more of the drive: dynamic lines beyond what the drive
 * now lends are folded (past fold_mapped_units). */
void conv_slc_shrink(struct conv_ftl *f, uint64_t now_ns);
/* Idle until until_ns: folds full lines while the dies are idle. */
void conv_slc_background(struct conv_ftl *f, uint64_t until_ns);
/* Closes the cache's open line as it is (before a checkpoint). */
void conv_slc_close_open(struct conv_ftl *f);
/* After a recovery: the cache's rings and counts from the lines' states. */
void conv_slc_rebuild(struct conv_ftl *f);
/* Its invariants (check.c). Returns 0 or -1 with the first broken said in err. */
int conv_slc_check(const struct conv_ftl *f, char *err, size_t errlen);

/* faults.c: media faults. Sets them up from the parameters (spares full).
 * Returns 0 or -ENOMEM. */
int conv_faults_init(struct conv_ftl *f, const struct vssd_config *cfg);
void conv_faults_fini(struct conv_ftl *f);
/* A host read of the page holding ppa: the retries it takes (extra
 * senses), and in *lost whether none recovered it. */
uint32_t conv_faults_read(struct conv_ftl *f, uint32_t ppa, bool *lost);
/* A host read lost logical unit lu: the first few are kept for reports. */
void conv_faults_lost(struct conv_ftl *f, uint32_t lu);
/* A program on die ended: whether it failed (its block then retired to a
 * spare, and the unit programmed again there). */
bool conv_faults_program(struct conv_ftl *f, uint32_t die);
/* A line's blocks on die were erased: how many failed (each retired to a
 * spare and erased again there). */
uint32_t conv_faults_erase(struct conv_ftl *f, uint32_t die);
void conv_faults_stats(const struct conv_ftl *f, struct ftl_stats *st);
/* Spare blocks left, percent of all there were (100 with none). */
uint32_t conv_faults_spare_percent(const struct conv_ftl *f);

static inline struct write_pointer *conv_slc_wp(struct conv_ftl *f, uint64_t now_ns)
{
	struct slc_cache *c = &f->slc;

	if (!c->line_units)
		return NULL;
	return c->wp.line != CONV_LINE_NONE || conv_slc_open_line(f, &c->wp, now_ns) ? &c->wp
										     : NULL;
}

#endif
