/*
 * pblk's recovery, when it starts over a device that holds data (after a
 * power loss, or media=file reopened). The chunk log says which lines hold
 * data and each chunk's write pointer. Open chunks are padded to full
 * first, so every sector written is readable (the device will not serve
 * the last mw_cunits of an open chunk) and the line can be reset later.
 * Each line's sequence number comes from its smeta, or, when that is lost,
 * from the out-of-band area of its data; lines are replayed oldest first,
 * each from its emeta's LBA list when the line was closed and the emeta's
 * CRC holds, else by reading the out-of-band LBA of every sector. A later
 * line's copy of an LBA replaces an earlier one, and within a line a later
 * sector wins, as the writer placed them in that order.
 */
#include "host/pblk/pblk_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads n sectors of the line from sector `first` (chunk sectors below each
 * chunk's write pointer only) into c->bounce and c->meta. Sectors not read
 * get an all-ones OOB. Returns the number read. */
static uint32_t read_run(struct pblk *pb, struct pblk_line *line, uint32_t first, uint32_t n,
			 struct pblk_cmd *c)
{
	uint32_t map[PBLK_MAX_VEC], got = 0;
	uint64_t meta[PBLK_MAX_VEC];
	uint16_t st;

	c->n = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t pu_i, cs;

		meta[i] = UINT64_MAX;
		pblk_sec_pos(pb, first + i, line, &pu_i, &cs);
		if (cs >= line->chunk_done[pu_i])
			continue;
		c->lbas[c->n] = pblk_dev_addr(pb, line, first + i);
		c->prp[c->n] = (uintptr_t)(c->bounce + (uint64_t)i * 4096);
		map[c->n++] = i;
	}
	if (c->n) {
		st = pblk_cmd_sync(pb, c, NVME_CMD_OC_READ);
		if (st && st != NVME_SC_READ_ERROR && st != NVME_SC_UNWRITTEN)
			pblk_fail(pb, "a recovery read", st);
		for (uint32_t k = 0; k < c->n; k++) {
			if (st && (c->failed >> k & 1))
				continue;
			meta[map[k]] = c->meta[k];
			got++;
		}
	}
	memcpy(c->meta, meta, n * sizeof(uint64_t));
	return got;
}

/* Pads every open chunk of the line to full. */
static int pad_open_chunks(struct pblk *pb, struct pblk_line *line, struct pblk_cmd *c)
{
	for (uint32_t i = 0; i < line->nr_good; i++) {
		while (line->chunk_done[i] && line->chunk_done[i] < pb->clba) {
			uint32_t n = pb->clba - line->chunk_done[i];
			uint16_t st;

			n = n < PBLK_MAX_VEC ? n : PBLK_MAX_VEC / pb->ws_min * pb->ws_min;
			for (uint32_t k = 0; k < n; k++) {
				c->lbas[k] = pblk_dev_addr(pb, line, i * pb->ws_opt) +
					     line->chunk_done[i] + k;
				c->meta[k] = UINT64_MAX;
				c->prp[k] = (uintptr_t)c->bounce;
			}
			memset(c->bounce, 0, 4096);
			c->n = n;
			st = pblk_cmd_sync(pb, c, NVME_CMD_OC_WRITE);
			if (st && st != NVME_SC_WRITE_FAULT) { /* a failed pad sector is used up all
								  the same */
				pblk_fail(pb, "a recovery pad write", st);
				return -EIO;
			}
			line->chunk_done[i] += n;
			pb->st.recovery_pad_sectors += n;
		}
	}
	return 0;
}

/* The line's sequence number from its smeta, or 0; the capacity it was
 * written with into *capacity. */
static uint64_t smeta_seq(struct pblk *pb, struct pblk_line *line, struct pblk_cmd *c,
			  uint64_t *capacity)
{
	struct line_header h;
	uint32_t crc;

	if (!read_run(pb, line, 0, 1, c))
		return 0;
	memcpy(&h, c->bounce, sizeof(h));
	crc = h.crc;
	if (h.magic != PBLK_SMETA_MAGIC || h.line != line->id ||
	    pblk_header_crc(&h, NULL, 0) != crc)
		return 0;
	*capacity = h.capacity;
	return h.seq;
}

/* The line's LBA list from its emeta; false when it is missing or damaged. */
static bool read_emeta(struct pblk *pb, struct pblk_line *line, struct pblk_cmd *c)
{
	uint32_t per = PBLK_MAX_VEC, nsec = line->cap - line->data_end;
	struct line_header *h = (struct line_header *)pb->emeta_buf;
	uint32_t crc;

	for (uint32_t done = 0; done < nsec; done += per) {
		uint32_t n = nsec - done < per ? nsec - done : per;

		if (read_run(pb, line, line->data_end + done, n, c) != n)
			return false;
		memcpy(pb->emeta_buf + (uint64_t)done * 4096, c->bounce, (size_t)n * 4096);
	}
	crc = h->crc;
	if (h->magic != PBLK_EMETA_MAGIC || h->line != line->id || h->seq != line->seq ||
	    h->nr_lbas != line->data_end ||
	    pblk_header_crc(h, h + 1, (size_t)h->nr_lbas * sizeof(uint32_t)) != crc)
		return false;
	memcpy(line->lba, h + 1, (size_t)line->data_end * sizeof(uint32_t));
	return true;
}

/* The line's LBA list from the out-of-band area; the sequence number too,
 * if smeta did not give it. */
static void scan_oob(struct pblk *pb, struct pblk_line *line, struct pblk_cmd *c)
{
	memset(line->lba, 0xff, (uint64_t)pb->line_max * sizeof(uint32_t));
	for (uint32_t sec = pb->smeta_secs; sec < line->data_end; sec += PBLK_MAX_VEC) {
		uint32_t n =
			line->data_end - sec < PBLK_MAX_VEC ? line->data_end - sec : PBLK_MAX_VEC;

		read_run(pb, line, sec, n, c);
		for (uint32_t k = 0; k < n; k++) {
			uint32_t lba = (uint32_t)c->meta[k];

			if (lba == PBLK_EMPTY)
				continue;
			line->lba[sec + k] = lba;
			if (!line->seq)
				line->seq = c->meta[k] >> 32;
		}
	}
}

/* The line's data into the L2P: it is newer than every line before it. */
static void replay(struct pblk *pb, struct pblk_line *line)
{
	for (uint32_t sec = pb->smeta_secs; sec < line->data_end; sec++) {
		uint32_t lba = line->lba[sec], old;

		if (lba >= pb->capacity) {
			line->lba[sec] = PBLK_EMPTY;
			continue;
		}
		old = pb->l2p[lba];
		if (old != PBLK_EMPTY)
			pblk_line_of_addr(pb, old)->vsc--;
		pb->l2p[lba] = line->id * pb->line_max + sec;
		line->vsc++;
		pb->st.recovered_sectors++;
	}
}

static int by_seq(const void *a, const void *b)
{
	const struct pblk_line *x = *(struct pblk_line *const *)a,
			       *y = *(struct pblk_line *const *)b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The lines that hold data, with their chunks' write pointers; the others are free. */
static uint32_t used_lines(struct pblk *pb, const uint8_t *state, const uint32_t *chunk_wp,
			   struct pblk_line **used, bool *was_open)
{
	uint32_t nused = 0;

	for (uint32_t l = 0; l < pb->nchk; l++) {
		struct pblk_line *line = &pb->lines[l];
		bool any = false, open = false;

		if (line->state == PBLK_LINESTATE_BAD)
			continue;
		for (uint32_t i = 0; i < line->nr_good; i++) {
			uint32_t idx = pblk_log_index(pb, l, line->good_pu[i]);

			line->chunk_done[i] = chunk_wp[idx];
			any |= state[idx] == NVME_OC_CHUNK_OPEN ||
			       state[idx] == NVME_OC_CHUNK_CLOSED;
			open |= state[idx] != NVME_OC_CHUNK_CLOSED;
		}
		if (!any)
			continue;
		was_open[nused] = open;
		used[nused++] = line;
	}
	return nused;
}

int pblk_recover(struct pblk *pb, const uint8_t *state, const uint32_t *chunk_wp, char *err,
		 size_t errlen)
{
	struct pblk_line **used = calloc(pb->nchk, sizeof(*used));
	bool *was_open = calloc(pb->nchk, sizeof(bool));
	struct pblk_cmd *c = pblk_cmd_get(pb);
	uint32_t nused;
	uint64_t newest = 0;
	int rc = 0;

	if (!used || !was_open) {
		rc = -ENOMEM;
		goto out;
	}
	nused = used_lines(pb, state, chunk_wp, used, was_open);
	for (uint32_t i = 0; i < nused && !rc; i++) {
		struct pblk_line *line = used[i];
		uint64_t capacity = 0;

		line->state = PBLK_LINESTATE_CLOSED;
		line->cur = line->cap;
		memset(line->lba, 0xff, (uint64_t)pb->line_max * sizeof(uint32_t));
		if ((rc = pad_open_chunks(pb, line, c)))
			break;
		line->seq = smeta_seq(pb, line, c, &capacity);
		/* the capacity stays what the user had, though chunks went bad since */
		if (line->seq > newest && capacity &&
		    capacity <= (uint64_t)pb->nchk * pb->line_max) {
			newest = line->seq;
			pb->capacity = capacity;
		}
		/* a line that was open has no emeta: its out-of-band area tells */
		if (line->seq && !was_open[i] && read_emeta(pb, line, c))
			pb->st.recovered_from_emeta++;
		else
			scan_oob(pb, line, c);
	}
	if (!rc && pb->err[0])
		rc = -EIO;
	if (rc) {
		snprintf(err, errlen, "pblk recovery failed: %s",
			 pb->err[0] ? pb->err : strerror(-rc));
		goto out;
	}
	qsort(used, nused, sizeof(*used), by_seq);
	for (uint32_t i = 0; i < nused; i++) {
		replay(pb, used[i]);
		if (used[i]->seq > pb->next_seq)
			pb->next_seq = used[i]->seq;
	}
	pb->st.recovered_lines = nused;
out:
	if (c)
		pblk_cmd_put(pb, c);
	free(used);
	free(was_open);
	return rc;
}
