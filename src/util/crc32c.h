/*
 * CRC-32C (Castagnoli), the checksum fio's verify=crc32c stamps on a block:
 * the SSE 4.2 instruction where the CPU has it, a table otherwise.
 */
#ifndef VSSD_UTIL_CRC32C_H
#define VSSD_UTIL_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Continues crc (0 to start) over len bytes at p. */
uint32_t crc32c(uint32_t crc, const void *p, size_t len);

#endif
