/*
 * `vssd sweep`: runs every point of a spec that has no report yet, then
 * merges them. A point's report is DIR/points/NNNNNN.json, written whole
 * or not at all (a run writes a .part file and renames it), so an
 * interrupted sweep resumes where it stopped. Executors: local (a process
 * per point on every core), slurm (an sbatch array, one task per point,
 * waited for with squeue and checked with sacct) and print (the commands
 * for GNU parallel or any other scheduler; run the sweep again to merge).
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runner.h"
#include "sweep.h"
#include "vssd/vssd.h"

enum executor { EXEC_LOCAL, EXEC_SLURM, EXEC_PRINT };

struct sweep_args {
	const char *spec, *out, *plot;
	enum executor exec;
	int jobs;
	char out_default[PATH_MAX];
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vssd sweep [--out DIR] [--executor local|slurm|print] [-j N]\n"
		"                  [--plot 'X=KEY Y=FIGURE [BY=KEY] [GROUP=N]'] SPEC\n\n"
		"Runs `vssd sim --json+` for every point of a grid (the SPEC's job files\n"
		"times every value of its axes) and merges the reports into DIR/results.csv\n"
		"(a row per point and group) and DIR/results.json. A point with a report\n"
		"in DIR is not run again: an interrupted sweep resumes.\n"
		"  --out DIR          where the points and results go (default SPEC.out)\n"
		"  --executor local   a process per point on every core (the default)\n"
		"  --executor slurm   an sbatch array, a task per point; waits, then merges\n"
		"  --executor print   prints a shell command per point (for GNU parallel);\n"
		"                     run the sweep again to merge\n"
		"  -j N               points at once with the local executor (default: cores)\n"
		"  --plot '...'       DIR/plot.png: FIGURE (waf, iops, mibs, write_p99_us, ...)\n"
		"                     against the axis X, a line per value of the axis BY,\n"
		"                     of stonewall group N (default the last), mean and\n"
		"                     standard deviation over the other axes (seeds)\n\n"
		"SPEC (INI):\n"
		"  [sweep]\n  job = a.fio, b.fio\n  profile = default\n"
		"  [set]\n  channels = 4\n"
		"  [axes]\n  op = 0.07, 0.15, 0.28\n  gc_policy = greedy, cost_benefit\n"
		"  seed = 1..5\n");
}

static int parse_args(int argc, char **argv, struct sweep_args *a)
{
	static const struct option longopts[] = {
		{"out", required_argument, 0, 'o'},
		{"executor", required_argument, 0, 'e'},
		{"plot", required_argument, 0, 'P'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	int c;

	a->jobs = run_cpus();
	while ((c = getopt_long(argc, argv, "o:e:P:j:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': a->out = optarg; break;
		case 'P': a->plot = optarg; break;
		case 'e':
			if (!strcmp(optarg, "local") || !strcmp(optarg, "slurm") ||
			    !strcmp(optarg, "print")) {
				a->exec = optarg[0] == 'l'   ? EXEC_LOCAL
					  : optarg[0] == 's' ? EXEC_SLURM
							     : EXEC_PRINT;
				break;
			}
			fprintf(stderr,
				"vssd sweep: --executor %s: expected local, slurm or print\n",
				optarg);
			return 2;
		case 'j':
			if ((a->jobs = atoi(optarg)) < 1) {
				fprintf(stderr, "vssd sweep: -j %s: expected a number >= 1\n",
					optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); return -1;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "vssd sweep: expected one SPEC\n");
		usage(stderr);
		return 2;
	}
	a->spec = argv[optind];
	if (!a->out) {
		snprintf(a->out_default, sizeof(a->out_default), "%s.out", a->spec);
		a->out = a->out_default;
	}
	return 0;
}

/* Every point's parameters as a device takes them, before anything runs:
 * the first point that cannot be built is named. Returns 0 or 2. */
static int check_points(const struct sweep_spec *s)
{
	char err[512], profile[PATH_MAX + 16];

	snprintf(profile, sizeof(profile), "profile=%s", s->profile);
	for (size_t i = 0; i < s->npoints; i++) {
		char **argv = sweep_argv(s, i);
		const char *params[CLI_MAX_SETS + SWEEP_MAX_AXES + 4];
		int n = 0, rc;

		if (s->profile[0])
			params[n++] = profile;
		for (int k = 3; argv[k + 1]; k++) /* past "sim --json+": every --set's pair */
			if (!strcmp(argv[k], "--set"))
				params[n++] = argv[++k];
		params[n] = NULL;
		rc = vssd_check_params(params, err, sizeof(err));
		free(argv);
		if (rc) {
			fprintf(stderr, "vssd sweep: %s: point %zu cannot be built:", s->path, i);
			for (int k = 0; k < n; k++)
				fprintf(stderr, " %s", params[k]);
			fprintf(stderr, ": %s\n", err);
			return 2;
		}
	}
	return 0;
}

/* DIR/points.tsv: each point's job and axis values, a line each. A sweep
 * resumed in a DIR that holds another spec's points is refused. */
static int manifest(const struct sweep_spec *s, const char *dir)
{
	char path[PATH_MAX + 32], *text = NULL, *old = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len), *f;
	int rc = 0;

	for (size_t i = 0; m && i < s->npoints; i++) {
		int job, value[SWEEP_MAX_AXES];

		sweep_point(s, i, &job, value);
		fprintf(m, "%06zu\tjob=%s", i, s->jobs[job]);
		for (int a = 0; a < s->naxes; a++)
			fprintf(m, "\t%s", s->axes[a].pairs[value[a]]);
		fprintf(m, "\n");
	}
	if (!m || fclose(m))
		return 2;
	snprintf(path, sizeof(path), "%s/points.tsv", dir);
	if ((f = fopen(path, "r"))) {
		old = calloc(1, len + 2);
		if (!old || fread(old, 1, len + 1, f) != len || memcmp(old, text, len)) {
			fprintf(stderr,
				"vssd sweep: %s holds the points of another spec (%s differs); "
				"use another --out\n",
				dir, path);
			rc = 2;
		}
		fclose(f);
	} else if (!(f = fopen(path, "w")) || fputs(text, f) < 0 || fclose(f)) {
		fprintf(stderr, "vssd sweep: %s: %s\n", path, strerror(errno));
		rc = 2;
	}
	free(old);
	free(text);
	return rc;
}

/* Whether point i has its report (whole: it parses). */
static int point_done(const char *dir, size_t i)
{
	char path[PATH_MAX + 32];
	json_object *o;

	sweep_point_path(dir, i, path, sizeof(path));
	if (access(path, R_OK) || !(o = json_object_from_file(path)))
		return 0;
	json_object_put(o);
	return 1;
}

int cmd_sweep(int argc, char **argv)
{
	struct sweep_args a = {0};
	struct sweep_spec s;
	struct sweep_plot plot;
	char points[PATH_MAX + 16];
	size_t *todo, n = 0;
	int rc = parse_args(argc, argv, &a);

	if (rc)
		return rc < 0 ? 0 : rc;
	if ((rc = sweep_spec_read(a.spec, &s)) || (rc = check_points(&s)) ||
	    (a.plot && (rc = sweep_plot_parse(a.plot, &s, &plot))))
		goto out;
	snprintf(points, sizeof(points), "%s/points", a.out);
	if ((mkdir(a.out, 0777) && errno != EEXIST) || (mkdir(points, 0777) && errno != EEXIST)) {
		fprintf(stderr, "vssd sweep: --out %s: %s\n", a.out, strerror(errno));
		rc = 1;
		goto out;
	}
	if ((rc = manifest(&s, a.out)) || !(todo = calloc(s.npoints + 1, sizeof(*todo))))
		goto out;
	for (size_t i = 0; i < s.npoints; i++)
		if (!point_done(a.out, i))
			todo[n++] = i;
	if (a.exec == EXEC_PRINT) {
		for (size_t i = 0; i < n; i++)
			sweep_point_command(stdout, &s, a.out, todo[i]);
		fprintf(stderr,
			"vssd sweep: %zu of %zu points to run; run the sweep again to merge\n", n,
			s.npoints);
	} else {
		if (n < s.npoints)
			fprintf(stderr, "vssd sweep: %zu of %zu points done already\n",
				s.npoints - n, s.npoints);
		rc = a.exec == EXEC_SLURM ? sweep_run_slurm(&s, a.out, todo, n)
					  : sweep_run_local(&s, a.out, todo, n, a.jobs);
		if (!rc)
			rc = sweep_merge(&s, a.out, a.plot ? &plot : NULL);
	}
	free(todo);
out:
	sweep_spec_free(&s);
	return rc;
}
