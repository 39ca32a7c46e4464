/* Chooses the store by the `media` parameter: a table, one row per store. */
#include "media/media.h"

#include <errno.h>
#include <stdio.h>

static struct media *(*const openers[])(uint64_t) = {
	[MEDIA_NONE] = media_none_open,
	[MEDIA_RAM] = media_ram_open,
};

int media_open(const struct vssd_config *cfg, uint64_t units, struct media **out, char *err,
	       size_t errlen)
{
	*out = openers[cfg->media](units);
	if (!*out) {
		snprintf(err, errlen, "media: cannot map %llu units (%llu MiB)",
			 (unsigned long long)units, (unsigned long long)(units * 4096 >> 20));
		return -ENOMEM;
	}
	return 0;
}
