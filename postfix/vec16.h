/*
 * vec16.h - sixteen bytes at a time, for the scans of the mail-log
 * parsers (postfix/maillog.c, log-report's delivery lines): a 16-byte
 * vector of a line, compared byte by byte, and the mask of the bytes
 * that matched.  Where the compiler has no vector types or the byte
 * order is big-endian, VEC16 is not defined and callers use their byte
 * loops.  Pure computation; loads only the 16 bytes they are given.
 */
#ifndef VEC16_H
#define VEC16_H

#include <stdint.h>
#include <string.h>

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define VEC16 1
#ifdef __SSE2__
#include <emmintrin.h>
#endif

typedef unsigned char v16 __attribute__((vector_size(16)));
typedef signed char m16 __attribute__((vector_size(16)));

static inline v16
load16(const char *p)
{
	v16 v;
	memcpy(&v, p, 16);
	return v;
}

/* Bit I set when byte I of M (all ones or zero) is set. */
#ifdef __SSE2__
static inline uint32_t
mask16(m16 m)
{
	return (uint32_t)_mm_movemask_epi8((__m128i)m);
}
#else
static inline uint32_t
mask16(m16 m)
{
	uint64_t lo, hi;
	memcpy(&lo, &m, 8);
	memcpy(&hi, (const char *)&m + 8, 8);
	/* one bit a byte: the byte's top bit, gathered by a multiply */
	lo = ((lo & 0x8080808080808080ull) * 0x0002040810204081ull) >> 56;
	hi = ((hi & 0x8080808080808080ull) * 0x0002040810204081ull) >> 56;
	return (uint32_t)(lo | hi << 8);
}
#endif
#endif

#endif
