/*
 * libFuzzer target: the open of a damaged or forged device file. A small
 * device is written once (data, trims, flushes, a clean close); each input
 * is a list of 5-byte edits (offset, little-endian u32, taken modulo the
 * bytes before the data area; then a byte XORed in) to its header, metadata
 * area (state blocks, trim records, checkpoint) and OOB records. The device
 * is opened from the edited file, every logical block read, and closed;
 * then the file is put back for the next input.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/params.h"
#include "core/device.h"

static const char *const pairs[] = {"media=file",
				    "channels=1",
				    "luns_per_channel=1",
				    "blocks_per_plane=48",
				    "pages_per_block=12",
				    "oneshot_pages=1",
				    "cell=slc",
				    "read_ns=1000",
				    "op=0.5",
				    "write_buffer_bytes=64k",
				    NULL};
static struct vssd_config cfg;
static uint8_t *saved; /* the file before its data area, as first written */
static size_t saved_bytes;
static int fd = -1;

static void remove_file(void)
{
	unlink(cfg.path);
}

static struct vssd_dev *open_dev(void)
{
	struct vssd_dev *dev = NULL;
	char err[512];

	return dev_create(&cfg, &dev, err, sizeof(err)) ? NULL : dev;
}

/* The device every input starts from: half written, some of it trimmed. */
static void make_device(void)
{
	static uint8_t block[4096];
	char err[256], path[] = "/tmp/vssd-fuzz-devfile-XXXXXX";
	struct vssd_dev *dev;
	uint64_t done, lbas;
	uint8_t head[128];

	config_defaults(&cfg);
	for (const char *const *p = pairs; *p; p++)
		if (config_set_pair(&cfg, *p, err, sizeof(err)))
			abort();
	if ((fd = mkstemp(path)) < 0)
		abort();
	close(fd);
	unlink(path); /* vssd makes the file itself: an empty one is refused */
	snprintf(cfg.path, sizeof(cfg.path), "%s", path);
	atexit(remove_file);
	if (!(dev = open_dev()))
		abort();
	lbas = dev_capacity_lbas(dev);
	for (uint64_t lba = 0; lba < lbas / 2; lba++) {
		memset(block, (int)lba, sizeof(block));
		if (dev_write(dev, lba * 4096 / dev->geo.lba_bytes, 4096 / dev->geo.lba_bytes,
			      block, 0, &done))
			abort();
	}
	if (dev_trim(dev, 0, (uint32_t)(lbas / 8), 0, &done) || dev_flush(dev, 0, &done))
		abort();
	dev_destroy(dev);
	if ((fd = open(path, O_RDWR)) < 0 || pread(fd, head, sizeof(head), 0) != sizeof(head))
		abort();
	memcpy(&saved_bytes, head + 56, sizeof(uint64_t)); /* the header's data_off */
	if (!(saved = malloc(saved_bytes)) ||
	    pread(fd, saved, saved_bytes, 0) != (ssize_t)saved_bytes)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	static uint8_t block[4096];
	struct vssd_dev *dev;

	if (fd < 0)
		make_device();
	for (size_t i = 0; i + 5 <= size; i += 5) {
		uint32_t off;
		uint8_t b;

		memcpy(&off, in + i, 4);
		off %= (uint32_t)saved_bytes;
		if (pread(fd, &b, 1, off) != 1)
			abort();
		b ^= in[i + 4];
		if (pwrite(fd, &b, 1, off) != 1)
			abort();
	}
	if ((dev = open_dev())) {
		uint64_t done, units = dev_capacity_lbas(dev) * dev->geo.lba_bytes / 4096;

		for (uint64_t u = 0; u < units; u++)
			(void)dev_read(dev, u * 4096 / dev->geo.lba_bytes,
				       4096 / dev->geo.lba_bytes, block, 0, &done);
		dev_destroy(dev);
	}
	if (pwrite(fd, saved, saved_bytes, 0) != (ssize_t)saved_bytes)
		abort();
	return 0;
}
