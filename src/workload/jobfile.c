/*
 * fio job files, parsed with libinih. fio's dialect needs two adjustments
 * before inih sees the text: options without a value (`norandommap`) get an
 * empty one, and every section header is numbered so that repeated names
 * stay distinct and sections with no options are still jobs. Neither changes
 * line numbers, so inih's line numbers are the user's.
 */
#include "workload/job.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE 199 /* inih's INI_MAX_LINE, less the newline */

struct section {
	char name[64];
	bool global;
};

struct parse_ctx {
	struct section *sections;
	uint32_t nsections;
	int current;
	struct job_spec global;
	struct job_file *out;
	char *err;
	size_t errlen;
	int failed;
};

static int add_job(struct parse_ctx *ctx, const char *name)
{
	struct job_file *jf = ctx->out;
	struct job_spec *jobs = realloc(jf->jobs, (jf->njobs + 1) * sizeof(*jobs));

	if (!jobs)
		return -ENOMEM;
	jf->jobs = jobs;
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
		ctx->current++;
		if (!ctx->sections[ctx->current].global &&
		    add_job(ctx, ctx->sections[ctx->current].name))
			return -ENOMEM;
	}
	return 0;
}

/* inih callback; returning 0 makes ini_parse_string report this line. */
static int on_option(void *user, const char *section, const char *key, const char *value)
{
	struct parse_ctx *ctx = user;
	struct job_spec *target;
	int idx = atoi(section);

	if (ctx->failed)
		return 1;
	if (!section[0]) {
		snprintf(ctx->err, ctx->errlen, "option '%s' outside any [section]", key);
		ctx->failed = 1;
		return 0;
	}
	if (advance_to(ctx, idx)) {
		snprintf(ctx->err, ctx->errlen, "out of memory");
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

/* Rewrites the text for inih and records the sections. Returns the new text or NULL. */
static char *prepare(const char *text, struct parse_ctx *ctx, int *bad_line)
{
	size_t cap = strlen(text) * 2 + 64, n = 0;
	char *out = malloc(cap);
	const char *p = text;
	int lineno = 0;

	if (!out)
		return NULL;
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char line[512];

		lineno++;
		while (len && (*p == ' ' || *p == '\t'))
			p++, len--;
		while (len && (p[len - 1] == '\r' || p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len > MAX_LINE || len >= sizeof(line)) {
			*bad_line = lineno;
			snprintf(ctx->err, ctx->errlen, "line longer than %d characters", MAX_LINE);
			free(out);
			return NULL;
		}
		memcpy(line, p, len);
		line[len] = 0;
		if (line[0] == '[') {
			char *close = strchr(line, ']');
			struct section *s;

			if (!close || close == line + 1) {
				*bad_line = lineno;
				snprintf(ctx->err, ctx->errlen, "malformed section header '%s'", line);
				free(out);
				return NULL;
			}
			*close = 0;
			s = realloc(ctx->sections, (ctx->nsections + 1) * sizeof(*s));
			if (!s) {
				free(out);
				return NULL;
			}
			ctx->sections = s;
			snprintf(s[ctx->nsections].name, sizeof(s->name), "%.63s", line + 1);
			s[ctx->nsections].global = !strcmp(line + 1, "global");
			n += (size_t)snprintf(out + n, cap - n, "[%u]\n", ctx->nsections++);
		} else if (line[0] && line[0] != '#' && line[0] != ';' && !strchr(line, '=')) {
			n += (size_t)snprintf(out + n, cap - n, "%s=\n", line);
		} else {
			n += (size_t)snprintf(out + n, cap - n, "%s\n", line);
		}
		p = eol ? eol + 1 : p + len;
	}
	out[n] = 0;
	return out;
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

/* numjobs=N becomes N jobs, each with its own random stream. */
static int expand_numjobs(struct job_file *jf)
{
	uint32_t total = 0, k = 0;
	struct job_spec *jobs;

	for (uint32_t i = 0; i < jf->njobs; i++)
		total += jf->jobs[i].numjobs;
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
		rc = -EINVAL;
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
	if (advance_to(&ctx, (int)ctx.nsections - 1) || expand_numjobs(out)) {
		snprintf(err, errlen, "%s: out of memory", name);
		rc = -ENOMEM;
		goto out;
	}
	if (!out->njobs) {
		snprintf(err, errlen, "%s: no job sections (only [global])", name);
		rc = -EINVAL;
		goto out;
	}
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
