/*
 * A sweep's spec, an INI file read with libinih:
 *
 *   [sweep]
 *   job = a.fio, b.fio     ; one or more job files (relative to the spec)
 *   profile = default      ; optional
 *   [set]
 *   channels = 4           ; every point's, as --set
 *   [axes]
 *   op = 0.07, 0.15, 0.28  ; a list,
 *   seed = 1..5            ; or a range of whole numbers
 *
 * Every key and value is checked as --set takes it, and the line of the
 * first that is wrong named; the points are the cross product of the job
 * files and the axes.
 */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner.h"
#include "sweep.h"
#include "vssd/vssd.h"

struct reader {
	struct sweep_spec *s;
	char err[600];
};

static char *trim(char *t)
{
	char *end;

	while (isspace((unsigned char)*t))
		t++;
	end = t + strlen(t);
	while (end > t && isspace((unsigned char)end[-1]))
		*--end = 0;
	return t;
}

/* Splits a comma list into trimmed items; "a..b" into each whole number
 * from a to b. Returns the count, or -1 with r->err set. */
static int split(struct reader *r, const char *key, const char *value, char **out, int max)
{
	char *copy = strdup(value), *save = NULL, *end;
	int n = 0;

	for (char *it = strtok_r(copy, ",", &save); it && n >= 0; it = strtok_r(NULL, ",", &save)) {
		char *item = trim(it), *dots = strstr(item, "..");
		long long a, b;

		if (!dots) {
			out[n++] = strdup(item);
		} else if ((a = strtoll(item, &end, 10), end != dots) ||
			   (b = strtoll(dots + 2, &end, 10), *end || end == dots + 2) || b < a ||
			   b - a >= max - n) {
			snprintf(r->err, sizeof(r->err),
				 "%s = %s: '%s' is not a range a..b of whole numbers, a <= b, at "
				 "most %d values",
				 key, value, item, max);
			n = -1;
		} else {
			for (long long v = a; v <= b; v++)
				if (asprintf(&out[n++], "%lld", v) < 0)
					out[n - 1] = NULL;
		}
		if (n >= max && strtok_r(NULL, ",", &save)) {
			snprintf(r->err, sizeof(r->err), "%s: more than %d values", key, max);
			n = -1;
		}
	}
	free(copy);
	if (!n) {
		snprintf(r->err, sizeof(r->err), "%s: no values", key);
		return -1;
	}
	return n;
}

/* key=value as --set takes it; 0 with r->err set when not. */
static int check_pair(struct reader *r, const char *key, const char *value)
{
	char pair[512], msg[512];

	snprintf(pair, sizeof(pair), "%s=%s", key, value);
	if (!vssd_check_param(pair, msg, sizeof(msg)))
		return 1;
	snprintf(r->err, sizeof(r->err), "%s", msg);
	return 0;
}

static int sweep_line(struct reader *r, const char *key, const char *value)
{
	struct sweep_spec *s = r->s;

	if (!strcmp(key, "profile")) {
		snprintf(s->profile, sizeof(s->profile), "%s", value);
		return 1;
	}
	if (strcmp(key, "job")) {
		snprintf(r->err, sizeof(r->err),
			 "[sweep] %s: unknown key (job = FILE, ... and profile = NAME)", key);
		return 0;
	}
	return (s->njobs = split(r, key, value, s->jobs, SWEEP_MAX_JOBS)) > 0;
}

static int set_line(struct reader *r, const char *key, const char *value)
{
	struct sweep_spec *s = r->s;

	if (!check_pair(r, key, value))
		return 0;
	if (s->nsets == CLI_MAX_SETS) {
		snprintf(r->err, sizeof(r->err), "[set]: more than %d parameters", CLI_MAX_SETS);
		return 0;
	}
	return asprintf(&s->sets[s->nsets++], "%s=%s", key, value) >= 0;
}

static int axis_line(struct reader *r, const char *key, const char *value)
{
	struct sweep_spec *s = r->s;
	struct sweep_axis *a = &s->axes[s->naxes];

	if (s->naxes == SWEEP_MAX_AXES || strlen(key) >= sizeof(a->key)) {
		snprintf(r->err, sizeof(r->err), "[axes] %s: more than %d axes or a long name", key,
			 SWEEP_MAX_AXES);
		return 0;
	}
	for (int i = 0; i < s->naxes; i++)
		if (!strcmp(s->axes[i].key, key)) {
			snprintf(r->err, sizeof(r->err), "[axes] %s: a second time", key);
			return 0;
		}
	snprintf(a->key, sizeof(a->key), "%s", key);
	if ((a->n = split(r, key, value, a->values, SWEEP_MAX_VALUES)) < 0)
		return a->n = 0;
	s->naxes++; /* sweep_spec_free frees it from here on */
	for (int i = 0; i < a->n; i++)
		if (!check_pair(r, key, a->values[i]) ||
		    asprintf(&a->pairs[i], "%s=%s", key, a->values[i]) < 0)
			return 0;
	return 1;
}

/* inih's callback: returning 0 makes ini_parse return this line. */
static int on_line(void *user, const char *section, const char *key, const char *value)
{
	struct reader *r = user;

	if (!strcmp(section, "sweep"))
		return sweep_line(r, key, value);
	if (!strcmp(section, "set"))
		return set_line(r, key, value);
	if (!strcmp(section, "axes"))
		return axis_line(r, key, value);
	snprintf(r->err, sizeof(r->err), "[%s]: not a section of a sweep ([sweep], [set], [axes])",
		 section);
	return 0;
}

/* Job files relative to the spec's folder; each must be readable. */
static int resolve_jobs(struct sweep_spec *s)
{
	char *copy = strdup(s->path), *dir = dirname(copy);

	for (int i = 0; i < s->njobs; i++) {
		char *path = NULL;

		if (s->jobs[i][0] != '/' && asprintf(&path, "%s/%s", dir, s->jobs[i]) >= 0) {
			free(s->jobs[i]);
			s->jobs[i] = path;
		}
		if (access(s->jobs[i], R_OK)) {
			fprintf(stderr, "vssd sweep: %s: job = %s: %s\n", s->path, s->jobs[i],
				strerror(errno));
			free(copy);
			return 2;
		}
	}
	free(copy);
	return 0;
}

int sweep_spec_read(const char *path, struct sweep_spec *s)
{
	struct reader r = {.s = s};
	int line;

	memset(s, 0, sizeof(*s));
	snprintf(s->path, sizeof(s->path), "%s", path);
	line = ini_parse(path, on_line, &r);
	if (line < 0) {
		fprintf(stderr, "vssd sweep: %s: %s\n", path,
			line == -1 ? strerror(errno) : "out of memory");
		return 2;
	}
	if (line > 0) {
		fprintf(stderr, "vssd sweep: %s:%d: %s\n", path, line,
			r.err[0] ? r.err : "not key = value, [section] or a comment");
		return 2;
	}
	if (!s->njobs) {
		fprintf(stderr, "vssd sweep: %s: no job files ([sweep] job = FILE, ...)\n", path);
		return 2;
	}
	s->npoints = (size_t)s->njobs;
	for (int i = 0; i < s->naxes; i++)
		s->npoints *= (size_t)s->axes[i].n;
	return resolve_jobs(s);
}

void sweep_spec_free(struct sweep_spec *s)
{
	for (int i = 0; i < s->njobs; i++)
		free(s->jobs[i]);
	for (int i = 0; i < s->nsets; i++)
		free(s->sets[i]);
	for (int a = 0; a < s->naxes; a++)
		for (int i = 0; i < s->axes[a].n; i++) {
			free(s->axes[a].values[i]);
			free(s->axes[a].pairs[i]);
		}
}

void sweep_point(const struct sweep_spec *s, size_t i, int *job, int value[SWEEP_MAX_AXES])
{
	for (int a = s->naxes - 1; a >= 0; a--) {
		value[a] = (int)(i % (size_t)s->axes[a].n);
		i /= (size_t)s->axes[a].n;
	}
	*job = (int)i;
}

char **sweep_argv(const struct sweep_spec *s, size_t i)
{
	char **argv = calloc((size_t)(2 * (s->nsets + s->naxes) + 8), sizeof(char *));
	int job, value[SWEEP_MAX_AXES], n = 0;

	if (!argv)
		return NULL;
	sweep_point(s, i, &job, value);
	argv[n++] = (char *)run_self();
	argv[n++] = "sim";
	argv[n++] = "--json+";
	if (s->profile[0]) {
		argv[n++] = "--profile";
		argv[n++] = (char *)s->profile;
	}
	for (int k = 0; k < s->nsets; k++) {
		argv[n++] = "--set";
		argv[n++] = s->sets[k];
	}
	for (int a = 0; a < s->naxes; a++) {
		argv[n++] = "--set";
		argv[n++] = s->axes[a].pairs[value[a]];
	}
	argv[n++] = s->jobs[job];
	return argv;
}
