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
#include "vssd/sim.h"

static void sim_usage(FILE *out)
{
	fprintf(out,
		"usage: vssd sim [--profile NAME|FILE] [--set KEY=VALUE]... [--seed N] [--json]\n"
		"                [--json+] [--csv-dir DIR] [--csv-interval-ms MS] [--powerloss "
		"at=TIME|after=N]...\n"
		"                [--place-by-job] JOBFILE\n\n"
		"Runs a fio job file against an emulated SSD in virtual time.\n"
		"  --profile NAME|FILE  device preset (default: default)\n"
		"  --set KEY=VALUE      override a parameter (see `vssd params`), repeatable\n"
		"  --seed N             seed of the device and the jobs' random streams\n"
		"  --json               fio-style JSON report on stdout\n"
		"  --json+              the same with each latency histogram's buckets\n"
		"                       (fio's json+: clat_ns.bins, for fio's own tools)\n"
		"  --csv-dir DIR        time series (and PNG plots if gnuplot is installed)\n"
		"  --csv-interval-ms MS sample interval in virtual milliseconds (default 100)\n"
		"  --powerloss at=TIME  cut the power at this virtual time (1.5s, 200ms), or\n"
		"  --powerloss after=N  once N host I/Os have been issued; repeatable. The\n"
		"                       device loses what is volatile and recovers from its\n"
		"                       media (media=ram or media=file); I/Os in flight are\n"
		"                       lost and the jobs go on\n"
		"  --place-by-job       fdp=on: jobs with no placement options of their own\n"
		"                       write through placement ID (job index mod the IDs)\n");
}

struct sim_args {
	const char *profile, *seed, *csv_dir, *jobfile;
	char *sets[CLI_MAX_SETS];
	int nsets;
	int json; /* 1: --json, 2: --json+ */
	int place_by_job;
	uint64_t csv_interval_ms;
	const char *powerloss[VSSD_SIM_MAX_POWERLOSS + 1]; /* checked by the simulator */
	int npowerloss;
};

static int parse_args(int argc, char **argv, struct sim_args *a)
{
	static const struct option longopts[] = {
		{"profile", required_argument, 0, 'p'},
		{"set", required_argument, 0, 's'},
		{"seed", required_argument, 0, 'S'},
		{"json", no_argument, 0, 'j'},
		{"json+", no_argument, 0, 'J'},
		{"place-by-job", no_argument, 0, 'B'},
		{"csv-dir", required_argument, 0, 'c'},
		{"csv-interval-ms", required_argument, 0, 'i'},
		{"powerloss", required_argument, 0, 'P'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	char *end;
	int c;

	a->csv_interval_ms = 100;
	while ((c = getopt_long(argc, argv, "p:s:S:jc:i:P:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': a->profile = optarg; break;
		case 'S': a->seed = optarg; break;
		case 'j': a->json = 1; break;
		case 'J': a->json = 2; break;
		case 'B': a->place_by_job = 1; break;
		case 'c': a->csv_dir = optarg; break;
		case 'P':
			if (a->npowerloss == VSSD_SIM_MAX_POWERLOSS) {
				fprintf(stderr, "vssd: more than %d --powerloss options\n",
					VSSD_SIM_MAX_POWERLOSS);
				return 2;
			}
			a->powerloss[a->npowerloss++] = optarg;
			break;
		case 's':
			if (cli_add_set(a->sets, &a->nsets, optarg))
				return 2;
			break;
		case 'i':
			/* strtoull would take "-5" as a huge number */
			a->csv_interval_ms = strtoull(optarg, &end, 10);
			if (*end || !a->csv_interval_ms || optarg[0] < '0' || optarg[0] > '9') {
				fprintf(stderr,
					"vssd: --csv-interval-ms=%s: expected a whole number "
					"of milliseconds > 0\n",
					optarg);
				return 2;
			}
			break;
		case 'h': sim_usage(stdout); return -1;
		default: sim_usage(stderr); return 2;
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

/* As fio: the report first, then a failed exit for each job whose verify failed. */
static int verify_status(const struct vssd_sim *sim, uint32_t njobs)
{
	struct vssd_sim_verify v;
	int status = 0;

	for (uint32_t j = 0; j < njobs; j++) {
		if (vssd_sim_verify(sim, j, &v) || !v.bad)
			continue;
		fprintf(stderr,
			"vssd: job '%s': verify failed: %llu of %llu blocks bad; the first at "
			"%s\n",
			v.job, (unsigned long long)v.bad, (unsigned long long)v.blocks,
			v.first_bad);
		status = 1;
	}
	return status;
}

int cmd_sim(int argc, char **argv)
{
	struct sim_args a = {0};
	struct vssd_sim_options opt = {0};
	struct vssd_sim_summary sum;
	struct cli_params params;
	struct vssd_sim *sim;
	char err[512];
	int rc = parse_args(argc, argv, &a), status;

	if (rc)
		return rc < 0 ? 0 : rc;
	opt.progress = isatty(STDERR_FILENO);
	opt.sample_interval_ns = a.csv_dir ? a.csv_interval_ms * 1000000ULL : 0;
	opt.powerloss = a.powerloss;
	opt.place_by_job = a.place_by_job;
	if (vssd_sim_run(cli_device_params(&params, a.profile, a.sets, a.nsets, a.seed), a.jobfile,
			 &opt, &sim, err, sizeof(err))) {
		fprintf(stderr, "vssd: %s\n", err);
		return 1;
	}
	vssd_sim_summary(sim, &sum);
	if (sum.powerloss_done < sum.powerloss_asked)
		fprintf(stderr,
			"vssd: %u of %u --powerloss cuts came after the run's end (%.6f s "
			"virtual, %llu host I/Os)\n",
			sum.powerloss_asked - sum.powerloss_done, sum.powerloss_asked,
			(double)sum.virtual_ns / 1e9, (unsigned long long)sum.host_ios);
	rc = vssd_sim_report(sim,
			     a.json == 2 ? VSSD_REPORT_JSON_PLUS
			     : a.json	 ? VSSD_REPORT_JSON
					 : VSSD_REPORT_TEXT,
			     stdout);
	if (!rc && a.csv_dir && vssd_sim_write_csv(sim, a.csv_dir, err, sizeof(err))) {
		fprintf(stderr, "vssd: %s\n", err);
		rc = -1;
	}
	status = verify_status(sim, sum.jobs) || rc ? 1 : 0;
	vssd_sim_free(sim);
	return status;
}
