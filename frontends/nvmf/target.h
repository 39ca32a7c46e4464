/*
 * Inside the NVMe/TCP target: the target (one subsystem over one vssd
 * device, its listeners and the event loop), its controllers (one per
 * association, dynamic controller IDs, or the discovery controller) and
 * their queues, each a TCP connection (conn.c) whose commands (command.c)
 * carry data between the socket and memory the device reaches by DMA.
 *
 * A loop runs a connection, the device included (its inline runtime): it
 * reads the socket, submits what arrived, posts the device's completions
 * when they are due (sleeping until the next one, or spinning the last
 * stretch) and answers them, so no command waits for another thread to
 * wake. The main loop serves the listeners, admin and discovery queues
 * through one epoll set; each I/O queue, once connected, gets a loop and a
 * thread of its own, as nbdkit gives each connection. What I/O threads
 * share with the main one: the device (its library locks), the statistics
 * (thread-safe), a controller's traffic time (atomic) and its queue table
 * (t->lock); the main thread ends a controller only after its I/O threads
 * have ended.
 */
#ifndef VSSD_NVMF_TARGET_H
#define VSSD_NVMF_TARGET_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fabrics.h"
#include "nvmf.h"
#include "tcp_pdu.h"
#include "vssd/served.h"
#include "vssd/vssd.h"

#define NVMF_MAX_CTRLS 64
#define NVMF_MAX_QUEUES 64		 /* admin + 63 I/O queues, as the device has */
#define NVMF_MAX_QUEUE_ENTRIES 1024	 /* CAP.MQES + 1 */
#define NVMF_ADMIN_QUEUE_ENTRIES 32	 /* the largest admin queue (ASQSZ) */
#define NVMF_INCAPSULE_BYTES (16u << 10) /* data a command capsule may carry */
#define NVMF_MAXH2CDATA (128u << 10)	 /* data one H2CData PDU may carry */
#define NVMF_KAS_100MS 10		 /* keep alive granularity: 1 s */
#define NVMF_PDU_HEADER_MAX 128		 /* ICReq's, the longest header */

struct nvmf_target;
struct nvmf_conn;
struct nvmf_cmd;

/* The namespace the subsystem serves: the device's own, whose commands go
 * to the device (admin.c), or a block namespace of pblk, the host FTL over
 * the open-channel device (pblk_ns.c). The device answers admin commands
 * for both; a namespace answers some itself and amends others' answers. */
struct nvmf_ns_ops {
	const char *name;
	bool device_queue_pairs; /* each I/O queue has one of the device's */
	/* Opens what it needs beyond the device; fills in t->info as its hosts
	 * see it (capacity, LBA size, queues). Returns 0 or a negative errno
	 * with a message in err. */
	int (*open)(struct nvmf_target *t, char *err, size_t errlen);
	void (*close)(struct nvmf_target *t);
	/* An I/O command: answered now, or once the device has. */
	void (*io)(struct nvmf_cmd *cmd);
	/* An admin command it answers itself: true once answered. */
	bool (*admin)(struct nvmf_cmd *cmd);
	/* The device's successful answer to an admin command, in cmd->buf, as
	 * this namespace's host must see it. */
	void (*amend)(struct nvmf_cmd *cmd);
	/* Makes what it caches durable: 0, a negative errno or an NVMe status. */
	int (*flush)(struct nvmf_target *t);
};
extern const struct nvmf_ns_ops nvmf_device_ns, nvmf_pblk_ns;

/* What an epoll event is about. */
enum nvmf_poll_kind {
	POLL_LISTEN, /* a listening socket: ptr is its fd */
	POLL_CONN,   /* a connection's socket */
	POLL_ADMIN,  /* the device's admin queue has completions */
	POLL_STOP,   /* SIGINT or SIGTERM */
};
struct nvmf_poll {
	enum nvmf_poll_kind kind;
	void *ptr;
};

/* What a loop keeps: its clock (read once or twice a turn), when it last
 * had work, and its counts. */
struct nvmf_loop {
	uint64_t now_ns, busy_ns;
	bool spinning; /* holds one of the target's spinner slots */
	uint64_t turns, reads, writes, commands, protocol_errors;
};

/* A controller: the state of one association (an admin queue and its I/O
 * queues), as a host sees it through properties and Identify. */
#define NVMF_ERR_LOG_ENTRIES 64

struct nvmf_ctrl {
	struct nvmf_target *t;
	uint16_t cntlid;
	bool discovery; /* the discovery controller: no namespace, log page 70h */
	char hostnqn[NVMF_NQN_BYTES];
	uint32_t cc, csts;
	/* CC.CSS chose the NVM command set alone, and the namespace is zoned:
	 * it is inactive to this controller */
	bool ns_inactive;
	uint32_t kato_ms;			  /* 0: no keep alive */
	_Atomic uint64_t traffic_ns;		  /* its last command, on any of its queues */
	struct nvmf_conn *queue[NVMF_MAX_QUEUES]; /* by qid; 0 is the admin queue */
	int client;				  /* the statistics' client: the host */
	/* its Error Information log (errlog.c), under the target's lock */
	uint64_t error_count;
	struct nvme_error_log errlog[NVMF_ERR_LOG_ENTRIES];
};

/* A command in flight on a queue: the host's SQE, its data in memory the
 * device reaches, and how far that data has come. */
enum nvmf_cmd_state {
	CMD_FREE,
	CMD_RECV,     /* its capsule is being read */
	CMD_WAIT_H2C, /* an R2T sent; H2CData PDUs bring the data */
	CMD_DEVICE,   /* submitted to the device */
	CMD_HELD,     /* the discovery controller's AER: answered never, freed at close */
};
struct nvmf_cmd {
	struct nvmf_conn *conn;
	enum nvmf_cmd_state state;
	struct nvme_sqe sqe; /* as the host sent it (cid: the host's) */
	uint8_t *buf;	     /* registered for DMA (vssd_dma_alloc), buf_bytes long */
	uint32_t buf_bytes;
	uint32_t data_bytes; /* the command's data: the SGL's length */
	uint32_t h2c_bytes;  /* received so far (writes through R2T) */
	uint16_t h2c_status; /* a data digest failed: the command ends with this */
	bool to_host;	     /* data goes controller to host (C2HData) */
	int device_cid;	     /* CMD_DEVICE: the identifier the device gave it */
	bool data_in_place;  /* its in-capsule data was read straight into buf */
	uint64_t start_ns;   /* for the latency statistics */
};

/* How an incoming PDU is read: its header, then pad, data and digest. */
enum nvmf_rx_state { RX_HEADER, RX_PAD, RX_DATA, RX_DDGST };

struct nvmf_conn {
	struct nvmf_target *t;
	int fd; /* -1: no socket (a fuzzer feeds bytes; output is dropped) */
	char peer[64];
	char local_addr[64], local_port[8]; /* where the host reached us */
	bool icreq_done, hdgst, ddgst;
	bool closing; /* no more input: ends once what it sent has gone */
	bool dead;    /* closed; freed when the device has answered its commands */
	/* the queue, once Connect has bound it */
	struct nvmf_ctrl *ctrl;
	uint16_t qid;
	uint16_t entries;      /* SQSIZE + 1 */
	uint16_t sqhd;	       /* the SQ head pointer a response carries */
	bool sqflow_off;       /* Connect disabled SQ flow control: SQHD is not needed */
	struct vssd_qpair *qp; /* an I/O queue's on the device */
	int client;	       /* vssd_served client index, -1 before Connect */
	/* commands, by transfer tag */
	struct nvmf_cmd cmd[NVMF_MAX_QUEUE_ENTRIES];
	uint16_t free_tag[NVMF_MAX_QUEUE_ENTRIES];
	uint16_t nfree;
	uint32_t device_inflight; /* commands the device has not answered */
	/* receiving */
	enum nvmf_rx_state rx_state;
	_Alignas(8) uint8_t
		hdr[NVMF_PDU_HEADER_MAX + NVME_TCP_DIGEST_BYTES]; /* read as the PDU structs */
	uint32_t hdr_have, hdr_want; /* hdr_want: 8 until the common header is in */
	uint32_t pad_left, data_left, data_bytes;
	uint8_t *data_dst; /* where the data goes (NULL: nowhere, a termination request) */
	uint32_t ddgst_crc;
	uint8_t ddgst_in[NVME_TCP_DIGEST_BYTES];
	uint32_t ddgst_have;
	struct nvmf_cmd *data_cmd; /* whose data arrives (H2CData, in-capsule) */
	uint8_t capsule[NVMF_INCAPSULE_BYTES];
	uint8_t term_data[NVME_TCP_TERM_MAX_DATA + 24];
	/* sending: bytes waiting for the socket */
	uint8_t *tx;
	size_t tx_len, tx_off, tx_cap;
	bool want_out; /* EPOLLOUT asked for */
	struct nvmf_poll sock_poll;
	struct nvmf_loop *loop; /* the loop serving it: the target's, or its own */
	/* an I/O queue's own thread */
	bool want_thread; /* Connect has made it an I/O queue: it leaves the main loop */
	bool threaded;
	struct nvmf_loop own;
	pthread_t thread;
	atomic_bool stop, thread_done;
	struct nvmf_conn *next; /* in the target's list */
};

struct nvmf_target {
	struct nvmf_opts opts;
	struct vssd *dev;
	struct vssd_served *served;
	struct vssd_info info; /* the device's, but for what ns->open changed */
	const struct nvmf_ns_ops *ns;
	struct vssd_pblk *pblk; /* nvmf_pblk_ns's */
	char subnqn[NVMF_NQN_BYTES];
	int epfd, listen_fd, disc_fd, admin_efd, stop_fd;
	struct nvmf_ctrl *ctrl[NVMF_MAX_CTRLS]; /* by cntlid - 1 */
	uint16_t next_cntlid;
	struct nvmf_poll listen_poll, disc_poll, admin_poll, stop_poll;
	struct nvmf_conn *conns;
	bool stopping;
	struct nvmf_loop main;	 /* the main loop's */
	struct nvmf_loop totals; /* the I/O threads' that have ended */
	pthread_mutex_t lock;	 /* controllers' queue tables, and the totals */
	uint64_t ka_next_ns;	 /* no keep alive deadline before it */
	atomic_int spinners;	 /* loops polling without sleeping */
	int max_spinners;	 /* half the cores, at least one */
};

/* target.c */
uint64_t nvmf_now_ns(void);
/* The target over a device opened from opts (no sockets yet: nvmf_serve
 * listens; a fuzzer makes connections of its own). Returns 0 or a negative
 * errno with a message in err. */
int nvmf_target_open(const struct nvmf_opts *opts, struct nvmf_target **out, char *err,
		     size_t errlen);
/* Ends every controller, closes the device, prints the report to report (or not: NULL). */
void nvmf_target_close(struct nvmf_target *t, FILE *report);
/* Makes what the namespace caches durable (a controller's shutdown). */
void nvmf_target_flush(struct nvmf_target *t);
/* How long loop l may sleep, its clock read (worked: it just had work):
 * not at all within rt_spin_ns of its last work (a busy loop answers the
 * next command without waiting to be woken, as the device's own runtime
 * threads poll) or of the device's next completion (for the precision the
 * model asks), if a spinner's slot is free; else until shortly before that
 * completion, deadline_ns, or a second. */
struct timespec nvmf_loop_sleep(struct nvmf_loop *l, struct nvmf_target *t, bool worked,
				uint64_t deadline_ns);
/* A loop that ends gives back its spinner's slot. */
void nvmf_loop_end(struct nvmf_loop *l, struct nvmf_target *t);
/* A line on stderr about a connection (its peer and queue). */
void nvmf_say(const struct nvmf_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* conn.c: the PDU stream of one connection. */
/* Appends a PDU: its header (hlen bytes, common header filled in here),
 * the digests negotiated, and data_bytes of data. */
void nvmf_conn_send_pdu(struct nvmf_conn *c, void *hdr, uint8_t hlen, const void *data,
			uint32_t data_bytes);
struct nvmf_conn *nvmf_conn_new(struct nvmf_target *t, int fd, const char *peer);
/* Reads what the socket has (into buf, RX_CHUNK bytes) and acts on it;
 * closes the connection when the host has gone. */
void nvmf_conn_read(struct nvmf_conn *c, uint8_t *buf);
#define NVMF_RX_CHUNK (256u << 10)
/* Bytes that arrived: read as PDUs, each acted on as it completes. Returns
 * 0, or -1 when the connection must end (a termination request sent). */
int nvmf_conn_rx(struct nvmf_conn *c, const uint8_t *p, size_t n);
/* Sends a termination request (C2HTermReq) for the PDU header at fault,
 * says why, and ends the connection once it has gone. */
void nvmf_conn_fatal(struct nvmf_conn *c, uint16_t fes, uint32_t fei, const char *why);
/* Queues n bytes for the socket. */
void nvmf_conn_send(struct nvmf_conn *c, const void *p, size_t n);
/* Writes what is queued; asks for EPOLLOUT while the socket is full.
 * Returns 0, or -1 when the peer has gone. */
int nvmf_conn_flush(struct nvmf_conn *c);
/* Ends the connection: no more input or output; freed once the device has
 * answered the commands it holds (nvmf_conn_reap). */
void nvmf_conn_close(struct nvmf_conn *c);
/* Frees closed connections with nothing in flight. */
void nvmf_conn_reap(struct nvmf_target *t);
/* An I/O queue's thread, after Connect: it serves the connection until it
 * closes or nvmf_conn_stop() asks. Returns 0, or -1 (it stays in the main
 * loop). */
int nvmf_conn_thread(struct nvmf_conn *c);
/* Ends an I/O queue's thread and waits for it (the device has answered all
 * its commands then). */
void nvmf_conn_stop(struct nvmf_conn *c);
/* Whether the calling thread is c's own. */
bool nvmf_conn_is_mine(const struct nvmf_conn *c);

/* command.c: a capsule's command, its data, and its response. A capsule
 * whose data failed its digest is answered with Transient Transport Error. */
void nvmf_cmd_capsule(struct nvmf_conn *c, const struct nvme_sqe *sqe, uint32_t incapsule_bytes,
		      bool digest_ok);
/* Where a capsule's in-capsule data goes: straight into a new command's
 * buffer when its SGL takes all of it (the command then begins here), else
 * the connection's capsule buffer; NULL after a termination request. */
uint8_t *nvmf_cmd_incapsule_dst(struct nvmf_conn *c, const struct nvme_sqe *sqe, uint32_t bytes);
/* H2CData for the command with transfer tag ttag: where its bytes go, or
 * NULL after a termination request. */
uint8_t *nvmf_cmd_h2c(struct nvmf_conn *c, const struct nvme_tcp_data *pdu);
/* The H2CData PDU is in (its digest right or not): the command runs once
 * its last data has come. */
void nvmf_cmd_h2c_done(struct nvmf_conn *c, const struct nvme_tcp_data *pdu, bool digest_ok);
/* The command's data is all in: run it. */
void nvmf_cmd_run(struct nvmf_cmd *cmd);
/* Sends the response (and the data before it) and frees the command. */
void nvmf_cmd_complete(struct nvmf_cmd *cmd, const struct nvme_cqe *cqe);
void nvmf_cmd_status(struct nvmf_cmd *cmd, uint16_t status, uint32_t result);
/* Answers a Get Log Page with the part of log (len bytes) its offset and
 * length ask for (zeros past the end). */
void nvmf_cmd_log_answer(struct nvmf_cmd *cmd, const void *log, uint64_t len);
/* Frees the command (its data buffer stays for the next one). */
void nvmf_cmd_free(struct nvmf_cmd *cmd);
/* The device answered a command: respond, or free it when its connection
 * has closed meanwhile. */
void nvmf_cmd_device_done(void *arg, const struct nvme_cqe *cqe);
/* The command as the device takes it: its data an SGL data block in buf. */
void nvmf_cmd_device_sqe(const struct nvmf_cmd *cmd, struct nvme_sqe *out);

/* errlog.c: a controller's own Error Information log. */
/* A command of the controller's ended with status (phase bit clear). */
void nvmf_errlog_note(struct nvmf_cmd *cmd, uint16_t status);
/* Answers Get Log Page 01h from the controller's log, newest first. */
void nvmf_errlog_page(struct nvmf_cmd *cmd);
/* Errors the controller has logged (SMART's count of log entries). */
uint64_t nvmf_errlog_count(struct nvmf_ctrl *ctrl);

/* fabrics.c: Connect, the properties, Disconnect, and controllers. */
void nvmf_fabrics_exec(struct nvmf_cmd *cmd);
/* Ends a controller: closes its queues and forgets it. */
void nvmf_ctrl_end(struct nvmf_ctrl *ctrl, const char *why);
/* Ends controllers whose keep alive timer ran out; returns when the next
 * one would (UINT64_MAX: none runs). */
uint64_t nvmf_keep_alive_check(struct nvmf_target *t, uint64_t now_ns);
/* A Keep Alive (or any command, as traffic) restarts the timer. */
void nvmf_keep_alive_touch(struct nvmf_ctrl *ctrl, uint64_t now_ns);

/* admin.c: admin commands of an I/O controller: what the target answers
 * itself (Keep Alive, the KATO feature, queue creation refused), what it
 * completes for the fabrics host (Identify's fabrics fields) and the rest,
 * which the device answers. */
void nvmf_admin_exec(struct nvmf_cmd *cmd);
/* A closing admin queue's commands the device holds (Asynchronous Event
 * Requests) are aborted, and those the target holds freed. */
void nvmf_abort_held(struct nvmf_conn *c);

/* discovery.c: the discovery controller's admin commands. */
void nvmf_discovery_exec(struct nvmf_cmd *cmd);

#endif
