/*
 * The simulator behind include/vssd/sim.h: a device of its own (a
 * controller the simulated host sets up with admin commands), the job file,
 * and the finished run the reports are written from.
 */
#include "vssd/sim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/api_internal.h"
#include "report/report.h"
#include "runtime/sim.h"
#include "workload/job.h"
#include "workload/trace.h"
#include "workload/trace_stat.h"

#include <json-c/json.h>

struct vssd_sim {
	struct nvme_ctrl *ctrl;
	struct job_file jf;
	struct sim_result res;
	uint32_t powerloss_asked;
};

/* "at=TIME" or "after=N" into *p; false if it is neither. */
static bool parse_powerloss(const char *v, struct sim_powerloss *p)
{
	char *end;

	*p = (struct sim_powerloss){0};
	if (!strncmp(v, "at=", 3))
		return !job_parse_time_ns(v + 3, 1000000000ULL, &p->at_ns);
	if (strncmp(v, "after=", 6) || v[6] < '0' || v[6] > '9')
		return false;
	p->after_ios = strtoull(v + 6, &end, 10);
	return !*end && p->after_ios;
}

static int sim_options_of(const struct vssd_sim_options *in, uint64_t seed, struct sim_options *out,
			  char *err, size_t errlen)
{
	*out = (struct sim_options){.seed = seed};
	if (!in)
		return 0;
	out->progress = in->progress;
	out->sample_interval_ns = in->sample_interval_ns;
	for (const char *const *p = in->powerloss; p && *p; p++) {
		if (out->npowerloss == SIM_MAX_POWERLOSS) {
			snprintf(err, errlen, "more than %d powerloss cuts", SIM_MAX_POWERLOSS);
			return -EINVAL;
		}
		if (!parse_powerloss(*p, &out->powerloss[out->npowerloss++])) {
			snprintf(err, errlen,
				 "powerloss %s: expected at=TIME (a virtual time such "
				 "as 1.5s or 200ms) or after=N (host I/Os, N > 0)",
				 *p);
			return -EINVAL;
		}
	}
	return 0;
}

/* place_by_job: each job without placement options of its own writes
 * through the placement identifier of its index (mod the identifiers). */
static int place_by_job(struct job_file *jf, const struct vssd_config *cfg, char *err,
			size_t errlen)
{
	uint32_t nids = cfg->fdp_phndls.count ? cfg->fdp_phndls.count : config_nruh(cfg);

	if (!cfg->fdp) {
		snprintf(err, errlen, "placement by job needs fdp=on");
		return -EINVAL;
	}
	for (uint32_t j = 0; j < jf->njobs; j++) {
		struct job_spec *s = &jf->jobs[j];
		struct job_option_text *o = &s->opts[s->nopts];

		if (s->fdp)
			continue;
		s->fdp = true;
		s->plis[0] = (uint16_t)(j % nids);
		s->nplis = 1;
		if (s->nopts < MAX_OPTIONS) { /* said in the report as the job's */
			snprintf(o->key, sizeof(o->key), "plids");
			snprintf(o->value, sizeof(o->value), "%u (placement by job)", s->plis[0]);
			s->nopts++;
		}
	}
	return 0;
}

int vssd_sim_run(const char *const *params, const char *jobfile, const struct vssd_sim_options *opt,
		 struct vssd_sim **out, char *err, size_t errlen)
{
	struct vssd_config cfg;
	struct sim_options so;
	struct vssd_sim *sim;
	int rc;

	if (!params || !jobfile || !out) {
		snprintf(err, errlen, "vssd_sim_run: %s is NULL",
			 !params    ? "params"
			 : !jobfile ? "jobfile"
				    : "out");
		return -EINVAL;
	}
	if ((rc = libvssd_config_from_params(params, &cfg, err, errlen)) ||
	    (rc = sim_options_of(opt, cfg.seed, &so, err, errlen)))
		return rc;
	if (!(sim = calloc(1, sizeof(*sim))))
		return -ENOMEM;
	sim->powerloss_asked = so.npowerloss;
	if ((rc = job_file_load(jobfile, &sim->jf, err, errlen)) ||
	    (opt && opt->place_by_job && (rc = place_by_job(&sim->jf, &cfg, err, errlen)))) {
		job_file_free(&sim->jf);
		free(sim);
		return rc;
	}
	if ((rc = nvme_ctrl_create(&cfg, &sim->ctrl, err, errlen)) ||
	    (rc = sim_run(sim->ctrl, &sim->jf, &so, &sim->res, err, errlen))) {
		nvme_ctrl_destroy(sim->ctrl);
		job_file_free(&sim->jf);
		free(sim);
		return rc;
	}
	*out = sim;
	return 0;
}

int vssd_sim_report(const struct vssd_sim *sim, enum vssd_report_format format, FILE *out)
{
	if (!sim || !out)
		return -EINVAL;
	if (format == VSSD_REPORT_JSON || format == VSSD_REPORT_JSON_PLUS)
		return report_json(out, sim->ctrl->ns, &sim->res, format == VSSD_REPORT_JSON_PLUS);
	report_text(out, sim->ctrl->ns, &sim->res);
	return 0;
}

int vssd_sim_write_csv(const struct vssd_sim *sim, const char *dir, char *err, size_t errlen)
{
	if (!sim || !dir) {
		snprintf(err, errlen, "vssd_sim_write_csv: %s is NULL", !sim ? "sim" : "dir");
		return -EINVAL;
	}
	return report_csv(dir, &sim->res, err, errlen);
}

void vssd_sim_summary(const struct vssd_sim *sim, struct vssd_sim_summary *out)
{
	if (!sim || !out)
		return;
	*out = (struct vssd_sim_summary){
		.virtual_ns = sim->res.virtual_ns,
		.host_ios = sim->res.host_ios,
		.jobs = sim->res.njobs,
		.powerloss_asked = sim->powerloss_asked,
		.powerloss_done = sim->res.npowerloss,
	};
}

int vssd_sim_verify(const struct vssd_sim *sim, uint32_t job, struct vssd_sim_verify *out)
{
	const struct sim_job_result *r = sim && job < sim->res.njobs ? &sim->res.jobs[job] : NULL;

	if (!r || !out)
		return -EINVAL;
	*out = (struct vssd_sim_verify){
		.job = r->spec->name,
		.blocks = r->verify_blocks,
		.bad = r->verify_bad,
		.first_bad = r->verify_bad ? r->verify_first_bad : NULL,
	};
	return 0;
}

/* The namespace's capacity in bytes, of the device params describe. */
static int capacity_of(const char *const *params, uint64_t *bytes, char *err, size_t errlen)
{
	struct vssd_config cfg;
	struct nvme_ctrl *ctrl;
	int rc;

	if ((rc = libvssd_config_from_params(params, &cfg, err, errlen)))
		return rc;
	cfg.media = MEDIA_NONE; /* only its size: no device file is opened */
	cfg.path[0] = 0;
	if ((rc = nvme_ctrl_create(&cfg, &ctrl, err, errlen)))
		return rc;
	*bytes = dev_capacity_lbas(ctrl->ns) * ctrl->ns->geo.lba_bytes;
	nvme_ctrl_destroy(ctrl);
	return 0;
}

int vssd_trace_stat(const char *const *params, const char *path, const char *format,
		    const char *volume, int json, FILE *out, char *err, size_t errlen)
{
	struct trace_select sel = {format, volume != NULL, 0};
	struct trace_summary sum;
	struct trace t;
	uint64_t capacity;
	char *end;
	int rc;

	if (!params || !path || !out) {
		snprintf(err, errlen, "vssd_trace_stat: %s is NULL",
			 !params ? "params"
			 : !path ? "path"
				 : "out");
		return -EINVAL;
	}
	if (volume && ((sel.volume = strtoull(volume, &end, 10)), *end || !*volume)) {
		snprintf(err, errlen, "trace_volume=%s: expected a volume number", volume);
		return -EINVAL;
	}
	if ((rc = capacity_of(params, &capacity, err, errlen)) ||
	    (rc = trace_load_select(path, &sel, &t, err, errlen)))
		return rc;
	if (!(rc = trace_summarize(&t, capacity, &sum)) && json) {
		json_object *o = report_trace_json(t.format, &sum);

		fprintf(out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
		json_object_put(o);
	} else if (!rc) {
		report_trace_text(out, t.format, &sum, "");
	}
	trace_free(&t);
	return rc;
}

void vssd_sim_free(struct vssd_sim *sim)
{
	if (!sim)
		return;
	sim_result_free(&sim->res);
	nvme_ctrl_destroy(sim->ctrl);
	job_file_free(&sim->jf);
	free(sim);
}
