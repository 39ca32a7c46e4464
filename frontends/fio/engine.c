/*
 * libvssd-fio.so: vssd inside fio's process, for ioengine=external:PATH.
 * No protocol in between: each fio job gets an NVMe I/O queue pair of its
 * own on one device, and the job's thread drives the device (the inline
 * runtime) while it waits for completions, so the modelled latency is what
 * fio measures.
 *
 *   fio --thread --ioengine=external:build/libvssd-fio.so \
 *       --vssd_params="profile=default op=0.28 fdp=on" --plid=1 ...
 *
 * Jobs in one process (fio's thread=1) with the same vssd_params share one
 * device. Writes carry an FDP placement identifier from plid= (an index
 * into the reclaim unit handle status list, as fio's own plids=) or, failing
 * that, from write_hint= (none, short, medium, long, extreme: entries 0 to 4).
 * A zoned namespace (ftl=zns) takes jobs with zonemode=zbd: the engine tells
 * fio the zones (a host-managed device, its zone reports, the open limit)
 * and resets them, and fio writes each zone at its write pointer.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fio.h"
#include "optgroup.h"
#include "verify.h"

#include "vssd/served.h"
#include "vssd/vssd.h"

/* fio checks the version when it loads the engine; this checks the
 * structures it was written against when it is built */
#if FIO_IOOPS_VERSION != 31
#error "frontends/fio/engine.c is written for fio's engine interface version 31 (fio 3.33)"
#endif

#define QUEUE_ENTRIES_MAX 4096

struct engine_options {
	void *pad; /* fio takes an option offset of 0 for "none" */
	char *params;
	int plid;
	char *stats_path;
	unsigned int stats_interval_ms;
};

static struct fio_option options[] = {
	{
		.name = "vssd_params",
		.lname = "vssd parameters",
		.type = FIO_OPT_STR_STORE,
		.off1 = offsetof(struct engine_options, params),
		.help = "the device: vssd key=value parameters, separated by spaces or ':'",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "plid",
		.lname = "FDP placement identifier index",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct engine_options, plid),
		.def = "-1",
		.help = "writes carry the placement identifier of this entry of the RUH status "
			"list",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "vssd_stats",
		.lname = "vssd statistics file",
		.type = FIO_OPT_STR_STORE,
		.off1 = offsetof(struct engine_options, stats_path),
		.help = "keep the device's JSON report (as vssd sim --json) in this file",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "vssd_stats_interval",
		.lname = "vssd statistics interval",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct engine_options, stats_interval_ms),
		.def = "1000",
		.minval = 10,
		.help = "milliseconds between rewrites of vssd_stats",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = NULL,
	},
};

/* The process's device: jobs with the same parameters share it. */
static struct {
	pthread_mutex_t lock;
	struct vssd *dev;
	struct vssd_info info;
	struct vssd_served *served; /* each job is a client */
	char *params;		    /* what it was opened with */
	int users;		    /* jobs set up and not yet cleaned up */
	/* a zoned namespace's: fio asks of zones before a job has its queue */
	struct vssd_qpair *zone_qp;
	uint8_t *zone_buf; /* 4 KiB of DMA memory: a report, Identify */
	uint64_t zone_lbas;
	uint32_t max_open; /* 0: no limit */
} shared = {.lock = PTHREAD_MUTEX_INITIALIZER};

struct job;

/* One per io_u (by io_u->index): what a completion callback needs. */
struct cmd {
	struct job *job;
	struct io_u *io_u;
	uint64_t start_ns;
};

struct job {
	struct thread_data *td;
	struct vssd_qpair *qp;
	unsigned write_flags; /* VSSD_PID(n) or 0 */
	int client;	      /* served_stats client: the job's name */
	uint32_t lba_bytes;
	struct cmd *cmd;     /* by io_u->index */
	unsigned ncmd;	     /* fio's io_us: at most this many in flight */
	struct io_u **ready; /* completed, not yet handed to fio (a ring of ncmd) */
	unsigned ready_head, nready;
	struct io_u **events; /* what the last getevents returned */
};

/* "a=1 b=2:c=3" into a NULL-terminated array of strings (one allocation). */
static char **split_params(const char *text)
{
	size_t n = 1, len = strlen(text);
	char **v, *copy;

	for (const char *p = text; *p; p++)
		n += *p == ' ' || *p == ':' || *p == '\t';
	v = malloc((n + 1) * sizeof(*v) + len + 1);
	if (!v)
		return NULL;
	copy = memcpy((char *)(v + n + 1), text, len + 1);
	n = 0;
	for (char *save, *tok = strtok_r(copy, " :\t", &save); tok;
	     tok = strtok_r(NULL, " :\t", &save))
		v[n++] = tok;
	v[n] = NULL;
	return v;
}

/* Opens the process's device, or checks a job asks for the same one. */
static int device_get(struct thread_data *td, const struct engine_options *o)
{
	const char *params = o->params ? o->params : "";
	char err[512];
	char **argv;
	int rc = 0;

	pthread_mutex_lock(&shared.lock);
	if (shared.dev) {
		if (strcmp(params, shared.params)) {
			log_err("vssd: job %s: vssd_params=\"%s\" differ from another job's "
				"\"%s\": "
				"one fio process serves one device\n",
				td->o.name, params, shared.params);
			rc = 1;
		} else {
			shared.users++;
		}
		goto out;
	}
	if (!(argv = split_params(params)) || !(shared.params = strdup(params))) {
		free(argv);
		log_err("vssd: out of memory\n");
		rc = 1;
		goto out;
	}
	if (vssd_open((const char *const *)argv, VSSD_INLINE, &shared.dev, err, sizeof(err))) {
		log_err("vssd: vssd_params: %s\n", err);
		free(shared.params);
		shared.params = NULL;
		rc = 1;
	} else if (vssd_info(shared.dev, &shared.info) ||
		   (shared.info.block_host != VSSD_BLOCK_NVM &&
		    shared.info.block_host != VSSD_BLOCK_ZONED)) {
		/* the engine speaks the NVM command set; pblk is served over NBD */
		if (shared.info.block_refusal)
			log_err("vssd: not supported by the fio engine: %s\n",
				shared.info.block_refusal);
		else
			log_err("vssd: ftl=%s is not supported by the fio engine: serve it with "
				"the nbdkit plugin (vssd serve) and use fio's nbd engine, or run "
				"vssd sim\n",
				shared.info.ftl);
		vssd_close(shared.dev);
		shared.dev = NULL;
		free(shared.params);
		shared.params = NULL;
		rc = 1;
	} else {
		shared.users = 1;
		if (vssd_served_open(shared.dev, NULL, &shared.served)) {
			log_err("vssd: out of memory\n");
			rc = 1;
		} else if (o->stats_path &&
			   (rc = vssd_served_start(shared.served, o->stats_path,
						   (uint64_t)o->stats_interval_ms * 1000000))) {
			log_err("vssd: vssd_stats=%s: %s\n", o->stats_path, strerror(-rc));
			rc = 1;
		}
	}
	free(argv);
out:
	pthread_mutex_unlock(&shared.lock);
	return rc;
}

/* The last job out writes the report and closes the device. */
static void device_put(void)
{
	pthread_mutex_lock(&shared.lock);
	if (shared.dev && --shared.users == 0) {
		vssd_served_close(shared.served, stderr);
		if (shared.zone_qp)
			vssd_qpair_close(shared.zone_qp);
		vssd_dma_free(shared.dev, shared.zone_buf);
		shared.zone_qp = NULL;
		shared.zone_buf = NULL;
		vssd_close(shared.dev);
		shared.served = NULL;
		free(shared.params);
		shared.dev = NULL;
		shared.params = NULL;
	}
	pthread_mutex_unlock(&shared.lock);
}

/* The write flags a job's options ask for; 0 without placement, -1 on error. */
static long placement_flags(struct thread_data *td, const struct engine_options *o)
{
	unsigned entries = shared.info.placement_ids;
	const char *from = "plid";
	int index = o->plid;

	if (index < 0 && td->o.write_hint >= RWH_WRITE_LIFE_NONE) {
		index = (int)td->o.write_hint - RWH_WRITE_LIFE_NONE;
		from = "write_hint";
	}
	if (index < 0)
		return 0;
	if ((unsigned)index >= entries) {
		log_err("vssd: job %s: %s asks for placement identifier entry %d, but the device "
			"has %u (%s)\n",
			td->o.name, from, index, entries,
			entries ? "see vssd nvme fdp status"
				: "fdp is off: add fdp=on to vssd_params");
		return -1;
	}
	return VSSD_PID(vssd_placement_id(shared.dev, (uint32_t)index));
}

/* Runs in the main process for each job before any starts (fio's
 * create_serialize): the device's size becomes the job's one file. */
static int engine_setup(struct thread_data *td)
{
	struct engine_options *o = td->eo;
	struct fio_file *f;

	if (!td->o.use_thread && td->thread_number > 1) {
		log_err("vssd: job %s: several jobs share the device only as threads: add thread=1 "
			"(as processes each would write its own copy)\n",
			td->o.name);
		return 1;
	}
	if (device_get(td, o))
		return 1;
	if (!td->files_index) {
		add_file(td, "vssd", 0, 0);
		td->o.nr_files = td->o.nr_files ?: 1;
		td->o.open_files++;
	}
	f = td->files[0];
	f->real_file_size = vssd_capacity_lbas(shared.dev) * vssd_lba_bytes(shared.dev);
	if (shared.info.block_host == VSSD_BLOCK_ZONED) {
		/* fio asks an engine about zones only for a device, never for a file */
		f->filetype = FIO_TYPE_BLOCK;
		fio_file_set_size_known(f);
	}
	return 0;
}

/* What the device cannot do for this job, said before it starts rather
 * than as an error on every I/O (EINVAL) or a verify mismatch. */
static int check_job(struct thread_data *td)
{
	uint32_t mdts_bytes = vssd_max_transfer_bytes(shared.dev);
	unsigned long long max_bs = td->o.max_bs[DDIR_READ] > td->o.max_bs[DDIR_WRITE]
					    ? td->o.max_bs[DDIR_READ]
					    : td->o.max_bs[DDIR_WRITE];

	if (max_bs > mdts_bytes) {
		log_err("vssd: job %s: bs of %llu bytes is over the device's largest transfer "
			"(MDTS) of %u bytes: use bs=%u or less\n",
			td->o.name, max_bs, mdts_bytes, mdts_bytes);
		return 1;
	}
	if (shared.info.block_host == VSSD_BLOCK_ZONED && td->o.zone_mode != ZONE_MODE_ZBD) {
		log_err("vssd: job %s: ftl=zns is a zoned namespace: the job needs zonemode=zbd "
			"(fio then writes each zone at its write pointer)\n",
			td->o.name);
		return 1;
	}
	if (td->o.verify != VERIFY_NONE && !shared.info.keeps_data) {
		log_err("vssd: job %s: verify needs the data back, but media=none keeps no data "
			"(every read returns zeros): use media=ram or media=file\n",
			td->o.name);
		return 1;
	}
	return 0;
}

static int engine_init(struct thread_data *td)
{
	struct engine_options *o = td->eo;
	/* a slot for each command in flight, and one to tell full from empty */
	unsigned entries = (td->o.iodepth ? td->o.iodepth : 1) + 1;
	struct job *j = calloc(1, sizeof(*j));
	long flags;
	int rc;

	if (!j)
		return 1;
	td->io_ops_data = j;
	j->td = td;
	if (check_job(td))
		return 1;
	if ((flags = placement_flags(td, o)) < 0)
		return 1;
	j->write_flags = (unsigned)flags;
	j->lba_bytes = vssd_lba_bytes(shared.dev);
	if ((j->client = vssd_served_client(shared.served, td->o.name)) < 0) {
		log_err("vssd: out of memory\n");
		return 1;
	}
	if (entries > QUEUE_ENTRIES_MAX)
		entries = QUEUE_ENTRIES_MAX; /* deeper jobs see FIO_Q_BUSY and reap */
	if ((rc = vssd_qpair_open(shared.dev, (uint16_t)entries, &j->qp))) {
		log_err("vssd: job %s: opening a queue pair of %u entries: %s\n", td->o.name,
			entries, strerror(-rc));
		return 1;
	}
	return 0;
}

/* fio's I/O buffers come from the device's DMA memory, so no command
 * registers its buffer; fio frees them before the engine's cleanup. */
static int engine_iomem_alloc(struct thread_data *td, size_t bytes)
{
	td->orig_buffer = vssd_dma_alloc(shared.dev, bytes);
	return td->orig_buffer ? 0 : 1;
}

static void engine_iomem_free(struct thread_data *td)
{
	vssd_dma_free(shared.dev, td->orig_buffer);
	td->orig_buffer = NULL;
}

/* After fio made its io_us: a command slot for each. */
static int engine_post_init(struct thread_data *td)
{
	struct job *j = td->io_ops_data;

	j->ncmd = td->io_u_all.nr ? td->io_u_all.nr : 1;
	j->cmd = calloc(j->ncmd, sizeof(*j->cmd));
	j->ready = calloc(j->ncmd, sizeof(*j->ready));
	j->events = calloc(j->ncmd, sizeof(*j->events));
	if (!j->cmd || !j->ready || !j->events) {
		log_err("vssd: out of memory\n");
		return 1;
	}
	for (unsigned i = 0; i < j->ncmd; i++)
		if (td->io_u_all.io_us[i]->index >= j->ncmd) {
			log_err("vssd: job %s: an io_u index beyond fio's io_u count\n",
				td->o.name);
			return 1;
		}
	return 0;
}

static void engine_cleanup(struct thread_data *td)
{
	struct job *j = td->io_ops_data;

	if (j) {
		if (j->qp)
			vssd_qpair_close(j->qp);
		free(j->cmd);
		free(j->ready);
		free(j->events);
		free(j);
		td->io_ops_data = NULL;
	}
	device_put();
}

/* A command completed (inside vssd_poll): queue its io_u for fio. */
static void on_done(void *arg, const struct nvme_cqe *cqe)
{
	struct cmd *c = arg;
	struct job *j = c->job;
	struct io_u *io_u = c->io_u;
	static const enum vssd_served_dir dir_of[] = {
		[DDIR_READ] = VSSD_SERVED_READ,
		[DDIR_WRITE] = VSSD_SERVED_WRITE,
		[DDIR_TRIM] = VSSD_SERVED_TRIM,
		[DDIR_SYNC] = VSSD_SERVED_FLUSH,
	};
	uint16_t status = nvme_cqe_status(cqe);

	io_u->error = status ? EIO : 0;
	if (status)
		log_err("vssd: job %s: %s at byte %llu: NVMe status 0x%x\n", j->td->o.name,
			io_ddir_name(io_u->ddir), io_u->offset, status);
	else
		vssd_served_record(shared.served, j->client, dir_of[io_u->ddir],
				   vssd_clock_ns() - c->start_ns,
				   io_u->ddir == DDIR_SYNC ? 0 : io_u->xfer_buflen);
	j->ready[(j->ready_head + j->nready++) % j->ncmd] = io_u;
}

static enum fio_q_status engine_queue(struct thread_data *td, struct io_u *io_u)
{
	struct job *j = td->io_ops_data;
	struct cmd *c = &j->cmd[io_u->index];
	uint64_t slba = io_u->offset / j->lba_bytes;
	uint32_t nlb = (uint32_t)(io_u->xfer_buflen / j->lba_bytes);
	int rc;

	if (io_u->offset % j->lba_bytes || io_u->xfer_buflen % j->lba_bytes) {
		log_err("vssd: job %s: %s of %llu bytes at %llu is not aligned to the %u-byte "
			"LBA\n",
			td->o.name, io_ddir_name(io_u->ddir), io_u->xfer_buflen, io_u->offset,
			j->lba_bytes);
		io_u->error = EINVAL;
		return FIO_Q_COMPLETED;
	}
	*c = (struct cmd){j, io_u, vssd_clock_ns()};
	switch (io_u->ddir) {
	case DDIR_READ: rc = vssd_read_async(j->qp, io_u->xfer_buf, slba, nlb, on_done, c); break;
	case DDIR_WRITE:
		rc = vssd_write_async(j->qp, io_u->xfer_buf, slba, nlb, j->write_flags, on_done, c);
		break;
	case DDIR_TRIM: rc = vssd_trim_async(j->qp, slba, nlb, on_done, c); break;
	case DDIR_SYNC:
	case DDIR_DATASYNC:
		io_u->ddir = DDIR_SYNC;
		rc = vssd_flush_async(j->qp, on_done, c);
		break;
	default: io_u->error = EINVAL; return FIO_Q_COMPLETED;
	}
	if (rc == -EAGAIN)
		return FIO_Q_BUSY; /* fio reaps and comes back */
	if (rc) {
		io_u->error = -rc;
		return FIO_Q_COMPLETED;
	}
	return FIO_Q_QUEUED;
}

/* At least min completions (fewer only when the time t runs out), at most max. */
static int engine_getevents(struct thread_data *td, unsigned int min, unsigned int max,
			    const struct timespec *t)
{
	struct job *j = td->io_ops_data;
	uint64_t deadline =
		t ? vssd_clock_ns() + (uint64_t)t->tv_sec * 1000000000u + (uint64_t)t->tv_nsec
		  : UINT64_MAX;
	unsigned n;

	vssd_poll(j->qp);
	while (j->nready < min) {
		uint64_t now = vssd_clock_ns();

		if (now >= deadline)
			break;
		if (vssd_qpair_wait(j->qp, deadline == UINT64_MAX ? UINT64_MAX : deadline - now))
			vssd_poll(j->qp);
	}
	n = j->nready < max ? j->nready : max;
	for (unsigned i = 0; i < n; i++) {
		j->events[i] = j->ready[j->ready_head];
		j->ready_head = (j->ready_head + 1) % j->ncmd;
	}
	j->nready -= n;
	return (int)n;
}

static struct io_u *engine_event(struct thread_data *td, int event)
{
	struct job *j = td->io_ops_data;

	return j->events[event];
}

/* Runs one command on the zone queue pair to its end: 0, the NVMe status,
 * or a negative errno. The caller holds shared.lock. */
struct zone_wait {
	bool done;
	uint16_t status;
};

static void zone_done(void *arg, const struct nvme_cqe *cqe)
{
	struct zone_wait *w = arg;

	w->status = nvme_cqe_status(cqe);
	w->done = true;
}

static int zone_cmd(struct nvme_sqe *sqe)
{
	struct zone_wait w = {false, 0};
	int rc = vssd_submit_cb(shared.zone_qp, sqe, zone_done, &w);

	if (rc < 0)
		return rc;
	while (!w.done)
		if (vssd_qpair_wait(shared.zone_qp, UINT64_MAX))
			vssd_poll(shared.zone_qp);
	return w.status;
}

/* The zone queue pair and what Identify says of the zones, once. */
static int zone_setup(void)
{
	struct nvme_id_ns_zns *id;
	struct nvme_sqe sqe;
	struct nvme_cqe cqe;
	int rc;

	if (shared.zone_qp)
		return 0;
	if (!(shared.zone_buf = vssd_dma_alloc(shared.dev, 4096)))
		return -ENOMEM;
	id = (struct nvme_id_ns_zns *)shared.zone_buf;
	nvme_prep_identify(&sqe, 1, NVME_ID_CNS_CS_NS, id);
	nvme_set(&sqe, NVME_F_CSI, NVME_CSI_ZNS);
	if ((rc = vssd_admin(shared.dev, &sqe, &cqe)) || nvme_cqe_code(&cqe))
		return rc ? rc : -EIO;
	shared.zone_lbas = id->lbafe[0].zsze;
	shared.max_open = id->mor == 0xffffffffu ? 0 : id->mor + 1;
	return vssd_qpair_open(shared.dev, 4, &shared.zone_qp);
}

static int engine_zoned_model(struct thread_data *td, struct fio_file *f,
			      enum zbd_zoned_model *model)
{
	*model = shared.info.block_host == VSSD_BLOCK_ZONED ? ZBD_HOST_MANAGED : ZBD_NONE;
	return 0;
}

/* fio's zone from an NVMe zone descriptor, in bytes. */
static void fio_zone_of(const struct nvme_zone_desc *d, uint32_t lba_bytes, struct zbd_zone *z)
{
	static const enum zbd_zone_cond cond[16] = {[NVME_ZS_EMPTY] = ZBD_ZONE_COND_EMPTY,
						    [NVME_ZS_IMP_OPEN] = ZBD_ZONE_COND_IMP_OPEN,
						    [NVME_ZS_EXP_OPEN] = ZBD_ZONE_COND_EXP_OPEN,
						    [NVME_ZS_CLOSED] = ZBD_ZONE_COND_CLOSED,
						    [NVME_ZS_READ_ONLY] = ZBD_ZONE_COND_READONLY,
						    [NVME_ZS_FULL] = ZBD_ZONE_COND_FULL,
						    [NVME_ZS_OFFLINE] = ZBD_ZONE_COND_OFFLINE};

	*z = (struct zbd_zone){.start = d->zslba * lba_bytes,
			       .wp = d->wp * lba_bytes,
			       .len = shared.zone_lbas * lba_bytes,
			       .capacity = d->zcap * lba_bytes,
			       .type = ZBD_ZONE_TYPE_SWR,
			       .cond = cond[d->zs >> 4]};
}

/* Zone Management Receive from the zone holding offset on, 63 descriptors
 * a command (one page): how many of nr zones it filled, or a negative errno. */
static int engine_report_zones(struct thread_data *td, struct fio_file *f, uint64_t offset,
			       struct zbd_zone *zones, unsigned int nr)
{
	uint32_t lba_bytes = vssd_lba_bytes(shared.dev);
	unsigned int got = 0;
	int rc;

	pthread_mutex_lock(&shared.lock);
	rc = zone_setup();
	for (uint64_t slba = offset / lba_bytes; !rc && got < nr;) {
		struct nvme_sqe sqe;
		const struct nvme_zone_report *head = (const void *)shared.zone_buf;
		const struct nvme_zone_desc *d = (const void *)(shared.zone_buf + sizeof(*head));
		uint64_t n;

		if (slba >= vssd_capacity_lbas(shared.dev))
			break;
		nvme_prep_zone_report(&sqe, 1, slba, 4096, NVME_ZRAS_ALL, true);
		sqe.prp1 = (uintptr_t)shared.zone_buf;
		if ((rc = zone_cmd(&sqe)))
			break;
		n = head->nr_zones;
		for (uint64_t i = 0; i < n && got < nr; i++, got++)
			fio_zone_of(&d[i], lba_bytes, &zones[got]);
		if (!n)
			break;
		slba = d[n - 1].zslba + shared.zone_lbas;
	}
	pthread_mutex_unlock(&shared.lock);
	if (rc)
		log_err("vssd: job %s: a zone report failed: %s\n", td->o.name,
			rc > 0 ? vssd_status_name((uint16_t)rc) : strerror(-rc));
	return rc ? -EIO : (int)got;
}

/* Resets every zone in [offset, offset + length). */
static int engine_reset_wp(struct thread_data *td, struct fio_file *f, uint64_t offset,
			   uint64_t length)
{
	uint32_t lba_bytes = vssd_lba_bytes(shared.dev);
	int rc;

	pthread_mutex_lock(&shared.lock);
	rc = zone_setup();
	for (uint64_t slba = offset / lba_bytes; !rc && slba < (offset + length) / lba_bytes;
	     slba += shared.zone_lbas) {
		struct nvme_sqe sqe;

		nvme_prep_zone_send(&sqe, 1, slba, NVME_ZSA_RESET, false);
		rc = zone_cmd(&sqe);
	}
	pthread_mutex_unlock(&shared.lock);
	if (rc)
		log_err("vssd: job %s: a zone reset at byte %llu failed: %s\n", td->o.name,
			(unsigned long long)offset,
			rc > 0 ? vssd_status_name((uint16_t)rc) : strerror(-rc));
	return rc ? -EIO : 0;
}

static int engine_max_open_zones(struct thread_data *td, struct fio_file *f, unsigned int *max_open)
{
	int rc;

	pthread_mutex_lock(&shared.lock);
	rc = zone_setup();
	*max_open = shared.max_open;
	pthread_mutex_unlock(&shared.lock);
	return rc ? -EIO : 0;
}

/* The device is the job's file: nothing to open, close or drop from a cache. */
static int engine_file_noop(struct thread_data *td, struct fio_file *f)
{
	return 0;
}

static struct ioengine_ops ioengine_ops = {
	.name = "vssd",
	.version = FIO_IOOPS_VERSION,
	.flags = FIO_DISKLESSIO | FIO_NOEXTEND | FIO_NODISKUTIL,
	.setup = engine_setup,
	.init = engine_init,
	.post_init = engine_post_init,
	.queue = engine_queue,
	.getevents = engine_getevents,
	.event = engine_event,
	.cleanup = engine_cleanup,
	.iomem_alloc = engine_iomem_alloc,
	.iomem_free = engine_iomem_free,
	.open_file = engine_file_noop,
	.close_file = engine_file_noop,
	.invalidate = engine_file_noop,
	.get_zoned_model = engine_zoned_model,
	.report_zones = engine_report_zones,
	.reset_wp = engine_reset_wp,
	.get_max_open_zones = engine_max_open_zones,
	.options = options,
	.option_struct_size = sizeof(struct engine_options),
};

/* What fio looks up in an external engine. */
void get_ioengine(struct ioengine_ops **ops);
void get_ioengine(struct ioengine_ops **ops)
{
	*ops = &ioengine_ops;
}
