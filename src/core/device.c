/*
 * Commands in LBAs -> FTL work in 4 KiB units, with the timing model's
 * firmware, write buffer and PCIe steps around it. An LBA range that covers
 * part of a unit is merged with the unit's old data (read-modify-write), so
 * 512-byte LBAs keep their neighbours.
 */
#include "core/device.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"

_Static_assert(sizeof(struct dev_health) <= PERSIST_EXTRA_BYTES, "health fits the state block");

/* The open-channel chunk table, new or found again on the media. The
 * device keeps no SMART state of its own here: the host's FTL keeps what
 * it needs. */
static int load_ocssd(struct vssd_dev *dev)
{
	uint64_t t0 = mono_ns();
	int rc;

	dev->recovery = (struct ftl_recovery){0};
	if ((rc = ocssd_init(&dev->oc, &dev->geo, &dev->cfg, &dev->tm, dev->media)))
		return rc;
	if (dev->media->reopened) {
		dev->recovery.recovered = true;
		for (uint32_t i = 0; i < ocssd_nchunks(&dev->oc); i++)
			dev->recovery.units_scanned += dev->oc.chunks[i].wp;
		dev->recovery.wall_ns = mono_ns() - t0;
	}
	dev->health.power_cycles++;
	dev->loaded = true;
	return 0;
}

/* The FTL over the media: new, or recovered from what the media holds. */
static int load_ftl(struct vssd_dev *dev)
{
	uint8_t extra[PERSIST_EXTRA_BYTES];
	int rc;

	if (dev->open_channel)
		return load_ocssd(dev);
	rc = conv_init(&dev->ftl, &dev->geo, &dev->cfg, &dev->tm, dev->media);
	dev->recovery = (struct ftl_recovery){0};
	dev->loaded = false;
	if (rc)
		return rc;
	if (!dev->media->reopened) {
		dev->health.power_cycles = 1;
	} else {
		if ((rc = persist_recover(&dev->ftl, extra, &dev->recovery)))
			return rc;
		memcpy(&dev->health, extra, sizeof(dev->health));
		dev->health.power_cycles++;
		dev->health.unsafe_shutdowns += !dev->recovery.from_checkpoint;
	}
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
	return dev->health.power_on_ns + (now_ns > dev->powered_at_ns ? now_ns - dev->powered_at_ns : 0);
}

/* The counters as the media keeps them (power-on time up to now). */
static void health_extra(const struct vssd_dev *dev, uint8_t *extra)
{
	struct dev_health h = dev->health;

	h.power_on_ns = dev_power_on_ns(dev, dev->now_ns);
	memset(extra, 0, PERSIST_EXTRA_BYTES);
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
	dev->open_channel = cfg->ftl != FTL_CONV;
	if ((rc = geometry_init(&dev->geo, cfg, err, errlen)))
		goto fail;
	rc = -ENOMEM;
	snprintf(err, errlen, "out of memory building the device");
	dev->unit_buf = malloc(UNIT_BYTES);
	if (!dev->unit_buf || timing_init(&dev->tm, &dev->geo, cfg))
		goto fail;
	if ((rc = media_open(cfg, dev->geo.physical_units,
			     dev->open_channel ? ocssd_meta_bytes(&dev->geo)
					       : persist_meta_bytes(&dev->geo, config_nruh(cfg)),
			     &dev->media, err, errlen)))
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

/* Programs everything buffered (GC's copies too) and writes the checkpoint. */
static int dev_checkpoint(struct vssd_dev *dev)
{
	uint8_t extra[PERSIST_EXTRA_BYTES];
	int rc = persist_program_buffers(&dev->ftl, dev->now_ns);

	health_extra(dev, extra);
	return rc ? rc : persist_checkpoint(&dev->ftl, extra);
}

void dev_destroy(struct vssd_dev *dev)
{
	if (!dev)
		return;
	if (dev->loaded && dev->ftl.ps && dev_checkpoint(dev))
		fprintf(stderr, "vssd: the checkpoint could not be written; the next open scans\n");
	conv_fini(&dev->ftl);
	ocssd_fini(&dev->oc);
	if (dev->media)
		dev->media->ops->destroy(dev->media);
	timing_fini(&dev->tm);
	free(dev->unit_buf);
	free(dev);
}

uint64_t dev_capacity_lbas(const struct vssd_dev *dev)
{
	if (dev->open_channel)
		return ocssd_address_space(&dev->oc);
	return dev->geo.logical_units * dev->geo.lbas_per_unit;
}

static int check_range(const struct vssd_dev *dev, uint64_t slba, uint32_t nlb)
{
	if (!nlb)
		return -EINVAL;
	if (slba >= dev_capacity_lbas(dev) || nlb > dev_capacity_lbas(dev) - slba)
		return -ERANGE;
	return 0;
}

static const uint8_t zero_unit[UNIT_BYTES];

/* The unit's new contents when the write covers only part of it, or NULL
 * when its old contents cannot be read. */
static const void *merge_partial(struct vssd_dev *dev, uint32_t lu, const uint8_t *src,
				 uint32_t first_lba_in_unit, uint32_t nlb_in_unit)
{
	uint32_t ppa = dev->ftl.l2p[lu];

	if (ppa == UNMAPPED)
		memset(dev->unit_buf, 0, UNIT_BYTES);
	else if (dev->media->ops->read(dev->media, ppa, dev->unit_buf, NULL)) {
		dev->health.media_errors++;
		return NULL; /* the unit's old data cannot be read: fail the write */
	}
	memcpy(dev->unit_buf + (uint64_t)first_lba_in_unit * dev->geo.lba_bytes, src,
	       (uint64_t)nlb_in_unit * dev->geo.lba_bytes);
	return dev->unit_buf;
}

int dev_write(struct vssd_dev *dev, uint64_t slba, uint32_t nlb, const void *buf,
	      uint64_t now_ns, uint64_t *done_ns)
{
	return dev_write_placed(dev, slba, nlb, buf, now_ns, (struct placement){0, 0}, done_ns);
}

int dev_write_placed(struct vssd_dev *dev, uint64_t slba, uint32_t nlb, const void *buf,
		     uint64_t now_ns, struct placement pl, uint64_t *done_ns)
{
	const struct geometry *geo = &dev->geo;
	struct timing *tm = &dev->tm;
	uint64_t lba = slba, end = slba + nlb, start = now_ns, done = now_ns;
	const uint8_t *src = buf;
	int rc = check_range(dev, slba, nlb);

	if (rc)
		return rc;
	if (pl.ruh >= dev->ftl.nruh || pl.rg >= dev->ftl.nrg)
		pl = (struct placement){0, 0};
	dev_set_now(dev, now_ns);
	if (tm->on)
		start = done = now_ns + tm->fw_write_ns;
	while (lba < end) {
		uint32_t lu = (uint32_t)(lba >> geo->lba_unit_shift);
		uint32_t first = (uint32_t)(lba & (geo->lbas_per_unit - 1));
		uint32_t n = geo->lbas_per_unit - first;
		const void *data = NULL;
		uint64_t ready = now_ns;

		if (n > end - lba)
			n = (uint32_t)(end - lba);
		if (dev->media->keeps_data && src)
			data = n == geo->lbas_per_unit ? src : merge_partial(dev, lu, src, first, n);
		else if (dev->media->keeps_data && n != geo->lbas_per_unit)
			data = merge_partial(dev, lu, zero_unit, first, n); /* no data: zeros */
		if (dev->media->keeps_data && !data && (src || n != geo->lbas_per_unit))
			return -EIO;
		if (tm->on) {
			ready = wb_reserve(tm, start, UNIT_BYTES);
			ready = pcie_xfer(tm, PCIE_TO_DEVICE, ready, (uint64_t)n * geo->lba_bytes);
			done = ready;
		}
		if ((rc = conv_write(&dev->ftl, lu, data, ready, pl)))
			return rc;
		if (src)
			src += (uint64_t)n * geo->lba_bytes;
		lba += n;
	}
	dev->health.host_write_bytes += (uint64_t)nlb * geo->lba_bytes;
	*done_ns = done;
	return 0;
}

int dev_read(struct vssd_dev *dev, uint64_t slba, uint32_t nlb, void *buf, uint64_t now_ns,
	     uint64_t *done_ns)
{
	const struct geometry *geo = &dev->geo;
	struct timing *tm = &dev->tm;
	uint32_t lu = (uint32_t)(slba >> geo->lba_unit_shift);
	uint32_t last = (uint32_t)((slba + nlb - 1) >> geo->lba_unit_shift);
	uint32_t nunits = last - lu + 1;
	uint64_t bytes = (uint64_t)nlb * geo->lba_bytes, start = now_ns, end;
	uint8_t *dst = NULL, *bounce = NULL;
	int rc = check_range(dev, slba, nlb);

	if (rc)
		return rc;
	dev_set_now(dev, now_ns);
	if (buf && dev->media->keeps_data) {
		bool aligned = slba % geo->lbas_per_unit == 0 && nlb % geo->lbas_per_unit == 0;

		dst = aligned ? buf : (bounce = malloc((uint64_t)nunits * UNIT_BYTES));
		if (!dst)
			return -ENOMEM;
	} else if (buf) {
		memset(buf, 0, bytes);
	}
	if (tm->on)
		start = now_ns + tm->fw_read_ns;
	rc = conv_read_range(&dev->ftl, lu, nunits, dst, start, &end);
	dev->health.media_errors += rc == -EBADMSG;
	if (bounce && !rc)
		memcpy(buf, bounce + (slba % geo->lbas_per_unit) * geo->lba_bytes, bytes);
	free(bounce);
	if (rc)
		return rc;
	*done_ns = tm->on ? pcie_xfer(tm, PCIE_TO_HOST, end, bytes) : now_ns;
	dev->health.host_read_bytes += bytes;
	return 0;
}

int dev_trim(struct vssd_dev *dev, uint64_t slba, uint32_t nlb, uint64_t now_ns,
	     uint64_t *done_ns)
{
	const struct geometry *geo = &dev->geo;
	uint64_t first = (slba + geo->lbas_per_unit - 1) / geo->lbas_per_unit;
	uint64_t end = (slba + nlb) / geo->lbas_per_unit;
	int rc = check_range(dev, slba, nlb);

	if (rc)
		return rc;
	dev_set_now(dev, now_ns);
	/* only whole units are deallocated; a partial unit keeps its data, which
	 * deallocate (advisory in NVMe) allows */
	for (uint64_t lu = first; lu < end; lu++)
		conv_trim(&dev->ftl, (uint32_t)lu);
	dev->health.host_trim_bytes += (uint64_t)nlb * geo->lba_bytes;
	*done_ns = now_ns + (dev->tm.on ? dev->tm.fw_write_ns : 0);
	return 0;
}

int dev_flush(struct vssd_dev *dev, uint64_t now_ns, uint64_t *done_ns)
{
	uint64_t done = now_ns;

	dev_set_now(dev, now_ns);
	if (dev->open_channel) { /* a completed vector write is on the media already */
		*done_ns = now_ns;
		return 0;
	}
	conv_flush(&dev->ftl, now_ns);
	if (dev->ftl.ps) {
		uint8_t extra[PERSIST_EXTRA_BYTES];
		int rc;

		health_extra(dev, extra);
		if ((rc = persist_flush(&dev->ftl, extra)))
			return rc;
	}
	if (dev->tm.on) {
		done += dev->tm.fw_write_ns;
		for (uint32_t i = 0; i < dev->tm.wb_pending.len; i++)
			if (dev->tm.wb_pending.v[i].at_ns > done)
				done = dev->tm.wb_pending.v[i].at_ns;
	}
	*done_ns = done;
	return 0;
}

uint64_t dev_oc_vector(struct vssd_dev *dev, uint8_t opcode, const uint64_t *lbas, uint32_t n,
		       void *data, void *meta, uint64_t now_ns, uint16_t *st)
{
	uint64_t done = now_ns, ok = 0;

	dev_set_now(dev, now_ns);
	if (!dev->media->keeps_data)
		data = NULL;
	if (opcode == NVME_CMD_OC_WRITE)
		done = ocssd_write(&dev->oc, lbas, n, data, meta, now_ns, st);
	else if (opcode == NVME_CMD_OC_READ)
		done = ocssd_read(&dev->oc, lbas, n, data, meta, now_ns, st);
	else
		done = ocssd_reset(&dev->oc, lbas, n, now_ns, st);
	for (uint32_t i = 0; i < n; i++) {
		ok += !st[i];
		dev->health.media_errors += st[i] == NVME_SC_READ_ERROR;
	}
	if (opcode == NVME_CMD_OC_WRITE)
		dev->health.host_write_bytes += ok * UNIT_BYTES;
	else if (opcode == NVME_CMD_OC_READ)
		dev->health.host_read_bytes += ok * UNIT_BYTES;
	return done;
}

void dev_idle(struct vssd_dev *dev, uint64_t until_ns)
{
	dev_set_now(dev, until_ns);
	if (!dev->open_channel)
		gc_background(&dev->ftl, until_ns);
}

/* Open-channel mode: the device only programs what the host writes. */
static void oc_counters(const struct vssd_dev *dev, struct dev_counters *c)
{
	const struct oc_counters *o = &dev->oc.c;

	*c = (struct dev_counters){.host_write_bytes = dev->health.host_write_bytes,
				   .host_read_bytes = dev->health.host_read_bytes,
				   .host_write_units = o->written_sectors,
				   .media_write_bytes = o->written_sectors * UNIT_BYTES,
				   .erased_blocks = o->resets * dev->geo.planes};
}

void dev_counters(const struct vssd_dev *dev, struct dev_counters *c)
{
	const struct ftl_counters *f = &dev->ftl.c;

	if (dev->open_channel) {
		oc_counters(dev, c);
		return;
	}
	c->host_write_bytes = dev->health.host_write_bytes;
	c->host_read_bytes = dev->health.host_read_bytes;
	c->host_trim_bytes = dev->health.host_trim_bytes;
	c->host_write_units = f->host_write_units;
	c->gc_copied_units = f->gc_copied_units;
	c->media_write_bytes = (f->host_write_units + f->gc_copied_units + f->pad_units) * UNIT_BYTES;
	c->erased_blocks = f->erased_lines * dev->geo.blocks_per_line;
	c->gc_runs = f->gc_runs;
	c->mapped_units = f->mapped_units;
	c->free_lines = conv_free_lines(&dev->ftl);
	c->borrowed_lines = f->borrowed_lines;
}

uint32_t dev_percent_used(const struct vssd_dev *dev)
{
	uint64_t rated = config_rated_pe_cycles(&dev->cfg);

	if (dev->open_channel) /* a reset erases one block of each plane of its die */
		return (uint32_t)(dev->oc.c.resets * 100 / ((uint64_t)ocssd_nchunks(&dev->oc) * rated));

	/* every line erase is one erase of each of its blocks */
	return (uint32_t)(dev->ftl.c.erased_lines * 100 / ((uint64_t)dev->geo.lines * rated));
}

uint64_t dev_metadata_bytes(const struct vssd_dev *dev)
{
	const struct geometry *geo = &dev->geo;

	if (dev->open_channel)
		return ocssd_nchunks(&dev->oc) * sizeof(struct oc_chunk) + geo->dies * 2 * sizeof(uint64_t) +
		       geo->channels * sizeof(uint64_t);
	return geo->logical_units * sizeof(uint32_t) + geo->physical_units * sizeof(uint32_t) +
	       geo->lines * (sizeof(struct line) + 2 * sizeof(uint32_t)) +
	       geo->rgs * ((uint64_t)geo->units_per_line + 1) * sizeof(uint32_t) +
	       geo->dies * 2 * sizeof(uint64_t) + geo->channels * sizeof(uint64_t);
}

/*
 * What the run has measured: the FTL's counters, each handle's, each line's
 * erases, each die's busy time, SMART. A simulated power loss keeps them:
 * the NAND did that work (the wear is real), a drive keeps its SMART and
 * wear logs across a power loss, and a report spanning the cut must add up.
 * Recovery rebuilds only the FTL's state (map, lines, write pointers).
 */
struct measured {
	struct ftl_counters c;
	struct dev_health health;
	uint32_t *erase_count;
	struct ruh_counters *ruh;
	uint64_t *die_busy_ns;
};

static void measured_free(struct measured *m)
{
	free(m->erase_count);
	free(m->ruh);
	free(m->die_busy_ns);
}

static int measured_save(const struct vssd_dev *dev, struct measured *m)
{
	const struct conv_ftl *f = &dev->ftl;

	m->c = f->c;
	m->health = dev->health;
	m->erase_count = malloc(dev->geo.lines * sizeof(uint32_t));
	m->ruh = malloc(f->nruh * sizeof(*m->ruh));
	m->die_busy_ns = malloc(dev->geo.dies * sizeof(uint64_t));
	if (!m->erase_count || !m->ruh || !m->die_busy_ns) {
		measured_free(m);
		return -ENOMEM;
	}
	for (uint32_t l = 0; l < dev->geo.lines; l++)
		m->erase_count[l] = f->lines[l].erase_count;
	memcpy(m->ruh, f->ruh, f->nruh * sizeof(*m->ruh));
	memcpy(m->die_busy_ns, dev->tm.die_busy_ns, dev->geo.dies * sizeof(uint64_t));
	return 0;
}

/* Puts the measurements back over what recovery found; the power cycle and
 * (after a scan) the unsafe shutdown are counted on top. */
static void measured_restore(struct vssd_dev *dev, const struct measured *m)
{
	struct conv_ftl *f = &dev->ftl;
	uint64_t mapped_units = f->c.mapped_units; /* state, as recovery found it */

	f->c = m->c;
	f->c.mapped_units = mapped_units;
	dev->health = m->health;
	dev->health.power_cycles++;
	dev->health.unsafe_shutdowns += !dev->recovery.from_checkpoint;
	for (uint32_t l = 0; l < dev->geo.lines; l++)
		f->lines[l].erase_count = m->erase_count[l];
	memcpy(f->ruh, m->ruh, f->nruh * sizeof(*m->ruh));
	memcpy(dev->tm.die_busy_ns, m->die_busy_ns, dev->geo.dies * sizeof(uint64_t));
}

/* Open-channel mode: nothing is volatile; the chunk table is found again
 * on the media, and what the run measured is kept. */
static int oc_powerloss(struct vssd_dev *dev)
{
	struct oc_counters c = dev->oc.c;
	struct dev_health health = dev->health;
	uint64_t *busy = malloc(dev->geo.dies * sizeof(uint64_t));
	int rc;

	if (!busy)
		return -ENOMEM;
	timing_cut_busy(&dev->tm, dev->now_ns);
	memcpy(busy, dev->tm.die_busy_ns, dev->geo.dies * sizeof(uint64_t));
	ocssd_fini(&dev->oc);
	timing_fini(&dev->tm);
	if (!(rc = timing_init(&dev->tm, &dev->geo, &dev->cfg))) {
		dev->media->reopened = true;
		health.power_on_ns = dev_power_on_ns(dev, dev->now_ns);
		dev->powered_at_ns = dev->now_ns;
		if (!(rc = load_ocssd(dev))) {
			dev->oc.c = c;
			health.power_cycles++;
			health.unsafe_shutdowns++;
			dev->health = health;
			memcpy(dev->tm.die_busy_ns, busy, dev->geo.dies * sizeof(uint64_t));
		}
	}
	free(busy);
	return rc;
}

bool dev_can_powerloss(const struct vssd_dev *dev)
{
	return dev->open_channel ? dev->media->keeps_data : dev->ftl.ps != NULL;
}

int dev_powerloss(struct vssd_dev *dev)
{
	struct measured m;
	int rc;

	if (!dev_can_powerloss(dev))
		return -EOPNOTSUPP;
	if (dev->open_channel)
		return oc_powerloss(dev);
	timing_cut_busy(&dev->tm, dev->now_ns);
	if ((rc = measured_save(dev, &m)))
		return rc;
	if ((rc = persist_drop_volatile(&dev->ftl)))
		goto out;
	conv_fini(&dev->ftl);
	timing_fini(&dev->tm);
	if ((rc = timing_init(&dev->tm, &dev->geo, &dev->cfg)))
		goto out;
	dev->media->reopened = true;
	m.health.power_on_ns = dev_power_on_ns(dev, dev->now_ns);
	dev->powered_at_ns = dev->now_ns;
	if (!(rc = load_ftl(dev)))
		measured_restore(dev, &m);
out:
	measured_free(&m);
	return rc;
}
