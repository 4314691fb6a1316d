/*
 * tests/include/kapc.h - the kernel APC and alert routines. ntoskrnl
 * exports them but the WDK headers do not declare them, so drivers that use
 * them declare the usual prototypes themselves; the test drivers share
 * these.
 */
#ifndef NTPS_KAPC_H
#define NTPS_KAPC_H

#include <ntddk.h>

typedef enum _KAPC_ENVIRONMENT {
    OriginalApcEnvironment, AttachedApcEnvironment, CurrentApcEnvironment, InsertApcEnvironment
} KAPC_ENVIRONMENT;
typedef VOID (*PKKERNEL_ROUTINE)(PKAPC Apc, PKNORMAL_ROUTINE *NormalRoutine, PVOID *NormalContext,
                                 PVOID *SystemArgument1, PVOID *SystemArgument2);
typedef VOID (*PKRUNDOWN_ROUTINE)(PKAPC Apc);
NTKERNELAPI VOID KeInitializeApc(PKAPC Apc, PKTHREAD Thread, KAPC_ENVIRONMENT Environment,
                                 PKKERNEL_ROUTINE KernelRoutine, PKRUNDOWN_ROUTINE RundownRoutine,
                                 PKNORMAL_ROUTINE NormalRoutine, KPROCESSOR_MODE ApcMode, PVOID NormalContext);
NTKERNELAPI BOOLEAN KeInsertQueueApc(PKAPC Apc, PVOID SystemArgument1, PVOID SystemArgument2,
                                     KPRIORITY Increment);
NTKERNELAPI BOOLEAN KeRemoveQueueApc(PKAPC Apc);
NTKERNELAPI BOOLEAN KeAlertThread(PKTHREAD Thread, KPROCESSOR_MODE AlertMode);

#endif
