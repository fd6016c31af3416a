#!/usr/bin/env bash
# Benchmarks/bt: ppl rank and `ppl run bt.ppl --engine rank` (the .ppl path) vs hand-written C Newman (-O2) vs choix,
# side by side in one run, medians.
# Build: swift build -c release --product ppl --static-swift-stdlib; C: gcc -O2.
# One line: bash Benchmarks/bt/run.sh [REPEATS=5] [CHOIX_CAP_SECONDS=300]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
repeats="${1:-5}"
cap="${2:-300}"
venv="${BT_VENV:-/work/venv-bt}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q choix numpy scipy
fi
# Statically linked Swift runtime and Foundation, as a shipped CLI would be: halves start-up time.
(cd "$root" && swift build -c release --product ppl --static-swift-stdlib >&2)
gcc -O2 -o "$work/newman" "$here/newman.c" -lm
"$venv/bin/python" "$here/make_data.py" "$work" >&2
# choix runs on a current numpy: let OpenBLAS pick its own kernel (see the machine notes), one thread.
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$venv/bin/python" "$here/bench.py" "$work" "$root/.build/release/ppl" "$work/newman" "$repeats" "$cap"
