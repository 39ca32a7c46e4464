/*
 * nbdkit-vssd-plugin: serves a vssd device over NBD in real time.
 *
 *   nbdkit ./build/nbdkit-vssd-plugin.so profile=default op=0.28 stats=/tmp/s.json
 *
 * Every parameter of `vssd params` is a key=value argument, checked as
 * vssd_open() checks it; profile= is applied first. stats=PATH keeps a JSON
 * report there, rewritten every stats_interval seconds (default 1) and
 * once more at exit, when the human summary goes to stderr. Each
 * connection gets its own I/O queue pair; the export name "pid=N" makes its
 * writes carry FDP placement identifier N (list_exports names them all).
 */
#define NBDKIT_API_VERSION 2
#define THREAD_MODEL NBDKIT_THREAD_MODEL_PARALLEL
#include <nbdkit-plugin.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"

#define MAX_PARAMS 256

static char *params[MAX_PARAMS + 1]; /* "key=value", NULL-terminated */
static unsigned nparams;
static const char *stats_path;
static double stats_interval_s = 1;
static struct vssd *dev;
static struct vssd_pblk *pblk;	   /* ftl=pblk: the block device is pblk's */
static struct vssd_served *served; /* per export: the default, then each pid=N */
static char **export_names;	   /* "pid=N" for each entry of the handle status list */
static uint32_t nexport_names;

static int plugin_config(const char *key, const char *value)
{
	char *end;

	if (!strcmp(key, "stats")) {
		stats_path = value;
		return 0;
	}
	if (!strcmp(key, "stats_interval")) {
		stats_interval_s = strtod(value, &end);
		if (*end || end == value || !(stats_interval_s >= 0.01)) {
			nbdkit_error("stats_interval=%s: expected seconds, at least 0.01", value);
			return -1;
		}
		return 0;
	}
	if (nparams == MAX_PARAMS) {
		nbdkit_error("%s=%s: more than %d parameters", key, value, MAX_PARAMS);
		return -1;
	}
	if (asprintf(&params[nparams], "%s=%s", key, value) < 0) {
		nbdkit_error("out of memory");
		return -1;
	}
	nparams++;
	return 0;
}

/* Checks every parameter now, so a bad one stops nbdkit before it serves. */
static int plugin_config_complete(void)
{
	char err[512];

	if (vssd_check_block_params((const char *const *)params, err, sizeof(err))) {
		nbdkit_error("%s", err);
		return -1;
	}
	return 0;
}

static int make_export_names(void)
{
	struct vssd_info info;

	if (vssd_info(dev, &info))
		return -1;
	nexport_names = info.placement_ids;
	export_names = calloc(nexport_names ? nexport_names : 1, sizeof(char *));
	if (!export_names)
		return -1;
	for (uint32_t i = 0; i < nexport_names; i++)
		if (asprintf(&export_names[i], "pid=%d", vssd_placement_id(dev, i)) < 0)
			return -1;
	return 0;
}

/* What the open of a device file found damaged, in nbdkit's log: a client
 * cannot see it, and the data it lost must not pass unnoticed. */
static void log_recovery(void)
{
	struct vssd_recovery r;

	if (vssd_recovery_info(dev, &r) || !r.recovered)
		return;
	nbdkit_debug("vssd: opened from media: %llu bytes of data, %s",
		     (unsigned long long)r.mapped_bytes,
		     r.from_checkpoint ? "from the checkpoint" : "by a scan");
	if (r.checkpoint_rejected)
		nbdkit_error("vssd: the checkpoint was not used (%s); the device was scanned",
			     r.checkpoint_rejected);
	if (r.state_blocks_damaged || r.oob_from_copy || r.oob_lost || r.trim_pages_from_copy ||
	    r.trim_pages_damaged)
		nbdkit_error(
			"vssd: the device file was damaged: %llu state blocks; %llu units' OOB "
			"read from its second copy, %llu units lost; %llu trim pages read from "
			"their second copy, %llu lost",
			(unsigned long long)r.state_blocks_damaged,
			(unsigned long long)r.oob_from_copy, (unsigned long long)r.oob_lost,
			(unsigned long long)r.trim_pages_from_copy,
			(unsigned long long)r.trim_pages_damaged);
}

/* The device starts after nbdkit forks into the background. Its runtime is
 * inline: the threads nbdkit runs requests on drive the controller
 * themselves, so a command needs no hop to a dispatcher thread and back. */
static int plugin_after_fork(void)
{
	struct vssd_info info;
	char err[512];
	int rc;

	if (vssd_open((const char *const *)params, VSSD_INLINE, &dev, err, sizeof(err)) ||
	    vssd_info(dev, &info)) {
		nbdkit_error("%s", err);
		return -1;
	}
	log_recovery();
	if (info.block_host == VSSD_BLOCK_PBLK && vssd_pblk_open(dev, &pblk, err, sizeof(err))) {
		nbdkit_error("%s", err);
		return -1;
	}
	/* statistics clients in export order: client i is export_index() i */
	if (vssd_served_open(dev, pblk, &served) || make_export_names() ||
	    vssd_served_client(served, "default") < 0) {
		nbdkit_error("out of memory");
		return -1;
	}
	for (uint32_t i = 0; i < nexport_names; i++)
		if (vssd_served_client(served, export_names[i]) < 0) {
			nbdkit_error("out of memory");
			return -1;
		}
	if ((rc = vssd_served_start(served, stats_path, (uint64_t)(stats_interval_s * 1e9)))) {
		nbdkit_error("stats=%s: %s", stats_path, strerror(-rc));
		return -1;
	}
	return 0;
}

static void plugin_unload(void)
{
	vssd_served_close(served, stderr);
	vssd_pblk_close(pblk); /* flushed: media=file reopens with everything */
	if (dev)
		vssd_close(dev);
	for (uint32_t i = 0; i < nexport_names; i++)
		free(export_names[i]);
	free(export_names);
	for (unsigned i = 0; i < nparams; i++)
		free(params[i]);
}

static int plugin_list_exports(int readonly, int is_tls, struct nbdkit_exports *exports)
{
	if (nbdkit_add_export(exports, "", "the device, writes without placement") == -1)
		return -1;
	for (uint32_t i = 0; i < nexport_names; i++)
		if (nbdkit_add_export(exports, export_names[i],
				      "writes carry this FDP placement identifier") == -1)
			return -1;
	return 0;
}

static const char *plugin_default_export(int readonly, int is_tls)
{
	return "";
}

/* The export's index for the statistics (0: the default export), or -1. */
static int export_index(const char *name)
{
	if (!*name)
		return 0;
	for (uint32_t i = 0; i < nexport_names; i++)
		if (!strcmp(name, export_names[i]))
			return (int)i + 1;
	return -1;
}

static void *plugin_open_conn(int readonly)
{
	const char *name = nbdkit_export_name();
	int index = export_index(name ? name : "");
	struct vssd_info info;
	unsigned write_flags;
	struct conn *c;
	int rc;

	if (index < 0) {
		nbdkit_error("export '%s': not an export of this device (the default \"\", or "
			     "pid=N for a placement identifier of fdp=on; see nbdinfo --list)",
			     name);
		return NULL;
	}
	if (!(c = malloc(sizeof(*c)))) {
		nbdkit_error("out of memory");
		return NULL;
	}
	/* export pid=N is status-list entry index - 1, whose identifier is N */
	write_flags = index ? VSSD_PID(vssd_placement_id(dev, (uint32_t)index - 1)) : 0;
	if ((rc = conn_open(c, dev, pblk, served, write_flags, index))) {
		if (rc == -ENOSPC &&
		    !vssd_info(dev, &info)) /* the client only hears the open failed */
			nbdkit_error(
				"vssd: connection refused: each NBD connection has an I/O queue "
				"pair of its own and all %u are in use; close one first",
				info.max_io_queue_pairs);
		else
			nbdkit_error("vssd: opening a queue pair: %s", strerror(-rc));
		conn_close(c);
		free(c);
		return NULL;
	}
	return c;
}

static void plugin_close_conn(void *handle)
{
	conn_close(handle);
	free(handle);
}

static int64_t plugin_get_size(void *handle)
{
	if (pblk)
		return (int64_t)(vssd_pblk_capacity(pblk) * 4096);
	return (int64_t)(vssd_capacity_lbas(dev) * vssd_lba_bytes(dev));
}

/* Minimum: an LBA. Preferred: a flash page (what the device programs and
 * senses at once). Maximum: one command's transfer (MDTS). */
static int plugin_block_size(void *handle, uint32_t *minimum, uint32_t *preferred,
			     uint32_t *maximum)
{
	struct vssd_info info;
	uint32_t page;

	if (vssd_info(dev, &info))
		return -1;
	page = info.flash_page_bytes;
	*minimum = vssd_lba_bytes(dev);
	*preferred = page & (page - 1) ? 4096 : page; /* NBD wants a power of two */
	*maximum = vssd_max_transfer_bytes(dev);
	return 0;
}

static int yes(void *handle)
{
	return 1;
}

static int plugin_can_fua(void *handle)
{
	return NBDKIT_FUA_NATIVE;
}

static int plugin_is_rotational(void *handle)
{
	return 0;
}

/* nbdkit calls these with bounds checked against get_size. */
static int finish(int err)
{
	if (err)
		nbdkit_set_error(err);
	return err ? -1 : 0;
}

static int plugin_pread(void *handle, void *buf, uint32_t count, uint64_t offset, uint32_t flags)
{
	return finish(conn_read(handle, buf, count, offset));
}

static int plugin_pwrite(void *handle, const void *buf, uint32_t count, uint64_t offset,
			 uint32_t flags)
{
	return finish(conn_write(handle, buf, count, offset, flags & NBDKIT_FLAG_FUA));
}

/* A fast zero (NBD_CMD_FLAG_FAST_ZERO) must fail at once rather than be
 * slower than writing zeros: deallocating is fast (no NAND program), writing
 * zeros is not, so without the client's leave to trim the answer is ENOTSUP. */
static int plugin_zero(void *handle, uint32_t count, uint64_t offset, uint32_t flags)
{
	if ((flags & NBDKIT_FLAG_FAST_ZERO) && !(flags & NBDKIT_FLAG_MAY_TRIM))
		return finish(ENOTSUP);
	return finish(conn_zero(handle, count, offset, flags & NBDKIT_FLAG_MAY_TRIM,
				flags & NBDKIT_FLAG_FUA));
}

static int plugin_trim(void *handle, uint32_t count, uint64_t offset, uint32_t flags)
{
	return finish(conn_trim(handle, count, offset, flags & NBDKIT_FLAG_FUA));
}

static int plugin_flush(void *handle, uint32_t flags)
{
	return finish(conn_flush(handle));
}

static struct nbdkit_plugin plugin = {
	.name = "vssd",
	.longname = "vssd: a virtual NVMe SSD (NVMeVirt with FDP) in real time",
	.version = VSSD_VERSION,
	.description = "Serves an emulated NVMe SSD whose latency, GC and write "
		       "amplification follow its model.",
	.config = plugin_config,
	.config_complete = plugin_config_complete,
	.config_help = "profile=NAME|FILE  a profile, applied first\n"
		       "KEY=VALUE          any parameter of `vssd params`\n"
		       "stats=PATH         a JSON report there, kept up to date\n"
		       "stats_interval=S   how often it is rewritten (default 1 s)",
	.after_fork = plugin_after_fork,
	.unload = plugin_unload,
	.list_exports = plugin_list_exports,
	.default_export = plugin_default_export,
	.open = plugin_open_conn,
	.close = plugin_close_conn,
	.get_size = plugin_get_size,
	.block_size = plugin_block_size,
	.can_write = yes,
	.can_flush = yes,
	.can_trim = yes,
	.can_zero = yes,
	.can_fast_zero = yes,
	.can_multi_conn = yes,
	.can_fua = plugin_can_fua,
	.is_rotational = plugin_is_rotational,
	.pread = plugin_pread,
	.pwrite = plugin_pwrite,
	.zero = plugin_zero,
	.trim = plugin_trim,
	.flush = plugin_flush,
	.errno_is_preserved = 0,
};

NBDKIT_REGISTER_PLUGIN(plugin)
