/*
 * win32/startblock.h - what the host hands a user image's entry point
 * (__ntps_user_start) when it starts the image as a Win32 process: the
 * arguments, narrow and wide, and the command line. Shared by host/user.c
 * and win32/start.c.
 */
#ifndef NTPS_WIN32_STARTBLOCK_H
#define NTPS_WIN32_STARTBLOCK_H

typedef struct _NTPS_USER_START_BLOCK {
    int Argc;
    char **Argv;                    /* Argc entries and a NULL */
    unsigned short **WArgv;         /* the same, 16-bit */
    char *CommandLineA;
    unsigned short *CommandLineW;
} NTPS_USER_START_BLOCK;

/* The entry point every --user image exports: runs main or wmain on the
 * process's initial thread and returns its exit status. */
#define NTPS_USER_ENTRY_NAME "__ntps_user_start"
typedef int (*NTPS_USER_ENTRY)(NTPS_USER_START_BLOCK *Block);

#endif
