#!/bin/sh
# Swift API vs a plain C loop (gcc -O2) over the same GSL samplers: 10^7 draws of
# Normal(0,1), Gamma(2,1), Poisson(3.5), one thread, 5 interleaved passes, medians.
# Usage: Benchmarks/distributions/run.sh        (from anywhere; prints a table)
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT="$ROOT/Benchmarks/bin"
mkdir -p "$OUT"
PASSES=${PASSES:-5}

swift build -c release --package-path "$ROOT" --product PPLBenchDistributions >&2
SWIFT_BIN="$(swift build -c release --package-path "$ROOT" --show-bin-path)/PPLBenchDistributions"
gcc -O2 -o "$OUT/bench_distributions" "$ROOT/Benchmarks/distributions/bench.c" -lgsl -lgslcblas -lm
GSL_SEED=$("$SWIFT_BIN" --print-gsl-seed)

RESULTS="$OUT/distributions_results.txt"
: > "$RESULTS"
i=0
while [ "$i" -lt "$PASSES" ]; do
    "$OUT/bench_distributions" "$GSL_SEED" >> "$RESULTS"
    "$SWIFT_BIN" >> "$RESULTS"
    i=$((i + 1))
done

python3 - "$RESULTS" "$PASSES" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
times, sums = {}, {}
for api, family, ns, total in rows:
    times.setdefault((api, family), []).append(float(ns))
    sums.setdefault((api, family), set()).add(total)
print(f"10^7 draws per family, 1 thread, median of {sys.argv[2]} interleaved passes (ns per draw)")
print(f"{'family':<9}{'C -O2':>9}{'Swift struct':>14}{'ratio':>7}{'Swift scalar':>14}{'ratio':>7}  same sums")
worst = 0.0
for family in ("Normal", "Gamma", "Poisson"):
    c = statistics.median(times[("c", family)])
    s = statistics.median(times[("swift-struct", family)])
    v = statistics.median(times[("swift-scalar", family)])
    same = {float(x) for key in (("c", family), ("swift-struct", family), ("swift-scalar", family)) for x in sums[key]}
    worst = max(worst, s / c, v / c)
    print(f"{family:<9}{c:>9.2f}{s:>14.2f}{s / c:>7.2f}{v:>14.2f}{v / c:>7.2f}  {'yes' if len(same) == 1 else 'NO'}")
print(f"worst ratio {worst:.2f} (floor 1.30): {'ok' if worst <= 1.3 else 'ABOVE FLOOR'}")
PY
