/*
 * Turning a job spec into I/O: the region is [offset, offset + size), cut
 * into bs blocks; sequential jobs walk it and wrap, random jobs draw from
 * the distribution; the job stops after io_size (or size) times loops bytes,
 * number_ios I/Os, or never when time_based (the runtime stops it).
 */
#include "workload/generator.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* What a replay cannot do: it ends with the trace (its loops, number_ios
 * or runtime), so there is nothing for time_based to repeat. */
static const char *trace_refusal(const struct job_spec *spec)
{
	return spec->time_based ? "time_based" : NULL;
}

/* The first replay option a job without a trace sets, or NULL. */
static const char *replay_option_set(const struct job_spec *spec)
{
	if (spec->replay_no_stall)
		return "replay_no_stall";
	if (spec->replay_time_scale != 100)
		return "replay_time_scale";
	if (spec->replay_scale != 1)
		return "replay_scale";
	if (spec->replay_align)
		return "replay_align";
	if (spec->trace_format[0])
		return "trace_format";
	if (spec->trace_volume_set)
		return "trace_volume";
	if (spec->replay_past_end != PAST_END_ERROR)
		return "replay_past_end";
	return spec->replay_skip ? "replay_skip" : NULL;
}

/* fio's replay options on the loaded trace: kinds skipped, offsets scaled
 * and aligned, timestamps scaled to the rate asked. */
static void shape_trace(struct trace *t, const struct job_spec *spec)
{
	size_t kept = 0;

	for (size_t i = 0; i < t->n; i++) {
		struct trace_rec r = t->rec[i];

		if (spec->replay_skip & (1u << r.dir))
			continue;
		r.offset /= spec->replay_scale;
		if (spec->replay_align)
			r.offset &= ~(spec->replay_align - 1);
		r.t_ns = (uint64_t)((unsigned __int128)r.t_ns * 100 / spec->replay_time_scale);
		t->rec[kept++] = r;
	}
	t->n = kept;
}

/* Requests past the device's end, as replay_past_end says: an error naming
 * the first (the default), wrapped modulo the device (moved back to fit
 * when one would still cross the end), or left out. */
static int place_past_end(struct job_gen *g, uint64_t capacity_bytes, char *err, size_t errlen)
{
	size_t kept = 0;

	for (size_t i = 0; i < g->trace.n; i++) {
		struct trace_rec r = g->trace.rec[i];
		bool past = r.dir != DIR_FLUSH &&
			    (r.offset >= capacity_bytes || r.len > capacity_bytes - r.offset);

		if (past &&
		    (g->spec->replay_past_end == PAST_END_ERROR || r.len > capacity_bytes)) {
			snprintf(err, errlen,
				 "%s:%u: request at offset %llu length %llu is past "
				 "the device's end (%llu bytes)%s",
				 g->spec->read_iolog, r.line, (unsigned long long)r.offset,
				 (unsigned long long)r.len, (unsigned long long)capacity_bytes,
				 r.len > capacity_bytes
					 ? ""
					 : "; replay_past_end=wrap or skip replays it");
			return -EINVAL;
		}
		if (past && g->spec->replay_past_end == PAST_END_SKIP)
			continue;
		if (past) {
			r.offset = r.offset % capacity_bytes / g->lba_bytes * g->lba_bytes;
			if (r.len > capacity_bytes - r.offset)
				r.offset = (capacity_bytes - r.len) / g->lba_bytes * g->lba_bytes;
		}
		g->trace.rec[kept++] = r;
	}
	g->trace.n = kept;
	if (!kept) {
		snprintf(err, errlen, "job '%s': every request of %s is past the device's end",
			 g->spec->name, g->spec->read_iolog);
		return -EINVAL;
	}
	return 0;
}

static int init_trace(struct job_gen *g, uint64_t capacity_bytes, char *err, size_t errlen)
{
	const char *refused = trace_refusal(g->spec);
	int rc;

	if (refused) {
		snprintf(err, errlen,
			 "job '%s': %s with read_iolog is not supported (a trace is "
			 "replayed once, as recorded; runtime may stop it early)",
			 g->spec->name, refused);
		return -EINVAL;
	}
	struct trace_select sel = {g->spec->trace_format[0] ? g->spec->trace_format : NULL,
				   g->spec->trace_volume_set, g->spec->trace_volume};

	if ((rc = trace_load_select(g->spec->read_iolog, &sel, &g->trace, err, errlen)))
		return rc;
	shape_trace(&g->trace, g->spec);
	if (!g->trace.n) {
		snprintf(err, errlen, "job '%s': replay_skip leaves no request of %s to replay",
			 g->spec->name, g->spec->read_iolog);
		trace_free(&g->trace);
		return -EINVAL;
	}
	if ((rc = trace_summarize(&g->trace, capacity_bytes, &g->trace_summary)) ||
	    (rc = place_past_end(g, capacity_bytes, err, errlen))) {
		trace_free(&g->trace);
		return rc;
	}
	for (size_t i = 0; i < g->trace.n; i++)
		if (g->trace.rec[i].len + 2ULL * g->lba_bytes > g->max_io_bytes)
			g->max_io_bytes = g->trace.rec[i].len + 2ULL * g->lba_bytes;
	g->budget_bytes = UINT64_MAX;
	return 0;
}

/* The placement identifiers a job's writes carry: fio's placement ID
 * indices pick entries of the device's reclaim unit handle status list
 * (pids); without a list, the first MAX_PLIS entries. */
static int init_placement(struct job_gen *g, const struct job_spec *spec, const uint16_t *pids,
			  uint32_t npids, char *err, size_t errlen)
{
	if (!spec->fdp)
		return 0;
	if (!npids) {
		snprintf(err, errlen, "job '%s': fdp=1, but the device has fdp=off (set fdp=on)",
			 spec->name);
		return -EINVAL;
	}
	g->nplis = spec->nplis ? spec->nplis : (npids < MAX_PLIS ? npids : MAX_PLIS);
	for (uint32_t i = 0; i < g->nplis; i++) {
		uint32_t idx = spec->nplis ? spec->plis[i] : i;

		if (idx >= npids) {
			snprintf(err, errlen,
				 "job '%s': placement ID index %u, but the device has %u "
				 "placement identifiers (placement handles x reclaim groups)",
				 spec->name, idx, npids);
			return -EINVAL;
		}
		g->plis[i] = pids[idx];
	}
	return 0;
}

int gen_init(struct job_gen *g, const struct job_spec *spec, uint64_t dev_lbas, uint32_t lba_bytes,
	     const uint16_t *pids, uint32_t npids, uint64_t seed, char *err, size_t errlen)
{
	uint64_t capacity = dev_lbas * lba_bytes, offset, size, amount;
	int rc;

	memset(g, 0, sizeof(*g));
	g->spec = spec;
	g->lba_bytes = lba_bytes;
	rng_seed(&g->rng, spec->randseed_set ? spec->randseed : seed);
	if ((rc = init_placement(g, spec, pids, npids, err, errlen)))
		return rc;
	if (spec->read_iolog[0])
		return init_trace(g, capacity, err, errlen);
	if (replay_option_set(spec)) {
		snprintf(err, errlen, "job '%s': %s needs read_iolog (a trace to replay)",
			 spec->name, replay_option_set(spec));
		return -EINVAL;
	}
	if (spec->bs % lba_bytes) {
		snprintf(err, errlen,
			 "job '%s': bs=%llu is not a multiple of the device's "
			 "lba_bytes=%u",
			 spec->name, (unsigned long long)spec->bs, lba_bytes);
		return -EINVAL;
	}
	offset = size_value_bytes(&spec->offset, capacity) / lba_bytes * lba_bytes;
	if (offset >= capacity) {
		snprintf(err, errlen, "job '%s': offset=%llu is past the device's end (%llu bytes)",
			 spec->name, (unsigned long long)offset, (unsigned long long)capacity);
		return -EINVAL;
	}
	size = spec->size.set ? size_value_bytes(&spec->size, capacity) : capacity - offset;
	if (size > capacity - offset) {
		snprintf(err, errlen,
			 "job '%s': offset + size = %llu is past the device's end "
			 "(%llu bytes)",
			 spec->name, (unsigned long long)(offset + size),
			 (unsigned long long)capacity);
		return -EINVAL;
	}
	if (size < spec->bs) {
		snprintf(err, errlen, "job '%s': size=%llu is smaller than bs=%llu", spec->name,
			 (unsigned long long)size, (unsigned long long)spec->bs);
		return -EINVAL;
	}
	g->region_lba = offset / lba_bytes;
	g->bs_lbas = (uint32_t)(spec->bs / lba_bytes);
	g->nblocks = size / spec->bs;
	g->max_io_bytes = spec->bs;
	amount = spec->io_size.set ? size_value_bytes(&spec->io_size, capacity) : size;
	g->budget_bytes = spec->time_based ? UINT64_MAX : amount * spec->loops;
	dist_init(&g->dist, spec, g->nblocks, rng_next(&g->rng));
	return 0;
}

void gen_fini(struct job_gen *g)
{
	trace_free(&g->trace);
}

/* The next write's placement identifier, as fio's roundrobin or random. */
static int32_t next_pid(struct job_gen *g)
{
	if (!g->nplis)
		return -1;
	if (g->spec->pli_random)
		return g->plis[rng_below(&g->rng, g->nplis)];
	return g->plis[g->next_pli++ % g->nplis];
}

static bool next_from_trace(struct job_gen *g, struct io_req *io)
{
	const struct trace_rec *r;
	uint64_t end;

	if (g->spec->number_ios && g->issued_ios == g->spec->number_ios)
		return false;
	if (g->trace_pos == g->trace.n) { /* the next loop starts where this one ended */
		if (++g->trace_loop == g->spec->loops)
			return false;
		g->trace_base_ns += g->trace.rec[g->trace.n - 1].t_ns;
		g->trace_pos = 0;
	}
	r = &g->trace.rec[g->trace_pos++];
	g->issued_ios++;
	io->dir = r->dir;
	io->pid = r->dir == DIR_WRITE ? next_pid(g) : -1;
	io->not_before_ns = g->spec->replay_no_stall ? 0 : g->trace_base_ns + r->t_ns;
	if (r->dir == DIR_FLUSH) {
		io->slba = 0;
		io->nlb = 0;
		return true;
	}
	/* a request that is not LBA-aligned covers every LBA it touches */
	io->slba = r->offset / g->lba_bytes;
	end = (r->offset + r->len + g->lba_bytes - 1) / g->lba_bytes;
	io->nlb = (uint32_t)(end - io->slba);
	return true;
}

static uint8_t next_dir(struct job_gen *g)
{
	switch (g->spec->rw) {
	case RW_READ: return DIR_READ;
	case RW_WRITE: return DIR_WRITE;
	case RW_TRIM: return DIR_TRIM;
	default: return rng_below(&g->rng, 100) < g->spec->rwmixread ? DIR_READ : DIR_WRITE;
	}
}

bool gen_next(struct job_gen *g, struct io_req *io)
{
	uint64_t block;

	if (g->trace.n)
		return next_from_trace(g, io);
	if (g->issued_bytes >= g->budget_bytes)
		return false;
	if (g->spec->number_ios && g->issued_ios >= g->spec->number_ios)
		return false;
	io->dir = next_dir(g);
	if (g->spec->random)
		block = dist_next(&g->dist, &g->rng);
	else
		block = g->seq_block++ % g->nblocks;
	io->slba = g->region_lba + block * g->bs_lbas;
	io->nlb = g->bs_lbas;
	io->not_before_ns = 0;
	io->pid = io->dir == DIR_WRITE ? next_pid(g) : -1;
	g->issued_bytes += g->spec->bs;
	g->issued_ios++;
	return true;
}
