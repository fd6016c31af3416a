#!/usr/bin/env python3
"""Side-by-side timing for Benchmarks/bt: ppl rank (release) vs C Newman (-O2) vs choix.

Each tool ranks the same file by plain Bradley-Terry MLE (draws left out). ppl and C run
Newman's in-place iteration to a largest log-strength change below TOL (1e-10) and are
timed as whole processes (reading the CSV included: wall and CPU = user + sys) plus their
own solver time; choix's
ilsr_pairwise and mm_pairwise are timed inside Python on data already in memory (so
reading is not charged to them), with their default tol 1e-8 and capped by max_iter and
a wall-clock limit. Everything runs on one thread (OMP/OPENBLAS/MKL_NUM_THREADS=1).
The `ppl run bt.ppl` row is the general path a user's model takes: the .ppl file parsed, checked
and lowered, recognise-bradley-terry, the same comparisons bound from JSON (reading included),
then the same iteration; it also computes standard errors when there are at most 3000 items.
Reports the median of REPEATS runs (one run of mm_pairwise, which takes minutes).
Usage: bench.py DATADIR PPL CBIN REPEATS CAP_SECONDS
"""
import json, os, resource, statistics, subprocess, sys, time

datadir, ppl, cbin, repeats, cap = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
TOL = "1e-10"
env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")

CHOIX = r"""
import csv, json, sys, time, threading
import numpy as np, choix
path, method, cap = sys.argv[1], sys.argv[2], float(sys.argv[3])
rows = list(csv.reader(open(path)))[1:]
data = [(int(w), int(l)) for w, l in rows]
n = 1 + max(max(p) for p in data)
start = time.perf_counter()
if method == "ilsr":
    params = choix.ilsr_pairwise(n, data, max_iter=1000)
else:
    params = choix.mm_pairwise(n, data, max_iter=100000)
print(json.dumps({"seconds": time.perf_counter() - start, "scores": (params - params.mean()).tolist()}))
"""

def timed(argv, extra_env):
    """Wall and CPU (user + sys) seconds of one child process, and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(argv, capture_output=True, text=True, env=dict(env, **extra_env), check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, out

def run_ppl(path):
    wall, cpu, out = timed([ppl, "rank", path, "--ties", "drop", "--no-intervals", "--format", "json", "--tolerance", TOL], {})
    result = json.loads(out.stdout)
    scores = {int(item["name"]): item["score"] for item in result["items"]}
    return wall, cpu, result["solverSeconds"], result["iterations"], scores

def run_model(path):
    """The general path: Benchmarks/bt/bt.ppl bound to the same comparisons (JSON), run by `ppl run --engine rank`."""
    data = path[:-4] + ".json"
    if not os.path.exists(data):
        rows = [line.split(",") for line in open(path).read().split("\n")[1:] if line]
        winner, loser = [int(w) for w, _ in rows], [int(l) for _, l in rows]
        json.dump({"teams": 1 + max(winner + loser), "winner": winner, "loser": loser}, open(data, "w"))
    model = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bt.ppl")
    wall, cpu, out = timed([ppl, "run", model, "--model", "BT", "--engine", "rank", "--option", "prior=none",
                            "--option", f"tolerance={TOL}", "--data", data, "--format", "json"], {})
    result = json.loads(out.stdout)
    extra = result["diagnostics"]["extra"]
    scores = {int(a[2:-1]): v["mean"] for a, v in result["addresses"].items()}
    return wall, cpu, float("nan"), int(extra["iterations"]), scores

def run_c(path):
    wall, cpu, out = timed([cbin, path, TOL], {"BT_SCORES": "1"})
    result = json.loads(out.stdout)
    scores = {int(a): float(b) for a, b in (line.split() for line in out.stderr.split("\n") if line)}
    return wall, cpu, result["solverSeconds"], result["iterations"], scores

def run_choix(path, method):
    try:
        out = subprocess.run([sys.executable, "-c", CHOIX, path, method, str(cap)], capture_output=True, text=True,
                             env=env, timeout=cap)
    except subprocess.TimeoutExpired:
        return None, None
    if out.returncode != 0:
        return None, out.stderr.strip().splitlines()[-1] if out.stderr else "failed"
    result = json.loads(out.stdout)
    return result["seconds"], {k: v for k, v in enumerate(result["scores"])}

def median(xs):
    return statistics.median(xs) if xs else float("nan")

print(f"# threads: 1 per tool; repeats: {repeats}; medians; tol {TOL} (ppl, C), choix default tol 1e-8; choix cap {cap:.0f} s")
print(f"# load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
print(f"{'data':<10} {'tool':<22} {'wall s':>9} {'cpu s':>9} {'solver s':>9} {'iters':>6}  max|score - C|")
for name in ["football", "synthetic"]:
    path = os.path.join(datadir, name + ".csv")
    c_runs = [run_c(path) for _ in range(repeats)]
    c_scores = c_runs[-1][4]
    ppl_runs = [run_ppl(path) for _ in range(repeats)]
    diff = max(abs(ppl_runs[-1][4][k] - c_scores[k]) for k in c_scores)
    model_runs = [run_model(path) for _ in range(repeats)]
    model_diff = max(abs(model_runs[-1][4][k] - c_scores[k]) for k in c_scores)
    for label, runs, d in [("C newman (-O2)", c_runs, "0"), ("ppl rank (release)", ppl_runs, f"{diff:.2e}"),
                           ("ppl run bt.ppl (rank)", model_runs, f"{model_diff:.2e}")]:
        print(f"{name:<10} {label:<22} {median([r[0] for r in runs]):9.4f} {median([r[1] for r in runs]):9.4f} "
              f"{median([r[2] for r in runs]):9.4f} {runs[-1][3]:6d}  {d}")
    for method in ["ilsr", "mm"]:
        times, scores, note = [], None, ""
        # mm_pairwise takes minutes: one run of it per data set.
        for _ in range(repeats if method == "ilsr" else 1):
            seconds, scores_or_error = run_choix(path, method)
            if seconds is None:
                note = f"did not finish within {cap:.0f} s" if scores_or_error is None else f"failed: {scores_or_error}"
                break
            times.append(seconds)
            scores = scores_or_error
        if note:
            print(f"{name:<10} {'choix ' + method + '_pairwise':<22} {'-':>9} {'-':>9} {'> cap' if 'within' in note else '-':>9} {'-':>6}  {note}")
        else:
            d = max(abs(scores[k] - c_scores[k]) for k in c_scores)
            print(f"{name:<10} {'choix ' + method + '_pairwise':<22} {'-':>9} {'-':>9} {median(times):9.4f} {'-':>6}  {d:.2e}")
