/*
 * Resource bookkeeping of the timing model. Each function takes the time its
 * input is ready, advances the resources it uses, and returns the time its
 * output is ready; callers chain them (firmware -> die -> channel -> PCIe).
 */
#include "nand/timing.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static inline uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static void fill_per_type(uint64_t *out, const struct ns_list *list, uint32_t types)
{
	for (uint32_t i = 0; i < types; i++)
		out[i] = list->count == 1 ? list->ns[0] : list->ns[i];
}

int timing_init(struct timing *tm, const struct geometry *geo, const struct vssd_config *cfg)
{
	memset(tm, 0, sizeof(*tm));
	tm->on = cfg->timing;
	tm->geo = geo;
	tm->die_free_ns = calloc(geo->dies, sizeof(uint64_t));
	tm->die_busy_ns = calloc(geo->dies, sizeof(uint64_t));
	tm->die_reg_free_ns = calloc(geo->dies, sizeof(uint64_t));
	tm->channel = calloc(geo->channels, sizeof(*tm->channel));
	if (tm->channel)
		for (uint32_t c = 0; c < geo->channels; c++)
			if (timeline_init(&tm->channel[c]))
				goto nomem;
	if (timeline_init(&tm->pcie[0]) || timeline_init(&tm->pcie[1]))
		goto nomem;
	fill_per_type(tm->read_ns, &cfg->read_ns, geo->page_types);
	tm->read_ns[NAND_PAGE_SLC] = cfg->slc_read_ns;
	fill_per_type(tm->prog_ns, &cfg->prog_ns, geo->page_types);
	for (uint32_t r = 0; r < geo->page_types; r++)
		tm->prog_ns_by_row[r] = prog_time_ns(tm, r * geo->line_dies * geo->units_per_prog);
	tm->erase_ns = cfg->erase_ns;
	if (cfg->suspend && !(tm->dq = calloc(geo->dies, sizeof(*tm->dq))))
		goto nomem;
	tm->suspend_ns = cfg->suspend_ns;
	tm->resume_ns = cfg->resume_ns;
	tm->suspend_max = (uint32_t)cfg->suspend_max;
	tm->channel_mbps = cfg->channel_mbps;
	tm->pcie_mbps = cfg->pcie_mbps;
	tm->fw_read_ns = cfg->fw_read_ns;
	tm->fw_write_ns = cfg->fw_write_ns;
	tm->fw_cores = (uint32_t)cfg->fw_cores;
	if (tm->fw_cores && !(tm->fw_free_ns = calloc(tm->fw_cores, sizeof(uint64_t))))
		goto nomem;
	tm->wb_bytes = cfg->write_buffer_bytes;
	tm->wb_free_bytes = cfg->write_buffer_bytes;
	if (!tm->die_free_ns || !tm->die_busy_ns || !tm->die_reg_free_ns || !tm->channel)
		goto nomem;
	return 0;
nomem:
	timing_fini(tm);
	return -ENOMEM;
}

void timing_fini(struct timing *tm)
{
	free(tm->die_free_ns);
	free(tm->die_busy_ns);
	free(tm->die_reg_free_ns);
	if (tm->channel)
		for (uint32_t c = 0; c < tm->geo->channels; c++)
			timeline_fini(&tm->channel[c]);
	free(tm->channel);
	timeline_fini(&tm->pcie[0]);
	timeline_fini(&tm->pcie[1]);
	free(tm->wb_pending.v);
	free(tm->fw_free_ns);
	tm->fw_free_ns = NULL;
	if (tm->dq)
		for (uint32_t d = 0; d < tm->geo->dies; d++)
			dq_fini(&tm->dq[d]);
	free(tm->dq);
	tm->dq = NULL;
	tm->die_free_ns = tm->die_busy_ns = tm->die_reg_free_ns = NULL;
	tm->channel = NULL;
	tm->wb_pending.v = NULL;
}

uint64_t fw_step_cores(struct timing *tm, uint64_t now_ns, uint64_t fw_ns)
{
	uint32_t first = 0;
	uint64_t start;

	/* commands arrive in time order, so the core free first serves them
	 * first come, first served */
	for (uint32_t c = 1; c < tm->fw_cores; c++)
		if (tm->fw_free_ns[c] < tm->fw_free_ns[first])
			first = c;
	start = max64(now_ns, tm->fw_free_ns[first]);
	tm->fw_free_ns[first] = start + fw_ns;
	return start + fw_ns;
}

/* nand_read with the die sensing for sense_ns. */
static uint64_t read_sensing(struct timing *tm, uint32_t die, uint64_t sense_ns, uint64_t start_ns,
			     uint32_t units)
{
	uint32_t ch = die % tm->geo->channels;
	uint64_t sense_start = max64(start_ns, tm->die_free_ns[die]);
	uint64_t sense_end = sense_start + sense_ns;
	uint64_t xfer_end = timeline_reserve(
		&tm->channel[ch], sense_end,
		xfer_ns((uint64_t)units * GEO_UNIT_BYTES, tm->channel_mbps), tm->floor_ns);

	/* cache read: the next sense may start when this one ends and the cache
	 * register has passed the previous page to the channel */
	tm->die_free_ns[die] = max64(sense_end, tm->die_reg_free_ns[die]);
	tm->die_reg_free_ns[die] = xfer_end;
	tm->die_busy_ns[die] += sense_ns;
	if (tm->dq) {
		uint32_t seq;

		dq_push(&tm->dq[die], DIE_OP_READ, sense_start, sense_end, false, &seq);
	}
	return xfer_end;
}

uint64_t nand_read(struct timing *tm, uint32_t die, uint32_t page_type, uint64_t start_ns,
		   uint32_t units)
{
	return read_sensing(tm, die, tm->read_ns[page_type], start_ns, units);
}

void nand_read_batch_init(struct nand_read_batch *b, struct timing *tm, const struct geometry *geo,
			  uint64_t start_ns)
{
	*b = (struct nand_read_batch){
		.tm = tm, .geo = geo, .start_ns = start_ns, .end_ns = start_ns, .page = UINT32_MAX};
}

/* Senses the page gathered so far, if any. */
static void batch_sense(struct nand_read_batch *b)
{
	uint64_t t;

	if (!b->units || !b->tm->on)
		return;
	t = nand_read(b->tm, b->die, geo_page_type_of(b->geo, b->page * b->geo->units_per_page),
		      b->start_ns, b->units);
	b->end_ns = t > b->end_ns ? t : b->end_ns;
}

void nand_read_batch_add(struct nand_read_batch *b, uint32_t ppa)
{
	uint32_t page = geo_flash_page_of(b->geo, ppa);

	if (page == b->page) {
		b->units++; /* the same flash page: one sense */
		return;
	}
	batch_sense(b);
	b->page = page;
	b->units = 1;
	b->die = geo_die_of(b->geo, ppa);
}

uint64_t nand_read_batch_end(struct nand_read_batch *b)
{
	batch_sense(b);
	b->units = 0;
	return b->end_ns;
}

/* Where a host read's sense goes on a die with suspend=on, from the earliest
 * time s it could start: ahead of queued work, inside a running program or
 * erase it suspends (or that is suspended for reads before it still), or
 * after a running read or an operation suspended suspend_max times. Moves
 * what it overtakes. Returns the sense's start; *extra_ns is the die time
 * a new suspension costs. */
static uint64_t place_host_read(struct timing *tm, struct die_queue *q, uint64_t s,
				uint64_t read_ns, uint64_t *extra_ns)
{
	uint32_t k = dq_first_ending_after(q, s);
	struct die_op *op = k < q->n ? dq_at(q, k) : NULL;
	uint64_t pause_ns = tm->suspend_ns + tm->resume_ns;

	*extra_ns = 0;
	if (!op || op->start_ns >= s) { /* idle or only queued work: go first */
		dq_push_back(q, k, s + read_ns);
		return s;
	}
	if (op->seq == q->susp_seq && s <= q->susp_reads_end_ns) {
		s = q->susp_reads_end_ns; /* the same suspension serves it */
	} else if (op->kind != DIE_OP_READ && op->suspensions < tm->suspend_max) {
		op->suspensions++;
		op->end_ns += pause_ns;
		*extra_ns = pause_ns;
		q->susp_seq = op->seq;
		s += tm->suspend_ns;
	} else {
		dq_push_back(q, k + 1, op->end_ns + read_ns);
		return op->end_ns;
	}
	op->end_ns += read_ns;
	q->susp_reads_end_ns = s + read_ns;
	dq_push_back(q, k + 1, op->end_ns);
	return s;
}

uint64_t nand_read_host(struct timing *tm, uint32_t die, uint32_t page_type, uint64_t start_ns,
			uint32_t units, uint32_t senses)
{
	struct die_queue *q;
	uint64_t read_ns = tm->read_ns[page_type] * senses, extra_ns, sense_start, sense_end,
		 xfer_end;

	if (!tm->dq)
		return read_sensing(tm, die, read_ns, start_ns, units);
	q = &tm->dq[die];
	dq_retire(q, tm->floor_ns);
	sense_start =
		place_host_read(tm, q, max64(start_ns, q->host_read_free_ns), read_ns, &extra_ns);
	sense_end = sense_start + read_ns;
	xfer_end = timeline_reserve(&tm->channel[die % tm->geo->channels], sense_end,
				    xfer_ns((uint64_t)units * GEO_UNIT_BYTES, tm->channel_mbps),
				    tm->floor_ns);
	/* cache read among host reads, as nand_read; the queued work moved */
	q->host_read_free_ns = max64(sense_end, tm->die_reg_free_ns[die]);
	tm->die_reg_free_ns[die] = xfer_end;
	tm->die_free_ns[die] = max64(tm->die_free_ns[die], q->host_read_free_ns);
	if (q->n)
		tm->die_free_ns[die] = max64(tm->die_free_ns[die], dq_at(q, q->n - 1)->end_ns);
	tm->die_busy_ns[die] += read_ns + extra_ns;
	return xfer_end;
}

static void wb_release_at(struct timing *tm, uint64_t at_ns, uint64_t bytes, uint32_t die,
			  uint64_t seq)
{
	/* no memory for the entry: the space is freed now rather than never */
	if (wb_heap_push(
		    &tm->wb_pending,
		    (struct wb_release){.at_ns = at_ns, .bytes = bytes, .seq = seq, .die = die}))
		tm->wb_free_bytes += bytes;
}

uint64_t nand_program(struct timing *tm, uint32_t die, uint64_t ready_ns, uint64_t prog_ns,
		      uint64_t wb_bytes)
{
	uint32_t ch = die % tm->geo->channels;
	uint64_t bytes = (uint64_t)tm->geo->units_per_prog * GEO_UNIT_BYTES;
	uint64_t xfer_end = timeline_reserve(&tm->channel[ch], ready_ns,
					     xfer_ns(bytes, tm->channel_mbps), tm->floor_ns);
	/* cache program: data crosses the channel while the die is still busy;
	 * the program waits for the die and for its registers to be free */
	uint64_t prog_start =
		max64(xfer_end, max64(tm->die_free_ns[die], tm->die_reg_free_ns[die]));
	uint64_t prog_end = prog_start + prog_ns;

	tm->die_free_ns[die] = prog_end;
	tm->die_busy_ns[die] += prog_ns;
	if (tm->dq) {
		struct die_queue *q = &tm->dq[die];
		uint32_t seq = 0;
		bool tracked;

		dq_retire(q, tm->floor_ns);
		tracked = dq_push(q, DIE_OP_PROGRAM, prog_start, prog_end, wb_bytes > 0, &seq);
		if (wb_bytes)
			wb_release_at(tm, prog_end, wb_bytes, tracked ? die : WB_UNTIED, seq);
	} else if (wb_bytes) {
		wb_release_at(tm, prog_end, wb_bytes, WB_UNTIED, 0);
	}
	return prog_end;
}

uint64_t nand_erase(struct timing *tm, uint32_t die, uint64_t start_ns)
{
	uint64_t begin = max64(max64(start_ns, tm->die_free_ns[die]), tm->die_reg_free_ns[die]);

	tm->die_free_ns[die] = begin + tm->erase_ns;
	tm->die_busy_ns[die] += tm->erase_ns;
	if (tm->dq) {
		dq_retire(&tm->dq[die], tm->floor_ns);
		uint32_t seq;

		dq_push(&tm->dq[die], DIE_OP_ERASE, begin, begin + tm->erase_ns, false, &seq);
	}
	return begin + tm->erase_ns;
}

uint64_t pcie_xfer(struct timing *tm, enum pcie_dir dir, uint64_t start_ns, uint64_t bytes)
{
	return timeline_reserve(&tm->pcie[dir], start_ns, xfer_ns(bytes, tm->pcie_mbps),
				tm->floor_ns);
}

uint64_t prog_time_ns(const struct timing *tm, uint32_t prog_start_ppa)
{
	uint64_t worst = 0;

	for (uint32_t p = 0; p < tm->geo->oneshot_pages; p++) {
		uint32_t type = geo_prog_page_type(tm->geo, prog_start_ppa, p);

		worst = max64(worst, tm->prog_ns[type]);
	}
	return worst;
}

/* The die's program record, when a suspension may have moved its end. */
static struct die_op *release_op(const struct timing *tm, const struct wb_release *r)
{
	return r->die == WB_UNTIED ? NULL : dq_find(&tm->dq[r->die], r->seq);
}

/* The earliest release, its time first made its program's real end: a
 * release whose program a suspension moved goes back in at the new end
 * (times only grow, so the heap stays in order) until the top is exact. */
static const struct wb_release *wb_top(struct timing *tm)
{
	if (!tm->dq) /* nothing moves */
		return &tm->wb_pending.v[0];
	for (;;) {
		const struct wb_release *r = &tm->wb_pending.v[0];
		const struct die_op *op = release_op(tm, r);
		struct wb_release moved;

		if (!op || op->end_ns <= r->at_ns)
			return r;
		moved = wb_heap_pop(&tm->wb_pending);
		moved.at_ns = op->end_ns;
		wb_heap_push(&tm->wb_pending, moved); /* room: one just left */
	}
}

/* Takes the top release off (wb_top made it exact). */
static struct wb_release wb_take(struct timing *tm)
{
	struct wb_release r = wb_heap_pop(&tm->wb_pending);
	struct die_op *op = release_op(tm, &r);

	if (op)
		op->wb_pending = false;
	return r;
}

uint64_t wb_reserve(struct timing *tm, uint64_t now_ns, uint64_t bytes)
{
	while (tm->wb_pending.len && wb_top(tm)->at_ns <= now_ns)
		tm->wb_free_bytes += wb_take(tm).bytes;
	/* a full buffer blocks the write until enough programs have ended; space
	 * freed by a program ending in the future is free only from then on */
	while (tm->wb_free_bytes < bytes && tm->wb_pending.len) {
		struct wb_release r;

		wb_top(tm);
		r = wb_take(tm);

		tm->wb_free_bytes += r.bytes;
		tm->wb_free_from_ns = max64(tm->wb_free_from_ns, r.at_ns);
	}
	tm->wb_free_bytes -= bytes < tm->wb_free_bytes ? bytes : tm->wb_free_bytes;
	return max64(now_ns, tm->wb_free_from_ns);
}

uint64_t wb_drained_ns(const struct timing *tm)
{
	uint64_t t = 0;

	for (uint32_t i = 0; i < tm->wb_pending.len; i++) {
		const struct wb_release *r = &tm->wb_pending.v[i];
		const struct die_op *op = release_op(tm, r);

		t = max64(t, op ? max64(op->end_ns, r->at_ns) : r->at_ns);
	}
	return t;
}

uint64_t timing_dies_free_ns(const struct timing *tm)
{
	uint64_t t = 0;

	for (uint32_t d = 0; d < tm->geo->dies; d++)
		t = max64(t, max64(tm->die_free_ns[d], tm->die_reg_free_ns[d]));
	return t;
}

void timing_cut_busy(struct timing *tm, uint64_t cut_ns)
{
	for (uint32_t d = 0; d < tm->geo->dies; d++) {
		uint64_t past = tm->die_free_ns[d] > cut_ns ? tm->die_free_ns[d] - cut_ns : 0;

		tm->die_busy_ns[d] -= past < tm->die_busy_ns[d] ? past : tm->die_busy_ns[d];
	}
}
