#!/bin/sh
# VM benchmarks, one thread, release build: (1) forward run of a 1000-step LGSS .ppl with its
# full trace vs the same model hand-written in Swift over the same GSL calls (median of
# interleaved runs, ratio, ns per choice); (2) SMC-style step time at T=100 vs T=1000;
# (3) single-site update cost at 100 vs 10,000 dimensions.
# Usage: Benchmarks/vm/run.sh        (REPEATS=N to change the number of forward runs)
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
swift build -c release --package-path "$ROOT" --product PPLBenchVM >&2
BIN="$(swift build -c release --package-path "$ROOT" --show-bin-path)/PPLBenchVM"
"$BIN" "$ROOT/Benchmarks/vm"
