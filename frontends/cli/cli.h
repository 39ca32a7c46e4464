/* The `vssd` program's subcommands. Each returns the process exit status. */
#ifndef VSSD_CLI_H
#define VSSD_CLI_H

#include <limits.h>

int cmd_sim(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_params(int argc, char **argv);
int cmd_nvme(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_torture(int argc, char **argv);
int cmd_trace_stat(int argc, char **argv);

#define CLI_MAX_SETS 256 /* --set options one command takes */

/* Adds a --set option's KEY=VALUE to sets (at most CLI_MAX_SETS). Returns
 * 0, or 2 (the exit status) having said there are too many. */
int cli_add_set(char **sets, int *nsets, char *arg);

/* The "key=value" list vssd_open() takes, and the strings it points into. */
struct cli_params {
	char profile[PATH_MAX + 16], seed[64];
	const char *list[CLI_MAX_SETS + 3];
};

/* The device options every subcommand shares, as that list: --profile (NULL:
 * default) first, then each --set in order (at most CLI_MAX_SETS), then
 * --seed (NULL: none). Returns p->list. */
const char *const *cli_device_params(struct cli_params *p, const char *profile, char *const *sets,
				     int nsets, const char *seed);

#endif
