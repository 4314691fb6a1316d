/*
 * rtl/gentable.c - RTL_GENERIC_TABLE: a splay tree ordered by the caller's
 * compare routine, plus a list in insertion order (RtlGetElementGenericTable
 * counts along it). Each element is one block from the caller's allocate
 * routine: RTL_SPLAY_LINKS, the LIST_ENTRY, then the caller's data (the
 * offset drivers rely on). Lookups and RtlEnumerateGenericTable splay (they
 * change the tree: callers serialize them as they do inserts);
 * RtlEnumerateGenericTableWithoutSplaying does not.
 *
 * The root's Parent is the root itself, as RtlIsRoot expects.
 */
#include "rtl/rtl.h"

typedef struct _RTLP_SPLAY_NODE {
    RTL_SPLAY_LINKS Links;
    LIST_ENTRY InsertOrder;
    LONGLONG UserData;          /* the caller's data starts here */
} RTLP_SPLAY_NODE;

#define RTLP_SPLAY_HEADER FIELD_OFFSET(RTLP_SPLAY_NODE, UserData)

static inline PVOID RtlpData(PRTL_SPLAY_LINKS Links)
{
    return (PCHAR)Links + RTLP_SPLAY_HEADER;
}

static inline BOOLEAN RtlpIsRoot(PRTL_SPLAY_LINKS Links)
{
    return Links->Parent == Links;
}

/* x moves above its parent. */
static VOID RtlpRotate(PRTL_SPLAY_LINKS X)
{
    PRTL_SPLAY_LINKS P = X->Parent, G = P->Parent;
    BOOLEAN ParentWasRoot = RtlpIsRoot(P);
    if (P->LeftChild == X) {
        P->LeftChild = X->RightChild;
        if (X->RightChild != NULL)
            X->RightChild->Parent = P;
        X->RightChild = P;
    } else {
        P->RightChild = X->LeftChild;
        if (X->LeftChild != NULL)
            X->LeftChild->Parent = P;
        X->LeftChild = P;
    }
    P->Parent = X;
    if (ParentWasRoot) {
        X->Parent = X;
    } else {
        if (G->LeftChild == P)
            G->LeftChild = X;
        else
            G->RightChild = X;
        X->Parent = G;
    }
}

/* X becomes the root of the tree it is in; returns it. */
static PRTL_SPLAY_LINKS RtlpSplay(PRTL_SPLAY_LINKS X)
{
    while (!RtlpIsRoot(X)) {
        PRTL_SPLAY_LINKS P = X->Parent;
        if (RtlpIsRoot(P)) {
            RtlpRotate(X);
        } else if ((P->LeftChild == X) == (P->Parent->LeftChild == P)) {
            RtlpRotate(P);      /* zig-zig */
            RtlpRotate(X);
        } else {
            RtlpRotate(X);      /* zig-zag */
            RtlpRotate(X);
        }
    }
    return X;
}

static PRTL_SPLAY_LINKS RtlpMin(PRTL_SPLAY_LINKS X)
{
    while (X->LeftChild != NULL)
        X = X->LeftChild;
    return X;
}

static PRTL_SPLAY_LINKS RtlpMax(PRTL_SPLAY_LINKS X)
{
    while (X->RightChild != NULL)
        X = X->RightChild;
    return X;
}

static PRTL_SPLAY_LINKS RtlpSuccessor(PRTL_SPLAY_LINKS X)
{
    if (X->RightChild != NULL)
        return RtlpMin(X->RightChild);
    while (!RtlpIsRoot(X) && X->Parent->RightChild == X)
        X = X->Parent;
    return RtlpIsRoot(X) ? NULL : X->Parent;
}

/* Where Buffer is or would go. */
static TABLE_SEARCH_RESULT RtlpFind(PRTL_GENERIC_TABLE Table, PVOID Buffer, PRTL_SPLAY_LINKS *NodeOrParent)
{
    PRTL_SPLAY_LINKS X = Table->TableRoot;
    *NodeOrParent = NULL;
    if (X == NULL)
        return TableEmptyTree;
    for (;;) {
        RTL_GENERIC_COMPARE_RESULTS R = Table->CompareRoutine(Table, Buffer, RtlpData(X));
        *NodeOrParent = X;
        if (R == GenericEqual)
            return TableFoundNode;
        PRTL_SPLAY_LINKS Next = R == GenericLessThan ? X->LeftChild : X->RightChild;
        if (Next == NULL)
            return R == GenericLessThan ? TableInsertAsLeft : TableInsertAsRight;
        X = Next;
    }
}

VOID NTAPI RtlInitializeGenericTable(PRTL_GENERIC_TABLE Table, PRTL_GENERIC_COMPARE_ROUTINE CompareRoutine,
                                     PRTL_GENERIC_ALLOCATE_ROUTINE AllocateRoutine,
                                     PRTL_GENERIC_FREE_ROUTINE FreeRoutine, PVOID TableContext)
{
    Table->TableRoot = NULL;
    InitializeListHead(&Table->InsertOrderList);
    Table->OrderedPointer = &Table->InsertOrderList;
    Table->WhichOrderedElement = 0;
    Table->NumberGenericTableElements = 0;
    Table->CompareRoutine = CompareRoutine;
    Table->AllocateRoutine = AllocateRoutine;
    Table->FreeRoutine = FreeRoutine;
    Table->TableContext = TableContext;
}

PVOID NTAPI RtlInsertElementGenericTableFull(PRTL_GENERIC_TABLE Table, PVOID Buffer, CLONG BufferSize,
                                             PBOOLEAN NewElement, PVOID NodeOrParent, TABLE_SEARCH_RESULT SearchResult)
{
    PRTL_SPLAY_LINKS Parent = NodeOrParent;
    if (SearchResult == TableFoundNode) {
        if (NewElement != NULL)
            *NewElement = FALSE;
        Table->TableRoot = RtlpSplay(Parent);
        return RtlpData(Parent);
    }
    RTLP_SPLAY_NODE *Node = Table->AllocateRoutine(Table, (CLONG)(RTLP_SPLAY_HEADER + BufferSize));
    if (Node == NULL) {
        if (NewElement != NULL)
            *NewElement = FALSE;
        return NULL;
    }
    Node->Links.LeftChild = Node->Links.RightChild = NULL;
    if (SearchResult == TableEmptyTree) {
        Node->Links.Parent = &Node->Links;
    } else {
        Node->Links.Parent = Parent;
        if (SearchResult == TableInsertAsLeft)
            Parent->LeftChild = &Node->Links;
        else
            Parent->RightChild = &Node->Links;
    }
    InsertTailList(&Table->InsertOrderList, &Node->InsertOrder);
    Table->NumberGenericTableElements++;
    RtlCopyMemory(RtlpData(&Node->Links), Buffer, BufferSize);
    Table->TableRoot = RtlpSplay(&Node->Links);
    if (NewElement != NULL)
        *NewElement = TRUE;
    return RtlpData(&Node->Links);
}

PVOID NTAPI RtlInsertElementGenericTable(PRTL_GENERIC_TABLE Table, PVOID Buffer, CLONG BufferSize,
                                         PBOOLEAN NewElement)
{
    PRTL_SPLAY_LINKS NodeOrParent;
    TABLE_SEARCH_RESULT Result = RtlpFind(Table, Buffer, &NodeOrParent);
    return RtlInsertElementGenericTableFull(Table, Buffer, BufferSize, NewElement, NodeOrParent, Result);
}

PVOID NTAPI RtlLookupElementGenericTableFull(PRTL_GENERIC_TABLE Table, PVOID Buffer, PVOID *NodeOrParent,
                                             TABLE_SEARCH_RESULT *SearchResult)
{
    PRTL_SPLAY_LINKS Links;
    *SearchResult = RtlpFind(Table, Buffer, &Links);
    *NodeOrParent = Links;
    if (*SearchResult != TableFoundNode)
        return NULL;
    Table->TableRoot = RtlpSplay(Links);
    return RtlpData(Links);
}

PVOID NTAPI RtlLookupElementGenericTable(PRTL_GENERIC_TABLE Table, PVOID Buffer)
{
    PVOID NodeOrParent;
    TABLE_SEARCH_RESULT Result;
    return RtlLookupElementGenericTableFull(Table, Buffer, &NodeOrParent, &Result);
}

BOOLEAN NTAPI RtlDeleteElementGenericTable(PRTL_GENERIC_TABLE Table, PVOID Buffer)
{
    PRTL_SPLAY_LINKS X;
    if (RtlpFind(Table, Buffer, &X) != TableFoundNode)
        return FALSE;
    RtlpSplay(X);
    PRTL_SPLAY_LINKS Left = X->LeftChild, Right = X->RightChild, Root;
    if (Left == NULL) {
        Root = Right;
        if (Root != NULL)
            Root->Parent = Root;
    } else {
        Left->Parent = Left;
        Root = RtlpSplay(RtlpMax(Left));    /* no right child now */
        Root->RightChild = Right;
        if (Right != NULL)
            Right->Parent = Root;
    }
    Table->TableRoot = Root;
    RTLP_SPLAY_NODE *Node = CONTAINING_RECORD(X, RTLP_SPLAY_NODE, Links);
    RemoveEntryList(&Node->InsertOrder);
    Table->NumberGenericTableElements--;
    Table->OrderedPointer = &Table->InsertOrderList;    /* the cached position may be gone */
    Table->WhichOrderedElement = 0;
    Table->FreeRoutine(Table, Node);
    return TRUE;
}

/* Each call returns the element after the root and splays it there, so the
 * root is where the enumeration stands. */
PVOID NTAPI RtlEnumerateGenericTable(PRTL_GENERIC_TABLE Table, BOOLEAN Restart)
{
    if (Table->TableRoot == NULL)
        return NULL;
    PRTL_SPLAY_LINKS Next = Restart ? RtlpMin(Table->TableRoot) : RtlpSuccessor(Table->TableRoot);
    if (Next == NULL)
        return NULL;
    Table->TableRoot = RtlpSplay(Next);
    return RtlpData(Next);
}

PVOID NTAPI RtlEnumerateGenericTableWithoutSplaying(PRTL_GENERIC_TABLE Table, PVOID *RestartKey)
{
    if (Table->TableRoot == NULL)
        return NULL;
    PRTL_SPLAY_LINKS Next = *RestartKey == NULL ? RtlpMin(Table->TableRoot) : RtlpSuccessor(*RestartKey);
    if (Next == NULL)
        return NULL;
    *RestartKey = Next;
    return RtlpData(Next);
}

/* The I-th element inserted (0-based) among those present; walks on from
 * the last position asked for when it can (a loop over I is linear). */
PVOID NTAPI RtlGetElementGenericTable(PRTL_GENERIC_TABLE Table, ULONG I)
{
    if (I >= Table->NumberGenericTableElements)
        return NULL;
    ULONG At = Table->WhichOrderedElement;     /* 1-based position of OrderedPointer, 0: the head */
    PLIST_ENTRY E = Table->OrderedPointer;
    ULONG Want = I + 1;
    if (At == 0 || Want < At / 2) {
        E = &Table->InsertOrderList;
        At = 0;
    }
    while (At < Want) {
        E = E->Flink;
        At++;
    }
    while (At > Want) {
        E = E->Blink;
        At--;
    }
    Table->OrderedPointer = E;
    Table->WhichOrderedElement = At;
    return RtlpData(&CONTAINING_RECORD(E, RTLP_SPLAY_NODE, InsertOrder)->Links);
}

ULONG NTAPI RtlNumberGenericTableElements(PRTL_GENERIC_TABLE Table)
{
    return Table->NumberGenericTableElements;
}

BOOLEAN NTAPI RtlIsGenericTableEmpty(PRTL_GENERIC_TABLE Table)
{
    return Table->TableRoot == NULL;
}
