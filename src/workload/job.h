/*
 * A job as fio's job file describes it, after [global] defaults and numjobs
 * have been applied: what to do (rw, bs, region, amount, depth, randomness,
 * timing) or which trace to replay. Sizes that fio lets you give as a
 * percentage of the device are kept as such until the device is known.
 */
#ifndef VSSD_WORKLOAD_JOB_H
#define VSSD_WORKLOAD_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum io_dir { DIR_READ, DIR_WRITE, DIR_TRIM, DIR_FLUSH, NDIR_STATS = 3 };

enum rw_kind { RW_READ, RW_WRITE, RW_TRIM, RW_MIX };

enum dist_kind { DIST_UNIFORM, DIST_ZIPF, DIST_PARETO, DIST_ZONED };

#define MAX_ZONES 16
#define MAX_PLIS 128
#define MAX_OPTIONS 48

struct size_value {
	bool set;
	bool is_pct;
	double pct; /* of the device's logical capacity */
	uint64_t bytes;
};

struct zone {
	double access_pct;
	double range_pct;
};

struct job_option_text {
	char key[32];
	char value[96];
};

struct job_spec {
	char name[64];
	int group; /* stonewall group, in run order */
	bool stonewall;
	enum rw_kind rw;
	bool random;
	uint32_t rwmixread; /* percent of reads in a mix */
	uint64_t bs;
	struct size_value size, offset, io_size;
	uint64_t number_ios;
	uint64_t loops;
	uint32_t iodepth;
	uint32_t numjobs;
	bool norandommap;
	enum dist_kind dist;
	double dist_param; /* zipf theta or pareto h */
	struct zone zones[MAX_ZONES];
	uint32_t nzones;
	uint64_t randseed;
	bool randseed_set;
	bool time_based;
	uint64_t runtime_ns;
	uint64_t thinktime_ns;
	/* flexible data placement: writes carry placement identifiers */
	bool fdp;
	uint16_t plis[MAX_PLIS]; /* indices into the device's handles; none = all */
	uint32_t nplis;
	bool pli_random; /* plid_select=random; else roundrobin */
	/* verify=crc32c: writes stamp each block, a verify phase (do_verify)
	 * reads them back after the writes; verify_fatal stops at the first bad one */
	bool verify, do_verify, verify_fatal;
	/* continue_on_error: the directions (1 << DIR_*) whose failed
	 * commands are counted and the job goes on; others end the run */
	uint8_t continue_on_error;
	char read_iolog[256];
	bool replay_no_stall;
	/* fio's replay options: timestamps scaled to this percent of the
	 * trace's rate (200: twice as fast), offsets divided by replay_scale
	 * then aligned down to replay_align (a power of 2; 0: as they are),
	 * and the request kinds replay_skip names (bit per enum io_dir) left out */
	uint32_t replay_time_scale;
	uint64_t replay_scale, replay_align;
	uint8_t replay_skip;
	/* which reader (empty: told from the contents) and, for a trace of
	 * several volumes, the one replayed */
	enum past_end { PAST_END_ERROR, PAST_END_WRAP, PAST_END_SKIP } replay_past_end;
	char trace_format[16];
	bool trace_volume_set;
	uint64_t trace_volume;
	/* zonemode=zbd on a zoned namespace: writes at each zone's write
	 * pointer, as fio does (sim_zbd.c); zonesize and zonecapacity, when
	 * given, must be the device's (bytes); 0 limits: the device's */
	struct zbd_opts {
		bool on;
		uint64_t zonesize, zonecap;
		uint32_t max_open, job_max_open;
		double reset_threshold, reset_frequency; /* fio's zrt and zrf */
		bool append;				 /* vssd's: writes as Zone Append */
		uint64_t zoneskip; /* bytes a sequential job skips after a full zone */
	} zbd;
	/* the options as written, for the report's "job options" */
	struct job_option_text opts[MAX_OPTIONS];
	uint32_t nopts;
};

struct job_file {
	struct job_spec *jobs;
	uint32_t njobs;
	uint32_t ngroups;
};

/* Sets fio's defaults. */
void job_spec_defaults(struct job_spec *spec);

/*
 * Applies one option (fio's name and value) to spec. Returns 0, or -EINVAL
 * with a message naming the option and value, or -ENOTSUP for an option the
 * simulator does not implement.
 */
int job_option_apply(struct job_spec *spec, const char *key, const char *value, char *err,
		     size_t errlen);

/* A time as fio writes one ("1.5s", "200ms"); a bare number is in
 * default_unit_ns. Returns 0 or -EINVAL. */
int job_parse_time_ns(const char *v, uint64_t default_unit_ns, uint64_t *out);

/* Parses a job file. Returns 0 or a negative errno with "FILE:LINE: message". */
int job_file_load(const char *path, struct job_file *out, char *err, size_t errlen);

/* Parses a job file held in memory (name is used in messages). */
int job_file_parse(const char *text, const char *name, struct job_file *out, char *err,
		   size_t errlen);

void job_file_free(struct job_file *jf);

/* Resolves a size against the device's logical capacity in bytes. */
uint64_t size_value_bytes(const struct size_value *v, uint64_t capacity_bytes);

#endif
