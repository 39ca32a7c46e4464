/*
 * The RAM store: every physical unit's 4 KiB and its OOB in anonymous
 * memory. mmap rather than malloc so untouched units cost no RAM: a device
 * pays only for what has been written.
 */
#include "media/media.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct ram_media {
	struct media base;
	uint8_t *data;
	struct media_oob *oob;
};

static struct ram_media *ram(struct media *m)
{
	return (struct ram_media *)m;
}

static void ram_write(struct media *m, uint32_t ppa, const void *data,
		      const struct media_oob *oob)
{
	uint8_t *dst = ram(m)->data + (uint64_t)ppa * 4096;

	if (data)
		memcpy(dst, data, 4096);
	else
		memset(dst, 0, 4096);
	ram(m)->oob[ppa] = *oob;
}

static void ram_read(struct media *m, uint32_t ppa, void *data, struct media_oob *oob)
{
	if (data)
		memcpy(data, ram(m)->data + (uint64_t)ppa * 4096, 4096);
	if (oob)
		*oob = ram(m)->oob[ppa];
}

static void ram_copy(struct media *m, uint32_t from, uint32_t to, const struct media_oob *oob)
{
	memcpy(ram(m)->data + (uint64_t)to * 4096, ram(m)->data + (uint64_t)from * 4096, 4096);
	ram(m)->oob[to] = *oob;
}

static void ram_destroy(struct media *m)
{
	munmap(ram(m)->data, m->units * 4096);
	munmap(ram(m)->oob, m->units * sizeof(struct media_oob));
	free(m);
}

static const struct media_ops ram_ops = {"ram", ram_write, ram_read, ram_copy, ram_destroy};

struct media *media_ram_open(uint64_t units)
{
	struct ram_media *r = calloc(1, sizeof(*r));
	int prot = PROT_READ | PROT_WRITE, flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;

	if (!r)
		return NULL;
	r->data = mmap(NULL, units * 4096, prot, flags, -1, 0);
	r->oob = mmap(NULL, units * sizeof(struct media_oob), prot, flags, -1, 0);
	if (r->data == MAP_FAILED || r->oob == MAP_FAILED) {
		if (r->data != MAP_FAILED)
			munmap(r->data, units * 4096);
		if (r->oob != MAP_FAILED)
			munmap(r->oob, units * sizeof(struct media_oob));
		free(r);
		return NULL;
	}
	r->base.ops = &ram_ops;
	r->base.units = units;
	r->base.keeps_data = 1;
	return &r->base;
}
