/*
 * For the fuzz targets whose reader takes a path (traces, profiles): the
 * input written to a file in memory (a memfd), named by /proc/self/fd.
 */
#ifndef VSSD_FUZZ_FILE_INPUT_H
#define VSSD_FUZZ_FILE_INPUT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* Writes in to a new memfd; its path goes in path. Returns the fd (close it). */
static int fuzz_file_input(const uint8_t *in, size_t size, char *path, size_t len)
{
	int fd = memfd_create("fuzz-input", MFD_CLOEXEC);

	if (fd < 0 || write(fd, in, size) != (ssize_t)size)
		abort();
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return fd;
}

#endif
