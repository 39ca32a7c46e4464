/*
 * libFuzzer target: arbitrary bytes as a block trace, through every trace
 * reader (fio iolog v2 and v3, blktrace binary, MSR, DiskSim, Alibaba and
 * Tencent). The first byte chooses how it is read: told from the contents
 * as `read_iolog=` does, or as one named format (trace_format=), and
 * whether a volume is picked (trace_volume=); the rest is the file.
 */
#include "fuzz_file_input.h"
#include "workload/trace.h"

static const char *const formats[] = {NULL,	 "iolog",   "blktrace", "msr",
				      "disksim", "alibaba", "tencent"};

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	struct trace_select sel = {0};
	char path[64], err[512];
	struct trace t = {0};
	int fd;

	if (size) {
		/* bits 2:0 the format (7: told from the contents), 6:3 a volume, 7 pick it */
		sel.format = formats[(in[0] & 7) % (sizeof(formats) / sizeof(formats[0]))];
		sel.volume = (in[0] >> 3) & 0x0f;
		sel.volume_set = in[0] & 0x80;
		in++, size--;
	}
	fd = fuzz_file_input(in, size, path, sizeof(path));
	if (!trace_load_select(path, &sel, &t, err, sizeof(err)))
		trace_free(&t);
	close(fd);
	return 0;
}
