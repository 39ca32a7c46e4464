/*
 * The one table of FTLs: which one serves each `ftl=` value. Adding an FTL
 * is a folder under src/ftl and a row here.
 */
#include "ftl/ftl.h"

#include "ftl/conv/conv.h"
#include "ftl/ocssd/ocssd.h"

const struct ftl_ops *ftl_ops_for(const struct vssd_config *cfg)
{
	/* ftl=pblk is the open-channel device with pblk on the host side */
	static const struct ftl_ops *(*const table[])(void) = {
		[FTL_CONV] = conv_ftl_ops,
		[FTL_OCSSD] = ocssd_ftl_ops,
		[FTL_PBLK] = ocssd_ftl_ops,
	};

	return table[cfg->ftl]();
}
