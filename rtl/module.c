/*
 * rtl/module.c - the address ranges of loaded driver images, so that any
 * layer can tell which driver an address (a caller, a callback, a fault)
 * belongs to. A short array under a lock: drivers are few.
 */
#include "rtl/rtl.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define RTLP_MAX_MODULES 64

static pthread_rwlock_t RtlpModuleLock = PTHREAD_RWLOCK_INITIALIZER;
static PRTL_MODULE RtlpModules[RTLP_MAX_MODULES];
static int RtlpModuleHigh;              /* slots in use are below it (under the lock) */
static ULONG RtlpModuleLoads;          /* registrations so far (under the lock) */
static volatile LONG RtlpModuleLive;    /* modules registered: a look-up with none takes no lock */

PRTL_MODULE RtlpRegisterModule(PVOID Base, SIZE_T Size, PCSTR Name, PVOID Context, PVOID Handle)
{
    PRTL_MODULE Module = calloc(1, sizeof(*Module));
    if (Module == NULL)
        return NULL;
    Module->Base = Base;
    Module->Size = Size;
    Module->Context = Context;
    Module->Handle = Handle;
    strncpy(Module->Name, Name, sizeof(Module->Name) - 1);
    pthread_rwlock_wrlock(&RtlpModuleLock);
    Module->LoadOrder = ++RtlpModuleLoads;
    for (int i = 0; i < RTLP_MAX_MODULES; i++) {
        if (RtlpModules[i] == NULL) {
            RtlpModules[i] = Module;
            if (i + 1 > RtlpModuleHigh)
                RtlpModuleHigh = i + 1;
            __atomic_add_fetch(&RtlpModuleLive, 1, __ATOMIC_RELEASE);
            pthread_rwlock_unlock(&RtlpModuleLock);
            return Module;
        }
    }
    pthread_rwlock_unlock(&RtlpModuleLock);
    free(Module);
    return NULL;
}

VOID RtlpUnregisterModule(PRTL_MODULE Module)
{
    pthread_rwlock_wrlock(&RtlpModuleLock);
    for (int i = 0; i < RTLP_MAX_MODULES; i++)
        if (RtlpModules[i] == Module) {
            RtlpModules[i] = NULL;
            __atomic_sub_fetch(&RtlpModuleLive, 1, __ATOMIC_RELEASE);
        }
    pthread_rwlock_unlock(&RtlpModuleLock);
    free(Module);
}

PRTL_MODULE RtlpLookupModuleByAddress(PVOID Address)
{
    PRTL_MODULE Found = NULL;
    if (__atomic_load_n(&RtlpModuleLive, __ATOMIC_ACQUIRE) == 0)
        return NULL;    /* no driver loaded: kernel threads are created often */
    pthread_rwlock_rdlock(&RtlpModuleLock);
    for (int i = 0; i < RtlpModuleHigh && Found == NULL; i++) {
        PRTL_MODULE M = RtlpModules[i];
        if (M != NULL && (PCHAR)Address >= (PCHAR)M->Base && (PCHAR)Address < (PCHAR)M->Base + M->Size)
            Found = M;
    }
    pthread_rwlock_unlock(&RtlpModuleLock);
    return Found;
}

ULONG RtlpSnapshotModules(RTL_MODULE_SNAPSHOT *Out, ULONG Capacity)
{
    ULONG Count = 0;
    pthread_rwlock_rdlock(&RtlpModuleLock);
    for (int i = 0; i < RtlpModuleHigh; i++) {
        PRTL_MODULE M = RtlpModules[i];
        if (M == NULL)
            continue;
        /* insertion by load order: few modules */
        ULONG At = Count < Capacity ? Count : Capacity;
        while (At > 0 && Out[At - 1].LoadOrder > M->LoadOrder) {
            if (At < Capacity)
                Out[At] = Out[At - 1];
            At--;
        }
        if (At < Capacity) {
            Out[At].Base = M->Base;
            Out[At].Size = M->Size;
            Out[At].LoadOrder = M->LoadOrder;
            memcpy(Out[At].Name, M->Name, sizeof(Out[At].Name));
        }
        Count++;
    }
    pthread_rwlock_unlock(&RtlpModuleLock);
    return Count;
}
