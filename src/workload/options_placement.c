/*
 * fio's data placement job options (FDP: fdp, dataplacement, the placement
 * identifier list and how a job goes through it), in a table of their own
 * that options.c searches.
 */
#include "workload/options_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int o_fdp(struct job_spec *s, const char *v)
{
	return opt_parse_flag(v, &s->fdp);
}

static int o_dataplacement(struct job_spec *s, const char *v)
{
	if (!strcmp(v, "fdp"))
		s->fdp = true;
	else if (!strcmp(v, "none") || !strcmp(v, "0"))
		s->fdp = false;
	else
		return -EINVAL; /* "streams" is not supported */
	return 0;
}

/* A list of placement identifier indices: "0,2,5-7". */
static int o_plis(struct job_spec *s, const char *v)
{
	const char *p = v;

	s->nplis = 0;
	while (*p) {
		char *end;
		unsigned long a = strtoul(p, &end, 10), b;

		if (end == p || a >= 65536)
			return -EINVAL;
		b = a;
		if (*end == '-') {
			p = end + 1;
			b = strtoul(p, &end, 10);
			if (end == p || b < a || b >= 65536)
				return -EINVAL;
		}
		for (unsigned long i = a; i <= b; i++) {
			if (s->nplis == MAX_PLIS)
				return -EINVAL;
			s->plis[s->nplis++] = (uint16_t)i;
		}
		if (*end == ',')
			end++;
		else if (*end)
			return -EINVAL;
		p = end;
	}
	return s->nplis ? 0 : -EINVAL;
}

static int o_pli_select(struct job_spec *s, const char *v)
{
	if (!strcmp(v, "random"))
		s->pli_random = true;
	else if (!strcmp(v, "roundrobin"))
		s->pli_random = false;
	else
		return -EINVAL;
	return 0;
}

const struct job_option_row job_placement_options[] = {
	{"fdp", o_fdp, "0 or 1"},
	{"dataplacement", o_dataplacement, "none or fdp"},
	{"fdp_pli", o_plis, "placement ID indices, e.g. 0,2,4-7 (at most 128)"},
	{"plids", o_plis, "placement ID indices, e.g. 0,2,4-7 (at most 128)"},
	{"fdp_pli_select", o_pli_select, "random or roundrobin"},
	{"plid_select", o_pli_select, "random or roundrobin"},
};
const size_t job_placement_noptions =
	sizeof(job_placement_options) / sizeof(job_placement_options[0]);
