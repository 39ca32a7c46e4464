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
	fill_per_type(tm->prog_ns, &cfg->prog_ns, geo->page_types);
	for (uint32_t r = 0; r < geo->page_types; r++)
		tm->prog_ns_by_row[r] = prog_time_ns(tm, r * geo->line_dies * geo->units_per_prog);
	tm->erase_ns = cfg->erase_ns;
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
	tm->die_free_ns = tm->die_busy_ns = tm->die_reg_free_ns = NULL;
	tm->channel = NULL;
	tm->wb_pending.v = NULL;
}

uint64_t fw_step(struct timing *tm, uint64_t now_ns, uint64_t fw_ns)
{
	uint32_t first = 0;
	uint64_t start;

	if (!tm->fw_cores)
		return now_ns + fw_ns;
	/* commands arrive in time order, so the core free first serves them
	 * first come, first served */
	for (uint32_t c = 1; c < tm->fw_cores; c++)
		if (tm->fw_free_ns[c] < tm->fw_free_ns[first])
			first = c;
	start = max64(now_ns, tm->fw_free_ns[first]);
	tm->fw_free_ns[first] = start + fw_ns;
	return start + fw_ns;
}

uint64_t nand_read(struct timing *tm, uint32_t die, uint32_t page_type, uint64_t start_ns,
		   uint32_t units)
{
	uint32_t ch = die % tm->geo->channels;
	uint64_t sense_start = max64(start_ns, tm->die_free_ns[die]);
	uint64_t sense_end = sense_start + tm->read_ns[page_type];
	uint64_t xfer_end = timeline_reserve(
		&tm->channel[ch], sense_end,
		xfer_ns((uint64_t)units * GEO_UNIT_BYTES, tm->channel_mbps), tm->floor_ns);

	/* cache read: the next sense may start when this one ends and the cache
	 * register has passed the previous page to the channel */
	tm->die_free_ns[die] = max64(sense_end, tm->die_reg_free_ns[die]);
	tm->die_reg_free_ns[die] = xfer_end;
	tm->die_busy_ns[die] += tm->read_ns[page_type];
	return xfer_end;
}

uint64_t nand_program(struct timing *tm, uint32_t die, uint64_t ready_ns, uint64_t prog_ns)
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
	return prog_end;
}

uint64_t nand_erase(struct timing *tm, uint32_t die, uint64_t start_ns)
{
	uint64_t begin = max64(max64(start_ns, tm->die_free_ns[die]), tm->die_reg_free_ns[die]);

	tm->die_free_ns[die] = begin + tm->erase_ns;
	tm->die_busy_ns[die] += tm->erase_ns;
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

int wb_release_at(struct timing *tm, uint64_t at_ns, uint64_t bytes)
{
	return wb_heap_push(&tm->wb_pending, (struct wb_release){at_ns, bytes});
}

uint64_t wb_reserve(struct timing *tm, uint64_t now_ns, uint64_t bytes)
{
	while (tm->wb_pending.len && tm->wb_pending.v[0].at_ns <= now_ns)
		tm->wb_free_bytes += wb_heap_pop(&tm->wb_pending).bytes;
	/* a full buffer blocks the write until enough programs have ended; space
	 * freed by a program ending in the future is free only from then on */
	while (tm->wb_free_bytes < bytes && tm->wb_pending.len) {
		struct wb_release r = wb_heap_pop(&tm->wb_pending);

		tm->wb_free_bytes += r.bytes;
		tm->wb_free_from_ns = max64(tm->wb_free_from_ns, r.at_ns);
	}
	tm->wb_free_bytes -= bytes < tm->wb_free_bytes ? bytes : tm->wb_free_bytes;
	return max64(now_ns, tm->wb_free_from_ns);
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
