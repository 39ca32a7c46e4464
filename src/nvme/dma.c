/* Registered-region lookup and PRP walking. */
#include "nvme/dma.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "vssd/nvme.h"

void dma_init(struct dma_space *d)
{
	memset(d, 0, sizeof(*d));
}

void dma_fini(struct dma_space *d)
{
	free(d->r);
	memset(d, 0, sizeof(*d));
}

/* Index of the first region ending after addr. */
static uint32_t find(const struct dma_space *d, uintptr_t addr)
{
	uint32_t lo = 0, hi = d->n;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (d->r[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int dma_register(struct dma_space *d, const void *ptr, size_t len)
{
	uintptr_t s = (uintptr_t)ptr, e = s + len;
	uint32_t i = find(d, s);

	if (!len || e < s)
		return -EINVAL;
	if (i < d->n && d->r[i].start < e)
		return -EEXIST;
	if (d->n == d->cap) {
		uint32_t cap = d->cap ? d->cap * 2 : 8;
		struct dma_region *r = realloc(d->r, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		d->r = r;
		d->cap = cap;
	}
	memmove(d->r + i + 1, d->r + i, (d->n - i) * sizeof(*d->r));
	d->r[i] = (struct dma_region){s, e};
	d->n++;
	return 0;
}

int dma_unregister(struct dma_space *d, const void *ptr)
{
	uint32_t i = find(d, (uintptr_t)ptr);

	if (i == d->n || d->r[i].start != (uintptr_t)ptr)
		return -ENOENT;
	memmove(d->r + i, d->r + i + 1, (d->n - i - 1) * sizeof(*d->r));
	d->n--;
	return 0;
}

/* [addr, addr + len) inside region *i: tried first, and set to where it was
 * found. A PRP list names pages of the same few buffers over and over, so
 * the last region found usually holds the next page too. */
static void *map_near(const struct dma_space *d, uint64_t addr, uint64_t len, uint32_t *i)
{
	if (addr > UINTPTR_MAX || len > UINTPTR_MAX - addr)
		return NULL;
	if (*i >= d->n || d->r[*i].start > addr || addr + len > d->r[*i].end)
		*i = find(d, (uintptr_t)addr);
	if (*i == d->n || d->r[*i].start > addr || addr + len > d->r[*i].end)
		return NULL;
	return (void *)(uintptr_t)addr;
}

void *dma_map(const struct dma_space *d, uint64_t addr, uint64_t len)
{
	uint32_t i = UINT32_MAX;

	return map_near(d, addr, len, &i);
}

static int add_seg(const struct dma_space *d, struct dma_sgl *sgl, uint64_t addr, uint32_t len,
		   uint32_t *region)
{
	uint8_t *p = map_near(d, addr, len, region);

	if (!p)
		return NVME_SC_DATA_XFER_ERROR;
	if (sgl->nseg && sgl->seg[sgl->nseg - 1].ptr + sgl->seg[sgl->nseg - 1].len == p) {
		sgl->seg[sgl->nseg - 1].len += len; /* virtually contiguous: one piece */
	} else {
		if (sgl->nseg == DMA_MAX_SEGS)
			return NVME_SC_DATA_XFER_ERROR;
		sgl->seg[sgl->nseg++] = (struct dma_seg){p, len};
	}
	sgl->bytes += len;
	return 0;
}

int dma_map_prps(const struct dma_space *d, uint64_t prp1, uint64_t prp2, uint64_t bytes,
		 struct dma_sgl *sgl)
{
	uint32_t first = NVME_PAGE_BYTES - (uint32_t)(prp1 % NVME_PAGE_BYTES);
	uint64_t left;
	uint32_t region = UINT32_MAX; /* of the last page mapped */
	int rc;

	sgl->nseg = 0;
	sgl->bytes = 0;
	if (prp1 & 3)
		return NVME_SC_PRP_OFFSET_INVALID; /* dword aligned, as the spec requires */
	if (first > bytes)
		first = (uint32_t)bytes;
	if ((rc = add_seg(d, sgl, prp1, first, &region)))
		return rc;
	left = bytes - first;
	if (!left)
		return 0;
	if (left <= NVME_PAGE_BYTES) { /* two pages: PRP2 is the second */
		if (prp2 % NVME_PAGE_BYTES)
			return NVME_SC_PRP_OFFSET_INVALID;
		return add_seg(d, sgl, prp2, (uint32_t)left, &region);
	}
	/* a PRP list at PRP2 (it may start inside a page; entries fill to its end) */
	if (prp2 & 7)
		return NVME_SC_PRP_OFFSET_INVALID;
	while (left) {
		uint32_t slots = (NVME_PAGE_BYTES - (uint32_t)(prp2 % NVME_PAGE_BYTES)) / 8;
		const uint64_t *list = dma_map(d, prp2, (uint64_t)slots * 8);

		if (!list)
			return NVME_SC_DATA_XFER_ERROR;
		for (uint32_t i = 0; i < slots && left; i++) {
			uint64_t entry = list[i];
			uint32_t len = left < NVME_PAGE_BYTES ? (uint32_t)left : NVME_PAGE_BYTES;

			if (i == slots - 1 && left > NVME_PAGE_BYTES) {
				prp2 = entry; /* the last slot chains to the next list page */
				if (prp2 % NVME_PAGE_BYTES)
					return NVME_SC_PRP_OFFSET_INVALID;
				break;
			}
			if (entry % NVME_PAGE_BYTES)
				return NVME_SC_PRP_OFFSET_INVALID;
			if ((rc = add_seg(d, sgl, entry, len, &region)))
				return rc;
			left -= len;
		}
	}
	return 0;
}

/* Takes a data block's bytes, up to what the transfer still needs. */
static int sgl_take(const struct dma_space *d, const struct nvme_sgl_desc *desc,
		    struct dma_sgl *sgl, uint64_t *left, uint32_t *region)
{
	uint32_t len = desc->length < *left ? desc->length : (uint32_t)*left;
	int rc;

	if (NVME_SGL_SUBTYPE(desc) != NVME_SGL_ADDRESS)
		return NVME_SC_SGL_TYPE_INVALID; /* offsets are a fabrics transport's */
	if (!len)
		return 0;
	if ((rc = add_seg(d, sgl, desc->addr, len, region)))
		return rc;
	*left -= len;
	return 0;
}

int dma_map_sgl(const struct dma_space *d, const struct nvme_sgl_desc *dptr, uint64_t bytes,
		struct dma_sgl *sgl)
{
	struct nvme_sgl_desc seg = *dptr;
	uint32_t region = UINT32_MAX, lists = 0;
	uint64_t left = bytes;
	int rc;

	sgl->nseg = 0;
	sgl->bytes = 0;
	for (;;) {
		const uint8_t *list; /* host memory: its descriptors are copied out,
					as a host may place a segment at any address */
		struct nvme_sgl_desc desc;
		uint32_t n;
		bool last;

		switch (NVME_SGL_TYPE(&seg)) {
		case NVME_SGL_DATA_BLOCK:
			if ((rc = sgl_take(d, &seg, sgl, &left, &region)))
				return rc;
			return left ? NVME_SC_SGL_DATA_LENGTH_INVALID : 0;
		case NVME_SGL_SEGMENT:
		case NVME_SGL_LAST_SEGMENT: break;
		default: return NVME_SC_SGL_TYPE_INVALID;
		}
		/* a list of descriptors: data blocks, and in a segment that is not
		 * the last, a final descriptor naming the next list */
		n = seg.length / sizeof(desc);
		if (!n || seg.length % sizeof(desc) || ++lists > DMA_MAX_SEGS)
			return NVME_SC_SGL_COUNT_INVALID;
		if (NVME_SGL_SUBTYPE(&seg) != NVME_SGL_ADDRESS)
			return NVME_SC_SGL_TYPE_INVALID;
		if (!(list = dma_map(d, seg.addr, seg.length)))
			return NVME_SC_DATA_XFER_ERROR;
		last = NVME_SGL_TYPE(&seg) == NVME_SGL_LAST_SEGMENT;
		for (uint32_t i = 0; i < n - (last ? 0 : 1); i++) {
			memcpy(&desc, list + (size_t)i * sizeof(desc), sizeof(desc));
			if (NVME_SGL_TYPE(&desc) != NVME_SGL_DATA_BLOCK)
				return NVME_SC_INVALID_SGL_DESC;
			if ((rc = sgl_take(d, &desc, sgl, &left, &region)))
				return rc;
		}
		if (last || !left)
			return left ? NVME_SC_SGL_DATA_LENGTH_INVALID : 0;
		memcpy(&seg, list + (size_t)(n - 1) * sizeof(desc), sizeof(seg));
		if (NVME_SGL_TYPE(&seg) != NVME_SGL_SEGMENT &&
		    NVME_SGL_TYPE(&seg) != NVME_SGL_LAST_SEGMENT)
			return NVME_SC_INVALID_SGL_DESC;
	}
}

int nvme_build_prps(const void *buf, uint64_t bytes, uint64_t *list, uint64_t *prp1, uint64_t *prp2)
{
	uintptr_t addr = (uintptr_t)buf;
	uint64_t first = NVME_PAGE_BYTES - addr % NVME_PAGE_BYTES, pages;

	*prp1 = addr;
	*prp2 = 0;
	if (bytes <= first)
		return 0;
	pages = (bytes - first + NVME_PAGE_BYTES - 1) / NVME_PAGE_BYTES;
	if (pages == 1) {
		*prp2 = addr + first;
		return 0;
	}
	if (!list || pages > NVME_PAGE_BYTES / 8)
		return -EINVAL;
	for (uint64_t i = 0; i < pages; i++)
		list[i] = addr + first + i * NVME_PAGE_BYTES;
	*prp2 = (uintptr_t)list;
	return 0;
}

void dma_to_host(const struct dma_sgl *sgl, const void *src)
{
	const uint8_t *s = src;

	for (uint32_t i = 0; i < sgl->nseg; i++) {
		memcpy(sgl->seg[i].ptr, s, sgl->seg[i].len);
		s += sgl->seg[i].len;
	}
}

void dma_from_host(const struct dma_sgl *sgl, void *dst)
{
	uint8_t *t = dst;

	for (uint32_t i = 0; i < sgl->nseg; i++) {
		memcpy(t, sgl->seg[i].ptr, sgl->seg[i].len);
		t += sgl->seg[i].len;
	}
}

uint8_t *dma_flat(const struct dma_sgl *sgl)
{
	return sgl->nseg == 1 ? sgl->seg[0].ptr : NULL;
}
