#!/usr/bin/env python3
"""`passback fetch` of a whole term from the fake Canvas, on loopback (issue 14).

Usage (from the repository root, after
`swift build -c release --product passback; swift build -c release --product PassbackFakeCanvas`):

    Benchmarks/fetch-bench.py                   # 200 and 2000 courses, 1 round each
    Benchmarks/fetch-bench.py --sizes 2000 --rounds 3

For each size it starts `PassbackFakeCanvas --courses N` (generated courses of 30 students and
40 assignments: 16 requests a course at per_page=100, 1,200 submissions a course), then runs
`passback fetch --account 1 --term 2026-S1` into a fresh workspace as a child process measured by
wait4(2): wall time, CPU time (user + system), peak RSS (ru_maxrss). The fake server counts the
requests it answered (its `--requests-to` file). The server runs on the same 2 cores, so the
figures are a floor for the client's cost, not Canvas's speed. A command, not a test.
"""
import argparse
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def bin_path():
    out = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True, capture_output=True, text=True)
    return out.stdout.strip()


def one_round(binaries, courses, scratch):
    token_file = os.path.join(scratch, "canvas.token")
    with open(token_file, "w") as f:
        f.write("bench-token\n")
    os.chmod(token_file, 0o600)
    requests_file = os.path.join(scratch, "requests.txt")
    server = subprocess.Popen([os.path.join(binaries, "PassbackFakeCanvas"), "--courses", str(courses), "--token-file", token_file,
                               "--requests-to", requests_file], stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().strip()
        workspace = os.path.join(scratch, "workspace")
        shutil.rmtree(workspace, ignore_errors=True)
        start = time.monotonic()
        child = subprocess.Popen([os.path.join(binaries, "passback"), "fetch", "--root", workspace, "--canvas-url", url,
                                  "--account", "1", "--term", "2026-S1", "--token-file", token_file],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.monotonic() - start
        summary = child.stdout.read().strip().splitlines()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    with open(requests_file) as f:
        lines = [line.split() for line in f if line.strip()]
    inflight = max((int(parts[0]) for parts in lines), default=0)
    inbox = os.path.join(workspace, "inbox")
    files = os.listdir(inbox)
    size = sum(os.path.getsize(os.path.join(inbox, n)) for n in files)
    return {
        "exit": os.waitstatus_to_exitcode(status), "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024, "requests": len(lines), "rps": len(lines) / wall, "max_in_flight": inflight,
        "files": len(files), "mb_written": size / 1e6, "summary": summary[0] if summary else "",
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[200, 2000])
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--bin", help="the folder of the passback and PassbackFakeCanvas binaries (default: the release build's)")
    a = ap.parse_args()
    binaries = a.bin or bin_path()
    print(f"{'courses':>7} {'exit':>4} {'wall s':>7} {'cpu s':>6} {'peak RSS MB':>11} {'requests':>8} {'req/s':>6} {'in flight':>9} {'files':>5} {'MB written':>10}")
    for courses in a.sizes:
        rounds = []
        for _ in range(a.rounds):
            with tempfile.TemporaryDirectory(prefix="fetch-bench-") as scratch:
                rounds.append(one_round(binaries, courses, scratch))
        r = sorted(rounds, key=lambda x: x["wall"])[len(rounds) // 2]
        print(f"{courses:>7} {r['exit']:>4} {r['wall']:>7.1f} {r['cpu']:>6.1f} {r['rss_mb']:>11.1f} {r['requests']:>8} {r['rps']:>6.0f} {r['max_in_flight']:>9} {r['files']:>5} {r['mb_written']:>10.1f}")
        print(f"        {r['summary']}")


if __name__ == "__main__":
    sys.exit(main())
