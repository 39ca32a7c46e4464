/*
 * `vssd compare`: runs one job file once per variant of one device (the
 * same profile, --set options and seed; each variant adds its own
 * parameters), each variant a `vssd sim --json+` process, as many at once
 * as there are cores, then lays the reports side by side. A run's report
 * is what `vssd sim` alone prints, so running them at once changes nothing.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compare.h"
#include "runner.h"

/* The comparison a storage engineer comes for: the device FTL, FDP with
 * initially and with persistently isolated handles, pblk over an
 * open-channel device and zftl over a zoned one (the host FTLs), on the
 * same NAND. */
static const struct {
	const char *spec; /* as --variant takes it */
} default_variants[] = {
	{"conv:ftl=conv"},
	{"fdp-initially:fdp=on,fdp_nruh=2,fdp_ruh_type=initially"},
	{"fdp-persistently:fdp=on,fdp_nruh=2,fdp_ruh_type=persistently"},
	{"pblk:ftl=pblk"},
	{"zns-host:ftl=zns-host"},
};

struct compare_args {
	const char *profile, *seed, *jobfile, *plot_dir;
	char *sets[CLI_MAX_SETS];
	int nsets, json, jobs;
	struct variant v[COMPARE_MAX_VARIANTS];
	int nv;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vssd compare [--profile NAME|FILE] [--set KEY=VALUE]... [--seed N]\n"
		"                    [--variant NAME:KEY=VALUE,KEY=VALUE]... [--json]\n"
		"                    [--plot-dir DIR] [-j N] JOBFILE\n\n"
		"Runs the job file once per variant of the device (same NAND, same seed) and\n"
		"prints them side by side: per group WAF, IOPS, MiB/s, write and read latency,\n"
		"GC copies and erases, the best of each column marked with *.\n"
		"  --variant NAME:K=V,..  a variant and the parameters it adds, repeatable;\n"
		"                         default: conv (ftl=conv), fdp-initially and\n"
		"                         fdp-persistently (fdp=on, fdp_nruh=2 and that\n"
		"                         fdp_ruh_type),\n"
		"                         pblk (ftl=pblk), zns-host (ftl=zns-host: zftl over\n"
		"                         zones). A variant with fdp=on gives jobs\n"
		"                         without placement options one each (by job)\n"
		"  --json                 one JSON document: variants[], each the variant's\n"
		"                         `vssd sim --json+` document\n"
		"  --plot-dir DIR         PNGs: WAF and free lines over time, write latency CDF\n"
		"  -j N                   variants run at once (default: the machine's cores)\n"
		"  --profile, --set, --seed  the device every variant shares, as `vssd sim`\n");
}

/* "NAME:K=V,K=V" (or the parts of a default) into a variant. Returns 0,
 * or 2 having said what is wrong. */
static int parse_variant(struct variant *v, const char *name, const char *sets)
{
	char *copy, *save = NULL;

	if (!*name || strlen(name) >= sizeof(v->name) || strchr(name, '/')) {
		fprintf(stderr,
			"vssd compare: --variant '%s': a name of 1 to 63 characters without '/'\n",
			name);
		return 2;
	}
	snprintf(v->name, sizeof(v->name), "%s", name);
	if (!(copy = strdup(sets)))
		return 2;
	for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		if (!strchr(kv, '=') || v->nsets == CLI_MAX_SETS) {
			fprintf(stderr, "vssd compare: --variant %s: '%s' is not KEY=VALUE\n", name,
				kv);
			return 2;
		}
		v->sets[v->nsets++] = strdup(kv);
		v->fdp |= !strcmp(kv, "fdp=on") || !strcmp(kv, "fdp=1");
	}
	free(copy);
	return 0;
}

static int add_variant(struct compare_args *a, const char *spec)
{
	char name[64];
	const char *colon = strchr(spec, ':');
	size_t len = colon ? (size_t)(colon - spec) : strlen(spec);

	if (a->nv == COMPARE_MAX_VARIANTS) {
		fprintf(stderr, "vssd compare: more than %d variants\n", COMPARE_MAX_VARIANTS);
		return 2;
	}
	for (int i = 0; i < a->nv; i++)
		if (strlen(a->v[i].name) == len && !strncmp(a->v[i].name, spec, len)) {
			fprintf(stderr, "vssd compare: --variant %.*s: named twice\n", (int)len,
				spec);
			return 2;
		}
	snprintf(name, sizeof(name), "%.*s", (int)(len < sizeof(name) ? len : sizeof(name) - 1),
		 spec);
	if (len >= sizeof(name))
		name[0] = 0; /* refused by parse_variant */
	return parse_variant(&a->v[a->nv++], name, colon ? colon + 1 : "");
}

static int parse_args(int argc, char **argv, struct compare_args *a)
{
	static const struct option longopts[] = {
		{"profile", required_argument, 0, 'p'}, {"set", required_argument, 0, 's'},
		{"seed", required_argument, 0, 'S'},	{"variant", required_argument, 0, 'v'},
		{"json", no_argument, 0, 'J'},		{"plot-dir", required_argument, 0, 'P'},
		{"help", no_argument, 0, 'h'},		{0, 0, 0, 0},
	};
	int c, rc;

	a->jobs = run_cpus();
	while ((c = getopt_long(argc, argv, "p:s:S:v:JP:j:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': a->profile = optarg; break;
		case 'S': a->seed = optarg; break;
		case 'J': a->json = 1; break;
		case 'P': a->plot_dir = optarg; break;
		case 'j':
			if ((a->jobs = atoi(optarg)) < 1) {
				fprintf(stderr, "vssd compare: -j %s: expected a number >= 1\n",
					optarg);
				return 2;
			}
			break;
		case 'v':
			if ((rc = add_variant(a, optarg)))
				return rc;
			break;
		case 's':
			if (cli_add_set(a->sets, &a->nsets, optarg))
				return 2;
			break;
		case 'h': usage(stdout); return -1;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "vssd compare: expected one JOBFILE\n");
		usage(stderr);
		return 2;
	}
	a->jobfile = argv[optind];
	if (a->nv)
		return 0;
	for (size_t i = 0; i < sizeof(default_variants) / sizeof(default_variants[0]); i++)
		if ((rc = add_variant(a, default_variants[i].spec)))
			return rc;
	return 0;
}

/* The `vssd sim` command line of variant v; the strings it points to live
 * in a and v. */
static char **sim_argv(const struct compare_args *a, const struct variant *v)
{
	char **argv = calloc((size_t)(2 * (a->nsets + v->nsets) + 16), sizeof(char *));
	int n = 0;

	if (!argv)
		return NULL;
	argv[n++] = (char *)run_self();
	argv[n++] = "sim";
	argv[n++] = "--json+";
	if (a->profile) {
		argv[n++] = "--profile";
		argv[n++] = (char *)a->profile;
	}
	for (int i = 0; i < a->nsets; i++) {
		argv[n++] = "--set";
		argv[n++] = a->sets[i];
	}
	for (int i = 0; i < v->nsets; i++) {
		argv[n++] = "--set";
		argv[n++] = v->sets[i];
	}
	if (a->seed) {
		argv[n++] = "--seed";
		argv[n++] = (char *)a->seed;
	}
	if (v->fdp)
		argv[n++] = "--place-by-job";
	if (a->plot_dir) {
		argv[n++] = "--csv-dir";
		argv[n++] = (char *)v->csv_dir;
	}
	argv[n++] = (char *)a->jobfile;
	return argv;
}

static void progress(void *arg, size_t done, size_t running, size_t total)
{
	(void)arg;
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\rvssd compare: %zu of %zu variants done, %zu running ", done,
			total, running);
}

/* Says why variant i failed: its stderr. */
static void say_failure(const struct variant *v, const struct run_task *t)
{
	FILE *f = fopen(t->err_path, "r");
	char line[1024];

	fprintf(stderr, "vssd compare: variant %s failed (exit %d):\n", v->name, t->status);
	while (f && fgets(line, sizeof(line), f))
		fprintf(stderr, "  %s", line);
	if (f)
		fclose(f);
}

/* Runs every variant; loads each report. Returns 0 or 1 having said why. */
static int run_variants(struct compare_args *a, const char *tmp)
{
	struct run_task t[COMPARE_MAX_VARIANTS];
	char out[COMPARE_MAX_VARIANTS][PATH_MAX + 16], err[COMPARE_MAX_VARIANTS][PATH_MAX + 16];
	int status = 0;

	for (int i = 0; i < a->nv; i++) {
		snprintf(out[i], sizeof(out[i]), "%s/%s.json", tmp, a->v[i].name);
		snprintf(err[i], sizeof(err[i]), "%s/%s.err", tmp, a->v[i].name);
		if (a->plot_dir) { /* through a copy: both strings live in a */
			char dir[sizeof(a->v[i].csv_dir)];

			snprintf(dir, sizeof(dir), "%s/%s", a->plot_dir, a->v[i].name);
			memcpy(a->v[i].csv_dir, dir, sizeof(dir));
		}
		t[i] = (struct run_task){
			.argv = sim_argv(a, &a->v[i]), .out_path = out[i], .err_path = err[i]};
		if (!t[i].argv)
			return 1;
	}
	run_tasks(t, (size_t)a->nv, a->jobs, progress, NULL);
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\r%60s\r", "");
	for (int i = 0; i < a->nv; i++) {
		if (t[i].status || !(a->v[i].report = json_object_from_file(out[i]))) {
			say_failure(&a->v[i], &t[i]);
			status = 1;
		}
		free((void *)t[i].argv);
		unlink(out[i]);
		unlink(err[i]);
	}
	return status;
}

int cmd_compare(int argc, char **argv)
{
	struct compare_args a = {0};
	char tmp[] = "/tmp/vssd-compare-XXXXXX", err[512];
	int rc = parse_args(argc, argv, &a);

	if (rc)
		return rc < 0 ? 0 : rc;
	if (a.plot_dir && mkdir(a.plot_dir, 0777) && errno != EEXIST) {
		fprintf(stderr, "vssd compare: --plot-dir %s: %s\n", a.plot_dir, strerror(errno));
		return 1;
	}
	if (!mkdtemp(tmp)) {
		fprintf(stderr, "vssd compare: %s: %s\n", tmp, strerror(errno));
		return 1;
	}
	rc = run_variants(&a, tmp);
	rmdir(tmp);
	if (!rc && a.json)
		rc = compare_json(stdout, a.jobfile, a.v, a.nv) ? 1 : 0;
	else if (!rc)
		compare_table(stdout, a.v, a.nv);
	if (!rc && a.plot_dir && compare_plots(a.plot_dir, a.v, a.nv, err, sizeof(err))) {
		fprintf(stderr, "vssd compare: %s\n", err);
		rc = 1;
	}
	for (int i = 0; i < a.nv; i++) {
		json_object_put(a.v[i].report);
		for (int k = 0; k < a.v[i].nsets; k++)
			free(a.v[i].sets[k]);
	}
	return rc;
}
