/*
 * Runs child processes at most N at once: fork, the child's stdout and
 * stderr to its files, exec; waitpid for whichever ends first.
 */
#include "runner.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* Starts task t. Returns its pid, or -1 (t->status is then 127). */
static pid_t start(struct run_task *t)
{
	pid_t pid = fork();

	if (pid == 0) {
		int out = open(t->out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int err = open(t->err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (out < 0 || err < 0 || dup2(out, STDOUT_FILENO) < 0 ||
		    dup2(err, STDERR_FILENO) < 0)
			_exit(127);
		execv(t->argv[0], t->argv);
		fprintf(stderr, "cannot run %s\n", t->argv[0]);
		_exit(127);
	}
	if (pid < 0)
		t->status = 127;
	return pid;
}

size_t run_tasks(struct run_task *t, size_t n, int jobs, run_progress progress, void *arg)
{
	pid_t *pids = calloc(n ? n : 1, sizeof(pid_t));
	size_t next = 0, done = 0, running = 0, failed = 0;

	if (!pids)
		return n;
	if (jobs < 1)
		jobs = 1;
	while (done < n) {
		int status;
		pid_t pid;

		while (next < n && running < (size_t)jobs) {
			pids[next] = start(&t[next]);
			if (pids[next] < 0) {
				done++;
				failed++;
			} else {
				running++;
			}
			next++;
			if (progress)
				progress(arg, done, running, n);
		}
		if (!running)
			continue;
		if ((pid = waitpid(-1, &status, 0)) < 0)
			break;
		for (size_t i = 0; i < next; i++) {
			if (pids[i] != pid)
				continue;
			t[i].status =
				WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			failed += t[i].status != 0;
			pids[i] = 0;
			running--;
			done++;
		}
		if (progress)
			progress(arg, done, running, n);
	}
	free(pids);
	return failed;
}

const char *run_self(void)
{
	static char path[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", path, sizeof(path) - 1);

	if (len <= 0)
		return "vssd"; /* execv needs a path: this fails, and says so */
	path[len] = 0;
	return path;
}

int run_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}
