/*
 * The one parser behind the parameter table (param_table.c): values by
 * type, checked against each row's range and against each other, formatted
 * back, and the table printed for `vssd params`.
 */
#include "config/params.h"

#include "config/param_table.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NPARAMS config_nparams

static void errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static const struct param *find_param(const char *key)
{
	for (size_t i = 0; i < NPARAMS; i++)
		if (!strcmp(config_params[i].key, key))
			return &config_params[i];
	return NULL;
}

int parse_size_bytes(const char *text, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mult = 1;

	if (!*text || *text == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || end == text)
		return -EINVAL;
	switch (*end) {
	case 'k':
	case 'K':
		mult = 1ULL << 10;
		end++;
		break;
	case 'm':
	case 'M':
		mult = 1ULL << 20;
		end++;
		break;
	case 'g':
	case 'G':
		mult = 1ULL << 30;
		end++;
		break;
	case 't':
	case 'T':
		mult = 1ULL << 40;
		end++;
		break;
	default: break;
	}
	if ((*end == 'i' || *end == 'I') && mult > 1)
		end++;
	if ((*end == 'b' || *end == 'B') && mult > 1)
		end++;
	if (*end)
		return -EINVAL;
	if (mult > 1 && v > UINT64_MAX / mult)
		return -EINVAL;
	*out = v * mult;
	return 0;
}

static int parse_uint(const char *text, uint64_t *out)
{
	char *end;

	if (!*text || *text == '-')
		return -EINVAL;
	errno = 0;
	*out = strtoull(text, &end, 0);
	return (errno || *end) ? -EINVAL : 0;
}

static int parse_bool(const char *text, uint64_t *out)
{
	static const char *const yes[] = {"on", "true", "1", "yes"};
	static const char *const no[] = {"off", "false", "0", "no"};

	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(text, yes[i])) {
			*out = 1;
			return 0;
		}
		if (!strcasecmp(text, no[i])) {
			*out = 0;
			return 0;
		}
	}
	return -EINVAL;
}

static void range_text(const struct param *p, char *out, size_t outlen)
{
	size_t n = 0;

	switch (p->type) {
	case P_BOOL: snprintf(out, outlen, "on|off"); return;
	case P_ENUM:
	case P_RUHTYPES:
		out[0] = 0;
		for (const char *const *c = p->choices; *c; c++)
			n += snprintf(out + n, outlen - n, "%s%s", c == p->choices ? "" : "|", *c);
		if (p->type == P_RUHTYPES)
			snprintf(out + n, outlen - n, ",...");
		return;
	case P_DOUBLE: snprintf(out, outlen, "[%g, %g]", p->min, p->max); return;
	case P_NSLIST: snprintf(out, outlen, "[%.0f, %.0f] each", p->min, p->max); return;
	case P_RUHLIST: snprintf(out, outlen, "all|list of [%.0f, %.0f]", p->min, p->max); return;
	case P_PATH: snprintf(out, outlen, "a file name"); return;
	default: snprintf(out, outlen, "[%.0f, %.0f]", p->min, p->max); return;
	}
}

static int out_of_range(const struct param *p, const char *value, char *err, size_t errlen)
{
	char range[128];

	range_text(p, range, sizeof(range));
	errf(err, errlen, "%s=%s: out of range, allowed %s", p->key, value, range);
	return -EINVAL;
}

static int set_number(const struct param *p, void *field, const char *value, char *err,
		      size_t errlen)
{
	uint64_t v;
	int rc = p->type == P_BYTES ? parse_size_bytes(value, &v) : parse_uint(value, &v);

	if (rc) {
		errf(err, errlen, "%s=%s: not a%s whole number", p->key, value,
		     p->type == P_BYTES ? " size (bytes, k/m/g suffix) or" : "");
		return -EINVAL;
	}
	if ((double)v < p->min || (double)v > p->max)
		return out_of_range(p, value, err, errlen);
	*(uint64_t *)field = v;
	return 0;
}

/* Splits a comma-separated value into at most max tokens, in buf. `what`
 * names the items for the error: "values (one per page type)". */
static int split_list(const struct param *p, const char *value, char *buf, size_t buflen,
		      char **tok, uint32_t max, const char *what, uint32_t *n, char *err,
		      size_t errlen)
{
	char *save = NULL;

	if (strlen(value) >= buflen) {
		errf(err, errlen, "%s: value too long", p->key);
		return -EINVAL;
	}
	strcpy(buf, value);
	*n = 0;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (*n == max) {
			errf(err, errlen, "%s=%s: at most %u %s", p->key, value, max, what);
			return -EINVAL;
		}
		tok[(*n)++] = t;
	}
	return 0;
}

static int set_nslist(const struct param *p, struct ns_list *list, const char *value, char *err,
		      size_t errlen)
{
	struct ns_list tmp = {0};
	char buf[256], *tok[VSSD_MAX_PAGE_TYPES];
	int rc = split_list(p, value, buf, sizeof(buf), tok, VSSD_MAX_PAGE_TYPES,
			    "values (one per page type)", &tmp.count, err, errlen);

	if (rc)
		return rc;
	for (uint32_t i = 0; i < tmp.count; i++) {
		if (parse_uint(tok[i], &tmp.ns[i])) {
			errf(err, errlen, "%s=%s: '%s' is not a whole number of ns", p->key, value,
			     tok[i]);
			return -EINVAL;
		}
		if ((double)tmp.ns[i] < p->min || (double)tmp.ns[i] > p->max)
			return out_of_range(p, value, err, errlen);
	}
	if (!tmp.count) {
		errf(err, errlen, "%s=%s: expected comma-separated nanoseconds", p->key, value);
		return -EINVAL;
	}
	*list = tmp;
	return 0;
}

/* Index of name in p's choices, or -1. */
static int choice_index(const struct param *p, const char *name)
{
	for (const char *const *c = p->choices; *c; c++)
		if (!strcmp(*c, name))
			return (int)(c - p->choices);
	return -1;
}

static int bad_choice(const struct param *p, const char *value, char *err, size_t errlen)
{
	char range[128];

	range_text(p, range, sizeof(range));
	errf(err, errlen, "%s=%s: expected one of %s", p->key, value, range);
	return -EINVAL;
}

static int set_ruh_types(const struct param *p, struct ruh_types *types, const char *value,
			 char *err, size_t errlen)
{
	struct ruh_types tmp = {0};
	char buf[VSSD_MAX_RUH * 16], *tok[VSSD_MAX_RUH];
	int rc = split_list(p, value, buf, sizeof(buf), tok, VSSD_MAX_RUH, "types (one per handle)",
			    &tmp.count, err, errlen);

	if (rc)
		return rc;
	for (uint32_t i = 0; i < tmp.count; i++) {
		int c = choice_index(p, tok[i]);

		if (c < 0)
			return bad_choice(p, value, err, errlen);
		tmp.type[i] = (uint8_t)c;
	}
	if (!tmp.count)
		return bad_choice(p, value, err, errlen);
	*types = tmp;
	return 0;
}

static int set_ruh_list(const struct param *p, struct ruh_list *list, const char *value, char *err,
			size_t errlen)
{
	struct ruh_list tmp = {0};
	char buf[VSSD_MAX_RUH * 8], *tok[VSSD_MAX_RUH];
	int rc;

	if (!strcmp(value, "all")) {
		*list = tmp;
		return 0;
	}
	if ((rc = split_list(p, value, buf, sizeof(buf), tok, VSSD_MAX_RUH, "handles", &tmp.count,
			     err, errlen)))
		return rc;
	for (uint32_t i = 0; i < tmp.count; i++) {
		uint64_t v;

		if (parse_uint(tok[i], &v)) {
			errf(err, errlen, "%s=%s: '%s' is not a handle number", p->key, value,
			     tok[i]);
			return -EINVAL;
		}
		if ((double)v > p->max)
			return out_of_range(p, value, err, errlen);
		for (uint32_t k = 0; k < i; k++)
			if (tmp.ruh[k] == v) {
				errf(err, errlen, "%s=%s: handle %llu listed twice", p->key, value,
				     (unsigned long long)v);
				return -EINVAL;
			}
		tmp.ruh[i] = (uint16_t)v;
	}
	if (!tmp.count) {
		errf(err, errlen, "%s=%s: expected all or comma-separated handles", p->key, value);
		return -EINVAL;
	}
	*list = tmp;
	return 0;
}

static int set_param(struct vssd_config *cfg, const struct param *p, const char *value, char *err,
		     size_t errlen)
{
	void *field = (char *)cfg + p->offset;
	int choice;

	switch (p->type) {
	case P_UINT:
	case P_BYTES: return set_number(p, field, value, err, errlen);
	case P_DOUBLE: {
		char *end;
		double v;

		errno = 0;
		v = strtod(value, &end);
		if (errno || end == value || *end || isnan(v)) {
			errf(err, errlen, "%s=%s: not a number", p->key, value);
			return -EINVAL;
		}
		if (v < p->min || v > p->max)
			return out_of_range(p, value, err, errlen);
		*(double *)field = v;
		return 0;
	}
	case P_BOOL:
		if (parse_bool(value, field)) {
			errf(err, errlen, "%s=%s: expected on or off", p->key, value);
			return -EINVAL;
		}
		return 0;
	case P_ENUM:
		if ((choice = choice_index(p, value)) < 0)
			return bad_choice(p, value, err, errlen);
		*(uint64_t *)field = (uint64_t)choice;
		return 0;
	case P_NSLIST: return set_nslist(p, field, value, err, errlen);
	case P_RUHTYPES: return set_ruh_types(p, field, value, err, errlen);
	case P_RUHLIST: return set_ruh_list(p, field, value, err, errlen);
	case P_PATH:
		if (strlen(value) >= VSSD_PATH_MAX) {
			errf(err, errlen, "%s: longer than %d characters", p->key,
			     VSSD_PATH_MAX - 1);
			return -EINVAL;
		}
		strcpy(field, value);
		return 0;
	}
	return -EINVAL;
}

/* Parameters users look for that vssd does not have, each with why. */
static const struct {
	const char *key, *why;
} absent[] = {
	{"zns_conv_zones",
	 "not supported: NVMe zoned namespaces have sequential-write-required zones only (Zone "
	 "Type 2h; conventional zones are SCSI ZBC's); data written in place goes on a "
	 "conventional namespace, a second vssd target (docs/ZNS.md: f2fs)"},
};

int config_set(struct vssd_config *cfg, const char *key, const char *value, char *err,
	       size_t errlen)
{
	const struct param *p = find_param(key);

	for (size_t i = 0; !p && i < sizeof(absent) / sizeof(absent[0]); i++)
		if (!strcmp(key, absent[i].key)) {
			errf(err, errlen, "%s: %s", key, absent[i].why);
			return -EINVAL;
		}
	if (!p) {
		errf(err, errlen, "unknown parameter '%s' (see `vssd params`)", key);
		return -EINVAL;
	}
	return set_param(cfg, p, value, err, errlen);
}

int config_set_pair(struct vssd_config *cfg, const char *pair, char *err, size_t errlen)
{
	const char *eq = strchr(pair, '=');
	char key[64];

	if (!eq || eq == pair || (size_t)(eq - pair) >= sizeof(key)) {
		errf(err, errlen, "'%s': expected key=value", pair);
		return -EINVAL;
	}
	memcpy(key, pair, (size_t)(eq - pair));
	key[eq - pair] = 0;
	return config_set(cfg, key, eq + 1, err, errlen);
}

int config_defaults(struct vssd_config *cfg)
{
	char err[256];

	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < NPARAMS; i++) {
		int rc = set_param(cfg, &config_params[i], config_params[i].def, err, sizeof(err));

		if (rc) /* a bad default is a programming error caught by the tests */
			return rc;
	}
	return 0;
}

uint64_t config_rated_pe_cycles(const struct vssd_config *cfg)
{
	static const uint64_t typical_pe[] = {100000, 10000, 3000, 1000}; /* slc..qlc */

	return cfg->pe_cycles ? cfg->pe_cycles : typical_pe[cfg->cell];
}

int config_check(const struct vssd_config *cfg, char *err, size_t errlen)
{
	uint32_t types = cell_page_types(cfg->cell);
	const struct ns_list *lists[] = {&cfg->read_ns, &cfg->prog_ns};
	const char *names[] = {"read_ns", "prog_ns"};

	for (int i = 0; i < 2; i++) {
		if (lists[i]->count != 1 && lists[i]->count != types) {
			errf(err, errlen,
			     "%s has %u values but cell=%s has %u page types: give one value, "
			     "or one per page type",
			     names[i], lists[i]->count, config_cell_names[cfg->cell], types);
			return -EINVAL;
		}
	}
	if (cfg->lba_bytes != 512 && cfg->lba_bytes != 4096) {
		errf(err, errlen, "lba_bytes=%llu: must be 512 or 4096",
		     (unsigned long long)cfg->lba_bytes);
		return -EINVAL;
	}
	if (cfg->fdp_ruh_type.count != 1 && cfg->fdp_ruh_type.count != cfg->fdp_nruh) {
		errf(err, errlen,
		     "fdp_ruh_type lists %u types but fdp_nruh=%llu: give one type, "
		     "or one per handle",
		     cfg->fdp_ruh_type.count, (unsigned long long)cfg->fdp_nruh);
		return -EINVAL;
	}
	for (uint32_t i = 0; i < cfg->fdp_phndls.count; i++) {
		if (cfg->fdp_phndls.ruh[i] >= cfg->fdp_nruh) {
			errf(err, errlen,
			     "fdp_phndls lists handle %u but fdp_nruh=%llu (handles 0 "
			     "to %llu)",
			     cfg->fdp_phndls.ruh[i], (unsigned long long)cfg->fdp_nruh,
			     (unsigned long long)cfg->fdp_nruh - 1);
			return -EINVAL;
		}
	}
	if (!cfg->fdp && (cfg->fdp_nrg != 1 || cfg->fdp_ru_bytes)) {
		errf(err, errlen, "%s needs fdp=on",
		     cfg->fdp_nrg != 1 ? "fdp_nrg" : "fdp_ru_bytes");
		return -EINVAL;
	}
	if ((cfg->media == MEDIA_FILE) != (cfg->path[0] != 0)) {
		errf(err, errlen,
		     cfg->path[0] ? "path=%s needs media=file"
				  : "media=file needs path=FILE, the device file",
		     cfg->path);
		return -EINVAL;
	}
	if (cfg->gc_free_lines_high < cfg->gc_free_lines_low) {
		errf(err, errlen, "gc_free_lines_high=%llu is below gc_free_lines_low=%llu",
		     (unsigned long long)cfg->gc_free_lines_high,
		     (unsigned long long)cfg->gc_free_lines_low);
		return -EINVAL;
	}
	return 0;
}

void config_format(const struct vssd_config *cfg, const char *key, char *out, size_t outlen)
{
	const struct param *p = find_param(key);
	const void *field;
	size_t n = 0;

	if (!p) {
		snprintf(out, outlen, "?");
		return;
	}
	field = (const char *)cfg + p->offset;
	switch (p->type) {
	case P_UINT:
	case P_BYTES:
		snprintf(out, outlen, "%llu", (unsigned long long)*(const uint64_t *)field);
		break;
	case P_DOUBLE: snprintf(out, outlen, "%g", *(const double *)field); break;
	case P_BOOL: snprintf(out, outlen, "%s", *(const uint64_t *)field ? "on" : "off"); break;
	case P_ENUM: snprintf(out, outlen, "%s", p->choices[*(const uint64_t *)field]); break;
	case P_NSLIST: {
		const struct ns_list *l = field;

		out[0] = 0;
		for (uint32_t i = 0; i < l->count && n < outlen; i++)
			n += snprintf(out + n, outlen - n, "%s%llu", i ? "," : "",
				      (unsigned long long)l->ns[i]);
		break;
	}
	case P_RUHLIST: {
		const struct ruh_list *l = field;

		snprintf(out, outlen, "all");
		for (uint32_t i = 0; i < l->count && n < outlen; i++)
			n += snprintf(out + n, outlen - n, "%s%u", i ? "," : "", l->ruh[i]);
		break;
	}
	case P_RUHTYPES: {
		const struct ruh_types *t = field;

		out[0] = 0;
		for (uint32_t i = 0; i < t->count && n < outlen; i++)
			n += snprintf(out + n, outlen - n, "%s%s", i ? "," : "",
				      p->choices[t->type[i]]);
		break;
	}
	case P_PATH: snprintf(out, outlen, "%s", (const char *)field); break;
	}
}

void config_print_table(FILE *out)
{
	char range[128];

	fprintf(out, "%-20s %-18s %-26s %s\n", "NAME", "DEFAULT", "RANGE", "HELP");
	for (size_t i = 0; i < NPARAMS; i++) {
		range_text(&config_params[i], range, sizeof(range));
		fprintf(out, "%-20s %-18s %-26s %s\n", config_params[i].key, config_params[i].def,
			range, config_params[i].help);
	}
}

size_t config_param_count(void)
{
	return NPARAMS;
}

const char *config_param_key(size_t i)
{
	return i < NPARAMS ? config_params[i].key : NULL;
}

bool config_param_is_layout(size_t i)
{
	return i < NPARAMS && config_params[i].layout;
}
