/*
 * The NVMe controller: the queue table, the fetch-execute-post cycle and the
 * state the admin command set reads and writes (features, logs, pending
 * asynchronous events). One namespace (NSID 1) backed by the device core.
 *
 * A command runs when it is fetched (as NVMeVirt does): the device core
 * answers with the time it completes, and the completion waits in a heap
 * ordered by that time until a runtime posts it. The controller has no
 * clock of its own: every call passes "now" (virtual or wall time), and
 * nothing here takes a lock; the runtimes serialise calls.
 */
#ifndef VSSD_NVME_CTRL_H
#define VSSD_NVME_CTRL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "config/params.h"
#include "core/device.h"
#include "nvme/dma.h"
#include "nvme/queue.h"
#include "util/heap.h"
#include "vssd/nvme.h"

#define NVME_MAX_QUEUES 64 /* admin + 63 I/O queue pairs */
#define NVME_MQES 4095	   /* CAP.MQES: queues of up to 4096 entries */
#define NVME_AERL 3	   /* up to 4 outstanding Asynchronous Event Requests */
#define NVME_ACL 3	   /* up to 4 outstanding Aborts */
#define NVME_ERR_LOG_ENTRIES 64
#define NVME_MDTS 6 /* 2^6 pages of 4 KiB: 256 KiB, 64 sectors (an OCSSD vector) */
#define NVME_MAX_XFER_BYTES (NVME_PAGE_BYTES << NVME_MDTS)
#define NVME_NSID 1

/* A completion waiting for the time the model gives it. */
struct nvme_pending {
	uint64_t due_ns;
	uint64_t seq; /* ties broken in submission order */
	uint16_t cqid;
	struct nvme_cqe cqe;
};

static inline bool pend_before(const struct nvme_pending *a, const struct nvme_pending *b)
{
	return a->due_ns < b->due_ns || (a->due_ns == b->due_ns && a->seq < b->seq);
}

HEAP_DEFINE(pend_heap, struct nvme_pending, pend_before)

/* What executing a command produced. */
struct nvme_result {
	uint16_t status;
	uint32_t result;
	uint32_t result_hi; /* CQE DW1: the high half of a vector command's status bitmap */
	uint64_t done_ns;
	bool held;    /* an AER: completed later, by an event */
	uint64_t lba; /* for the error log */
};

/* An asynchronous event waiting for an AER command to report it. */
struct nvme_event {
	uint8_t type, info, log_page;
};

typedef void (*nvme_post_hook)(void *arg, uint16_t cqid);

#define FDP_EVENT_RING 63 /* what log 23h can hold */

struct fdp_event_ring {
	struct nvme_fdp_event ev[FDP_EVENT_RING];
	uint32_t next, count; /* the oldest is ev[(next - count) mod ring] */
};

struct nvme_ctrl {
	struct vssd_config cfg;
	/* debug=nvme: each rejected command is said on stderr (reject.c) */
	bool debug_nvme;
	bool cmd_admin;	     /* the command being executed came on the admin queue */
	bool cmd_said;	     /* its rejection has been said with a reason */
	struct vssd_dev *ns; /* namespace 1; NULL while it is not ready */
	struct dma_space dma;
	struct nvme_sq *sq[NVME_MAX_QUEUES];
	struct nvme_cq *cq[NVME_MAX_QUEUES];
	struct nvme_doorbells db[NVME_MAX_QUEUES]; /* the "BAR": never freed */
	bool enabled;
	uint16_t nr_io_sqs, nr_io_cqs; /* granted by Number of Queues */
	bool io_queues_created;
	/* features */
	uint32_t arbitration;
	uint32_t power_state;
	bool vwc_enabled;
	uint64_t timestamp_ms;	  /* as the host set it */
	uint64_t timestamp_at_ns; /* controller time when it was set */
	bool timestamp_set;
	/* logs */
	struct nvme_error_log errlog[NVME_ERR_LOG_ENTRIES];
	uint64_t error_count;
	uint64_t busy_since_ns; /* the counters SMART reports are the device's (dev->health) */
	uint32_t io_outstanding;
	uint64_t created_ns;
	uint8_t warned; /* SMART critical warnings an event has announced */
	/* asynchronous events */
	uint16_t aer_cid[NVME_AERL + 1];
	uint32_t naer;
	struct nvme_event events[8];
	uint32_t nevents;
	uint8_t masked_logs; /* bit per event type: reported, log not yet read */
	/* a zoned namespace's zones the device changed since the host read log BFh */
	uint16_t nzone_changes; /* NVME_CHANGED_ZONES_MAX + 1: more than the log holds */
	uint64_t zone_changes[NVME_CHANGED_ZONES_MAX];
	/* completions waiting for their time, earliest first */
	struct pend_heap pend;
	uint64_t pend_seq;
	nvme_post_hook on_post; /* the MSI equivalent */
	void *on_post_arg;
	uint8_t *bounce;     /* one maximum transfer, for data that is not contiguous */
	uint64_t *model_ns;  /* opt-in: modelled latency by [sqid][cid], for fidelity benches */
	uint64_t cmd_now_ns; /* when the command being executed was fetched */
	/* flexible data placement */
	struct fdp_event_ring fdp_host_events, fdp_ctrl_events;
	uint8_t fdp_event_mask[128]; /* per handle: bit per supported event type */
	uint64_t serial;
};

/* Power is cut and comes back: queues, completions not yet posted and
 * pending events are gone, and the namespace recovers from its media
 * (dev_powerloss). The host enables the controller again. Returns 0 or
 * dev_powerloss()'s error. */
int nvme_ctrl_powerloss(struct nvme_ctrl *ctrl);
/* Whether the namespace can recover from a power loss (its media keeps data). */
bool nvme_ctrl_can_powerloss(const struct nvme_ctrl *ctrl);

/* Builds a controller and its namespace. Returns 0 or a negative errno with a message. */
int nvme_ctrl_create(const struct vssd_config *cfg, struct nvme_ctrl **out, char *err,
		     size_t errlen);
void nvme_ctrl_destroy(struct nvme_ctrl *ctrl);

/*
 * Sets up the admin queue pair (what AQA, ASQ, ACQ and CC.EN do on a PCIe
 * controller). The rings are host memory and must be registered for DMA.
 * Returns 0 or -EINVAL.
 */
int nvme_ctrl_enable(struct nvme_ctrl *ctrl, struct nvme_sqe *asq, uint16_t asq_entries,
		     struct nvme_cqe *acq, uint16_t acq_entries);

/*
 * Fetches and executes every new entry of submission queue qid at now_ns;
 * their completions become due at the modelled times. Returns the number of
 * commands fetched (an invalid doorbell value raises an asynchronous event
 * and fetches nothing).
 */
int nvme_ctrl_process_sq(struct nvme_ctrl *ctrl, uint16_t qid, uint64_t now_ns);

/* Posts every completion due at or before now_ns whose CQ has room, calling
 * the post hook once per CQ that got entries. Returns how many were posted. */
int nvme_ctrl_post_due(struct nvme_ctrl *ctrl, uint64_t now_ns);

/* Records each command's modelled latency (completion minus fetch time) by
 * queue and command identifier, for measuring real-time fidelity. Returns 0
 * or -ENOMEM. */
int nvme_ctrl_trace_model(struct nvme_ctrl *ctrl);

static inline uint64_t nvme_ctrl_model_ns(const struct nvme_ctrl *ctrl, uint16_t sqid, uint16_t cid)
{
	return ctrl->model_ns ? ctrl->model_ns[(uint32_t)sqid * (NVME_MQES + 1) + cid] : 0;
}

/* When the next completion is due, or UINT64_MAX. */
static inline uint64_t nvme_ctrl_next_due(const struct nvme_ctrl *ctrl)
{
	return ctrl->pend.len ? ctrl->pend.v[0].due_ns : UINT64_MAX;
}

/*
 * A check that rejects a command: returns status, and with debug=nvme says
 * on stderr which command, which field, which check (fmt: the reason, as
 * "slba 0x100000 + nlb 8 is past the namespace's 0xfffff LBAs"). A command
 * rejected without a reason is said with its status alone. Off, it costs a
 * branch.
 */
uint16_t nvme_reject_say(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint16_t status,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
#define nvme_reject(ctrl, sqe, status, ...)                                                        \
	((ctrl)->debug_nvme ? nvme_reject_say((ctrl), (sqe), (status), __VA_ARGS__) : (status))
/* The status-only line for a command rejected where no reason was said. */
void nvme_reject_default(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint16_t status);

/*
 * A command of a command set, in that set's table keyed by opcode: its name
 * as nvme-cli says it, what runs it, and its Commands Supported and Effects
 * bits. Dispatch and the effects log both read the tables, so they agree.
 */
struct nvme_cmd_def {
	const char *name;
	void (*exec)(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
		     struct nvme_result *r);
	uint32_t effects;
	/* whether the controller serves it as it is now (NULL: always) */
	bool (*serves)(const struct nvme_ctrl *ctrl);
};

/* A table row of a command served whenever its set is. */
#define NVME_CMD(nm, fn, eff)                                                                      \
	{                                                                                          \
		.name = (nm), .exec = (fn), .effects = (eff)                                       \
	}

/* Whether cmd is a command the controller serves now: dispatch runs it, and
 * the effects log lists it. */
static inline bool nvme_cmd_served(const struct nvme_ctrl *ctrl, const struct nvme_cmd_def *cmd)
{
	return cmd->exec && (!cmd->serves || cmd->serves(ctrl));
}
/* The effects of a command that writes or deallocates LBAs. */
#define NVME_CMD_CHANGES_LBAS (NVME_CMD_EFFECTS_CSUPP | NVME_CMD_EFFECTS_LBCC)
/* Flush, the same in every I/O command set. */
void nvme_flush_exec(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
		     struct nvme_result *r);
extern const struct nvme_cmd_def nvme_admin_cmds[256]; /* admin.c */
extern const struct nvme_cmd_def nvme_nvm_cmds[256];   /* io.c */
extern const struct nvme_cmd_def nvme_oc_cmds[256];    /* ocssd.c */
extern const struct nvme_cmd_def nvme_zns_cmds[256];   /* zns.c */
/* A zoned namespace's Identify data for CSI 02h: CNS 05h and 06h. */
void nvme_zns_identify_ns(const struct nvme_ctrl *ctrl, struct nvme_id_ns_zns *id);
void nvme_zns_identify_ctrl(struct nvme_id_ctrl_zns *id);
/* The FTL changed a zone (ftl_events.zone_changed): listed, and announced. */
void nvme_zns_zone_changed(void *arg, uint64_t zslba);
/* The Changed Zone List, emptied by a read without RAE. */
uint16_t nvme_zns_changed_log(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint8_t *log,
			      uint64_t *size);
/* The I/O command set the namespace serves (the NVM set while it is not ready). */
const struct nvme_cmd_def *nvme_io_cmds(const struct nvme_ctrl *ctrl);

/* Internal to src/nvme: the command sets and event reporting. */
void nvme_admin_exec(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
		     struct nvme_result *r);
void nvme_io_exec(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
		  struct nvme_result *r);
/* A namespace serving the open-channel command set: Geometry (its Identify
 * data); its I/O commands are nvme_oc_cmds. */
uint16_t nvme_oc_geometry(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe);
/* Bytes of LBA format lbaf as Identify lists them, 0 for none. */
uint32_t nvme_lbaf_bytes(const struct nvme_ctrl *ctrl, uint8_t lbaf);
/* Identify (identify.c), Get/Set Features (features.c), Get Log Page (logs.c). */
uint16_t nvme_identify(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe);
uint16_t nvme_get_features(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
			   uint32_t *result);
uint16_t nvme_set_features(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
			   uint32_t *result);
uint16_t nvme_get_log_page(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns);
/* Maps bytes of a command's data through its data pointer, PRPs or an SGL
 * as PSDT says. Returns 0 or the NVMe status of a bad PRP or SGL. */
uint16_t nvme_map_dptr(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t bytes,
		       struct dma_sgl *sgl);
/* The same for a transfer command, whose length MDTS bounds: Invalid
 * Field for a transfer over it. */
uint16_t nvme_map_data(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t bytes,
		       struct dma_sgl *sgl);
/* Whether a Get Log Page window [off, off + bytes) of a log of size bytes
 * is one the controller serves: 0, or Invalid Field (a misaligned offset,
 * a transfer over MDTS, an offset past the end). */
static inline uint16_t nvme_log_window(uint64_t off, uint64_t bytes, uint64_t size)
{
	if ((off & 3) || bytes > NVME_MAX_XFER_BYTES || (off >= size && bytes))
		return NVME_SC_INVALID_FIELD;
	return NVME_SC_SUCCESS;
}
/* Copies a command's data to or from host memory through its data
 * pointer. Returns 0 or the NVMe status of a bad PRP or SGL. */
uint16_t nvme_data_to_host(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, const void *data,
			   uint64_t bytes);
uint16_t nvme_data_from_host(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, void *data,
			     uint64_t bytes);

/* A 128-bit little-endian counter (SMART, FDP statistics) from 64 bits. */
static inline void nvme_put_le128(uint8_t out[16], uint64_t v)
{
	memset(out, 0, 16);
	memcpy(out, &v, sizeof(v));
}

/* What the controller hears from the FTL: FDP's events and health
 * changes (ctrl.c). */
void nvme_ctrl_attach(struct nvme_ctrl *ctrl);

/* SMART / Health events (io.c), each raised once, when the condition it
 * warns of first holds. */
void nvme_health_events(struct nvme_ctrl *ctrl, uint64_t now_ns);

/* FDP (fdp.c): hooks into the FTL, log pages, I/O Management, features.
 * The FTL hooks FDP needs, into ev (nothing without FDP). */
void nvme_fdp_events(const struct nvme_ctrl *ctrl, struct ftl_events *ev);
/* Where a write goes: with the data placement directive, what its
 * placement identifier names; without it (or for an invalid one, which
 * logs event 03h) placement handle 0 in reclaim group 0. */
struct placement nvme_fdp_placement(struct nvme_ctrl *ctrl, bool directive, uint16_t pid);
/* The Reclaim Unit Handle Status list: its length (the namespace's
 * placement handles x fdp_nrg, none with FDP off) and entry i's
 * identifier (placement handle by placement handle, each group by group):
 * what fio's placement ID indices select. */
uint32_t nvme_fdp_status_count(const struct nvme_ctrl *ctrl);
uint16_t nvme_fdp_status_pid(const struct nvme_ctrl *ctrl, uint32_t i);
uint16_t nvme_fdp_log(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint8_t *buf,
		      uint64_t *size);
void nvme_fdp_io_mgmt(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint64_t now_ns,
		      struct nvme_result *r);
uint16_t nvme_fdp_set_features(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe,
			       uint32_t *result);
uint16_t nvme_fdp_get_features(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe,
			       uint32_t *result);

/* Queues an asynchronous event (type, information, log page) and completes a
 * waiting AER with it if there is one. */
/* The SMART / Health Critical Warning now (NVME_SMART_CW_*). */
uint8_t nvme_critical_warning(const struct nvme_ctrl *ctrl);

void nvme_raise_event(struct nvme_ctrl *ctrl, uint8_t type, uint8_t info, uint8_t log_page,
		      uint64_t now_ns);
/* Completes waiting AERs with queued events. */
void nvme_deliver_events(struct nvme_ctrl *ctrl, uint64_t now_ns);
int nvme_ctrl_queue_completion(struct nvme_ctrl *ctrl, uint16_t cqid, uint64_t due_ns,
			       const struct nvme_cqe *cqe);

#endif
