/* Inside the library, and for the in-tree benches: the controller behind a
 * vssd handle and the runtime's lock. libvssd_ names are not exported. */
#ifndef VSSD_HOST_API_INTERNAL_H
#define VSSD_HOST_API_INTERNAL_H

#include "host/pblk/pblk.h"
#include "nvme/ctrl.h"
#include "vssd/vssd.h"

struct nvme_ctrl *libvssd_ctrl_of(struct vssd *dev);
uint16_t libvssd_qpair_qid(const struct vssd_qpair *qp);
/* Runs fn(arg) with the runtime's lock held. */
void libvssd_locked(struct vssd *dev, void (*fn)(void *arg), void *arg);
/* One pblk at a time on a device: returns 0, or -EBUSY while another holds it. */
int libvssd_claim_pblk(struct vssd *dev);
void libvssd_release_pblk(struct vssd *dev);
/* The configuration vssd_open() would build from params (the profile first),
 * checked; for frontends that refuse a device before they start one. */
int libvssd_config_from_params(const char *const *params, struct vssd_config *cfg, char *err,
			       size_t errlen);
/* All of pblk's figures, for the reports. */
void libvssd_pblk_report_stats(struct vssd_pblk *pb, struct pblk_stats *out);

#endif
