/*
 * A sweep's results: every point's report into one CSV (a row per point
 * and stonewall group, the job and axes as columns, then the figures) and
 * one JSON file; and --plot's classic curve, a figure against an axis, a
 * line per value of another, mean and standard deviation over the rest.
 */
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_figures.h"
#include "sweep.h"

static json_object *load_point(const char *dir, size_t i)
{
	char path[PATH_MAX + 32];
	json_object *o;

	sweep_point_path(dir, i, path, sizeof(path));
	if (!(o = json_object_from_file(path)))
		fprintf(stderr, "vssd sweep: point %zu: %s is missing or not whole\n", i, path);
	return o;
}

static const char *job_name(const struct sweep_spec *s, int job)
{
	const char *slash = strrchr(s->jobs[job], '/');

	return slash ? slash + 1 : s->jobs[job];
}

static void csv_header(FILE *f, const struct sweep_spec *s)
{
	fprintf(f, "point,job");
	for (int a = 0; a < s->naxes; a++)
		fprintf(f, ",%s", s->axes[a].key);
	fprintf(f, ",group");
	for (int k = 0; k < NFIG; k++)
		fprintf(f, ",%s", figures[k].key);
	fprintf(f, ",host_write_bytes,media_write_bytes\n");
}

static void csv_rows(FILE *f, const struct sweep_spec *s, size_t i, json_object *report)
{
	int job, value[SWEEP_MAX_AXES];

	sweep_point(s, i, &job, value);
	for (int g = 0; g < report_groups(report); g++) {
		json_object *grp = json_object_array_get_idx(json_at(report, "groups"), (size_t)g);
		double fig[NFIG];

		group_figures(report, g, fig);
		fprintf(f, "%zu,%s", i, job_name(s, job));
		for (int a = 0; a < s->naxes; a++)
			fprintf(f, ",%s", s->axes[a].values[value[a]]);
		fprintf(f, ",%d", g);
		for (int k = 0; k < NFIG; k++)
			if (isnan(fig[k]))
				fprintf(f, ",");
			else
				fprintf(f, ",%.6g", fig[k]);
		fprintf(f, ",%.0f,%.0f\n", json_num(grp, "device.host_write_bytes"),
			json_num(grp, "device.media_write_bytes"));
	}
}

static json_object *point_object(const struct sweep_spec *s, size_t i, json_object *report)
{
	json_object *o = json_object_new_object(), *params = json_object_new_object();
	int job, value[SWEEP_MAX_AXES];

	sweep_point(s, i, &job, value);
	json_object_object_add(o, "point", json_object_new_int64((int64_t)i));
	json_object_object_add(o, "job", json_object_new_string(s->jobs[job]));
	for (int a = 0; a < s->naxes; a++)
		json_object_object_add(params, s->axes[a].key,
				       json_object_new_string(s->axes[a].values[value[a]]));
	json_object_object_add(o, "params", params);
	json_object_object_add(o, "report", report);
	return o;
}

int sweep_plot_parse(const char *text, const struct sweep_spec *s, struct sweep_plot *p)
{
	char *copy = strdup(text), *save = NULL;
	int ok = copy != NULL;

	*p = (struct sweep_plot){.group = -1};
	for (char *w = strtok_r(copy, " ", &save); ok && w; w = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(w, '=');

		ok = eq && eq[1];
		if (ok && !strncmp(w, "X=", 2))
			snprintf(p->x, sizeof(p->x), "%s", eq + 1);
		else if (ok && !strncmp(w, "Y=", 2))
			snprintf(p->y, sizeof(p->y), "%s", eq + 1);
		else if (ok && !strncmp(w, "BY=", 3))
			snprintf(p->by, sizeof(p->by), "%s", eq + 1);
		else if (ok && !strncmp(w, "GROUP=", 6))
			p->group = atoi(eq + 1);
		else
			ok = 0;
	}
	free(copy);
	for (int k = 0, fig = 0; ok && k <= NFIG; k++) {
		if (k == NFIG) {
			ok = fig;
			break;
		}
		fig |= !strcmp(figures[k].key, p->y);
	}
	if (ok) {
		int x = !strcmp(p->x, "job"), by = !p->by[0] || !strcmp(p->by, "job");

		for (int a = 0; a < s->naxes; a++) {
			x |= !strcmp(s->axes[a].key, p->x);
			by |= !strcmp(s->axes[a].key, p->by);
		}
		ok = x && by;
	}
	if (ok)
		return 0;
	fprintf(stderr,
		"vssd sweep: --plot '%s': expected X=AXIS Y=FIGURE [BY=AXIS] [GROUP=N], the axes "
		"among the spec's (or job), FIGURE one of waf, iops, mibs, write_p50_us, "
		"write_p99_us, write_p99.9_us, read_p50_us, read_p99_us, read_p99.9_us, "
		"gc_copies, erases\n",
		text);
	return 2;
}

int sweep_merge(const struct sweep_spec *s, const char *dir, const struct sweep_plot *plot)
{
	char path[PATH_MAX + 32];
	json_object **reports = calloc(s->npoints + 1, sizeof(*reports));
	json_object *root = json_object_new_object(), *points = json_object_new_array();
	FILE *csv;
	int rc = 0;

	json_object_object_add(root, "spec", json_object_new_string(s->path));
	json_object_object_add(root, "points", points);
	for (size_t i = 0; reports && i < s->npoints; i++)
		rc |= !(reports[i] = load_point(dir, i));
	snprintf(path, sizeof(path), "%s/results.csv", dir);
	if (rc || !reports || !(csv = fopen(path, "w"))) {
		rc = 1;
		goto out;
	}
	csv_header(csv, s);
	for (size_t i = 0; i < s->npoints; i++) {
		csv_rows(csv, s, i, reports[i]);
		json_object_array_add(points, point_object(s, i, json_object_get(reports[i])));
	}
	fclose(csv);
	snprintf(path, sizeof(path), "%s/results.json", dir);
	if (json_object_to_file_ext(path, root, JSON_C_TO_STRING_PRETTY)) {
		fprintf(stderr, "vssd sweep: %s: cannot write it\n", path);
		rc = 1;
	}
	if (!rc && plot)
		rc = sweep_plot_draw(s, dir, plot, reports);
	if (!rc)
		fprintf(stderr, "vssd sweep: %zu points: %s/results.csv, %s/results.json%s%s\n",
			s->npoints, dir, dir, plot ? ", plot.png in " : "", plot ? dir : "");
out:
	for (size_t i = 0; reports && i < s->npoints; i++)
		json_object_put(reports[i]);
	free(reports);
	json_object_put(root);
	return rc;
}
