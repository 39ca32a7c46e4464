/*
 * The device core: a namespace's FTL (whichever the FTL table gives for
 * cfg.ftl), its timing model and its media. Commands are checked against
 * the capacity and handed to the FTL; the core keeps the SMART counters
 * (kept on the media by an FTL that keeps state), the power-on time, and
 * the measurements a power loss must not reset.
 */
#include "core/device.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vssd/nvme.h"

_Static_assert(sizeof(struct dev_health) <= FTL_EXTRA_BYTES, "health fits the state block");

static const struct ftl_ops *ops_of(const struct vssd_dev *dev)
{
	return dev->ftl->ops;
}

/* The FTL over the media: new, or recovered from what the media holds,
 * with the SMART counters it kept. */
static int load_ftl(struct vssd_dev *dev)
{
	const struct ftl_ops *ops = ftl_ops_for(&dev->cfg);
	struct ftl_env env = {&dev->cfg, &dev->geo, &dev->tm, dev->media};
	uint8_t extra[FTL_EXTRA_BYTES] = {0};
	int rc;

	dev->loaded = false;
	if ((rc = ops->open(&env, &dev->ftl, &dev->recovery, extra)))
		return rc;
	dev->capacity_lbas = ops->capacity_lbas(dev->ftl);
	dev->prefetch = ops->prefetch;
	if (dev->recovery.recovered && ops->keeps_state) {
		memcpy(&dev->health, extra, sizeof(dev->health));
		dev->health.unsafe_shutdowns += !dev->recovery.from_checkpoint;
	}
	dev->health.power_cycles++;
	dev->loaded = true;
	return 0;
}

/* Every command brings the caller's clock: the timing model's and the power-on time's. */
static void dev_set_now(struct vssd_dev *dev, uint64_t now_ns)
{
	timing_set_now(&dev->tm, now_ns);
	if (now_ns > dev->now_ns)
		dev->now_ns = now_ns;
}

uint64_t dev_power_on_ns(const struct vssd_dev *dev, uint64_t now_ns)
{
	return dev->health.power_on_ns +
	       (now_ns > dev->powered_at_ns ? now_ns - dev->powered_at_ns : 0);
}

/* The counters as the media keeps them (power-on time up to now). */
static void health_extra(const struct vssd_dev *dev, uint8_t *extra)
{
	struct dev_health h = dev->health;

	h.power_on_ns = dev_power_on_ns(dev, dev->now_ns);
	memset(extra, 0, FTL_EXTRA_BYTES);
	memcpy(extra, &h, sizeof(h));
}

int dev_create(const struct vssd_config *cfg, struct vssd_dev **out, char *err, size_t errlen)
{
	struct vssd_dev *dev;
	int rc;

	if ((rc = config_check(cfg, err, errlen)))
		return rc;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->cfg = *cfg;
	dev->rated_pe = config_rated_pe_cycles(cfg);
	if ((rc = geometry_init(&dev->geo, cfg, err, errlen)) ||
	    (rc = ftl_check_config(cfg, &dev->geo, err, errlen)))
		goto fail;
	rc = -ENOMEM;
	snprintf(err, errlen, "out of memory building the device");
	if (timing_init(&dev->tm, &dev->geo, cfg))
		goto fail;
	if ((rc = media_open(cfg, dev->geo.physical_units,
			     ftl_ops_for(cfg)->meta_bytes(&dev->geo, cfg), &dev->media, err,
			     errlen)))
		goto fail;
	if ((rc = load_ftl(dev))) {
		snprintf(err, errlen, "cannot %s the device: %s",
			 dev->media->reopened ? "recover" : "build", strerror(-rc));
		goto fail;
	}
	err[0] = 0;
	*out = dev;
	return 0;
fail:
	dev_destroy(dev);
	return rc;
}

void dev_destroy(struct vssd_dev *dev)
{
	if (!dev)
		return;
	if (dev->loaded && ops_of(dev)->checkpoint) {
		uint8_t extra[FTL_EXTRA_BYTES];

		health_extra(dev, extra);
		if (ops_of(dev)->checkpoint(dev->ftl, extra, dev->now_ns))
			fprintf(stderr,
				"vssd: the checkpoint could not be written; the next open scans\n");
	}
	if (dev->ftl)
		ops_of(dev)->close(dev->ftl);
	if (dev->media)
		dev->media->ops->destroy(dev->media);
	timing_fini(&dev->tm);
	free(dev);
}

static int check_range(const struct vssd_dev *dev, uint64_t slba, uint32_t nlb)
{
	if (!nlb)
		return -EINVAL;
	if (slba >= dev_capacity_lbas(dev) || nlb > dev_capacity_lbas(dev) - slba)
		return -ERANGE;
	return 0;
}

int dev_write(struct vssd_dev *dev, uint64_t slba, uint32_t nlb, const void *buf, uint64_t now_ns,
	      uint64_t *done_ns)
{
	return dev_write_placed(dev, slba, nlb, buf, now_ns, (struct placement){0, 0}, done_ns);
}

int dev_write_placed(struct vssd_dev *dev, uint64_t slba, uint32_t nlb, const void *buf,
		     uint64_t now_ns, struct placement pl, uint64_t *done_ns)
{
	int rc = check_range(dev, slba, nlb);

	if (rc)
		return rc;
	if (!ops_of(dev)->write)
		return -EOPNOTSUPP;
	dev_set_now(dev, now_ns);
	rc = ops_of(dev)->write(dev->ftl, slba, nlb, buf, now_ns, pl, done_ns);
	dev->health.media_errors += rc == -EBADMSG;
	if (!rc)
		dev->health.host_write_bytes += (uint64_t)nlb * dev->geo.lba_bytes;
	return rc;
}

int dev_read(struct vssd_dev *dev, uint64_t slba, uint32_t nlb, void *buf, uint64_t now_ns,
	     uint64_t *done_ns)
{
	uint64_t err_lba;

	return dev_read_err(dev, slba, nlb, buf, now_ns, done_ns, &err_lba);
}

int dev_read_err(struct vssd_dev *dev, uint64_t slba, uint32_t nlb, void *buf, uint64_t now_ns,
		 uint64_t *done_ns, uint64_t *err_lba)
{
	int rc = check_range(dev, slba, nlb);

	*err_lba = slba;
	if (rc)
		return rc;
	if (!ops_of(dev)->read)
		return -EOPNOTSUPP;
	dev_set_now(dev, now_ns);
	rc = ops_of(dev)->read(dev->ftl, slba, nlb, buf, now_ns, done_ns, err_lba);
	dev->health.media_errors += rc == -EBADMSG;
	if (!rc)
		dev->health.host_read_bytes += (uint64_t)nlb * dev->geo.lba_bytes;
	return rc;
}

int dev_trim(struct vssd_dev *dev, uint64_t slba, uint32_t nlb, uint64_t now_ns, uint64_t *done_ns)
{
	int rc = check_range(dev, slba, nlb);

	if (rc)
		return rc;
	if (!ops_of(dev)->trim)
		return -EOPNOTSUPP;
	dev_set_now(dev, now_ns);
	if (!(rc = ops_of(dev)->trim(dev->ftl, slba, nlb, now_ns, done_ns)))
		dev->health.host_trim_bytes += (uint64_t)nlb * dev->geo.lba_bytes;
	return rc;
}

int dev_flush(struct vssd_dev *dev, uint64_t now_ns, uint64_t *done_ns)
{
	uint8_t extra[FTL_EXTRA_BYTES];
	bool keeps = ops_of(dev)->keeps_state;

	dev_set_now(dev, now_ns);
	if (keeps)
		health_extra(dev, extra);
	return ops_of(dev)->flush(dev->ftl, keeps ? extra : NULL, now_ns, done_ns);
}

uint64_t dev_vector(struct vssd_dev *dev, enum ftl_vector_op op, const uint64_t *lbas, uint32_t n,
		    void *data, void *meta, uint64_t now_ns, uint16_t *st)
{
	uint64_t done, ok = 0;

	dev_set_now(dev, now_ns);
	if (!ops_of(dev)->vector) {
		for (uint32_t i = 0; i < n; i++)
			st[i] = NVME_SC_INVALID_OPCODE;
		return now_ns;
	}
	if (!dev->media->keeps_data)
		data = NULL;
	done = ops_of(dev)->vector(dev->ftl, op, lbas, n, data, meta, now_ns, st);
	for (uint32_t i = 0; i < n; i++) {
		ok += !st[i];
		dev->health.media_errors += st[i] == NVME_SC_READ_ERROR;
	}
	if (op == FTL_VECTOR_WRITE)
		dev->health.host_write_bytes += ok * GEO_UNIT_BYTES;
	else if (op == FTL_VECTOR_READ)
		dev->health.host_read_bytes += ok * GEO_UNIT_BYTES;
	return done;
}

uint32_t dev_sector_meta_bytes(const struct vssd_dev *dev)
{
	return ops_of(dev)->sector_meta_bytes;
}

void dev_zone_info(const struct vssd_dev *dev, struct ftl_zone_info *out)
{
	*out = (struct ftl_zone_info){0};
	if (ops_of(dev)->zone_info)
		ops_of(dev)->zone_info(dev->ftl, out);
}

uint16_t dev_zone_write(struct vssd_dev *dev, uint64_t slba, uint32_t nlb, const void *buf,
			bool append, uint64_t now_ns, uint64_t *lba, uint64_t *done_ns)
{
	uint16_t st;

	if (!ops_of(dev)->zone_write)
		return NVME_SC_INVALID_OPCODE;
	if (check_range(dev, slba, nlb))
		return NVME_SC_LBA_RANGE;
	dev_set_now(dev, now_ns);
	st = ops_of(dev)->zone_write(dev->ftl, slba, nlb, dev->media->keeps_data ? buf : NULL,
				     append, now_ns, lba, done_ns);
	if (!st)
		dev->health.host_write_bytes += (uint64_t)nlb * dev->geo.lba_bytes;
	return st;
}

uint16_t dev_zone_read(struct vssd_dev *dev, uint64_t slba, uint32_t nlb, void *buf,
		       uint64_t now_ns, uint64_t *done_ns)
{
	uint16_t st;

	if (!ops_of(dev)->zone_read)
		return NVME_SC_INVALID_OPCODE;
	if (check_range(dev, slba, nlb))
		return NVME_SC_LBA_RANGE;
	dev_set_now(dev, now_ns);
	st = ops_of(dev)->zone_read(dev->ftl, slba, nlb, dev->media->keeps_data ? buf : NULL,
				    now_ns, done_ns);
	dev->health.media_errors += st == NVME_SC_READ_ERROR;
	if (!st)
		dev->health.host_read_bytes += (uint64_t)nlb * dev->geo.lba_bytes;
	return st;
}

uint16_t dev_zone_send(struct vssd_dev *dev, uint64_t slba, enum nvme_zone_send_action action,
		       bool all, uint64_t now_ns, uint64_t *done_ns)
{
	if (!ops_of(dev)->zone_send)
		return NVME_SC_INVALID_OPCODE;
	dev_set_now(dev, now_ns);
	return ops_of(dev)->zone_send(dev->ftl, slba, action, all, now_ns, done_ns);
}

uint16_t dev_zone_report(const struct vssd_dev *dev, uint64_t slba, uint8_t filter, bool partial,
			 void *buf, size_t bytes)
{
	if (!ops_of(dev)->zone_report)
		return NVME_SC_INVALID_OPCODE;
	return ops_of(dev)->zone_report(dev->ftl, slba, filter, partial, buf, bytes);
}

void dev_idle(struct vssd_dev *dev, uint64_t until_ns)
{
	dev_set_now(dev, until_ns);
	if (ops_of(dev)->idle)
		ops_of(dev)->idle(dev->ftl, until_ns);
}

void dev_counters(const struct vssd_dev *dev, struct dev_counters *c)
{
	struct ftl_stats st;

	ops_of(dev)->stats(dev->ftl, &st);
	*c = (struct dev_counters){.host_write_bytes = dev->health.host_write_bytes,
				   .host_read_bytes = dev->health.host_read_bytes,
				   .host_trim_bytes = dev->health.host_trim_bytes,
				   .host_write_units = st.host_write_units,
				   .gc_copied_units = st.gc_copied_units,
				   .media_write_bytes = st.media_write_units * GEO_UNIT_BYTES,
				   .erased_blocks = st.erased_blocks,
				   .gc_runs = st.gc_runs,
				   .mapped_units = st.mapped_units,
				   .free_lines = st.free_lines,
				   .borrowed_lines = st.borrowed_lines,
				   .erase_min = st.erase_min,
				   .erase_max = st.erase_max,
				   .erase_mean = st.erase_mean,
				   .erase_stdev = st.erase_stdev,
				   .wear_moves = st.wear_moves,
				   .faults_on = st.faults_on,
				   .read_retries = st.read_retries,
				   .uncorrectable_reads = st.uncorrectable_reads,
				   .program_fails = st.program_fails,
				   .erase_fails = st.erase_fails,
				   .spare_blocks = st.spare_blocks,
				   .spare_left = st.spare_left,
				   .read_only = st.read_only,
				   .nlost = st.nlost};
	memcpy(c->lost_lbas, st.lost_lbas, sizeof(c->lost_lbas));
}

uint32_t dev_percent_used(const struct vssd_dev *dev)
{
	return ops_of(dev)->percent_used(dev->ftl, dev->rated_pe);
}

uint32_t dev_spare_percent(const struct vssd_dev *dev, bool *read_only)
{
	*read_only = false;
	return ops_of(dev)->spare_percent ? ops_of(dev)->spare_percent(dev->ftl, read_only) : 100;
}

uint64_t dev_metadata_bytes(const struct vssd_dev *dev)
{
	const struct geometry *geo = &dev->geo;

	return ops_of(dev)->ram_bytes(dev->ftl) + geo->dies * 2 * sizeof(uint64_t) +
	       geo->channels * sizeof(uint64_t);
}

int dev_check(const struct vssd_dev *dev, char *err, size_t errlen)
{
	err[0] = 0;
	return ops_of(dev)->check(dev->ftl, err, errlen);
}

const char *dev_figures(const struct vssd_dev *dev, struct ftl_figure out[FTL_MAX_FIGURES],
			uint32_t *n)
{
	*n = ops_of(dev)->figures ? ops_of(dev)->figures(dev->ftl, out) : 0;
	return *n ? ops_of(dev)->figures_name : NULL;
}

size_t dev_identify_cs(const struct vssd_dev *dev, void *buf, size_t bytes)
{
	return ops_of(dev)->identify_cs ? ops_of(dev)->identify_cs(dev->ftl, buf, bytes) : 0;
}

uint64_t dev_log_bytes(const struct vssd_dev *dev, uint8_t lid)
{
	return ops_of(dev)->log_bytes ? ops_of(dev)->log_bytes(dev->ftl, lid) : 0;
}

void dev_log_read(const struct vssd_dev *dev, uint8_t lid, uint64_t off, uint64_t bytes, void *out)
{
	ops_of(dev)->log_read(dev->ftl, lid, off, bytes, out);
}

bool dev_places_data(const struct vssd_dev *dev)
{
	return ops_of(dev)->ruh_update != NULL;
}

void dev_set_events(struct vssd_dev *dev, const struct ftl_events *ev)
{
	if (ops_of(dev)->set_events)
		ops_of(dev)->set_events(dev->ftl, ev);
}

uint32_t dev_ruh_available_units(const struct vssd_dev *dev, struct placement pl)
{
	return dev_places_data(dev) ? ops_of(dev)->ruh_available_units(dev->ftl, pl) : 0;
}

bool dev_ruh_update(struct vssd_dev *dev, struct placement pl, uint64_t now_ns)
{
	return dev_places_data(dev) && ops_of(dev)->ruh_update(dev->ftl, pl, now_ns);
}

void dev_ruh_stats(const struct vssd_dev *dev, uint16_t ruh, struct ftl_ruh_stats *st)
{
	*st = (struct ftl_ruh_stats){0};
	if (dev_places_data(dev))
		ops_of(dev)->ruh_stats(dev->ftl, ruh, st);
}

uint32_t dev_rg_free_units(const struct vssd_dev *dev, uint32_t rg)
{
	return dev_places_data(dev) ? ops_of(dev)->rg_free_units(dev->ftl, rg) : 0;
}

bool dev_can_powerloss(const struct vssd_dev *dev)
{
	return ops_of(dev)->can_power_loss(dev->ftl);
}

/*
 * The FTL keeps what it measured across the cut; the core keeps SMART and
 * each die's busy time: the NAND did that work, a drive keeps its SMART
 * across a power loss, and a report spanning the cut must add up. Only the
 * FTL's state (map, lines, write pointers, chunks) is rebuilt. Work booked
 * past the cut never happens.
 */
int dev_powerloss(struct vssd_dev *dev)
{
	struct dev_health health = dev->health;
	uint64_t *busy;
	int rc;

	if (!dev_can_powerloss(dev))
		return -EOPNOTSUPP;
	if (!(busy = malloc(dev->geo.dies * sizeof(uint64_t))))
		return -ENOMEM;
	timing_cut_busy(&dev->tm, dev->now_ns);
	memcpy(busy, dev->tm.die_busy_ns, dev->geo.dies * sizeof(uint64_t));
	timing_fini(&dev->tm);
	dev->loaded = false;
	if (!(rc = timing_init(&dev->tm, &dev->geo, &dev->cfg))) {
		dev->media->reopened = true;
		health.power_on_ns = dev_power_on_ns(dev, dev->now_ns);
		dev->powered_at_ns = dev->now_ns;
		rc = ops_of(dev)->power_loss(dev->ftl, &dev->recovery);
	}
	if (!rc) {
		dev->loaded = true;
		health.power_cycles++;
		health.unsafe_shutdowns += !dev->recovery.from_checkpoint;
		dev->health = health;
		memcpy(dev->tm.die_busy_ns, busy, dev->geo.dies * sizeof(uint64_t));
	}
	free(busy);
	return rc;
}
