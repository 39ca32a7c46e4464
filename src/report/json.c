/*
 * The JSON report, built with json-c. jobs[] follows fio's
 * --output-format=json (read/write/trim objects with io_bytes, iops,
 * bw_bytes, lat_ns, clat_ns.percentile keyed "99.000000"); groups[],
 * device, power_losses and sim are vssd's. Wall-clock figures appear only
 * under keys ending in wall_s, so two runs of the same input differ only there.
 * In virtual time a submission costs nothing: lat_ns equals clat_ns.
 */
#include "report/report.h"

#include <errno.h>
#include <json-c/json.h>

#include "config/params.h"

double waf_of(uint64_t media_bytes, uint64_t host_bytes)
{
	return host_bytes ? (double)media_bytes / (double)host_bytes : 0;
}

uint64_t die_window_ns(const struct vssd_dev *dev, uint64_t virtual_ns)
{
	uint64_t dies_free_ns = timing_dies_free_ns(&dev->tm);

	return dies_free_ns > virtual_ns ? dies_free_ns : virtual_ns;
}

double die_utilisation(const struct vssd_dev *dev, uint32_t die, uint64_t virtual_ns)
{
	uint64_t window_ns = die_window_ns(dev, virtual_ns);

	return window_ns ? (double)dev->tm.die_busy_ns[die] / (double)window_ns : 0;
}

static void add_u64(json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

static void add_dbl(json_object *o, const char *k, double v)
{
	json_object_object_add(o, k, json_object_new_double(v));
}

/* What a latency object holds beyond its moments (fio's json and json+). */
enum lat_detail { LAT_MOMENTS, LAT_PERCENTILES, LAT_BINS };

/* fio's json+ bins: each histogram bucket that counted, by its latency. */
static json_object *bins_object(const struct lat_stats *s)
{
	json_object *o = json_object_new_object();
	char key[32];

	for (unsigned b = 0; b < HIST_BUCKETS; b++) {
		if (!s->bucket[b])
			continue;
		snprintf(key, sizeof(key), "%llu", (unsigned long long)lat_stats_bucket_ns(b));
		add_u64(o, key, s->bucket[b]);
	}
	return o;
}

static json_object *lat_object(const struct lat_stats *s, enum lat_detail detail)
{
	json_object *o = json_object_new_object();
	int with_percentiles = detail >= LAT_PERCENTILES;

	add_u64(o, "min", s->n ? s->min_ns : 0);
	add_u64(o, "max", s->max_ns);
	add_dbl(o, "mean", lat_stats_mean(s));
	add_dbl(o, "stddev", lat_stats_stddev(s));
	add_u64(o, "N", s->n);
	if (with_percentiles && s->n) {
		json_object *p = json_object_new_object();
		char key[32];

		for (unsigned i = 0; i < fio_npercentiles; i++) {
			snprintf(key, sizeof(key), "%f", fio_percentiles[i]);
			add_u64(p, key, lat_stats_percentile(s, fio_percentiles[i]));
		}
		json_object_object_add(o, "percentile", p);
	}
	if (detail == LAT_BINS && s->n)
		json_object_object_add(o, "bins", bins_object(s));
	return o;
}

static json_object *dir_object(const struct lat_stats *s, uint64_t runtime_ns,
			       enum lat_detail detail)
{
	json_object *o = json_object_new_object();
	double secs = (double)runtime_ns / 1e9;

	add_u64(o, "io_bytes", s->bytes);
	add_u64(o, "io_kbytes", s->bytes >> 10);
	add_u64(o, "bw_bytes", secs > 0 ? (uint64_t)((double)s->bytes / secs) : 0);
	add_u64(o, "bw", secs > 0 ? (uint64_t)((double)s->bytes / 1024 / secs) : 0);
	add_dbl(o, "iops", secs > 0 ? (double)s->n / secs : 0);
	add_u64(o, "runtime", runtime_ns / 1000000);
	add_u64(o, "total_ios", s->n);
	add_u64(o, "short_ios", 0);
	add_u64(o, "drop_ios", 0);
	json_object_object_add(o, "clat_ns", lat_object(s, detail));
	json_object_object_add(o, "lat_ns", lat_object(s, LAT_MOMENTS));
	return o;
}

json_object *report_trace_json(const char *format, const struct trace_summary *s)
{
	static const char *const kinds[] = {"reads", "writes", "trims", "flushes"};
	json_object *o = json_object_new_object(), *h = json_object_new_array();

	json_object_object_add(o, "format", json_object_new_string(format));
	for (int d = 0; d < 4; d++)
		add_u64(o, kinds[d], s->n[d]);
	add_u64(o, "read_bytes", s->bytes[DIR_READ]);
	add_u64(o, "write_bytes", s->bytes[DIR_WRITE]);
	add_u64(o, "trim_bytes", s->bytes[DIR_TRIM]);
	add_dbl(o, "span_s", (double)s->span_ns / 1e9);
	add_u64(o, "lowest_byte", s->lowest);
	add_u64(o, "highest_byte", s->highest);
	add_u64(o, "footprint_bytes", s->footprint_bytes);
	add_u64(o, "capacity_bytes", s->capacity_bytes);
	add_u64(o, "past_end", s->past_end);
	/* requests of up to 4 KiB, 8 KiB, ... 512 KiB, then larger */
	for (uint32_t b = 0; b < TRACE_SIZE_BUCKETS; b++)
		json_object_array_add(h, json_object_new_uint64(s->size_hist[b]));
	json_object_object_add(o, "size_histogram", h);
	h = json_object_new_array();
	for (uint32_t i = 0; i < s->nwarnings; i++)
		json_object_array_add(h, json_object_new_string(s->warning[i]));
	json_object_object_add(o, "warnings", h);
	return o;
}

static json_object *job_object(const struct sim_job_result *j, enum lat_detail detail)
{
	static const char *const dirs[] = {"read", "write", "trim"};
	json_object *o = json_object_new_object(), *opts = json_object_new_object();
	uint64_t runtime_ns = j->end_ns - j->start_ns;

	json_object_object_add(o, "jobname", json_object_new_string(j->spec->name));
	json_object_object_add(o, "groupid", json_object_new_int(j->spec->group));
	/* as fio: a failed command (counted under continue_on_error) is the
	 * job's error, EIO, else a verify failure, EILSEQ */
	json_object_object_add(o, "error",
			       json_object_new_int(j->errors	   ? EIO
						   : j->verify_bad ? EILSEQ
								   : 0));
	if (j->spec->continue_on_error) {
		add_u64(o, "total_err", j->errors);
		if (j->errors)
			json_object_object_add(o, "first_error",
					       json_object_new_string(j->first_error));
	}
	for (uint32_t i = 0; i < j->spec->nopts; i++)
		json_object_object_add(opts, j->spec->opts[i].key,
				       json_object_new_string(j->spec->opts[i].value));
	json_object_object_add(o, "job options", opts);
	if (j->trace_format)
		json_object_object_add(o, "trace", report_trace_json(j->trace_format, &j->trace));
	add_u64(o, "job_runtime", runtime_ns / 1000000);
	for (int d = 0; d < NDIR_STATS; d++)
		json_object_object_add(o, dirs[d], dir_object(&j->dir[d], runtime_ns, detail));
	json_object_object_add(o, "sync", json_object_new_object());
	json_object_object_add(json_object_object_get(o, "sync"), "lat_ns",
			       lat_object(&j->flush, detail));
	if (j->spec->verify) {
		json_object *v = json_object_new_object();

		add_u64(v, "blocks", j->verify_blocks);
		add_u64(v, "bad", j->verify_bad);
		if (j->verify_bad)
			json_object_object_add(v, "first_bad",
					       json_object_new_string(j->verify_first_bad));
		json_object_object_add(o, "verify", v);
	}
	return o;
}

static void counters_into(json_object *o, const struct dev_counters *a,
			  const struct dev_counters *b);

static json_object *counters_object(const struct dev_counters *a, const struct dev_counters *b)
{
	json_object *o = json_object_new_object();

	counters_into(o, a, b);
	return o;
}

/* What the counters say from a to b: the stack's (whatever the FTL, the
 * workload's I/O against the media writes it caused) or a device's own. */
static void counters_into(json_object *o, const struct dev_counters *a,
			  const struct dev_counters *b)
{
	uint64_t host = b->host_write_bytes - a->host_write_bytes;
	uint64_t media = b->media_write_bytes - a->media_write_bytes;

	add_u64(o, "host_write_bytes", host);
	add_u64(o, "host_read_bytes", b->host_read_bytes - a->host_read_bytes);
	add_u64(o, "host_trim_bytes", b->host_trim_bytes - a->host_trim_bytes);
	add_u64(o, "media_write_bytes", media);
	add_dbl(o, "waf", waf_of(media, host));
	add_u64(o, "gc_copied_pages", b->gc_copied_units - a->gc_copied_units);
	add_u64(o, "gc_runs", b->gc_runs - a->gc_runs);
	add_u64(o, "erased_blocks", b->erased_blocks - a->erased_blocks);
}

/* Per reclaim unit handle: what the host wrote through it, what GC moved
 * out of and into its units, the media bytes written into its units, and
 * the valid data it holds now. GC copies into shared lines (initially
 * isolated handles) belong to no handle and are given separately. */
static json_object *fdp_object(const struct vssd_dev *dev)
{
	json_object *o = json_object_new_object(), *arr = json_object_new_array();
	json_object *groups = json_object_new_array();
	uint32_t nruh = config_nruh(&dev->cfg);
	struct dev_counters c;
	uint64_t gc_in = 0;

	dev_counters(dev, &c);
	add_u64(o, "reclaim_unit_bytes", (uint64_t)dev->geo.units_per_line * GEO_UNIT_BYTES);
	for (uint32_t g = 0; g < dev->geo.rgs; g++) {
		json_object *rg = json_object_new_object();

		json_object_object_add(rg, "group", json_object_new_int((int)g));
		add_u64(rg, "free_units", dev_rg_free_units(dev, g));
		json_object_array_add(groups, rg);
	}
	json_object_object_add(o, "reclaim_groups", groups);
	/* lines a full group's host writes took from another group */
	add_u64(o, "borrowed_reclaim_units", c.borrowed_lines);
	for (uint16_t r = 0; r < nruh; r++) {
		json_object *h = json_object_new_object();
		struct ftl_ruh_stats st;

		dev_ruh_stats(dev, r, &st);
		json_object_object_add(h, "handle", json_object_new_int(r));
		json_object_object_add(h, "type",
				       json_object_new_string(config_ruh_persistent(&dev->cfg, r)
								      ? "persistently"
								      : "initially"));
		add_u64(h, "host_write_bytes", st.host_units * GEO_UNIT_BYTES);
		add_u64(h, "media_write_bytes", (st.host_units + st.gc_in_units) * GEO_UNIT_BYTES);
		add_u64(h, "gc_copied_out_pages", st.gc_out_units);
		add_u64(h, "gc_copied_in_pages", st.gc_in_units);
		add_u64(h, "in_use_bytes", st.in_use_units * GEO_UNIT_BYTES);
		json_object_array_add(arr, h);
		gc_in += st.gc_in_units;
	}
	json_object_object_add(o, "handles", arr);
	add_u64(o, "shared_gc_copied_pages", c.gc_copied_units - gc_in);
	return o;
}

/* The FTL's own figures, as it names them (the open-channel chunk shape). */
static void figures_into(json_object *o, const struct vssd_dev *dev)
{
	struct ftl_figure fig[FTL_MAX_FIGURES];
	uint32_t n;
	const char *name = dev_figures(dev, fig, &n);
	json_object *f;

	if (!name)
		return;
	f = json_object_new_object();
	for (uint32_t i = 0; i < n; i++)
		add_u64(f, fig[i].key, fig[i].value);
	json_object_object_add(o, name, f);
}

/* What media faults did, when the FTL models them. */
static void faults_into(json_object *o, const struct dev_counters *c)
{
	json_object *f, *lost;

	if (!c->faults_on)
		return;
	f = json_object_new_object();
	add_u64(f, "read_retries", c->read_retries);
	add_u64(f, "uncorrectable_reads", c->uncorrectable_reads);
	add_u64(f, "program_fails", c->program_fails);
	add_u64(f, "erase_fails", c->erase_fails);
	add_u64(f, "spare_blocks", c->spare_blocks);
	add_u64(f, "spare_left", c->spare_left);
	json_object_object_add(f, "read_only", json_object_new_boolean(c->read_only));
	lost = json_object_new_array();
	for (uint32_t i = 0; i < c->nlost; i++)
		json_object_array_add(lost, json_object_new_uint64(c->lost_lbas[i]));
	json_object_object_add(f, "first_lost_lbas", lost);
	json_object_object_add(o, "media_faults", f);
}

/* Erases per block over the blocks: how evenly the device wears. */
static json_object *erase_object(const struct dev_counters *c)
{
	json_object *o = json_object_new_object();

	add_u64(o, "min", c->erase_min);
	add_dbl(o, "mean", c->erase_mean);
	add_u64(o, "max", c->erase_max);
	add_dbl(o, "stdev", c->erase_stdev);
	return o;
}

/* What the group's jobs did, summed: the workload's own I/O. */
static json_object *workload_object(const struct sim_result *res, int group)
{
	static const char *const ios[] = {"read_ios", "write_ios", "trim_ios"};
	static const char *const bytes[] = {"read_bytes", "write_bytes", "trim_bytes"};
	json_object *o = json_object_new_object();

	for (int d = 0; d < NDIR_STATS; d++) {
		uint64_t n = 0, b = 0;

		for (uint32_t j = 0; j < res->njobs; j++)
			if (res->jobs[j].spec->group == group) {
				n += res->jobs[j].dir[d].n;
				b += res->jobs[j].dir[d].bytes;
			}
		add_u64(o, ios[d], n);
		add_u64(o, bytes[d], b);
	}
	return o;
}

/* fdp=on: each handle's counters over the group. */
static json_object *group_handles(const struct sim_group_result *gr)
{
	json_object *arr = json_object_new_array();

	for (uint32_t r = 0; r < gr->nruh; r++) {
		const struct ftl_ruh_stats *a = &gr->ruh_before[r], *b = &gr->ruh_after[r];
		json_object *h = json_object_new_object();

		json_object_object_add(h, "handle", json_object_new_int((int)r));
		add_u64(h, "host_write_bytes", (b->host_units - a->host_units) * GEO_UNIT_BYTES);
		add_u64(h, "media_write_bytes",
			(b->host_units + b->gc_in_units - a->host_units - a->gc_in_units) *
				GEO_UNIT_BYTES);
		add_u64(h, "gc_copied_out_pages", b->gc_out_units - a->gc_out_units);
		add_u64(h, "gc_copied_in_pages", b->gc_in_units - a->gc_in_units);
		json_object_array_add(arr, h);
	}
	return arr;
}

/* The key of the device's own counters under a host FTL. */
static const char *under_host_ftl(const struct sim_result *res)
{
	return res->has_pblk ? "open_channel_device" : "zoned_device";
}

static json_object *device_object(const struct vssd_dev *dev, const struct sim_result *res)
{
	static const struct dev_counters zero;
	json_object *o = json_object_new_object(), *util = json_object_new_array();

	figures_into(o, dev);
	if (dev_maps_lbas(dev)) /* what the host addresses: the FTL's, or pblk's */
		add_u64(o, "logical_bytes", dev->geo.logical_units * GEO_UNIT_BYTES);
	else if (res->has_pblk)
		add_u64(o, "logical_bytes", res->pblk.capacity_sectors * PBLK_SECTOR_BYTES);
	else if (res->has_zftl)
		add_u64(o, "logical_bytes", res->zftl.capacity_sectors * GEO_UNIT_BYTES);
	add_u64(o, "physical_bytes", dev->geo.physical_units * GEO_UNIT_BYTES);
	counters_into(o, &zero, &res->final);
	if (res->has_pblk || res->has_zftl)
		json_object_object_add(o, under_host_ftl(res),
				       counters_object(&zero, &res->final_device));
	if (dev_maps_lbas(dev)) {
		add_u64(o, "mapped_bytes", res->final.mapped_units * GEO_UNIT_BYTES);
		add_u64(o, "free_lines", res->final.free_lines);
		add_u64(o, "lines", dev->geo.lines);
		json_object_object_add(o, "erase_count", erase_object(&res->final));
		add_u64(o, "wear_moves", res->final.wear_moves);
		faults_into(o, &res->final);
	}
	for (uint32_t d = 0; d < dev->geo.dies; d++)
		json_object_array_add(
			util, json_object_new_double(die_utilisation(dev, d, res->virtual_ns)));
	json_object_object_add(o, "die_utilization", util);
	add_dbl(o, "die_utilization_window_s", die_window_ns(dev, res->virtual_ns) / 1e9);
	if (dev->cfg.fdp)
		json_object_object_add(o, "fdp", fdp_object(dev));
	return o;
}

static json_object *params_object(const struct vssd_dev *dev)
{
	json_object *o = json_object_new_object();
	char value[128];

	for (size_t i = 0; i < config_param_count(); i++) {
		config_format(&dev->cfg, config_param_key(i), value, sizeof(value));
		json_object_object_add(o, config_param_key(i), json_object_new_string(value));
	}
	return o;
}

static json_object *recovery_object(const struct ftl_recovery *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "from_checkpoint", json_object_new_boolean(r->from_checkpoint));
	add_u64(o, "units_scanned", r->units_scanned);
	add_u64(o, "mapped_bytes", r->mapped_units * GEO_UNIT_BYTES);
	add_dbl(o, "wall_s", (double)r->wall_ns / 1e9);
	json_object_object_add(o, "checkpoint_rejected",
			       r->ckpt_rejected ? json_object_new_string(r->ckpt_rejected) : NULL);
	add_u64(o, "state_blocks_damaged", r->state_blocks_damaged);
	add_u64(o, "oob_from_copy", r->oob_from_copy);
	add_u64(o, "oob_lost", r->oob_lost);
	add_u64(o, "trim_pages_from_copy", r->trim_pages_from_copy);
	add_u64(o, "trim_pages_damaged", r->trim_pages_damaged);
	return o;
}

/* zftl's figures. */
static json_object *zftl_object(const struct zftl_stats *z, uint64_t media_bytes)
{
	json_object *o = json_object_new_object();
	const struct {
		const char *key;
		uint64_t v;
	} u64s[] = {
		{"capacity_bytes", z->capacity_sectors * GEO_UNIT_BYTES},
		{"zone_sectors", z->zone_sectors},
		{"valid_sectors", z->valid_sectors},
		{"user_sectors", z->user_sectors},
		{"gc_sectors", z->gc_sectors},
		{"read_sectors", z->read_sectors},
		{"trim_sectors", z->trim_sectors},
		{"zones", z->zones},
		{"free_zones", z->free_zones},
		{"open_zones", z->open_zones},
		{"full_zones", z->full_zones},
		{"offline_zones", z->offline_zones},
		{"gc_zones", z->gc_zones},
		{"gc_dead_sectors", z->gc_dead_sectors},
		{"stalled_writes", z->stalled_writes},
	};

	for (size_t i = 0; i < sizeof(u64s) / sizeof(u64s[0]); i++)
		add_u64(o, u64s[i].key, u64s[i].v);
	add_dbl(o, "waf", zftl_stats_waf(z));
	add_dbl(o, "media_waf", waf_of(media_bytes, z->user_sectors * GEO_UNIT_BYTES));
	return o;
}

/* pblk's figures, as its sysfs showed them. */
static json_object *pblk_object(const struct pblk_stats *p, uint64_t media_bytes)
{
	static const char *const groups[] = {"write_error",	"empty",
					     "under_1_8_valid", "under_1_2_valid",
					     "under_all_valid", "full"};
	json_object *o = json_object_new_object(), *g = json_object_new_object();
	const struct {
		const char *key;
		uint64_t v;
	} u64s[] = {
		{"capacity_bytes", p->capacity_sectors * GEO_UNIT_BYTES},
		{"user_sectors", p->user_sectors},
		{"gc_sectors", p->gc_sectors},
		{"pad_sectors", p->pad_sectors},
		{"meta_sectors", p->meta_sectors},
		{"read_sectors", p->read_sectors},
		{"cache_read_sectors", p->cache_read_sectors},
		{"trim_sectors", p->trim_sectors},
		{"lines", p->lines},
		{"free_lines", p->free_lines},
		{"open_lines", p->open_lines},
		{"closed_lines", p->closed_lines},
		{"bad_lines", p->bad_lines},
		{"bad_chunks", p->bad_chunks},
		{"gc_lines", p->gc_lines},
		{"write_errors", p->write_errors},
		{"read_errors", p->read_errors},
		{"erase_errors", p->erase_errors},
		{"rl_state", p->rl_state},
		{"rb_budget", p->rb_budget},
		{"rb_user_max", p->rb_user_max},
		{"rb_gc_max", p->rb_gc_max},
		{"free_chunks", p->free_blocks},
		{"rl_high_chunks", p->rl_high},
		{"rl_reserve_chunks", p->rl_rsv},
	};

	for (size_t i = 0; i < sizeof(u64s) / sizeof(u64s[0]); i++)
		add_u64(o, u64s[i].key, u64s[i].v);
	add_dbl(o, "waf", pblk_stats_waf(p));
	add_dbl(o, "media_waf", waf_of(media_bytes, p->user_sectors * GEO_UNIT_BYTES));
	for (int i = 0; i < PBLK_GC_GROUPS; i++)
		add_u64(g, groups[i], p->gc_group[i]);
	json_object_object_add(o, "closed_lines_by_gc_group", g);
	return o;
}

/* The power cuts of the run: when, what was lost, how the device recovered. */
static json_object *powerloss_array(const struct sim_result *res)
{
	json_object *a = json_object_new_array();

	for (uint32_t i = 0; i < res->npowerloss; i++) {
		const struct sim_powerloss_result *p = &res->powerloss[i];
		json_object *o = json_object_new_object();

		add_dbl(o, "virtual_s", (double)p->t_ns / 1e9);
		add_u64(o, "host_ios_before", p->host_ios);
		add_u64(o, "ios_lost", p->ios_lost);
		json_object_object_add(o, "recovery", recovery_object(&p->recovery));
		if (res->has_pblk) {
			add_u64(o, "pblk_recovered_lines", p->pblk.recovered_lines);
			add_u64(o, "pblk_recovered_from_emeta", p->pblk.recovered_from_emeta);
			add_u64(o, "pblk_recovered_sectors", p->pblk.recovered_sectors);
			add_u64(o, "pblk_recovery_pad_sectors", p->pblk.recovery_pad_sectors);
		}
		json_object_array_add(a, o);
	}
	return a;
}

int report_json(FILE *out, const struct vssd_dev *dev, const struct sim_result *res, bool bins)
{
	json_object *root = json_object_new_object(), *jobs = json_object_new_array();
	json_object *groups = json_object_new_array(), *sim = json_object_new_object();

	if (!root || !jobs || !groups || !sim)
		return -ENOMEM;
	json_c_set_serialization_double_format("%.6f", JSON_C_OPTION_GLOBAL);
	json_object_object_add(root, "vssd version", json_object_new_string(VSSD_VERSION));
	json_object_object_add(root, "parameters", params_object(dev));
	for (uint32_t j = 0; j < res->njobs; j++)
		json_object_array_add(jobs,
				      job_object(&res->jobs[j], bins ? LAT_BINS : LAT_PERCENTILES));
	json_object_object_add(root, "jobs", jobs);
	for (uint32_t g = 0; g < res->ngroups; g++) {
		const struct sim_group_result *gr = &res->groups[g];
		json_object *go = json_object_new_object(), *dv = json_object_new_object();

		json_object_object_add(go, "groupid", json_object_new_int(gr->groupid));
		add_dbl(go, "wall_s", gr->wall_s);
		add_dbl(go, "virtual_s", (double)(gr->end_ns - gr->start_ns) / 1e9);
		json_object_object_add(go, "workload", workload_object(res, gr->groupid));
		counters_into(dv, &gr->before, &gr->after);
		json_object_object_add(go, "device", dv);
		if (gr->nruh && gr->ruh_before && gr->ruh_after)
			json_object_object_add(go, "fdp_handles", group_handles(gr));
		if (res->has_pblk ||
		    res->has_zftl) /* the device, counting what the host FTL sent it */
			json_object_object_add(
				go, under_host_ftl(res),
				counters_object(&gr->device_before, &gr->device_after));
		json_object_array_add(groups, go);
	}
	json_object_object_add(root, "groups", groups);
	json_object_object_add(root, "device", device_object(dev, res));
	if (res->opened.recovered) /* the media held the device: how it came up */
		json_object_object_add(root, "opened", recovery_object(&res->opened));
	json_object_object_add(root, "power_losses", powerloss_array(res));
	if (res->has_pblk)
		json_object_object_add(root, "pblk",
				       pblk_object(&res->pblk, res->final.media_write_bytes));
	if (res->has_zftl)
		json_object_object_add(root, "zftl",
				       zftl_object(&res->zftl, res->final.media_write_bytes));
	add_dbl(sim, "wall_s", res->wall_s);
	add_dbl(sim, "virtual_s", (double)res->virtual_ns / 1e9);
	add_u64(sim, "host_ios", res->host_ios);
	add_dbl(sim, "host_ios_per_wall_s",
		res->wall_s > 0 ? (double)res->host_ios / res->wall_s : 0);
	json_object_object_add(root, "sim", sim);
	fprintf(out, "%s\n",
		json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return 0;
}
