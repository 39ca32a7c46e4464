/*
 * Speed and memory of the full emulator on steady-state 4 KiB uniform random
 * writes (media=none, timing on), against the bare greedy-GC loop on the
 * same geometry in the same run. Prints media unit writes per wall second,
 * the ratio to the baseline, and RAM per 4 KiB of emulated capacity.
 *
 * usage: bench_speed [LOGICAL_GIB [MEASURE_PCT [vssd|bare|both [KEY=VALUE...]]]]
 * (with fdp=on among the settings, the job's writes carry placement ID 0)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bare_gc.h"
#include "core/device.h"
#include "nvme/ctrl.h"
#include "runtime/sim.h"
#include "workload/job.h"

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			kib = strtol(line + 6, NULL, 10);
	if (f)
		fclose(f);
	return kib;
}

/* A 970 PRO-like array (16 dies, 32 KiB pages), sized for the logical capacity. */
static struct nvme_ctrl *bench_ctrl(double logical_gib, char **extra, int nextra)
{
	struct vssd_config cfg;
	struct nvme_ctrl *ctrl = NULL;
	char err[512], blocks[32];
	uint64_t line_bytes = 16ULL * 256 * 32768;
	uint64_t lines = (uint64_t)(logical_gib * 1.28 * (1ULL << 30) / line_bytes) + 1;

	config_defaults(&cfg);
	if (config_load_profile(&cfg, "nvmevirt_970pro", err, sizeof(err)))
		goto fail;
	snprintf(blocks, sizeof(blocks), "%llu", (unsigned long long)lines);
	if (config_set(&cfg, "blocks_per_plane", blocks, err, sizeof(err)) ||
	    config_set(&cfg, "op", "0.28", err, sizeof(err)) ||
	    config_set(&cfg, "lba_bytes", "4096", err, sizeof(err)) ||
	    config_set(&cfg, "media", "none", err, sizeof(err)))
		goto fail;
	for (int i = 0; i < nextra; i++)
		if (config_set_pair(&cfg, extra[i], err, sizeof(err)))
			goto fail;
	if (nvme_ctrl_create(&cfg, &ctrl, err, sizeof(err)))
		goto fail;
	return ctrl;
fail:
	fprintf(stderr, "bench: %s\n", err);
	exit(1);
}

int main(int argc, char **argv)
{
	double gib = argc > 1 ? atof(argv[1]) : 64, measure_pct = argc > 2 ? atof(argv[2]) : 100;
	const char *mode = argc > 3 ? argv[3] : "both";
	long rss0 = rss_kib();
	struct nvme_ctrl *ctrl = bench_ctrl(gib, argv + 4, argc > 4 ? argc - 4 : 0);
	struct vssd_dev *dev = ctrl->ns;
	const struct geometry *geo = &dev->geo;
	double vssd_rate = 0, bare_rate = 0;
	char jobs[512], err[512];

	printf("device: %.1f GiB logical, %.1f GiB physical, %u lines of %u units, op 0.28, "
	       "media=none, timing on\n",
	       (double)geo->logical_units / 262144.0, (double)geo->physical_units / 262144.0,
	       geo->lines, geo->units_per_line);
	if (strcmp(mode, "bare")) {
		struct job_file jf;
		struct sim_result res;
		struct sim_options opt = {.seed = 1};
		const struct sim_group_result *g;
		uint64_t media, host;
		long rss1;

		snprintf(jobs, sizeof(jobs),
			 "[global]\nbs=4k\niodepth=32\nnorandommap\n%s"
			 "[fill]\nrw=write\nbs=1m\n"
			 "[warm]\nstonewall\nrw=randwrite\nio_size=200%%\n"
			 "[measure]\nstonewall\nrw=randwrite\nio_size=%g%%\n",
			 ctrl->cfg.fdp ? "fdp=1\nfdp_pli=0\n" : "", measure_pct);
		if (job_file_parse(jobs, "bench", &jf, err, sizeof(err)) ||
		    sim_run(ctrl, &jf, &opt, &res, err, sizeof(err))) {
			fprintf(stderr, "bench: %s\n", err);
			return 1;
		}
		rss1 = rss_kib();
		g = &res.groups[2];
		media = (g->after.media_write_bytes - g->before.media_write_bytes) / 4096;
		host = (g->after.host_write_bytes - g->before.host_write_bytes) / 4096;
		vssd_rate = (double)media / g->wall_s;
		printf("vssd:  %.2f M media unit writes/s, %.2f M host writes/s, WAF %.3f "
		       "(%llu host writes in %.2f s wall)\n",
		       vssd_rate / 1e6, (double)host / g->wall_s / 1e6,
		       (double)media / (double)host, (unsigned long long)host, g->wall_s);
		printf("memory: %.2f bytes of RAM per 4 KiB of physical capacity (RSS growth "
		       "%.1f MiB; tables %.1f MiB)\n",
		       (double)(rss1 - rss0) * 1024 / (double)geo->physical_units,
		       (double)(rss1 - rss0) / 1024, (double)dev_metadata_bytes(dev) / (1 << 20));
		sim_result_free(&res);
		job_file_free(&jf);
	}
	if (strcmp(mode, "vssd")) {
		uint64_t media, logical = geo->logical_units;
		double secs =
			bare_gc_run(geo->lines, geo->units_per_line, logical, 2 * logical,
				    (uint64_t)((double)logical * measure_pct / 100), 1, &media);

		bare_rate = (double)media / secs;
		printf("bare:  %.2f M media unit writes/s (greedy page map, no timing, no "
		       "events)\n",
		       bare_rate / 1e6);
	}
	if (vssd_rate > 0 && bare_rate > 0)
		printf("ratio: vssd / bare = %.3f\n", vssd_rate / bare_rate);
	nvme_ctrl_destroy(ctrl);
	return 0;
}
