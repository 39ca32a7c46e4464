/*
 * The simulator: runs a job file against an NVMe controller in virtual
 * time. It is the host: each job has its own I/O queue pair, created with
 * admin commands, and every I/O is an NVMe command (split at MDTS as a
 * driver does) submitted through the SQ and reaped from the CQ. Events
 * (the controller's due completions and the jobs' own timed submissions)
 * are taken in time order; the clock jumps from one to the next, so nothing
 * waits. Stonewall groups run one after another on the same device.
 */
#ifndef VSSD_RUNTIME_SIM_H
#define VSSD_RUNTIME_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/device.h"
#include "host/pblk/pblk.h"
#include "host/zftl/zftl.h"
#include "nvme/ctrl.h"
#include "stats/histogram.h"
#include "vssd/sim.h"
#include "workload/job.h"
#include "workload/trace_stat.h"

/* One interval of the time series; index 0 reads, 1 writes. */
#define SIM_SAMPLE_PCTS 3 /* p50, p99, p99.9 */

struct sim_sample {
	uint64_t t_ns; /* end of the interval */
	uint64_t bytes[2];
	uint64_t ios[2];
	double lat_sum_ns[2];
	uint64_t lat_max_ns[2];
	uint64_t lat_pct_ns[2][SIM_SAMPLE_PCTS]; /* of the interval's I/Os (when ios) */
	struct dev_counters dev;		 /* at t_ns, the stack's (sim_counters) */
};

struct sim_job_result {
	const struct job_spec *spec;
	struct lat_stats dir[NDIR_STATS]; /* read, write, trim */
	struct lat_stats flush;
	uint64_t start_ns, end_ns;
	/* verify=crc32c: blocks read back and checked, those bad, the first's story */
	uint64_t verify_blocks, verify_bad;
	char verify_first_bad[200];
	/* continue_on_error: commands that failed and were counted, the first's story */
	uint64_t errors;
	char first_error[160];
	/* read_iolog: what the trace holds, as its replay options shape it */
	const char *trace_format;
	struct trace_summary trace;
};

/* Counters have one meaning whatever the FTL: the stack's, the workload's
 * I/O against all the media writes it caused and the GC of whichever FTL
 * collects (sim_counters). With a host FTL (pblk) the device's own are
 * kept beside them. */
struct sim_group_result {
	int groupid;
	double wall_s;
	uint64_t start_ns, end_ns;
	struct dev_counters before, after;		 /* the stack's */
	struct dev_counters device_before, device_after; /* the device's own */
	/* fdp=on: each reclaim unit handle's counters at its start and end */
	struct ftl_ruh_stats *ruh_before, *ruh_after;
	uint32_t nruh;
};

#define SIM_MAX_POWERLOSS VSSD_SIM_MAX_POWERLOSS

/* A power cut the options ask for: at a virtual time, or once this many
 * host I/Os have been issued (at the next event after the count). */
struct sim_powerloss {
	uint64_t at_ns; /* when after_ios is 0 */
	uint64_t after_ios;
};

/* A power cut as it happened: what was lost and how the device recovered. */
struct sim_powerloss_result {
	uint64_t t_ns;	   /* virtual time of the cut */
	uint64_t host_ios; /* issued before it */
	uint64_t ios_lost; /* in flight: they never complete */
	struct ftl_recovery recovery;
	struct pblk_stats pblk; /* ftl=pblk: what pblk recovered */
};

struct sim_result {
	struct sim_job_result *jobs;
	uint32_t njobs;
	struct sim_group_result *groups;
	uint32_t ngroups;
	double wall_s;
	uint64_t virtual_ns;
	uint64_t host_ios;
	struct dev_counters final;	  /* the stack's, at the end */
	struct dev_counters final_device; /* the device's own (has_pblk) */
	struct sim_sample *samples;	  /* when sample_interval_ns was set */
	uint32_t nsamples;
	uint64_t sample_interval_ns;
	bool real_time; /* a served device: its clock is the wall clock */
	struct sim_powerloss_result powerloss[SIM_MAX_POWERLOSS];
	uint32_t npowerloss;
	struct ftl_recovery opened; /* how the device came up from its media, if it did */
	bool has_pblk;		    /* ftl=pblk: the jobs wrote through pblk */
	struct pblk_stats pblk;	    /* at the end */
	bool has_zftl;		    /* ftl=zns-host: the jobs wrote through zftl */
	struct zftl_stats zftl;	    /* at the end */
};

struct sim_options {
	uint64_t seed;
	bool progress;		     /* a progress line on stderr */
	uint64_t sample_interval_ns; /* time series every this many virtual ns; 0 = none */
	/* power cuts: the device drops what is volatile and recovers from its
	 * media; I/Os in flight are lost and the jobs go on (needs a store that
	 * keeps data) */
	struct sim_powerloss powerloss[SIM_MAX_POWERLOSS];
	uint32_t npowerloss;
};

/*
 * Runs every group of jf on the controller's namespace; the controller must
 * be new (not enabled): the simulator sets up its queues. Returns 0 with results in *res (free with
 * sim_result_free), or a negative errno with a message in err.
 */
int sim_run(struct nvme_ctrl *ctrl, const struct job_file *jf, const struct sim_options *opt,
	    struct sim_result *res, char *err, size_t errlen);
void sim_result_free(struct sim_result *res);

#endif
