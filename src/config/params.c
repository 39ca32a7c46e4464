/*
 * The parameter table and the one parser behind it. Each row names a field of
 * struct vssd_config, its type, its default (as text, parsed like any user
 * value so defaults obey the same rules) and its allowed range.
 */
#include "config/params.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum param_type {
	P_UINT,   /* plain integer */
	P_BYTES,  /* integer with optional k/m/g/t suffix */
	P_DOUBLE, /* real number */
	P_BOOL,   /* on/off, true/false, 1/0, yes/no */
	P_ENUM,   /* one name of `choices`, stored as its index */
	P_NSLIST, /* comma-separated nanoseconds, one per page type */
	P_RUHTYPES, /* comma-separated reclaim unit handle types, one or one per handle */
	P_RUHLIST,  /* "all" or comma-separated reclaim unit handle ids */
	P_PATH,     /* a file name */
};

struct param {
	const char *key;
	enum param_type type;
	const char *def;
	double min, max;
	const char *const *choices;
	const char *help;
	size_t offset;
	bool layout; /* shapes what is on the media: a device file must match it */
};

static const char *const cell_names[] = {"slc", "mlc", "tlc", "qlc", NULL};
static const char *const gc_policy_names[] = {"greedy", "cost_benefit", "fifo", NULL};
static const char *const media_names[] = {"none", "ram", "file", NULL};
static const char *const workers_names[] = {"auto", "0", "1", NULL};
static const char *const ruh_type_names[] = {"initially", "persistently", NULL};
static const char *const ftl_names[] = {"conv", "ocssd", "pblk", NULL};
static const char *const debug_names[] = {"none", "nvme", NULL};

/* F: a field; L: a field that shapes the data on the media */
#define F(field) offsetof(struct vssd_config, field), false
#define L(field) offsetof(struct vssd_config, field), true
#define GiB (1024.0 * 1024 * 1024)

static const struct param params[] = {
	/* geometry */
	{"channels", P_UINT, "4", 1, 256, NULL, "NAND channels", L(channels)},
	{"luns_per_channel", P_UINT, "2", 1, 64, NULL, "dies (LUNs) on each channel",
	 L(luns_per_channel)},
	{"planes_per_lun", P_UINT, "1", 1, 16, NULL,
	 "planes per die; a program unit spans all planes", L(planes_per_lun)},
	{"blocks_per_plane", P_UINT, "256", 1, 1 << 20, NULL,
	 "erase blocks per plane; also the number of lines (times the die sets with FDP groups)", L(blocks_per_plane)},
	{"pages_per_block", P_UINT, "192", 1, 1 << 16, NULL, "flash pages per erase block",
	 L(pages_per_block)},
	{"flash_page_bytes", P_BYTES, "16k", 4096, 1 << 20, NULL,
	 "flash page size: a multiple of the 4 KiB mapping unit", L(flash_page_bytes)},
	{"oneshot_pages", P_UINT, "3", 1, 64, NULL,
	 "flash pages programmed in one operation (per plane)", L(oneshot_pages)},
	{"lba_bytes", P_UINT, "4096", 512, 4096, NULL, "logical block size: 512 or 4096",
	 L(lba_bytes)},
	{"op", P_DOUBLE, "0.07", 0, 4, NULL,
	 "over-provisioning (physical - logical) / logical", L(op)},
	/* who maps: the device, or the host over an open-channel device */
	{"ftl", P_ENUM, "conv", 0, 0, ftl_names,
	 "conv = the device's page-mapped FTL; ocssd = an Open-Channel SSD 2.0 device (chunks, "
	 "vector commands; the host maps); pblk = that device with pblk, the host FTL, over it",
	 L(ftl)},
	{"pblk_op", P_UINT, "11", 1, 90, NULL,
	 "pblk: percent of the good chunks' data sectors kept from the user (ftl=pblk)",
	 F(pblk_op)},
	{"pblk_rb_entries", P_UINT, "0", 0, 1u << 24, NULL,
	 "pblk: write buffer entries of 4 KiB, rounded up to a power of two; 0 = from the geometry "
	 "(ftl=pblk)",
	 F(pblk_rb_entries)},
	{"pblk_copy_ns", P_UINT, "300", 0, 1000000, NULL,
	 "pblk: host time to copy 4 KiB into or out of its buffer, in the simulator (ftl=pblk)",
	 F(pblk_copy_ns)},
	{"ocssd_offline_rate", P_DOUBLE, "0", 0, 0.5, NULL,
	 "fraction of chunks offline from the start (ftl=ocssd; chosen by seed)",
	 L(ocssd_offline_rate)},
	{"ocssd_write_fail", P_DOUBLE, "0", 0, 1, NULL,
	 "probability that a sector write fails with Write Fault (ftl=ocssd)",
	 F(ocssd_write_fail)},
	{"ocssd_erase_fail", P_DOUBLE, "0", 0, 1, NULL,
	 "probability that a chunk reset fails and takes the chunk offline (ftl=ocssd)",
	 F(ocssd_erase_fail)},
	{"ocssd_reset_free", P_BOOL, "off", 0, 1, NULL,
	 "capability: a free chunk may be reset again (MCCAP bit 1; ftl=ocssd)",
	 F(ocssd_reset_free)},
	/* garbage collection */
	{"gc_policy", P_ENUM, "greedy", 0, 0, gc_policy_names, "GC victim selection",
	 F(gc_policy)},
	{"gc_free_lines_low", P_UINT, "2", 2, 1 << 20, NULL,
	 "foreground GC starts when free lines (of a reclaim group) fall to this", F(gc_free_lines_low)},
	{"gc_free_lines_high", P_UINT, "3", 2, 1 << 20, NULL,
	 "GC stops when free lines (of a reclaim group) reach this", F(gc_free_lines_high)},
	{"gc_background", P_BOOL, "off", 0, 1, NULL,
	 "collect while the device is idle, up to gc_free_lines_high", F(gc_background)},
	/* timing */
	{"timing", P_BOOL, "on", 0, 1, NULL, "off = zero-latency device", F(timing)},
	{"cell", P_ENUM, "tlc", 0, 0, cell_names, "bits per cell; sets the page types",
	 L(cell)},
	{"read_ns", P_NSLIST, "45000,55000,70000", 0, 1e10, NULL,
	 "flash page read time, one value per page type (LSB first)", F(read_ns)},
	{"prog_ns", P_NSLIST, "700000", 0, 1e10, NULL,
	 "program time of a one-shot unit, one value per page type", F(prog_ns)},
	{"erase_ns", P_UINT, "3000000", 0, 1e10, NULL, "block erase time", F(erase_ns)},
	{"channel_mbps", P_UINT, "800", 1, 1e6, NULL, "NAND channel bandwidth, MB/s (10^6 B/s)",
	 F(channel_mbps)},
	{"pcie_mbps", P_UINT, "3200", 1, 1e6, NULL,
	 "PCIe link bandwidth per direction, MB/s (10^6 B/s)", F(pcie_mbps)},
	{"fw_read_ns", P_UINT, "20000", 0, 1e10, NULL, "firmware time per read command",
	 F(fw_read_ns)},
	{"fw_write_ns", P_UINT, "5000", 0, 1e10, NULL, "firmware time per write command",
	 F(fw_write_ns)},
	{"write_buffer_bytes", P_BYTES, "1m", 4096, 64 * GiB, NULL,
	 "write buffer: host writes complete once in it", F(write_buffer_bytes)},
	{"pe_cycles", P_UINT, "0", 0, 1e7, NULL,
	 "rated program/erase cycles per block; 0 = the cell's typical (SLC 100000, "
	 "MLC 10000, TLC 3000, QLC 1000)", F(pe_cycles)},
	/* flexible data placement */
	{"fdp", P_BOOL, "off", 0, 1, NULL,
	 "flexible data placement: writes tagged with a placement identifier (DTYPE 2, "
	 "DSPEC) go through their reclaim unit handle's own write pointer", L(fdp)},
	{"fdp_nruh", P_UINT, "8", 1, VSSD_MAX_RUH, NULL, "reclaim unit handles (with fdp=on)",
	 L(fdp_nruh)},
	{"fdp_nrg", P_UINT, "1", 1, VSSD_MAX_RG, NULL,
	 "reclaim groups (with fdp=on): disjoint sets of dies, each with its own reclaim "
	 "units, free units and GC; must divide the dies", L(fdp_nrg)},
	{"fdp_ru_bytes", P_BYTES, "0", 0, 1e15, NULL,
	 "reclaim unit size (with fdp=on): block i of every plane of some of a group's dies; "
	 "0 = all of them", L(fdp_ru_bytes)},
	{"fdp_ruh_type", P_RUHTYPES, "initially", 0, 0, ruh_type_names,
	 "isolation: initially (GC merges handles' data) or persistently (GC keeps a handle's "
	 "data in its own units); one for all handles or a list, one per handle",
	 L(fdp_ruh_type)},
	{"fdp_phndls", P_RUHLIST, "all", 0, VSSD_MAX_RUH - 1, NULL,
	 "the namespace's placement handle list: the reclaim unit handles its writes may "
	 "use, placement handle i being the i-th listed (e.g. 2,0); all = every handle",
	 F(fdp_phndls)},
	/* real-time runtime */
	{"rt_workers", P_ENUM, "auto", 0, 0, workers_names,
	 "completion worker threads of the threaded runtime: 1 = NVMeVirt's dispatcher and "
	 "worker; 0 = the dispatcher posts completions too; auto = 1 with 4 or more CPUs",
	 F(rt_workers)},
	{"rt_spin_ns", P_UINT, "200000", 0, 1e9, NULL,
	 "how long an idle runtime thread polls before it sleeps", F(rt_spin_ns)},
	/* data */
	{"media", P_ENUM, "none", 0, 0, media_names,
	 "where data is kept: none (timing and mapping only), ram, or file (path=; survives "
	 "restarts and crashes)", F(media)},
	{"ram_beyond_memory", P_BOOL, "off", 0, 1, NULL,
	 "on = allow media=ram larger than the machine's memory: only what is written costs "
	 "memory, and a run that writes more than there is gets killed", F(ram_beyond_memory)},
	{"path", P_PATH, "", 0, 0, NULL,
	 "the device file of media=file: created sparse if missing, reopened if it holds a "
	 "device (an empty file is refused)", F(path)},
	{"seed", P_UINT, "1", 0, 1.8e19, NULL, "random seed of the device and the workload",
	 F(seed)},
	/* what the device says while it works */
	{"debug", P_ENUM, "none", 0, 0, debug_names,
	 "nvme = one line on stderr for each command the controller rejects, naming the command, "
	 "the field and the check that failed", F(debug)},
};

#define NPARAMS (sizeof(params) / sizeof(params[0]))

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
		if (!strcmp(params[i].key, key))
			return &params[i];
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
	case 'k': case 'K': mult = 1ULL << 10; end++; break;
	case 'm': case 'M': mult = 1ULL << 20; end++; break;
	case 'g': case 'G': mult = 1ULL << 30; end++; break;
	case 't': case 'T': mult = 1ULL << 40; end++; break;
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
	case P_BOOL:
		snprintf(out, outlen, "on|off");
		return;
	case P_ENUM:
	case P_RUHTYPES:
		out[0] = 0;
		for (const char *const *c = p->choices; *c; c++)
			n += snprintf(out + n, outlen - n, "%s%s", c == p->choices ? "" : "|", *c);
		if (p->type == P_RUHTYPES)
			snprintf(out + n, outlen - n, ",...");
		return;
	case P_DOUBLE:
		snprintf(out, outlen, "[%g, %g]", p->min, p->max);
		return;
	case P_NSLIST:
		snprintf(out, outlen, "[%.0f, %.0f] each", p->min, p->max);
		return;
	case P_RUHLIST:
		snprintf(out, outlen, "all|list of [%.0f, %.0f]", p->min, p->max);
		return;
	case P_PATH:
		snprintf(out, outlen, "a file name");
		return;
	default:
		snprintf(out, outlen, "[%.0f, %.0f]", p->min, p->max);
		return;
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

static int set_nslist(const struct param *p, struct ns_list *list, const char *value,
		      char *err, size_t errlen)
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
	int rc = split_list(p, value, buf, sizeof(buf), tok, VSSD_MAX_RUH,
			    "types (one per handle)", &tmp.count, err, errlen);

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

static int set_ruh_list(const struct param *p, struct ruh_list *list, const char *value,
			char *err, size_t errlen)
{
	struct ruh_list tmp = {0};
	char buf[VSSD_MAX_RUH * 8], *tok[VSSD_MAX_RUH];
	int rc;

	if (!strcmp(value, "all")) {
		*list = tmp;
		return 0;
	}
	if ((rc = split_list(p, value, buf, sizeof(buf), tok, VSSD_MAX_RUH,
			     "handles", &tmp.count, err, errlen)))
		return rc;
	for (uint32_t i = 0; i < tmp.count; i++) {
		uint64_t v;

		if (parse_uint(tok[i], &v)) {
			errf(err, errlen, "%s=%s: '%s' is not a handle number", p->key, value, tok[i]);
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

static int set_param(struct vssd_config *cfg, const struct param *p, const char *value,
		     char *err, size_t errlen)
{
	void *field = (char *)cfg + p->offset;
	int choice;

	switch (p->type) {
	case P_UINT:
	case P_BYTES:
		return set_number(p, field, value, err, errlen);
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
	case P_NSLIST:
		return set_nslist(p, field, value, err, errlen);
	case P_RUHTYPES:
		return set_ruh_types(p, field, value, err, errlen);
	case P_RUHLIST:
		return set_ruh_list(p, field, value, err, errlen);
	case P_PATH:
		if (strlen(value) >= VSSD_PATH_MAX) {
			errf(err, errlen, "%s: longer than %d characters", p->key, VSSD_PATH_MAX - 1);
			return -EINVAL;
		}
		strcpy(field, value);
		return 0;
	}
	return -EINVAL;
}

int config_set(struct vssd_config *cfg, const char *key, const char *value, char *err,
	       size_t errlen)
{
	const struct param *p = find_param(key);

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
		int rc = set_param(cfg, &params[i], params[i].def, err, sizeof(err));

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
			     names[i], lists[i]->count, cell_names[cfg->cell], types);
			return -EINVAL;
		}
	}
	if (cfg->lba_bytes != 512 && cfg->lba_bytes != 4096) {
		errf(err, errlen, "lba_bytes=%llu: must be 512 or 4096",
		     (unsigned long long)cfg->lba_bytes);
		return -EINVAL;
	}
	if (cfg->fdp_ruh_type.count != 1 && cfg->fdp_ruh_type.count != cfg->fdp_nruh) {
		errf(err, errlen, "fdp_ruh_type lists %u types but fdp_nruh=%llu: give one type, "
		     "or one per handle", cfg->fdp_ruh_type.count,
		     (unsigned long long)cfg->fdp_nruh);
		return -EINVAL;
	}
	for (uint32_t i = 0; i < cfg->fdp_phndls.count; i++) {
		if (cfg->fdp_phndls.ruh[i] >= cfg->fdp_nruh) {
			errf(err, errlen, "fdp_phndls lists handle %u but fdp_nruh=%llu (handles 0 "
			     "to %llu)", cfg->fdp_phndls.ruh[i], (unsigned long long)cfg->fdp_nruh,
			     (unsigned long long)cfg->fdp_nruh - 1);
			return -EINVAL;
		}
	}
	if (!cfg->fdp && (cfg->fdp_nrg != 1 || cfg->fdp_ru_bytes)) {
		errf(err, errlen, "%s needs fdp=on", cfg->fdp_nrg != 1 ? "fdp_nrg" : "fdp_ru_bytes");
		return -EINVAL;
	}
	if ((cfg->media == MEDIA_FILE) != (cfg->path[0] != 0)) {
		errf(err, errlen, cfg->path[0] ? "path=%s needs media=file"
					       : "media=file needs path=FILE, the device file", cfg->path);
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
	case P_DOUBLE:
		snprintf(out, outlen, "%g", *(const double *)field);
		break;
	case P_BOOL:
		snprintf(out, outlen, "%s", *(const uint64_t *)field ? "on" : "off");
		break;
	case P_ENUM:
		snprintf(out, outlen, "%s", p->choices[*(const uint64_t *)field]);
		break;
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
	case P_PATH:
		snprintf(out, outlen, "%s", (const char *)field);
		break;
	}
}

void config_print_table(FILE *out)
{
	char range[128];

	fprintf(out, "%-20s %-18s %-26s %s\n", "NAME", "DEFAULT", "RANGE", "HELP");
	for (size_t i = 0; i < NPARAMS; i++) {
		range_text(&params[i], range, sizeof(range));
		fprintf(out, "%-20s %-18s %-26s %s\n", params[i].key, params[i].def, range,
			params[i].help);
	}
}

size_t config_param_count(void)
{
	return NPARAMS;
}

const char *config_param_key(size_t i)
{
	return i < NPARAMS ? params[i].key : NULL;
}

bool config_param_is_layout(size_t i)
{
	return i < NPARAMS && params[i].layout;
}
