/*
 * `vssd nvme`: inspect a device as nvme-cli does (id-ctrl, id-ns, smart-log,
 * error-log, get-feature), in text or JSON (-o json), on a device built from
 * the same --profile / --set options. It opens the device through the public
 * library and sends real admin commands; fields are printed from tables of
 * (name, byte offset, kind), so text and JSON come from one description.
 */
#include <getopt.h>
#include <stdbool.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "vssd/nvme.h"
#include "vssd/vssd.h"

enum kind { U8, U16, U32, U64, U128, STR };

struct field {
	const char *name;
	uint16_t off;
	uint8_t kind;
	uint16_t len; /* for STR */
};

#define FLD(n, k)                                                                                  \
	{                                                                                          \
#n, offsetof(struct nvme_id_ctrl, n), k, sizeof(((struct nvme_id_ctrl *)0)->n)     \
	}
static const struct field id_ctrl_fields[] = {
	FLD(vid, U16),	     FLD(ssvid, U16),  FLD(sn, STR),	   FLD(mn, STR),
	FLD(fr, STR),	     FLD(rab, U8),     FLD(cmic, U8),	   FLD(mdts, U8),
	FLD(cntlid, U16),    FLD(ver, U32),    FLD(oaes, U32),	   FLD(ctratt, U32),
	FLD(cntrltype, U8),  FLD(oacs, U16),   FLD(acl, U8),	   FLD(aerl, U8),
	FLD(frmw, U8),	     FLD(lpa, U8),     FLD(elpe, U8),	   FLD(npss, U8),
	FLD(wctemp, U16),    FLD(cctemp, U16), FLD(tnvmcap, U128), FLD(unvmcap, U128),
	FLD(endgidmax, U16), FLD(sqes, U8),    FLD(cqes, U8),	   FLD(maxcmd, U16),
	FLD(nn, U32),	     FLD(oncs, U16),   FLD(fuses, U16),	   FLD(fna, U8),
	FLD(vwc, U8),	     FLD(awun, U16),   FLD(awupf, U16),	   FLD(sgls, U32),
	FLD(subnqn, STR),
};
#undef FLD
#define FLD(n, k)                                                                                  \
	{                                                                                          \
#n, offsetof(struct nvme_id_ns, n), k, 0                                           \
	}
static const struct field id_ns_fields[] = {
	FLD(nsze, U64),	 FLD(ncap, U64),    FLD(nuse, U64),   FLD(nsfeat, U8), FLD(nlbaf, U8),
	FLD(flbas, U8),	 FLD(mc, U8),	    FLD(dpc, U8),     FLD(dps, U8),    FLD(nmic, U8),
	FLD(dlfeat, U8), FLD(nvmcap, U128), FLD(npwg, U16),   FLD(npwa, U16),  FLD(npdg, U16),
	FLD(npda, U16),	 FLD(nows, U16),    FLD(endgid, U16),
};
#undef FLD
#define FLD(n, k)                                                                                  \
	{                                                                                          \
#n, offsetof(struct nvme_smart_log, n), k, 0                                       \
	}
static const struct field smart_fields[] = {
	FLD(critical_warning, U8),   FLD(temperature, U16),
	FLD(avail_spare, U8),	     FLD(spare_thresh, U8),
	FLD(percent_used, U8),	     FLD(endu_grp_crit_warn_sumry, U8),
	FLD(data_units_read, U128),  FLD(data_units_written, U128),
	FLD(host_reads, U128),	     FLD(host_writes, U128),
	FLD(ctrl_busy_time, U128),   FLD(power_cycles, U128),
	FLD(power_on_hours, U128),   FLD(unsafe_shutdowns, U128),
	FLD(media_errors, U128),     FLD(num_err_log_entries, U128),
	FLD(warning_temp_time, U32), FLD(critical_comp_time, U32),
};
#undef FLD
#define FLD(n, k)                                                                                  \
	{                                                                                          \
#n, offsetof(struct nvme_error_log, n), k, 0                                       \
	}
static const struct field error_fields[] = {
	FLD(error_count, U64),	       FLD(sqid, U16), FLD(cmdid, U16), FLD(status_field, U16),
	FLD(parm_error_location, U16), FLD(lba, U64),  FLD(nsid, U32),	FLD(opcode, U8),
};
#undef FLD

#define NFIELDS(t) (sizeof(t) / sizeof(t[0]))

static uint64_t get_uint(const uint8_t *b, const struct field *f)
{
	uint64_t v = 0;
	size_t n = f->kind == U8 ? 1 : f->kind == U16 ? 2 : f->kind == U32 ? 4 : 8;

	memcpy(&v, b + f->off, n); /* little-endian host, as NVMe */
	return v;
}

/* A 128-bit counter as decimal text (the upper half is non-zero only past 2^64). */
static void u128_text(const uint8_t *p, char *out, size_t n)
{
	uint64_t lo, hi;

	memcpy(&lo, p, 8);
	memcpy(&hi, p + 8, 8);
	if (hi)
		snprintf(out, n, "%.0f", (double)hi * 18446744073709551616.0 + (double)lo);
	else
		snprintf(out, n, "%llu", (unsigned long long)lo);
}

static void str_text(const uint8_t *p, size_t len, char *out, size_t n)
{
	size_t k = len < n - 1 ? len : n - 1;

	memcpy(out, p, k);
	while (k && (out[k - 1] == ' ' || out[k - 1] == 0))
		k--;
	out[k] = 0;
}

/* Bit fields and identifiers print in hex, counts in decimal, as nvme-cli does. */
static bool decimal_field(const struct field *f)
{
	static const char *const hex[] = {
		"vid",	  "ssvid", "ver",    "oaes", "ctratt",	     "oacs",  "oncs",
		"fuses",  "sgls",  "frmw",   "lpa",  "vwc",	     "cmic",  "critical_warning",
		"nsfeat", "flbas", "dlfeat", "dps",  "status_field", "flags", "fdpa",
		"type"};

	for (size_t i = 0; i < sizeof(hex) / sizeof(hex[0]); i++)
		if (!strcmp(f->name, hex[i]))
			return false;
	return true;
}

/* Prints the fields as text, or adds them to obj when it is given. */
static void put_fields(const uint8_t *b, const struct field *f, size_t nf, json_object *obj)
{
	char text[300];

	for (size_t i = 0; i < nf; i++) {
		uint64_t x = 0;

		if (f[i].kind == STR)
			str_text(b + f[i].off, f[i].len, text, sizeof(text));
		else if (f[i].kind == U128)
			u128_text(b + f[i].off, text, sizeof(text));
		else
			x = get_uint(b, &f[i]);
		if (f[i].kind != STR && f[i].kind != U128)
			snprintf(text, sizeof(text), decimal_field(&f[i]) ? "%llu" : "%#llx",
				 (unsigned long long)x);
		if (!obj)
			printf("%-26s: %s\n", f[i].name, text);
		else if (f[i].kind == STR)
			json_object_object_add(obj, f[i].name, json_object_new_string(text));
		else if (f[i].kind == U128)
			json_object_object_add(obj, f[i].name,
					       json_object_new_uint64(strtoull(text, NULL, 10)));
		else
			json_object_object_add(obj, f[i].name, json_object_new_uint64(x));
	}
}

struct nvme_args {
	const char *profile, *seed, *output;
	char *sets[CLI_MAX_SETS];
	int nsets;
	uint8_t fid, sel;
	int fid_set;
	const char *pids; /* fdp update */
	int host_events;  /* fdp events */
	int first_opt;	  /* argv index where options start */
};

static void nvme_usage(FILE *out)
{
	fprintf(out,
		"usage: vssd nvme id-ctrl|id-ns|smart-log|error-log|get-feature\n"
		"       vssd nvme fdp configs|usage|stats|events|status|update\n"
		"                 [--profile NAME|FILE] [--set KEY=VALUE]... [-o normal|json]\n"
		"                 [-f FEATURE_ID] [-s SELECT]   (get-feature)\n"
		"                 [-E]                          (fdp events: host events)\n"
		"                 [--pids LIST]                 (fdp update: e.g. 0,2)\n\n"
		"Sends the command to a device built from the options and prints what it\n"
		"returns, as nvme-cli does.\n");
}

static int parse_nvme_args(int argc, char **argv, struct nvme_args *a)
{
	static const struct option longopts[] = {
		{"profile", required_argument, 0, 'p'},
		{"set", required_argument, 0, 'S'},
		{"seed", required_argument, 0, 'e'},
		{"output-format", required_argument, 0, 'o'},
		{"feature-id", required_argument, 0, 'f'},
		{"sel", required_argument, 0, 's'},
		{"host-events", no_argument, 0, 'E'},
		{"pids", required_argument, 0, 'P'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	char *end;
	int c;

	a->profile = "default";
	a->output = "normal";
	optind = a->first_opt;
	while ((c = getopt_long(argc, argv, "p:S:e:o:f:s:EP:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'E': a->host_events = 1; break;
		case 'P': a->pids = optarg; break;
		case 'p': a->profile = optarg; break;
		case 'e': a->seed = optarg; break;
		case 'o': a->output = optarg; break;
		case 'S':
			if (a->nsets >= CLI_MAX_SETS) {
				fprintf(stderr, "vssd: more than 256 --set options\n");
				return 2;
			}
			a->sets[a->nsets++] = optarg;
			break;
		case 'f':
			a->fid = (uint8_t)strtoul(optarg, &end, 0);
			if (*end || !*optarg) {
				fprintf(stderr, "vssd: -f %s: expected a feature identifier\n",
					optarg);
				return 2;
			}
			a->fid_set = 1;
			break;
		case 's':
			a->sel = (uint8_t)strtoul(optarg, &end, 0);
			if (*end || a->sel > 3) {
				fprintf(stderr,
					"vssd: -s %s: expected 0 (current), 1 (default), "
					"2 (saved) or 3 (capabilities)\n",
					optarg);
				return 2;
			}
			break;
		case 'h': nvme_usage(stdout); return -1;
		default: nvme_usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vssd: nvme: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (strcmp(a->output, "normal") && strcmp(a->output, "json")) {
		fprintf(stderr, "vssd: -o %s: expected normal or json\n", a->output);
		return 2;
	}
	return 0;
}

static int open_device(const struct nvme_args *a, struct vssd **dev)
{
	const char *const *params;
	struct cli_params p;
	char err[512];

	params = cli_device_params(&p, a->profile, a->sets, a->nsets, a->seed);
	if (vssd_open(params, VSSD_INLINE, dev, err, sizeof(err))) {
		fprintf(stderr, "vssd: %s\n", err);
		return 1;
	}
	return 0;
}

static int admin_or_fail(struct vssd *dev, struct nvme_sqe *sqe, struct nvme_cqe *cqe)
{
	if (vssd_admin(dev, sqe, cqe) || nvme_cqe_code(cqe)) {
		fprintf(stderr, "vssd: admin command %#x failed: status %x/%02xh (%s)\n",
			sqe->opcode, NVME_CQE_SCT(cqe->status), NVME_CQE_SC(cqe->status),
			vssd_status_name(cqe->status));
		return 1;
	}
	return 0;
}

static int print_table(const char *title, const uint8_t *b, const struct field *f, size_t nf,
		       int json)
{
	if (json) {
		json_object *o = json_object_new_object();

		put_fields(b, f, nf, o);
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
		json_object_put(o);
	} else {
		printf("%s\n", title);
		put_fields(b, f, nf, NULL);
	}
	return 0;
}

static int do_error_log(struct vssd *dev, uint8_t *buf, int json)
{
	struct nvme_sqe sqe;
	struct nvme_cqe cqe;
	json_object *arr;

	nvme_prep_get_log_page(&sqe, 0, NVME_LOG_ERROR, buf, 64 * sizeof(struct nvme_error_log), 0);
	if (admin_or_fail(dev, &sqe, &cqe))
		return 1;
	if (!json)
		printf("Error Log Entries for the device: 64 entries\n");
	arr = json_object_new_array();
	for (int i = 0; i < 64; i++) {
		const uint8_t *e = buf + i * 64;
		json_object *o = json ? json_object_new_object() : NULL;

		if (!json)
			printf(".................\nEntry[%2d]\n.................\n", i);
		put_fields(e, error_fields, NFIELDS(error_fields), o);
		if (o)
			json_object_array_add(arr, o);
	}
	if (json) {
		json_object *root = json_object_new_object();

		json_object_object_add(root, "errors", arr);
		printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY));
		json_object_put(root);
	} else {
		json_object_put(arr);
	}
	return 0;
}

static const char *feature_name(uint8_t fid)
{
	switch (fid) {
	case NVME_FEAT_ARBITRATION: return "Arbitration";
	case NVME_FEAT_POWER_MGMT: return "Power Management";
	case NVME_FEAT_VOLATILE_WC: return "Volatile Write Cache";
	case NVME_FEAT_NUM_QUEUES: return "Number of Queues";
	case NVME_FEAT_TIMESTAMP: return "Timestamp";
	default: return "Unknown";
	}
}

static int do_get_feature(struct vssd *dev, uint8_t *buf, const struct nvme_args *a, int json)
{
	static const uint8_t all[] = {NVME_FEAT_ARBITRATION, NVME_FEAT_POWER_MGMT,
				      NVME_FEAT_VOLATILE_WC, NVME_FEAT_NUM_QUEUES,
				      NVME_FEAT_TIMESTAMP};
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < sizeof(all); i++) {
		uint8_t fid = a->fid_set ? a->fid : all[i];
		struct nvme_sqe sqe;
		struct nvme_cqe cqe;
		uint64_t ts = 0;

		nvme_prep_get_features(&sqe, fid, (uint8_t)a->sel, buf);
		if (admin_or_fail(dev, &sqe, &cqe)) {
			json_object_put(arr);
			return 1;
		}
		if (fid == NVME_FEAT_TIMESTAMP)
			memcpy(&ts, buf, 8);
		if (json) {
			json_object *o = json_object_new_object();

			json_object_object_add(o, "feature_id", json_object_new_int(fid));
			json_object_object_add(o, "name",
					       json_object_new_string(feature_name(fid)));
			json_object_object_add(o, "value", json_object_new_uint64(cqe.result));
			if (fid == NVME_FEAT_TIMESTAMP)
				json_object_object_add(
					o, "timestamp",
					json_object_new_uint64(ts & 0xffffffffffffULL));
			json_object_array_add(arr, o);
		} else {
			printf("get-feature:0x%02x (%s), %s value:0x%08x", fid, feature_name(fid),
			       (const char *[]){"Current", "Default", "Saved",
						"Supported capabilities"}[a->sel],
			       cqe.result);
			if (fid == NVME_FEAT_TIMESTAMP)
				printf(", timestamp %llu ms",
				       (unsigned long long)(ts & 0xffffffffffffULL));
			printf("\n");
		}
		if (a->fid_set)
			break;
	}
	if (json)
		printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY));
	json_object_put(arr);
	return 0;
}

#define FLD(s, n, k)                                                                               \
	{                                                                                          \
#n, offsetof(struct s, n), k, 0                                                    \
	}
static const struct field fdp_config_fields[] = {
	FLD(nvme_fdp_config_desc, fdpa, U8),	 FLD(nvme_fdp_config_desc, vss, U8),
	FLD(nvme_fdp_config_desc, nrg, U32),	 FLD(nvme_fdp_config_desc, nruh, U16),
	FLD(nvme_fdp_config_desc, maxpids, U16), FLD(nvme_fdp_config_desc, nnss, U32),
	FLD(nvme_fdp_config_desc, runs, U64),	 FLD(nvme_fdp_config_desc, erutl, U32),
};
static const struct field fdp_stats_fields[] = {
	FLD(nvme_fdp_stats_log, hbmw, U128),
	FLD(nvme_fdp_stats_log, mbmw, U128),
	FLD(nvme_fdp_stats_log, mbe, U128),
};
static const struct field fdp_event_fields[] = {
	FLD(nvme_fdp_event, type, U8),	FLD(nvme_fdp_event, flags, U8),
	FLD(nvme_fdp_event, pid, U16),	FLD(nvme_fdp_event, timestamp, U64),
	FLD(nvme_fdp_event, nsid, U32), FLD(nvme_fdp_event, rgid, U16),
	FLD(nvme_fdp_event, ruhid, U8),
};
static const struct field ruh_status_fields[] = {
	FLD(nvme_fdp_ruh_status_desc, pid, U16),
	FLD(nvme_fdp_ruh_status_desc, ruhid, U16),
	FLD(nvme_fdp_ruh_status_desc, earutr, U32),
	FLD(nvme_fdp_ruh_status_desc, ruamw, U64),
};
#undef FLD

/* Prints n records of `stride` bytes at b, each with the fields, as a list. */
static void print_list(const char *title, const char *key, const uint8_t *b, uint32_t n,
		       size_t stride, const struct field *f, size_t nf, json_object *root)
{
	json_object *arr = root ? json_object_new_array() : NULL;

	if (!root)
		printf("%s: %u\n", title, n);
	for (uint32_t i = 0; i < n; i++) {
		json_object *o = root ? json_object_new_object() : NULL;

		if (!root)
			printf("[%u]\n", i);
		put_fields(b + i * stride, f, nf, o);
		if (o)
			json_object_array_add(arr, o);
	}
	if (root)
		json_object_object_add(root, key, arr);
}

static int fdp_log(struct vssd *dev, uint8_t *buf, uint8_t lid, uint32_t bytes, uint8_t lsp)
{
	struct nvme_sqe sqe;
	struct nvme_cqe cqe;

	nvme_prep_get_log_page(&sqe, NVME_NSID_ALL, lid, buf, bytes, 0);
	nvme_set(&sqe, NVME_F_LSP, lsp);
	nvme_set(&sqe, NVME_F_LSI, 1); /* endurance group 1 */
	return admin_or_fail(dev, &sqe, &cqe);
}

/* An I/O Management command on a fresh queue pair. */
static int io_mgmt(struct vssd *dev, struct nvme_sqe *sqe)
{
	struct vssd_qpair *qp;
	struct nvme_cqe cqe;
	int rc;

	if ((rc = vssd_qpair_open(dev, 4, &qp))) {
		fprintf(stderr, "vssd: cannot open a queue pair: %d\n", rc);
		return 1;
	}
	rc = vssd_submit(qp, sqe) < 0;
	while (!rc && vssd_reap(qp, &cqe, 1) == 0)
		;
	vssd_qpair_close(qp);
	if (!rc && nvme_cqe_code(&cqe)) {
		fprintf(stderr, "vssd: I/O command %#x failed: status %x/%02xh (%s)\n", sqe->opcode,
			NVME_CQE_SCT(cqe.status), NVME_CQE_SC(cqe.status),
			vssd_status_name(cqe.status));
		return 1;
	}
	return rc;
}

static int do_fdp(struct vssd *dev, uint8_t *buf, const char *sub, const struct nvme_args *a,
		  int json)
{
	json_object *root = json ? json_object_new_object() : NULL;
	int rc = 1;

	/* JSON laid out as nvme-cli lays it out, so the two compare key by key */
	if (!strcmp(sub, "configs") && !(rc = fdp_log(dev, buf, NVME_LOG_FDP_CONFIGS, 4096, 0))) {
		const struct nvme_fdp_config_desc *d =
			(const void *)(buf + sizeof(struct nvme_fdp_config_log));
		json_object *cfg = root ? json_object_new_object() : NULL;
		json_object *ruhs = root ? json_object_new_array() : NULL;

		if (!root)
			printf("FDP Configuration 0:\n");
		put_fields((const uint8_t *)d, fdp_config_fields, NFIELDS(fdp_config_fields), cfg);
		for (uint16_t r = 0; r < d->nruh; r++) {
			uint8_t ruht = ((const uint8_t *)(d + 1))[4 * r];
			json_object *o = root ? json_object_new_object() : NULL;

			if (root) {
				json_object_object_add(o, "ruht", json_object_new_int(ruht));
				json_object_array_add(ruhs, o);
			} else {
				printf("  Reclaim Unit Handle %u: %s\n", r,
				       ruht == NVME_RUHT_PERSISTENTLY ? "Persistently Isolated"
								      : "Initially Isolated");
			}
		}
		if (root) {
			json_object *configs = json_object_new_array();

			json_object_object_add(cfg, "ruhs", ruhs);
			json_object_array_add(configs, cfg);
			json_object_object_add(
				root, "n",
				json_object_new_int(
					((const struct nvme_fdp_config_log *)buf)->numfdpc));
			json_object_object_add(root, "configs", configs);
		}
	} else if (!strcmp(sub, "usage") &&
		   !(rc = fdp_log(dev, buf, NVME_LOG_FDP_RUH_USAGE, 4096, 0))) {
		uint16_t n = ((const struct nvme_fdp_ruh_usage_log *)buf)->nruh;
		json_object *arr = root ? json_object_new_array() : NULL;

		for (uint16_t r = 0; r < n; r++) {
			static const char *const ruha[] = {"Unused", "Host Specified",
							   "Controller Specified"};
			uint8_t v = buf[sizeof(struct nvme_fdp_ruh_usage_log) + 8 * r]; /* RUHA */
			json_object *o = root ? json_object_new_object() : NULL;

			if (root) {
				json_object_object_add(o, "ruha", json_object_new_int(v));
				json_object_array_add(arr, o);
			} else {
				printf("Reclaim Unit Handle %u: %s\n", r,
				       v < 3 ? ruha[v] : "Reserved");
			}
		}
		if (root) {
			json_object_object_add(root, "nruh", json_object_new_int(n));
			json_object_object_add(root, "ruhus", arr);
		}
	} else if (!strcmp(sub, "stats") && !(rc = fdp_log(dev, buf, NVME_LOG_FDP_STATS, 64, 0))) {
		put_fields(buf, fdp_stats_fields, NFIELDS(fdp_stats_fields), root);
	} else if (!strcmp(sub, "events") &&
		   !(rc = fdp_log(dev, buf, NVME_LOG_FDP_EVENTS, 4096, a->host_events ? 1 : 0))) {
		if (root)
			json_object_object_add(
				root, "n",
				json_object_new_int64(
					((const struct nvme_fdp_events_log *)buf)->n));
		print_list(a->host_events ? "Host FDP events" : "Controller FDP events", "events",
			   (const uint8_t *)((const struct nvme_fdp_events_log *)buf)->events,
			   ((const struct nvme_fdp_events_log *)buf)->n,
			   sizeof(struct nvme_fdp_event), fdp_event_fields,
			   NFIELDS(fdp_event_fields), root);
	} else if (!strcmp(sub, "status")) {
		const struct nvme_fdp_ruh_status *h = (const void *)buf;
		struct nvme_sqe sqe;

		nvme_prep_io_mgmt_recv(&sqe, 1, NVME_IO_MGMT_RECV_RUH_STATUS, buf, 4096);
		if (!(rc = io_mgmt(dev, &sqe)) && root)
			json_object_object_add(root, "nruhsd", json_object_new_int(h->nruhsd));
		if (!rc)
			print_list("Reclaim Unit Handle Status descriptors", "ruhss",
				   buf + sizeof(*h), h->nruhsd,
				   sizeof(struct nvme_fdp_ruh_status_desc), ruh_status_fields,
				   NFIELDS(ruh_status_fields), root);
	} else if (!strcmp(sub, "update")) {
		struct nvme_sqe sqe;
		uint16_t *pids = (uint16_t *)buf;
		uint32_t n = 0;
		char *end;

		for (const char *p = a->pids; p && *p && n < 128; p = *end ? end + 1 : end) {
			pids[n++] = (uint16_t)strtoul(p, &end, 10);
			if (end == p || (*end && *end != ',')) {
				fprintf(stderr,
					"vssd: --pids %s: expected placement identifiers like "
					"0,2\n",
					a->pids);
				json_object_put(root);
				return 2;
			}
		}
		if (!n) {
			fprintf(stderr, "vssd: fdp update needs --pids LIST\n");
			json_object_put(root);
			return 2;
		}
		nvme_prep_io_mgmt_send(&sqe, 1, NVME_IO_MGMT_SEND_RUH_UPDATE, (uint16_t)(n - 1),
				       buf);
		if (!(rc = io_mgmt(dev, &sqe)) && !root)
			printf("update: success\n");
	} else if (strcmp(sub, "configs") && strcmp(sub, "usage") && strcmp(sub, "stats") &&
		   strcmp(sub, "events")) {
		fprintf(stderr, "vssd nvme fdp: unknown command '%s'\n", sub);
		json_object_put(root);
		return 2;
	}
	if (root && !rc)
		printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY));
	json_object_put(root);
	return rc;
}

int cmd_nvme(int argc, char **argv)
{
	struct nvme_args a = {0};
	struct nvme_sqe sqe = {0};
	struct nvme_cqe cqe;
	struct vssd *dev;
	const char *what;
	uint8_t *buf;
	int rc, json;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		nvme_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	what = argv[1];
	a.first_opt = 2;
	if (!strcmp(what, "fdp")) {
		if (argc < 3 || argv[2][0] == '-') {
			fprintf(stderr, "vssd nvme fdp: expected configs, usage, stats, events, "
					"status or update\n");
			return 2;
		}
		a.first_opt = 3;
	}
	if ((rc = parse_nvme_args(argc, argv, &a)))
		return rc < 0 ? 0 : rc;
	if (strcmp(what, "id-ctrl") && strcmp(what, "id-ns") && strcmp(what, "smart-log") &&
	    strcmp(what, "error-log") && strcmp(what, "get-feature") && strcmp(what, "fdp")) {
		fprintf(stderr, "vssd nvme: unknown command '%s'\n", what);
		nvme_usage(stderr);
		return 2;
	}
	if (open_device(&a, &dev))
		return 1;
	json = !strcmp(a.output, "json");
	buf = vssd_dma_alloc(dev, 4096);
	if (!strcmp(what, "id-ctrl") || !strcmp(what, "id-ns")) {
		int ctrl = !strcmp(what, "id-ctrl");

		nvme_prep_identify(&sqe, ctrl ? 0 : 1, ctrl ? NVME_ID_CNS_CTRL : NVME_ID_CNS_NS,
				   buf);
		rc = admin_or_fail(dev, &sqe, &cqe);
		if (!rc && ctrl)
			rc = print_table("NVME Identify Controller:", buf, id_ctrl_fields,
					 NFIELDS(id_ctrl_fields), json);
		else if (!rc)
			rc = print_table("NVME Identify Namespace 1:", buf, id_ns_fields,
					 NFIELDS(id_ns_fields), json);
	} else if (!strcmp(what, "smart-log")) {
		nvme_prep_get_log_page(&sqe, NVME_NSID_ALL, NVME_LOG_SMART, buf,
				       sizeof(struct nvme_smart_log), 0);
		rc = admin_or_fail(dev, &sqe, &cqe);
		if (!rc)
			rc = print_table("Smart Log for NVME device:nvme0 namespace-id:ffffffff",
					 buf, smart_fields, NFIELDS(smart_fields), json);
	} else if (!strcmp(what, "error-log")) {
		rc = do_error_log(dev, buf, json);
	} else if (!strcmp(what, "fdp")) {
		rc = do_fdp(dev, buf, argv[2], &a, json);
	} else {
		rc = do_get_feature(dev, buf, &a, json);
	}
	vssd_dma_free(dev, buf);
	vssd_close(dev);
	return rc;
}
