/*
 * Geometry derivation and the checks that make an impossible device an error
 * with a message rather than a crash later.
 */
#include "nand/geometry.h"

#include <errno.h>
#include <stdio.h>

/*
 * Reclaim groups and reclaim unit size: how many dies a line spans. A
 * reclaim unit is block i of every plane of k dies, k dividing a group's dies.
 */
static int split_dies(struct geometry *geo, const struct vssd_config *cfg, char *err, size_t errlen)
{
	uint64_t die_block_bytes =
		(uint64_t)geo->planes * cfg->pages_per_block * cfg->flash_page_bytes;
	uint32_t rgs = config_nrg(cfg), group_dies, k;

	if (geo->dies % rgs) {
		snprintf(err, errlen,
			 "fdp_nrg=%u: must divide the %u dies (channels x "
			 "luns_per_channel)",
			 rgs, geo->dies);
		return -EINVAL;
	}
	group_dies = geo->dies / rgs;
	k = group_dies;
	if (cfg->fdp && cfg->fdp_ru_bytes) {
		if (cfg->fdp_ru_bytes % die_block_bytes ||
		    group_dies % (cfg->fdp_ru_bytes / die_block_bytes)) {
			snprintf(err, errlen,
				 "fdp_ru_bytes=%llu: must be k x %llu bytes (a block "
				 "of every plane of k dies), k dividing the %u dies of a reclaim "
				 "group",
				 (unsigned long long)cfg->fdp_ru_bytes,
				 (unsigned long long)die_block_bytes, group_dies);
			return -EINVAL;
		}
		k = (uint32_t)(cfg->fdp_ru_bytes / die_block_bytes);
	}
	geo->rgs = rgs;
	geo->line_dies = k;
	geo->stripes_per_rg = group_dies / k;
	geo->lines_per_rg = (uint32_t)cfg->blocks_per_plane * geo->stripes_per_rg;
	geo->lines = geo->lines_per_rg * rgs;
	geo->blocks_per_line = k * geo->planes;
	return 0;
}

/* The NAND's shape, straight from the parameters. */
static void set_shape(struct geometry *geo, const struct vssd_config *cfg)
{
	geo->channels = (uint32_t)cfg->channels;
	geo->luns_per_channel = (uint32_t)cfg->luns_per_channel;
	geo->dies = geo->channels * geo->luns_per_channel;
	geo->planes = (uint32_t)cfg->planes_per_lun;
	geo->pages_per_block = (uint32_t)cfg->pages_per_block;
	geo->oneshot_pages = (uint32_t)cfg->oneshot_pages;
	geo->page_types = cell_page_types(cfg->cell);
	geo->units_per_page = (uint32_t)(cfg->flash_page_bytes / GEO_UNIT_BYTES);
	geo->units_per_prog = geo->planes * geo->oneshot_pages * geo->units_per_page;
	geo->progs_per_block = geo->pages_per_block / geo->oneshot_pages;
	geo->lba_bytes = (uint32_t)cfg->lba_bytes;
	geo->lbas_per_unit = GEO_UNIT_BYTES / geo->lba_bytes;
	geo->lba_unit_shift = (uint32_t)__builtin_ctz(geo->lbas_per_unit);
}

int geometry_init(struct geometry *geo, const struct vssd_config *cfg, char *err, size_t errlen)
{
	uint64_t upl, physical, logical, prog_bytes;
	int rc;

	if (cfg->flash_page_bytes % GEO_UNIT_BYTES) {
		snprintf(err, errlen,
			 "flash_page_bytes=%llu: must be a multiple of the 4096-byte "
			 "mapping unit",
			 (unsigned long long)cfg->flash_page_bytes);
		return -EINVAL;
	}
	if (cfg->pages_per_block % cfg->oneshot_pages) {
		snprintf(err, errlen,
			 "pages_per_block=%llu: must be a multiple of "
			 "oneshot_pages=%llu",
			 (unsigned long long)cfg->pages_per_block,
			 (unsigned long long)cfg->oneshot_pages);
		return -EINVAL;
	}
	set_shape(geo, cfg);
	if ((rc = split_dies(geo, cfg, err, errlen)))
		return rc;

	upl = (uint64_t)geo->units_per_prog * geo->progs_per_block * geo->line_dies;
	physical = upl * geo->lines;
	if (upl > UINT32_MAX / 2 || physical >= UINT32_MAX) {
		snprintf(err, errlen,
			 "geometry of %llu physical 4 KiB units exceeds the 16 TiB "
			 "the 32-bit map addresses",
			 (unsigned long long)physical);
		return -EINVAL;
	}
	geo->units_per_line = (uint32_t)upl;
	geo->physical_units = physical;
	logical = (uint64_t)((double)physical / (1.0 + cfg->op));
	if (logical == 0) {
		snprintf(err, errlen, "op=%g leaves no logical capacity", cfg->op);
		return -EINVAL;
	}
	geo->logical_units = logical;

	prog_bytes = (uint64_t)geo->units_per_prog * GEO_UNIT_BYTES;
	if (cfg->write_buffer_bytes < prog_bytes) {
		snprintf(err, errlen,
			 "write_buffer_bytes=%llu: smaller than one program unit "
			 "(%llu bytes = planes x oneshot_pages x flash_page_bytes)",
			 (unsigned long long)cfg->write_buffer_bytes,
			 (unsigned long long)prog_bytes);
		return -EINVAL;
	}
	return 0;
}

uint32_t geo_page_type_of(const struct geometry *geo, uint32_t ppa)
{
	uint32_t off = ppa % geo->units_per_line;
	uint32_t row = off / geo->units_per_prog / geo->line_dies;
	uint32_t k = off % geo->units_per_prog;
	uint32_t page = row * geo->oneshot_pages + k / (geo->planes * geo->units_per_page);

	return page % geo->page_types;
}

uint32_t geo_prog_page_type(const struct geometry *geo, uint32_t ppa_of_prog_start,
			    uint32_t page_in_oneshot)
{
	uint32_t off = ppa_of_prog_start % geo->units_per_line;
	uint32_t row = off / geo->units_per_prog / geo->line_dies;

	return (row * geo->oneshot_pages + page_in_oneshot) % geo->page_types;
}
