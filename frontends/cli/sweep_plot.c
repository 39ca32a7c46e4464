/*
 * --plot: a figure of the sweep's points against one axis, a line per
 * value of another, each dot the mean over the points that differ in the
 * other axes (the seeds) with their standard deviation as its error bar.
 * The data go to DIR/plot.dat (a block per line, gnuplot's index), the
 * picture to DIR/plot.png.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_figures.h"
#include "sweep.h"

/* An axis by key: its index, SWEEP_MAX_AXES for "job", -1 for none. */
static int axis_of(const struct sweep_spec *s, const char *key)
{
	if (!key[0])
		return -1;
	if (!strcmp(key, "job"))
		return SWEEP_MAX_AXES;
	for (int a = 0; a < s->naxes; a++)
		if (!strcmp(s->axes[a].key, key))
			return a;
	return -1;
}

static int values_of(const struct sweep_spec *s, int axis)
{
	return axis < 0 ? 1 : axis == SWEEP_MAX_AXES ? s->njobs : s->axes[axis].n;
}

static const char *value_name(const struct sweep_spec *s, int axis, int v)
{
	if (axis < 0)
		return "all";
	if (axis == SWEEP_MAX_AXES) {
		const char *slash = strrchr(s->jobs[v], '/');

		return slash ? slash + 1 : s->jobs[v];
	}
	return s->axes[axis].values[v];
}

/* Point i's value index on axis. */
static int point_value(const struct sweep_spec *s, size_t i, int axis)
{
	int job, value[SWEEP_MAX_AXES];

	sweep_point(s, i, &job, value);
	return axis < 0 ? 0 : axis == SWEEP_MAX_AXES ? job : value[axis];
}

static int numeric_axis(const struct sweep_spec *s, int axis)
{
	for (int v = 0; v < values_of(s, axis); v++) {
		char *end;

		strtod(value_name(s, axis, v), &end);
		if (*end || end == value_name(s, axis, v))
			return 0;
	}
	return 1;
}

struct cell {
	double n, sum, sumsq;
};

/* plot.dat: a block per BY value, a line per X value: x, mean, stdev. */
static int write_data(const struct sweep_spec *s, const char *path, int xa, int ba, int fig,
		      int group, json_object *const *reports)
{
	int nx = values_of(s, xa), nb = values_of(s, ba), numeric = numeric_axis(s, xa);
	struct cell *c = calloc((size_t)(nx * nb), sizeof(*c));
	FILE *f = fopen(path, "w");

	if (!c || !f) {
		free(c);
		if (f)
			fclose(f);
		return -1;
	}
	for (size_t i = 0; i < s->npoints; i++) {
		double figs[NFIG];
		int g = group < 0 ? report_groups(reports[i]) - 1 : group;
		struct cell *k = &c[point_value(s, i, ba) * nx + point_value(s, i, xa)];

		group_figures(reports[i], g, figs);
		if (isnan(figs[fig]))
			continue;
		k->n++;
		k->sum += figs[fig];
		k->sumsq += figs[fig] * figs[fig];
	}
	for (int b = 0; b < nb; b++) {
		for (int x = 0; x < nx; x++) {
			const struct cell *k = &c[b * nx + x];
			double mean = k->n ? k->sum / k->n : NAN;
			double var = k->n > 1 ? (k->sumsq - k->n * mean * mean) / (k->n - 1) : 0;

			if (!k->n)
				continue;
			if (numeric)
				fprintf(f, "%s", value_name(s, xa, x));
			else
				fprintf(f, "%d", x);
			fprintf(f, " %.6g %.6g %s\n", mean, var > 0 ? sqrt(var) : 0,
				value_name(s, xa, x));
		}
		fprintf(f, "\n\n");
	}
	free(c);
	return fclose(f);
}

int sweep_plot_draw(const struct sweep_spec *s, const char *dir, const struct sweep_plot *p,
		    json_object *const *reports)
{
	char data[PATH_MAX + 16];
	int xa = axis_of(s, p->x), ba = axis_of(s, p->by), fig = 0, numeric;
	FILE *gp;

	while (strcmp(figures[fig].key, p->y))
		fig++;
	snprintf(data, sizeof(data), "%s/plot.dat", dir);
	if (write_data(s, data, xa, ba, fig, p->group, reports)) {
		fprintf(stderr, "vssd sweep: %s: cannot write it\n", data);
		return 1;
	}
	if (system("command -v gnuplot >/dev/null 2>&1")) {
		fprintf(stderr, "vssd sweep: gnuplot is not installed: %s has the data, no plot\n",
			data);
		return 0;
	}
	if (!(gp = popen("gnuplot", "w")))
		return 1;
	numeric = numeric_axis(s, xa);
	fprintf(gp,
		"set terminal pngcairo size 900,550 noenhanced; set output '%s/plot.png'\n"
		"set grid; set key outside\nset xlabel '%s'; set ylabel '%s'\n"
		"set title \"%s against %s%s%s\\n(mean and standard deviation over the other "
		"axes; ",
		dir, p->x, p->y, p->y, p->x, p->by[0] ? ", by " : "", p->by);
	if (p->group < 0)
		fprintf(gp, "the last group)\"\n");
	else
		fprintf(gp, "group %d)\"\n", p->group);
	fprintf(gp, "plot ");
	for (int b = 0; b < values_of(s, ba); b++)
		fprintf(gp, "%s'%s' index %d using %s with yerrorlines title '%s%s%s'",
			b ? ", " : "", data, b, numeric ? "1:2:3" : "1:2:3:xticlabels(4)",
			p->by[0] ? p->by : "", p->by[0] ? "=" : "", value_name(s, ba, b));
	fprintf(gp, "\n");
	if (pclose(gp)) {
		fprintf(stderr, "vssd sweep: gnuplot failed to draw %s/plot.png\n", dir);
		return 1;
	}
	return 0;
}
