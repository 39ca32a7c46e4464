/*
 * libFuzzer target: arbitrary bytes as a fio job file, through the parser
 * and its option layer (src/workload/jobfile.c, options.c). The input is
 * the file's text as it would be read from disk (NUL bytes included).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "workload/job.h"

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	char *text = malloc(size + 1);
	struct job_file jf;
	char err[512];

	if (!text)
		return 0;
	memcpy(text, in, size);
	text[size] = 0;
	if (!job_file_parse(text, "fuzz.fio", &jf, err, sizeof(err)))
		job_file_free(&jf);
	free(text);
	return 0;
}
