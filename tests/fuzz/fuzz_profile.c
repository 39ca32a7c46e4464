/*
 * libFuzzer target: arbitrary bytes as a device profile (key = value
 * lines, src/config/profile.c), then the whole configuration checked as
 * vssd_open() checks it.
 */
#include "config/params.h"
#include "fuzz_file_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	char path[64], err[512];
	struct vssd_config cfg;
	int fd = fuzz_file_input(in, size, path, sizeof(path));

	config_defaults(&cfg);
	if (!config_load_profile(&cfg, path, err, sizeof(err)))
		(void)config_check(&cfg, err, sizeof(err));
	close(fd);
	return 0;
}
