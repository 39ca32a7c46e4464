/* The `vssd` program's subcommands. Each returns the process exit status. */
#ifndef VSSD_CLI_H
#define VSSD_CLI_H

int cmd_sim(int argc, char **argv);
int cmd_params(int argc, char **argv);
int cmd_nvme(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_torture(int argc, char **argv);
int cmd_trace_stat(int argc, char **argv);

#endif
