#!/usr/bin/env python3
"""Check a trace `ntps run --trace FILE` wrote (Chrome trace event format).

usage: check-trace.py FILE [--min-callbacks N] [--min-processes N]

Checks that the file parses as JSON and follows the Trace Event Format's
documented rules, as Perfetto's UI and chrome://tracing read them:
  - the JSON object form: a traceEvents list; displayTimeUnit, if given, is
    "ms" or "ns"; otherData, if given, an object;
  - every event is an object with a known phase ("ph": B, E, X, i, I, M);
    pid and tid are integers; ts is a number of microseconds, not negative;
    an X event's dur a number, not negative; name and cat strings; args an
    object; an instant's scope "s" one of g, p, t;
  - metadata (M) events are process_name, process_labels,
    process_sort_index, thread_name or thread_sort_index, with their args
    (a name string, a sort_index integer); a pid has at most one
    process_name and a (pid, tid) at most one thread_name (a reused PID
    must not merge two processes into one track);
  - B/E events balance per track (pid, tid), each E closing the latest B
    and repeating its name and cat (Chromium's DevTools pairs them so, and
    refuses a trace where they differ);
    X events on a track nest (disjoint or one inside the other): overlapping
    spans on a track are not displayed correctly;
and that the trace is consistent:
  - a thread runs on one processor at a time: its "running" spans on its own
    track, and its spans on the processor tracks, never overlap;
  - a processor runs one thread at a time;
  - every callback span lies inside a "running" span of its thread, and
    callback spans on a thread nest (disjoint or one inside the other);
  - every process lifetime span has a name.
Prints a one-line summary; exit status 0 when consistent, 1 otherwise.
"""
import json
import sys
from collections import defaultdict

CPU_PID = 0x7FFFFFF0
EPS = 1e-6


def fail(message):
    print("check-trace: " + message)
    sys.exit(1)


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


METADATA = {"process_name": "name", "process_labels": "labels", "process_sort_index": "sort_index",
            "thread_name": "name", "thread_sort_index": "sort_index"}


def check_format(events):
    """The per-event rules of the Trace Event Format, and names unique per track."""
    process_names = {}
    thread_names = {}
    xs = defaultdict(list)
    for e in events:
        if not isinstance(e, dict):
            fail("an event that is not an object: %r" % (e,))
        ph = e.get("ph")
        if not isinstance(ph, str) or ph not in ("X", "B", "E", "M", "i", "I"):
            fail("unknown phase %r in %r" % (ph, e))
        if not is_int(e.get("pid")):
            fail("pid is not an integer: %r" % (e,))
        if "tid" in e and not is_int(e["tid"]):
            fail("tid is not an integer: %r" % (e,))
        for key in ("name", "cat"):
            if key in e and not isinstance(e[key], str):
                fail("%s is not a string: %r" % (key, e))
        if "args" in e and not isinstance(e["args"], dict):
            fail("args is not an object: %r" % (e,))
        if ph == "M":
            what = e.get("name")
            if what not in METADATA:
                fail("unknown metadata event %r" % (what,))
            value = e.get("args", {}).get(METADATA[what])
            if METADATA[what] == "sort_index" and not is_int(value):
                fail("%s without an integer sort_index: %r" % (what, e))
            if METADATA[what] == "name" and not isinstance(value, str):
                fail("%s without a name: %r" % (what, e))
            if what == "process_name":
                if process_names.setdefault(e["pid"], value) != value:
                    fail("pid %d named twice: %r and %r (a reused PID merges two processes)"
                         % (e["pid"], process_names[e["pid"]], value))
            if what == "thread_name":
                if "tid" not in e:
                    fail("thread_name without tid: %r" % (e,))
                if thread_names.setdefault((e["pid"], e["tid"]), value) != value:
                    fail("thread %r named twice: %r and %r" % ((e["pid"], e["tid"]), thread_names[(e["pid"], e["tid"])], value))
            continue
        if not is_number(e.get("ts")) or e["ts"] < 0:
            fail("ts is not a number of microseconds: %r" % (e,))
        if ph in ("i", "I") and e.get("s", "t") not in ("g", "p", "t"):
            fail("an instant event's scope is %r: g, p or t" % (e.get("s"),))
        if ph == "X":
            if not is_number(e.get("dur")) or e["dur"] < 0:
                fail("an X event without a duration: %r" % (e,))
            xs[(e["pid"], e.get("tid"))].append((float(e["ts"]), float(e["ts"]) + float(e["dur"]), e.get("name")))
    for track, spans in xs.items():
        spans.sort(key=lambda x: (x[0], -x[1]))
        stack = []
        for s, t, name in spans:
            while stack and stack[-1][1] <= s + EPS:
                stack.pop()
            if stack and t > stack[-1][1] + EPS:
                fail("X events %s and %s on track %r overlap without nesting" % (stack[-1][2], name, track))
            stack.append((s, t, name))


def main():
    args = sys.argv[1:]
    if not args:
        fail("usage: check-trace.py FILE [--min-callbacks N] [--min-processes N]")
    path = args[0]
    minimum = {"--min-callbacks": 0, "--min-processes": 0}
    for i in range(1, len(args), 2):
        minimum[args[i]] = int(args[i + 1])
    with open(path) as f:
        trace = json.load(f)
    if not isinstance(trace, dict):
        fail("not the JSON object form ({\"traceEvents\": [...]})")
    events = trace.get("traceEvents")
    if not isinstance(events, list):
        fail("no traceEvents list")
    if "displayTimeUnit" in trace and trace["displayTimeUnit"] not in ("ms", "ns"):
        fail("displayTimeUnit is %r: the format allows \"ms\" or \"ns\"" % (trace["displayTimeUnit"],))
    if "otherData" in trace and not isinstance(trace["otherData"], dict):
        fail("otherData is not an object")
    check_format(events)
    running = defaultdict(list)       # (pid, tid) -> [(start, end, cpu)]
    on_cpu = defaultdict(list)        # cpu -> [(start, end, tid)]
    by_thread_cpu = defaultdict(list)  # tid -> [(start, end, cpu)]
    callbacks = defaultdict(list)     # (pid, tid) -> [(start, end, name)]
    processes = 0
    stacks = defaultdict(list)        # (pid, tid) -> open B events
    for e in events:
        ph = e.get("ph")
        if ph not in ("X", "B", "E", "M", "i", "I"):
            fail("unknown phase %r" % (ph,))
        if ph == "M":
            continue
        for key in ("pid", "tid", "ts", "name") if ph != "E" else ("pid", "tid", "ts"):
            if key not in e:
                fail("a %s event without %s: %r" % (ph, key, e))
        track = (e["pid"], e["tid"])
        if ph == "B":
            cat = e.get("cat")
            stack = stacks[track]
            if cat == "thread" and stack:
                fail("thread %r begins running inside %r" % (track, stack[-1]["name"]))
            if cat == "callback" and not any(b.get("cat") == "thread" for b in stack):
                fail("callback %s on %r begins outside a running span of its thread" % (e["name"], track))
            stack.append(e)
            continue
        if ph == "E":
            if not stacks[track]:
                fail("an E event without its B on track %r (ts %s)" % (track, e["ts"]))
            b = stacks[track].pop()
            if e.get("name") != b.get("name") or e.get("cat") != b.get("cat"):
                fail("an E event (ts %s, %r/%r) on track %r does not repeat its B's name and cat (%r/%r)"
                     % (e["ts"], e.get("cat"), e.get("name"), track, b.get("cat"), b.get("name")))
            if float(e["ts"]) < float(b["ts"]) - EPS:
                fail("span %s on %r ends before it begins" % (b["name"], track))
            span = dict(b, ph="X", dur=float(e["ts"]) - float(b["ts"]))
        elif ph == "X":
            span = e
        else:
            continue
        if "dur" not in span or span["dur"] < 0:
            fail("an X event without a duration: %r" % (span,))
        start, end = float(span["ts"]), float(span["ts"]) + float(span["dur"])
        cat = span.get("cat")
        if cat == "cpu":
            if span["pid"] != CPU_PID:
                fail("a processor span outside the processors' track group")
            on_cpu[span["tid"]].append((start, end, span["args"]["tid"]))
            by_thread_cpu[span["args"]["tid"]].append((start, end, span["tid"]))
        elif cat == "thread":
            running[track].append((start, end, span["args"]["cpu"]))
        elif cat == "callback":
            callbacks[track].append((start, end, span["name"]))
        elif cat == "process":
            if not span["name"]:
                fail("a process lifetime without a name")
            processes += 1
    for track, stack in stacks.items():
        if stack:
            fail("%d B event(s) without E on track %r" % (len(stack), track))

    def no_overlap(spans, what):
        spans.sort()
        for a, b in zip(spans, spans[1:]):
            if b[0] < a[1] - EPS:
                fail("%s: spans overlap: %r and %r" % (what, a, b))

    for track, spans in running.items():
        no_overlap(spans, "thread %r runs twice at once" % (track,))
    for tid, spans in by_thread_cpu.items():
        no_overlap(spans, "thread %r on two processors at once" % (tid,))
    for cpu, spans in on_cpu.items():
        no_overlap(spans, "processor %r runs two threads at once" % (cpu,))
    count = 0
    for track, spans in callbacks.items():
        runs = sorted(running.get(track, []))
        for s, e, name in spans:
            count += 1
            if not any(r[0] - EPS <= s and e <= r[1] + EPS for r in runs):
                fail("callback %s [%s, %s] on %r is not inside a running span of its thread" % (name, s, e, track))
        spans.sort(key=lambda x: (x[0], -x[1]))
        stack = []
        for s, e, name in spans:
            while stack and stack[-1][1] <= s + EPS:
                stack.pop()
            if stack and e > stack[-1][1] + EPS:
                fail("callbacks %s and %s on %r overlap without nesting" % (stack[-1][2], name, track))
            stack.append((s, e, name))
    if count < minimum["--min-callbacks"]:
        fail("%d callback spans, expected at least %d" % (count, minimum["--min-callbacks"]))
    if processes < minimum["--min-processes"]:
        fail("%d process lifetimes, expected at least %d" % (processes, minimum["--min-processes"]))
    print("check-trace: ok: %d events, %d processors, %d threads, %d callback spans, %d processes"
          % (len(events), len(on_cpu), len(running), count, processes))


if __name__ == "__main__":
    main()
