/*
 * The data the jobs move: one buffer registered for DMA and cut into a
 * slot per I/O in flight, the pattern a write carries, and verify=crc32c
 * (each write stamped, read back and checked: workload/verify.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sys/mman.h>

#include "runtime/sim_internal.h"

/* Data for a write: each 4 KiB unit stamped with its LBA and a counter, so
 * stored data differs from place to place and from write to write. */
void sim_fill_pattern(struct sim *s, uint8_t *buf, uint64_t slba, uint64_t bytes)
{
	for (uint64_t off = 0; off < bytes; off += 8) {
		uint64_t word = (slba + off / 4096) ^ (s->host_ios << 32) ^ off;

		memcpy(buf + off, &word, sizeof(word));
	}
}

/* A verified read's data against what the job wrote there. */
void sim_check_read(struct job_state *js, const struct io_track *io)
{
	struct sim_job_result *r = js->res;
	char why[sizeof(r->verify_first_bad)];

	r->verify_blocks++;
	if (verify_check(&js->vlog, io->buf, io->slba, why, sizeof(why)))
		return;
	if (!r->verify_bad++)
		memcpy(r->verify_first_bad, why, sizeof(why));
	if (r->spec->verify_fatal)
		js->finished = true; /* fio stops the job at the first bad block */
}

/* The data buffer: virtual memory registered for DMA, touched only when the
 * store keeps data (or a read returns zeros into it). */
static int grow_buffer(struct sim *s, uint64_t bytes)
{
	uint8_t *b;

	bytes = (bytes + NVME_PAGE_BYTES - 1) / NVME_PAGE_BYTES * NVME_PAGE_BYTES;
	b = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (b == MAP_FAILED)
		return -ENOMEM;
	if (s->buf) {
		dma_unregister(&s->ctrl->dma, s->buf);
		munmap(s->buf, s->buf_bytes);
	}
	s->buf = b;
	s->buf_bytes = bytes;
	return sim_register_mem(s, b, bytes);
}

/* verify=crc32c on job j: what it needs, then its write log. */
int sim_setup_verify(struct sim *s, uint32_t j, uint64_t seed)
{
	struct job_state *js = &s->js[j];
	const struct job_spec *spec = js->res->spec;
	const char *why = NULL;

	if (!spec->verify)
		return 0;
	if (!s->dev->media->keeps_data)
		why = "the media must keep the data: use media=ram or media=file";
	else if (spec->read_iolog[0])
		why = "a trace replay (read_iolog) is not supported";
	else if (spec->rw == RW_TRIM)
		why = "rw=trim is not supported";
	else if (s->opt->npowerloss)
		why = "--powerloss is not supported (writes after the last flush may be lost by "
		      "design; vssd torture checks that)";
	if (why) {
		snprintf(s->err, s->errlen, "job '%s': verify=crc32c: %s", spec->name, why);
		return -EINVAL;
	}
	js->verify = true;
	if (verify_init(&js->vlog, &js->gen, seed, spec->rw != RW_READ))
		return -ENOMEM;
	return 0;
}

/* Each I/O slot's data buffer: its own when the media keeps data (a write
 * that waits in pblk, or a read checked at its completion, holds on to
 * it), one shared by all when no data is kept. */
static uint64_t slot_bytes(const struct job_state *js)
{
	return (js->gen.max_io_bytes + NVME_PAGE_BYTES - 1) / NVME_PAGE_BYTES * NVME_PAGE_BYTES;
}

int sim_setup_buffers(struct sim *s, const struct job_file *jf, int g)
{
	bool own = s->dev->media->keeps_data;
	uint64_t total = 0, at = 0;
	int rc;

	for (uint32_t j = 0; j < jf->njobs; j++) {
		if (jf->jobs[j].group != g)
			continue;
		if (own)
			total += slot_bytes(&s->js[j]) * jf->jobs[j].iodepth;
		else if (slot_bytes(&s->js[j]) > total)
			total = slot_bytes(&s->js[j]);
	}
	if (total > s->buf_bytes && (rc = grow_buffer(s, total)))
		return rc;
	for (uint32_t j = 0; j < jf->njobs; j++) {
		struct job_state *js = &s->js[j];

		if (jf->jobs[j].group != g)
			continue;
		for (uint32_t d = 0; d < jf->jobs[j].iodepth; d++, at += own ? slot_bytes(js) : 0)
			js->tracks[d].buf = s->buf + at;
	}
	return 0;
}
