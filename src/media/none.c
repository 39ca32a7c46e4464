/* The store that keeps nothing: for timing and mapping studies on devices far
 * larger than RAM. Reads of it return zeros; it has no metadata area, so a
 * device on it cannot survive a power loss. */
#include "media/media.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int none_write(struct media *m, uint32_t ppa, const void *data, const struct media_oob *oob)
{
	(void)m, (void)ppa, (void)data, (void)oob;
	return 0;
}

static int none_read(struct media *m, uint32_t ppa, void *data, struct media_oob *oob)
{
	(void)m, (void)ppa;
	if (data)
		memset(data, 0, 4096);
	if (oob)
		memset(oob, 0, sizeof(*oob));
	return 0;
}

static int none_copy(struct media *m, uint32_t from, uint32_t to, const struct media_oob *oob)
{
	(void)m, (void)from, (void)to, (void)oob;
	return 0;
}

static int none_read_oob(struct media *m, uint64_t first, uint32_t n, struct media_oob *out)
{
	(void)m, (void)first;
	memset(out, 0, (size_t)n * sizeof(*out));
	return 0;
}

static int none_meta(struct media *m, uint64_t off, void *buf, size_t len)
{
	(void)m, (void)off, (void)buf, (void)len;
	return -EOPNOTSUPP;
}

static int none_meta_write(struct media *m, uint64_t off, const void *buf, size_t len)
{
	return none_meta(m, off, (void *)buf, len);
}

static int none_sync(struct media *m)
{
	(void)m;
	return 0;
}

static void none_destroy(struct media *m)
{
	free(m);
}

static const struct media_ops none_ops = {"none",    none_write,    none_read,
					  none_copy, none_read_oob, none_meta_write,
					  none_meta, none_sync,	    none_destroy};

int media_none_open(const struct vssd_config *cfg, uint64_t units, uint64_t meta_bytes,
		    struct media **out, char *err, size_t errlen)
{
	struct media *m = calloc(1, sizeof(*m));

	(void)cfg, (void)meta_bytes;
	if (!m) {
		snprintf(err, errlen, "media=none: out of memory");
		return -ENOMEM;
	}
	m->ops = &none_ops;
	m->units = units;
	*out = m;
	return 0;
}
