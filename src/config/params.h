/*
 * The device's parameters: one table (key, type, default, range, help) that
 * every frontend uses, so `--set`, profile files and nbdkit arguments all
 * accept the same keys with the same validation and the same messages.
 */
#ifndef VSSD_CONFIG_PARAMS_H
#define VSSD_CONFIG_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define VSSD_MAX_PAGE_TYPES 4 /* QLC: LSB, CSB, MSB, TSB */
#define VSSD_MAX_RUH 128      /* reclaim unit handles */
#define VSSD_MAX_RG 128	      /* reclaim groups */
#define VSSD_PATH_MAX 1024

enum vssd_cell { CELL_SLC, CELL_MLC, CELL_TLC, CELL_QLC };
enum vssd_gc_policy { GC_GREEDY, GC_COST_BENEFIT, GC_FIFO };
enum vssd_gc_pacing { GC_PACING_LINE, GC_PACING_PROPORTIONAL };
enum vssd_wear_levelling { WL_OFF, WL_DYNAMIC, WL_STATIC };
enum vssd_media { MEDIA_NONE, MEDIA_RAM, MEDIA_FILE };
enum vssd_slc_when_full { SLC_WHEN_FULL_DIRECT, SLC_WHEN_FULL_FOLD };
enum vssd_debug { DEBUG_NONE, DEBUG_NVME };
enum rt_workers { RT_WORKERS_AUTO, RT_WORKERS_0, RT_WORKERS_1 };
enum ruh_type { RUH_INITIALLY, RUH_PERSISTENTLY };
enum vssd_ftl { FTL_CONV, FTL_OCSSD, FTL_PBLK, FTL_ZNS, FTL_ZNS_HOST };

/* A list of nanosecond values, one per page type of the cell. */
struct ns_list {
	uint64_t ns[VSSD_MAX_PAGE_TYPES];
	uint32_t count;
};

/* Each reclaim unit handle's type: one value for all, or one per handle. */
struct ruh_types {
	uint8_t type[VSSD_MAX_RUH]; /* enum ruh_type */
	uint32_t count;
};

/* The namespace's placement handle list: placement handle i is reclaim
 * unit handle ruh[i]; count 0 means every handle, in order. */
struct ruh_list {
	uint16_t ruh[VSSD_MAX_RUH];
	uint32_t count;
};

struct vssd_config {
	/* geometry */
	uint64_t channels;
	uint64_t luns_per_channel;
	uint64_t planes_per_lun;
	uint64_t blocks_per_plane;
	uint64_t pages_per_block;
	uint64_t flash_page_bytes;
	uint64_t oneshot_pages;
	uint64_t lba_bytes;
	double op;
	/* who maps */
	uint64_t ftl; /* enum vssd_ftl */
	double ocssd_offline_rate;
	double ocssd_write_fail;
	double ocssd_erase_fail;
	uint64_t ocssd_reset_free; /* bool */
	uint64_t pblk_op;	   /* percent */
	uint64_t pblk_rb_entries;
	uint64_t pblk_copy_ns;
	/* zoned namespaces (ftl=zns) */
	uint64_t zns_zone_bytes;     /* 0: the smallest power of two over the capacity */
	uint64_t zns_zone_cap_bytes; /* 0: all the zone's blocks hold */
	uint64_t zns_zone_dies;	     /* 0: every die */
	uint64_t zns_max_open;	     /* 0: no limit */
	uint64_t zns_max_active;     /* 0: no limit */
	uint64_t zns_offline_zones;  /* zones offline from the start */
	uint64_t zns_read_only_pe;   /* erases after which a zone that fills turns read only */
	/* garbage collection */
	uint64_t gc_policy;	    /* enum vssd_gc_policy */
	uint64_t gc_pacing;	    /* enum vssd_gc_pacing */
	uint64_t wear_levelling;    /* enum vssd_wear_levelling */
	uint64_t wear_level_spread; /* erase counts apart that start a static move */
	uint64_t initial_pe_cycles;
	uint64_t gc_free_lines_low;
	uint64_t gc_free_lines_high;
	uint64_t gc_background; /* bool */
	/* the SLC cache */
	uint64_t slc_cache_bytes;   /* static part */
	uint64_t slc_dynamic_bytes; /* most the dynamic part holds */
	uint64_t slc_prog_ns;	    /* a flash page programmed as SLC */
	uint64_t slc_when_full;	    /* enum vssd_slc_when_full */
	uint64_t slc_read_ns;
	/* timing */
	uint64_t timing; /* bool */
	uint64_t cell;	 /* enum vssd_cell */
	struct ns_list read_ns;
	struct ns_list prog_ns;
	uint64_t erase_ns;
	uint64_t suspend; /* bool: host reads suspend programs and erases */
	uint64_t suspend_ns;
	uint64_t resume_ns;
	uint64_t suspend_max; /* suspensions of one operation */
	uint64_t channel_mbps;
	uint64_t pcie_mbps;
	uint64_t fw_read_ns;
	uint64_t fw_write_ns;
	uint64_t fw_cores; /* 0: firmware time is a latency alone */
	uint64_t write_buffer_bytes;
	uint64_t pe_cycles; /* 0: by cell type */
	/* media faults (the device FTL's) */
	double read_retry_rate;	   /* a page read's odds of a retry at rated wear */
	uint64_t uncorrectable_pe; /* erases from which pages may be uncorrectable; 0: never */
	double uncorrectable_rate;
	double program_fail_rate;
	double erase_fail_rate;
	uint64_t spare_blocks_per_die;
	/* flexible data placement */
	uint64_t fdp;		    /* bool */
	uint64_t ram_beyond_memory; /* bool */
	uint64_t fdp_nruh;
	uint64_t fdp_nrg;
	uint64_t fdp_ru_bytes; /* 0: block i of every plane of every die of a group */
	struct ruh_types fdp_ruh_type;
	struct ruh_list fdp_phndls;
	/* real-time runtime */
	uint64_t rt_workers; /* enum rt_workers */
	uint64_t rt_spin_ns;
	/* data */
	uint64_t media;		  /* enum vssd_media */
	char path[VSSD_PATH_MAX]; /* media=file's device file */
	uint64_t seed;
	uint64_t debug; /* enum vssd_debug */
};

/* Page types of a cell: SLC 1, MLC 2, TLC 3, QLC 4. */
static inline uint32_t cell_page_types(uint64_t cell)
{
	return (uint32_t)cell + 1;
}

/* Reclaim unit handles the FTL keeps write pointers for (1 without FDP). */
static inline uint32_t config_nruh(const struct vssd_config *cfg)
{
	return cfg->fdp ? (uint32_t)cfg->fdp_nruh : 1;
}

/* Reclaim groups: disjoint sets of dies, each with its own lines (1 without FDP). */
static inline uint32_t config_nrg(const struct vssd_config *cfg)
{
	return cfg->fdp ? (uint32_t)cfg->fdp_nrg : 1;
}

/* Whether GC keeps handle r's data in units of its own. */
static inline bool config_ruh_persistent(const struct vssd_config *cfg, uint32_t r)
{
	const struct ruh_types *t = &cfg->fdp_ruh_type;

	return cfg->fdp && t->type[t->count == 1 ? 0 : r] == RUH_PERSISTENTLY;
}

/* Rated program/erase cycles of a block: pe_cycles, or the cell type's typical. */
uint64_t config_rated_pe_cycles(const struct vssd_config *cfg);

/* Lines open at once in one reclaim group: a host write pointer per
 * handle, a GC write pointer per persistently isolated handle, and one GC
 * write pointer the other handles share. */
static inline uint32_t config_open_lines(const struct vssd_config *cfg)
{
	uint32_t n = config_nruh(cfg), persistent = 0;

	for (uint32_t r = 0; r < n; r++)
		persistent += config_ruh_persistent(cfg, r);
	return n + persistent + (persistent < n);
}

/* Fills cfg with every parameter's default. Returns 0. */
int config_defaults(struct vssd_config *cfg);

/*
 * Sets one parameter from text. Returns 0, or -EINVAL with a message naming
 * the key, the value and what is allowed written to err.
 */
int config_set(struct vssd_config *cfg, const char *key, const char *value, char *err,
	       size_t errlen);

/* Parses "key=value" and sets it. Returns 0 or -EINVAL with a message in err. */
int config_set_pair(struct vssd_config *cfg, const char *pair, char *err, size_t errlen);

/*
 * Loads a profile: NAME (looked up in the profile directories) or a path to a
 * file of `key = value` lines. Returns 0 or a negative errno with a message.
 */
int config_load_profile(struct vssd_config *cfg, const char *name_or_path, char *err,
			size_t errlen);

/*
 * Checks the parameters against each other (list lengths against the cell,
 * GC thresholds). Geometry is checked by geometry_init(). Returns 0 or -EINVAL.
 */
int config_check(const struct vssd_config *cfg, char *err, size_t errlen);

/* Writes a parameter's current value as text (the form config_set accepts). */
void config_format(const struct vssd_config *cfg, const char *key, char *out, size_t outlen);

/* Prints every parameter: name, default, range, help. */
void config_print_table(FILE *out);

/* Number of table entries and the i-th key, for frontends that iterate. */
size_t config_param_count(void);
const char *config_param_key(size_t i);
/* Whether the i-th parameter shapes the data on the media (geometry, FTL
 * layout): a device file can only be reopened with the values it was made with. */
bool config_param_is_layout(size_t i);

/* Parses a byte size with optional k/m/g/t (binary) suffix. Returns 0 or -EINVAL. */
int parse_size_bytes(const char *text, uint64_t *out);

#endif
