/*
 * Profiles: files of `key = value` lines (`#` comments) in profiles/, parsed
 * with libinih and applied through config_set() so they obey the same rules
 * as --set. A name is looked up in $VSSD_PROFILE_DIR, then the source tree's
 * profiles/ and the installed data directory; anything with a '/' is a path.
 */
#include "config/params.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROFILE_MAX_BYTES (1 << 20)

struct profile_ctx {
	struct vssd_config *cfg;
	char *err;
	size_t errlen;
	int failed;
};

/* inih callback: one key = value line; returning 0 makes ini_parse report the line. */
static int profile_line(void *user, const char *section, const char *key, const char *value)
{
	struct profile_ctx *ctx = user;
	char msg[256];

	if (ctx->failed)
		return 1;
	if (section[0]) {
		snprintf(ctx->err, ctx->errlen, "sections are not used in profiles ([%s])",
			 section);
		ctx->failed = 1;
		return 0;
	}
	if (config_set(ctx->cfg, key, value, msg, sizeof(msg))) {
		snprintf(ctx->err, ctx->errlen, "%s", msg);
		ctx->failed = 1;
		return 0;
	}
	return 1;
}

static int find_profile(const char *name, char *path, size_t pathlen)
{
	const char *dirs[] = {getenv("VSSD_PROFILE_DIR"), VSSD_SOURCE_PROFILE_DIR,
			      VSSD_INSTALL_PROFILE_DIR};

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (!dirs[i])
			continue;
		snprintf(path, pathlen, "%s/%s.conf", dirs[i], name);
		if (access(path, R_OK) == 0)
			return 0;
	}
	return -ENOENT;
}

/* A profile is a short text file: a directory would read as empty and a
 * device such as /dev/zero would never end. */
static int check_profile_file(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st)) {
		snprintf(err, errlen, "%s: cannot open profile", path);
		return -ENOENT;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: a profile must be a regular file", path);
		return -EINVAL;
	}
	if (st.st_size > PROFILE_MAX_BYTES) {
		snprintf(err, errlen, "%s: %lld bytes is too large for a profile (at most %d)",
			 path, (long long)st.st_size, PROFILE_MAX_BYTES);
		return -EINVAL;
	}
	return 0;
}

int config_load_profile(struct vssd_config *cfg, const char *name_or_path, char *err, size_t errlen)
{
	struct profile_ctx ctx = {cfg, err, errlen, 0};
	char path[4096];
	char msg[256] = "";
	int line;

	if (strchr(name_or_path, '/') || access(name_or_path, R_OK) == 0) {
		snprintf(path, sizeof(path), "%s", name_or_path);
	} else if (find_profile(name_or_path, path, sizeof(path))) {
		snprintf(err, errlen,
			 "profile '%s' not found (looked for %s.conf in "
			 "$VSSD_PROFILE_DIR, %s, %s)",
			 name_or_path, name_or_path, VSSD_SOURCE_PROFILE_DIR,
			 VSSD_INSTALL_PROFILE_DIR);
		return -ENOENT;
	}
	if ((line = check_profile_file(path, err, errlen)))
		return line;
	ctx.err = msg;
	ctx.errlen = sizeof(msg);
	line = ini_parse(path, profile_line, &ctx);
	if (line < 0) {
		snprintf(err, errlen, "%s: cannot open profile", path);
		return -ENOENT;
	}
	if (line > 0) {
		snprintf(err, errlen, "%s:%d: %s", path, line,
			 msg[0] ? msg : "malformed line (expected key = value)");
		return -EINVAL;
	}
	return 0;
}
