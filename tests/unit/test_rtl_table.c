/*
 * test_rtl_table.c - RTL_GENERIC_TABLE (splay) and RTL_AVL_TABLE against a
 * reference model under random inserts, deletes, lookups, enumerations and
 * RtlGetElement* calls: the same answers, every allocation freed, the data
 * at the documented offset after the header, parent links consistent, the
 * AVL tree balanced with correct balance factors.
 */
#include "rtl/rtl.h"

#include <stdlib.h>
#include <string.h>

#include "unittest.h"

typedef struct _ITEM {
    ULONG Key;
    ULONG Value;
} ITEM;

#define KEYS 300
#define STEPS 20000

/* The model: present[k], value[k], and the insertion order of present keys. */
static BOOLEAN Present[KEYS];
static ULONG ValueOf[KEYS];
static ULONG Order[KEYS], OrderCount;
static LONG Allocated;
static ULONG64 Rng = 0x9E3779B97F4A7C15ULL;

static ULONG Next(ULONG Bound)
{
    Rng ^= Rng << 13;
    Rng ^= Rng >> 7;
    Rng ^= Rng << 17;
    return (ULONG)(Rng % Bound);
}

static RTL_GENERIC_COMPARE_RESULTS Compare(ULONG A, ULONG B)
{
    return A < B ? GenericLessThan : A > B ? GenericGreaterThan : GenericEqual;
}

static RTL_GENERIC_COMPARE_RESULTS NTAPI SplayCompare(PRTL_GENERIC_TABLE T, PVOID A, PVOID B)
{
    (void)T;
    return Compare(((ITEM *)A)->Key, ((ITEM *)B)->Key);
}

static PVOID NTAPI SplayAllocate(PRTL_GENERIC_TABLE T, CLONG Size)
{
    (void)T;
    Allocated++;
    return malloc(Size);
}

static VOID NTAPI SplayFree(PRTL_GENERIC_TABLE T, PVOID P)
{
    (void)T;
    Allocated--;
    free(P);
}

static RTL_GENERIC_COMPARE_RESULTS NTAPI AvlCompare(PRTL_AVL_TABLE T, PVOID A, PVOID B)
{
    (void)T;
    return Compare(((ITEM *)A)->Key, ((ITEM *)B)->Key);
}

static PVOID NTAPI AvlAllocate(PRTL_AVL_TABLE T, CLONG Size)
{
    (void)T;
    Allocated++;
    return malloc(Size);
}

static VOID NTAPI AvlFree(PRTL_AVL_TABLE T, PVOID P)
{
    (void)T;
    Allocated--;
    free(P);
}

static VOID ModelReset(VOID)
{
    memset(Present, 0, sizeof(Present));
    OrderCount = 0;
}

static VOID ModelRemove(ULONG Key)
{
    for (ULONG i = 0; i < OrderCount; i++)
        if (Order[i] == Key) {
            memmove(&Order[i], &Order[i + 1], (OrderCount - i - 1) * sizeof(ULONG));
            OrderCount--;
            return;
        }
}

/* ---- structure checks ---------------------------------------------------------------------- */

static int AvlHeight(PRTL_BALANCED_LINKS X, PRTL_BALANCED_LINKS Parent, BOOLEAN *Ok)
{
    if (X == NULL)
        return 0;
    if (X->Parent != Parent)
        *Ok = FALSE;
    int L = AvlHeight(X->LeftChild, X, Ok), R = AvlHeight(X->RightChild, X, Ok);
    if (R - L != X->Balance || R - L > 1 || L - R > 1)
        *Ok = FALSE;
    return 1 + (L > R ? L : R);
}

static ULONG SplayCheck(PRTL_SPLAY_LINKS X, PRTL_SPLAY_LINKS Parent, BOOLEAN *Ok)
{
    if (X == NULL)
        return 0;
    if (X->Parent != Parent)
        *Ok = FALSE;
    return 1 + SplayCheck(X->LeftChild, X, Ok) + SplayCheck(X->RightChild, X, Ok);
}

/* ---- the runs ---------------------------------------------------------------------------------- */

static VOID TestSplay(VOID)
{
    RTL_GENERIC_TABLE T;
    RtlInitializeGenericTable(&T, SplayCompare, SplayAllocate, SplayFree, (PVOID)0x1234);
    CHECK(T.TableContext == (PVOID)0x1234);
    CHECK(RtlIsGenericTableEmpty(&T));
    ModelReset();
    for (int Step = 0; Step < STEPS; Step++) {
        ULONG Key = Next(KEYS), Op = Next(10);
        ITEM Item = { Key, Step };
        if (Op < 4) {
            BOOLEAN New = 2;
            ITEM *Got = RtlInsertElementGenericTable(&T, &Item, sizeof(Item), &New);
            CHECK_EQ(New, !Present[Key]);
            CHECK(Got != NULL && Got->Key == Key);
            /* the data follows RTL_SPLAY_LINKS and a LIST_ENTRY */
            CHECK(((PRTL_SPLAY_LINKS)((PCHAR)Got - sizeof(RTL_SPLAY_LINKS) - sizeof(LIST_ENTRY)))->Parent != NULL);
            if (!Present[Key]) {
                Present[Key] = TRUE;
                ValueOf[Key] = Step;
                Order[OrderCount++] = Key;
            }
            CHECK_EQ(Got->Value, ValueOf[Key]);
        } else if (Op < 6) {
            CHECK_EQ(RtlDeleteElementGenericTable(&T, &Item), Present[Key]);
            if (Present[Key]) {
                Present[Key] = FALSE;
                ModelRemove(Key);
            }
        } else if (Op < 8) {
            ITEM *Got = RtlLookupElementGenericTable(&T, &Item);
            CHECK_EQ(Got != NULL, Present[Key]);
            if (Got != NULL)
                CHECK_EQ(Got->Value, ValueOf[Key]);
        } else if (Op == 8) {
            ULONG I = Next(OrderCount + 2);
            ITEM *Got = RtlGetElementGenericTable(&T, I);
            CHECK_EQ(Got != NULL, I < OrderCount);
            if (Got != NULL)
                CHECK_EQ(Got->Key, Order[I]);
        } else {
            ITEM *Full;
            PVOID NodeOrParent;
            TABLE_SEARCH_RESULT Result;
            Full = RtlLookupElementGenericTableFull(&T, &Item, &NodeOrParent, &Result);
            CHECK_EQ(Result == TableFoundNode, Present[Key]);
            if (Full == NULL) {
                BOOLEAN New;
                Full = RtlInsertElementGenericTableFull(&T, &Item, sizeof(Item), &New, NodeOrParent, Result);
                CHECK(New && Full->Key == Key);
                Present[Key] = TRUE;
                ValueOf[Key] = Step;
                Order[OrderCount++] = Key;
            }
        }
        CHECK_EQ(RtlNumberGenericTableElements(&T), OrderCount);
        if (Step % 997 == 0) {
            BOOLEAN Ok = TRUE;
            CHECK_EQ(SplayCheck(T.TableRoot, T.TableRoot, &Ok), OrderCount);
            CHECK(Ok);
            /* both enumerations give the keys in order */
            ULONG Expected = 0, Count = 0;
            PVOID Restart = NULL;
            for (ITEM *P = RtlEnumerateGenericTableWithoutSplaying(&T, &Restart); P != NULL;
                 P = RtlEnumerateGenericTableWithoutSplaying(&T, &Restart), Count++) {
                while (!Present[Expected])
                    Expected++;
                CHECK_EQ(P->Key, Expected++);
            }
            CHECK_EQ(Count, OrderCount);
            Expected = 0;
            Count = 0;
            for (ITEM *P = RtlEnumerateGenericTable(&T, TRUE); P != NULL; P = RtlEnumerateGenericTable(&T, FALSE)) {
                while (!Present[Expected])
                    Expected++;
                CHECK_EQ(P->Key, Expected++);
                Count++;
            }
            CHECK_EQ(Count, OrderCount);
        }
    }
    ITEM *P;
    while ((P = RtlGetElementGenericTable(&T, 0)) != NULL) {
        ITEM Copy = *P;
        CHECK(RtlDeleteElementGenericTable(&T, &Copy));
    }
    CHECK(RtlIsGenericTableEmpty(&T));
    CHECK_EQ(Allocated, 0);
}

static VOID TestAvl(VOID)
{
    RTL_AVL_TABLE T;
    RtlInitializeGenericTableAvl(&T, AvlCompare, AvlAllocate, AvlFree, NULL);
    CHECK(RtlIsGenericTableEmptyAvl(&T));
    ModelReset();
    for (int Step = 0; Step < STEPS; Step++) {
        ULONG Key = Next(KEYS), Op = Next(10);
        ITEM Item = { Key, Step };
        if (Op < 4) {
            BOOLEAN New = 2;
            ITEM *Got = RtlInsertElementGenericTableAvl(&T, &Item, sizeof(Item), &New);
            CHECK_EQ(New, !Present[Key]);
            CHECK(Got != NULL && Got->Key == Key);
            if (!Present[Key]) {
                Present[Key] = TRUE;
                ValueOf[Key] = Step;
                OrderCount++;
            }
            CHECK_EQ(Got->Value, ValueOf[Key]);
        } else if (Op < 7) {
            CHECK_EQ(RtlDeleteElementGenericTableAvl(&T, &Item), Present[Key]);
            if (Present[Key]) {
                Present[Key] = FALSE;
                OrderCount--;
            }
        } else if (Op == 7) {
            ITEM *Got = RtlLookupElementGenericTableAvl(&T, &Item);
            CHECK_EQ(Got != NULL, Present[Key]);
            if (Got != NULL)
                CHECK_EQ(Got->Value, ValueOf[Key]);
        } else if (Op == 8) {
            /* the I-th in collation order */
            ULONG I = Next(OrderCount + 2), Seen = 0, Want = ~0u;
            for (ULONG k = 0; k < KEYS && Want == ~0u; k++)
                if (Present[k] && Seen++ == I)
                    Want = k;
            ITEM *Got = RtlGetElementGenericTableAvl(&T, I);
            CHECK_EQ(Got != NULL, I < OrderCount);
            if (Got != NULL)
                CHECK_EQ(Got->Key, Want);
        } else {
            PVOID NodeOrParent, Restart;
            TABLE_SEARCH_RESULT Result;
            ITEM *Got = RtlLookupElementGenericTableFullAvl(&T, &Item, &NodeOrParent, &Result);
            CHECK_EQ(Result == TableFoundNode, Present[Key]);
            CHECK_EQ(RtlLookupFirstMatchingElementGenericTableAvl(&T, &Item, &Restart), Got);
            if (Got != NULL) {
                CHECK((PCHAR)Got == (PCHAR)NodeOrParent + sizeof(RTL_BALANCED_LINKS));   /* the data offset */
                RtlDeleteElementGenericTableAvlEx(&T, NodeOrParent);
                Present[Key] = FALSE;
                OrderCount--;
            } else {
                BOOLEAN New;
                Got = RtlInsertElementGenericTableFullAvl(&T, &Item, sizeof(Item), &New, NodeOrParent, Result);
                CHECK(New && Got->Key == Key);
                Present[Key] = TRUE;
                ValueOf[Key] = Step;
                OrderCount++;
            }
        }
        CHECK_EQ(RtlNumberGenericTableElementsAvl(&T), OrderCount);
        if (Step % 101 == 0) {
            BOOLEAN Ok = TRUE;
            AvlHeight(T.BalancedRoot.RightChild, &T.BalancedRoot, &Ok);
            CHECK(Ok);
            ULONG Expected = 0, Count = 0;
            for (ITEM *P = RtlEnumerateGenericTableAvl(&T, TRUE); P != NULL; P = RtlEnumerateGenericTableAvl(&T, FALSE)) {
                while (!Present[Expected])
                    Expected++;
                CHECK_EQ(P->Key, Expected++);
                Count++;
            }
            CHECK_EQ(Count, OrderCount);
            /* a loop over RtlGetElementGenericTableAvl sees the same order */
            Expected = 0;
            for (ULONG i = 0; i < OrderCount; i++) {
                ITEM *P = RtlGetElementGenericTableAvl(&T, i);
                while (!Present[Expected])
                    Expected++;
                CHECK(P != NULL && P->Key == Expected);
                Expected++;
            }
        }
    }
    /* sorted inserts stay logarithmic in depth */
    for (ULONG k = 0; k < KEYS; k++) {
        ITEM Item = { k, 0 };
        RtlDeleteElementGenericTableAvl(&T, &Item);
    }
    CHECK(RtlIsGenericTableEmptyAvl(&T));
    for (ULONG k = 0; k < 1000; k++) {
        ITEM Item = { k, k };
        RtlInsertElementGenericTableAvl(&T, &Item, sizeof(Item), NULL);
    }
    BOOLEAN Ok = TRUE;
    int Height = AvlHeight(T.BalancedRoot.RightChild, &T.BalancedRoot, &Ok);
    CHECK(Ok);
    CHECK(Height <= 15);
    ITEM *P;
    while ((P = RtlEnumerateGenericTableAvl(&T, TRUE)) != NULL) {
        ITEM Copy = *P;
        CHECK(RtlDeleteElementGenericTableAvl(&T, &Copy));
    }
    CHECK_EQ(Allocated, 0);
}

int main(void)
{
    TestSplay();
    TestAvl();
    return UT_DONE();
}
