/*
 * rtl/alloc.c - where Rtl gets string buffers. Ex points these at the pool
 * during boot; before that (and in host-side unit tests) the C heap serves.
 */
#include "rtl/rtl.h"

#include <stdlib.h>

static PVOID RtlpHeapAllocate(SIZE_T NumberOfBytes) { return malloc(NumberOfBytes); }
static VOID RtlpHeapFree(PVOID Buffer) { free(Buffer); }

PVOID (*RtlpAllocateStringRoutine)(SIZE_T NumberOfBytes) = RtlpHeapAllocate;
VOID (*RtlpFreeStringRoutine)(PVOID Buffer) = RtlpHeapFree;
