/*
 * Wall-clock driving of the controller. Both threads take the one lock for
 * each pass over the controller; the controller itself is single-threaded.
 * An idle thread spins for spin_ns (latency matters more than a core) and
 * then sleeps on the condition variable until a doorbell or a new completion
 * wakes it.
 */
#include "runtime/realtime.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"

uint64_t rt_now(const struct rt *rt)
{
	return mono_ns() - rt->t0_ns;
}

static int process_all(struct rt *rt, uint64_t now)
{
	int n = 0;

	for (uint16_t q = 0; q < NVME_MAX_QUEUES; q++)
		if (rt->ctrl->sq[q])
			n += nvme_ctrl_process_sq(rt->ctrl, q, now);
	return n;
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static void timed_wait(struct rt *rt, pthread_cond_t *cond, uint64_t wait_ns)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)(wait_ns / 1000000000ULL);
	ts.tv_nsec += (long)(wait_ns % 1000000000ULL);
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(cond, &rt->lock, &ts);
}

/* With the lock held: posts what is due and wakes rt_wait() callers if
 * anything was posted. */
static int post_due(struct rt *rt, uint64_t now)
{
	int n = nvme_ctrl_post_due(rt->ctrl, now);

	if (n && rt->waiters)
		pthread_cond_broadcast(&rt->posted);
	return n;
}

/* Polls the SQ doorbells (NVMeVirt's nvmev_proc_dbs); without a worker
 * thread it also posts completions when they are due. */
static void *dispatcher_main(void *arg)
{
	struct rt *rt = arg;
	uint64_t idle_since = mono_ns();

	while (!atomic_load(&rt->stop)) {
		uint64_t now, next = UINT64_MAX;
		int n, posted = 0;

		atomic_store(&rt->kicks, 0);
		pthread_mutex_lock(&rt->lock);
		now = rt_now(rt);
		n = process_all(rt, now);
		if (!rt->worker_thread) {
			posted = post_due(rt, now);
			next = nvme_ctrl_next_due(rt->ctrl);
		} else if (n) {
			pthread_cond_broadcast(&rt->wake); /* the worker has new deadlines */
		}
		pthread_mutex_unlock(&rt->lock);
		if (n || posted) {
			idle_since = mono_ns();
			continue;
		}
		/* a completion due soon, or recent activity: keep polling */
		if ((next != UINT64_MAX && next <= now + rt->spin_ns) ||
		    mono_ns() - idle_since < rt->spin_ns) {
			cpu_relax();
			continue;
		}
		pthread_mutex_lock(&rt->lock);
		/* sleeping is set before kicks is read; rt_kick() increments kicks
		 * before it reads sleeping: one of the two sees the other (seq_cst) */
		atomic_store(&rt->sleeping, true);
		if (!atomic_load(&rt->kicks) && !atomic_load(&rt->stop)) {
			/* until shortly before the next completion, or 1 ms; a doorbell
			 * rung with rt_kick() wakes it at once */
			uint64_t wait = next == UINT64_MAX ? 1000000 : next - now - rt->spin_ns / 2;

			timed_wait(rt, &rt->wake, wait < 1000000 ? wait : 1000000);
		}
		atomic_store(&rt->sleeping, false);
		pthread_mutex_unlock(&rt->lock);
		idle_since = mono_ns();
	}
	return NULL;
}

/* Posts each completion when the wall clock reaches its modelled time. */
static void *worker_main(void *arg)
{
	struct rt *rt = arg;

	while (!atomic_load(&rt->stop)) {
		uint64_t due, now;

		pthread_mutex_lock(&rt->lock);
		now = rt_now(rt);
		post_due(rt, now);
		due = nvme_ctrl_next_due(rt->ctrl);
		if (due == UINT64_MAX || due > now + rt->spin_ns) {
			/* nothing soon: sleep until shortly before it, or until woken */
			timed_wait(rt, &rt->wake,
				   due == UINT64_MAX ? 1000000 : due - now - rt->spin_ns / 2);
			pthread_mutex_unlock(&rt->lock);
			continue;
		}
		pthread_mutex_unlock(&rt->lock);
		while (rt_now(rt) < due && !atomic_load(&rt->stop))
			cpu_relax(); /* the last stretch: spin for precision */
	}
	return NULL;
}

int rt_start(struct rt *rt, struct nvme_ctrl *ctrl, enum rt_mode mode)
{
	memset(rt, 0, sizeof(*rt));
	rt->ctrl = ctrl;
	rt->mode = mode;
	rt->t0_ns = mono_ns();
	rt->spin_ns = ctrl->cfg.rt_spin_ns;
	/* a worker thread pays off only with a core for each polling thread
	 * (dispatcher, worker, and the host's own) */
	rt->worker_thread =
		ctrl->cfg.rt_workers == RT_WORKERS_1 ||
		(ctrl->cfg.rt_workers == RT_WORKERS_AUTO && sysconf(_SC_NPROCESSORS_ONLN) >= 4);
	pthread_mutex_init(&rt->lock, NULL);
	pthread_cond_init(&rt->wake, NULL);
	pthread_cond_init(&rt->posted, NULL);
	if (mode == RT_INLINE)
		return 0;
	if (pthread_create(&rt->dispatcher, NULL, dispatcher_main, rt))
		return -EAGAIN;
	if (rt->worker_thread && pthread_create(&rt->worker, NULL, worker_main, rt)) {
		atomic_store(&rt->stop, true);
		pthread_join(rt->dispatcher, NULL);
		return -EAGAIN;
	}
	return 0;
}

void rt_stop(struct rt *rt)
{
	if (rt->mode == RT_THREADED) {
		atomic_store(&rt->stop, true);
		pthread_mutex_lock(&rt->lock);
		pthread_cond_broadcast(&rt->wake);
		pthread_mutex_unlock(&rt->lock);
		pthread_join(rt->dispatcher, NULL);
		if (rt->worker_thread)
			pthread_join(rt->worker, NULL);
	}
	pthread_cond_destroy(&rt->wake);
	pthread_cond_destroy(&rt->posted);
	pthread_mutex_destroy(&rt->lock);
}

void rt_kick(struct rt *rt, uint16_t qid)
{
	if (rt->mode == RT_INLINE) {
		uint64_t now;

		pthread_mutex_lock(&rt->lock);
		now = rt_now(rt);
		nvme_ctrl_process_sq(rt->ctrl, qid, now);
		if (!post_due(rt, now) && rt->waiters)
			pthread_cond_broadcast(&rt->posted); /* the new command may be due first */
		pthread_mutex_unlock(&rt->lock);
		return;
	}
	/* a sleeping dispatcher holds the lock until it waits, so taking it here
	 * means the broadcast cannot come between its check and its wait */
	atomic_fetch_add(&rt->kicks, 1);
	if (atomic_load(&rt->sleeping)) {
		pthread_mutex_lock(&rt->lock);
		pthread_cond_broadcast(&rt->wake);
		pthread_mutex_unlock(&rt->lock);
	}
}

int rt_poll(struct rt *rt)
{
	int n;

	if (rt->mode != RT_INLINE)
		return 0;
	pthread_mutex_lock(&rt->lock);
	n = post_due(rt, rt_now(rt));
	pthread_mutex_unlock(&rt->lock);
	return n;
}

/* Inline, with the lock held: one step towards ready or the deadline. */
static void drive_until(struct rt *rt, uint64_t deadline)
{
	uint64_t now = rt_now(rt), next, wait_ns;

	if (post_due(rt, now) || now >= deadline)
		return;
	next = nvme_ctrl_next_due(rt->ctrl);
	next = next < deadline ? next : deadline;
	if (next <= now + rt->spin_ns) {
		/* the last stretch: spin for precision, letting others in */
		pthread_mutex_unlock(&rt->lock);
		while (rt_now(rt) < next)
			cpu_relax();
		pthread_mutex_lock(&rt->lock);
		return;
	}
	/* until shortly before it; a submission or another waiter's post
	 * wakes us to look again */
	wait_ns = next - now - rt->spin_ns / 2;
	rt->waiters++;
	timed_wait(rt, &rt->posted, wait_ns < 1000000000 ? wait_ns : 1000000000);
	rt->waiters--;
}

bool rt_wait(struct rt *rt, bool (*ready)(void *arg), void *arg, uint64_t timeout_ns)
{
	uint64_t deadline = timeout_ns == UINT64_MAX ? UINT64_MAX : rt_now(rt) + timeout_ns;
	bool ok;

	pthread_mutex_lock(&rt->lock);
	while (!(ok = ready(arg)) && rt_now(rt) < deadline) {
		uint64_t left_ns;

		if (rt->mode == RT_INLINE) {
			drive_until(rt, deadline);
			continue;
		}
		left_ns = deadline - rt_now(rt);
		rt->waiters++;
		timed_wait(rt, &rt->posted, left_ns < 1000000000 ? left_ns : 1000000000);
		rt->waiters--;
	}
	pthread_mutex_unlock(&rt->lock);
	return ok;
}

void rt_locked(struct rt *rt, void (*fn)(void *arg), void *arg)
{
	pthread_mutex_lock(&rt->lock);
	fn(arg);
	pthread_mutex_unlock(&rt->lock);
}
