/*
 * An I/O queue's own thread, as nbdkit gives each connection one: once
 * Connect has made a connection an I/O queue, it leaves the main loop and
 * a thread serves it alone: it polls the socket, submits what arrives on
 * the queue's device queue pair, posts and answers the completions (the
 * device's inline runtime: the library's lock keeps the threads apart),
 * and sleeps as the main loop does. Queues then run on as many cores as
 * there are, where one loop for all would hold them to one.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "target.h"

static _Thread_local const struct nvmf_conn *mine;

bool nvmf_conn_is_mine(const struct nvmf_conn *c)
{
	return mine == c;
}

static void *io_main(void *arg)
{
	struct nvmf_conn *c = arg;
	struct nvmf_target *t = c->t;
	struct nvmf_loop *l = &c->own;
	uint8_t *buf = malloc(NVMF_RX_CHUNK);
	bool worked = true;
	sigset_t stop;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL); /* the main loop's signalfd takes them */
	mine = c;
	while (buf && !atomic_load(&c->stop) && !c->dead) {
		struct pollfd p = {.fd = c->fd, .events = POLLIN};
		struct timespec wait;
		int n;

		l->now_ns = nvmf_now_ns(); /* when the completions polled now are answered */
		if (c->device_inflight)
			worked |= vssd_poll(c->qp) > 0;
		if ((c->tx_len > c->tx_off || c->closing) && nvmf_conn_flush(c))
			break; /* the host has gone */
		if (c->dead)
			break; /* a Disconnect's answer has gone */
		if (c->tx_len > c->tx_off)
			p.events |= POLLOUT;
		wait = nvmf_loop_sleep(l, t, worked, UINT64_MAX);
		n = ppoll(&p, 1, &wait, NULL);
		l->turns++;
		l->now_ns = nvmf_now_ns(); /* when what comes in now arrived */
		worked = n > 0;
		if (n > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR)))
			nvmf_conn_read(c, buf);
	}
	free(buf);
	nvmf_loop_end(l, t);
	nvmf_conn_close(c); /* waits for what the device holds */
	pthread_mutex_lock(&t->lock);
	t->totals.turns += l->turns;
	t->totals.reads += l->reads;
	t->totals.writes += l->writes;
	t->totals.commands += l->commands;
	t->totals.protocol_errors += l->protocol_errors;
	pthread_mutex_unlock(&t->lock);
	atomic_store(&c->thread_done, true);
	return NULL;
}

int nvmf_conn_thread(struct nvmf_conn *c)
{
	struct nvmf_target *t = c->t;

	c->want_thread = false;
	if (epoll_ctl(t->epfd, EPOLL_CTL_DEL, c->fd, NULL))
		return -1;
	c->own = (struct nvmf_loop){.now_ns = t->main.now_ns, .busy_ns = t->main.now_ns};
	c->loop = &c->own;
	c->threaded = true;
	if (pthread_create(&c->thread, NULL, io_main, c)) {
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &c->sock_poll};

		c->threaded = false; /* the main loop goes on serving it */
		c->loop = &t->main;
		c->want_out = false;
		epoll_ctl(t->epfd, EPOLL_CTL_ADD, c->fd, &ev);
		return -1;
	}
	return 0;
}

void nvmf_conn_stop(struct nvmf_conn *c)
{
	if (!c->threaded)
		return;
	/* the socket stays open until the join: shutting it down wakes the thread */
	if (!atomic_exchange(&c->stop, true))
		shutdown(c->fd, SHUT_RDWR);
	pthread_join(c->thread, NULL);
	c->threaded = false;
	c->loop = &c->t->main;
}
