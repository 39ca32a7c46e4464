/*
 * The target: the device (inline: this thread drives it), two listening
 * sockets (the subsystem's port and the discovery port), and one epoll
 * loop over every socket, the device's admin eventfd and a signalfd, which
 * sleeps until the device's next completion is due. It ends on SIGINT or
 * SIGTERM: the controllers end, the device closes cleanly (its cache
 * flushed, a checkpoint written) and the report is printed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "target.h"

#define RX_CHUNK (256u << 10)

uint64_t nvmf_now_ns(void)
{
	return vssd_clock_ns();
}

static int listen_on(const char *addr, uint16_t port, char *err, size_t errlen)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	int one = 1, fd;

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		snprintf(err, errlen, "--listen %s: not an IPv4 address", addr);
		return -EINVAL;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -errno;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 128)) {
		int rc = -errno;

		snprintf(err, errlen, "cannot listen on %s:%u: %s", addr, port, strerror(errno));
		close(fd);
		return rc;
	}
	return fd;
}

static int watch(struct nvmf_target *t, int fd, struct nvmf_poll *p)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = p};

	return epoll_ctl(t->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static void addr_of(const struct sockaddr_in *sa, char *addr, size_t alen, char *port, size_t plen)
{
	inet_ntop(AF_INET, &sa->sin_addr, addr, (socklen_t)alen);
	snprintf(port, plen, "%u", ntohs(sa->sin_port));
}

static void accept_all(struct nvmf_target *t, int lfd)
{
	for (;;) {
		struct sockaddr_in peer, local;
		socklen_t plen = sizeof(peer), llen = sizeof(local);
		char a[INET_ADDRSTRLEN], p[8], name[64];
		struct nvmf_conn *c;
		int one = 1;
		int fd =
			accept4(lfd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return; /* EAGAIN: all taken */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		addr_of(&peer, a, sizeof(a), p, sizeof(p));
		snprintf(name, sizeof(name), "%s:%s", a, p);
		if (!(c = nvmf_conn_new(t, fd, name))) {
			close(fd);
			continue;
		}
		getsockname(fd, (struct sockaddr *)&local, &llen);
		addr_of(&local, c->local_addr, sizeof(c->local_addr), c->local_port,
			sizeof(c->local_port));
		c->sock_poll = (struct nvmf_poll){POLL_CONN, c};
		if (watch(t, fd, &c->sock_poll))
			nvmf_conn_close(c);
	}
}

static void conn_readable(struct nvmf_conn *c, uint8_t *buf)
{
	for (;;) {
		ssize_t n = read(c->fd, buf, RX_CHUNK);

		c->t->reads++;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			nvmf_conn_close(c); /* the host went away */
			return;
		}
		if (nvmf_conn_rx(c, buf, (size_t)n) || (size_t)n < RX_CHUNK)
			return; /* a short read took all there was; epoll says when more comes */
	}
}

static void drain_eventfd(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0) {
		/* EAGAIN: someone read it first; what it counted is polled anyway */
	}
}

void nvmf_target_flush(struct nvmf_target *t)
{
	struct vssd_qpair *qp;
	int rc;

	/* a queue pair of its own for the moment: the host's I/O queues have
	 * gone by the time it shuts the controller down, and a pair kept open
	 * would be one fewer for hosts */
	rc = vssd_qpair_open(t->dev, 2, &qp);
	if (!rc) {
		rc = vssd_flush(qp);
		vssd_qpair_close(qp);
	}
	if (rc)
		fprintf(stderr, "nvmf: flushing the device at shutdown failed: %s\n",
			rc > 0 ? vssd_status_name((uint16_t)rc) : strerror(-rc));
}

static void handle(struct nvmf_target *t, struct nvmf_poll *p, uint32_t events, uint8_t *buf)
{
	struct nvmf_conn *c = p->ptr;

	switch (p->kind) {
	case POLL_LISTEN: accept_all(t, *(int *)p->ptr); break;
	case POLL_CONN:
		if (c->dead)
			break;
		if (events & EPOLLOUT && nvmf_conn_flush(c))
			nvmf_conn_close(c);
		if (!c->dead && events & (EPOLLIN | EPOLLHUP | EPOLLERR))
			conn_readable(c, buf);
		break;
	case POLL_ADMIN:
		drain_eventfd(t->admin_efd);
		vssd_admin_poll(t->dev);
		break;
	case POLL_STOP: t->stopping = true; break;
	}
}

/* Completions that are due are posted, and answered. Returns how many. */
static int poll_device(struct nvmf_target *t)
{
	int n = 0;

	for (struct nvmf_conn *c = t->conns; c; c = c->next)
		if (c->qp && c->device_inflight)
			n += vssd_poll(c->qp);
	return n;
}

/* How long the loop may sleep: not at all within rt_spin_ns of its last
 * work (a busy loop answers the next command without waiting to be woken,
 * as the device's own runtime threads poll) or of the device's next
 * completion (for the precision the model asks); else until shortly before
 * that completion, a keep alive deadline, or a second. */
static struct timespec sleep_for(struct nvmf_target *t, uint64_t now, bool worked)
{
	uint64_t due = vssd_next_due_ns(t->dev), ka = nvmf_keep_alive_check(t, now),
		 ns = 1000000000;

	if (worked)
		t->busy_ns = now;
	if (now - t->busy_ns < t->info.rt_spin_ns)
		ns = 0;
	else if (due != UINT64_MAX)
		ns = due <= t->info.rt_spin_ns ? 0 : due - t->info.rt_spin_ns / 2;
	if (ka != UINT64_MAX && ka - now < ns)
		ns = ka - now;
	return (struct timespec){(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
}

/* What each connection has queued goes out; closed ones are freed. */
static void flush_all(struct nvmf_target *t)
{
	for (struct nvmf_conn *c = t->conns; c; c = c->next)
		if (!c->dead && (c->tx_len > c->tx_off || c->closing) && nvmf_conn_flush(c))
			nvmf_conn_close(c);
	nvmf_conn_reap(t);
}

static int loop(struct nvmf_target *t)
{
	struct epoll_event ev[64];
	uint8_t *buf = malloc(RX_CHUNK);

	if (!buf)
		return -ENOMEM;
	for (int n = 0; !t->stopping;) {
		struct timespec wait;
		bool worked = n > 0;

		t->now_ns = nvmf_now_ns(); /* when the completions polled now are answered */
		worked |= poll_device(t) > 0;
		flush_all(t);
		wait = sleep_for(t, t->now_ns, worked);
		n = epoll_pwait2(t->epfd, ev, 64, &wait, NULL);
		t->turns++;
		t->now_ns = nvmf_now_ns(); /* when what comes in now arrived */
		for (int i = 0; i < n; i++)
			handle(t, ev[i].data.ptr, ev[i].events, buf);
	}
	free(buf);
	return 0;
}

/* SIGINT and SIGTERM come through a signalfd. Blocked before any thread
 * starts (the device's runtime, the statistics), so that every thread
 * inherits the mask and none dies of them. */
static sigset_t stop_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN); /* a host that hangs up is a closed connection */
	return set;
}

/* The subsystem's NQN: --nqn, or what the device's Identify says. */
static int learn_identity(struct nvmf_target *t, char *err, size_t errlen)
{
	struct nvme_id_ctrl *id = vssd_dma_alloc(t->dev, sizeof(*id));
	struct nvme_sqe sqe;
	struct nvme_cqe cqe;
	int rc;

	if (!id)
		return -ENOMEM;
	nvme_prep_identify(&sqe, 0, NVME_ID_CNS_CTRL, id);
	rc = vssd_admin(t->dev, &sqe, &cqe);
	if (!rc && nvme_cqe_code(&cqe))
		rc = -EIO;
	if (rc)
		snprintf(err, errlen, "Identify Controller failed on the device");
	else if (t->opts.nqn)
		snprintf(t->subnqn, sizeof(t->subnqn), "%s", t->opts.nqn);
	else
		snprintf(t->subnqn, sizeof(t->subnqn), "%.*s", (int)sizeof(id->subnqn), id->subnqn);
	vssd_dma_free(t->dev, id);
	return rc;
}

int nvmf_target_open(const struct nvmf_opts *opts, struct nvmf_target **out, char *err,
		     size_t errlen)
{
	struct nvmf_target *t = calloc(1, sizeof(*t));
	int rc;

	if (!t)
		return -ENOMEM;
	t->opts = *opts;
	t->epfd = t->listen_fd = t->disc_fd = t->admin_efd = t->stop_fd = -1;
	t->now_ns = nvmf_now_ns();
	t->ka_next_ns = UINT64_MAX;
	if ((rc = vssd_open(opts->params, VSSD_INLINE, &t->dev, err, errlen)))
		goto fail;
	vssd_info(t->dev, &t->info);
	if (t->info.block_host != VSSD_BLOCK_NVM) {
		snprintf(err, errlen, "ftl=%s over NVMe/TCP: not supported (%s)", t->info.ftl,
			 t->info.block_host == VSSD_BLOCK_PBLK
				 ? "a namespace served by the host FTL pblk is not built yet"
				 : t->info.block_refusal);
		rc = -EOPNOTSUPP;
		goto fail;
	}
	if ((rc = learn_identity(t, err, errlen)))
		goto fail;
	if ((rc = vssd_served_open(t->dev, NULL, &t->served)) ||
	    (rc = vssd_served_start(t->served, opts->stats_path, opts->stats_interval_ns))) {
		snprintf(err, errlen, "cannot start the statistics: %s", strerror(-rc));
		goto fail;
	}
	t->epfd = epoll_create1(EPOLL_CLOEXEC);
	t->admin_efd = vssd_admin_eventfd(t->dev);
	if (t->epfd < 0 || t->admin_efd < 0) {
		rc = -EMFILE;
		snprintf(err, errlen, "cannot make the event loop's descriptors");
		goto fail;
	}
	t->admin_poll = (struct nvmf_poll){POLL_ADMIN, t};
	watch(t, t->admin_efd, &t->admin_poll);
	*out = t;
	return 0;
fail:
	nvmf_target_close(t, NULL);
	return rc;
}

void nvmf_target_close(struct nvmf_target *t, FILE *report)
{
	if (!t)
		return;
	for (int i = 0; i < NVMF_MAX_CTRLS; i++)
		if (t->ctrl[i])
			nvmf_ctrl_end(t->ctrl[i], NULL);
	for (struct nvmf_conn *c = t->conns; c; c = c->next)
		nvmf_conn_close(c);
	while (t->dev && t->conns) { /* the device answers what it holds */
		vssd_admin_poll(t->dev);
		nvmf_conn_reap(t);
	}
	vssd_served_close(t->served, report);
	vssd_close(t->dev);
	for (int *fd = &t->epfd; fd <= &t->stop_fd; fd++)
		if (*fd >= 0 && fd != &t->admin_efd) /* the device owns its eventfd */
			close(*fd);
	free(t);
}

int nvmf_serve(const struct nvmf_opts *opts, char *err, size_t errlen)
{
	sigset_t stop = stop_signals();
	struct nvmf_target *t;
	int rc = nvmf_target_open(opts, &t, err, errlen);

	if (rc)
		return rc;
	if ((rc = t->listen_fd = listen_on(opts->listen_addr, opts->port, err, errlen)) < 0)
		goto out;
	if (opts->discovery_port &&
	    (rc = t->disc_fd = listen_on(opts->listen_addr, opts->discovery_port, err, errlen)) < 0)
		goto out;
	if ((t->stop_fd = signalfd(-1, &stop, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		rc = -errno;
		snprintf(err, errlen, "signalfd: %s", strerror(errno));
		goto out;
	}
	t->listen_poll = (struct nvmf_poll){POLL_LISTEN, &t->listen_fd};
	t->disc_poll = (struct nvmf_poll){POLL_LISTEN, &t->disc_fd};
	t->stop_poll = (struct nvmf_poll){POLL_STOP, t};
	watch(t, t->listen_fd, &t->listen_poll);
	if (t->disc_fd >= 0)
		watch(t, t->disc_fd, &t->disc_poll);
	watch(t, t->stop_fd, &t->stop_poll);
	printf("vssd: NVMe/TCP target on %s:%u, subsystem %s", opts->listen_addr, opts->port,
	       t->subnqn);
	if (opts->discovery_port)
		printf(", discovery on port %u", opts->discovery_port);
	printf("\nvssd: connect with: nvme connect -t tcp -a %s -s %u -n %s\n", opts->listen_addr,
	       opts->port, t->subnqn);
	fflush(stdout);
	rc = loop(t);
	fprintf(stderr,
		"vssd: stopping: %llu commands served, %llu protocol errors (%.2f loop turns, "
		"%.2f reads and %.2f writes a command)\n",
		(unsigned long long)t->commands, (unsigned long long)t->protocol_errors,
		(double)t->turns / (t->commands ? t->commands : 1),
		(double)t->reads / (t->commands ? t->commands : 1),
		(double)t->writes / (t->commands ? t->commands : 1));
out:
	nvmf_target_close(t, opts->report);
	return rc < 0 ? rc : 0;
}
