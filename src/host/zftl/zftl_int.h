/*
 * Inside zftl: its zones, map, device commands and GC, shared by zftl.c
 * (set-up, block requests, completions), write.c (appends), read.c and
 * gc.c.
 */
#ifndef VSSD_HOST_ZFTL_INT_H
#define VSSD_HOST_ZFTL_INT_H

#include "host/zftl/zftl.h"

#define ZFTL_SECTOR_BYTES 4096
#define ZFTL_UNMAPPED UINT32_MAX
#define ZFTL_NO_ZONE UINT32_MAX

/* Free zones: user writes wait for GC when taking a zone would leave fewer
 * than ZFTL_RESERVE_ZONES (GC's own, so it can always move data), and GC
 * runs while fewer than ZFTL_GC_FREE_ZONES are free. */
#define ZFTL_RESERVE_ZONES 1
#define ZFTL_GC_FREE_ZONES 4
/* GC moves a victim this many chunks of up to HOST_BIO_MAX_SECTORS at once. */
#define ZFTL_GC_CHUNKS 4

enum zftl_zone_state {
	ZFTL_ZONE_FREE,	   /* empty, on the free list */
	ZFTL_ZONE_OPEN,	   /* a stream appends to it */
	ZFTL_ZONE_FULL,	   /* every sector allocated */
	ZFTL_ZONE_VICTIM,  /* GC moves its valid sectors out */
	ZFTL_ZONE_RESET,   /* its reset is in flight */
	ZFTL_ZONE_OFFLINE, /* the device has it offline or read only: never used */
};

/* Streams: user writes and GC copies fill zones of their own, so data
 * that survived a collection is kept apart from new writes. */
enum { ZFTL_USER, ZFTL_GC, ZFTL_STREAMS };

struct zftl_zone {
	uint64_t slba;	 /* the device LBA of its first sector */
	uint32_t cap;	 /* sectors it may hold */
	uint32_t wp;	 /* sectors allocated to appends */
	uint32_t valid;	 /* sectors the map points at */
	uint32_t writes; /* appends in flight */
	uint32_t reads;	 /* reads in flight: a reset waits for them */
	uint32_t next;	 /* the free list */
	uint8_t state;	 /* enum zftl_zone_state */
};

enum zftl_cmd_kind {
	ZFTL_CMD_READ,
	ZFTL_CMD_APPEND,
	ZFTL_CMD_GC_READ,
	ZFTL_CMD_GC_APPEND,
	ZFTL_CMD_RESET,
	ZFTL_CMD_FLUSH
};

struct zftl_gc_chunk;

/* A device command in flight. */
struct zftl_cmd {
	struct zftl *z;
	struct host_bio *bio; /* the block request it serves (read, append, flush) */
	struct zftl_gc_chunk *chunk;
	uint64_t lba;  /* user LBA of its first sector (an append) */
	uint32_t zone; /* the zone it reads, appends to or resets */
	uint32_t n;
	uint8_t kind;	    /* enum zftl_cmd_kind */
	uint64_t *prp_list; /* DMA memory, HOST_BIO_MAX_SECTORS entries */
	struct zftl_cmd *next_free;
};

/* Valid sectors of the victim on their way to the GC zone. */
struct zftl_gc_chunk {
	uint8_t *buf;			     /* DMA memory, HOST_BIO_MAX_SECTORS sectors */
	uint32_t lba[HOST_BIO_MAX_SECTORS];  /* the user LBAs */
	uint32_t from[HOST_BIO_MAX_SECTORS]; /* their device LBAs in the victim */
	uint32_t n;
	uint32_t reads;	  /* reads in flight */
	uint32_t taken;	  /* sectors handed to appends */
	uint32_t appends; /* appends in flight */
	bool busy;
};

struct zftl {
	struct zftl_config cfg;
	struct host_transport tr;
	uint64_t now_ns;
	uint32_t nzones;
	uint64_t zone_lbas;  /* zone size: zone k starts at k x zone_lbas */
	uint32_t max_append; /* sectors one Zone Append may carry */
	struct zftl_zone *zones;
	uint32_t *l2p;	   /* user sector -> device LBA */
	uint32_t *p2l;	   /* device LBA -> user sector */
	uint64_t capacity; /* user sectors */
	uint32_t free_head, free_tail, nfree;
	uint32_t open[ZFTL_STREAMS]; /* the zone each stream appends to */
	struct zftl_cmd *cmds, *free_cmds;
	uint32_t cmds_free;
	/* user writes waiting for a zone (or for commands), in order */
	struct host_bio *wait_head, *wait_tail;
	/* block requests done, completing at their due_ns, in order */
	struct host_bio *due_head, *due_tail;
	struct {
		uint32_t victim; /* ZFTL_NO_ZONE: none */
		uint32_t scan;	 /* the victim's next sector to look at */
		struct zftl_gc_chunk chunk[ZFTL_GC_CHUNKS];
	} gc;
	uint8_t *scratch; /* what a request without data (media=none) points at */
	struct zftl_stats st;
	char err[200];
};

/* zftl.c */
struct zftl_cmd *zftl_cmd_get(struct zftl *z, uint8_t kind, uint32_t zone, uint32_t n);
void zftl_cmd_put(struct zftl *z, struct zftl_cmd *c);
/* Points sqe's PRPs at n sectors of buf (the scratch buffer when the
 * request has none: media=none). */
void zftl_set_data(struct zftl *z, struct zftl_cmd *c, struct nvme_sqe *sqe, uint8_t *buf);
/* Submits c's command; a refusal is fatal (zftl never has more in flight
 * than the queue holds). Its completion goes to its kind's *_done. */
void zftl_submit(struct zftl *z, struct zftl_cmd *c, struct nvme_sqe *sqe);
/* A part of bio finished with status: when it was the last, bio is due. */
void zftl_bio_part_done(struct zftl *z, struct host_bio *bio, uint16_t status);
void zftl_fail(struct zftl *z, const char *what, uint16_t status);
/* Unmaps a device LBA the map no longer points at. */
void zftl_invalidate(struct zftl *z, uint32_t dlba);
/* Points user sector lba at device LBA dlba. */
void zftl_map(struct zftl *z, uint32_t lba, uint32_t dlba);
/* Zone k is empty: onto the free list's tail (zones are used in turn). */
void zftl_zone_freed(struct zftl *z, uint32_t k);
/* The free list's head, or ZFTL_NO_ZONE. */
uint32_t zftl_free_pop(struct zftl *z);
/* After anything that frees room: waiting writes go on, GC goes on. */
void zftl_kick(struct zftl *z);

/* Completions by kind (zftl.c calls them with the status; a failure of
 * all but a flush has stopped zftl already). */
typedef void zftl_done_fn(struct zftl *z, struct zftl_cmd *c, const struct nvme_cqe *cqe,
			  uint16_t st);
zftl_done_fn zftl_read_done, zftl_user_done, zftl_gc_read_done, zftl_gc_append_done,
	zftl_reset_done, zftl_flush_done;

/* bio.c */
/* Block requests that wait for a zone or commands go on, in order. */
void zftl_run_waiting(struct zftl *z);

/* write.c */
/* Appends what it can of a user write; true once all of it is submitted. */
bool zftl_write_try(struct zftl *z, struct host_bio *bio);
/* Room in stream s's zone (opening a free zone when it is full; only GC
 * may take the reserve). Returns the zone or ZFTL_NO_ZONE. */
uint32_t zftl_stream_zone(struct zftl *z, int s);
/* Appends c->n sectors of buf to zone c->zone; the completion tells the
 * LBA written (zftl_append_lba). */
void zftl_append(struct zftl *z, struct zftl_cmd *c, uint8_t *buf);
uint64_t zftl_append_lba(const struct nvme_cqe *cqe);
/* An append to zone k completed: the zone may be full now. */
void zftl_append_ended(struct zftl *z, uint32_t k);

/* read.c */
/* Reads a block request: false (having taken nothing) when it needs more
 * commands than are free. */
bool zftl_read_try(struct zftl *z, struct host_bio *bio);
void zftl_trim(struct zftl *z, struct host_bio *bio);

/* gc.c */
/* Starts or goes on collecting while free zones are few. */
void zftl_gc_run(struct zftl *z);
/* GC's commands out (chunks, a reset): a victim with nothing in flight
 * and none found means nothing can be collected. */
bool zftl_gc_busy(const struct zftl *z);

#endif
