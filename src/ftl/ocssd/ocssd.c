/*
 * Open-Channel SSD 2.0 chunks: the rules, the chunk table and its
 * recovery, and the timing of vector reads, writes and resets.
 *
 * A chunk's sector s sits where the device FTL's line `chk` would put it on
 * the chunk's die: program unit by program unit, so the same geometry
 * address math gives its die, flash page and page type.
 */
#include "ftl/ocssd/ocssd_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The chunk table as the media keeps it: what no scan can find. */
struct oc_chunk_rec {
	uint32_t erase_count;
	uint8_t offline;
	uint8_t rsvd[3];
};

static uint8_t bits_for(uint32_t n)
{
	uint8_t b = 0;

	while ((1ull << b) < n)
		b++;
	return b;
}

uint64_t ocssd_meta_bytes(const struct geometry *geo)
{
	return (uint64_t)geo->dies * geo->lines * sizeof(struct oc_chunk_rec);
}

bool ocssd_decode(const struct ocssd *oc, uint64_t lba, struct oc_addr *a)
{
	a->sec = (uint32_t)(lba & ((1ull << oc->sec_bits) - 1));
	lba >>= oc->sec_bits;
	a->chk = (uint32_t)(lba & ((1ull << oc->chk_bits) - 1));
	lba >>= oc->chk_bits;
	a->pu = (uint32_t)(lba & ((1ull << oc->pu_bits) - 1));
	lba >>= oc->pu_bits;
	a->grp = (uint32_t)lba;
	return a->grp < oc->ngrp && a->pu < oc->npu && a->chk < oc->nchk && a->sec < oc->clba;
}

uint64_t ocssd_encode(const struct ocssd *oc, struct oc_addr a)
{
	return ((((uint64_t)a.grp << oc->pu_bits | a.pu) << oc->chk_bits | a.chk) << oc->sec_bits) |
	       a.sec;
}

uint64_t ocssd_address_space(const struct ocssd *oc)
{
	return (uint64_t)oc->ngrp << (oc->pu_bits + oc->chk_bits + oc->sec_bits);
}

/* The die of a PU: groups are channels, and die d is on channel d % channels. */
static uint32_t die_of(const struct ocssd *oc, struct oc_addr a)
{
	return a.pu * oc->ngrp + a.grp;
}

/* The physical unit holding sector a. */
static uint32_t ppa_of(const struct ocssd *oc, struct oc_addr a)
{
	const struct geometry *geo = oc->geo;
	uint32_t upp = geo->units_per_prog;

	return a.chk * geo->units_per_line + a.sec / upp * upp * geo->dies + die_of(oc, a) * upp +
	       a.sec % upp;
}

static int save_chunk(struct ocssd *oc, uint32_t idx)
{
	struct oc_chunk_rec r = {.erase_count = oc->chunks[idx].erase_count,
				 .offline = oc->chunks[idx].state == NVME_OC_CHUNK_OFFLINE};

	if (!oc->media->keeps_data)
		return 0;
	return oc->media->ops->meta_write(oc->media, (uint64_t)idx * sizeof(r), &r, sizeof(r));
}

static struct oc_addr addr_of_index(const struct ocssd *oc, uint32_t idx)
{
	return (struct oc_addr){.grp = idx / oc->nchk / oc->npu,
				.pu = idx / oc->nchk % oc->npu,
				.chk = idx % oc->nchk};
}

/* A chunk's write pointer as its OOB shows it: sectors written since its
 * last reset carry rising sequence numbers from the first on. */
static int scan_wp(struct ocssd *oc, uint32_t idx, uint32_t *wp)
{
	struct oc_addr a = addr_of_index(oc, idx);
	uint32_t upp = oc->geo->units_per_prog;
	struct media_oob oob[upp];
	uint64_t last = 0;

	for (a.sec = 0; a.sec < oc->clba; a.sec += upp) {
		int rc = oc->media->ops->read_oob(oc->media, ppa_of(oc, a), upp, oob);

		if (rc)
			return rc;
		for (uint32_t i = 0; i < upp; i++) {
			if (oob[i].seq == 0 || oob[i].seq <= last) {
				*wp = a.sec + i;
				return 0;
			}
			last = oob[i].seq;
			if (last > oc->seq)
				oc->seq = last;
		}
	}
	*wp = oc->clba;
	return 0;
}

static int recover(struct ocssd *oc)
{
	uint32_t n = ocssd_nchunks(oc);

	for (uint32_t i = 0; i < n; i++) {
		struct oc_chunk_rec r;
		struct oc_chunk *c = &oc->chunks[i];
		int rc = oc->media->ops->meta_read(oc->media, (uint64_t)i * sizeof(r), &r,
						   sizeof(r));

		if (rc || (rc = scan_wp(oc, i, &c->wp)))
			return rc;
		c->erase_count = r.erase_count;
		c->state = r.offline	       ? NVME_OC_CHUNK_OFFLINE
			   : c->wp == 0	       ? NVME_OC_CHUNK_FREE
			   : c->wp == oc->clba ? NVME_OC_CHUNK_CLOSED
					       : NVME_OC_CHUNK_OPEN;
	}
	return 0;
}

int ocssd_init(struct ocssd *oc, const struct geometry *geo, const struct vssd_config *cfg,
	       struct timing *tm, struct media *media)
{
	struct rng offline_rng;
	uint32_t n;

	*oc = (struct ocssd){.geo = geo, .tm = tm, .media = media};
	oc->ngrp = geo->channels;
	oc->npu = geo->luns_per_channel;
	oc->nchk = geo->lines;
	oc->clba = geo->units_per_line / geo->dies;
	oc->sec_bits = bits_for(oc->clba);
	oc->chk_bits = bits_for(oc->nchk);
	oc->pu_bits = bits_for(oc->npu);
	oc->grp_bits = bits_for(oc->ngrp);
	/* a write is whole flash pages of every plane; a one-shot program unit
	 * is the best size, and until the next one is written the last one is
	 * still being programmed, so it cannot be read */
	oc->ws_min = geo->units_per_page * geo->planes;
	oc->ws_opt = geo->units_per_prog;
	oc->mw_cunits = geo->units_per_prog;
	oc->reset_free = cfg->ocssd_reset_free;
	oc->write_fail = cfg->ocssd_write_fail;
	oc->erase_fail = cfg->ocssd_erase_fail;
	oc->rated_pe = config_rated_pe_cycles(cfg);
	rng_seed(&oc->fault_rng, cfg->seed ^ 0x6f63737364ull);
	n = ocssd_nchunks(oc);
	oc->chunks = calloc(n, sizeof(*oc->chunks));
	if (!oc->chunks) {
		ocssd_fini(oc);
		return -ENOMEM;
	}
	if (media->reopened)
		return recover(oc);
	rng_seed(&offline_rng, cfg->seed ^ 0x626164ull);
	for (uint32_t i = 0; i < n; i++) {
		bool bad = cfg->ocssd_offline_rate > 0 &&
			   rng_unit(&offline_rng) < cfg->ocssd_offline_rate;
		int rc;

		oc->chunks[i].state = bad ? NVME_OC_CHUNK_OFFLINE : NVME_OC_CHUNK_FREE;
		if ((rc = save_chunk(oc, i)))
			return rc;
	}
	return 0;
}

void ocssd_fini(struct ocssd *oc)
{
	free(oc->chunks);
	oc->chunks = NULL;
}

/* Every chunk a write names gets a multiple of ws_min sectors from it. A
 * list names few chunks (a host stripes ws_opt sectors per chunk), so each
 * sector looks for its chunk among those seen so far, the last one first. */
static bool whole_write_units(const struct ocssd *oc, const uint64_t *lbas, uint32_t n)
{
	uint64_t chunk[NVME_OC_MAX_LBAS];
	uint32_t count[NVME_OC_MAX_LBAS], nchunks = 0, last = 0;

	for (uint32_t i = 0; i < n; i++) {
		uint64_t c = lbas[i] >> oc->sec_bits;

		if (!nchunks || chunk[last] != c) {
			for (last = 0; last < nchunks && chunk[last] != c; last++)
				;
			if (last == nchunks) {
				chunk[nchunks] = c;
				count[nchunks++] = 0;
			}
		}
		count[last]++;
	}
	for (uint32_t k = 0; k < nchunks; k++)
		if (count[k] % oc->ws_min)
			return false;
	return true;
}

/* The chunk's program unit that sector a completes is programmed. */
static void program_if_full(struct ocssd *oc, struct oc_addr a, uint64_t ready_ns)
{
	uint32_t upp = oc->geo->units_per_prog;
	struct timing *tm = oc->tm;

	if ((a.sec + 1) % upp || !tm->on)
		return;
	a.sec = a.sec + 1 - upp;
	nand_program(tm, die_of(oc, a), ready_ns, prog_time_ns(tm, ppa_of(oc, a)),
		     (uint64_t)upp * GEO_UNIT_BYTES);
}

/* One sector of a write, in list order. Returns its status. */
static uint16_t write_sector(struct ocssd *oc, uint64_t lba, const uint8_t *data,
			     const uint8_t *meta, uint64_t ready_ns)
{
	struct media_oob oob = {0};
	struct oc_addr a;
	struct oc_chunk *c;
	bool fail;
	int rc;

	if (!ocssd_decode(oc, lba, &a))
		return NVME_SC_LBA_RANGE;
	c = &oc->chunks[ocssd_chunk_index(oc, a)];
	if (c->state == NVME_OC_CHUNK_OFFLINE)
		return NVME_SC_OC_OFFLINE_CHUNK;
	if (c->state == NVME_OC_CHUNK_CLOSED || a.sec != c->wp)
		return NVME_SC_OC_OUT_OF_ORDER_WRITE;
	/* a failed program leaves its sector used but holding nothing */
	fail = oc->write_fail > 0 && rng_unit(&oc->fault_rng) < oc->write_fail;
	if (meta && !fail)
		memcpy(&oob, meta, OC_MS);
	else
		memset(&oob, 0xff, OC_MS);
	oob.seq = ++oc->seq;
	if ((rc = oc->media->ops->write(oc->media, ppa_of(oc, a), fail ? NULL : data, &oob)))
		return NVME_SC_WRITE_FAULT;
	c->wp++;
	c->state = c->wp == oc->clba ? NVME_OC_CHUNK_CLOSED : NVME_OC_CHUNK_OPEN;
	program_if_full(oc, a, ready_ns);
	oc->c.written_sectors++;
	if (fail)
		oc->c.write_faults++;
	return fail ? NVME_SC_WRITE_FAULT : 0;
}

uint64_t ocssd_write(struct ocssd *oc, const uint64_t *lbas, uint32_t n, const uint8_t *data,
		     const uint8_t *meta, uint64_t start_ns, uint16_t *st)
{
	struct timing *tm = oc->tm;
	uint64_t ready = start_ns, done = start_ns;

	if (!whole_write_units(oc, lbas, n)) {
		for (uint32_t i = 0; i < n; i++)
			st[i] = NVME_SC_INVALID_FIELD;
		oc->c.rule_violations++;
		return start_ns;
	}
	if (tm->on)
		ready = pcie_xfer(tm, PCIE_TO_DEVICE, fw_step(tm, start_ns, tm->fw_write_ns),
				  (uint64_t)n * GEO_UNIT_BYTES);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t t = tm->on ? wb_reserve(tm, ready, GEO_UNIT_BYTES) : start_ns;

		st[i] = write_sector(oc, lbas[i], data ? data + (uint64_t)i * GEO_UNIT_BYTES : NULL,
				     meta ? meta + (uint64_t)i * OC_MS : NULL, t);
		oc->c.rule_violations += st[i] && st[i] != NVME_SC_WRITE_FAULT;
		if (t > done)
			done = t;
	}
	return done;
}

/* Sectors an open chunk lets the host read: those mw_cunits behind its write pointer. */
static uint32_t readable_sectors(const struct ocssd *oc, const struct oc_chunk *c)
{
	if (c->state == NVME_OC_CHUNK_CLOSED)
		return oc->clba;
	if (c->state != NVME_OC_CHUNK_OPEN || c->wp < oc->mw_cunits)
		return 0;
	return c->wp - oc->mw_cunits;
}

static uint16_t read_sector(struct ocssd *oc, uint64_t lba, uint8_t *data, uint8_t *meta,
			    struct oc_addr *a)
{
	struct media_oob oob;
	const struct oc_chunk *c;

	if (!ocssd_decode(oc, lba, a))
		return NVME_SC_LBA_RANGE;
	c = &oc->chunks[ocssd_chunk_index(oc, *a)];
	if (c->state == NVME_OC_CHUNK_OFFLINE)
		return NVME_SC_OC_OFFLINE_CHUNK;
	if (a->sec >= readable_sectors(oc, c))
		return NVME_SC_UNWRITTEN;
	/* data is NULL when the media keeps none: the sector is not copied */
	if (oc->media->ops->read(oc->media, ppa_of(oc, *a), data, &oob))
		return NVME_SC_READ_ERROR;
	if (meta)
		memcpy(meta, &oob, OC_MS);
	oc->c.read_sectors++;
	return 0;
}

uint64_t ocssd_read(struct ocssd *oc, const uint64_t *lbas, uint32_t n, uint8_t *data,
		    uint8_t *meta, uint64_t start_ns, uint16_t *st)
{
	struct timing *tm = oc->tm;
	struct nand_read_batch senses;
	uint64_t bytes = 0, end;

	nand_read_batch_init(&senses, tm, oc->geo,
			     tm->on ? fw_step(tm, start_ns, tm->fw_read_ns) : start_ns);
	for (uint32_t i = 0; i < n; i++) {
		struct oc_addr a;

		st[i] = read_sector(oc, lbas[i], data ? data + (uint64_t)i * GEO_UNIT_BYTES : NULL,
				    meta ? meta + (uint64_t)i * OC_MS : NULL, &a);
		oc->c.rule_violations += st[i] && st[i] != NVME_SC_READ_ERROR;
		if (st[i])
			continue;
		nand_read_batch_add(&senses, ppa_of(oc, a));
		bytes += GEO_UNIT_BYTES;
	}
	end = nand_read_batch_end(&senses);
	return tm->on && bytes ? pcie_xfer(tm, PCIE_TO_HOST, end, bytes) : end;
}

static uint16_t reset_chunk(struct ocssd *oc, uint64_t lba, uint64_t start_ns, uint64_t *end_ns)
{
	struct media_oob erased = {0};
	struct oc_addr a;
	struct oc_chunk *c;
	uint32_t idx;
	bool fail;

	if (!ocssd_decode(oc, lba & ~((1ull << oc->sec_bits) - 1), &a))
		return NVME_SC_LBA_RANGE;
	idx = ocssd_chunk_index(oc, a);
	c = &oc->chunks[idx];
	if (c->state == NVME_OC_CHUNK_OFFLINE)
		return NVME_SC_OC_OFFLINE_CHUNK;
	if (c->state == NVME_OC_CHUNK_OPEN || (c->state == NVME_OC_CHUNK_FREE && !oc->reset_free))
		return NVME_SC_OC_INVALID_RESET;
	if (oc->tm->on) {
		uint64_t t = nand_erase(oc->tm, die_of(oc, a), start_ns);

		*end_ns = t > *end_ns ? t : *end_ns;
	}
	c->erase_count++;
	oc->c.resets++;
	/* a failed erase takes the chunk offline, for good */
	fail = oc->erase_fail > 0 && rng_unit(&oc->fault_rng) < oc->erase_fail;
	c->state = fail ? NVME_OC_CHUNK_OFFLINE : NVME_OC_CHUNK_FREE;
	c->wp = 0;
	oc->c.erase_faults += fail;
	a.sec = 0;
	if (oc->media->ops->write(oc->media, ppa_of(oc, a), NULL, &erased) || save_chunk(oc, idx))
		return NVME_SC_WRITE_FAULT;
	return fail ? NVME_SC_OC_OFFLINE_CHUNK : 0;
}

uint64_t ocssd_reset(struct ocssd *oc, const uint64_t *lbas, uint32_t n, uint64_t start_ns,
		     uint16_t *st)
{
	uint64_t end = oc->tm->on ? fw_step(oc->tm, start_ns, oc->tm->fw_write_ns) : start_ns;

	for (uint32_t i = 0; i < n; i++) {
		st[i] = reset_chunk(oc, lbas[i], end, &end);
		oc->c.rule_violations +=
			st[i] == NVME_SC_OC_INVALID_RESET || st[i] == NVME_SC_LBA_RANGE;
	}
	return end;
}

/* The largest of a per-page-type time: the slowest page type's. */
static uint32_t max_ns(const uint64_t *per_type, uint32_t types)
{
	uint64_t m = 0;

	for (uint32_t i = 0; i < types; i++)
		m = per_type[i] > m ? per_type[i] : m;
	return (uint32_t)m;
}

void ocssd_geometry(const struct ocssd *oc, struct nvme_oc_geometry *g)
{
	const struct timing *tm = oc->tm;
	uint32_t types = oc->geo->page_types;

	memset(g, 0, sizeof(*g));
	g->mjr = 2;
	g->mnr = 0;
	g->lbaf = (struct nvme_oc_lbaf){.grp_len = oc->grp_bits,
					.pu_len = oc->pu_bits,
					.chk_len = oc->chk_bits,
					.lba_len = oc->sec_bits};
	g->mccap = oc->reset_free ? NVME_OC_MCCAP_MULTIPLE_RESETS : 0;
	g->num_grp = (uint16_t)oc->ngrp;
	g->num_pu = (uint16_t)oc->npu;
	g->num_chk = oc->nchk;
	g->clba = oc->clba;
	g->ws_min = oc->ws_min;
	g->ws_opt = oc->ws_opt;
	g->mw_cunits = oc->mw_cunits;
	g->maxoc = 0; /* 0: any number of chunks may be open */
	g->maxocpu = 0;
	/* typical: the fastest (LSB) page; max: the slowest page type */
	g->trdt = (uint32_t)tm->read_ns[0];
	g->trdm = max_ns(tm->read_ns, types);
	g->twrt = (uint32_t)tm->prog_ns[0];
	g->twrm = max_ns(tm->prog_ns, types);
	g->tcrst = g->tcrsm = (uint32_t)tm->erase_ns;
}

void ocssd_chunk_desc(const struct ocssd *oc, uint32_t idx, struct nvme_oc_chunk_desc *d)
{
	const struct oc_chunk *c = &oc->chunks[idx];
	uint64_t wli = c->erase_count * 100 / oc->rated_pe;

	*d = (struct nvme_oc_chunk_desc){.cs = c->state,
					 .ct = NVME_OC_CHUNK_SEQ,
					 .wli = (uint8_t)(wli > 255 ? 255 : wli),
					 .slba = ocssd_encode(oc, addr_of_index(oc, idx)),
					 .cnlb = oc->clba,
					 .wp = c->wp};
}
