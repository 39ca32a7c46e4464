/*
 * The human summary: fio's familiar per-job lines, then what only an
 * emulator can show: per-group WAF and GC, device totals, die utilisation.
 */
#include "report/report.h"

static const char *const dir_names[] = {"read", "write", "trim"};

static void bytes_text(uint64_t b, char *out, size_t n)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)b;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(out, n, "%.*f%s", u ? 2 : 0, v, units[u]);
}

void report_trace_text(FILE *out, const char *format, const struct trace_summary *s,
		       const char *indent)
{
	char fp[32], lo[32], hi[32], cap[32];
	uint64_t n = s->n[DIR_READ] + s->n[DIR_WRITE] + s->n[DIR_TRIM] + s->n[DIR_FLUSH];

	bytes_text(s->footprint_bytes, fp, sizeof(fp));
	bytes_text(s->lowest, lo, sizeof(lo));
	bytes_text(s->highest, hi, sizeof(hi));
	bytes_text(s->capacity_bytes, cap, sizeof(cap));
	fprintf(out,
		"%strace (%s): %llu requests (%llu reads, %llu writes, %llu trims, %llu "
		"flushes) over %.6f s, bytes %s to %s, footprint %s (%.1f%% of the device's %s)\n",
		indent, format, (unsigned long long)n, (unsigned long long)s->n[DIR_READ],
		(unsigned long long)s->n[DIR_WRITE], (unsigned long long)s->n[DIR_TRIM],
		(unsigned long long)s->n[DIR_FLUSH], (double)s->span_ns / 1e9, lo, hi, fp,
		s->capacity_bytes ? 100.0 * (double)s->footprint_bytes / (double)s->capacity_bytes
				  : 0.0,
		cap);
	fprintf(out, "%ssizes:", indent);
	for (uint32_t b = 0; b < TRACE_SIZE_BUCKETS; b++)
		fprintf(out, " %s%uk %llu", b == TRACE_SIZE_BUCKETS - 1 ? ">" : "<=",
			4u << (b == TRACE_SIZE_BUCKETS - 1 ? b - 1 : b),
			(unsigned long long)s->size_hist[b]);
	if (s->past_end)
		fprintf(out, "; %llu past the device's end (the first at line %u)",
			(unsigned long long)s->past_end, s->first_past_end_line);
	fprintf(out, "\n");
	for (uint32_t i = 0; i < s->nwarnings; i++)
		fprintf(out, "%swarning: %s\n", indent, s->warning[i]);
}

static void job_text(FILE *out, const struct sim_job_result *j, const char *clock)
{
	const struct job_spec *s = j->spec;
	uint64_t runtime_ns = j->end_ns - j->start_ns;
	double secs = (double)runtime_ns / 1e9;

	fprintf(out, "%s: (groupid=%d)", s->name, s->group);
	if (s->bs) /* a generated job; a served export has no fixed block size */
		fprintf(out, " bs=%llu iodepth=%u", (unsigned long long)s->bs, s->iodepth);
	fprintf(out, "%s%s\n", s->read_iolog[0] ? " replay=" : "", s->read_iolog);
	if (j->trace_format)
		report_trace_text(out, j->trace_format, &j->trace, "  ");
	for (int d = 0; d < NDIR_STATS; d++) {
		const struct lat_stats *l = &j->dir[d];
		char total[32], bw[32];

		if (!l->n)
			continue;
		bytes_text(l->bytes, total, sizeof(total));
		bytes_text(secs > 0 ? (uint64_t)((double)l->bytes / secs) : 0, bw, sizeof(bw));
		fprintf(out, "  %5s: IOPS=%.0f, BW=%s/s (%s in %.3f s %s)\n", dir_names[d],
			secs > 0 ? (double)l->n / secs : 0, bw, total, secs, clock);
		fprintf(out, "    lat (usec): min=%.2f, max=%.2f, avg=%.2f, stdev=%.2f\n",
			(double)l->min_ns / 1e3, (double)l->max_ns / 1e3, lat_stats_mean(l) / 1e3,
			lat_stats_stddev(l) / 1e3);
		fprintf(out,
			"    clat percentiles (usec): 50th=%.1f 90th=%.1f 99th=%.1f "
			"99.9th=%.1f 99.99th=%.1f\n",
			(double)lat_stats_percentile(l, 50) / 1e3,
			(double)lat_stats_percentile(l, 90) / 1e3,
			(double)lat_stats_percentile(l, 99) / 1e3,
			(double)lat_stats_percentile(l, 99.9) / 1e3,
			(double)lat_stats_percentile(l, 99.99) / 1e3);
	}
	if (j->errors)
		fprintf(out, "  errors: %llu commands failed (continue_on_error); the first: %s\n",
			(unsigned long long)j->errors, j->first_error);
	if (s->verify && s->rw != RW_READ && !s->do_verify)
		fprintf(out, "  verify: blocks stamped for a later check (do_verify=0)\n");
	else if (s->verify)
		fprintf(out, "  verify: %llu blocks checked, %llu bad%s%s\n",
			(unsigned long long)j->verify_blocks, (unsigned long long)j->verify_bad,
			j->verify_bad ? "; the first at " : "",
			j->verify_bad ? j->verify_first_bad : "");
}

/* What recovery had to discard or take from a second copy, one clause each. */
static void discarded_text(FILE *out, const struct ftl_recovery *r)
{
	const struct {
		uint64_t n;
		const char *what;
	} parts[] = {
		{r->state_blocks_damaged,
		 "state blocks damaged (counters from the other, or anew)"},
		{r->oob_from_copy, "units' OOB read from its second copy"},
		{r->oob_lost,
		 "units lost (both OOB copies damaged): they read as older data or unwritten"},
		{r->trim_pages_from_copy, "trim pages read from their second copy"},
		{r->trim_pages_damaged,
		 "trim pages damaged (both copies): trims they held may be undone"},
	};

	if (r->ckpt_rejected)
		fprintf(out, "  the checkpoint was not used: %s; the device was scanned\n",
			r->ckpt_rejected);
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (parts[i].n)
			fprintf(out, "  %llu %s\n", (unsigned long long)parts[i].n, parts[i].what);
}

/* "1.00GiB of data recovered by scanning 262144 units in 80.1 ms wall" */
static void recovery_text(FILE *out, const struct ftl_recovery *r)
{
	char data[32];

	bytes_text(r->mapped_units * GEO_UNIT_BYTES, data, sizeof(data));
	if (r->from_checkpoint)
		fprintf(out, "%s of data recovered from the checkpoint", data);
	else
		fprintf(out, "%s of data recovered by scanning %llu units", data,
			(unsigned long long)r->units_scanned);
	fprintf(out, " in %.1f ms wall\n", (double)r->wall_ns / 1e6);
	discarded_text(out, r);
}

/* zftl's figures: its zones, what it wrote, its GC. */
static void zftl_text(FILE *out, const struct zftl_stats *z, uint64_t media_bytes)
{
	char cap[32], user[32];

	bytes_text(z->capacity_sectors * GEO_UNIT_BYTES, cap, sizeof(cap));
	bytes_text(z->user_sectors * GEO_UNIT_BYTES, user, sizeof(user));
	fprintf(out,
		"\nzftl: capacity %s; %llu zones of %llu sectors: %llu free, %llu open, %llu full, "
		"%llu offline\n",
		cap, (unsigned long long)z->zones, (unsigned long long)z->zone_sectors,
		(unsigned long long)z->free_zones, (unsigned long long)z->open_zones,
		(unsigned long long)z->full_zones, (unsigned long long)z->offline_zones);
	fprintf(out, "  wrote: user %s, GC %llu sectors; WAF %.3f (user + GC), %.3f to the media\n",
		user, (unsigned long long)z->gc_sectors, zftl_stats_waf(z),
		waf_of(media_bytes, z->user_sectors * GEO_UNIT_BYTES));
	fprintf(out,
		"  GC: %llu zones collected and reset, %llu copies overwritten while moving; "
		"%llu user writes waited for a free zone\n",
		(unsigned long long)z->gc_zones, (unsigned long long)z->gc_dead_sectors,
		(unsigned long long)z->stalled_writes);
}

static const char *const rl_state_names[] = {"off", "write-error lines", "GC shares", "GC only"};

/* pblk's figures, as its sysfs showed them. */
static void pblk_text(FILE *out, const struct pblk_stats *p, uint64_t media_bytes, bool restarted)
{
	char cap[32], user[32];

	bytes_text(p->capacity_sectors * GEO_UNIT_BYTES, cap, sizeof(cap));
	bytes_text(p->user_sectors * GEO_UNIT_BYTES, user, sizeof(user));
	fprintf(out,
		"\npblk%s: capacity %s; %llu lines: %llu free, %llu open, %llu closed, %llu bad; "
		"%llu bad chunks\n",
		restarted ? " (since its start after the last power loss)" : "", cap,
		(unsigned long long)p->lines, (unsigned long long)p->free_lines,
		(unsigned long long)p->open_lines, (unsigned long long)p->closed_lines,
		(unsigned long long)p->bad_lines, (unsigned long long)p->bad_chunks);
	fprintf(out,
		"  wrote: user %s, GC %llu sectors, padding %llu, metadata %llu; "
		"WAF %.3f (user + GC + padding)",
		user, (unsigned long long)p->gc_sectors, (unsigned long long)p->pad_sectors,
		(unsigned long long)p->meta_sectors, pblk_stats_waf(p));
	if (!restarted) /* the device counts from the run's start, pblk from its own */
		fprintf(out, ", %.3f to the media",
			waf_of(media_bytes, p->user_sectors * GEO_UNIT_BYTES));
	fprintf(out, "\n");
	fprintf(out,
		"  GC: %llu lines collected; closed lines by group: write error %llu, "
		"empty %llu, <1/8 valid %llu, <1/2 %llu, <all %llu, full %llu\n",
		(unsigned long long)p->gc_lines,
		(unsigned long long)p->gc_group[PBLK_GC_GROUP_WERR],
		(unsigned long long)p->gc_group[PBLK_GC_GROUP_EMPTY],
		(unsigned long long)p->gc_group[PBLK_GC_GROUP_HIGH],
		(unsigned long long)p->gc_group[PBLK_GC_GROUP_MID],
		(unsigned long long)p->gc_group[PBLK_GC_GROUP_LOW],
		(unsigned long long)p->gc_group[PBLK_GC_GROUP_FULL]);
	fprintf(out,
		"  rate limiter: %s; buffer %llu entries, user max %llu, GC max %llu; "
		"%llu free chunks (GC from %llu, user stops at %llu)\n",
		rl_state_names[p->rl_state], (unsigned long long)p->rb_budget,
		(unsigned long long)p->rb_user_max, (unsigned long long)p->rb_gc_max,
		(unsigned long long)p->free_blocks, (unsigned long long)p->rl_high,
		(unsigned long long)p->rl_rsv);
	fprintf(out,
		"  reads: %llu sectors, %llu from the buffer; errors: %llu write, %llu read "
		"(sectors), %llu erase (chunks)\n",
		(unsigned long long)p->read_sectors, (unsigned long long)p->cache_read_sectors,
		(unsigned long long)p->write_errors, (unsigned long long)p->read_errors,
		(unsigned long long)p->erase_errors);
}

/* The FTL's own figures (the SLC cache's), a line of them; byte counts
 * (keys ending in _bytes) in binary units. */
static void figures_text(FILE *out, const struct vssd_dev *dev)
{
	struct ftl_figure fig[FTL_MAX_FIGURES];
	uint32_t n;
	const char *name = dev_figures(dev, fig, &n);
	char text[32];

	for (uint32_t i = 0; name && i < n; i++) {
		size_t len = strlen(fig[i].key);

		if (len > 6 && !strcmp(fig[i].key + len - 6, "_bytes"))
			bytes_text(fig[i].value, text, sizeof(text));
		else
			snprintf(text, sizeof(text), "%llu", (unsigned long long)fig[i].value);
		if (!i)
			fprintf(out, "  %s:", name);
		fprintf(out, "%s %s %s%s", i ? "," : "", fig[i].key, text, i + 1 == n ? "\n" : "");
	}
}

/* A device whose FTL maps LBAs: its geometry and totals. */
static void mapped_device_text(FILE *out, const struct vssd_dev *dev, const struct sim_result *res,
			       const char *logical, const char *physical, const char *host,
			       const char *media)
{
	const struct geometry *geo = &dev->geo;

	fprintf(out,
		"\ndevice: %u ch x %u LUN, %u lines of %u units; logical %s, physical %s "
		"(op %.3f)\n",
		geo->channels, geo->luns_per_channel, geo->lines, geo->units_per_line, logical,
		physical, dev->cfg.op);
	fprintf(out,
		"  total: host wrote %s, media %s, WAF %.3f, %llu GC runs, %llu blocks "
		"erased, %u free lines\n",
		host, media, waf_of(res->final.media_write_bytes, res->final.host_write_bytes),
		(unsigned long long)res->final.gc_runs,
		(unsigned long long)res->final.erased_blocks, res->final.free_lines);
	fprintf(out,
		"  wear: erases per block min %u, mean %.1f, max %u, stdev %.1f; %llu wear "
		"levelling moves\n",
		res->final.erase_min, res->final.erase_mean, res->final.erase_max,
		res->final.erase_stdev, (unsigned long long)res->final.wear_moves);
	if (res->final.faults_on)
		fprintf(out,
			"  media faults: %llu read retries, %llu uncorrectable reads, %llu program "
			"and %llu erase failures; spare blocks %u of %u left%s\n",
			(unsigned long long)res->final.read_retries,
			(unsigned long long)res->final.uncorrectable_reads,
			(unsigned long long)res->final.program_fails,
			(unsigned long long)res->final.erase_fails, res->final.spare_left,
			res->final.spare_blocks, res->final.read_only ? "; READ-ONLY" : "");
	figures_text(out, dev);
}

/* An FTL that maps nothing (the open-channel device) has no spare space or
 * GC of its own: the host (pblk) does that; the device programs what it is
 * sent. Its own figures say its shape. */
static void unmapped_device_text(FILE *out, const struct vssd_dev *dev,
				 const struct sim_result *res, const char *physical,
				 const char *host)
{
	struct ftl_figure fig[FTL_MAX_FIGURES];
	uint32_t n;
	const char *name = dev_figures(dev, fig, &n);

	fprintf(out, "\ndevice: %u ch x %u LUN, %s", dev->geo.channels, dev->geo.luns_per_channel,
		dev_ftl_name(dev));
	for (uint32_t i = 0; name && i < n; i++)
		fprintf(out, "%s%s %llu", i ? ", " : " (", fig[i].key,
			(unsigned long long)fig[i].value);
	fprintf(out, "%s; physical %s\n", name && n ? ")" : "", physical);
	fprintf(out,
		"  total: host wrote %s (the media writes what the host sends), %llu blocks "
		"erased\n",
		host, (unsigned long long)res->final.erased_blocks);
}

/* Per reclaim unit handle that did anything: what it wrote, what GC moved
 * out of and into it, what it holds now. */
static void fdp_text(FILE *out, const struct vssd_dev *dev)
{
	const struct geometry *geo = &dev->geo;
	uint32_t nruh = config_nruh(&dev->cfg), nrg = geo->rgs;
	struct dev_counters c;
	char ru[32];

	dev_counters(dev, &c);
	bytes_text((uint64_t)geo->units_per_line * GEO_UNIT_BYTES, ru, sizeof(ru));
	fprintf(out,
		"  fdp: %u handles, %u reclaim group%s of %u dies, reclaim units of %s "
		"(%u dies)",
		nruh, nrg, nrg == 1 ? "" : "s", geo->dies / nrg, ru, geo->line_dies);
	if (c.borrowed_lines)
		fprintf(out, ", %llu reclaim units borrowed by full groups",
			(unsigned long long)c.borrowed_lines);
	fprintf(out, "\n    %6s %12s %14s %14s %14s %14s\n", "handle", "isolation", "host written",
		"GC out (pg)", "GC in (pg)", "in use");
	for (uint16_t r = 0; r < nruh; r++) {
		struct ftl_ruh_stats st;
		char hw[32], use[32];

		dev_ruh_stats(dev, r, &st);
		if (!st.host_units && !st.gc_out_units)
			continue;
		bytes_text(st.host_units * GEO_UNIT_BYTES, hw, sizeof(hw));
		bytes_text(st.in_use_units * GEO_UNIT_BYTES, use, sizeof(use));
		fprintf(out, "    %6u %12s %14s %14llu %14llu %14s\n", r,
			config_ruh_persistent(&dev->cfg, r) ? "persistently" : "initially", hw,
			(unsigned long long)st.gc_out_units, (unsigned long long)st.gc_in_units,
			use);
	}
}

static void groups_text(FILE *out, const struct sim_result *res, const char *clock)
{
	char host[32], media[32];

	for (uint32_t g = 0; g < res->ngroups; g++) {
		const struct sim_group_result *gr = &res->groups[g];
		uint64_t hw = gr->after.host_write_bytes - gr->before.host_write_bytes;
		uint64_t mw = gr->after.media_write_bytes - gr->before.media_write_bytes;

		bytes_text(hw, host, sizeof(host));
		bytes_text(mw, media, sizeof(media));
		fprintf(out,
			"group %d: %.3f s %s, %.2f s wall; host wrote %s, media %s, "
			"WAF %.3f, GC copied %llu pages, erased %llu blocks\n",
			gr->groupid, (double)(gr->end_ns - gr->start_ns) / 1e9, clock, gr->wall_s,
			host, media, waf_of(mw, hw),
			(unsigned long long)(gr->after.gc_copied_units -
					     gr->before.gc_copied_units),
			(unsigned long long)(gr->after.erased_blocks - gr->before.erased_blocks));
	}
}

/* How the device came up from its media, and each power cut. */
static void recoveries_text(FILE *out, const struct sim_result *res, const char *clock)
{
	if (res->opened.recovered) {
		fprintf(out, "opened from media: ");
		recovery_text(out, &res->opened);
	}
	for (uint32_t i = 0; i < res->npowerloss; i++) {
		const struct sim_powerloss_result *p = &res->powerloss[i];

		fprintf(out, "power loss at %.6f s %s, after %llu host I/Os: %llu in flight lost; ",
			(double)p->t_ns / 1e9, clock, (unsigned long long)p->host_ios,
			(unsigned long long)p->ios_lost);
		if (res->has_pblk)
			fprintf(out,
				"pblk recovered %llu lines (%llu from emeta), %llu sectors mapped, "
				"%llu sectors of padding\n",
				(unsigned long long)p->pblk.recovered_lines,
				(unsigned long long)p->pblk.recovered_from_emeta,
				(unsigned long long)p->pblk.recovered_sectors,
				(unsigned long long)p->pblk.recovery_pad_sectors);
		else
			recovery_text(out, &p->recovery);
	}
}

static void dies_text(FILE *out, const struct vssd_dev *dev, uint64_t virtual_ns)
{
	double umin = 1, umax = 0, usum = 0;

	for (uint32_t d = 0; d < dev->geo.dies; d++) {
		double u = die_utilisation(dev, d, virtual_ns);

		umin = u < umin ? u : umin;
		umax = u > umax ? u : umax;
		usum += u;
	}
	fprintf(out, "  die utilisation: min %.1f%%, mean %.1f%%, max %.1f%%", umin * 100,
		usum / dev->geo.dies * 100, umax * 100);
	if (die_window_ns(dev, virtual_ns) > virtual_ns)
		fprintf(out, " (over %.3f s: the dies worked on after the last completion)",
			die_window_ns(dev, virtual_ns) / 1e9);
	fprintf(out, "\n");
}

void report_text(FILE *out, const struct vssd_dev *dev, const struct sim_result *res)
{
	const struct geometry *geo = &dev->geo;
	char logical[32], physical[32], host[32], media[32];
	const char *clock = res->real_time ? "real" : "virtual";

	for (uint32_t j = 0; j < res->njobs; j++)
		job_text(out, &res->jobs[j], clock);
	fprintf(out, "\n");
	groups_text(out, res, clock);
	recoveries_text(out, res, clock);
	bytes_text(geo->logical_units * GEO_UNIT_BYTES, logical, sizeof(logical));
	bytes_text(geo->physical_units * GEO_UNIT_BYTES, physical, sizeof(physical));
	bytes_text(res->final.host_write_bytes, host, sizeof(host));
	bytes_text(res->final.media_write_bytes, media, sizeof(media));
	if (dev_maps_lbas(dev)) {
		mapped_device_text(out, dev, res, logical, physical, host, media);
	} else {
		char sent[32];

		bytes_text(res->final_device.host_write_bytes, sent, sizeof(sent));
		unmapped_device_text(out, dev, res, physical, sent);
	}
	dies_text(out, dev, res->virtual_ns);
	if (dev->cfg.fdp)
		fdp_text(out, dev);
	if (res->has_pblk)
		pblk_text(out, &res->pblk, res->final.media_write_bytes, res->npowerloss > 0);
	if (res->has_zftl)
		zftl_text(out, &res->zftl, res->final.media_write_bytes);
	if (res->has_pblk || res->has_zftl)
		fprintf(out,
			"stack (the workload through %s onto the device): wrote %s, media %s, "
			"WAF "
			"%.3f, GC copied %llu sectors in %llu collections, %llu blocks erased\n",
			res->has_pblk ? "pblk" : "zftl", host, media,
			waf_of(res->final.media_write_bytes, res->final.host_write_bytes),
			(unsigned long long)res->final.gc_copied_units,
			(unsigned long long)res->final.gc_runs,
			(unsigned long long)res->final.erased_blocks);
	fprintf(out, "%s: %llu host I/Os, %.3f s %s in %.2f s wall (%.2f M I/O/s)\n",
		res->real_time ? "served" : "sim", (unsigned long long)res->host_ios,
		(double)res->virtual_ns / 1e9, clock, res->wall_s,
		res->wall_s > 0 ? (double)res->host_ios / res->wall_s / 1e6 : 0);
}
