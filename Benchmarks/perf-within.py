#!/usr/bin/env python3
"""Where the samples of one part of a run go: `perf script` in, a self-symbol histogram out.

Usage (after `perf record -g -o DATA .build/release/passback run ...`):

    perf script -i DATA | Benchmarks/perf-within.py 'CourseCheckerV5check6bundle'      # the rules stage
    perf script -i DATA | Benchmarks/perf-within.py 'ResultSelectorV6select' 40         # the diff, 40 rows

PATTERN is a regular expression matched against every frame of a sample's call chain (Swift
symbols are mangled: `CourseCheckerV5check6bundle` is `CourseChecker.check(bundle:...)`). The
first line says how many samples have a matching frame; then, for those samples, the share of
each innermost function. `perf report --children` gives inclusive figures per function; this
answers "inside this stage, what is the time spent on".
"""
import collections
import re
import sys


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    pattern = re.compile(sys.argv[1])
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    total = within = 0
    histogram = collections.Counter()
    stack = []

    def flush():
        nonlocal total, within
        if not stack:
            return
        total += 1
        if any(pattern.search(frame) for frame in stack):
            within += 1
            histogram[stack[0]] += 1

    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line.strip() or line[0] not in " \t":
            flush()
            stack = []
            continue
        parts = line.strip().split(None, 1)
        if len(parts) == 2:
            stack.append(re.sub(r"\+0x[0-9a-f]+$", "", parts[1].rsplit(" (", 1)[0]))
    flush()
    print(f"{within} of {total} samples ({100 * within / max(total, 1):.1f}%) have a frame matching {sys.argv[1]!r}")
    for symbol, count in histogram.most_common(rows):
        print(f"{100 * count / max(within, 1):6.1f}%  {symbol[:150]}")


if __name__ == "__main__":
    main()
