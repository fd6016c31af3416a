#!/bin/sh
# Single-site MH steps: hand-written C (gcc -O2) over GSL vs the Swift engine through the
# Model interface, on independent_normal.ppl with D = 100 and D = 10,000, one chain (1 thread),
# PASSES interleaved passes, medians of ns per single-site step. Every path but `swift` takes the
# C program's 2,000,000 steps at both sizes; one-time O(D) costs (the first draw's columns, the
# rescoring index) are inside the timing, amortised over those steps.
#   vm    : the .ppl file compiled and run by the VM (local re-scoring of the Markov blanket)
#   swift : the same model as a SwiftModel (whole-body re-execution per update: O(D) per step)
#   direct: the same model hand-written against the Model interface (O(1) updates): the engine's own cost
# Usage: Benchmarks/mcmc/run.sh        (from anywhere; prints a table)
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT="$ROOT/Benchmarks/bin"
mkdir -p "$OUT"
PASSES=${PASSES:-5}

swift build -c release --package-path "$ROOT" --product PPLBenchMCMC >&2
SWIFT_BIN="$(swift build -c release --package-path "$ROOT" --show-bin-path)/PPLBenchMCMC"
gcc -O2 -o "$OUT/bench_mh" "$ROOT/Benchmarks/mcmc/bench_mh.c" -lgsl -lgslcblas -lm

RESULTS="$OUT/mcmc_results.txt"
: > "$RESULTS"
i=0
while [ "$i" -lt "$PASSES" ]; do
    "$OUT/bench_mh" 100 20000 $((i + 1)) >> "$RESULTS"
    "$OUT/bench_mh" 10000 200 $((i + 1)) >> "$RESULTS"
    "$SWIFT_BIN" vm 100 20000 $((i + 1)) >> "$RESULTS"
    "$SWIFT_BIN" vm 10000 200 $((i + 1)) >> "$RESULTS"
    "$SWIFT_BIN" swift 100 100 $((i + 1)) >> "$RESULTS"
    "$SWIFT_BIN" direct 100 20000 $((i + 1)) >> "$RESULTS"
    "$SWIFT_BIN" direct 10000 200 $((i + 1)) >> "$RESULTS"
    i=$((i + 1))
done

python3 - "$RESULTS" "$PASSES" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
ns, acc = {}, {}
for row in rows:
    ns.setdefault((row[0], int(row[1])), []).append(float(row[2]))
    acc.setdefault((row[0], int(row[1])), []).append(float(row[3]))
print(f"single-site MH on independent_normal.ppl, 1 chain = 1 thread, median of {sys.argv[2]} passes")
print(f"{'path':<8}{'D':>7}{'ns/step':>10}{'accept':>8}{'vs C(D=100)':>13}")
c100 = statistics.median(ns[("c", 100)])
for key in [("c", 100), ("c", 10000), ("direct", 100), ("direct", 10000), ("vm", 100), ("vm", 10000), ("swift", 100)]:
    if key in ns:
        m = statistics.median(ns[key])
        print(f"{key[0]:<8}{key[1]:>7}{m:>10.1f}{statistics.median(acc[key]):>8.3f}{m / c100:>12.1f}x")
if ("vm", 100) in ns and ("vm", 10000) in ns:
    print(f"VM per-step cost at D=10000 / D=100: {statistics.median(ns[('vm', 10000)]) / statistics.median(ns[('vm', 100)]):.2f}")
PY
