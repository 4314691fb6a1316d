/*
 * ex/handle.c - the handle-table primitive: entries addressed by a small
 * index, in pages that never move (so growing the table never invalidates
 * an entry), with freed indexes reused most-recent-first.
 */
#include "ex/ex.h"

#include <stdlib.h>
#include <string.h>

#define EXP_PAGE_ENTRIES 256
#define EXP_MAX_PAGES 65536     /* 16M handles */

typedef struct _EX_HANDLE_TABLE {
    EX_SPIN_LOCK Lock;
    HANDLE_TABLE_ENTRY **Pages;
    ULONG PageCount;
    ULONG PageCapacity;
    ULONG *FreeList;            /* stack of free indexes */
    ULONG FreeCount;
    ULONG FreeCapacity;
    ULONG NextUnused;           /* first index never handed out */
    ULONG Count;
    BOOLEAN Closed;             /* ExCloseHandleTable: no new entries */
} EX_HANDLE_TABLE;

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
    free(Table->Pages);
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
    if (Table->PageCount == Table->PageCapacity) {
        ULONG Capacity = Table->PageCapacity ? Table->PageCapacity * 2 : 4;
        HANDLE_TABLE_ENTRY **Pages = realloc(Table->Pages, Capacity * sizeof(*Pages));
        if (Pages == NULL)
            return FALSE;
        Table->Pages = Pages;
        Table->PageCapacity = Capacity;
    }
    HANDLE_TABLE_ENTRY *Page = calloc(EXP_PAGE_ENTRIES, sizeof(*Page));
    if (Page == NULL)
        return FALSE;
    Table->Pages[Table->PageCount++] = Page;
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
    *ExpEntry(Table, Index) = *Entry;
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
    memset(Slot, 0, sizeof(*Slot));
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
