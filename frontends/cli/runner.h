/*
 * Child processes for `vssd compare` and `vssd sweep`: each task is one
 * `vssd sim` run (or any program) with its stdout and stderr in files, at
 * most N at once. Separate processes, so runs share nothing but the
 * machine's cores, and a run's report is what `vssd sim` alone prints.
 */
#ifndef VSSD_CLI_RUNNER_H
#define VSSD_CLI_RUNNER_H

#include <stddef.h>

struct run_task {
	char *const *argv;    /* NULL-terminated; argv[0] the program's path */
	const char *out_path; /* its stdout */
	const char *err_path; /* its stderr */
	int status;	      /* its exit status once done; 127 if it could not start */
};

/* Called after each task starts or ends: how many are done and running. */
typedef void (*run_progress)(void *arg, size_t done, size_t running, size_t total);

/* Runs the n tasks, at most jobs at once (jobs < 1: one), in order.
 * Returns how many did not exit 0. */
size_t run_tasks(struct run_task *t, size_t n, int jobs, run_progress progress, void *arg);

/* This program's own path (/proc/self/exe), for running `vssd sim`. */
const char *run_self(void);

/* The machine's online CPUs (at least 1). */
int run_cpus(void);

#endif
