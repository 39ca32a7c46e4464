/* Chooses the store by the `media` parameter: a table, one row per store. */
#include "media/media.h"

static int (*const openers[])(const struct vssd_config *, uint64_t, uint64_t, struct media **,
			      char *, size_t) = {
	[MEDIA_NONE] = media_none_open,
	[MEDIA_RAM] = media_ram_open,
	[MEDIA_FILE] = media_file_open,
};

int media_open(const struct vssd_config *cfg, uint64_t units, uint64_t meta_bytes,
	       struct media **out, char *err, size_t errlen)
{
	return openers[cfg->media](cfg, units, meta_bytes, out, err, errlen);
}
