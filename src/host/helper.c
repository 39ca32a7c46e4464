/*
 * The library's host helper: Read, Write, Write Zeroes, Flush and Dataset
 * Management built for the caller (PRPs and PRP lists included, a plain
 * buffer registered for DMA for the length of one command), asynchronous
 * with a callback or synchronous; and for a zoned namespace, Zone Append,
 * Zone Management Send and its report.
 */
#include "vssd/vssd.h"

#include <errno.h>

#include "host/api_types.h"

static int submit_data(struct vssd_qpair *qp, struct nvme_sqe *sqe, const void *buf, uint64_t bytes,
		       vssd_cb cb, void *arg)
{
	int cid = host_qp_next_cid(&qp->hq), rc;
	void *registered = NULL;

	if (qp->dev->lost)
		return -ENODEV;
	if (cid < 0)
		return -EAGAIN;
	if (bytes > NVME_MAX_XFER_BYTES)
		return -EINVAL;
	if (bytes) {
		if (nvme_build_prps(buf, bytes, host_qp_prp_list(&qp->hq, (uint16_t)cid),
				    &sqe->prp1, &sqe->prp2))
			return -EINVAL;
		if (!libvssd_dma_is_mapped(qp->dev, buf, bytes)) {
			if ((rc = vssd_dma_register(qp->dev, (void *)buf, bytes)))
				return rc == -EEXIST ? -EFAULT : rc;
			registered = (void *)buf;
		}
	}
	rc = host_qp_submit(&qp->hq, sqe, cb, arg, registered);
	if (rc < 0) {
		if (registered)
			vssd_dma_unregister(qp->dev, registered);
		return rc;
	}
	rt_kick(&qp->dev->rt, qp->hq.qid);
	return 0;
}

int vssd_read_async(struct vssd_qpair *qp, void *buf, uint64_t slba, uint32_t nlb, vssd_cb cb,
		    void *arg)
{
	struct nvme_sqe sqe;

	if (!nlb || nlb > 65536)
		return -EINVAL;
	nvme_prep_rw(&sqe, NVME_CMD_READ, NVME_NSID, slba, nlb);
	return submit_data(qp, &sqe, buf, (uint64_t)nlb * vssd_lba_bytes(qp->dev), cb, arg);
}

/* FUA and the data placement directive, from the helper's flags. */
static void write_flags(struct nvme_sqe *sqe, unsigned flags)
{
	if (flags & VSSD_FUA)
		nvme_set(sqe, NVME_F_FUA, 1);
	if (flags & VSSD_PLACED)
		nvme_prep_placement(sqe, (uint16_t)(flags >> 16));
}

/* A Write or a Zone Append of nlb blocks of buf. */
static int submit_write(struct vssd_qpair *qp, uint8_t opcode, const void *buf, uint64_t slba,
			uint32_t nlb, unsigned flags, vssd_cb cb, void *arg)
{
	struct nvme_sqe sqe;

	if (!nlb || nlb > 65536)
		return -EINVAL;
	nvme_prep_rw(&sqe, opcode, NVME_NSID, slba, nlb);
	write_flags(&sqe, flags);
	return submit_data(qp, &sqe, buf, (uint64_t)nlb * vssd_lba_bytes(qp->dev), cb, arg);
}

int vssd_write_async(struct vssd_qpair *qp, const void *buf, uint64_t slba, uint32_t nlb,
		     unsigned flags, vssd_cb cb, void *arg)
{
	return submit_write(qp, NVME_CMD_WRITE, buf, slba, nlb, flags, cb, arg);
}

int vssd_write_zeroes_async(struct vssd_qpair *qp, uint64_t slba, uint32_t nlb, unsigned flags,
			    vssd_cb cb, void *arg)
{
	struct nvme_sqe sqe;

	if (!nlb || nlb > 65536)
		return -EINVAL;
	nvme_prep_rw(&sqe, NVME_CMD_WRITE_ZEROES, NVME_NSID, slba, nlb);
	write_flags(&sqe, flags);
	if (flags & VSSD_DEALLOCATE)
		nvme_set(&sqe, NVME_F_DEAC, 1);
	return submit_data(qp, &sqe, NULL, 0, cb, arg);
}

int vssd_flush_async(struct vssd_qpair *qp, vssd_cb cb, void *arg)
{
	struct nvme_sqe sqe;

	nvme_prep_flush(&sqe, NVME_NSID);
	return submit_data(qp, &sqe, NULL, 0, cb, arg);
}

int vssd_trim_async(struct vssd_qpair *qp, uint64_t slba, uint32_t nlb, vssd_cb cb, void *arg)
{
	struct nvme_sqe sqe;
	int cid = host_qp_next_cid(&qp->hq);
	struct nvme_dsm_range *range;
	int rc;

	if (cid < 0)
		return -EAGAIN;
	/* the range lives in the command's PRP list page, which is registered */
	range = (struct nvme_dsm_range *)host_qp_prp_list(&qp->hq, (uint16_t)cid);
	*range = (struct nvme_dsm_range){.nlb = nlb, .slba = slba};
	nvme_prep_trim(&sqe, NVME_NSID, range, 1);
	rc = host_qp_submit(&qp->hq, &sqe, cb, arg, NULL);
	if (rc >= 0)
		rt_kick(&qp->dev->rt, qp->hq.qid);
	return rc < 0 ? rc : 0;
}

static int wait_sync(struct vssd_qpair *qp, struct libvssd_sync_wait *w, int rc)
{
	if (rc)
		return rc;
	while (!w->done)
		if (!vssd_poll(qp))
			vssd_qpair_wait(qp, UINT64_MAX);
	return nvme_cqe_status(&w->cqe);
}

int vssd_read(struct vssd_qpair *qp, void *buf, uint64_t slba, uint32_t nlb)
{
	struct libvssd_sync_wait w = {0};

	return wait_sync(qp, &w, vssd_read_async(qp, buf, slba, nlb, libvssd_sync_done, &w));
}

int vssd_write(struct vssd_qpair *qp, const void *buf, uint64_t slba, uint32_t nlb, unsigned flags)
{
	struct libvssd_sync_wait w = {0};

	return wait_sync(qp, &w,
			 vssd_write_async(qp, buf, slba, nlb, flags, libvssd_sync_done, &w));
}

int vssd_flush(struct vssd_qpair *qp)
{
	struct libvssd_sync_wait w = {0};

	return wait_sync(qp, &w, vssd_flush_async(qp, libvssd_sync_done, &w));
}

int vssd_trim(struct vssd_qpair *qp, uint64_t slba, uint32_t nlb)
{
	struct libvssd_sync_wait w = {0};

	return wait_sync(qp, &w, vssd_trim_async(qp, slba, nlb, libvssd_sync_done, &w));
}

int vssd_zone_append_async(struct vssd_qpair *qp, const void *buf, uint64_t zslba, uint32_t nlb,
			   unsigned flags, vssd_cb cb, void *arg)
{
	/* no placement: the zone is the placement */
	return submit_write(qp, NVME_CMD_ZONE_APPEND, buf, zslba, nlb, flags & VSSD_FUA, cb, arg);
}

int vssd_zone_send_async(struct vssd_qpair *qp, uint64_t zslba, enum nvme_zone_send_action action,
			 bool select_all, vssd_cb cb, void *arg)
{
	struct nvme_sqe sqe;

	nvme_prep_zone_send(&sqe, NVME_NSID, zslba, action, select_all);
	return submit_data(qp, &sqe, NULL, 0, cb, arg);
}

int vssd_zone_send(struct vssd_qpair *qp, uint64_t zslba, enum nvme_zone_send_action action,
		   bool select_all)
{
	struct libvssd_sync_wait w = {0};

	return wait_sync(
		qp, &w, vssd_zone_send_async(qp, zslba, action, select_all, libvssd_sync_done, &w));
}

int vssd_zone_report(struct vssd_qpair *qp, uint64_t slba, enum nvme_zone_report_filter filter,
		     bool partial, void *buf, uint32_t bytes)
{
	struct libvssd_sync_wait w = {0};
	struct nvme_sqe sqe;

	if (bytes < 64 || bytes % 4)
		return -EINVAL;
	nvme_prep_zone_report(&sqe, NVME_NSID, slba, bytes, filter, partial);
	return wait_sync(qp, &w, submit_data(qp, &sqe, buf, bytes, libvssd_sync_done, &w));
}
