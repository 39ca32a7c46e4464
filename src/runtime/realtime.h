/*
 * The real-time runtime: the controller driven by the wall clock. Inline
 * mode has no threads: the host's own thread processes its queue when it
 * submits and polls (SPDK style). Threaded mode runs NVMeVirt's shape: a
 * dispatcher thread that polls the SQ doorbells (nvmev_proc_dbs) and a
 * completion worker that posts each CQE when the wall clock reaches its
 * modelled completion time (the controller keeps them sorted by that time),
 * then signals the host through the post hook (the MSI equivalent).
 */
#ifndef VSSD_RUNTIME_REALTIME_H
#define VSSD_RUNTIME_REALTIME_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "nvme/ctrl.h"

enum rt_mode { RT_INLINE, RT_THREADED };

struct rt {
	struct nvme_ctrl *ctrl;
	enum rt_mode mode;
	pthread_mutex_t lock;  /* serialises every call into the controller */
	pthread_cond_t wake;   /* the dispatcher or worker may sleep on it */
	pthread_cond_t posted; /* rt_wait() callers sleep on it */
	unsigned waiters;      /* how many do, under lock */
	pthread_t dispatcher, worker;
	atomic_bool stop;
	atomic_uint kicks;    /* doorbell writes not yet seen by the dispatcher */
	atomic_bool sleeping; /* the dispatcher waits on `wake` */
	uint64_t t0_ns;
	uint64_t spin_ns;   /* how long an idle thread spins before sleeping */
	bool worker_thread; /* false: the dispatcher posts completions too */
};

/* Starts the runtime over ctrl. Returns 0 or a negative errno. */
int rt_start(struct rt *rt, struct nvme_ctrl *ctrl, enum rt_mode mode);
void rt_stop(struct rt *rt);

/* Nanoseconds since the runtime started: the controller's clock. */
uint64_t rt_now(const struct rt *rt);

/* The host rang SQ qid's doorbell. Inline: processes it now; threaded:
 * wakes the dispatcher if it sleeps. */
void rt_kick(struct rt *rt, uint16_t qid);

/* Inline: posts completions that are due. Threaded: nothing (the worker
 * does it). Returns the number posted. */
int rt_poll(struct rt *rt);

/*
 * Blocks until ready(arg) holds (called with the controller locked, e.g.
 * "this CQ has an entry") or timeout_ns passes; returns ready's last value.
 * Threaded: sleeps until the runtime posts something. Inline: the caller
 * drives the controller itself, posting completions when they are due: it
 * sleeps until shortly before the next one and spins the rest, as the
 * completion worker does.
 */
bool rt_wait(struct rt *rt, bool (*ready)(void *arg), void *arg, uint64_t timeout_ns);

/* Runs fn(arg) with the controller locked (for admin helpers and reports). */
void rt_locked(struct rt *rt, void (*fn)(void *arg), void *arg);

#endif
