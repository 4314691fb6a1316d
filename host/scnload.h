/*
 * host/scnload.h - the loader's shared helpers (scnload.c) and the action
 * and expectation loaders (scnaction.c).
 */
#ifndef NTPS_SCNLOAD_H
#define NTPS_SCNLOAD_H

#include "host/scnp.h"

typedef struct _SCN_LOADER {
    NTPS_SCENARIO *Scenario;
    char *Error;
    size_t ErrorSize;
    bool Failed;
} SCN_LOADER;

void ScnError(SCN_LOADER *L, const SCN_NODE *Node, const char *Format, ...) __attribute__((format(printf, 3, 4)));
bool ScnCheckKeys(SCN_LOADER *L, const SCN_NODE *Map, const char *What, const char *const *Allowed);
const SCN_NODE *ScnGet(const SCN_NODE *Map, const char *Key);
bool ScnNeed(SCN_LOADER *L, const SCN_NODE *Node, SCN_NODE_KIND Kind, const char *What);
char *ScnDup(SCN_LOADER *L, const SCN_NODE *Node);
bool ScnGetUnsigned(SCN_LOADER *L, const SCN_NODE *Node, const char *What, uint64_t Min, uint64_t Max,
                    uint64_t *Value);
bool ScnGetBool(SCN_LOADER *L, const SCN_NODE *Node, const char *What, bool *Value);
bool ScnGetDuration(SCN_LOADER *L, const SCN_NODE *Node, const char *What, uint64_t *Value);
bool ScnGetRate(SCN_LOADER *L, const SCN_NODE *Node, uint64_t *Interval);
bool ScnGetStatuses(SCN_LOADER *L, const SCN_NODE *Node, const char *What, int32_t *Statuses, unsigned *Count,
                    bool *Any);
bool ScnGetName(SCN_LOADER *L, const SCN_NODE *Node, const char *What);
int ScnFindProcess(SCN_LOADER *L, const SCN_NODE *Node, const char *What);
bool ScnGetInstance(SCN_LOADER *L, const SCN_NODE *Node, int Process, int *Instance);
int ScnFindObject(SCN_LOADER *L, const SCN_NODE *Node, const char *What);

/* scnaction.c */
#define SCN_REF_OBJECTS 0x1     /* a declared object */
#define SCN_REF_LOCALS 0x2      /* an `as:` handle */
#define SCN_REF_SELF 0x4        /* self (the process), self_thread */
bool ScnDeclareLocal(SCN_LOADER *L, const SCN_NODE *Node, SCN_THREAD *T, SCN_HANDLE_KIND Kind, int *Slot);
bool ScnResolveHandle(SCN_LOADER *L, const SCN_NODE *Node, const SCN_THREAD *T, unsigned Allowed,
                      const char *What, SCN_HANDLE_REF *Ref);
bool ScnLoadActions(SCN_LOADER *L, const SCN_NODE *List, SCN_PROCESS *P, SCN_THREAD *T, SCN_ACTION **Actions,
                    size_t *Count, unsigned Depth);
bool ScnSpawns(const SCN_PROCESS *P, int Definition);
bool ScnLoadExpect(SCN_LOADER *L, const SCN_NODE *Node, SCN_EXPECT *E);

/* scndevload.c: open_device, ioctl, read, write; record expectations. */
bool ScnLoadDeviceAction(SCN_LOADER *L, const SCN_NODE *V, SCN_THREAD *T, SCN_ACTION *A);
bool ScnLoadRecordExpect(SCN_LOADER *L, const SCN_NODE *Node, SCN_EXPECT *E);
bool ScnGetBytes(SCN_LOADER *L, const SCN_NODE *Node, const char *What, uint8_t **Data, uint32_t *Length);

/* scnuserload.c: run. */
bool ScnLoadRunAction(SCN_LOADER *L, const SCN_NODE *V, SCN_ACTION *A);

/* scnregload.c: set_value. */
bool ScnLoadRegistryAction(SCN_LOADER *L, const SCN_NODE *V, SCN_ACTION *A);

/* The callback kinds an expectation counts: the values of VF_CALLBACK_KIND. */
#define SCN_CALLBACK_PROCESS 0
#define SCN_CALLBACK_THREAD 1
#define SCN_CALLBACK_IMAGE 2
#define SCN_CALLBACK_OBJECT_PRE 3
#define SCN_CALLBACK_OBJECT_POST 4

#endif /* NTPS_SCNLOAD_H */
