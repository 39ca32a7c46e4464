/*
 * The simulator's zonemode=zbd: the host's view of a zoned namespace's
 * zones (fio's zbd_info), which turns each job's I/O into what fio's zoned
 * mode sends. A write goes to the zone its offset falls in if that zone is
 * open or one more may open (max_open_zones, job_max_open_zones, the
 * device's limit), else to an open zone chosen by its offset; at that
 * zone's write pointer, cut at its capacity; a sequential job moves on to
 * the next zone with room (zoneskip past it), and a full zone a random job
 * chose is reset first
 * (and with zone_reset_frequency, a zone is reset early once the written
 * data passes zone_reset_threshold of the device). A read goes to written
 * data: into its zone below the write pointer, or the next zone that has
 * enough. With zone_append, writes are Zone Appends at the same place.
 *
 * The zones are the device's, from its report when the run starts; its
 * commands reach a zone in the order they are sent on one queue, so one
 * job may keep many writes in flight. Several jobs writing at once would
 * race for write pointers on different queues: not supported. Nor is
 * verify with resets (fio asserts the same): a reset loses what the
 * verify phase would read.
 */
#include "runtime/sim_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool writes(const struct job_spec *spec)
{
	return spec->rw == RW_WRITE || spec->rw == RW_MIX || spec->rw == RW_TRIM;
}

/* A zonemode=zbd job against the zoned device's zones: 0, or -EINVAL
 * saying why. writers counts the writing jobs of each group so far. */
static int check_zoned_job(const struct sim *s, const struct job_spec *sp,
			   const struct ftl_zone_info *zi, uint32_t *writers, char *err,
			   size_t errlen)
{
	uint32_t lba = s->dev->geo.lba_bytes;

	if ((sp->zbd.zonesize && sp->zbd.zonesize != zi->zone_lbas * lba) ||
	    (sp->zbd.zonecap && sp->zbd.zonecap != zi->cap_lbas * lba)) {
		snprintf(err, errlen,
			 "job '%s': zonesize=%llu, zonecapacity=%llu: the device's zones are %llu "
			 "bytes with a capacity of %llu",
			 sp->name, (unsigned long long)sp->zbd.zonesize,
			 (unsigned long long)sp->zbd.zonecap,
			 (unsigned long long)(zi->zone_lbas * lba),
			 (unsigned long long)(zi->cap_lbas * lba));
		return -EINVAL;
	}
	if (sp->zbd.zoneskip % (zi->zone_lbas * lba)) {
		snprintf(err, errlen,
			 "job '%s': zoneskip=%llu: a multiple of the zone size (%llu bytes)",
			 sp->name, (unsigned long long)sp->zbd.zoneskip,
			 (unsigned long long)(zi->zone_lbas * lba));
		return -EINVAL;
	}
	if (sp->rw == RW_TRIM || (sp->read_iolog[0] && writes(sp))) {
		snprintf(err, errlen,
			 "job '%s': %s with zonemode=zbd: not supported by the simulator", sp->name,
			 sp->rw == RW_TRIM ? "trims" : "a trace with writes");
		return -EINVAL;
	}
	if (writes(sp) && sp->group < 64 && (writers[sp->group] += sp->numjobs) > 1) {
		snprintf(err, errlen,
			 "job '%s': several jobs writing zones at once (numjobs, or jobs of one "
			 "group): not supported by the simulator",
			 sp->name);
		return -EINVAL;
	}
	if (sp->zbd.max_open && zi->max_open && sp->zbd.max_open > zi->max_open) {
		snprintf(err, errlen,
			 "job '%s': max_open_zones=%u is over the device's %u (zns_max_open)",
			 sp->name, sp->zbd.max_open, zi->max_open);
		return -EINVAL;
	}
	return 0;
}

/* A zoned-mode option the job sets, by name, or NULL. */
static const char *zbd_option_set(const struct job_spec *sp)
{
	const struct zbd_opts *o = &sp->zbd;

	return o->zonesize		? "zonesize"
	       : o->zonecap		? "zonecapacity"
	       : o->max_open		? "max_open_zones"
	       : o->job_max_open	? "job_max_open_zones"
	       : o->reset_threshold > 0 ? "zone_reset_threshold"
	       : o->reset_frequency > 0 ? "zone_reset_frequency"
	       : o->append		? "zone_append"
	       : o->zoneskip		? "zoneskip"
					: NULL;
}

/* What the jobs ask against what the device is, said before the run. */
static int check_jobs(const struct sim *s, const struct job_file *jf, bool zoned,
		      const struct ftl_zone_info *zi, char *err, size_t errlen)
{
	uint32_t writers[64] = {0};

	for (uint32_t j = 0; j < jf->njobs; j++) {
		const struct job_spec *sp = &jf->jobs[j];
		int rc;

		if (zoned != sp->zbd.on) {
			snprintf(
				err, errlen,
				zoned ? "job '%s': ftl=zns is a zoned namespace: the job needs "
					"zonemode=zbd (the simulator then writes each zone at its "
					"write pointer, as fio does)"
				      : "job '%s': zonemode=zbd needs a zoned namespace (ftl=zns); "
					"zones emulated on another device are not supported",
				sp->name);
			return -EINVAL;
		}
		if (!sp->zbd.on && zbd_option_set(sp)) {
			snprintf(err, errlen, "job '%s': %s: only with zonemode=zbd", sp->name,
				 zbd_option_set(sp));
			return -EINVAL;
		}
		if (zoned && (rc = check_zoned_job(s, sp, zi, writers, err, errlen)))
			return rc;
	}
	return 0;
}

int sim_zbd_start(struct sim *s, const struct job_file *jf, char *err, size_t errlen)
{
	struct sim_zbd *z = &s->zbd;
	/* the jobs see the zones unless a host FTL is over them */
	bool zoned =
		dev_iocs(s->dev) == FTL_IOCS_ZNS && ftl_host_for(&s->dev->cfg) == FTL_HOST_NONE;
	struct ftl_zone_info zi = {0};
	uint8_t *rep;
	int rc;

	if (zoned)
		dev_zone_info(s->dev, &zi);
	if ((rc = check_jobs(s, jf, zoned, &zi, err, errlen)) || !zoned)
		return rc;
	if (s->opt->npowerloss) { /* the host's write pointers would not follow the device's */
		snprintf(err, errlen,
			 "power cuts with zonemode=zbd: not supported by the simulator (vssd "
			 "torture --set ftl=zns cuts the power under zone writes)");
		return -EINVAL;
	}
	*z = (struct sim_zbd){.on = true,
			      .nzones = zi.nzones,
			      .zone_lbas = zi.zone_lbas,
			      .cap_lbas = zi.cap_lbas,
			      .dev_max_open = zi.max_open};
	z->wp = calloc(zi.nzones, sizeof(*z->wp));
	z->open = calloc(zi.nzones, sizeof(*z->open));
	rep = malloc(sizeof(struct nvme_zone_report) + zi.nzones * sizeof(struct nvme_zone_desc));
	if (!z->wp || !z->open || !rep) {
		free(rep);
		return -ENOMEM;
	}
	/* the write pointers as the device reports them, every zone at once
	 * (fio's zone report) */
	rc = dev_zone_report(s->dev, 0, NVME_ZRAS_ALL, false, rep,
			     sizeof(struct nvme_zone_report) +
				     zi.nzones * sizeof(struct nvme_zone_desc));
	for (uint32_t i = 0; !rc && i < zi.nzones; i++) {
		const struct nvme_zone_desc *d =
			(const struct nvme_zone_desc *)(rep + sizeof(struct nvme_zone_report)) + i;

		z->wp[i] = (d->zs >> 4) == NVME_ZS_FULL ? zi.cap_lbas : d->wp - d->zslba;
		z->written += z->wp[i];
	}
	free(rep);
	if (rc)
		snprintf(err, errlen, "the zone report failed (NVMe status 0x%x)", rc);
	return rc ? -EIO : 0;
}

void sim_zbd_free(struct sim *s)
{
	free(s->zbd.wp);
	free(s->zbd.open);
	s->zbd = (struct sim_zbd){0};
}

/* The open limit that holds for this job. */
static uint32_t max_open(const struct sim_zbd *z, const struct job_spec *sp)
{
	uint32_t m = z->dev_max_open ? z->dev_max_open : z->nzones;

	if (sp->zbd.max_open && sp->zbd.max_open < m)
		m = sp->zbd.max_open;
	if (sp->zbd.job_max_open && sp->zbd.job_max_open < m)
		m = sp->zbd.job_max_open;
	return m;
}

static void close_zone(struct sim_zbd *z, uint32_t zone)
{
	for (uint32_t i = 0; i < z->nopen; i++)
		if (z->open[i] == zone) {
			memmove(z->open + i, z->open + i + 1,
				(z->nopen - i - 1) * sizeof(*z->open));
			z->nopen--;
			return;
		}
}

/* The zone a write to zone `want` goes to: it, if open or one more may
 * open, else an open zone chosen by it. */
static uint32_t write_zone(struct sim_zbd *z, const struct job_spec *sp, uint32_t want)
{
	for (uint32_t i = 0; i < z->nopen; i++)
		if (z->open[i] == want)
			return want;
	if (z->nopen < max_open(z, sp)) {
		z->open[z->nopen++] = want;
		return want;
	}
	return z->open[want % z->nopen];
}

/* A sequential job's zone: where it started, then each next one with room
 * (zoneskip zones on), until every zone is full (then the one it is at,
 * which the caller resets). Its offsets past a zone's capacity, in the
 * zone's unwritable rest, do not move it: zones fill in order. */
static uint32_t seq_zone(struct sim_zbd *z, const struct job_spec *sp, uint64_t slba, uint32_t skip)
{
	uint32_t zone;

	if (!z->seq_started) {
		z->seq_zone = (uint32_t)(slba / z->zone_lbas);
		z->seq_started = true;
	}
	zone = z->seq_zone;
	for (uint32_t k = 0; z->wp[zone] == z->cap_lbas && k < z->nzones; k++) {
		close_zone(z, zone);
		zone = (zone + 1 + skip) % z->nzones;
	}
	z->seq_zone = zone;
	if (write_zone(z, sp, zone) != zone) { /* all open: the oldest closes for it */
		close_zone(z, z->open[0]);
		write_zone(z, sp, zone);
	}
	return zone;
}

/* A read of nlb LBAs near zone `want`'s offset off: into written data. */
static void place_read(const struct sim_zbd *z, struct io_req *io)
{
	uint32_t want = (uint32_t)(io->slba / z->zone_lbas);

	for (uint32_t k = 0; k < z->nzones; k++) {
		uint32_t zone = (want + k) % z->nzones;

		if (z->wp[zone] >= io->nlb) {
			uint64_t off = io->slba % z->zone_lbas % (z->wp[zone] - io->nlb + 1);

			io->slba = (uint64_t)zone * z->zone_lbas + off;
			return;
		}
	}
	/* nothing written anywhere yet: it reads zeros where it was */
}

int sim_zbd_place(struct sim *s, struct job_state *js, struct io_req *io, bool *reset)
{
	struct sim_zbd *z = &s->zbd;
	const struct job_spec *sp = js->res->spec;
	uint32_t zone, skip;
	bool early;

	*reset = false;
	if (!z->on || js->verifying)
		return 0;
	if (io->dir == DIR_READ) {
		place_read(z, io);
		return 0;
	}
	if (io->dir != DIR_WRITE)
		return 0;
	skip = (uint32_t)(sp->zbd.zoneskip / s->dev->geo.lba_bytes / z->zone_lbas);
	zone = sp->random ? write_zone(z, sp, (uint32_t)(io->slba / z->zone_lbas))
			  : seq_zone(z, sp, io->slba, skip);
	/* zone_reset_frequency: past the threshold, one write in 1/zrf resets */
	early = sp->zbd.reset_frequency > 0 &&
		z->written >= (uint64_t)(sp->zbd.reset_threshold * z->nzones * z->cap_lbas) &&
		(z->reset_credit += sp->zbd.reset_frequency) >= 1.0;
	if (z->wp[zone] + 1 > z->cap_lbas || (early && z->wp[zone])) {
		if (js->verify) {
			snprintf(s->err, s->errlen,
				 "job '%s': zone %u must be reset to write on, which verify does "
				 "not allow (what it wrote would be lost): write less than the "
				 "zones hold",
				 sp->name, zone);
			return -EINVAL;
		}
		z->reset_credit -= early ? 1.0 : 0;
		z->written -= z->wp[zone];
		z->wp[zone] = 0;
		z->resets++;
		*reset = true;
	}
	io->slba = (uint64_t)zone * z->zone_lbas + z->wp[zone];
	if (io->nlb > z->cap_lbas - z->wp[zone])
		io->nlb = (uint32_t)(z->cap_lbas - z->wp[zone]);
	z->wp[zone] += io->nlb;
	z->written += io->nlb;
	if (z->wp[zone] == z->cap_lbas)
		close_zone(z, zone);
	return 0;
}
