/*
 * `vssd sim`: builds a device from a profile and --set overrides, runs a fio
 * job file on it in virtual time and prints the report.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "core/device.h"
#include "nvme/ctrl.h"
#include "report/report.h"
#include "runtime/sim.h"
#include "workload/job.h"

#define MAX_SETS 256

static void sim_usage(FILE *out)
{
	fprintf(out,
		"usage: vssd sim [--profile NAME|FILE] [--set KEY=VALUE]... [--seed N] [--json]\n"
		"                [--csv-dir DIR] [--csv-interval-ms MS] [--powerloss at=TIME|after=N]...\n"
		"                JOBFILE\n\n"
		"Runs a fio job file against an emulated SSD in virtual time.\n"
		"  --profile NAME|FILE  device preset (default: default)\n"
		"  --set KEY=VALUE      override a parameter (see `vssd params`), repeatable\n"
		"  --seed N             seed of the device and the jobs' random streams\n"
		"  --json               fio-style JSON report on stdout\n"
		"  --csv-dir DIR        time series (and PNG plots if gnuplot is installed)\n"
		"  --csv-interval-ms MS sample interval in virtual milliseconds (default 100)\n"
		"  --powerloss at=TIME  cut the power at this virtual time (1.5s, 200ms), or\n"
		"  --powerloss after=N  once N host I/Os have been issued; repeatable. The\n"
		"                       device loses what is volatile and recovers from its\n"
		"                       media (media=ram or media=file); I/Os in flight are\n"
		"                       lost and the jobs go on\n");
}

int cli_device_config(struct vssd_config *cfg, const char *profile, char **sets, int nsets,
		      const char *seed)
{
	char err[512];

	config_defaults(cfg);
	if (profile && config_load_profile(cfg, profile, err, sizeof(err)))
		goto fail;
	for (int i = 0; i < nsets; i++)
		if (config_set_pair(cfg, sets[i], err, sizeof(err)))
			goto fail;
	if (seed && config_set(cfg, "seed", seed, err, sizeof(err)))
		goto fail;
	if (config_check(cfg, err, sizeof(err)))
		goto fail;
	return 0;
fail:
	fprintf(stderr, "vssd: %s\n", err);
	return 1;
}

struct sim_args {
	const char *profile, *seed, *csv_dir, *jobfile;
	char *sets[MAX_SETS];
	int nsets;
	int json;
	uint64_t csv_interval_ms;
	struct sim_powerloss powerloss[SIM_MAX_POWERLOSS];
	uint32_t npowerloss;
};

/* --powerloss at=TIME or after=N */
static int parse_powerloss(const char *v, struct sim_args *a)
{
	struct sim_powerloss *p = &a->powerloss[a->npowerloss];
	char *end;

	if (a->npowerloss == SIM_MAX_POWERLOSS) {
		fprintf(stderr, "vssd: more than %d --powerloss options\n", SIM_MAX_POWERLOSS);
		return 2;
	}
	*p = (struct sim_powerloss){0};
	if (!strncmp(v, "at=", 3) && !job_parse_time_ns(v + 3, 1000000000ULL, &p->at_ns)) {
		a->npowerloss++;
		return 0;
	}
	if (!strncmp(v, "after=", 6) && v[6] >= '0' && v[6] <= '9') {
		p->after_ios = strtoull(v + 6, &end, 10);
		if (!*end && p->after_ios) {
			a->npowerloss++;
			return 0;
		}
	}
	fprintf(stderr, "vssd: --powerloss %s: expected at=TIME (a virtual time such as 1.5s "
		"or 200ms) or after=N (host I/Os, N > 0)\n", v);
	return 2;
}

static int parse_args(int argc, char **argv, struct sim_args *a)
{
	static const struct option longopts[] = {
		{"profile", required_argument, 0, 'p'}, {"set", required_argument, 0, 's'},
		{"seed", required_argument, 0, 'S'},    {"json", no_argument, 0, 'j'},
		{"csv-dir", required_argument, 0, 'c'}, {"csv-interval-ms", required_argument, 0, 'i'},
		{"powerloss", required_argument, 0, 'P'}, {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	char *end;
	int c;

	a->profile = "default";
	a->csv_interval_ms = 100;
	while ((c = getopt_long(argc, argv, "p:s:S:jc:i:P:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': a->profile = optarg; break;
		case 'S': a->seed = optarg; break;
		case 'j': a->json = 1; break;
		case 'c': a->csv_dir = optarg; break;
		case 'P':
			if (parse_powerloss(optarg, a))
				return 2;
			break;
		case 's':
			if (a->nsets == MAX_SETS) {
				fprintf(stderr, "vssd: more than %d --set options\n", MAX_SETS);
				return 2;
			}
			a->sets[a->nsets++] = optarg;
			break;
		case 'i':
			/* strtoull would take "-5" as a huge number */
			a->csv_interval_ms = strtoull(optarg, &end, 10);
			if (*end || !a->csv_interval_ms || optarg[0] < '0' || optarg[0] > '9') {
				fprintf(stderr, "vssd: --csv-interval-ms=%s: expected a whole number "
					"of milliseconds > 0\n", optarg);
				return 2;
			}
			break;
		case 'h':
			sim_usage(stdout);
			return -1;
		default:
			sim_usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "vssd sim: expected one JOBFILE\n");
		sim_usage(stderr);
		return 2;
	}
	a->jobfile = argv[optind];
	return 0;
}

int cmd_sim(int argc, char **argv)
{
	struct sim_args a = {0};
	struct vssd_config cfg;
	struct job_file jf;
	struct nvme_ctrl *ctrl = NULL;
	struct sim_result res;
	struct sim_options opt = {0};
	char err[512];
	int rc = parse_args(argc, argv, &a), status = 1;

	if (rc)
		return rc < 0 ? 0 : rc;
	if (cli_device_config(&cfg, a.profile, a.sets, a.nsets, a.seed))
		return 1;
	if (job_file_load(a.jobfile, &jf, err, sizeof(err))) {
		fprintf(stderr, "vssd: %s\n", err);
		return 1;
	}
	if (nvme_ctrl_create(&cfg, &ctrl, err, sizeof(err))) {
		fprintf(stderr, "vssd: %s\n", err);
		goto out;
	}
	opt.seed = cfg.seed;
	opt.progress = isatty(STDERR_FILENO);
	opt.sample_interval_ns = a.csv_dir ? a.csv_interval_ms * 1000000ULL : 0;
	memcpy(opt.powerloss, a.powerloss, sizeof(opt.powerloss));
	opt.npowerloss = a.npowerloss;
	if (sim_run(ctrl, &jf, &opt, &res, err, sizeof(err))) {
		fprintf(stderr, "vssd: %s\n", err);
		goto out;
	}
	if (res.npowerloss < opt.npowerloss)
		fprintf(stderr, "vssd: %u of %u --powerloss cuts came after the run's end (%.6f s "
			"virtual, %llu host I/Os)\n", opt.npowerloss - res.npowerloss,
			opt.npowerloss, (double)res.virtual_ns / 1e9,
			(unsigned long long)res.host_ios);
	if (a.json)
		rc = report_json(stdout, ctrl->dev, &res);
	else
		report_text(stdout, ctrl->dev, &res);
	if (!rc && a.csv_dir && report_csv(a.csv_dir, &res, err, sizeof(err))) {
		fprintf(stderr, "vssd: %s\n", err);
		rc = -1;
	}
	status = rc ? 1 : 0;
	for (uint32_t j = 0; j < res.njobs; j++) { /* as fio: the report, then a failed exit */
		const struct sim_job_result *r = &res.jobs[j];

		if (!r->verify_bad)
			continue;
		fprintf(stderr, "vssd: job '%s': verify failed: %llu of %llu blocks bad; the first at "
			"%s\n", r->spec->name, (unsigned long long)r->verify_bad,
			(unsigned long long)r->verify_blocks, r->verify_first_bad);
		status = 1;
	}
	sim_result_free(&res);
out:
	nvme_ctrl_destroy(ctrl);
	job_file_free(&jf);
	return status;
}
