/* Included by hdr_wdk.c as "HDR_Case_Local.h": found without regard to case. */
#define HDR_CASE_LOCAL_VALUE 1234
