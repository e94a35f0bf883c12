#!/usr/bin/env python3
"""District-scale benchmark of the `passback` binary (issue 6).

Usage (from the repository root, after `swift build -c release --product passback`):

    Benchmarks/bench.py                      # 200, 1000 and 2000 courses, 3 rounds each
    Benchmarks/bench.py --sizes 200 --rounds 1
    Benchmarks/bench.py --json /tmp/bench.json

For each size it makes a district inbox with ../shared/bench/gen_inbox.py (cached under --data),
and a copy in which 5% of the grade cells have another value, then in a fresh workspace:

  (a) bulk        `passback run --bulk` on the inbox: every grade goes out, every file validated;
  (b) incremental the bundles dropped again with 5% of the cells changed, `passback run`;
  (c) unchanged   the same changed bundles dropped once more, `passback run` (nothing changed).

Each run is a child process measured by wait4(2): wall time, CPU time (user + system), peak RSS
(ru_maxrss), plus the bytes of XML it published and, from its `--timings` line, the seconds per
pipeline stage (summed over threads). Several rounds: the median round by wall time is shown.
It is a command, not a test: nothing here runs in `swift test` or CI.
"""
import argparse
import csv
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GEN = os.path.normpath(os.path.join(ROOT, "..", "shared", "bench", "gen_inbox.py"))
NOW = ["2026-11-27T09:00:00Z", "2026-11-28T09:00:00Z", "2026-11-29T09:00:00Z"]
SCENARIOS = ["bulk", "incremental", "unchanged"]
STAGES = ["intake", "plan", "read", "rules", "diff", "write_xml", "validate", "publish", "report", "ledger", "archive"]


def generate(data, courses, gen):
    """inbox-N (gen_inbox.py) and inbox-N-changed (5% of grade cells changed); cached."""
    base = os.path.join(data, f"inbox-{courses}")
    changed = base + "-changed"
    meta_path = base + ".meta.json"
    if os.path.exists(meta_path) and os.path.isdir(changed):
        with open(meta_path) as f:
            return base, changed, json.load(f)
    shutil.rmtree(base, ignore_errors=True)
    shutil.rmtree(changed, ignore_errors=True)
    out = subprocess.run([sys.executable, gen, base, "--courses", str(courses)], check=True, capture_output=True, text=True)
    cells = int(out.stdout.strip().splitlines()[-1])
    changed_cells = change_grades(base, changed, share=0.05, seed=courses)
    meta = {"courses": courses, "cells": cells, "changed_cells": changed_cells,
            "csv_bytes": sum(os.path.getsize(os.path.join(base, n)) for n in os.listdir(base) if n.endswith(".csv")),
            "json_bytes": sum(os.path.getsize(os.path.join(base, n)) for n in os.listdir(base) if n.endswith(".json"))}
    with open(meta_path, "w") as f:
        json.dump(meta, f)
    return base, changed, meta


ASSIGNMENT = re.compile(r".* \((\d+)\)$")


def change_grades(source, target, share, seed):
    """Copies the bundles of `source` to `target` with `share` of the student grade cells given
    another score (the JSON files unchanged); returns how many cells changed."""
    rnd = random.Random(seed)
    os.makedirs(target)
    changed = 0
    for name in sorted(os.listdir(source)):
        path = os.path.join(source, name)
        if name.endswith(".canvas.json"):
            shutil.copyfile(path, os.path.join(target, name))
            continue
        if not name.endswith(".gradebook.csv"):
            continue
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        header, points = rows[0], rows[1]
        columns = [i for i, title in enumerate(header) if ASSIGNMENT.match(title) and re.match(r"^\d", points[i])]
        for row in rows[2:]:
            if not row[2]:  # the Test Student
                continue
            for i in columns:
                if rnd.random() >= share:
                    continue
                possible = float(points[i])
                old = row[i]
                new = old
                while new == old:
                    new = f"{rnd.uniform(0, possible):.2f}"
                row[i] = new
                changed += 1
        with open(os.path.join(target, name), "w", encoding="utf-8", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(rows)
    return changed


def drop(source, root, bundles_only):
    """Copies the files into root/inbox (copies, not links: passback refuses hard links)."""
    inbox = os.path.join(root, "inbox")
    os.makedirs(inbox, exist_ok=True)
    for name in os.listdir(source):
        if bundles_only and name.endswith(".categories.csv"):
            continue
        shutil.copyfile(os.path.join(source, name), os.path.join(inbox, name))


def outbox_bytes(root):
    outbox = os.path.join(root, "outbox")
    if not os.path.isdir(outbox):
        return {}
    return {n: os.path.getsize(os.path.join(outbox, n)) for n in os.listdir(outbox)}


def run_child(args, env):
    """Runs a child and returns (exit status, stdout, stderr, rusage) via wait4(2)."""
    child = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    # communicate() without reaping: read the pipes, then wait4 for the rusage.
    out = child.stdout.read()
    err = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return child.returncode, out.decode(), err.decode(), usage


def measure_run(binary, root, now, bulk, extra_env):
    # Dropped files settle for a minute before passback claims them, and runs are a night apart:
    # flush what the drop and the previous run wrote, so that their writeback does not land in
    # this run's fsyncs (it made runs up to twice as slow). Not timed.
    os.sync()
    time.sleep(1)
    before = outbox_bytes(root)
    args = [binary, "run", "--root", root, "--now", now, "--timings", "--log-level", "warning"] + (["--bulk"] if bulk else [])
    load = os.getloadavg()[0]
    start = time.monotonic()
    code, out, err, usage = run_child(args, dict(os.environ, **extra_env))
    wall = time.monotonic() - start
    if code not in (0, 1):
        raise RuntimeError(f"passback exited {code}: {err.strip()[-2000:]}")
    after = outbox_bytes(root)
    stages = {}
    marks = {}
    match = re.search(r"passback timings: (.*)", err)
    if match:
        for key, value in re.findall(r"(\w+)=([0-9.]+)", match.group(1)):
            stages[key] = float(value)
        for key, value in re.findall(r"(\w+)@([0-9.]+)", match.group(1)):
            marks[key] = float(value)
    sent = re.search(r"(\d+) result\(s\) in (\d+) XML file", out)
    # The staff page (reports/<run>.html): its bytes, and its seconds from the CSV written to it.
    run = re.search(r"^run (\S+):", out, re.M)
    page = os.path.join(root, "reports", run.group(1) + ".html") if run else ""
    page_bytes = os.path.getsize(page) if page and os.path.exists(page) else 0
    page_seconds = marks["paged"] - marks["reported"] if "paged" in marks and "reported" in marks else 0
    return {"page_bytes": page_bytes, "page_seconds": page_seconds, "marks": marks, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "user": usage.ru_utime, "sys": usage.ru_stime,
            "rss_mb": usage.ru_maxrss / 1024, "xml_bytes": sum(s for n, s in after.items() if n not in before),
            "xml_files": len(after) - len(before), "results": int(sent.group(1)) if sent else 0, "exit": code,
            "load": load, "stages": stages, "summary": out.strip().splitlines()[-1] if out.strip() else ""}


def one_round(binary, work, courses, base, changed, extra_env, number):
    # Workspaces are removed only at the end: on ext4 without a journal (as here), creating a
    # file right after thousands were deleted makes the allocator step over each recently
    # deleted inode (fs/ext4/ialloc.c, recently_deleted), which made XML writing 10x slower in
    # the round after a deletion.
    root = os.path.join(work, f"district-{courses}-round-{number}")
    shutil.rmtree(root, ignore_errors=True)
    # Workspaces are made by `passback init` (spec v2); not timed.
    subprocess.run([binary, "init", "--root", root], check=True, capture_output=True)
    with open(os.path.join(root, "passback.toml"), "w") as f:
        f.write("settle_seconds = 0\n")
    results = {}
    drop(base, root, bundles_only=False)
    results["bulk"] = measure_run(binary, root, NOW[0], True, extra_env)
    drop(changed, root, bundles_only=True)
    results["incremental"] = measure_run(binary, root, NOW[1], False, extra_env)
    drop(changed, root, bundles_only=True)
    results["unchanged"] = measure_run(binary, root, NOW[2], False, extra_env)
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "passback"))
    ap.add_argument("--sizes", default="200,1000,2000", help="courses per district, comma-separated")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--data", default="/work/bench-data", help="where generated inboxes are cached")
    ap.add_argument("--work", default="/tmp/passback-bench", help="where workspaces are made (same filesystem is fine)")
    ap.add_argument("--gen", default=GEN)
    ap.add_argument("--json", help="also write every measurement to this file")
    ap.add_argument("--env", action="append", default=[], help="KEY=VALUE for the passback process")
    ap.add_argument("--keep", action="store_true", help="keep the workspaces (default: removed at the end)")
    a = ap.parse_args()
    extra_env = dict(kv.split("=", 1) for kv in a.env)
    if not os.access(a.binary, os.X_OK):
        sys.exit(f"no binary at {a.binary}: swift build -c release --product passback")
    os.makedirs(a.data, exist_ok=True)
    os.makedirs(a.work, exist_ok=True)
    everything = {}
    print(f"machine: {os.cpu_count()} cores, {platform_line()}")
    print(f"binary: {a.binary}")
    for courses in [int(x) for x in a.sizes.split(",")]:
        base, changed, meta = generate(a.data, courses, a.gen)
        rounds = [one_round(a.binary, a.work, courses, base, changed, extra_env, n) for n in range(a.rounds)]
        everything[courses] = {"meta": meta, "rounds": rounds}
        print(f"\n## {courses} courses: {meta['cells']:,} grade cells, {meta['csv_bytes'] / 1e6:.1f} MB CSV + "
              f"{meta['json_bytes'] / 1e6:.1f} MB JSON; {meta['changed_cells']:,} cells changed for (b)")
        print(f"{'scenario':<12} {'wall s':>7} {'cpu s':>7} {'cells/s':>11} {'peak RSS':>9} {'XML MB':>8} {'files':>6} {'results':>9} {'load':>5}   (median of {a.rounds} by wall; min..max wall)")
        for scenario in SCENARIOS:
            runs = sorted((r[scenario] for r in rounds), key=lambda r: r["wall"])
            m = runs[len(runs) // 2]
            walls = [r["wall"] for r in runs]
            print(f"{scenario:<12} {m['wall']:7.2f} {m['cpu']:7.2f} {meta['cells'] / m['wall']:11,.0f} {max(r['rss_mb'] for r in runs):7.1f}MB "
                  f"{m['xml_bytes'] / 1e6:8.1f} {m['xml_files']:6d} {m['results']:9,d} {m['load']:5.2f}   {min(walls):.2f}..{max(walls):.2f}")
        print("stage seconds (summed over threads) of the median run:")
        print(f"{'scenario':<12} " + " ".join(f"{s:>9}" for s in ["wall"] + STAGES))
        for scenario in SCENARIOS:
            runs = sorted((r[scenario] for r in rounds), key=lambda r: r["wall"])
            st = runs[len(runs) // 2]["stages"]
            print(f"{scenario:<12} " + " ".join(f"{st.get(s, 0):9.3f}" for s in ["wall"] + STAGES))
        print("staff page of the median run (reports/<run>.html: seconds from the CSV written to the page written, bytes):")
        for scenario in SCENARIOS:
            runs = sorted((r[scenario] for r in rounds), key=lambda r: r["wall"])
            m = runs[len(runs) // 2]
            print(f"{scenario:<12} {m['page_seconds']:7.3f} s {m['page_bytes']:>11,d} bytes")
        print("timeline of the median run (seconds from start when each phase ended):")
        for scenario in SCENARIOS:
            runs = sorted((r[scenario] for r in rounds), key=lambda r: r["wall"])
            marks = runs[len(runs) // 2]["marks"]
            print(f"{scenario:<12} " + "  ".join(f"{k} {v:.2f}" for k, v in marks.items()))
        sys.stdout.flush()
    if a.json:
        with open(a.json, "w") as f:
            json.dump(everything, f, indent=1)
    if not a.keep:
        for courses in everything:
            for n in range(a.rounds):
                shutil.rmtree(os.path.join(a.work, f"district-{courses}-round-{n}"), ignore_errors=True)


def platform_line():
    try:
        with open("/proc/cpuinfo") as f:
            model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "?")
        with open("/proc/meminfo") as f:
            mem = int(next(l.split()[1] for l in f if l.startswith("MemTotal"))) // 1024
        return f"{model}, {mem} MB RAM, {os.uname().release}"
    except OSError:
        return os.uname().release


if __name__ == "__main__":
    main()
