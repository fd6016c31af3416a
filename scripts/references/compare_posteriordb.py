#!/usr/bin/env python3
"""Run `ppl run` on the 12 posteriordb programs and compare with the reference summaries.

For each posterior: runs Programs/posteriordb/FOLDER.ppl with --data from
../shared/data/posteriordb/FOLDER/data.json and --format json, then for every reference
address reports z = (mean - reference mean) / sqrt(mcse^2 + reference mcse^2) and the
sd ratio. A posterior "matches" when every |z| <= 4 and every sd is within 15% (issue 6);
otherwise it must "flag" itself: some R-hat > 1.01 or bulk ESS < 100 per chain. A
posterior that neither matches nor flags looks converged while wrong: the failure the
issue forbids.

Usage (from the repository root, after `swift build -c release --product ppl`):

    python3 scripts/references/compare_posteriordb.py [--ppl .build/release/ppl]
        [--only FOLDER ...] [--args "--seed 1 --chains 4"]
"""

import argparse
import json
import math
import os
import shlex
import subprocess
import sys
import time


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, "..", ".."))
    ap = argparse.ArgumentParser()
    ap.add_argument("--ppl", default=os.path.join(root, ".build", "release", "ppl"))
    ap.add_argument("--data-dir", default=os.path.join(root, "..", "shared", "data", "posteriordb"))
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--args", default="", help="extra arguments for ppl run")
    ap.add_argument("--timeout", type=float, default=600)
    args = ap.parse_args()
    fixtures = os.path.join(root, "Tests", "PPLTests", "Fixtures", "posteriordb")
    folders = args.only or sorted(f[:-5] for f in os.listdir(fixtures) if f.endswith(".json"))
    rows = []
    print("| posterior | verdict | max abs z (mean) | max sd error | max R-hat | min bulk ESS (time) |")
    print("|---|---|---|---|---|---|", flush=True)
    for folder in folders:
        ref = json.load(open(os.path.join(fixtures, folder + ".json")))["parameters"]
        cmd = [args.ppl, "run", os.path.join(root, "Programs", "posteriordb", folder + ".ppl"),
               "--data", os.path.join(args.data_dir, folder, "data.json"), "--format", "json"]
        cmd += shlex.split(args.args)
        t0 = time.time()
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
        except subprocess.TimeoutExpired:
            rows.append((folder, "timeout", "", "", "", ""))
            print("| " + " | ".join(rows[-1]) + " |", flush=True)
            continue
        seconds = time.time() - t0
        lines = [line for line in proc.stdout.splitlines() if line.strip().startswith("{")]
        if not lines:
            err = (proc.stderr.strip().splitlines() or ["no output"])[0]
            rows.append((folder, f"error (exit {proc.returncode}): {err[:80]}", "", "", "", ""))
            print("| " + " | ".join(rows[-1]) + " |", flush=True)
            continue
        out = json.loads(lines[0])
        addrs = out.get("addresses", {})
        chains = out.get("chains") or out.get("diagnostics", {}).get("chains") or 4
        worst_z, worst_sd, max_rhat, min_ess, missing = 0.0, 0.0, 0.0, math.inf, []
        for addr, r in ref.items():
            got = addrs.get(addr)
            if got is None or got.get("mean") is None:
                missing.append(addr)
                continue
            se = math.hypot(got.get("mcse") or 0.0, r["mcse"])
            z = (got["mean"] - r["mean"]) / se if se > 0 else math.inf
            worst_z = max(worst_z, abs(z))
            worst_sd = max(worst_sd, abs(got["sd"] / r["sd"] - 1))
            if got.get("rhat") is not None:
                max_rhat = max(max_rhat, got["rhat"])
            if got.get("ess") is not None:
                min_ess = min(min_ess, got["ess"])
        if missing:
            verdict = "missing " + ",".join(missing[:4])
        else:
            matches = worst_z <= 4 and worst_sd <= 0.15
            flagged = max_rhat > 1.01 or min_ess < 100 * chains
            verdict = "match" if matches else ("flagged" if flagged else "WRONG, NOT FLAGGED")
        rows.append((folder, verdict, f"{worst_z:.2f}", f"{100 * worst_sd:.1f}%", f"{max_rhat:.3f}",
                     f"{min_ess:.0f} ({seconds:.0f}s)"))
        print("| " + " | ".join(rows[-1]) + " |", flush=True)
    matched = sum(1 for r in rows if r[1] == "match")
    silent = sum(1 for r in rows if r[1] == "WRONG, NOT FLAGGED")
    print(f"\n{matched} of {len(rows)} match; {silent} wrong without a flag")
    return 0 if matched >= 8 and silent == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
