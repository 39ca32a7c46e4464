/*
 * A binary min-heap over an array of one element type, generated for that
 * type and its ordering, so the controller's pending completions, the
 * simulator's events and the write buffer's releases share one mechanism
 * without paying for a comparator callback.
 *
 *   HEAP_DEFINE(name, type, less)  declares struct name { type *v; uint32_t len, cap; }
 *   name_push(h, x)  returns 0 or -ENOMEM
 *   name_pop(h)      removes and returns the least (h->len must be > 0)
 */
#ifndef VSSD_UTIL_HEAP_H
#define VSSD_UTIL_HEAP_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#define HEAP_DEFINE(name, type, less)                                                              \
	struct name {                                                                              \
		type *v;                                                                           \
		uint32_t len, cap;                                                                 \
	};                                                                                         \
                                                                                                   \
	static inline int name##_push(struct name *h, type x)                                      \
	{                                                                                          \
		uint32_t i;                                                                        \
                                                                                                   \
		if (h->len == h->cap) {                                                            \
			uint32_t cap = h->cap ? h->cap * 2 : 64;                                   \
			type *n = realloc(h->v, cap * sizeof(type));                               \
                                                                                                   \
			if (!n)                                                                    \
				return -ENOMEM;                                                    \
			h->v = n;                                                                  \
			h->cap = cap;                                                              \
		}                                                                                  \
		i = h->len++;                                                                      \
		while (i && less(&x, &h->v[(i - 1) / 2])) {                                        \
			h->v[i] = h->v[(i - 1) / 2];                                               \
			i = (i - 1) / 2;                                                           \
		}                                                                                  \
		h->v[i] = x;                                                                       \
		return 0;                                                                          \
	}                                                                                          \
                                                                                                   \
	/* The least element, or NULL when the heap is empty. */                                   \
	static inline const type *name##_peek(const struct name *h)                                \
	{                                                                                          \
		return h->len ? &h->v[0] : NULL;                                                   \
	}                                                                                          \
                                                                                                   \
	static inline type name##_pop(struct name *h)                                              \
	{                                                                                          \
		type top = h->v[0], last = h->v[--h->len];                                         \
		uint32_t i = 0;                                                                    \
                                                                                                   \
		for (;;) {                                                                         \
			uint32_t c = 2 * i + 1;                                                    \
                                                                                                   \
			if (c >= h->len)                                                           \
				break;                                                             \
			if (c + 1 < h->len && less(&h->v[c + 1], &h->v[c]))                        \
				c++;                                                               \
			if (!less(&h->v[c], &last))                                                \
				break;                                                             \
			h->v[i] = h->v[c];                                                         \
			i = c;                                                                     \
		}                                                                                  \
		if (h->len)                                                                        \
			h->v[i] = last;                                                            \
		return top;                                                                        \
	}

#endif
