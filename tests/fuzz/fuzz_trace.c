/*
 * libFuzzer target: arbitrary bytes as a block trace, through every trace
 * reader (fio iolog v2 and v3, blktrace binary, MSR Cambridge CSV): the
 * loader tells the format from the contents, as `read_iolog=` does.
 */
#include "fuzz_file_input.h"
#include "workload/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	char path[64], err[512];
	struct trace t = {0};
	int fd = fuzz_file_input(in, size, path, sizeof(path));

	if (!trace_load(path, &t, err, sizeof(err)))
		trace_free(&t);
	close(fd);
	return 0;
}
