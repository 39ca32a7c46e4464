/*
 * `vssd serve`: the device in real time, for unmodified software.
 *
 * --transport nbd (the default): a block device over NBD (fio, qemu,
 * nbdfuse + losetup). A convenience wrapper: it checks the device's
 * parameters, starts nbdkit with the vssd plugin in the foreground on a
 * Unix socket (or a TCP port), prints the NBD URI once nbdkit listens, and
 * passes Ctrl-C or SIGTERM on. The plugin keeps the statistics file and
 * prints the final report when nbdkit stops.
 *
 * --transport tcp: vssd's own NVMe controller over NVMe/TCP
 * (frontends/nvmf), in this process, for the kernel's nvme-tcp and
 * nvme-cli.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "nvmf.h"
#include "vssd/vssd.h"

#define READY_TIMEOUT_S 30 /* building a large device with media=ram takes a while */

struct serve_args {
	const char *profile, *seed, *socket, *listen, *stats, *stats_interval, *run;
	const char *nqn;
	char *sets[CLI_MAX_SETS];
	int nsets;
	bool tcp;	     /* --transport tcp: NVMe/TCP */
	long port;	     /* 0: a Unix socket (NBD), 4420 (NVMe/TCP) */
	long discovery_port; /* NVMe/TCP; -1 until given */
};

static void serve_usage(FILE *out)
{
	fprintf(out,
		"usage: vssd serve [--transport nbd|tcp] [--profile NAME|FILE] [--set "
		"KEY=VALUE]...\n"
		"                  [--seed N] [--socket PATH | --port N [--listen ADDRESS]]\n"
		"                  [--discovery-port N] [--nqn NQN]\n"
		"                  [--stats PATH] [--stats-interval SECONDS] [--run COMMAND]\n\n"
		"--transport nbd (the default) serves the device over NBD in real time with\n"
		"nbdkit and the vssd plugin: on a Unix socket (default /tmp/vssd-PID.sock) or\n"
		"on TCP port N of the loopback address (or ADDRESS). Prints the NBD URI when\n"
		"it is ready; export \"pid=N\" tags writes with FDP placement identifier N.\n"
		"--run starts COMMAND with $uri set and stops when it ends.\n\n"
		"--transport tcp serves vssd's NVMe controller over NVMe/TCP on ADDRESS\n"
		"(default 127.0.0.1) port N (default 4420), with a discovery controller on\n"
		"--discovery-port (default 8009; 0: none). The subsystem's NQN is the\n"
		"device's own unless --nqn says. A Linux host connects with\n"
		"  modprobe nvme-tcp; nvme connect -t tcp -a ADDRESS -s N -n NQN\n\n"
		"--stats keeps the JSON report (as vssd sim --json) in PATH; the final\n"
		"report is printed at exit (Ctrl-C).\n");
}

/* --stats is written by nbdkit's plugin once it is serving; a path that
 * cannot be written is refused before anything starts. */
static bool stats_writable(const char *path)
{
	FILE *f = fopen(path, "a");

	if (!f) {
		fprintf(stderr, "vssd: --stats %s: %s\n", path, strerror(errno));
		return false;
	}
	fclose(f);
	return true;
}

/* NVMe/TCP listens on TCP ports only, and runs no command beside it. */
static int check_tcp_args(struct serve_args *a)
{
	if (a->socket || a->run) {
		fprintf(stderr, "vssd: %s: not supported with --transport tcp\n",
			a->socket ? "--socket" : "--run");
		return 2;
	}
	if (!a->port)
		a->port = 4420;
	if (a->discovery_port < 0)
		a->discovery_port = 8009;
	if (a->discovery_port == a->port) {
		fprintf(stderr, "vssd: --discovery-port %ld is --port's too\n", a->discovery_port);
		return 2;
	}
	if (a->nqn && (!*a->nqn || strlen(a->nqn) > 223)) {
		fprintf(stderr, "vssd: --nqn %s: expected 1 to 223 characters\n", a->nqn);
		return 2;
	}
	return 0;
}

static int parse_serve_args(int argc, char **argv, struct serve_args *a)
{
	static const struct option longopts[] = {
		{"profile", required_argument, 0, 'p'},
		{"set", required_argument, 0, 'S'},
		{"seed", required_argument, 0, 'e'},
		{"socket", required_argument, 0, 'U'},
		{"port", required_argument, 0, 'P'},
		{"listen", required_argument, 0, 'l'},
		{"stats", required_argument, 0, 's'},
		{"stats-interval", required_argument, 0, 'i'},
		{"run", required_argument, 0, 'r'},
		{"transport", required_argument, 0, 't'},
		{"discovery-port", required_argument, 0, 'D'},
		{"nqn", required_argument, 0, 'N'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	char *end;
	int c;

	a->profile = "default";
	a->discovery_port = -1;
	while ((c = getopt_long(argc, argv, "p:S:e:U:P:l:s:i:r:t:D:N:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': a->profile = optarg; break;
		case 'e': a->seed = optarg; break;
		case 'U': a->socket = optarg; break;
		case 'l': a->listen = optarg; break;
		case 's': a->stats = optarg; break;
		case 'i': a->stats_interval = optarg; break;
		case 'r': a->run = optarg; break;
		case 'N': a->nqn = optarg; break;
		case 't':
			if (strcmp(optarg, "nbd") && strcmp(optarg, "tcp")) {
				fprintf(stderr, "vssd: --transport %s: expected nbd or tcp\n",
					optarg);
				return 2;
			}
			a->tcp = !strcmp(optarg, "tcp");
			break;
		case 'D':
			a->discovery_port = strtol(optarg, &end, 10);
			if (*end || !*optarg || a->discovery_port < 0 ||
			    a->discovery_port > 65535) {
				fprintf(stderr,
					"vssd: --discovery-port %s: expected a TCP port, 0 (none) "
					"to "
					"65535\n",
					optarg);
				return 2;
			}
			break;
		case 'S':
			if (cli_add_set(a->sets, &a->nsets, optarg))
				return 2;
			break;
		case 'P':
			a->port = strtol(optarg, &end, 10);
			if (*end || a->port < 1 || a->port > 65535) {
				fprintf(stderr,
					"vssd: --port %s: expected a TCP port, 1 to 65535\n",
					optarg);
				return 2;
			}
			break;
		case 'h': serve_usage(stdout); return -1;
		default: serve_usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vssd: serve: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (a->stats && !stats_writable(a->stats))
		return 2;
	if (a->tcp)
		return check_tcp_args(a);
	if (a->nqn || a->discovery_port >= 0) {
		fprintf(stderr, "vssd: %s: only with --transport tcp\n",
			a->nqn ? "--nqn" : "--discovery-port");
		return 2;
	}
	if (a->port && a->socket) {
		fprintf(stderr, "vssd: --socket and --port: choose one\n");
		return 2;
	}
	if (a->listen && !a->port) {
		fprintf(stderr, "vssd: --listen %s needs --port\n", a->listen);
		return 2;
	}
	return 0;
}

/* The plugin beside this program (a build tree), else nbdkit's own "vssd". */
static const char *plugin_path(char *buf, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = '\0';
		snprintf(buf, len, "%s/nbdkit-vssd-plugin.so", dirname(self));
		if (access(buf, R_OK) == 0)
			return buf;
	}
	return "vssd";
}

static volatile sig_atomic_t child_pid;

static void forward_signal(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
}

enum start { STARTED, EXITED, TOO_SLOW };

/* Waits until nbdkit writes its pid file (it does once it listens), exits
 * (*status is its wait status), or takes longer than READY_TIMEOUT_S. */
static enum start wait_ready(pid_t pid, const char *pidfile, int *status)
{
	struct timespec tick = {0, 10 * 1000 * 1000};
	struct stat sb;

	for (int i = 0; i < READY_TIMEOUT_S * 100; i++) {
		if (stat(pidfile, &sb) == 0 && sb.st_size > 0)
			return STARTED;
		if (waitpid(pid, status, WNOHANG) == pid)
			return EXITED;
		nanosleep(&tick, NULL);
	}
	return TOO_SLOW;
}

/* --transport tcp: the target in this process until Ctrl-C or SIGTERM. */
static int serve_tcp(const struct serve_args *a, const char *const *params)
{
	struct nvmf_opts o = {.params = params,
			      .listen_addr = a->listen ? a->listen : "127.0.0.1",
			      .port = (uint16_t)a->port,
			      .discovery_port = (uint16_t)a->discovery_port,
			      .nqn = a->nqn,
			      .stats_path = a->stats,
			      .stats_interval_ns = 1000000000ull,
			      .report = stdout};
	char err[512], *end;

	if (a->stats_interval) {
		double s = strtod(a->stats_interval, &end);

		if (*end || !(s >= 0.01 && s <= 86400)) {
			fprintf(stderr,
				"vssd: --stats-interval %s: expected seconds, 0.01 to 86400\n",
				a->stats_interval);
			return 2;
		}
		o.stats_interval_ns = (uint64_t)(s * 1e9);
	}
	if (nvmf_serve(&o, err, sizeof(err))) {
		fprintf(stderr, "vssd: %s\n", err);
		return 1;
	}
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	struct serve_args a = {0};
	char plugin[PATH_MAX], socket_buf[64], pidfile[64], port[16], err[512];
	char stats[PATH_MAX + 16], interval[64];
	const char *const *params, *nargv[CLI_MAX_SETS + 32];
	struct cli_params p;
	int n = 0, rc, status;
	pid_t pid;

	if ((rc = parse_serve_args(argc, argv, &a)))
		return rc < 0 ? 0 : rc;
	/* the device's parameters, as the plugin takes them */
	params = cli_device_params(&p, a.profile, a.sets, a.nsets, a.seed);
	if (vssd_check_params(params, err, sizeof(err))) {
		fprintf(stderr, "vssd: %s\n", err); /* before nbdkit starts, in vssd's words */
		return 1;
	}
	if (a.tcp)
		return serve_tcp(&a, params);
	if (!a.port && !a.socket) {
		snprintf(socket_buf, sizeof(socket_buf), "/tmp/vssd-%d.sock", (int)getpid());
		a.socket = socket_buf;
	}
	snprintf(pidfile, sizeof(pidfile), "/tmp/vssd-serve-%d.pid", (int)getpid());
	unlink(pidfile);

	nargv[n++] = "nbdkit";
	nargv[n++] = "--foreground";
	nargv[n++] = "--exit-with-parent";
	nargv[n++] = "--pidfile";
	nargv[n++] = pidfile;
	if (a.port) {
		snprintf(port, sizeof(port), "%ld", a.port);
		nargv[n++] = "--port";
		nargv[n++] = port;
		nargv[n++] = "--ipaddr";
		nargv[n++] = a.listen ? a.listen : "127.0.0.1";
	} else {
		nargv[n++] = "--unix";
		nargv[n++] = a.socket;
	}
	if (a.run) {
		nargv[n++] = "--run";
		nargv[n++] = a.run;
	}
	nargv[n++] = plugin_path(plugin, sizeof(plugin));
	for (const char *const *q = params; *q; q++)
		nargv[n++] = *q;
	if (a.stats) {
		snprintf(stats, sizeof(stats), "stats=%s", a.stats);
		nargv[n++] = stats;
	}
	if (a.stats_interval) {
		snprintf(interval, sizeof(interval), "stats_interval=%s", a.stats_interval);
		nargv[n++] = interval;
	}
	nargv[n] = NULL;

	if ((pid = fork()) < 0) {
		fprintf(stderr, "vssd: fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		execvp("nbdkit", (char *const *)nargv);
		fprintf(stderr, "vssd: cannot run nbdkit: %s (install Debian's nbdkit)\n",
			strerror(errno));
		_exit(127);
	}
	child_pid = pid;
	signal(SIGINT, forward_signal);
	signal(SIGTERM, forward_signal);
	signal(SIGHUP, forward_signal);
	rc = 0;
	switch (wait_ready(pid, pidfile, &status)) {
	case EXITED: /* nbdkit said why; it never served, so never a success */
		unlink(pidfile);
		return WIFEXITED(status) && WEXITSTATUS(status) ? WEXITSTATUS(status) : 1;
	case TOO_SLOW:
		fprintf(stderr, "vssd: nbdkit did not start listening within %d s\n",
			READY_TIMEOUT_S);
		kill(pid, SIGTERM);
		rc = 1;
		break;
	case STARTED:
		/* the URI alone on stdout, for scripts; the rest on stderr */
		if (a.port)
			printf("nbd://%s:%ld/\n", a.listen ? a.listen : "127.0.0.1", a.port);
		else
			printf("nbd+unix:///?socket=%s\n", a.socket);
		fflush(stdout);
		fprintf(stderr,
			"vssd: serving; exports \"\" and, with fdp=on, pid=N (nbdinfo --list "
			"URI); Ctrl-C stops\n");
		break;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	unlink(pidfile);
	if (rc)
		return rc;
	if (WIFSIGNALED(status))
		return WTERMSIG(status) == SIGINT || WTERMSIG(status) == SIGTERM
			       ? 0
			       : 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
