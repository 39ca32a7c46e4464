/* The `vssd` program's subcommands. Each returns the process exit status. */
#ifndef VSSD_CLI_H
#define VSSD_CLI_H

#include "config/params.h"

int cmd_sim(int argc, char **argv);
int cmd_params(int argc, char **argv);
int cmd_nvme(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_torture(int argc, char **argv);

/*
 * Reads the device options every subcommand shares (--profile, --set,
 * --seed) into cfg, profile first then sets in order. Returns 0, or prints
 * the message and returns 1.
 */
int cli_device_config(struct vssd_config *cfg, const char *profile, char **sets, int nsets,
		      const char *seed);

#endif
