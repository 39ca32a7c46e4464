/*
 * A complete vssd program: open an emulated SSD, write a block, read it
 * back through the NVMe queues, send a raw NVMe command (Identify
 * Controller) and print what the device says about itself, then what it
 * did (vssd_info, vssd_counters).
 *
 *   cc hello.c -o hello $(pkg-config --cflags --libs vssd)   (or as in meson.build)
 */
#include <stdio.h>
#include <string.h>

#include <vssd/vssd.h>

int main(int argc, char **argv)
{
	const char *params[] = {"profile=default", "media=ram", NULL};
	enum vssd_runtime rt =
		argc > 1 && !strcmp(argv[1], "threaded") ? VSSD_THREADED : VSSD_INLINE;
	struct vssd *dev;
	struct vssd_qpair *qp;
	struct nvme_sqe sqe = {0};
	struct nvme_cqe cqe;
	struct nvme_id_ctrl *id;
	struct vssd_info info;
	struct vssd_counters c;
	char err[256], *buf, *back;
	int rc;

	if (vssd_open(params, rt, &dev, err, sizeof(err))) {
		fprintf(stderr, "vssd_open: %s\n", err);
		return 1;
	}
	if ((rc = vssd_qpair_open(dev, 64, &qp))) {
		fprintf(stderr, "vssd_qpair_open: %d\n", rc);
		vssd_close(dev);
		return 1;
	}
	buf = vssd_dma_alloc(dev, 4096);
	back = vssd_dma_alloc(dev, 4096);
	snprintf(buf, 4096, "hello from LBA 42");
	rc = vssd_write(qp, buf, 42, 4096 / vssd_lba_bytes(dev), 0);
	if (!rc)
		rc = vssd_read(qp, back, 42, 4096 / vssd_lba_bytes(dev));
	printf("read back: \"%s\" (status %d)\n", back, rc);

	/* a raw admin command: Identify Controller into a DMA buffer */
	id = vssd_dma_alloc(dev, sizeof(*id));
	nvme_prep_identify(&sqe, 0, NVME_ID_CNS_CTRL, id);
	if (!vssd_admin(dev, &sqe, &cqe) && !nvme_cqe_code(&cqe))
		printf("model: %.40s, serial: %.20s, MDTS: %u, %llu LBAs of %u bytes\n", id->mn,
		       id->sn, id->mdts, (unsigned long long)vssd_capacity_lbas(dev),
		       vssd_lba_bytes(dev));
	if (!vssd_info(dev, &info) && !vssd_counters(dev, &c))
		printf("ftl=%s: the host wrote %llu bytes, the NAND %llu (WAF %.2f)\n", info.ftl,
		       (unsigned long long)c.host_write_bytes,
		       (unsigned long long)c.media_write_bytes, c.waf);
	vssd_dma_free(dev, id);
	vssd_dma_free(dev, buf);
	vssd_dma_free(dev, back);
	vssd_qpair_close(qp);
	vssd_close(dev);
	return rc ? 1 : 0;
}
