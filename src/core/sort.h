/*
 * sort.h — ascending sorts of unsigned integer arrays.
 *
 * The rule compiler sorts millions of (field, literal) keys and thousands
 * of small literal lists; qsort's call per comparison was four tenths of
 * building the prefilter. Short arrays are sorted by insertion, longer ones
 * by least-significant-digit radix sort, a byte a pass, with the passes in
 * which every key has the same byte left out. Without memory for the second
 * array, qsort does it.
 */
#ifndef AS_CORE_SORT_H
#define AS_CORE_SORT_H

#include <stddef.h>
#include <stdint.h>

void sort_u32(uint32_t *v, size_t n);
void sort_u64(uint64_t *v, size_t n);

#endif
