#!/usr/bin/env python3
"""bench/issue16.py - the figures issue 16 sets goals for, over several runs.

Runs `ntps_bench issue16` RUNS times (default 3) and prints, for each figure,
the median and the spread (min-max) of ntps's time, of the baseline's and of
the ratio, and how many runs met the goal printed under it. Each run's
figures are themselves the best of many short batches (see bench/README.md).

usage: bench/issue16.py [BUILD_DIR] [RUNS]      (default: build 3)
"""
import re
import statistics
import subprocess
import sys


FIGURE = re.compile(r"^(?P<name>.*?)\s+(?P<n>\d+\.\d+) (?P<unit>[nu]s/\S+)\s+(?P<base>.*?)\s+"
                    r"(?P<b>\d+\.\d+) [nu]s/\S+\s+(?P<r>\d+\.\d+)x$")
GOAL = re.compile(r"^\s+goal: (?P<goal>.*): (?P<verdict>met|NOT MET|must met, aim NOT MET)$")


def parse(text):
    """(key, ntps, baseline, ratio) for each figure, (key, goal, verdict) for each goal."""
    figures, goals, last_name, key = [], [], "", None
    for line in text.splitlines():
        m = FIGURE.match(line)
        if m:
            name = m["name"].strip() or last_name
            last_name = name
            key = f"{name} | vs {m['base'].strip()}"
            figures.append((key, float(m["n"]), float(m["b"]), float(m["r"])))
            continue
        m = GOAL.match(line)
        if m and key is not None:
            goals.append((key, m["goal"], m["verdict"]))
    return figures, goals


def spread(values):
    return f"{statistics.median(values):9.2f} [{min(values):.2f}-{max(values):.2f}]"


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    figures, goals, order = {}, {}, []
    for run in range(runs):
        out = subprocess.run([f"{build}/bench/ntps_bench", "issue16"], check=True, capture_output=True,
                             text=True).stdout
        sys.stderr.write(f"run {run + 1}/{runs} done\n")
        f, g = parse(out)
        for key, ntps, base, ratio in f:
            if key not in figures:
                order.append(key)
                figures[key] = ([], [], [])
            figures[key][0].append(ntps)
            figures[key][1].append(base)
            figures[key][2].append(ratio)
        for key, goal, verdict in g:
            goals.setdefault(key, []).append((goal, verdict))
    print(f"ntps_bench issue16, {runs} runs: median [min-max]; ratio = baseline/ntps (b/n)")
    for key in order:
        n, b, r = figures[key]
        print(f"{key}\n    ntps {spread(n)}   baseline {spread(b)}   ratio {spread(r)}x")
        if key in goals:
            goal = goals[key][0][0].split("[")[0].strip()
            measured = " ".join(g.split("[")[1].rstrip("]") for g, _ in goals[key] if "[" in g)
            verdicts = [v for _, v in goals[key]]
            met = sum(1 for v in verdicts if v == "met")
            print(f"    goal: {goal}: met in {met}/{len(verdicts)} runs"
                  + (f" (measured: {measured})" if measured else "") + f" [{'; '.join(verdicts)}]")

if __name__ == "__main__":
    main()
