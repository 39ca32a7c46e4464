/*
 * fio's zoned-mode job options (zonemode=zbd and its company), in a table
 * of their own that options.c searches after its own: what they set in
 * struct job_spec's zbd; src/runtime/sim_zbd.c does what they ask.
 */
#include "workload/options_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/params.h"

static int o_zonemode(struct job_spec *s, const char *v)
{
	if (strcmp(v, "none") && strcmp(v, "zbd"))
		return -EINVAL; /* strided is not supported */
	s->zbd.on = !strcmp(v, "zbd");
	return 0;
}

static int o_zonesize(struct job_spec *s, const char *v)
{
	return parse_size_bytes(v, &s->zbd.zonesize) || !s->zbd.zonesize ? -EINVAL : 0;
}

static int o_zonecapacity(struct job_spec *s, const char *v)
{
	return parse_size_bytes(v, &s->zbd.zonecap) || !s->zbd.zonecap ? -EINVAL : 0;
}

static int parse_count(const char *v, uint32_t *out)
{
	uint64_t n;

	if (opt_parse_u64(v, &n) || n > (1u << 20))
		return -EINVAL;
	*out = (uint32_t)n;
	return 0;
}

static int o_max_open_zones(struct job_spec *s, const char *v)
{
	return parse_count(v, &s->zbd.max_open);
}

static int o_job_max_open_zones(struct job_spec *s, const char *v)
{
	return parse_count(v, &s->zbd.job_max_open);
}

/* A fraction: finite, in [0, 1]. */
static int parse_fraction(const char *v, double *out)
{
	char *end;

	*out = strtod(v, &end);
	return !*v || *end || !(*out >= 0 && *out <= 1) ? -EINVAL : 0;
}

static int o_zone_reset_threshold(struct job_spec *s, const char *v)
{
	return parse_fraction(v, &s->zbd.reset_threshold);
}

static int o_zone_reset_frequency(struct job_spec *s, const char *v)
{
	return parse_fraction(v, &s->zbd.reset_frequency);
}

static int o_zoneskip(struct job_spec *s, const char *v)
{
	return parse_size_bytes(v, &s->zbd.zoneskip);
}

static int o_zone_append(struct job_spec *s, const char *v)
{
	return opt_parse_flag(v, &s->zbd.append);
}

const struct job_option_row job_zbd_options[] = {
	{"zonemode", o_zonemode, "none or zbd (strided is not supported)"},
	{"zonesize", o_zonesize, "bytes (k/m/g suffixes): the device's zone size"},
	{"zonecapacity", o_zonecapacity, "bytes (k/m/g suffixes): the device's zone capacity"},
	{"max_open_zones", o_max_open_zones, "a count, at most the device's open limit"},
	{"job_max_open_zones", o_job_max_open_zones, "a count"},
	{"zone_reset_threshold", o_zone_reset_threshold, "a fraction, 0..1"},
	{"zone_reset_frequency", o_zone_reset_frequency, "a fraction, 0..1"},
	{"zone_append", o_zone_append, "a flag (vssd's: zonemode=zbd writes as Zone Append)"},
	{"zoneskip", o_zoneskip, "bytes (k/m/g suffixes), a multiple of the zone size"},
};
const size_t job_zbd_noptions = sizeof(job_zbd_options) / sizeof(job_zbd_options[0]);
