/*
 * Parameters through the library: the configuration vssd_open() builds
 * from "key=value" strings (a profile= first), checked without building a
 * device, and listed for `vssd params`.
 */
#include "vssd/vssd.h"

#include <errno.h>
#include <string.h>

#include "config/params.h"
#include "host/api_internal.h"
#include "ftl/ftl.h"
#include "nand/geometry.h"

/* The pair of params that sets key, or NULL. */
static const char *given(const char *const *params, const char *key)
{
	size_t n = strlen(key);

	for (const char *const *p = params; p && *p; p++)
		if (!strncmp(*p, key, n) && (*p)[n] == '=')
			return *p;
	return NULL;
}

int libvssd_config_from_params(const char *const *params, struct vssd_config *cfg, char *err,
			       size_t errlen)
{
	int rc;

	/* op gives pblk the spare it gives every FTL; pblk_op is pblk's own
	 * percentage instead: one of the two */
	if (given(params, "op") && given(params, "pblk_op")) {
		snprintf(err, errlen,
			 "%s and %s: give one (op sets pblk's spare as it sets every FTL's; "
			 "pblk_op is pblk's own percentage of its chunks)",
			 given(params, "op"), given(params, "pblk_op"));
		return -EINVAL;
	}
	config_defaults(cfg);
	for (const char *const *p = params; p && *p; p++) /* the profile first */
		if (!strncmp(*p, "profile=", 8) &&
		    (rc = config_load_profile(cfg, *p + 8, err, errlen)))
			return rc;
	for (const char *const *p = params; p && *p; p++)
		if (strncmp(*p, "profile=", 8) && (rc = config_set_pair(cfg, *p, err, errlen)))
			return rc;
	/* a zoned device maps nothing: no spare for op to size */
	if (given(params, "op") && ftl_ops_for(cfg)->iocs == FTL_IOCS_ZNS &&
	    ftl_host_for(cfg) == FTL_HOST_NONE) {
		snprintf(
			err, errlen,
			"%s: not supported with ftl=zns (a zoned device keeps no spare: a zone "
			"holds what its blocks hold, or less with zns_zone_cap_bytes; ftl=zns-host "
			"takes op as its host FTL's spare)",
			given(params, "op"));
		return -EINVAL;
	}
	return config_check(cfg, err, errlen);
}

/* The configuration params give, checked as a device would be built from
 * it (geometry and what the FTL needs), without building it. */
static int checked_config(const char *const *params, struct vssd_config *cfg, char *err,
			  size_t errlen)
{
	struct geometry geo;
	int rc = libvssd_config_from_params(params, cfg, err, errlen);

	if (!rc)
		rc = geometry_init(&geo, cfg, err, errlen);
	return rc ? rc : ftl_check_config(cfg, &geo, err, errlen);
}

int vssd_check_params(const char *const *params, char *err, size_t errlen)
{
	struct vssd_config cfg;

	return checked_config(params, &cfg, err, errlen);
}

int vssd_check_param(const char *pair, char *err, size_t errlen)
{
	struct vssd_config cfg;

	if (!pair || !err)
		return -EINVAL;
	config_defaults(&cfg);
	return config_set_pair(&cfg, pair, err, errlen);
}

int vssd_check_block_params(const char *const *params, char *err, size_t errlen)
{
	struct vssd_config cfg;
	int rc = checked_config(params, &cfg, err, errlen);

	if (!rc && ftl_block_refusal(&cfg)) {
		snprintf(err, errlen, "%s", ftl_block_refusal(&cfg));
		rc = -EINVAL;
	}
	return rc;
}

void vssd_params_describe(FILE *out)
{
	config_print_table(out);
}

int vssd_params_print(const char *const *params, FILE *out, char *err, size_t errlen)
{
	struct vssd_config cfg;
	char value[128];
	int rc = libvssd_config_from_params(params, &cfg, err, errlen);

	for (size_t i = 0; !rc && i < config_param_count(); i++) {
		config_format(&cfg, config_param_key(i), value, sizeof(value));
		fprintf(out, "%s = %s\n", config_param_key(i), value);
	}
	return rc;
}
