/*
 * pblk's state, shared by its files: the device's geometry, lines, the L2P
 * table, the write ring buffer, garbage collection, the rate limiter and
 * the command contexts in flight.
 */
#ifndef VSSD_HOST_PBLK_INT_H
#define VSSD_HOST_PBLK_INT_H

#include "host/pblk/pblk.h"

#define PBLK_EMPTY UINT32_MAX	/* an L2P entry or line LBA that maps nothing */
#define PBLK_CACHED 0x80000000u /* an L2P entry in the ring buffer: the low bits index it */
#define PBLK_MAX_VEC NVME_OC_MAX_LBAS
#define PBLK_NSID 1 /* the open-channel device's namespace, as LightNVM uses it */
#define PBLK_CMD_CTXS 64
#define PBLK_GC_READS 4	       /* GC's vector reads in flight at most */
#define PBLK_MAX_WRITE_FAILS 8 /* failed writes of one buffered sector before pblk gives up */

/* The 8 bytes of out-of-band metadata of each sector: the LBA it holds and
 * the sequence number of the line it was written in (recovery orders lines
 * by it when smeta is lost). Padding and line metadata hold PBLK_EMPTY. */
static inline uint64_t pblk_oob(uint32_t lba, uint64_t seq)
{
	return (uint64_t)(uint32_t)seq << 32 | lba;
}

#define PBLK_SMETA_MAGIC 0x41544d53424c4250ull /* "PBLKSMTA" */
#define PBLK_EMETA_MAGIC 0x41544d45424c4250ull /* "PBLKEMTA" */

/* The header of smeta (a line's first sectors) and emeta (its last). */
struct line_header {
	uint64_t magic;
	uint64_t seq;
	uint32_t line, nr_lbas;
	uint32_t valid;	   /* emeta: the line's valid sectors when it was closed */
	uint32_t crc;	   /* of the header (crc 0) and what follows it */
	uint64_t capacity; /* smeta: the user's sectors (kept as chunks go bad) */
};

/* Its CRC (computed with crc 0) over the header and len bytes after it. */
uint32_t pblk_header_crc(struct line_header *h, const void *rest, size_t len);

enum pblk_line_state {
	PBLK_LINESTATE_FREE,	  /* erased, ready to open */
	PBLK_LINESTATE_OPEN,	  /* being written */
	PBLK_LINESTATE_CLOSING,	  /* emeta in flight */
	PBLK_LINESTATE_CLOSED,	  /* full: a GC candidate */
	PBLK_LINESTATE_GC,	  /* its valid data is being moved */
	PBLK_LINESTATE_FREEING,	  /* moved: its chunks are reset once the copies are synced */
	PBLK_LINESTATE_RESETTING, /* its chunk resets are in flight */
	PBLK_LINESTATE_BAD,	  /* too few good chunks to use */
};

struct pblk_line {
	uint32_t id;
	uint8_t state;
	bool w_err;	      /* a write in it failed: GC takes it first */
	uint32_t nr_good;     /* good chunks: the parallel units it stripes over */
	uint16_t *good_pu;    /* their PU indices */
	uint32_t *chunk_done; /* per good PU: sectors written (the chunk's write pointer) */
	uint32_t cap;	      /* nr_good * clba */
	uint32_t data_end;    /* emeta starts here */
	uint32_t cur;	      /* next sector to assign */
	uint32_t vsc;	      /* L2P entries that point into it */
	uint32_t rb_refs;     /* ring entries written into it whose L2P is not yet moved */
	uint64_t seq;
	uint64_t free_after; /* PBLK_LINESTATE_FREEING: reset once the sync pointer reaches this */
	uint32_t *lba;	     /* per sector: the LBA it holds (the emeta list) */
	uint32_t meta_inflight; /* smeta, emeta and reset commands not yet completed */
	uint32_t data_inflight; /* data writes not yet completed */
};

struct rb_entry {
	uint32_t lba;  /* PBLK_EMPTY: padding, or a GC copy gone stale */
	uint32_t addr; /* line * line_max + sector, once assigned; PBLK_EMPTY before */
	/* from addr, kept for the l2p pointer's test, which runs per entry: its
	 * line, good-PU index, and the count of its chunk's sectors written at
	 * which the device can serve it */
	uint32_t line, ready;
	uint16_t pu_i;
	bool synced;
	bool gc;	     /* written by GC (the rate limiter counts them apart) */
	uint8_t write_fails; /* failed writes of this entry, up to PBLK_MAX_WRITE_FAILS */
};

/* One vector command in flight, in DMA memory: its LBA list, metadata and
 * PRP list, and what it was for. */
struct pblk_cmd {
	uint64_t *lbas, *meta, *prp; /* in its own DMA page */
	struct pblk *pb;
	struct pblk_cmd *next_free;
	uint32_t n;
	struct pblk_line *line;
	uint32_t first_sec;		/* metadata writes: line sector of lbas[0] */
	uint32_t sec[PBLK_MAX_VEC];	/* data writes: each address's line sector */
	uint32_t rb_idx[PBLK_MAX_VEC];	/* data writes: each address's ring entry */
	struct host_bio *bio;		/* a read's */
	uint32_t bio_off[PBLK_MAX_VEC]; /* a read's: the bio sector each address fills */
	uint8_t *bounce;		/* reads': PBLK_MAX_VEC sectors */
	int rc;				/* synchronous commands (recovery): 0 or the NVMe status */
	uint64_t failed;		/* synchronous commands: the per-address failure bitmap */
	bool done;
};

/* The rate limiter (pblk-rl.c): the ring buffer's entries are shared
 * between user and GC writes by how many chunks are free. */
struct pblk_rl {
	uint64_t rb_budget, rb_user_max, rb_gc_max;
	uint64_t rb_user_cnt, rb_gc_cnt; /* entries in the ring not yet submitted */
	uint32_t high, rsv;		 /* thresholds, in free chunks */
	uint32_t high_pw, windows_pw;
	uint32_t free_blocks;
	uint8_t state; /* PBLK_RL_* */
};

struct pblk_gc {
	struct pblk_line *victim;
	uint32_t next_sec; /* the victim's next sector to look at */
	uint32_t reads_inflight;
	uint64_t reserved;		     /* ring entries kept for the reads in flight */
	uint32_t *freeing;		     /* lines waiting for their reset, oldest first */
	uint32_t freeing_head, freeing_tail; /* positions, modulo the number of lines */
};

struct pblk {
	struct pblk_config cfg;
	struct host_transport tr;
	/* geometry */
	uint32_t ngrp, npu, nchk, clba, nr_pus;
	uint8_t sec_bits, chk_bits, pu_bits;
	uint32_t ws_min, ws_opt, mw_cunits;
	uint32_t line_max; /* clba * nr_pus: line sectors in an L2P address */
	uint32_t smeta_secs, emeta_secs;
	/* lines */
	struct pblk_line *lines;
	uint8_t *offline;      /* per chunk, [line * nr_pus + PU] */
	struct pblk_line *cur; /* the open line */
	uint64_t next_seq;
	/* map */
	uint64_t capacity;
	uint64_t data_secs; /* data sectors of all usable lines */
	uint32_t *l2p;
	/* write ring buffer: mem >= subm >= sync >= l2p, mem - l2p <= size */
	struct rb_entry *rb;
	uint8_t *rb_data;
	uint64_t rb_size, rb_mem, rb_subm, rb_sync, rb_l2p;
	uint32_t *resub; /* ring entries whose write failed, to be written again */
	uint64_t resub_head, resub_tail;
	struct pblk_rl rl;
	struct pblk_gc gc;
	/* block requests */
	struct host_bio *done_head;		/* completions waiting for their time, by due */
	struct host_bio *wait_head, *wait_tail; /* requests waiting for buffer or contexts */
	struct host_bio *flush_head;		/* flushes waiting for the sync pointer */
	uint64_t now_ns;
	/* commands */
	struct pblk_cmd *cmds, *free_cmds;
	uint32_t nfree_cmds;
	uint8_t *cmd_pages, *bounces;
	uint8_t *smeta_buf, *emeta_buf; /* of the line being opened, and closed */
	uint8_t *zero_page;
	bool emeta_busy;
	struct pblk_stats st;
	char err[256];
};

/* Device address of a line's sector. */
uint64_t pblk_dev_addr(const struct pblk *pb, const struct pblk_line *line, uint32_t sec);
/* The line sector's good-PU index and chunk sector. */
static inline void pblk_sec_pos(const struct pblk *pb, uint32_t sec, const struct pblk_line *line,
				uint32_t *pu_i, uint32_t *chunk_sec)
{
	uint32_t unit = sec / pb->ws_opt;

	*pu_i = unit % line->nr_good;
	*chunk_sec = unit / line->nr_good * pb->ws_opt + sec % pb->ws_opt;
}

/* The L2P is far larger than the caches and each look-up lands somewhere
 * else: scans over known LBAs (GC's victim, the ring's l2p pointer) ask for
 * the entry this many steps ahead. */
#define PBLK_PREFETCH_AHEAD 8

static inline void pblk_l2p_prefetch(const struct pblk *pb, uint32_t lba)
{
	if (lba < pb->capacity)
		__builtin_prefetch(&pb->l2p[lba]);
}

static inline uint64_t pblk_cqe_failed(const struct nvme_cqe *cqe)
{
	return cqe->result | (uint64_t)cqe->dw1 << 32;
}

/* pblk.c */
/* A device command completed: pblk's clock catches up with the host's. */
void pblk_tick(struct pblk *pb);
/* A vector command over c's n addresses and metadata; data in c->prp[0..n)
 * (page addresses; the PRP list is c->prp from entry 1). */
struct nvme_sqe pblk_vector_sqe(uint8_t opcode, const struct pblk_cmd *c);
struct pblk_cmd *pblk_cmd_get(struct pblk *pb);
void pblk_cmd_put(struct pblk *pb, struct pblk_cmd *c);
void pblk_bio_due(struct pblk *pb, struct host_bio *bio, uint64_t due_ns);
void pblk_fail(struct pblk *pb, const char *what, uint16_t status);

/* Index into the chunk log of line l's chunk on PU index u (u = pu * ngrp + grp). */
uint32_t pblk_log_index(const struct pblk *pb, uint32_t l, uint32_t u);
/* Sets the line's good PUs, capacity and data area from the offline map. */
void pblk_line_setup(struct pblk *pb, struct pblk_line *line);
/* Runs a vector command to completion (recovery); returns its status. */
uint16_t pblk_cmd_sync(struct pblk *pb, struct pblk_cmd *c, uint8_t opcode);

/* write.c */
int pblk_write(struct pblk *pb, struct host_bio *bio);
void pblk_flush(struct pblk *pb, struct host_bio *bio);
void pblk_trim(struct pblk *pb, struct host_bio *bio);
void pblk_writer_kick(struct pblk *pb);
/* After a command completed: flushes, waiting requests, GC, the writer. */
void pblk_after_completion(struct pblk *pb);
uint64_t pblk_rb_free(const struct pblk *pb);
/* Frees the oldest synced entries until `need` are free (or none can go). */
void pblk_rb_update_l2p(struct pblk *pb, uint64_t need);
/* A GC copy of lba, read from old_addr, enters the ring (if still valid). */
void pblk_rb_put_gc(struct pblk *pb, uint32_t lba, const uint8_t *data, uint32_t old_addr);
struct pblk_line *pblk_line_of_addr(struct pblk *pb, uint32_t addr);
/* read.c: pblk_read_try starts a read, or returns false when it must wait */
int pblk_read(struct pblk *pb, struct host_bio *bio);
bool pblk_read_try(struct pblk *pb, struct host_bio *bio);
void pblk_wait_enqueue(struct pblk *pb, struct host_bio *bio);
/* gc.c */
void pblk_gc_kick(struct pblk *pb);
/* A line's GC group (PBLK_GC_GROUP_*): write errors first, then by valid count. */
int pblk_gc_group(const struct pblk *pb, const struct pblk_line *line);
/* rl.c */
void pblk_rl_init(struct pblk *pb);
void pblk_rl_update(struct pblk *pb);
bool pblk_rl_user_may_insert(const struct pblk *pb, uint32_t nr);
bool pblk_rl_gc_may_insert(const struct pblk *pb, uint32_t nr);
/* recovery.c: rebuilds lines and the L2P from a device that holds data */
int pblk_recover(struct pblk *pb, const uint8_t *chunk_state, const uint32_t *chunk_wp, char *err,
		 size_t errlen);

#endif
