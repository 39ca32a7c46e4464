/*
 * The FTL's metadata on its media: state blocks, trim pages, the
 * checkpoint, and recovery from them or (scan.c) from a scan of every
 * unit's OOB.
 * See persist.h for what each holds and why it is enough.
 */
#include "ftl/conv/persist.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "ftl/conv/conv_int.h"
#include "media/media.h"
#include "util/clock.h"

#define STATE_MAGIC 0x56535354u /* "VSST" */
#define CKPT_MAGIC 0x5653434bu	/* "VSCK" */
#define TPAGE_BITS (4096 * 8)	/* logical units one trim page covers */

struct state_block {
	uint32_t magic;
	uint32_t crc;	   /* of the whole block with this field 0 */
	uint64_t gen;	   /* the newer of the two blocks wins */
	uint64_t seq;	   /* the FTL's write sequence when written */
	uint64_t ckpt_seq; /* a clean close's checkpoint is at this sequence; 0 = none */
	uint32_t lines;
	uint32_t reserved;
	struct ftl_counters c;
	uint8_t extra[PERSIST_EXTRA_BYTES];
	uint32_t erase_count[]; /* per line */
};

struct ckpt_header {
	uint32_t magic;
	uint32_t crc; /* of the body */
	uint64_t seq;
	uint64_t body_bytes;
};

/* What says a trim page is whole: written after its page, in each of the
 * two copies (a crash between them leaves one copy whole). */
struct trim_stamp {
	uint64_t seq;	   /* the write sequence when the page was written; 0 = never */
	uint32_t page_crc; /* of the page's 4 KiB */
	uint32_t crc;	   /* of the two fields above */
};

struct ckpt_line {
	uint16_t state;
	uint16_t owner;
	uint32_t slc; /* programmed as SLC (0 in files from before the SLC cache) */
	uint64_t close_seq;
};

static uint64_t round4k(uint64_t v)
{
	return (v + 4095) / 4096 * 4096;
}

/* CRC-32 of a buffer of any size (zlib takes uInt lengths). */
static uint32_t crc_of(const uint8_t *buf, uint64_t len)
{
	uLong crc = crc32(0, NULL, 0);

	for (uint64_t done = 0; done < len;) {
		uint64_t n = len - done > (1u << 30) ? (1u << 30) : len - done;

		crc = crc32(crc, buf + done, (uInt)n);
		done += n;
	}
	return (uint32_t)crc;
}

/* Host write pointers, then GC write pointers (one more per group: the shared one). */
static uint32_t nwps(uint32_t nrg, uint32_t nruh)
{
	return nrg * nruh + nrg * (nruh + 1);
}

static uint32_t nwps_of(const struct conv_ftl *f)
{
	return nwps(f->nrg, f->nruh);
}

/*
 * Where each part of the checkpoint's body starts: widest elements first,
 * so every part is aligned for its type (the map's 4-byte entries come
 * last, as their count may be odd).
 */
struct ckpt_body {
	uint64_t lines, wps, free_order, l2p, bytes;
};

static struct ckpt_body ckpt_body_of(const struct geometry *geo, uint32_t nwps)
{
	struct ckpt_body b = {.lines = 0};

	b.wps = b.lines + geo->lines * sizeof(struct ckpt_line);
	b.free_order = b.wps + nwps * sizeof(struct write_pointer);
	b.l2p = b.free_order + geo->lines * sizeof(uint32_t);
	b.bytes = b.l2p + geo->logical_units * sizeof(uint32_t);
	return b;
}

/* The metadata area: state blocks, then two copies of the stamps and trim
 * pages, then the checkpoint. */
static void layout(struct persist *ps, const struct geometry *geo, uint32_t nwps)
{
	uint64_t copy_bytes;

	ps->tpages = (uint32_t)((geo->logical_units + TPAGE_BITS - 1) / TPAGE_BITS);
	copy_bytes = round4k((uint64_t)ps->tpages * sizeof(struct trim_stamp)) +
		     (uint64_t)ps->tpages * 4096;
	ps->state_bytes = round4k(sizeof(struct state_block) + geo->lines * sizeof(uint32_t));
	ps->state_off[0] = 0;
	ps->state_off[1] = ps->state_bytes;
	for (int c = 0; c < 2; c++) {
		ps->stamp_off[c] = 2 * ps->state_bytes + c * copy_bytes;
		ps->tpage_off[c] = ps->stamp_off[c] +
				   round4k((uint64_t)ps->tpages * sizeof(struct trim_stamp));
	}
	ps->ckpt_off = 2 * ps->state_bytes + 2 * copy_bytes;
	ps->ckpt_bytes = round4k(sizeof(struct ckpt_header) + ckpt_body_of(geo, nwps).bytes);
}

uint64_t persist_meta_bytes(const struct geometry *geo, uint32_t nruh)
{
	struct persist ps;

	layout(&ps, geo, nwps(geo->rgs, nruh));
	return ps.ckpt_off + ps.ckpt_bytes;
}

int persist_init(struct conv_ftl *f)
{
	struct persist *ps = calloc(1, sizeof(*ps));

	if (!ps)
		return -ENOMEM;
	layout(ps, f->geo, nwps_of(f));
	ps->media = f->media;
	ps->unmapped = malloc((size_t)ps->tpages * 4096);
	ps->stamps = calloc(ps->tpages, sizeof(uint64_t));
	ps->dirty = calloc(ps->tpages, 1);
	f->ps = ps;
	if (!ps->unmapped || !ps->stamps || !ps->dirty) {
		persist_fini(f);
		return -ENOMEM;
	}
	memset(ps->unmapped, 0xff, (size_t)ps->tpages * 4096); /* a new device maps nothing */
	return 0;
}

void persist_fini(struct conv_ftl *f)
{
	if (!f->ps)
		return;
	free(f->ps->unmapped);
	free(f->ps->stamps);
	free(f->ps->dirty);
	free(f->ps);
	f->ps = NULL;
}

static int write_state(struct conv_ftl *f, uint64_t ckpt_seq)
{
	struct persist *ps = f->ps;
	struct state_block *s = calloc(1, ps->state_bytes);
	int rc;

	if (!s)
		return -ENOMEM;
	*s = (struct state_block){.magic = STATE_MAGIC,
				  .gen = ++ps->gen,
				  .seq = f->seq,
				  .ckpt_seq = ckpt_seq,
				  .lines = f->geo->lines,
				  .c = f->c};
	memcpy(s->extra, ps->extra, sizeof(s->extra));
	for (uint32_t l = 0; l < f->geo->lines; l++)
		s->erase_count[l] = f->lines[l].erase_count;
	s->crc = crc_of((const uint8_t *)s, ps->state_bytes);
	rc = ps->media->ops->meta_write(ps->media, ps->state_off[ps->gen % 2], s, ps->state_bytes);
	free(s);
	return rc;
}

static struct trim_stamp stamp_of(uint64_t seq, const void *page)
{
	struct trim_stamp t = {.seq = seq, .page_crc = crc_of(page, 4096)};

	t.crc = crc_of((const uint8_t *)&t, offsetof(struct trim_stamp, crc));
	return t;
}

static int write_trim_page(struct persist *ps, uint32_t p, const struct trim_stamp *t, int copy)
{
	const uint8_t *page = (const uint8_t *)ps->unmapped + (uint64_t)p * 4096;
	int rc = ps->media->ops->meta_write(ps->media, ps->tpage_off[copy] + (uint64_t)p * 4096,
					    page, 4096);

	return rc ? rc
		  : ps->media->ops->meta_write(ps->media, ps->stamp_off[copy] + p * sizeof(*t), t,
					       sizeof(*t));
}

static int write_trim_pages(struct persist *ps, uint64_t seq)
{
	for (uint32_t p = 0; p < ps->tpages; p++) {
		struct trim_stamp t;
		int rc;

		if (!ps->dirty[p])
			continue;
		/* each copy's page, then its stamp: a crash leaves at least one
		 * copy whole, the new one or the old one */
		ps->stamps[p] = seq;
		t = stamp_of(seq, (const uint8_t *)ps->unmapped + (uint64_t)p * 4096);
		if ((rc = write_trim_page(ps, p, &t, 0)) || (rc = write_trim_page(ps, p, &t, 1)))
			return rc;
		ps->dirty[p] = 0;
	}
	return 0;
}

int persist_flush(struct conv_ftl *f, const void *extra)
{
	int rc = write_trim_pages(f->ps, f->seq);

	memcpy(f->ps->extra, extra, PERSIST_EXTRA_BYTES);
	return rc ? rc : write_state(f, 0);
}

static void save_lines(const struct conv_ftl *f, struct ckpt_line *cl, uint32_t *free_order)
{
	for (uint32_t l = 0; l < f->geo->lines; l++) {
		cl[l] = (struct ckpt_line){.state = f->lines[l].state,
					   .owner = f->lines[l].owner,
					   .slc = f->lines[l].slc,
					   .close_seq = f->lines[l].close_seq};
		free_order[l] = CONV_LINE_NONE;
	}
	for (uint32_t g = 0; g < f->nrg; g++) {
		const struct line_mgr *lm = &f->rg[g].lm;

		for (uint32_t i = 0; i < lm->free_count; i++)
			free_order[lm->first + i] = lm->free_ring[(lm->free_head + i) % lm->nlines];
	}
}

int persist_checkpoint(struct conv_ftl *f, const void *extra)
{
	struct persist *ps = f->ps;
	const struct geometry *geo = f->geo;
	struct ckpt_body b = ckpt_body_of(geo, nwps_of(f));
	uint64_t body_bytes = b.bytes;
	uint8_t *body = malloc(body_bytes);
	struct ckpt_header h = {.magic = CKPT_MAGIC, .seq = f->seq, .body_bytes = body_bytes};
	size_t host_wps_bytes = (size_t)f->nrg * f->nruh * sizeof(struct write_pointer);
	int rc;

	if (!body)
		return -ENOMEM;
	save_lines(f, (struct ckpt_line *)(body + b.lines), (uint32_t *)(body + b.free_order));
	memcpy(body + b.wps, f->host_wps, host_wps_bytes);
	memcpy(body + b.wps + host_wps_bytes, f->gc_wps,
	       (size_t)f->nrg * (f->nruh + 1) * sizeof(struct write_pointer));
	memcpy(body + b.l2p, f->l2p, geo->logical_units * sizeof(uint32_t));
	h.crc = crc_of(body, body_bytes);
	rc = write_trim_pages(ps, f->seq);
	if (!rc)
		rc = ps->media->ops->meta_write(ps->media, ps->ckpt_off + sizeof(h), body,
						body_bytes);
	if (!rc)
		rc = ps->media->ops->meta_write(ps->media, ps->ckpt_off, &h, sizeof(h));
	free(body);
	memcpy(ps->extra, extra, PERSIST_EXTRA_BYTES);
	if (!rc)
		rc = ps->media->ops->sync(
			ps->media); /* the checkpoint before the block naming it */
	if (!rc)
		rc = write_state(f, f->seq);
	return rc ? rc : ps->media->ops->sync(ps->media);
}

static bool all_zero(const uint8_t *buf, size_t len)
{
	return !len || (!buf[0] && !memcmp(buf, buf + 1, len - 1));
}

/* The newer valid state block, or NULL (free it); a block written but
 * damaged is counted in rec. */
static struct state_block *read_state(struct conv_ftl *f, struct ftl_recovery *rec)
{
	struct persist *ps = f->ps;
	struct state_block *best = NULL;

	for (int i = 0; i < 2; i++) {
		struct state_block *s = malloc(ps->state_bytes);
		uint32_t crc;
		bool blank;

		if (!s ||
		    ps->media->ops->meta_read(ps->media, ps->state_off[i], s, ps->state_bytes)) {
			free(s);
			continue;
		}
		blank = all_zero((const uint8_t *)s, ps->state_bytes);
		crc = s->crc;
		s->crc = 0;
		if (s->magic != STATE_MAGIC || s->lines != f->geo->lines ||
		    crc != crc_of((const uint8_t *)s, ps->state_bytes)) {
			rec->state_blocks_damaged += !blank; /* blank: never written */
			free(s);
			continue;
		}
		if (best && best->gen > s->gen) {
			free(s);
			continue;
		}
		free(best);
		best = s;
	}
	return best;
}

/* Why a line record cannot be right, or NULL. */
static const char *bad_line(const struct conv_ftl *f, const struct ckpt_line *cl)
{
	if (cl->state > LINE_SLC || (cl->state == LINE_SLC && !cl->slc))
		return "a line in no known state";
	if (cl->owner >= f->nruh && cl->owner != FTL_OWNER_SHARED)
		return "a line owned by no handle";
	return NULL;
}

/* Why write pointer w (host ones first, then GC ones) cannot be right, or NULL. */
static const char *bad_wp(const struct conv_ftl *f, const struct ckpt_line *cl, uint32_t w,
			  const struct write_pointer *wp)
{
	const struct geometry *geo = f->geo;
	uint32_t nhost = f->nrg * f->nruh,
		 r = w < nhost ? w % f->nruh : (w - nhost) % (f->nruh + 1);
	uint32_t g = w < nhost ? w / f->nruh : (w - nhost) / (f->nruh + 1);

	if (wp->rg != g || wp->owner != (r < f->nruh ? r : FTL_OWNER_SHARED))
		return "a write pointer of another group or handle";
	if (wp->line == CONV_LINE_NONE)
		return NULL;
	if (wp->line >= geo->lines || cl[wp->line].state != LINE_OPEN)
		return "a write pointer on a line that is not open";
	if (wp->off > geo->units_per_line || !wp->left_in_prog ||
	    wp->left_in_prog > geo->units_per_prog || wp->buffered > geo->units_per_prog ||
	    wp->first_die != geo_line_first_die(geo, wp->line) || wp->die < wp->first_die ||
	    wp->die >= wp->first_die + geo->line_dies || wp->row >= geo->pages_per_block)
		return "a write pointer outside its line";
	return NULL;
}

/* Why the free-line order cannot be right, or NULL: each group lists only
 * its own free lines, each once. */
static const char *bad_free_order(const struct conv_ftl *f, const struct ckpt_line *cl,
				  const uint32_t *order, uint8_t *seen)
{
	for (uint32_t g = 0; g < f->nrg; g++) {
		const struct line_mgr *lm = &f->rg[g].lm;

		for (uint32_t i = 0; i < lm->nlines; i++) {
			uint32_t id = order[lm->first + i];

			if (id == CONV_LINE_NONE)
				continue;
			if (id < lm->first || id >= lm->first + lm->nlines ||
			    cl[id].state != LINE_FREE || seen[id]++)
				return "a free-line list naming a line that is not free";
		}
	}
	return NULL;
}

/* Why the map cannot be right, or NULL: every entry a unit of a line that
 * is not free, no unit held by two logical units. */
static const char *bad_map(const struct conv_ftl *f, const struct ckpt_line *cl,
			   const uint32_t *l2p, uint64_t *taken)
{
	const struct geometry *geo = f->geo;

	for (uint64_t lu = 0; lu < geo->logical_units; lu++) {
		uint32_t ppa = l2p[lu];

		if (ppa == CONV_UNMAPPED)
			continue;
		if (ppa >= geo->physical_units || cl[geo_line_of(geo, ppa)].state == LINE_FREE)
			return "a map entry outside the written lines";
		if (taken[ppa / 64] >> (ppa % 64) & 1)
			return "two logical units mapped to one physical unit";
		taken[ppa / 64] |= 1ULL << (ppa % 64);
	}
	return NULL;
}

/* Everything a checkpoint would load, checked before any of it is: a CRC
 * says the bytes are the ones written, not that a writer was right. */
static const char *bad_checkpoint(const struct conv_ftl *f, const uint8_t *body,
				  const struct ckpt_body *b)
{
	const struct geometry *geo = f->geo;
	const struct ckpt_line *cl = (const struct ckpt_line *)(body + b->lines);
	uint8_t *seen = calloc(geo->lines, 1);
	uint64_t *taken = calloc((geo->physical_units + 63) / 64, sizeof(uint64_t));
	const char *why = seen && taken ? NULL : "no memory to check it";

	for (uint32_t l = 0; !why && l < geo->lines; l++)
		why = bad_line(f, &cl[l]);
	for (uint32_t w = 0; !why && w < nwps_of(f); w++)
		why = bad_wp(f, cl, w, (const struct write_pointer *)(body + b->wps) + w);
	if (!why)
		why = bad_free_order(f, cl, (const uint32_t *)(body + b->free_order), seen);
	if (!why)
		why = bad_map(f, cl, (const uint32_t *)(body + b->l2p), taken);
	free(seen);
	free(taken);
	return why;
}

/* Loads the checkpoint of sequence seq. Returns 0, or -EINVAL if it is not
 * there intact (rec->ckpt_rejected says why; the caller scans instead). */
static int load_checkpoint(struct conv_ftl *f, uint64_t seq, struct ftl_recovery *rec)
{
	struct persist *ps = f->ps;
	const struct geometry *geo = f->geo;
	struct ckpt_body b = ckpt_body_of(geo, nwps_of(f));
	size_t host_wps_bytes = (size_t)f->nrg * f->nruh * sizeof(struct write_pointer);
	struct ckpt_header h;
	uint8_t *body = NULL;
	int rc = -EINVAL;

	rec->ckpt_rejected = "its header is damaged";
	if (ps->media->ops->meta_read(ps->media, ps->ckpt_off, &h, sizeof(h)) ||
	    h.magic != CKPT_MAGIC || h.seq != seq || h.body_bytes != b.bytes)
		return -EINVAL;
	rec->ckpt_rejected = "it cannot be read";
	if (!(body = malloc(h.body_bytes)) ||
	    ps->media->ops->meta_read(ps->media, ps->ckpt_off + sizeof(h), body, h.body_bytes))
		goto out;
	rec->ckpt_rejected = "its CRC does not match";
	if (crc_of(body, h.body_bytes) != h.crc)
		goto out;
	if ((rec->ckpt_rejected = bad_checkpoint(f, body, &b)))
		goto out;
	for (uint32_t l = 0; l < geo->lines; l++) {
		const struct ckpt_line *cl = (const struct ckpt_line *)(body + b.lines) + l;

		f->lines[l].state = cl->state;
		f->lines[l].owner = cl->owner;
		f->lines[l].slc = (uint16_t)cl->slc;
		f->lines[l].close_seq = cl->close_seq;
	}
	memcpy(f->host_wps, body + b.wps, host_wps_bytes);
	memcpy(f->gc_wps, body + b.wps + host_wps_bytes,
	       (size_t)f->nrg * (f->nruh + 1) * sizeof(struct write_pointer));
	memcpy(f->l2p, body + b.l2p, geo->logical_units * sizeof(uint32_t));
	conv_rebuild(f, (const uint32_t *)(body + b.free_order));
	f->seq = seq;
	rec->ckpt_rejected = NULL;
	rc = 0;
out:
	free(body);
	return rc;
}

static bool stamp_ok(const struct trim_stamp *t)
{
	return all_zero((const uint8_t *)t, sizeof(*t)) || /* never written */
	       t->crc == crc_of((const uint8_t *)t, offsetof(struct trim_stamp, crc));
}

/* Reads trim page p into bits from the newer whole copy. Returns its
 * sequence (0: never written, or no copy whole, which rec counts), or -EIO. */
static int64_t read_trim_page(struct persist *ps, uint32_t p, uint64_t *bits,
			      struct ftl_recovery *rec)
{
	struct trim_stamp t[2];
	int first;

	for (int c = 0; c < 2; c++)
		if (ps->media->ops->meta_read(ps->media, ps->stamp_off[c] + p * sizeof(t[c]), &t[c],
					      sizeof(t[c])))
			return -EIO;
	first = t[1].seq > t[0].seq; /* the newer copy first, the older if it is damaged */
	for (int i = 0; i < 2; i++) {
		const struct trim_stamp *s = &t[first ^ i];

		if (!stamp_ok(s))
			continue;
		if (!s->seq)
			return 0;
		if (ps->media->ops->meta_read(
			    ps->media, ps->tpage_off[first ^ i] + (uint64_t)p * 4096, bits, 4096))
			return -EIO;
		if (crc_of((const uint8_t *)bits, 4096) == s->page_crc) {
			rec->trim_pages_from_copy += i;
			return (int64_t)s->seq;
		}
	}
	rec->trim_pages_damaged++;
	return 0;
}

/* Trim pages: a unit unmapped in a page stamped S loses every copy up to S.
 * A page neither copy of which is whole unmaps nothing: the open reports
 * that trims it recorded may be undone. */
int persist_apply_trims(struct conv_ftl *f, const uint64_t *newest, struct ftl_recovery *rec)
{
	struct persist *ps = f->ps;
	uint64_t *bits = malloc(4096);

	if (!bits)
		return -ENOMEM;
	for (uint32_t p = 0; p < ps->tpages; p++) {
		int64_t seq = read_trim_page(ps, p, bits, rec);

		if (seq < 0) {
			free(bits);
			return (int)seq;
		}
		ps->stamps[p] = (uint64_t)seq;
		if (!seq)
			continue;
		for (uint32_t i = 0; i < TPAGE_BITS; i++) {
			uint64_t lu = (uint64_t)p * TPAGE_BITS + i;

			/* a stamp is the sequence of the last write before it, so a copy
			 * of that very sequence is as dead as older ones */
			if (lu < f->geo->logical_units && (bits[i / 64] >> (i % 64) & 1) &&
			    newest[lu] <= ps->stamps[p])
				f->l2p[lu] = CONV_UNMAPPED;
		}
		if (ps->stamps[p] > f->seq)
			f->seq = ps->stamps[p];
	}
	free(bits);
	return 0;
}

int persist_recover(struct conv_ftl *f, void *extra, struct ftl_recovery *rec)
{
	struct persist *ps = f->ps;
	uint64_t t0 = mono_ns();
	struct state_block *s;
	int rc = 0;

	*rec = (struct ftl_recovery){.recovered = true};
	s = read_state(f, rec);
	if (s) {
		f->c = s->c;
		f->seq = s->seq;
		ps->gen = s->gen;
		memcpy(ps->extra, s->extra, sizeof(ps->extra));
		for (uint32_t l = 0; l < f->geo->lines; l++)
			f->lines[l].erase_count = s->erase_count[l];
	}
	memcpy(extra, ps->extra, PERSIST_EXTRA_BYTES);
	if (s && s->ckpt_seq && !load_checkpoint(f, s->ckpt_seq, rec))
		rec->from_checkpoint = true;
	else
		rc = persist_scan(f, rec);
	free(s);
	if (rc)
		return rc;
	for (uint64_t lu = 0; lu < f->geo->logical_units; lu++)
		if (f->l2p[lu] != CONV_UNMAPPED)
			persist_mapped(ps, (uint32_t)lu);
	rec->mapped_units = f->c.mapped_units;
	rec->wall_ns = mono_ns() - t0;
	return write_state(f, 0); /* from here on a crash must scan */
}

static bool wp_partial(const struct conv_ftl *f, const struct write_pointer *wp)
{
	return wp->line != CONV_LINE_NONE && wp->left_in_prog != f->geo->units_per_prog;
}

/* Write pointers with buffered data: the checkpoint's (nwps_of), then
 * the SLC cache's. */
static uint32_t nwps_buffering(const struct conv_ftl *f)
{
	return nwps_of(f) + 1;
}

/* Write pointer w of nwps_buffering(f): the host ones, the GC ones, then
 * the SLC cache's (a host one). */
static struct write_pointer *wp_at(struct conv_ftl *f, uint32_t w, bool *host)
{
	*host = w < f->nrg * f->nruh || w == nwps_of(f);
	if (w == nwps_of(f))
		return &f->slc.wp;
	return *host ? &f->host_wps[w] : &f->gc_wps[w - f->nrg * f->nruh];
}

int persist_drop_volatile(struct conv_ftl *f)
{
	static const struct media_oob erased;
	uint32_t n = nwps_buffering(f), upp = f->geo->units_per_prog;

	for (uint32_t w = 0; w < n; w++) {
		bool host;
		const struct write_pointer *wp = wp_at(f, w, &host);
		uint32_t buffered = upp - wp->left_in_prog;
		uint32_t end = wp->line * f->geo->units_per_line + wp->off;

		if (!wp_partial(f, wp))
			continue;
		for (uint32_t ppa = end - buffered; ppa < end; ppa++) {
			int rc = f->media->ops->write(f->media, ppa, NULL, &erased);

			if (rc)
				return rc;
		}
	}
	return 0;
}

int persist_program_buffers(struct conv_ftl *f, uint64_t now_ns)
{
	uint32_t n = nwps_buffering(f);

	for (uint32_t w = 0; w < n; w++) {
		bool host;
		struct write_pointer *wp = wp_at(f, w, &host);

		if (wp_partial(f, wp))
			conv_pad(f, wp, now_ns, host);
	}
	return write_trim_pages(f->ps, f->seq);
}
