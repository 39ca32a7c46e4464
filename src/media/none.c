/* The store that keeps nothing: for timing and mapping studies on devices far
 * larger than RAM. Reads of it return zeros. */
#include "media/media.h"

#include <stdlib.h>
#include <string.h>

static void none_write(struct media *m, uint32_t ppa, const void *data,
		       const struct media_oob *oob)
{
	(void)m, (void)ppa, (void)data, (void)oob;
}

static void none_read(struct media *m, uint32_t ppa, void *data, struct media_oob *oob)
{
	(void)m, (void)ppa;
	if (data)
		memset(data, 0, 4096);
	if (oob)
		memset(oob, 0, sizeof(*oob));
}

static void none_copy(struct media *m, uint32_t from, uint32_t to, const struct media_oob *oob)
{
	(void)m, (void)from, (void)to, (void)oob;
}

static void none_destroy(struct media *m)
{
	free(m);
}

static const struct media_ops none_ops = {"none", none_write, none_read, none_copy,
					  none_destroy};

struct media *media_none_open(uint64_t units)
{
	struct media *m = calloc(1, sizeof(*m));

	if (m) {
		m->ops = &none_ops;
		m->units = units;
	}
	return m;
}
