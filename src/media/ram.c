/*
 * The RAM store: every physical unit's 4 KiB and its OOB, and the metadata
 * area, in anonymous memory. mmap rather than malloc so untouched units
 * cost no RAM: a device pays only for what has been written. It lives as
 * long as the device object, so a simulated power loss, which rebuilds
 * everything else, recovers from it.
 */
#include "media/media.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

struct ram_media {
	struct media base;
	uint8_t *data;
	struct media_oob *oob;
	uint8_t *meta;
};

static struct ram_media *ram(struct media *m)
{
	return (struct ram_media *)m;
}

static int ram_write(struct media *m, uint32_t ppa, const void *data, const struct media_oob *oob)
{
	uint8_t *dst = ram(m)->data + (uint64_t)ppa * 4096;

	if (data)
		memcpy(dst, data, 4096);
	else
		memset(dst, 0, 4096);
	ram(m)->oob[ppa] = *oob;
	return 0;
}

static int ram_read(struct media *m, uint32_t ppa, void *data, struct media_oob *oob)
{
	if (data)
		memcpy(data, ram(m)->data + (uint64_t)ppa * 4096, 4096);
	if (oob)
		*oob = ram(m)->oob[ppa];
	return 0;
}

static int ram_copy(struct media *m, uint32_t from, uint32_t to, const struct media_oob *oob)
{
	memcpy(ram(m)->data + (uint64_t)to * 4096, ram(m)->data + (uint64_t)from * 4096, 4096);
	ram(m)->oob[to] = *oob;
	return 0;
}

static int ram_read_oob(struct media *m, uint64_t first, uint32_t n, struct media_oob *out)
{
	memcpy(out, ram(m)->oob + first, (size_t)n * sizeof(*out));
	return 0;
}

static int ram_meta_write(struct media *m, uint64_t off, const void *buf, size_t len)
{
	memcpy(ram(m)->meta + off, buf, len);
	return 0;
}

static int ram_meta_read(struct media *m, uint64_t off, void *buf, size_t len)
{
	memcpy(buf, ram(m)->meta + off, len);
	return 0;
}

static int ram_sync(struct media *m)
{
	(void)m;
	return 0;
}

static void unmap(void *p, uint64_t bytes)
{
	if (p && p != MAP_FAILED)
		munmap(p, bytes ? bytes : 1);
}

static void ram_destroy(struct media *m)
{
	unmap(ram(m)->data, m->units * 4096);
	unmap(ram(m)->oob, m->units * sizeof(struct media_oob));
	unmap(ram(m)->meta, m->meta_bytes);
	free(m);
}

static const struct media_ops ram_ops = {"ram",		ram_write,    ram_read,
					 ram_copy,	ram_read_oob, ram_meta_write,
					 ram_meta_read, ram_sync,     ram_destroy};

static void *map_anon(uint64_t bytes)
{
	return mmap(NULL, bytes ? bytes : 1, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
}

/* A device larger than the machine's memory is most likely a mistake (a
 * large profile meant for media=none): said before anything is written. */
static int check_size(const struct vssd_config *cfg, uint64_t bytes, char *err, size_t errlen)
{
	long pages = sysconf(_SC_PHYS_PAGES), page_bytes = sysconf(_SC_PAGESIZE);
	uint64_t memory = pages > 0 && page_bytes > 0 ? (uint64_t)pages * (uint64_t)page_bytes : 0;

	if (cfg->ram_beyond_memory || !memory || bytes <= memory)
		return 0;
	snprintf(err, errlen,
		 "media=ram: the device needs %.1f GiB, more than this machine's "
		 "%.1f GiB of memory; use media=none or media=file, a smaller device, or "
		 "ram_beyond_memory=on if the run writes less than that",
		 (double)bytes / (1 << 30), (double)memory / (1 << 30));
	return -ENOMEM;
}

int media_ram_open(const struct vssd_config *cfg, uint64_t units, uint64_t meta_bytes,
		   struct media **out, char *err, size_t errlen)
{
	struct ram_media *r;
	int rc = check_size(cfg, units * (4096 + sizeof(struct media_oob)) + meta_bytes, err,
			    errlen);

	if (rc)
		return rc;
	r = calloc(1, sizeof(*r));
	if (!r)
		goto nomem;
	r->base.ops = &ram_ops;
	r->base.units = units;
	r->base.meta_bytes = meta_bytes;
	r->base.keeps_data = true;
	r->data = map_anon(units * 4096);
	r->oob = map_anon(units * sizeof(struct media_oob));
	r->meta = map_anon(meta_bytes);
	if (r->data == MAP_FAILED || r->oob == MAP_FAILED || r->meta == MAP_FAILED) {
		ram_destroy(&r->base);
		goto nomem;
	}
	*out = &r->base;
	return 0;
nomem:
	snprintf(err, errlen, "media=ram: cannot map %llu units (%llu MiB)",
		 (unsigned long long)units, (unsigned long long)(units * 4096 >> 20));
	return -ENOMEM;
}
