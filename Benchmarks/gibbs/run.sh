#!/bin/sh
# Gibbs (z enumerated, mu conjugate) vs single-site MH on the 3-component, 500-point Gaussian
# mixture of mixture.ppl, through the front end, recognise-conjugacy and the VM: bulk ESS per
# second of the component means, side by side, medians of 3 interleaved repeats, 1 thread.
# usage: Benchmarks/gibbs/run.sh [repeats] [gibbsSweeps] [mhSweeps]   (the README figures: 3 1000 3000)
set -e
cd "$(dirname "$0")/../.."
swift build -c release --product PPLBenchGibbs >/dev/null
for data in separated overlapping; do
  echo "== data/mixture500_$data.json"
  .build/release/PPLBenchGibbs Benchmarks/gibbs/mixture.ppl "Benchmarks/gibbs/data/mixture500_$data.json" "${1:-3}" "${2:-300}" "${3:-900}"
done
