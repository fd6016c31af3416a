#!/usr/bin/env bash
# Benchmarks/bt: Newman vs Zermelo iteration counts and solver times (release build), plain BT, tol 1e-12,
# MLE on the largest strongly connected component and MAP (Newman's prior) on all items, per data set.
# Medians (and minima: the machine is shared, and a short solve preempted once is no figure).
# One line: bash Benchmarks/bt/iterations.sh [REPEATS=5]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
repeats="${1:-5}"
data="$root/../shared/data/bt"
# Statically linked Swift runtime and Foundation, as a shipped CLI would be: halves start-up time.
(cd "$root" && swift build -c release --product ppl --static-swift-stdlib >&2)
ppl="$root/.build/release/ppl"
printf "# load average %s on %s cores; solver seconds over %s runs\n" "$(cut -d" " -f1 /proc/loadavg)" "$(nproc)" "$repeats"
printf "%-18s %-4s %-8s %6s %12s %12s %7s\n" data fit method iters "median s" "min s" ratio
for set in intl_football nfl_games vervet_dominance; do
  for fit in mle map; do
    if [ "$fit" = mle ]; then flags=(--component largest); else flags=(--prior newman); fi
    declare -A its=()
    for method in newman zermelo; do
      times=()
      for _ in $(seq "$repeats"); do
        out="$("$ppl" rank "$data/$set.csv" --ties drop --skip-bad-rows --no-intervals --format json --tolerance 1e-12 \
               --max-iterations 1000000 --method "$method" "${flags[@]}" 2>/dev/null)"
        times+=("$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["solverSeconds"])' "$out")")
        its[$method]="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["iterations"])' "$out")"
      done
      median="$(printf "%s\n" "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
      minimum="$(printf "%s\n" "${times[@]}" | sort -g | head -1)"
      ratio=""
      [ "$method" = zermelo ] && ratio="$(python3 -c "print(f'{${its[zermelo]}/${its[newman]}:.1f}x')")"
      printf "%-18s %-4s %-8s %6s %12.5f %12.5f %7s\n" "$set" "$fit" "$method" "${its[$method]}" "$median" "$minimum" "$ratio"
    done
  done
done
