/*
 * fio job files, parsed with libinih. fio's dialect needs two adjustments
 * before inih sees the text: options without a value (`norandommap`) get an
 * empty one, and every section header is numbered so that repeated names
 * stay distinct and sections with no options are still jobs. Neither changes
 * line numbers, so inih's line numbers are the user's.
 */
#include "workload/job.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE 199 /* inih's INI_MAX_LINE, less the newline */
#define MAX_SECTIONS 65536
#define MAX_JOBS 4096 /* fio's own limit (REAL_MAX_JOBS), after numjobs */

struct section {
	char name[64];
	bool global;
};

struct parse_ctx {
	struct section *sections;
	uint32_t nsections, sections_cap;
	uint32_t njob_sections;
	uint32_t jobs_cap;
	int current;
	struct job_spec global;
	struct job_file *out;
	char *err;
	size_t errlen;
	int failed;
};

/* Grows an array of elem_bytes elements to hold one more; doubling keeps a
 * file of many sections linear. */
static int grow(void **v, uint32_t n, uint32_t *cap, size_t elem_bytes)
{
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*v, (size_t)(*cap ? *cap * 2 : 16) * elem_bytes);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = *cap ? *cap * 2 : 16;
	return 0;
}

static int add_job(struct parse_ctx *ctx, const char *name)
{
	struct job_file *jf = ctx->out;
	struct job_spec *jobs;

	if (jf->njobs == MAX_JOBS)
		return -E2BIG;
	if (grow((void **)&jf->jobs, jf->njobs, &ctx->jobs_cap, sizeof(*jobs)))
		return -ENOMEM;
	jobs = jf->jobs;
	/* a job starts from the [global] options so far; its name is its section's
	 * until a name= option says otherwise */
	jobs[jf->njobs] = ctx->global;
	snprintf(jobs[jf->njobs].name, sizeof(jobs[0].name), "%s", name);
	jf->njobs++;
	return 0;
}

/* Opens every section up to idx, in file order: [global] sections update the
 * defaults for the jobs after them, as in fio. */
static int advance_to(struct parse_ctx *ctx, int idx)
{
	while (ctx->current < idx) {
		int rc;

		ctx->current++;
		if (!ctx->sections[ctx->current].global &&
		    (rc = add_job(ctx, ctx->sections[ctx->current].name))) {
			if (rc == -E2BIG)
				snprintf(ctx->err, ctx->errlen, "more than %d jobs (fio's limit)",
					 MAX_JOBS);
			else
				snprintf(ctx->err, ctx->errlen, "out of memory");
			return rc;
		}
	}
	return 0;
}

/* inih callback; returning 0 makes ini_parse_string report this line. */
static int on_option(void *user, const char *section, const char *key, const char *value)
{
	struct parse_ctx *ctx = user;
	struct job_spec *target;
	char *end;
	unsigned long idx = strtoul(section, &end, 10);

	if (ctx->failed)
		return 1;
	/* every header inih sees is one prepare() numbered */
	if (!section[0] || *end || idx >= ctx->nsections) {
		snprintf(ctx->err, ctx->errlen, "option '%s' outside any [section]", key);
		ctx->failed = 1;
		return 0;
	}
	if (advance_to(ctx, (int)idx)) {
		ctx->failed = 1;
		return 0;
	}
	target = ctx->sections[idx].global ? &ctx->global : &ctx->out->jobs[ctx->out->njobs - 1];
	if (job_option_apply(target, key, value, ctx->err, ctx->errlen)) {
		ctx->failed = 1;
		return 0;
	}
	return 1;
}

/* The rewritten text for inih, grown as it is written. */
struct text_buf {
	char *p;
	size_t len, cap;
};

static int buf_append(struct text_buf *b, const char *fmt, ...)
{
	va_list ap;
	int need;

	va_start(ap, fmt);
	need = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (b->len + (size_t)need + 1 > b->cap) {
		size_t cap = (b->cap ? b->cap * 2 : 4096) + (size_t)need;
		char *p = realloc(b->p, cap);

		if (!p)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	va_start(ap, fmt);
	b->len += (size_t)vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	return 0;
}

static int add_section(struct parse_ctx *ctx, const char *name)
{
	struct section *s;

	if (ctx->nsections == MAX_SECTIONS)
		return -ERANGE;
	if (grow((void **)&ctx->sections, ctx->nsections, &ctx->sections_cap, sizeof(*s)))
		return -ENOMEM;
	s = &ctx->sections[ctx->nsections++];
	snprintf(s->name, sizeof(s->name), "%.63s", name);
	s->global = !strcmp(name, "global");
	if (!s->global && ++ctx->njob_sections > MAX_JOBS)
		return -E2BIG;
	return 0;
}

/* The length of the line at p; a line ends at "\n", "\r\n" or a lone "\r"
 * (old Mac files), and *next is where the one after it starts. */
static size_t line_length(const char *p, const char **next)
{
	size_t len = strcspn(p, "\r\n");

	*next = p + len;
	if ((*next)[0] == '\r' && (*next)[1] == '\n')
		*next += 2;
	else if (**next)
		(*next)++;
	return len;
}

/* Rewrites one line (without its end) for inih. Returns 0 or a negative
 * errno with ctx->err set. */
static int prepare_line(char *line, struct parse_ctx *ctx, struct text_buf *out)
{
	char *close;
	int rc;

	if (line[0] != '[') {
		if (line[0] && line[0] != '#' && line[0] != ';' && !strchr(line, '='))
			return buf_append(out, "%s=\n", line);
		return buf_append(out, "%s\n", line);
	}
	close = strchr(line, ']');
	if (!close || close == line + 1) {
		snprintf(ctx->err, ctx->errlen, "malformed section header '%s'", line);
		return -EINVAL;
	}
	*close = 0;
	if ((rc = add_section(ctx, line + 1))) {
		if (rc == -E2BIG)
			snprintf(ctx->err, ctx->errlen, "more than %d jobs (fio's limit)",
				 MAX_JOBS);
		else if (rc == -ERANGE)
			snprintf(ctx->err, ctx->errlen, "more than %d sections", MAX_SECTIONS);
		return rc;
	}
	return buf_append(out, "[%u]\n", ctx->nsections - 1);
}

/* Rewrites the text for inih and records the sections. Returns the new text,
 * or NULL with *bad_line and ctx->err set (ctx->err empty: out of memory). */
static char *prepare(const char *text, struct parse_ctx *ctx, int *bad_line)
{
	struct text_buf out = {0};
	const char *p = text, *next;
	int lineno = 0;

	if (!strncmp(p, "\xef\xbb\xbf", 3)) /* a UTF-8 byte-order mark, as Notepad writes */
		p += 3;
	for (; *p; p = next) {
		size_t len = line_length(p, &next);
		char line[MAX_LINE + 1];

		lineno++;
		while (len && isspace((unsigned char)*p))
			p++, len--;
		while (len && isspace((unsigned char)p[len - 1]))
			len--;
		if (len > MAX_LINE) {
			snprintf(ctx->err, ctx->errlen, "line longer than %d characters", MAX_LINE);
			goto fail;
		}
		memcpy(line, p, len);
		line[len] = 0;
		if (prepare_line(line, ctx, &out))
			goto fail;
	}
	if (!buf_append(&out, "%s", ""))
		return out.p;
fail:
	*bad_line = lineno;
	free(out.p);
	return NULL;
}

static void assign_groups(struct job_file *jf)
{
	int group = 0;

	for (uint32_t i = 0; i < jf->njobs; i++) {
		if (i && jf->jobs[i].stonewall)
			group++;
		jf->jobs[i].group = group;
	}
	jf->ngroups = jf->njobs ? (uint32_t)group + 1 : 0;
}

/* What needs a job's options together; returns 0 or -EINVAL with err set. */
static int check_job(const struct job_spec *j, const char *name, char *err, size_t errlen)
{
	if (j->time_based && !j->runtime_ns) {
		snprintf(err, errlen, "%s: job '%s': time_based needs a runtime above 0", name,
			 j->name);
		return -EINVAL;
	}
	return 0;
}

/* numjobs=N becomes N jobs, each with its own random stream. */
static int expand_numjobs(struct job_file *jf)
{
	uint32_t total = 0, k = 0;
	struct job_spec *jobs;

	for (uint32_t i = 0; i < jf->njobs; i++)
		total += jf->jobs[i].numjobs; /* at most MAX_JOBS * 1024: no overflow */
	if (total > MAX_JOBS)
		return -E2BIG;
	jobs = calloc(total, sizeof(*jobs));
	if (!jobs)
		return -ENOMEM;
	for (uint32_t i = 0; i < jf->njobs; i++) {
		for (uint32_t c = 0; c < jf->jobs[i].numjobs; c++) {
			jobs[k] = jf->jobs[i];
			jobs[k].stonewall = jf->jobs[i].stonewall && c == 0;
			if (jobs[k].randseed_set)
				jobs[k].randseed += c;
			k++;
		}
	}
	free(jf->jobs);
	jf->jobs = jobs;
	jf->njobs = total;
	return 0;
}

int job_file_parse(const char *text, const char *name, struct job_file *out, char *err,
		   size_t errlen)
{
	struct parse_ctx ctx = {.current = -1, .out = out};
	char msg[256] = "";
	int bad_line = 0, rc = 0;
	char *prepared;

	memset(out, 0, sizeof(*out));
	job_spec_defaults(&ctx.global);
	ctx.err = msg;
	ctx.errlen = sizeof(msg);
	prepared = prepare(text, &ctx, &bad_line);
	if (!prepared) {
		snprintf(err, errlen, "%s:%d: %s", name, bad_line, msg[0] ? msg : "out of memory");
		rc = msg[0] ? -EINVAL : -ENOMEM;
		goto out;
	}
	bad_line = ini_parse_string(prepared, on_option, &ctx);
	free(prepared);
	if (bad_line) {
		snprintf(err, errlen, "%s:%d: %s", name, bad_line,
			 msg[0] ? msg : "malformed line (expected option=value or [section])");
		rc = ctx.failed && strstr(msg, "not supported") ? -ENOTSUP : -EINVAL;
		goto out;
	}
	if ((rc = advance_to(&ctx, (int)ctx.nsections - 1))) {
		snprintf(err, errlen, "%s: %s", name, msg);
		goto out;
	}
	if ((rc = expand_numjobs(out))) {
		snprintf(err, errlen,
			 rc == -E2BIG ? "%s: more than %d jobs after numjobs (fio's limit)"
				      : "%s: out of memory",
			 name, MAX_JOBS);
		goto out;
	}
	if (!out->njobs) {
		snprintf(err, errlen, "%s: no job sections (only [global])", name);
		rc = -EINVAL;
		goto out;
	}
	for (uint32_t i = 0; i < out->njobs && !rc; i++)
		rc = check_job(&out->jobs[i], name, err, errlen);
	if (!rc)
		assign_groups(out);
out:
	free(ctx.sections);
	if (rc)
		job_file_free(out);
	return rc;
}

int job_file_load(const char *path, struct job_file *out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text;
	long len;
	int rc;

	if (!f) {
		snprintf(err, errlen, "%s: cannot open job file: %s", path, strerror(errno));
		return -errno;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = malloc((size_t)len + 1);
	if (!text || fread(text, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		free(text);
		snprintf(err, errlen, "%s: cannot read job file", path);
		return -EIO;
	}
	fclose(f);
	text[len] = 0;
	if (memchr(text, 0, (size_t)len)) {
		free(text);
		snprintf(err, errlen, "%s: not a text job file (contains NUL bytes)", path);
		return -EINVAL;
	}
	rc = job_file_parse(text, path, out, err, errlen);
	free(text);
	return rc;
}

void job_file_free(struct job_file *jf)
{
	free(jf->jobs);
	jf->jobs = NULL;
	jf->njobs = jf->ngroups = 0;
}
