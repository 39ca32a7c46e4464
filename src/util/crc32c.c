#include "util/crc32c.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#define POLY_REFLECTED 0x82f63b78u

static uint32_t table[256];
static bool use_instruction;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void table_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? c >> 1 ^ POLY_REFLECTED : c >> 1;
		table[i] = c;
	}
}

static uint32_t by_table(uint32_t crc, const uint8_t *p, size_t len)
{
	while (len--)
		crc = table[(crc ^ *p++) & 0xff] ^ crc >> 8;
	return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t by_instruction(uint32_t crc, const uint8_t *p,
								 size_t len)
{
	uint64_t c = crc;

	for (; len >= 8; p += 8, len -= 8) {
		uint64_t word;

		memcpy(&word, p, 8);
		c = __builtin_ia32_crc32di(c, word);
	}
	crc = (uint32_t)c;
	while (len--)
		crc = __builtin_ia32_crc32qi(crc, *p++);
	return crc;
}

static bool have_instruction(void)
{
	return __builtin_cpu_supports("sse4.2");
}
#else
static uint32_t by_instruction(uint32_t crc, const uint8_t *p, size_t len)
{
	return by_table(crc, p, len);
}

static bool have_instruction(void)
{
	return false;
}
#endif

static void choose(void)
{
	table_init();
	use_instruction = have_instruction();
}

uint32_t crc32c(uint32_t crc, const void *p, size_t len)
{
	pthread_once(&once, choose);
	crc = ~crc;
	crc = use_instruction ? by_instruction(crc, p, len) : by_table(crc, p, len);
	return ~crc;
}
