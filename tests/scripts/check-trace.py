#!/usr/bin/env python3
"""Check a trace `ntps run --trace FILE` wrote (Chrome trace event format).

usage: check-trace.py FILE [--min-callbacks N] [--min-processes N]

Checks that the file parses as JSON with a traceEvents list, that every
event has the fields its phase needs, that B/E events (if any) balance per
track, and that the trace is consistent:
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
    events = trace.get("traceEvents")
    if not isinstance(events, list):
        fail("no traceEvents list")
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
