/*
 * rtl/avltable.c - RTL_AVL_TABLE: an AVL tree ordered by the caller's
 * compare routine. Each element is one block from the caller's allocate
 * routine: RTL_BALANCED_LINKS, then the caller's data (the offset drivers
 * rely on). Lookups and enumerations never change the tree (callers may
 * run them concurrently under a shared lock); inserts and deletes
 * rebalance. Balance is height(right) - height(left), in -1..1 between
 * calls. The table's BalancedRoot is a sentinel whose RightChild is the
 * root (and the root's Parent the sentinel).
 */
#include "rtl/rtl.h"

typedef struct _RTLP_AVL_NODE {
    RTL_BALANCED_LINKS Links;
    LONGLONG UserData;          /* the caller's data starts here */
} RTLP_AVL_NODE;

#define RTLP_AVL_HEADER FIELD_OFFSET(RTLP_AVL_NODE, UserData)
typedef PRTL_BALANCED_LINKS PLINKS;

static inline PVOID RtlpAvlData(PLINKS Links)
{
    return (PCHAR)Links + RTLP_AVL_HEADER;
}

static inline PLINKS *RtlpSlot(PLINKS X)
{
    return X->Parent->LeftChild == X ? &X->Parent->LeftChild : &X->Parent->RightChild;
}

static VOID RtlpRotateLeft(PLINKS X)
{
    PLINKS Z = X->RightChild;
    *RtlpSlot(X) = Z;
    Z->Parent = X->Parent;
    X->RightChild = Z->LeftChild;
    if (Z->LeftChild != NULL)
        Z->LeftChild->Parent = X;
    Z->LeftChild = X;
    X->Parent = Z;
}

static VOID RtlpRotateRight(PLINKS X)
{
    PLINKS Z = X->LeftChild;
    *RtlpSlot(X) = Z;
    Z->Parent = X->Parent;
    X->LeftChild = Z->RightChild;
    if (Z->RightChild != NULL)
        Z->RightChild->Parent = X;
    Z->RightChild = X;
    X->Parent = Z;
}

/* X's balance is +2 or -2: rotate. Returns the subtree's new root; *Shorter
 * says whether the subtree lost height (always after an insert's rotation;
 * after a delete's, unless the child was balanced). */
static PLINKS RtlpRebalance(PLINKS X, BOOLEAN *Shorter)
{
    int Dir = X->Balance > 0 ? 1 : -1;
    PLINKS Z = Dir > 0 ? X->RightChild : X->LeftChild;
    if (Z->Balance == -Dir) {
        PLINKS Y = Dir > 0 ? Z->LeftChild : Z->RightChild;     /* double rotation */
        if (Dir > 0) {
            RtlpRotateRight(Z);
            RtlpRotateLeft(X);
        } else {
            RtlpRotateLeft(Z);
            RtlpRotateRight(X);
        }
        X->Balance = (CHAR)(Y->Balance == Dir ? -Dir : 0);
        Z->Balance = (CHAR)(Y->Balance == -Dir ? Dir : 0);
        Y->Balance = 0;
        *Shorter = TRUE;
        return Y;
    }
    if (Dir > 0)
        RtlpRotateLeft(X);
    else
        RtlpRotateRight(X);
    if (Z->Balance == 0) {
        X->Balance = (CHAR)Dir;
        Z->Balance = (CHAR)-Dir;
        *Shorter = FALSE;
    } else {
        X->Balance = 0;
        Z->Balance = 0;
        *Shorter = TRUE;
    }
    return Z;
}

/* N was just linked in as a leaf. */
static VOID RtlpRetraceInsert(PRTL_AVL_TABLE Table, PLINKS N)
{
    for (PLINKS Child = N, X = N->Parent; X != &Table->BalancedRoot; Child = X, X = X->Parent) {
        X->Balance = (CHAR)(X->Balance + (Child == X->RightChild ? 1 : -1));
        if (X->Balance == 0)
            return;
        if (X->Balance == 2 || X->Balance == -2) {
            BOOLEAN Shorter;
            RtlpRebalance(X, &Shorter);
            return;
        }
    }
    Table->DepthOfTree++;
}

/* X's subtree on side Right (TRUE) or left lost a level. */
static VOID RtlpRetraceDelete(PRTL_AVL_TABLE Table, PLINKS X, BOOLEAN Right)
{
    while (X != &Table->BalancedRoot) {
        X->Balance = (CHAR)(X->Balance + (Right ? -1 : 1));
        if (X->Balance == 1 || X->Balance == -1)
            return;             /* its height did not change */
        if (X->Balance != 0) {
            BOOLEAN Shorter;
            X = RtlpRebalance(X, &Shorter);
            if (!Shorter)
                return;
        }
        Right = X->Parent->RightChild == X;
        X = X->Parent;
    }
    if (Table->DepthOfTree != 0)
        Table->DepthOfTree--;
}

static TABLE_SEARCH_RESULT RtlpAvlFind(PRTL_AVL_TABLE Table, PVOID Buffer, PLINKS *NodeOrParent)
{
    PLINKS X = Table->BalancedRoot.RightChild;
    *NodeOrParent = NULL;
    if (X == NULL)
        return TableEmptyTree;
    for (;;) {
        RTL_GENERIC_COMPARE_RESULTS R = Table->CompareRoutine(Table, Buffer, RtlpAvlData(X));
        *NodeOrParent = X;
        if (R == GenericEqual)
            return TableFoundNode;
        PLINKS Next = R == GenericLessThan ? X->LeftChild : X->RightChild;
        if (Next == NULL)
            return R == GenericLessThan ? TableInsertAsLeft : TableInsertAsRight;
        X = Next;
    }
}

static PLINKS RtlpAvlMin(PLINKS X)
{
    while (X->LeftChild != NULL)
        X = X->LeftChild;
    return X;
}

static PLINKS RtlpAvlSuccessor(PRTL_AVL_TABLE Table, PLINKS X)
{
    if (X->RightChild != NULL)
        return RtlpAvlMin(X->RightChild);
    while (X->Parent != &Table->BalancedRoot && X->Parent->RightChild == X)
        X = X->Parent;
    return X->Parent == &Table->BalancedRoot ? NULL : X->Parent;
}

VOID NTAPI RtlInitializeGenericTableAvl(PRTL_AVL_TABLE Table, PRTL_AVL_COMPARE_ROUTINE CompareRoutine,
                                        PRTL_AVL_ALLOCATE_ROUTINE AllocateRoutine, PRTL_AVL_FREE_ROUTINE FreeRoutine,
                                        PVOID TableContext)
{
    RtlZeroMemory(Table, sizeof(*Table));
    Table->BalancedRoot.Parent = &Table->BalancedRoot;
    Table->CompareRoutine = CompareRoutine;
    Table->AllocateRoutine = AllocateRoutine;
    Table->FreeRoutine = FreeRoutine;
    Table->TableContext = TableContext;
}

PVOID NTAPI RtlInsertElementGenericTableFullAvl(PRTL_AVL_TABLE Table, PVOID Buffer, CLONG BufferSize,
                                                PBOOLEAN NewElement, PVOID NodeOrParent,
                                                TABLE_SEARCH_RESULT SearchResult)
{
    PLINKS Parent = NodeOrParent;
    if (SearchResult == TableFoundNode) {
        if (NewElement != NULL)
            *NewElement = FALSE;
        return RtlpAvlData(Parent);
    }
    RTLP_AVL_NODE *Node = Table->AllocateRoutine(Table, (CLONG)(RTLP_AVL_HEADER + BufferSize));
    if (Node == NULL) {
        if (NewElement != NULL)
            *NewElement = FALSE;
        return NULL;
    }
    RtlZeroMemory(&Node->Links, sizeof(Node->Links));
    RtlCopyMemory(RtlpAvlData(&Node->Links), Buffer, BufferSize);
    if (SearchResult == TableEmptyTree) {
        Node->Links.Parent = &Table->BalancedRoot;
        Table->BalancedRoot.RightChild = &Node->Links;
        Table->DepthOfTree = 1;
    } else {
        Node->Links.Parent = Parent;
        if (SearchResult == TableInsertAsLeft)
            Parent->LeftChild = &Node->Links;
        else
            Parent->RightChild = &Node->Links;
        RtlpRetraceInsert(Table, &Node->Links);
    }
    Table->NumberGenericTableElements++;
    Table->OrderedPointer = NULL;       /* positions after it moved */
    Table->WhichOrderedElement = 0;
    if (NewElement != NULL)
        *NewElement = TRUE;
    return RtlpAvlData(&Node->Links);
}

PVOID NTAPI RtlInsertElementGenericTableAvl(PRTL_AVL_TABLE Table, PVOID Buffer, CLONG BufferSize,
                                            PBOOLEAN NewElement)
{
    PLINKS NodeOrParent;
    TABLE_SEARCH_RESULT Result = RtlpAvlFind(Table, Buffer, &NodeOrParent);
    return RtlInsertElementGenericTableFullAvl(Table, Buffer, BufferSize, NewElement, NodeOrParent, Result);
}

/* D leaves the tree; a node with two children is replaced by its successor
 * (links moved, never data: callers hold pointers to their data). */
VOID NTAPI RtlDeleteElementGenericTableAvlEx(PRTL_AVL_TABLE Table, PVOID NodeOrParent)
{
    PLINKS D = NodeOrParent, Start;
    BOOLEAN Right;
    if (D->LeftChild != NULL && D->RightChild != NULL) {
        PLINKS S = RtlpAvlMin(D->RightChild);
        if (S->Parent == D) {
            Start = S;
            Right = TRUE;
        } else {
            Start = S->Parent;
            Right = FALSE;
            Start->LeftChild = S->RightChild;
            if (S->RightChild != NULL)
                S->RightChild->Parent = Start;
            S->RightChild = D->RightChild;
            D->RightChild->Parent = S;
        }
        S->LeftChild = D->LeftChild;
        D->LeftChild->Parent = S;
        S->Balance = D->Balance;
        *RtlpSlot(D) = S;
        S->Parent = D->Parent;
    } else {
        PLINKS C = D->LeftChild != NULL ? D->LeftChild : D->RightChild;
        Start = D->Parent;
        Right = Start->RightChild == D;
        *RtlpSlot(D) = C;
        if (C != NULL)
            C->Parent = D->Parent;
    }
    RtlpRetraceDelete(Table, Start, Right);
    Table->NumberGenericTableElements--;
    Table->DeleteCount++;
    Table->OrderedPointer = NULL;
    Table->WhichOrderedElement = 0;
    if (Table->RestartKey == D)
        Table->RestartKey = NULL;
    Table->FreeRoutine(Table, CONTAINING_RECORD(D, RTLP_AVL_NODE, Links));
}

BOOLEAN NTAPI RtlDeleteElementGenericTableAvl(PRTL_AVL_TABLE Table, PVOID Buffer)
{
    PLINKS Node;
    if (RtlpAvlFind(Table, Buffer, &Node) != TableFoundNode)
        return FALSE;
    RtlDeleteElementGenericTableAvlEx(Table, Node);
    return TRUE;
}

PVOID NTAPI RtlLookupElementGenericTableFullAvl(PRTL_AVL_TABLE Table, PVOID Buffer, PVOID *NodeOrParent,
                                                TABLE_SEARCH_RESULT *SearchResult)
{
    PLINKS Links;
    *SearchResult = RtlpAvlFind(Table, Buffer, &Links);
    *NodeOrParent = Links;
    return *SearchResult == TableFoundNode ? RtlpAvlData(Links) : NULL;
}

PVOID NTAPI RtlLookupElementGenericTableAvl(PRTL_AVL_TABLE Table, PVOID Buffer)
{
    PVOID NodeOrParent;
    TABLE_SEARCH_RESULT Result;
    return RtlLookupElementGenericTableFullAvl(Table, Buffer, &NodeOrParent, &Result);
}

/* The first element (in order) equal to Buffer; *RestartKey set to it for
 * RtlEnumerateGenericTableWithoutSplayingAvl to go on from. */
PVOID NTAPI RtlLookupFirstMatchingElementGenericTableAvl(PRTL_AVL_TABLE Table, PVOID Buffer, PVOID *RestartKey)
{
    PLINKS X = Table->BalancedRoot.RightChild, Found = NULL;
    while (X != NULL) {
        RTL_GENERIC_COMPARE_RESULTS R = Table->CompareRoutine(Table, Buffer, RtlpAvlData(X));
        if (R == GenericEqual)
            Found = X;
        X = R == GenericGreaterThan ? X->RightChild : X->LeftChild;
    }
    *RestartKey = Found;
    return Found != NULL ? RtlpAvlData(Found) : NULL;
}

PVOID NTAPI RtlEnumerateGenericTableWithoutSplayingAvl(PRTL_AVL_TABLE Table, PVOID *RestartKey)
{
    PLINKS Root = Table->BalancedRoot.RightChild;
    if (Root == NULL)
        return NULL;
    PLINKS Next = *RestartKey == NULL ? RtlpAvlMin(Root) : RtlpAvlSuccessor(Table, *RestartKey);
    if (Next == NULL)
        return NULL;
    *RestartKey = Next;
    return RtlpAvlData(Next);
}

PVOID NTAPI RtlEnumerateGenericTableAvl(PRTL_AVL_TABLE Table, BOOLEAN Restart)
{
    if (Restart)
        Table->RestartKey = NULL;
    return RtlEnumerateGenericTableWithoutSplayingAvl(Table, (PVOID *)&Table->RestartKey);
}

/* The I-th element in collation order (0-based); walks on from the last
 * position asked for when it can (a loop over I is linear). */
PVOID NTAPI RtlGetElementGenericTableAvl(PRTL_AVL_TABLE Table, ULONG I)
{
    if (I >= Table->NumberGenericTableElements)
        return NULL;
    ULONG Want = I + 1, At = Table->WhichOrderedElement;
    PLINKS X = Table->OrderedPointer;
    if (X == NULL || At == 0 || At > Want) {
        X = RtlpAvlMin(Table->BalancedRoot.RightChild);
        At = 1;
    }
    while (At < Want) {
        X = RtlpAvlSuccessor(Table, X);
        At++;
    }
    Table->OrderedPointer = X;
    Table->WhichOrderedElement = At;
    return RtlpAvlData(X);
}

ULONG NTAPI RtlNumberGenericTableElementsAvl(PRTL_AVL_TABLE Table)
{
    return Table->NumberGenericTableElements;
}

BOOLEAN NTAPI RtlIsGenericTableEmptyAvl(PRTL_AVL_TABLE Table)
{
    return Table->NumberGenericTableElements == 0;
}
