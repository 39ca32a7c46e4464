/* `vssd params`: the parameter table, and the values a profile gives. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "vssd/vssd.h"

int cmd_params(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"profile", required_argument, 0, 'p'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	const char *profile = NULL;
	char param[4096], err[512];
	int c;

	while ((c = getopt_long(argc, argv, "p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': profile = optarg; break;
		case 'h':
			printf("usage: vssd params [--profile NAME|FILE]\n"
			       "Lists every parameter; with --profile, the values it sets.\n");
			return 0;
		default: return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vssd: params: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (!profile) {
		vssd_params_describe(stdout);
		return 0;
	}
	snprintf(param, sizeof(param), "profile=%s", profile);
	if (vssd_params_print((const char *const[]){param, NULL}, stdout, err, sizeof(err))) {
		fprintf(stderr, "vssd: %s\n", err);
		return 1;
	}
	return 0;
}
