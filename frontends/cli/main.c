/* `vssd`: the command-line frontend. Dispatches to a subcommand by name. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} commands[] = {
	{"sim", cmd_sim, "run a fio job file against an emulated SSD in virtual time"},
	{"compare", cmd_compare, "one job file on several variants of a device, side by side"},
	{"sweep", cmd_sweep, "a grid of parameters and job files: every core, or a Slurm cluster"},
	{"params", cmd_params, "list every device parameter: name, default, range, help"},
	{"serve", cmd_serve, "serve the device over NBD in real time (nbdkit and the vssd plugin)"},
	{"nvme", cmd_nvme, "inspect a device as nvme-cli does: id-ctrl, id-ns, smart-log, ..."},
	{"trace-stat", cmd_trace_stat, "what a block trace holds, before it is replayed"},
	{"torture", cmd_torture,
	 "cut the power at random points and check every LBA after recovery"},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: vssd COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "  %-10s %s\n\n`vssd COMMAND --help` for a command's options.\n", "version",
		"print the version");
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("vssd %s\n", VSSD_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "vssd: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
