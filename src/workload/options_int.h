/*
 * What the job option files share: a row of an options table (the option's
 * name, its parser, what a good value looks like) and the parsers every
 * table uses. options.c holds the main table and looks options up;
 * options_placement.c has FDP's, options_zbd.c the zoned mode's.
 */
#ifndef VSSD_WORKLOAD_OPTIONS_INT_H
#define VSSD_WORKLOAD_OPTIONS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "workload/job.h"

typedef int (*opt_fn)(struct job_spec *s, const char *v);

struct job_option_row {
	const char *name;
	opt_fn fn;
	const char *expect; /* shown when the value is bad */
};

extern const struct job_option_row job_placement_options[]; /* options_placement.c */
extern const size_t job_placement_noptions;
extern const struct job_option_row job_zbd_options[]; /* options_zbd.c */
extern const size_t job_zbd_noptions;

/* A number (decimal, or 0x hex); 0 or -EINVAL. */
int opt_parse_u64(const char *v, uint64_t *out);
/* fio's booleans: a bare option name means 1; 0 or -EINVAL. */
int opt_parse_flag(const char *v, bool *out);

#endif
