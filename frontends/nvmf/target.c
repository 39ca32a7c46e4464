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

static void drain_eventfd(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0) {
		/* EAGAIN: someone read it first; what it counted is polled anyway */
	}
}

void nvmf_target_flush(struct nvmf_target *t)
{
	int rc = t->ns->flush(t);

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
		if (c->threaded || c->dead)
			break;
		if (events & EPOLLOUT && nvmf_conn_flush(c))
			nvmf_conn_close(c);
		if (!c->dead && events & (EPOLLIN | EPOLLHUP | EPOLLERR))
			nvmf_conn_read(c, buf);
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
		if (!c->threaded && c->qp && c->device_inflight)
			n += vssd_poll(c->qp);
	return n;
}

/* Whether loop l may poll without sleeping: a slot among the target's
 * max_spinners, kept while it spins. Loops that spin on more cores than
 * there are to spare slow down the host and each other. */
static bool may_spin(struct nvmf_loop *l, struct nvmf_target *t, bool want)
{
	int n = atomic_load(&t->spinners);

	if (want == l->spinning)
		return want;
	if (!want) {
		atomic_fetch_sub(&t->spinners, 1);
		l->spinning = false;
		return false;
	}
	while (n < t->max_spinners)
		if (atomic_compare_exchange_weak(&t->spinners, &n, n + 1))
			return l->spinning = true;
	return false;
}

struct timespec nvmf_loop_sleep(struct nvmf_loop *l, struct nvmf_target *t, bool worked,
				uint64_t deadline_ns)
{
	uint64_t ns = 1000000000, now = l->now_ns, spin = t->info.rt_spin_ns;
	/* the device's completions are the loops' to post when its queue pairs
	 * are theirs; pblk posts those of its own pair in its requests */
	uint64_t due = t->ns->device_queue_pairs ? vssd_next_due_ns(t->dev) : UINT64_MAX;

	if (worked)
		l->busy_ns = now;
	if (may_spin(l, t, now - l->busy_ns < spin || due <= spin))
		ns = 0;
	else if (due != UINT64_MAX) /* until shortly before it, to spin the rest if it may */
		ns = due > spin ? due - spin / 2 : due;
	if (deadline_ns != UINT64_MAX && deadline_ns - now < ns)
		ns = deadline_ns > now ? deadline_ns - now : 0;
	return (struct timespec){(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
}

void nvmf_loop_end(struct nvmf_loop *l, struct nvmf_target *t)
{
	may_spin(l, t, false);
}

/* What each connection of the main loop has queued goes out; an I/O queue
 * just connected leaves for a thread of its own; closed ones are freed. */
static void flush_all(struct nvmf_target *t)
{
	for (struct nvmf_conn *c = t->conns; c; c = c->next) {
		if (c->threaded || c->dead)
			continue;
		if ((c->tx_len > c->tx_off || c->closing) && nvmf_conn_flush(c))
			nvmf_conn_close(c);
		else if (c->want_thread && c->fd >= 0 && !c->dead)
			nvmf_conn_thread(c);
	}
	nvmf_conn_reap(t);
}

static int loop(struct nvmf_target *t)
{
	struct epoll_event ev[64];
	uint8_t *buf = malloc(NVMF_RX_CHUNK);

	if (!buf)
		return -ENOMEM;
	for (int n = 0; !t->stopping;) {
		struct timespec wait;
		bool worked = n > 0;

		t->main.now_ns = nvmf_now_ns(); /* when the completions polled now are answered */
		worked |= poll_device(t) > 0;
		flush_all(t);
		wait = nvmf_loop_sleep(&t->main, t, worked,
				       nvmf_keep_alive_check(t, t->main.now_ns));
		n = epoll_pwait2(t->epfd, ev, 64, &wait, NULL);
		t->main.turns++;
		t->main.now_ns = nvmf_now_ns(); /* when what comes in now arrived */
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
	t->main.now_ns = nvmf_now_ns();
	t->ka_next_ns = UINT64_MAX;
	pthread_mutex_init(&t->lock, NULL);
	t->max_spinners = (int)(sysconf(_SC_NPROCESSORS_ONLN) / 2);
	if (t->max_spinners < 1)
		t->max_spinners = 1;
	if ((rc = vssd_open(opts->params, VSSD_INLINE, &t->dev, err, errlen)))
		goto fail;
	vssd_info(t->dev, &t->info);
	if (t->info.block_host == VSSD_BLOCK_NONE) {
		snprintf(err, errlen, "ftl=%s over NVMe/TCP: not supported (%s)", t->info.ftl,
			 t->info.block_refusal);
		rc = -EOPNOTSUPP;
		goto fail;
	}
	t->ns = t->info.block_host == VSSD_BLOCK_PBLK ? &nvmf_pblk_ns : &nvmf_device_ns;
	if ((t->ns->open && (rc = t->ns->open(t, err, errlen))) ||
	    (rc = learn_identity(t, err, errlen)))
		goto fail;
	if ((rc = vssd_served_open(t->dev, t->pblk, &t->served)) ||
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

/* The counts of every loop, at the end. */
static void say_totals(struct nvmf_target *t)
{
	struct nvmf_loop *a = &t->totals, *m = &t->main;
	uint64_t commands = a->commands + m->commands, per = commands ? commands : 1;

	fprintf(stderr,
		"vssd: stopping: %llu commands served, %llu protocol errors (%.2f loop turns, "
		"%.2f reads and %.2f writes a command)\n",
		(unsigned long long)commands,
		(unsigned long long)(a->protocol_errors + m->protocol_errors),
		(double)(a->turns + m->turns) / per, (double)(a->reads + m->reads) / per,
		(double)(a->writes + m->writes) / per);
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
	if (t->listen_fd >= 0)
		say_totals(t);
	vssd_served_close(t->served, report);
	if (t->ns && t->ns->close)
		t->ns->close(t); /* flushed: media=file reopens with everything */
	vssd_close(t->dev);
	for (int *fd = &t->epfd; fd <= &t->stop_fd; fd++)
		if (*fd >= 0 && fd != &t->admin_efd) /* the device owns its eventfd */
			close(*fd);
	pthread_mutex_destroy(&t->lock);
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
	printf("\nvssd: namespace 1 (%s): %llu LBAs of %u bytes", t->ns->name,
	       (unsigned long long)t->info.capacity_lbas, t->info.lba_bytes);
	printf("\nvssd: connect with: nvme connect -t tcp -a %s -s %u -n %s\n", opts->listen_addr,
	       opts->port, t->subnqn);
	fflush(stdout);
	rc = loop(t);
out:
	nvmf_target_close(t, opts->report);
	return rc < 0 ? rc : 0;
}
