/* `vssd params`: the parameter table, and the values a profile gives. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

int cmd_params(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"profile", required_argument, 0, 'p'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	const char *profile = NULL;
	struct vssd_config cfg;
	char value[128];
	int c;

	while ((c = getopt_long(argc, argv, "p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			profile = optarg;
			break;
		case 'h':
			printf("usage: vssd params [--profile NAME|FILE]\n"
			       "Lists every parameter; with --profile, the values it sets.\n");
			return 0;
		default:
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vssd: params: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (!profile) {
		config_print_table(stdout);
		return 0;
	}
	if (cli_device_config(&cfg, profile, NULL, 0, NULL))
		return 1;
	for (size_t i = 0; i < config_param_count(); i++) {
		config_format(&cfg, config_param_key(i), value, sizeof(value));
		printf("%s = %s\n", config_param_key(i), value);
	}
	return 0;
}
