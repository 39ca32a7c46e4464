/*
 * The device side of DMA: host addresses from PRPs are looked up in the
 * regions the host registered, so a bad address is a Data Transfer Error
 * instead of a wild pointer. In process, a registered address maps to
 * itself. PRPs are walked as the spec says: PRP1 may start inside a page;
 * every later entry is page aligned; a transfer of more than two pages puts
 * a PRP list at PRP2, whose last entry chains to the next list page.
 */
#ifndef VSSD_NVME_DMA_H
#define VSSD_NVME_DMA_H

#include <stddef.h>
#include <stdint.h>

#define NVME_PAGE_BYTES 4096u /* CC.MPS: 4 KiB memory pages */
#define DMA_MAX_SEGS 64

struct dma_region {
	uintptr_t start, end;
};

struct dma_space {
	struct dma_region *r; /* sorted by start, disjoint */
	uint32_t n, cap;
};

struct dma_seg {
	uint8_t *ptr;
	uint32_t len;
};

/* A mapped transfer: host memory pieces in order. */
struct dma_sgl {
	struct dma_seg seg[DMA_MAX_SEGS];
	uint32_t nseg;
	uint64_t bytes;
};

void dma_init(struct dma_space *d);
void dma_fini(struct dma_space *d);

/* Registers [ptr, ptr + len). Returns 0, -EEXIST if it overlaps a region, -ENOMEM. */
int dma_register(struct dma_space *d, const void *ptr, size_t len);
/* Forgets the region starting at ptr. Returns 0 or -ENOENT. */
int dma_unregister(struct dma_space *d, const void *ptr);

/* Host memory [addr, addr + len) as a pointer, or NULL if not all registered. */
void *dma_map(const struct dma_space *d, uint64_t addr, uint64_t len);

/*
 * Maps a PRP1/PRP2 transfer of `bytes`. Returns 0, or the NVMe status:
 * NVME_SC_PRP_OFFSET_INVALID for a misaligned entry, NVME_SC_DATA_XFER_ERROR
 * for memory that is not registered.
 */
int dma_map_prps(const struct dma_space *d, uint64_t prp1, uint64_t prp2, uint64_t bytes,
		 struct dma_sgl *sgl);

/*
 * Maps an SGL transfer of `bytes` from the descriptor at DPTR: a data
 * block, or a chain of segments whose lists hold data blocks (the last
 * entry of a segment that is not the last names the next list). The
 * descriptors may describe more than bytes (SGLS bit 18). Returns 0, or
 * the NVMe status: SGL Descriptor Type Invalid (a bit bucket, keyed or
 * transport descriptor, an offset), Invalid SGL Segment Descriptor (a
 * segment where a data block belongs, or the other way), Invalid Number of
 * SGL Descriptors (an empty or ragged list, or too long a chain), Data SGL
 * Length Invalid (less than bytes), Data Transfer Error (memory not
 * registered).
 */
struct nvme_sgl_desc;
int dma_map_sgl(const struct dma_space *d, const struct nvme_sgl_desc *dptr, uint64_t bytes,
		struct dma_sgl *sgl);

/*
 * Host side: fills PRP1/PRP2 for `bytes` at buf, writing a PRP list into
 * list (one page, page aligned) when the transfer spans more than two pages.
 * Transfers are limited to what one list page can describe (2 MiB).
 * Returns 0 or -EINVAL.
 */
int nvme_build_prps(const void *buf, uint64_t bytes, uint64_t *list, uint64_t *prp1,
		    uint64_t *prp2);

/* Copies between a mapped transfer and a flat buffer. */
void dma_to_host(const struct dma_sgl *sgl, const void *src);
void dma_from_host(const struct dma_sgl *sgl, void *dst);

/* The transfer as one flat pointer when its pieces are contiguous, else NULL. */
uint8_t *dma_flat(const struct dma_sgl *sgl);

#endif
