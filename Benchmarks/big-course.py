#!/usr/bin/env python3
"""One big course: peak memory and time of `passback run` on a single large gradebook (issue 12).

Usage (from the repository root, after `swift build -c release --product passback`):

    Benchmarks/big-course.py                         # a 40 MB gradebook (35,000 students a section)
    Benchmarks/big-course.py --students 35000 175000 # also a 200 MB one
    Benchmarks/big-course.py --scenarios bulk        # only the first, bulk run

For each size it makes a one-course inbox with ../shared/bench/gen_inbox.py --courses 1
--students N --assignments 100 (two sections of N students; cached under --data, never
committed) and a copy with 5% of the grade cells changed, then, in a workspace made by
`passback init`, runs the release binary as bench.py does: (a) bulk, (b) incremental with the
changed copy, (c) the changed copy again (unchanged). Each run is measured by wait4(2): wall
time, CPU time, peak RSS (ru_maxrss). It prints the gradebook's size, peak RSS over it, and
seconds per million grade cells next to a district's figure (`bench.py`), since a big course
must cost no more per grade cell than many small ones.

It is a command, not a test: nothing here runs in `swift test` or CI.
"""
import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
spec = importlib.util.spec_from_file_location("bench", os.path.join(HERE, "bench.py"))
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def generate(data, students, assignments, gen):
    """big-S-A (gen_inbox.py, one course) and big-S-A-changed (5% of cells changed); cached."""
    base = os.path.join(data, f"big-{students}-{assignments}")
    changed = base + "-changed"
    meta_path = base + ".meta.json"
    if os.path.exists(meta_path) and os.path.isdir(changed):
        with open(meta_path) as f:
            return base, changed, json.load(f)
    shutil.rmtree(base, ignore_errors=True)
    shutil.rmtree(changed, ignore_errors=True)
    out = subprocess.run([sys.executable, gen, base, "--courses", "1", "--students", str(students), "--assignments", str(assignments)],
                         check=True, capture_output=True, text=True)
    cells = int(out.stdout.strip().splitlines()[-1])
    changed_cells = bench.change_grades(base, changed, share=0.05, seed=students)
    gradebooks = [n for n in os.listdir(base) if n.endswith(".gradebook.csv")]
    meta = {"students": students, "assignments": assignments, "cells": cells, "changed_cells": changed_cells,
            "gradebook_bytes": max(os.path.getsize(os.path.join(base, n)) for n in gradebooks)}
    with open(meta_path, "w") as f:
        json.dump(meta, f)
    return base, changed, meta


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "passback"))
    ap.add_argument("--students", type=int, nargs="+", default=[35000], help="students per section (35000: a 40 MB gradebook)")
    ap.add_argument("--assignments", type=int, default=100)
    ap.add_argument("--scenarios", nargs="+", default=bench.SCENARIOS, choices=bench.SCENARIOS)
    ap.add_argument("--data", default="/work/bench-data", help="where generated inboxes are cached")
    ap.add_argument("--work", default="/tmp/passback-big-course", help="where workspaces are made")
    ap.add_argument("--gen", default=bench.GEN)
    ap.add_argument("--env", action="append", default=[], help="KEY=VALUE for the passback process")
    ap.add_argument("--json", help="also write every measurement to this file")
    ap.add_argument("--keep", action="store_true", help="keep the workspaces (default: removed at the end)")
    a = ap.parse_args()
    extra_env = dict(kv.split("=", 1) for kv in a.env)
    binary = os.path.abspath(a.binary)
    print(bench.platform_line())
    everything = []
    roots = []
    for students in a.students:
        base, changed, meta = generate(a.data, students, a.assignments, a.gen)
        mb = meta["gradebook_bytes"] / 1e6
        print(f"\none course, {students:,} students x 2 sections, {a.assignments} assignments: {meta['cells']:,} grade cells, "
              f"gradebook {mb:.1f} MB")
        root = os.path.join(a.work, f"big-{students}")
        roots.append(root)
        shutil.rmtree(root, ignore_errors=True)
        # `passback init` makes the workspace, not the folders above it.
        os.makedirs(a.work, exist_ok=True)
        subprocess.run([binary, "init", "--root", root], check=True, capture_output=True)
        with open(os.path.join(root, "passback.toml"), "w") as f:
            f.write("settle_seconds = 0\n")
        print(f"{'run':<12} {'wall s':>8} {'CPU s':>8} {'peak RSS MB':>12} {'RSS/gradebook':>14} {'s per M cells':>14} {'results':>11} {'XML MB':>9} {'load':>5}  stages (thread-s)")
        for number, scenario in enumerate(bench.SCENARIOS):
            if scenario not in a.scenarios:
                continue
            bench.drop(base if scenario == "bulk" else changed, root, bundles_only=scenario != "bulk")
            r = bench.measure_run(binary, root, bench.NOW[number], scenario == "bulk", extra_env)
            stages = " ".join(f"{k}={v:.1f}" for k, v in r["stages"].items() if k in bench.STAGES and v >= 0.05)
            print(f"{scenario:<12} {r['wall']:>8.2f} {r['cpu']:>8.2f} {r['rss_mb']:>12.1f} {r['rss_mb'] / mb:>14.2f} "
                  f"{r['wall'] / (meta['cells'] / 1e6):>14.2f} {r['results']:>11,} {r['xml_bytes'] / 1e6:>9.1f} {r['load']:>5.1f}  {stages}")
            everything.append({"students": students, "scenario": scenario, "meta": meta, **r})
    if a.json:
        with open(a.json, "w") as f:
            json.dump(everything, f, indent=1)
    if not a.keep:
        for root in roots:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
