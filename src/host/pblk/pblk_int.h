/*
 * pblk's state, shared by its files: the device's geometry, lines, the L2P
 * table, the write ring buffer and the command contexts in flight.
 */
#ifndef VSSD_HOST_PBLK_INT_H
#define VSSD_HOST_PBLK_INT_H

#include "host/pblk/pblk.h"

#define PBLK_EMPTY UINT32_MAX /* an L2P entry or line LBA that maps nothing */
#define PBLK_CACHED 0x80000000u /* an L2P entry in the ring buffer: the low bits index it */
#define PBLK_MAX_VEC NVME_OC_MAX_LBAS
#define PBLK_CMD_CTXS 64

enum line_state { LINE_FREE, LINE_OPEN, LINE_CLOSING, LINE_CLOSED, LINE_BAD };

struct pblk_line {
	uint32_t id;
	uint8_t state;
	uint32_t nr_good;   /* good chunks: the parallel units it stripes over */
	uint16_t *good_pu;  /* their PU indices */
	uint32_t *chunk_done; /* per good PU: sectors whose write completed */
	uint32_t cap;       /* nr_good * clba */
	uint32_t data_end;  /* emeta starts here */
	uint32_t cur;       /* next sector to assign */
	uint32_t vsc;       /* L2P entries that point into it */
	uint64_t seq;
	uint32_t *lba;      /* per sector: the LBA it holds (the emeta list) */
	uint32_t meta_inflight; /* smeta and emeta commands not yet completed */
};

struct rb_entry {
	uint32_t lba; /* PBLK_EMPTY: padding */
	uint32_t addr; /* line * line_max + sector, once assigned */
	bool synced;
};

/* One vector command in flight, in DMA memory: its LBA list, metadata and
 * PRP list, and what it was for. */
struct pblk_cmd {
	uint64_t *lbas, *meta, *prp; /* in its own DMA page */
	struct pblk *pb;
	struct pblk_cmd *next_free;
	uint32_t n;
	uint64_t rb_first; /* CMD_DATA: its first ring position */
	struct pblk_line *line;
	uint32_t first_sec; /* line sector of lbas[0] (data and metadata writes) */
	struct pblk_bio *bio; /* a read's */
	uint32_t bio_off[PBLK_MAX_VEC]; /* a read's: the bio sector each address fills */
	uint8_t *bounce; /* a read's: PBLK_MAX_VEC sectors */
};

struct pblk {
	struct pblk_config cfg;
	struct pblk_transport tr;
	/* geometry */
	uint32_t ngrp, npu, nchk, clba, nr_pus;
	uint8_t sec_bits, chk_bits, pu_bits;
	uint32_t ws_min, ws_opt, mw_cunits;
	uint32_t line_max; /* clba * nr_pus: line sectors in an L2P address */
	uint32_t smeta_secs, emeta_secs;
	/* lines */
	struct pblk_line *lines;
	struct pblk_line *cur; /* the open line */
	uint64_t next_seq;
	/* map */
	uint64_t capacity;
	uint32_t *l2p;
	/* write ring buffer: mem >= subm >= sync >= l2p, mem - l2p <= size */
	struct rb_entry *rb;
	uint8_t *rb_data;
	uint64_t rb_size, rb_mem, rb_subm, rb_sync, rb_l2p;
	/* block requests */
	struct pblk_bio *done_head;   /* completions waiting for their time, by due */
	struct pblk_bio *wait_head, *wait_tail; /* requests waiting for buffer or contexts */
	struct pblk_bio *flush_head;  /* flushes waiting for the sync pointer */
	uint64_t now_ns;
	/* commands */
	struct pblk_cmd *cmds, *free_cmds;
	uint32_t nfree_cmds;
	uint8_t *cmd_pages, *bounces;
	uint8_t *smeta_buf, *emeta_buf; /* of the line being opened, and closed */
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

/* A vector command over c's n addresses and metadata; data in c->prp[0..n)
 * (page addresses; the PRP list is c->prp from entry 1). */
struct nvme_sqe pblk_vector_sqe(uint8_t opcode, const struct pblk_cmd *c);
struct pblk_cmd *pblk_cmd_get(struct pblk *pb);
void pblk_cmd_put(struct pblk *pb, struct pblk_cmd *c);
void pblk_bio_due(struct pblk *pb, struct pblk_bio *bio, uint64_t due_ns);
void pblk_fail(struct pblk *pb, const char *what, uint16_t status);

/* write.c */
int pblk_write(struct pblk *pb, struct pblk_bio *bio);
void pblk_flush(struct pblk *pb, struct pblk_bio *bio);
void pblk_writer_kick(struct pblk *pb);
/* After a command completed: flushes, waiting requests, the writer. */
void pblk_after_completion(struct pblk *pb);
/* read.c: pblk_read_try starts a read, or returns false when it must wait */
int pblk_read(struct pblk *pb, struct pblk_bio *bio);
bool pblk_read_try(struct pblk *pb, struct pblk_bio *bio);
void pblk_wait_enqueue(struct pblk *pb, struct pblk_bio *bio);

#endif
