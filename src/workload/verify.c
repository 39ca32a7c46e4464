/* The header's layout and the checks; see verify.h. */
#include "workload/verify.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/crc32c.h"
#include "util/rng.h"

#define VERIFY_MAGIC 0x76726679u /* "yfrv" on the media */

struct verify_hdr {
	uint32_t magic;
	uint32_t len;	   /* the block's bytes */
	uint64_t offset;   /* the block's byte offset on the device */
	uint32_t numberio; /* the write that put it there */
	uint32_t crc;	   /* CRC-32C of the block with this field 0 */
	uint64_t seed;	   /* the data after the header follows from it */
};

int verify_init(struct verify_log *v, const struct job_gen *g, uint64_t seed, bool logs)
{
	*v = (struct verify_log){.region_lba = g->region_lba,
				 .nblocks = g->nblocks,
				 .bs_lbas = g->bs_lbas,
				 .lba_bytes = g->lba_bytes,
				 .seed = seed};
	if (logs && !(v->last = calloc(g->nblocks, sizeof(*v->last))))
		return -ENOMEM;
	return 0;
}

void verify_fini(struct verify_log *v)
{
	free(v->last);
	v->last = NULL;
}

static uint32_t block_crc(const uint8_t *buf, uint32_t len)
{
	struct verify_hdr h;
	uint32_t crc;

	memcpy(&h, buf, sizeof(h));
	h.crc = 0;
	crc = crc32c(0, &h, sizeof(h));
	return crc32c(crc, buf + sizeof(h), len - sizeof(h));
}

/* The block's data after its header, from the header's seed; into buf, or
 * compared with it: the first byte of the block that differs, or len. */
static uint32_t block_data(uint8_t *buf, const uint8_t *cmp, uint32_t len, uint64_t seed)
{
	for (uint32_t off = sizeof(struct verify_hdr); off < len; off += 8) {
		uint64_t word = splitmix64(&seed);
		uint32_t n = len - off < 8 ? len - off : 8;
		const uint8_t *w = (const uint8_t *)&word;

		if (buf) {
			memcpy(buf + off, w, n);
			continue;
		}
		for (uint32_t k = 0; k < n; k++)
			if (cmp[off + k] != w[k])
				return off + k;
	}
	return len;
}

void verify_fill(struct verify_log *v, uint8_t *buf, uint64_t lba)
{
	uint32_t len = v->bs_lbas * v->lba_bytes;
	struct verify_hdr h = {.magic = VERIFY_MAGIC, .len = len, .offset = lba * v->lba_bytes};

	if (!++v->writes) /* 0 means never written */
		v->writes = 1;
	h.numberio = v->writes;
	h.seed = v->seed ^ h.offset * 0x9e3779b97f4a7c15ull ^ (uint64_t)h.numberio << 32;
	block_data(buf, NULL, len, h.seed);
	memcpy(buf, &h, sizeof(h));
	h.crc = block_crc(buf, len);
	memcpy(buf, &h, sizeof(h));
	if (v->last)
		v->last[(lba - v->region_lba) / v->bs_lbas] = h.numberio;
}

bool verify_next(struct verify_log *v, uint64_t *lba)
{
	while (v->last && v->next < v->nblocks && !v->last[v->next])
		v->next++;
	if (!v->last || v->next == v->nblocks)
		return false;
	*lba = v->region_lba + v->next++ * v->bs_lbas;
	return true;
}

bool verify_check(const struct verify_log *v, const uint8_t *buf, uint64_t lba, char *why,
		  size_t whylen)
{
	uint32_t len = v->bs_lbas * v->lba_bytes, want = 0, crc;
	uint64_t offset = lba * v->lba_bytes;
	struct verify_hdr h;

	memcpy(&h, buf, sizeof(h));
	if (v->last && lba >= v->region_lba && (lba - v->region_lba) / v->bs_lbas < v->nblocks)
		want = v->last[(lba - v->region_lba) / v->bs_lbas];
	if (h.magic != VERIFY_MAGIC) {
		snprintf(why, whylen,
			 "offset %" PRIu64 ": bad magic %08x (not a block "
			 "written with verify)",
			 offset, h.magic);
		return false;
	}
	if (h.len != len || h.offset != offset) {
		snprintf(why, whylen,
			 "offset %" PRIu64 ": holds the block written at offset %" PRIu64
			 " (length %u)",
			 offset, h.offset, h.len);
		return false;
	}
	if ((crc = block_crc(buf, len)) != h.crc) {
		uint32_t bad = block_data(NULL, buf, len, h.seed);

		if (bad < len)
			snprintf(why, whylen,
				 "offset %" PRIu64 ": CRC-32C %08x, the header says "
				 "%08x: the data differs from byte %u of the block",
				 offset, crc, h.crc, bad);
		else
			snprintf(why, whylen,
				 "offset %" PRIu64 ": CRC-32C %08x, the header says "
				 "%08x: the header is corrupt",
				 offset, crc, h.crc);
		return false;
	}
	if (want && h.numberio != want) {
		snprintf(why, whylen,
			 "offset %" PRIu64 ": holds write %u, but the last write "
			 "there was %u (stale data)",
			 offset, h.numberio, want);
		return false;
	}
	return true;
}
