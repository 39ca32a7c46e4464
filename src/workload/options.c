/*
 * fio's job options the simulator implements: tables, one row per option
 * (with fio's aliases), each with its parser: this file's, FDP's
 * (options_placement.c) and the zoned mode's (options_zbd.c). An option in
 * none of them is an error naming it; nothing is silently ignored.
 */
#include "workload/job.h"
#include "workload/options_int.h"
#include "workload/trace.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/params.h"

/* Times past this (292 years) do not fit the clock; NaN and infinity never pass. */
#define MAX_TIME_NS 9.2e18

void job_spec_defaults(struct job_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->rw = RW_READ;
	s->rwmixread = 50;
	s->bs = 4096;
	s->loops = 1;
	s->iodepth = 1;
	s->numjobs = 1;
	s->dist = DIST_UNIFORM;
	s->do_verify = true;
	s->replay_time_scale = 100;
	s->replay_scale = 1;
}

int opt_parse_u64(const char *v, uint64_t *out)
{
	char *end;

	if (!*v || *v == '-')
		return -EINVAL;
	errno = 0;
	*out = strtoull(v, &end, 0);
	return (errno || *end) ? -EINVAL : 0;
}

/* fio's booleans: a bare option name means 1. */
int opt_parse_flag(const char *v, bool *out)
{
	if (!*v || !strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "on")) {
		*out = true;
		return 0;
	}
	if (!strcmp(v, "0") || !strcasecmp(v, "false") || !strcasecmp(v, "off")) {
		*out = false;
		return 0;
	}
	return -EINVAL;
}

int job_parse_time_ns(const char *v, uint64_t default_unit_ns, uint64_t *out)
{
	static const struct {
		const char *suffix;
		uint64_t ns;
	} units[] = {
		{"ns", 1},
		{"us", 1000},
		{"usec", 1000},
		{"ms", 1000000},
		{"msec", 1000000},
		{"s", 1000000000ULL},
		{"sec", 1000000000ULL},
		{"m", 60000000000ULL},
		{"min", 60000000000ULL},
		{"h", 3600000000000ULL},
		{"", 0},
	};
	char *end;
	double x;

	errno = 0;
	x = strtod(v, &end);
	if (errno || end == v || !(x >= 0) || !isfinite(x))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcasecmp(end, units[i].suffix)) {
			double ns = x * (double)(units[i].ns ? units[i].ns : default_unit_ns);

			if (ns > MAX_TIME_NS)
				return -EINVAL;
			*out = (uint64_t)llround(ns);
			return 0;
		}
	}
	return -EINVAL;
}

/* max_pct: size and offset lie inside the device; io_size may be many passes */
static int parse_sizeval(const char *v, struct size_value *out, double max_pct)
{
	size_t n = strlen(v);

	if (n && v[n - 1] == '%') {
		char *end;
		double pct = strtod(v, &end);

		if (end != v + n - 1 || !(pct > 0 && pct <= max_pct))
			return -EINVAL;
		*out = (struct size_value){.set = true, .is_pct = true, .pct = pct};
		return 0;
	}
	out->set = true;
	out->is_pct = false;
	return parse_size_bytes(v, &out->bytes);
}

static int o_name(struct job_spec *s, const char *v)
{
	snprintf(s->name, sizeof(s->name), "%s", v);
	return 0;
}

static int o_accept(struct job_spec *s, const char *v)
{
	(void)s, (void)v;
	return 0;
}

static int o_rw(struct job_spec *s, const char *v)
{
	static const struct {
		const char *name;
		enum rw_kind rw;
		bool random;
	} kinds[] = {
		{"read", RW_READ, false},      {"write", RW_WRITE, false},
		{"trim", RW_TRIM, false},      {"randread", RW_READ, true},
		{"randwrite", RW_WRITE, true}, {"randtrim", RW_TRIM, true},
		{"rw", RW_MIX, false},	       {"readwrite", RW_MIX, false},
		{"randrw", RW_MIX, true},
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!strcmp(v, kinds[i].name)) {
			s->rw = kinds[i].rw;
			s->random = kinds[i].random;
			return 0;
		}
	}
	return -EINVAL;
}

static int o_bs(struct job_spec *s, const char *v)
{
	uint64_t b;

	if (parse_size_bytes(v, &b) || b == 0 || b % 512 || b > (1ULL << 30))
		return -EINVAL;
	s->bs = b;
	return 0;
}

static int o_size(struct job_spec *s, const char *v)
{
	return parse_sizeval(v, &s->size, 100);
}

static int o_offset(struct job_spec *s, const char *v)
{
	return parse_sizeval(v, &s->offset, 100);
}

static int o_io_size(struct job_spec *s, const char *v)
{
	return parse_sizeval(v, &s->io_size, 1e6);
}

static int o_number_ios(struct job_spec *s, const char *v)
{
	return opt_parse_u64(v, &s->number_ios);
}

static int o_loops(struct job_spec *s, const char *v)
{
	return opt_parse_u64(v, &s->loops) || s->loops == 0 ? -EINVAL : 0;
}

static int o_iodepth(struct job_spec *s, const char *v)
{
	uint64_t d;

	if (opt_parse_u64(v, &d) || d == 0 || d > 65536)
		return -EINVAL;
	s->iodepth = (uint32_t)d;
	return 0;
}

static int o_numjobs(struct job_spec *s, const char *v)
{
	uint64_t n;

	if (opt_parse_u64(v, &n) || n == 0 || n > 1024)
		return -EINVAL;
	s->numjobs = (uint32_t)n;
	return 0;
}

static int o_rwmixread(struct job_spec *s, const char *v)
{
	uint64_t p;

	if (opt_parse_u64(v, &p) || p > 100)
		return -EINVAL;
	s->rwmixread = (uint32_t)p;
	return 0;
}

static int o_rwmixwrite(struct job_spec *s, const char *v)
{
	uint64_t p;

	if (opt_parse_u64(v, &p) || p > 100)
		return -EINVAL;
	s->rwmixread = 100 - (uint32_t)p;
	return 0;
}

static int o_norandommap(struct job_spec *s, const char *v)
{
	return opt_parse_flag(v, &s->norandommap);
}

static int o_stonewall(struct job_spec *s, const char *v)
{
	return opt_parse_flag(v, &s->stonewall);
}

static int o_time_based(struct job_spec *s, const char *v)
{
	return opt_parse_flag(v, &s->time_based);
}

static int o_replay_no_stall(struct job_spec *s, const char *v)
{
	return opt_parse_flag(v, &s->replay_no_stall);
}

static int o_replay_time_scale(struct job_spec *s, const char *v)
{
	uint64_t pct;

	if (opt_parse_u64(v, &pct) || pct == 0 || pct > 1000000)
		return -EINVAL;
	s->replay_time_scale = (uint32_t)pct;
	return 0;
}

static int o_replay_scale(struct job_spec *s, const char *v)
{
	return opt_parse_u64(v, &s->replay_scale) || s->replay_scale == 0 ? -EINVAL : 0;
}

static int o_replay_align(struct job_spec *s, const char *v)
{
	uint64_t a;

	if (opt_parse_u64(v, &a) || !a || (a & (a - 1)))
		return -EINVAL;
	s->replay_align = a;
	return 0;
}

/* The index of name in names (n of them), or -1. */
static int name_index(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(name, names[i]))
			return (int)i;
	return -1;
}
#define NAME_INDEX(names, name) name_index(names, sizeof(names) / sizeof(names[0]), name)

/* A comma-separated list of read, write, trim, sync. */
static int o_replay_skip(struct job_spec *s, const char *v)
{
	static const char *const names[] = {[DIR_READ] = "read",
					    [DIR_WRITE] = "write",
					    [DIR_TRIM] = "trim",
					    [DIR_FLUSH] = "sync"};
	char list[128], *save = NULL;

	if (!*v || strlen(v) >= sizeof(list))
		return -EINVAL;
	snprintf(list, sizeof(list), "%s", v);
	s->replay_skip = 0;
	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int d = NAME_INDEX(names, t);

		if (d < 0)
			return -EINVAL;
		s->replay_skip |= (uint8_t)(1u << d);
	}
	return 0;
}

static int o_trace_format(struct job_spec *s, const char *v)
{
	if (!trace_format_known(v))
		return -EINVAL;
	snprintf(s->trace_format, sizeof(s->trace_format), "%s", v);
	return 0;
}

static int o_replay_past_end(struct job_spec *s, const char *v)
{
	static const char *const names[] = {
		[PAST_END_ERROR] = "error", [PAST_END_WRAP] = "wrap", [PAST_END_SKIP] = "skip"};

	int i = NAME_INDEX(names, v);

	if (i < 0)
		return -EINVAL;
	s->replay_past_end = (enum past_end)i;
	return 0;
}

static int o_trace_volume(struct job_spec *s, const char *v)
{
	s->trace_volume_set = true;
	return opt_parse_u64(v, &s->trace_volume);
}

static int o_runtime(struct job_spec *s, const char *v)
{
	return job_parse_time_ns(v, 1000000000ULL, &s->runtime_ns);
}

static int o_thinktime(struct job_spec *s, const char *v)
{
	return job_parse_time_ns(v, 1000, &s->thinktime_ns);
}

static int o_randseed(struct job_spec *s, const char *v)
{
	s->randseed_set = true;
	return opt_parse_u64(v, &s->randseed);
}

static int o_read_iolog(struct job_spec *s, const char *v)
{
	if (!*v || strlen(v) >= sizeof(s->read_iolog))
		return -EINVAL;
	snprintf(s->read_iolog, sizeof(s->read_iolog), "%s", v);
	return 0;
}

/* zoned:A/R:A/R... access percent / range percent, each list summing to 100 */
static int parse_zones(struct job_spec *s, const char *v)
{
	double acc = 0, rng = 0;
	const char *p = v;

	s->nzones = 0;
	while (*p) {
		char *end;
		double a, r;

		if (s->nzones == MAX_ZONES)
			return -EINVAL;
		a = strtod(p, &end);
		if (end == p || *end != '/')
			return -EINVAL;
		p = end + 1;
		r = strtod(p, &end);
		if (end == p || (*end && *end != ':') || !(a >= 0 && a <= 100) ||
		    !(r > 0 && r <= 100))
			return -EINVAL;
		p = *end ? end + 1 : end;
		s->zones[s->nzones++] = (struct zone){a, r};
		acc += a;
		rng += r;
	}
	if (!s->nzones || fabs(acc - 100) > 1e-6 || fabs(rng - 100) > 1e-6)
		return -EINVAL;
	return 0;
}

static int o_random_distribution(struct job_spec *s, const char *v)
{
	char *end;

	if (!strcmp(v, "random")) {
		s->dist = DIST_UNIFORM;
		return 0;
	}
	if (!strncmp(v, "zipf:", 5)) {
		s->dist = DIST_ZIPF;
		s->dist_param = strtod(v + 5, &end);
		return (*end || end == v + 5 || !(s->dist_param > 0) || !isfinite(s->dist_param) ||
			s->dist_param == 1.0)
			       ? -EINVAL
			       : 0;
	}
	if (!strncmp(v, "pareto:", 7)) {
		s->dist = DIST_PARETO;
		s->dist_param = strtod(v + 7, &end);
		return (*end || end == v + 7 || !(s->dist_param > 0 && s->dist_param < 1)) ? -EINVAL
											   : 0;
	}
	if (!strncmp(v, "zoned:", 6)) {
		s->dist = DIST_ZONED;
		return parse_zones(s, v + 6);
	}
	return -EINVAL;
}

/* fio's verify types: CRC-32C is the one the simulator stamps and checks */
static int o_verify(struct job_spec *s, const char *v)
{
	if (!strcmp(v, "crc32c") || !strcmp(v, "crc32c-intel"))
		s->verify = true;
	else if (!strcmp(v, "0") || !strcmp(v, "none"))
		s->verify = false;
	else
		return -EINVAL;
	return 0;
}

static int o_do_verify(struct job_spec *s, const char *v)
{
	return opt_parse_flag(v, &s->do_verify);
}

static int o_verify_fatal(struct job_spec *s, const char *v)
{
	return opt_parse_flag(v, &s->verify_fatal);
}

/* fio's continue_on_error: which failed commands a job counts and goes on
 * past (verify failures are counted anyway unless verify_fatal). */
static int o_continue_on_error(struct job_spec *s, const char *v)
{
	static const struct {
		const char *name;
		uint8_t dirs;
	} kinds[] = {
		{"none", 0},
		{"0", 0},
		{"read", 1u << DIR_READ},
		{"write", 1u << DIR_WRITE},
		{"io", 1u << DIR_READ | 1u << DIR_WRITE | 1u << DIR_TRIM | 1u << DIR_FLUSH},
		{"verify", 0},
		{"all", 1u << DIR_READ | 1u << DIR_WRITE | 1u << DIR_TRIM | 1u << DIR_FLUSH},
		{"1", 1u << DIR_READ | 1u << DIR_WRITE | 1u << DIR_TRIM | 1u << DIR_FLUSH},
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(v, kinds[i].name)) {
			s->continue_on_error = kinds[i].dirs;
			return 0;
		}
	return -EINVAL;
}

/* The simulator keeps no verify state file: only "do not save" is honest. */
static int o_verify_state_save(struct job_spec *s, const char *v)
{
	bool save;

	(void)s;
	return opt_parse_flag(v, &save) || save ? -EINVAL : 0;
}

/* The simulator applies overlapping writes in the order it issues them, so
 * fio's serialization of overlapping I/Os changes nothing either way. */
static int o_serialize_overlap(struct job_spec *s, const char *v)
{
	bool on;

	(void)s;
	return opt_parse_flag(v, &on);
}

static const struct job_option_row options[] = {
	{"name", o_name, "a job name"},
	{"description", o_accept, "text"},
	/* where fio would send I/O: the simulator always targets the emulated device */
	{"filename", o_accept, "a target name"},
	{"ioengine", o_accept, "an engine name"},
	{"direct", o_accept, "0 or 1"},
	{"thread", o_accept, "a flag"},
	{"rw", o_rw, "read|write|trim|randread|randwrite|randtrim|rw|readwrite|randrw"},
	{"readwrite", o_rw, "read|write|trim|randread|randwrite|randtrim|rw|readwrite|randrw"},
	{"bs", o_bs, "one block size, a multiple of 512 (k/m suffixes)"},
	{"blocksize", o_bs, "one block size, a multiple of 512 (k/m suffixes)"},
	{"size", o_size, "bytes (k/m/g/t suffixes) or a percentage"},
	{"offset", o_offset, "bytes (k/m/g/t suffixes) or a percentage"},
	{"io_size", o_io_size, "bytes (k/m/g/t suffixes) or a percentage"},
	{"io_limit", o_io_size, "bytes (k/m/g/t suffixes) or a percentage"},
	{"number_ios", o_number_ios, "a count"},
	{"loops", o_loops, "a count >= 1"},
	{"iodepth", o_iodepth, "1..65536"},
	{"numjobs", o_numjobs, "1..1024"},
	{"rwmixread", o_rwmixread, "0..100"},
	{"rwmixwrite", o_rwmixwrite, "0..100"},
	{"norandommap", o_norandommap, "a flag"},
	{"random_distribution", o_random_distribution,
	 "random | zipf:theta (finite, > 0, != 1) | pareto:h (0 < h < 1) | zoned:A/R:A/R... "
	 "(each summing to 100)"},
	{"randseed", o_randseed, "a number"},
	{"stonewall", o_stonewall, "a flag"},
	{"wait_for_previous", o_stonewall, "a flag"},
	{"time_based", o_time_based, "a flag"},
	{"runtime", o_runtime, "a finite time (s default; ns/us/ms/s/m/h)"},
	{"thinktime", o_thinktime, "a finite time (us default; ns/us/ms/s)"},
	{"read_iolog", o_read_iolog,
	 "a trace file: fio iolog v2/v3, blktrace, MSR, DiskSim, Alibaba or Tencent CSV"},
	{"replay_no_stall", o_replay_no_stall, "a flag"},
	{"replay_time_scale", o_replay_time_scale, "a percentage of the trace's rate, 1..1000000"},
	{"replay_scale", o_replay_scale, "a divisor of the trace's offsets, >= 1"},
	{"replay_align", o_replay_align, "a power of 2 to align the trace's offsets down to"},
	{"replay_skip", o_replay_skip, "a comma-separated list of read, write, trim, sync"},
	{"trace_format", o_trace_format, "one of " TRACE_FORMATS},
	{"replay_past_end", o_replay_past_end,
	 "error (default), wrap (modulo the device) or skip, for requests past the device's end"},
	{"trace_volume", o_trace_volume, "a volume (device, disk) number of the trace"},
	{"verify", o_verify, "crc32c (or crc32c-intel), or 0 / none"},
	{"do_verify", o_do_verify, "a flag"},
	{"verify_fatal", o_verify_fatal, "a flag"},
	{"continue_on_error", o_continue_on_error, "none, read, write, io, verify or all"},
	{"verify_state_save", o_verify_state_save, "0 (the simulator saves no verify state)"},
	{"serialize_overlap", o_serialize_overlap, "a flag"},
};

static void remember(struct job_spec *s, const char *key, const char *value)
{
	for (uint32_t i = 0; i < s->nopts; i++) {
		if (!strcmp(s->opts[i].key, key)) {
			snprintf(s->opts[i].value, sizeof(s->opts[i].value), "%s", value);
			return;
		}
	}
	if (s->nopts == MAX_OPTIONS)
		return;
	snprintf(s->opts[s->nopts].key, sizeof(s->opts[0].key), "%s", key);
	snprintf(s->opts[s->nopts].value, sizeof(s->opts[0].value), "%s", value);
	s->nopts++;
}

/* The option named key in one of the tables, or NULL. */
static const struct job_option_row *find_option(const char *key)
{
	const struct {
		const struct job_option_row *rows;
		size_t n;
	} tables[] = {{options, sizeof(options) / sizeof(options[0])},
		      {job_placement_options, job_placement_noptions},
		      {job_zbd_options, job_zbd_noptions}};

	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (size_t i = 0; i < tables[t].n; i++)
			if (!strcmp(tables[t].rows[i].name, key))
				return &tables[t].rows[i];
	return NULL;
}

int job_option_apply(struct job_spec *spec, const char *key, const char *value, char *err,
		     size_t errlen)
{
	const struct job_option_row *o = find_option(key);

	if (o) {
		if (o->fn(spec, value)) {
			snprintf(err, errlen, "%s=%s: bad value, expected %s", key, value,
				 o->expect);
			return -EINVAL;
		}
		remember(spec, key, value);
		return 0;
	}
	snprintf(err, errlen, "fio option '%s' is not supported by the simulator", key);
	return -ENOTSUP;
}

uint64_t size_value_bytes(const struct size_value *v, uint64_t capacity_bytes)
{
	if (!v->set)
		return 0;
	if (v->is_pct)
		return (uint64_t)((double)capacity_bytes * v->pct / 100.0);
	return v->bytes;
}
