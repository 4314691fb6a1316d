/*
 * ex/handle.c - the handle-table primitive: entries addressed by a small
 * index, in pages that never move (so growing the table never invalidates
 * an entry), with freed indexes reused most-recent-first.
 */
#include "ex/ex.h"

#include <stdlib.h>
#include <string.h>

/* EXP_PAGE_ENTRIES and EX_HANDLE_TABLE are in ex.h: the client-ID look-up
 * reads an entry inline (ExHandleObjectSlot). */

PEX_HANDLE_TABLE ExCreateHandleTable(VOID)
{
    PEX_HANDLE_TABLE Table = calloc(1, sizeof(*Table));
    if (Table != NULL)
        Table->NextUnused = 1;  /* index 0 is never a valid handle */
    return Table;
}

VOID ExDestroyHandleTable(PEX_HANDLE_TABLE Table)
{
    if (Table == NULL)
        return;
    for (ULONG i = 0; i < Table->PageCount; i++)
        free(Table->Pages[i]);
    if (Table->Pages != NULL)
        free((PUCHAR)Table->Pages - sizeof(EXP_OLD_DIRECTORY));
    while (Table->OldDirectories != NULL) {
        EXP_OLD_DIRECTORY *Old = Table->OldDirectories;
        Table->OldDirectories = Old->Next;
        free(Old);
    }
    free(Table->FreeList);
    free(Table);
}

static PHANDLE_TABLE_ENTRY ExpEntry(PEX_HANDLE_TABLE Table, ULONG Index)
{
    ULONG Page = Index / EXP_PAGE_ENTRIES;
    if (Index == 0 || Page >= Table->PageCount)
        return NULL;
    return &Table->Pages[Page][Index % EXP_PAGE_ENTRIES];
}

static BOOLEAN ExpGrow(PEX_HANDLE_TABLE Table)
{
    if (Table->PageCount == EXP_MAX_PAGES)
        return FALSE;
    HANDLE_TABLE_ENTRY *Page = calloc(EXP_PAGE_ENTRIES, sizeof(*Page));
    if (Page == NULL)
        return FALSE;
    if (Table->PageCount == Table->PageCapacity) {
        /* A lock-free reader may still walk the old directory: it is kept
         * (with the header of its block) until the table goes. */
        ULONG Capacity = Table->PageCapacity ? Table->PageCapacity * 2 : 4;
        PUCHAR Block = malloc(sizeof(EXP_OLD_DIRECTORY) + Capacity * sizeof(HANDLE_TABLE_ENTRY *));
        if (Block == NULL) {
            free(Page);
            return FALSE;
        }
        HANDLE_TABLE_ENTRY **Pages = (HANDLE_TABLE_ENTRY **)(Block + sizeof(EXP_OLD_DIRECTORY));
        if (Table->PageCount != 0)
            memcpy(Pages, Table->Pages, Table->PageCount * sizeof(*Pages));
        if (Table->Pages != NULL) {
            EXP_OLD_DIRECTORY *Old = (EXP_OLD_DIRECTORY *)((PUCHAR)Table->Pages - sizeof(EXP_OLD_DIRECTORY));
            Old->Next = Table->OldDirectories;
            Table->OldDirectories = Old;
        }
        __atomic_store_n(&Table->Pages, Pages, __ATOMIC_RELEASE);
        Table->PageCapacity = Capacity;
    }
    Table->Pages[Table->PageCount] = Page;
    /* Readers take the count first: the page it covers is in place. */
    __atomic_store_n(&Table->PageCount, Table->PageCount + 1, __ATOMIC_RELEASE);
    return TRUE;
}

ULONG ExCreateHandle(PEX_HANDLE_TABLE Table, const HANDLE_TABLE_ENTRY *Entry)
{
    ExpAcquireSpinLock(&Table->Lock);
    ULONG Index;
    if (Table->Closed) {
        ExpReleaseSpinLock(&Table->Lock);
        return 0;
    }
    if (Table->FreeCount > 0) {
        Index = Table->FreeList[--Table->FreeCount];
    } else {
        if (Table->NextUnused / EXP_PAGE_ENTRIES >= Table->PageCount && !ExpGrow(Table)) {
            ExpReleaseSpinLock(&Table->Lock);
            return 0;
        }
        Index = Table->NextUnused++;
    }
    PHANDLE_TABLE_ENTRY Slot = ExpEntry(Table, Index);
    Slot->GrantedAccess = Entry->GrantedAccess;
    Slot->Attributes = Entry->Attributes;
    __atomic_store_n(&Slot->Object, Entry->Object, __ATOMIC_RELEASE);    /* what lock-free readers look at */
    Table->Count++;
    ExpReleaseSpinLock(&Table->Lock);
    return Index;
}

BOOLEAN ExLookupHandle(PEX_HANDLE_TABLE Table, ULONG Index, PHANDLE_TABLE_ENTRY Entry,
                       BOOLEAN (*Reference)(PVOID Object))
{
    ExpAcquireSpinLock(&Table->Lock);
    PHANDLE_TABLE_ENTRY Slot = ExpEntry(Table, Index);
    BOOLEAN Found = Slot != NULL && Slot->Object != NULL && (Reference == NULL || Reference(Slot->Object));
    if (Found)
        *Entry = *Slot;
    ExpReleaseSpinLock(&Table->Lock);
    return Found;
}

BOOLEAN ExDestroyHandle(PEX_HANDLE_TABLE Table, ULONG Index, PHANDLE_TABLE_ENTRY Entry)
{
    ExpAcquireSpinLock(&Table->Lock);
    PHANDLE_TABLE_ENTRY Slot = ExpEntry(Table, Index);
    if (Slot == NULL || Slot->Object == NULL) {
        ExpReleaseSpinLock(&Table->Lock);
        return FALSE;
    }
    if (Table->FreeCount == Table->FreeCapacity) {
        ULONG Capacity = Table->FreeCapacity ? Table->FreeCapacity * 2 : 64;
        ULONG *List = realloc(Table->FreeList, Capacity * sizeof(*List));
        if (List == NULL) {     /* keep the entry rather than lose track of it */
            ExpReleaseSpinLock(&Table->Lock);
            return FALSE;
        }
        Table->FreeList = List;
        Table->FreeCapacity = Capacity;
    }
    if (Entry != NULL)
        *Entry = *Slot;
    __atomic_store_n(&Slot->Object, NULL, __ATOMIC_RELEASE);
    Slot->GrantedAccess = 0;
    Slot->Attributes = 0;
    Table->FreeList[Table->FreeCount++] = Index;
    Table->Count--;
    ExpReleaseSpinLock(&Table->Lock);
    return TRUE;
}

VOID ExCloseHandleTable(PEX_HANDLE_TABLE Table)
{
    ExpAcquireSpinLock(&Table->Lock);
    Table->Closed = TRUE;
    ExpReleaseSpinLock(&Table->Lock);
}

BOOLEAN ExHandleTableClosed(PEX_HANDLE_TABLE Table)
{
    return __atomic_load_n(&Table->Closed, __ATOMIC_ACQUIRE);
}

ULONG ExHandleCount(PEX_HANDLE_TABLE Table)
{
    return __atomic_load_n(&Table->Count, __ATOMIC_RELAXED);
}

VOID ExEnumerateHandleTable(PEX_HANDLE_TABLE Table, VOID (*Visit)(ULONG Index, PHANDLE_TABLE_ENTRY Entry, PVOID Context),
                            PVOID Context)
{
    ExpAcquireSpinLock(&Table->Lock);
    ULONG Limit = Table->NextUnused;
    ExpReleaseSpinLock(&Table->Lock);
    for (ULONG Index = 1; Index < Limit; Index++) {
        HANDLE_TABLE_ENTRY Copy;
        if (ExLookupHandle(Table, Index, &Copy, NULL))
            Visit(Index, &Copy, Context);
    }
}
