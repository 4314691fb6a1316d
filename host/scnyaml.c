/*
 * host/scnyaml.c - a scenario file's text into a tree of nodes with their
 * positions, through libyaml's event parser.
 *
 * The tree is built here rather than with libyaml's document loader so
 * that anchors and aliases can be refused where they are written: a
 * scenario has no use for them, and an alias can make a tree that is
 * exponentially large to walk (or, in libyaml, refer to itself).
 */
#include "host/scnp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define SCN_MAX_DEPTH 64
#define SCN_MAX_NODES 1000000

typedef struct {
    const char *File;
    char *Error;
    size_t ErrorSize;
    size_t Nodes;
} SCN_YAML;

static void ScnYamlError(SCN_YAML *Y, unsigned Line, unsigned Column, const char *Format, ...)
{
    int n = snprintf(Y->Error, Y->ErrorSize, "%s:%u:%u: ", Y->File, Line, Column);
    if (n < 0 || (size_t)n >= Y->ErrorSize)
        return;
    va_list Args;
    va_start(Args, Format);
    vsnprintf(Y->Error + n, Y->ErrorSize - (size_t)n, Format, Args);
    va_end(Args);
}

void ScnFreeNode(SCN_NODE *Node)
{
    if (Node == NULL)
        return;
    size_t Items = Node->Kind == ScnMapping ? Node->Count * 2 : Node->Count;
    for (size_t i = 0; i < Items; i++)
        ScnFreeNode(Node->Items[i]);
    free(Node->Items);
    free(Node->Value);
    free(Node);
}

static SCN_NODE *ScnNewNode(SCN_YAML *Y, SCN_NODE_KIND Kind, const yaml_mark_t *Mark)
{
    if (++Y->Nodes > SCN_MAX_NODES) {
        ScnYamlError(Y, (unsigned)Mark->line + 1, (unsigned)Mark->column + 1,
                     "the file has more than %d nodes", SCN_MAX_NODES);
        return NULL;
    }
    SCN_NODE *Node = calloc(1, sizeof(*Node));
    if (Node == NULL) {
        ScnYamlError(Y, (unsigned)Mark->line + 1, (unsigned)Mark->column + 1, "out of memory");
        return NULL;
    }
    Node->Kind = Kind;
    Node->Line = (unsigned)Mark->line + 1;
    Node->Column = (unsigned)Mark->column + 1;
    return Node;
}

typedef struct {
    SCN_NODE *Node;
    size_t Items;       /* items stored (mapping: keys and values) */
    size_t Capacity;
} SCN_OPEN;

static bool ScnAdd(SCN_YAML *Y, SCN_OPEN *Open, SCN_NODE *Child)
{
    if (Open->Items == Open->Capacity) {
        size_t Capacity = Open->Capacity ? Open->Capacity * 2 : 8;
        SCN_NODE **Items = realloc(Open->Node->Items, Capacity * sizeof(*Items));
        if (Items == NULL) {
            ScnYamlError(Y, Child->Line, Child->Column, "out of memory");
            return false;
        }
        memset(Items + Open->Capacity, 0, (Capacity - Open->Capacity) * sizeof(*Items));
        Open->Node->Items = Items;
        Open->Capacity = Capacity;
    }
    Open->Node->Items[Open->Items++] = Child;
    /* A mapping's key without its value yet (only in a tree left by an
     * error) counts as a pair, so that ScnFreeNode frees it; the value's
     * slot is NULL. */
    Open->Node->Count = Open->Node->Kind == ScnMapping ? (Open->Items + 1) / 2 : Open->Items;
    return true;
}

static SCN_NODE *ScnScalarNode(SCN_YAML *Y, const yaml_event_t *Event)
{
    if (memchr(Event->data.scalar.value, 0, Event->data.scalar.length) != NULL) {
        ScnYamlError(Y, (unsigned)Event->start_mark.line + 1, (unsigned)Event->start_mark.column + 1,
                     "a NUL character in a string");
        return NULL;
    }
    SCN_NODE *Node = ScnNewNode(Y, ScnScalar, &Event->start_mark);
    if (Node == NULL)
        return NULL;
    Node->Value = malloc(Event->data.scalar.length + 1);
    if (Node->Value == NULL) {
        free(Node);
        ScnYamlError(Y, (unsigned)Event->start_mark.line + 1, (unsigned)Event->start_mark.column + 1, "out of memory");
        return NULL;
    }
    memcpy(Node->Value, Event->data.scalar.value, Event->data.scalar.length);
    Node->Value[Event->data.scalar.length] = 0;
    Node->Quoted = Event->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                   Event->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE ||
                   Event->data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
                   Event->data.scalar.style == YAML_FOLDED_SCALAR_STYLE;
    return Node;
}

static bool ScnRefuseAnchor(SCN_YAML *Y, const yaml_event_t *Event, const yaml_char_t *Anchor)
{
    if (Anchor == NULL)
        return false;
    ScnYamlError(Y, (unsigned)Event->start_mark.line + 1, (unsigned)Event->start_mark.column + 1,
                 "anchors (&%s) and aliases are not supported in scenarios: write the value out", Anchor);
    return true;
}

SCN_NODE *ScnParseYaml(const char *File, const char *Text, size_t Length, char *Error, size_t ErrorSize)
{
    SCN_YAML Y = { File, Error, ErrorSize, 0 };
    yaml_parser_t Parser;
    if (!yaml_parser_initialize(&Parser)) {
        snprintf(Error, ErrorSize, "%s: cannot initialize the YAML parser", File);
        return NULL;
    }
    yaml_parser_set_input_string(&Parser, (const unsigned char *)Text, Length);
    SCN_OPEN Stack[SCN_MAX_DEPTH];
    int Depth = 0;
    SCN_NODE *Root = NULL;
    bool Failed = false, Done = false;
    int Documents = 0;
    while (!Done && !Failed) {
        yaml_event_t Event;
        if (!yaml_parser_parse(&Parser, &Event)) {
            const yaml_mark_t *Mark = &Parser.problem_mark;
            ScnYamlError(&Y, (unsigned)Mark->line + 1, (unsigned)Mark->column + 1, "YAML syntax: %s%s%s",
                         Parser.problem ? Parser.problem : "error", Parser.context ? " " : "",
                         Parser.context ? Parser.context : "");
            Failed = true;
            break;
        }
        SCN_NODE *Node = NULL;
        switch (Event.type) {
        case YAML_STREAM_END_EVENT:
            Done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++Documents > 1) {
                ScnYamlError(&Y, (unsigned)Event.start_mark.line + 1, (unsigned)Event.start_mark.column + 1,
                             "a second YAML document: a scenario file holds one");
                Failed = true;
            }
            break;
        case YAML_ALIAS_EVENT:
            ScnYamlError(&Y, (unsigned)Event.start_mark.line + 1, (unsigned)Event.start_mark.column + 1,
                         "aliases (*%s) are not supported in scenarios: write the value out",
                         Event.data.alias.anchor);
            Failed = true;
            break;
        case YAML_SCALAR_EVENT:
            if (ScnRefuseAnchor(&Y, &Event, Event.data.scalar.anchor) || (Node = ScnScalarNode(&Y, &Event)) == NULL)
                Failed = true;
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            const yaml_char_t *Anchor = Event.type == YAML_SEQUENCE_START_EVENT ? Event.data.sequence_start.anchor
                                                                                : Event.data.mapping_start.anchor;
            if (ScnRefuseAnchor(&Y, &Event, Anchor)) {
                Failed = true;
                break;
            }
            if (Depth == SCN_MAX_DEPTH) {
                ScnYamlError(&Y, (unsigned)Event.start_mark.line + 1, (unsigned)Event.start_mark.column + 1,
                             "nested more than %d levels deep", SCN_MAX_DEPTH);
                Failed = true;
                break;
            }
            SCN_NODE *Open = ScnNewNode(&Y, Event.type == YAML_SEQUENCE_START_EVENT ? ScnSequence : ScnMapping,
                                        &Event.start_mark);
            if (Open == NULL) {
                Failed = true;
                break;
            }
            Stack[Depth++] = (SCN_OPEN){ Open, 0, 0 };
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            Node = Stack[--Depth].Node;     /* the parser balances them */
            break;
        default:
            break;
        }
        if (Node != NULL) {
            if (Depth == 0) {
                Root = Node;
            } else if (!ScnAdd(&Y, &Stack[Depth - 1], Node)) {
                ScnFreeNode(Node);
                Failed = true;
            }
        }
        yaml_event_delete(&Event);
    }
    yaml_parser_delete(&Parser);
    while (Depth > 0)
        ScnFreeNode(Stack[--Depth].Node);
    if (Failed) {
        ScnFreeNode(Root);
        return NULL;
    }
    if (Root == NULL)
        snprintf(Error, ErrorSize, "%s:1:1: the file is empty: a scenario is a mapping with `processes:`", File);
    return Root;
}
