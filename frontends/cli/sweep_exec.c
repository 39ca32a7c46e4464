/*
 * Running a sweep's points: on this machine, a process per point on every
 * core; or on a Slurm cluster, an sbatch array with one task per point
 * (the point's shell command, which writes its report whole or not at
 * all), waited for with squeue and checked with sacct. No scheduler of
 * our own: users past one machine have Slurm already.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runner.h"
#include "sweep.h"

void sweep_point_path(const char *dir, size_t i, char *out, size_t len)
{
	snprintf(out, len, "%s/points/%06zu.json", dir, i);
}

/* A word for sh: in single quotes, a quote inside as '\''. */
static void shell_word(FILE *out, const char *w)
{
	fputc('\'', out);
	for (; *w; w++) {
		if (*w == '\'')
			fputs("'\\''", out);
		else
			fputc(*w, out);
	}
	fputc('\'', out);
}

void sweep_point_command(FILE *out, const struct sweep_spec *s, const char *dir, size_t i)
{
	char **argv = sweep_argv(s, i), path[PATH_MAX + 32], part[PATH_MAX + 40],
	     err[PATH_MAX + 40];

	sweep_point_path(dir, i, path, sizeof(path));
	snprintf(part, sizeof(part), "%s.part", path);
	snprintf(err, sizeof(err), "%s.err", path);
	for (int k = 0; argv && argv[k]; k++) {
		shell_word(out, argv[k]);
		fputc(' ', out);
	}
	fputs("> ", out);
	shell_word(out, part);
	fputs(" 2> ", out);
	shell_word(out, err);
	fputs(" && mv ", out);
	shell_word(out, part);
	fputc(' ', out);
	shell_word(out, path);
	fputc('\n', out);
	free(argv);
}

/* Says which points have no report, and where their stderr is. Returns
 * 0 when all of todo have theirs. */
static int missing(const char *dir, const size_t *todo, size_t n)
{
	char path[PATH_MAX + 32];
	size_t bad = 0;

	for (size_t i = 0; i < n; i++) {
		sweep_point_path(dir, todo[i], path, sizeof(path));
		if (!access(path, R_OK))
			continue;
		if (bad++ < 10)
			fprintf(stderr, "vssd sweep: point %zu failed: see %s.err\n", todo[i],
				path);
	}
	if (bad)
		fprintf(stderr,
			"vssd sweep: %zu of %zu points failed; run the sweep again to retry them\n",
			bad, n);
	return bad ? 1 : 0;
}

struct local_progress {
	struct timespec start;
};

static void local_progress(void *arg, size_t done, size_t running, size_t total)
{
	struct local_progress *p = arg;
	struct timespec now;
	double elapsed;

	if (!isatty(STDERR_FILENO))
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	elapsed = (double)(now.tv_sec - p->start.tv_sec) + (now.tv_nsec - p->start.tv_nsec) / 1e9;
	fprintf(stderr, "\rvssd sweep: %zu of %zu points done, %zu running", done, total, running);
	if (done)
		fprintf(stderr, ", ETA %.0f s   ", elapsed / (double)done * (double)(total - done));
	if (done == total)
		fprintf(stderr, "\n");
}

int sweep_run_local(const struct sweep_spec *s, const char *dir, const size_t *todo, size_t n,
		    int jobs)
{
	struct point_files {
		char json[PATH_MAX + 32], part[PATH_MAX + 40], err[PATH_MAX + 40];
	} *paths = calloc(n + 1, sizeof(*paths));
	struct run_task *t = calloc(n + 1, sizeof(*t));
	struct local_progress p;

	if (!t || !paths) {
		free(t);
		free(paths);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		sweep_point_path(dir, todo[i], paths[i].json, sizeof(paths[i].json));
		snprintf(paths[i].part, sizeof(paths[i].part), "%s.part", paths[i].json);
		snprintf(paths[i].err, sizeof(paths[i].err), "%s.err", paths[i].json);
		t[i] = (struct run_task){.argv = sweep_argv(s, todo[i]),
					 .out_path = paths[i].part,
					 .err_path = paths[i].err};
	}
	clock_gettime(CLOCK_MONOTONIC, &p.start);
	run_tasks(t, n, jobs, local_progress, &p);
	for (size_t i = 0; i < n; i++) {
		if (!t[i].status)
			rename(paths[i].part, paths[i].json); /* whole: the report */
		free((void *)t[i].argv);
	}
	free(t);
	free(paths);
	return missing(dir, todo, n);
}

/* Runs a command, its first line of output into out. Returns its exit status. */
static int run_line(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");

	out[0] = 0;
	if (!p)
		return 127;
	if (fgets(out, (int)len, p))
		out[strcspn(out, "\n")] = 0;
	while (fgetc(p) != EOF) /* the rest, so the command is not cut off */
		;
	return pclose(p);
}

/* The array script: task k runs line k + 1 of the commands file. */
static int write_batch(const char *dir, const size_t *todo, size_t n, const struct sweep_spec *s)
{
	char path[PATH_MAX + 32], slurm_dir[PATH_MAX + 16];
	FILE *f;

	snprintf(slurm_dir, sizeof(slurm_dir), "%s/slurm", dir);
	if (mkdir(slurm_dir, 0777) && errno != EEXIST)
		return -1;
	snprintf(path, sizeof(path), "%s/commands.sh", dir);
	if (!(f = fopen(path, "w")))
		return -1;
	for (size_t i = 0; i < n; i++)
		sweep_point_command(f, s, dir, todo[i]);
	if (fclose(f))
		return -1;
	snprintf(path, sizeof(path), "%s/sweep.sbatch", dir);
	if (!(f = fopen(path, "w")))
		return -1;
	fprintf(f,
		"#!/bin/sh\n"
		"#SBATCH --job-name=vssd-sweep\n"
		"#SBATCH --array=0-%zu\n"
		"#SBATCH --ntasks=1\n"
		"#SBATCH --cpus-per-task=1\n"
		"#SBATCH --output=%s/slurm/%%A_%%a.out\n"
		"# task k runs point k's command: line k + 1 of commands.sh\n"
		"sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" '%s/commands.sh' | sh\n",
		n - 1, dir, dir);
	return fclose(f);
}

/* Waits until squeue no longer lists the job, saying how far it is. */
static void wait_job(const char *id, const char *dir, const size_t *todo, size_t n)
{
	char cmd[256], line[256], path[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "squeue -h -j %s -o %%i 2>/dev/null", id);
	for (;;) {
		size_t done = 0;

		if (run_line(cmd, line, sizeof(line)) || !line[0])
			break; /* gone from the queue (or squeue says it knows no such job) */
		for (size_t i = 0; i < n; i++) {
			sweep_point_path(dir, todo[i], path, sizeof(path));
			done += !access(path, R_OK);
		}
		if (isatty(STDERR_FILENO))
			fprintf(stderr, "\rvssd sweep: Slurm job %s: %zu of %zu points done ", id,
				done, n);
		sleep(2);
	}
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\n");
}

/* What sacct says of the array's tasks: the first that did not complete.
 * A cluster without accounting cannot say: the points' reports tell. */
static void check_accounting(const char *id)
{
	char cmd[256], line[256];

	snprintf(cmd, sizeof(cmd),
		 "sacct -n -P -X -j %s -o JobID,State 2>&1 | grep -v '|COMPLETED$'", id);
	if (run_line(cmd, line, sizeof(line)) || !line[0])
		return;
	if (strstr(line, "accounting storage is disabled"))
		fprintf(stderr, "vssd sweep: sacct: the cluster keeps no accounting; the "
				"points' reports tell which ran\n");
	else
		fprintf(stderr, "vssd sweep: sacct: %s\n", line);
}

int sweep_run_slurm(const struct sweep_spec *s, const char *dir, const size_t *todo, size_t n)
{
	char abs[PATH_MAX], cmd[PATH_MAX + 64], id[128];

	if (!n)
		return 0;
	if (!realpath(dir, abs) || write_batch(abs, todo, n, s)) {
		fprintf(stderr, "vssd sweep: %s: cannot write the batch script: %s\n", dir,
			strerror(errno));
		return 1;
	}
	snprintf(cmd, sizeof(cmd), "sbatch --parsable '%s/sweep.sbatch' 2>&1", abs);
	if (run_line(cmd, id, sizeof(id)) || !id[0]) {
		fprintf(stderr, "vssd sweep: sbatch failed: %s\n", id[0] ? id : "no job id");
		return 1;
	}
	id[strcspn(id, ";")] = 0; /* "ID;cluster" on a federation */
	fprintf(stderr, "vssd sweep: Slurm job %s: %zu points (%s/sweep.sbatch)\n", id, n, abs);
	wait_job(id, abs, todo, n);
	check_accounting(id);
	return missing(abs, todo, n);
}
