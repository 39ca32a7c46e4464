/*
 * `vssd trace-stat`: what a block trace holds, before it is replayed:
 * requests by kind and size, span in time and bytes, its footprint against
 * the device's capacity, and requests past the device's end.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "vssd/sim.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vssd trace-stat [--profile NAME|FILE] [--set KEY=VALUE]... [--format F]\n"
		"                       [--volume N] [--json] TRACE\n\n"
		"What a trace holds, against the capacity of the device the options describe.\n"
		"  --format F  the trace's format (iolog, blktrace, msr, disksim, alibaba,\n"
		"              tencent), as trace_format=; default: told from its contents\n"
		"  --volume N  the one volume of a trace of several, as trace_volume=\n"
		"  --json      a JSON object, as in a replay's report\n");
}

int cmd_trace_stat(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"profile", required_argument, 0, 'p'},
		{"set", required_argument, 0, 's'},
		{"format", required_argument, 0, 'f'},
		{"volume", required_argument, 0, 'v'},
		{"json", no_argument, 0, 'j'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	const char *profile = NULL, *format = NULL, *volume = NULL;
	char *sets[CLI_MAX_SETS], err[512];
	struct cli_params params;
	int c, nsets = 0, json = 0;

	while ((c = getopt_long(argc, argv, "p:s:f:v:jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': profile = optarg; break;
		case 's':
			if (cli_add_set(sets, &nsets, optarg))
				return 2;
			break;
		case 'f': format = optarg; break;
		case 'v': volume = optarg; break;
		case 'j': json = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "vssd trace-stat: expected one TRACE\n");
		usage(stderr);
		return 2;
	}
	if (vssd_trace_stat(cli_device_params(&params, profile, sets, nsets, NULL), argv[optind],
			    format, volume, json, stdout, err, sizeof(err))) {
		fprintf(stderr, "vssd: %s\n", err);
		return 1;
	}
	return 0;
}
