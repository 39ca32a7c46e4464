/*
 * Inside the simulator (src/runtime/sim*.c): the state of one run, shared
 * by the event loop (sim.c), the simulated host (sim_host.c), the data and
 * verify (sim_data.c), a host FTL's transport (sim_host_ftl.c), power cuts
 * (sim_cut.c) and sampling and progress (sim_sample.c).
 */
#ifndef VSSD_RUNTIME_SIM_INTERNAL_H
#define VSSD_RUNTIME_SIM_INTERNAL_H

#include <time.h>

#include "host/pblk/pblk.h"
#include "host/zftl/zftl.h"
#include "nvme/host_qp.h"
#include "runtime/sim.h"
#include "util/heap.h"
#include "workload/generator.h"
#include "workload/verify.h"

/* A host FTL's commands (pblk's, zftl's) go on a queue pair of their own,
 * the last one, so the jobs have one fewer. */
#define HOST_FTL_QID (NVME_MAX_QUEUES - 1)
#define HOST_FTL_QUEUE_ENTRIES 128

/* I/Os generated ahead of their submission; the sequence is the same. Three,
 * so the map prefetch of an I/O (next_io) is a call ahead of its second
 * stage, which reads that map entry: with two it read it at once. */
#define LOOKAHEAD 3
#define ADMIN_ENTRIES 16
#define MAX_QUEUE_ENTRIES (NVME_MQES + 1)

/* A job's timed submission (at its start, after a thinktime, at a trace
 * record's timestamp); seq breaks ties in the order they were made. */
struct event {
	uint64_t t_ns;
	uint64_t seq;
	uint32_t job;
	uint8_t kind; /* enum event_kind */
};

enum event_kind {
	EV_SLOT, /* a slot of the job is free: it submits the job's next I/O */
	EV_DUE,	 /* the job's waiting request is due: its parked slots go on */
};

static inline bool ev_before(const struct event *a, const struct event *b)
{
	return a->t_ns < b->t_ns || (a->t_ns == b->t_ns && a->seq < b->seq);
}

HEAP_DEFINE(event_heap, struct event, ev_before)

struct sim;

/* One fio I/O in flight: one NVMe command, or several when it is over MDTS. */
struct io_track {
	struct sim *s;
	struct io_track *next_free;
	uint64_t submit_ns;
	uint32_t job;
	uint32_t nlb;
	uint32_t parts_left;
	uint16_t status; /* the first failure, if any */
	uint8_t dir;
	int32_t pid;	  /* placement identifier of a write, or -1 */
	bool verify_read; /* its data is checked at completion */
	bool append;	  /* zonemode=zbd with zone_append: Zone Append commands */
	uint64_t slba;
	uint8_t *buf;	       /* its data: its own when the media keeps data, else shared */
	struct host_bio *bios; /* a host FTL: its block requests, parts_max of them */
};

/* zonemode=zbd: the host's view of the zones (sim_zbd.c) */
struct sim_zbd {
	bool on;
	uint32_t nzones, dev_max_open;
	uint64_t zone_lbas, cap_lbas;
	uint64_t *wp;	/* per zone: LBAs written from its start, as the host knows */
	uint32_t *open; /* zones open for writing, in the order they opened */
	uint32_t nopen;
	uint64_t written;    /* LBAs below the write pointers, all zones */
	double reset_credit; /* zone_reset_frequency's share of resets due */
	uint32_t seq_zone;   /* a sequential writer's zone */
	bool seq_started;
	uint64_t resets, reset_errors;
};

struct job_state {
	struct job_gen gen;
	struct sim_job_result *res;
	struct host_qp *qp; /* its queue pair (shared when a group has many jobs) */
	struct io_track *tracks, *free_tracks;
	uint32_t parts_max; /* NVMe commands one I/O may need */
	uint64_t start_ns;
	uint64_t stop_ns; /* no submissions from here on (runtime) */
	uint32_t inflight;
	bool finished;
	bool has_pending;
	struct io_req pending; /* trace request waiting for its time */
	/* free slots waiting for it: one EV_DUE event wakes them all, so a
	 * replay's cost per request does not grow with iodepth */
	uint32_t parked;
	bool due_armed; /* the EV_DUE event is in the heap */
	/* the job's next I/Os, generated early so the device can prefetch */
	struct io_req ahead[LOOKAHEAD];
	uint32_t nahead;
	bool gen_done;
	bool verify;	/* verify=crc32c: writes are stamped, reads checked */
	bool verifying; /* its verify phase: reading back what it wrote */
	struct verify_log vlog;
};

struct sim {
	struct nvme_ctrl *ctrl;
	struct vssd_dev *dev;
	const struct sim_options *opt;
	struct host_qp admin;
	struct host_qp qps[NVME_MAX_QUEUES]; /* by qid; 0 unused */
	uint16_t nqps;
	/* ftl=pblk, ftl=zns-host: the host FTL the jobs write through */
	struct sim_host_ftl {
		const struct host_ftl_ops *ops;
		void *ftl; /* NULL: none, the jobs' commands go to the device */
	} host;
	/* what the pblk instances power cuts ended had counted (a recovered
	 * pblk counts from zero), for counters over the whole run */
	struct pblk_stats pblk_past;
	uint64_t posted_cqs; /* bit per CQ the controller posted to */
	struct event_heap heap;
	struct job_state *js;
	struct sim_zbd zbd;
	uint64_t seq;
	uint64_t now_ns;
	uint64_t total_inflight;
	uint64_t host_ios;
	uint8_t *buf; /* the tracks' data buffers, registered for DMA */
	uint64_t buf_bytes;
	/* time series */
	uint64_t next_sample_ns;
	struct sim_sample iv;	    /* the interval being filled */
	struct lat_stats iv_lat[2]; /* its reads' and writes' latencies, for percentiles */
	struct sim_result *res;
	uint32_t samples_cap;
	uint64_t idle_since_ns;
	uint32_t cuts_done; /* bit per power cut of the options that happened */
	/* progress */
	struct timespec wall_start, last_progress;
	uint32_t group, ngroups, njobs;
	char *err;
	size_t errlen;
};

static inline int sim_heap_push(struct sim *s, struct event e)
{
	e.seq = s->seq++;
	return event_heap_push(&s->heap, e);
}

/* sim_host.c: queues by admin commands, the jobs' I/Os as NVMe commands */
int sim_admin_cqe(struct sim *s, struct nvme_sqe *sqe, struct nvme_cqe *cqe);
int sim_register_mem(struct sim *s, void *p, uint64_t bytes);
int sim_setup_admin(struct sim *s);
int sim_enable_admin(struct sim *s);
int sim_create_queues(struct sim *s, uint16_t qid);
int sim_create_qp(struct sim *s, uint16_t qid, uint32_t entries);
void sim_delete_qps(struct sim *s);
int sim_start_group(struct sim *s, const struct job_file *jf, struct sim_result *res, int g);
int sim_setup_group_queues(struct sim *s, const struct job_file *jf, int g);
void sim_free_tracks(struct job_state *js);
int sim_submit(struct sim *s, uint32_t j);
int sim_wake_parked(struct sim *s, uint32_t j);
void sim_part_status(void *arg, uint16_t status);
int sim_reap_posted(struct sim *s);

/* sim_zbd.c: zonemode=zbd. Start checks the jobs against the device and
 * reads the zones; place turns a job's next I/O into what fio's zoned mode
 * sends, saying whether its zone must be reset first. */
int sim_zbd_start(struct sim *s, const struct job_file *jf, char *err, size_t errlen);
void sim_zbd_free(struct sim *s);
int sim_zbd_place(struct sim *s, struct job_state *js, struct io_req *io, bool *reset);

/* sim_data.c: buffers, write patterns, verify */
void sim_fill_pattern(struct sim *s, uint8_t *buf, uint64_t slba, uint64_t bytes);
void sim_check_read(struct job_state *js, const struct io_track *io);
int sim_setup_verify(struct sim *s, uint32_t j, uint64_t seed);
int sim_setup_buffers(struct sim *s, const struct job_file *jf, int g);

/* The host FTL as pblk or as zftl, for their own figures; NULL when it is
 * not that one (or there is none). */
static inline struct pblk *sim_pblk(const struct sim *s)
{
	return s->host.ops == &pblk_host_ops ? s->host.ftl : NULL;
}

static inline struct zftl *sim_zftl(const struct sim *s)
{
	return s->host.ops == &zftl_host_ops ? s->host.ftl : NULL;
}

/* sim_host_ftl.c: ftl=pblk, ftl=zns-host */
int sim_host_ftl_part(struct sim *s, struct io_track *t, uint32_t k, uint64_t slba, uint32_t nlb,
		      uint8_t *buf);
int sim_setup_group_bios(struct sim *s, const struct job_file *jf, int g);
int sim_host_ftl_start(struct sim *s);
/* Frees the host FTL (a power cut takes the host's memory too). */
void sim_host_ftl_stop(struct sim *s);

/* sim_cut.c: power cuts */
int sim_due_cut(const struct sim *s, uint64_t t_next, uint64_t *t_cut);
int sim_power_cut(struct sim *s, int which, uint64_t t_ns);

/* The counters now: the stack's in one meaning whatever the FTL (with
 * pblk, its user I/O and GC over the device's media writes), and the
 * device's own (the same without a host FTL). device may be NULL. */
void sim_counters(const struct sim *s, struct dev_counters *stack, struct dev_counters *device);

/* sim_sample.c: the time series and the progress line */
double sim_wall_since(const struct timespec *a);
void sim_progress(struct sim *s);
int sim_sample(struct sim *s);

#endif
