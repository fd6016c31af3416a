#!/usr/bin/env bash
# SMC on the gallery's hidden Markov model (Programs/hmm.ppl) with 1,000 simulated observations,
# N = 10,000, through `ppl run`: the population in columns (the default) against particle by
# particle (`advance: particles`). Both print the same log evidence for a seed; wall and user time
# come from /usr/bin/time, the summary output included.
#
#   Benchmarks/smc/hmm.sh [T] [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
T=${1:-1000}
N=${2:-10000}
FILE=$(mktemp --suffix=.ppl)
trap 'rm -f "$FILE"' EXIT
swift build -c release --product ppl > /dev/null
# The model's own transition and emission tables, simulated with a fixed seed.
python3 - "$T" "$N" "$FILE" <<'PY'
import random, sys
T, N, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
random.seed(3)
transition = [[0.9, 0.1], [0.2, 0.8]]
emission = [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]]
z, observations = 0, []
for _ in range(T):
    z = 0 if random.random() < transition[z][0] else 1
    u, c, total = random.random(), 0, emission[z][0]
    while u > total and c < 2:
        c += 1
        total += emission[z][c]
    observations.append(c)
source = open("Programs/hmm.ppl").read()
start = source.index("model HiddenMarkov")
end = source.index("\n}\n", start) + 3
with open(out, "w") as f:
    f.write(source[start:end] + f"\nlet observations = {observations}\n"
            + f"infer HiddenMarkov(observations) with smc(particles: {N})\n")
PY
echo "== HMM, T=$T, N=$N (machine: $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
for advance in columns particles; do
    /usr/bin/time -f "$advance: %e s wall, %U s user" .build/release/ppl run "$FILE" --option "advance=$advance" 2>&1 >/dev/null | tail -1
    .build/release/ppl run "$FILE" --option "advance=$advance" --format json | python3 -c 'import json,sys; print("   log evidence", json.load(sys.stdin)["logEvidence"])'
done
