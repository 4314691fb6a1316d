/*
 * rtl/errors.c - RtlNtStatusToDosError: the Win32 error code for an
 * NTSTATUS.
 *
 * The table covers the statuses ntps itself returns or raises and the ones
 * its headers define for drivers, where the Win32 equivalent is the one
 * Windows documents or reports; any other status, and those without an
 * equivalent, is ERROR_MR_MID_NOT_FOUND (317), as documented. Two rules
 * come before the table: STATUS_SUCCESS is NO_ERROR, and an NTSTATUS built
 * from a Win32 error (facility FACILITY_NTWIN32, 7, error severity) gives
 * that error back. Not in the table: STATUS_TIMEOUT and the other wait
 * statuses, and the exception codes other than access violations,
 * misalignment, in-page errors, integer overflow and stack overflow.
 */
#include "rtl/rtl.h"

#define ERROR_MR_MID_NOT_FOUND 317

static const struct {
    NTSTATUS Status;
    USHORT Error;
} RtlpStatusErrors[] = {
    { STATUS_PENDING, 997 },                    /* ERROR_IO_PENDING */
    { STATUS_BUFFER_OVERFLOW, 234 },            /* ERROR_MORE_DATA */
    { STATUS_NO_MORE_FILES, 18 },               /* ERROR_NO_MORE_FILES */
    { STATUS_NO_MORE_ENTRIES, 259 },            /* ERROR_NO_MORE_ITEMS */
    { STATUS_DATATYPE_MISALIGNMENT, 998 },      /* ERROR_NOACCESS */
    { STATUS_UNSUCCESSFUL, 31 },                /* ERROR_GEN_FAILURE */
    { STATUS_NOT_IMPLEMENTED, 1 },              /* ERROR_INVALID_FUNCTION */
    { STATUS_INVALID_INFO_CLASS, 87 },          /* ERROR_INVALID_PARAMETER */
    { STATUS_INFO_LENGTH_MISMATCH, 24 },        /* ERROR_BAD_LENGTH */
    { STATUS_ACCESS_VIOLATION, 998 },           /* ERROR_NOACCESS */
    { STATUS_IN_PAGE_ERROR, 999 },              /* ERROR_SWAPERROR */
    { STATUS_INVALID_HANDLE, 6 },               /* ERROR_INVALID_HANDLE */
    { STATUS_INVALID_CID, 87 },
    { STATUS_INVALID_PARAMETER, 87 },
    { STATUS_NO_SUCH_DEVICE, 2 },               /* ERROR_FILE_NOT_FOUND */
    { STATUS_NO_SUCH_FILE, 2 },
    { STATUS_INVALID_DEVICE_REQUEST, 1 },       /* ERROR_INVALID_FUNCTION */
    { STATUS_END_OF_FILE, 38 },                 /* ERROR_HANDLE_EOF */
    { STATUS_NO_MEMORY, 8 },                    /* ERROR_NOT_ENOUGH_MEMORY */
    { STATUS_ACCESS_DENIED, 5 },                /* ERROR_ACCESS_DENIED */
    { STATUS_MEDIA_WRITE_PROTECTED, 19 },       /* ERROR_WRITE_PROTECT */
    { STATUS_DISK_FULL, 112 },                  /* ERROR_DISK_FULL */
    { STATUS_FILE_IS_A_DIRECTORY, 5 },          /* ERROR_ACCESS_DENIED */
    { STATUS_NOT_A_DIRECTORY, 267 },            /* ERROR_DIRECTORY */
    { STATUS_DIRECTORY_NOT_EMPTY, 145 },        /* ERROR_DIR_NOT_EMPTY */
    { STATUS_CANNOT_DELETE, 5 },                /* ERROR_ACCESS_DENIED */
    { STATUS_BUFFER_TOO_SMALL, 122 },           /* ERROR_INSUFFICIENT_BUFFER */
    { STATUS_OBJECT_TYPE_MISMATCH, 6 },         /* ERROR_INVALID_HANDLE */
    { STATUS_INVALID_PARAMETER_MIX, 87 },
    { STATUS_OBJECT_NAME_INVALID, 123 },        /* ERROR_INVALID_NAME */
    { STATUS_OBJECT_NAME_NOT_FOUND, 2 },        /* ERROR_FILE_NOT_FOUND */
    { STATUS_OBJECT_NAME_COLLISION, 183 },      /* ERROR_ALREADY_EXISTS */
    { STATUS_NOT_SAME_DEVICE, 17 },             /* ERROR_NOT_SAME_DEVICE */
    { STATUS_OBJECT_PATH_INVALID, 161 },        /* ERROR_BAD_PATHNAME */
    { STATUS_OBJECT_PATH_NOT_FOUND, 3 },        /* ERROR_PATH_NOT_FOUND */
    { STATUS_DELETE_PENDING, 5 },               /* ERROR_ACCESS_DENIED */
    { STATUS_MUTANT_NOT_OWNED, 288 },           /* ERROR_NOT_OWNER */
    { STATUS_SEMAPHORE_LIMIT_EXCEEDED, 298 },   /* ERROR_TOO_MANY_POSTS */
    { STATUS_THREAD_IS_TERMINATING, 5 },        /* ERROR_ACCESS_DENIED */
    { STATUS_PROCEDURE_NOT_FOUND, 127 },        /* ERROR_PROC_NOT_FOUND */
    { STATUS_INVALID_IMAGE_FORMAT, 193 },       /* ERROR_BAD_EXE_FORMAT */
    { STATUS_INSUFFICIENT_RESOURCES, 1450 },    /* ERROR_NO_SYSTEM_RESOURCES */
    { STATUS_INTEGER_OVERFLOW, 534 },           /* ERROR_ARITHMETIC_OVERFLOW */
    { STATUS_NOT_SUPPORTED, 50 },               /* ERROR_NOT_SUPPORTED */
    { STATUS_INTERNAL_ERROR, 1359 },            /* ERROR_INTERNAL_ERROR */
    { STATUS_INVALID_PARAMETER_1, 87 },
    { STATUS_INVALID_PARAMETER_2, 87 },
    { STATUS_INVALID_PARAMETER_3, 87 },
    { STATUS_INVALID_PARAMETER_4, 87 },
    { STATUS_INVALID_PARAMETER_5, 87 },
    { STATUS_INVALID_PARAMETER_6, 87 },
    { STATUS_STACK_OVERFLOW, 1001 },            /* ERROR_STACK_OVERFLOW */
    { STATUS_NAME_TOO_LONG, 206 },              /* ERROR_FILENAME_EXCED_RANGE */
    { STATUS_PROCESS_IS_TERMINATING, 5 },       /* ERROR_ACCESS_DENIED */
    { STATUS_CANCELLED, 995 },                  /* ERROR_OPERATION_ABORTED */
    { STATUS_DLL_NOT_FOUND, 126 },              /* ERROR_MOD_NOT_FOUND */
    { STATUS_ORDINAL_NOT_FOUND, 182 },          /* ERROR_INVALID_ORDINAL */
    { STATUS_ENTRYPOINT_NOT_FOUND, 127 },       /* ERROR_PROC_NOT_FOUND */
    { STATUS_NOT_FOUND, 1168 },                 /* ERROR_NOT_FOUND */
    { STATUS_HANDLE_NOT_CLOSABLE, 6 },          /* ERROR_INVALID_HANDLE */
};

NTKERNELAPI ULONG RtlNtStatusToDosError(NTSTATUS Status)
{
    if (Status == STATUS_SUCCESS)
        return 0;
    if (((ULONG)Status & 0xFFFF0000u) == 0xC0070000u)   /* NTSTATUS_FROM_WIN32 */
        return (ULONG)Status & 0xFFFF;
    for (SIZE_T i = 0; i < RTL_NUMBER_OF(RtlpStatusErrors); i++)
        if (RtlpStatusErrors[i].Status == Status)
            return RtlpStatusErrors[i].Error;
    return ERROR_MR_MID_NOT_FOUND;
}
