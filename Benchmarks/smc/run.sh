#!/usr/bin/env bash
# SMC benchmark, side by side in one run: PPL's SMC engine on the .ppl model run by the VM
# (the issue's figure) and on the same model hand-written in Swift, vs a C/GSL bootstrap
# filter (-O2, one thread) and Chopin's `particles` (one thread); bootstrap filter,
# systematic resampling at ESS < N/2, N = 10,000, T = 1,000, all paths returned.
# PPL runs pinned to one CPU (taskset -c 0: one thread, like the C program and `particles`),
# then on all cores. Then the engine's time per step at T = 100, 1,000 and 10,000 (should be flat).
#
#   Benchmarks/smc/run.sh                    # everything (about 10 minutes on 2 idle cores)
#   N=2000 REPS=3 Benchmarks/smc/run.sh      # smaller
#   KALMAN_CHECK=1 Benchmarks/smc/run.sh     # also the T=1000 Kalman check of the SMC issue (slow)
#
# Wall-clock medians depend on the load of the machine; CPU medians (all threads) are printed too.
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=${DATA:-../shared/data/ssm}
N=${N:-10000}
REPS=${REPS:-5}
SCAN_N=${SCAN_N:-1000}
VENV=${VENV:-/work/venv-smc}
LOG=$(mktemp)

cc -O2 -o .build/bootstrap_filter Benchmarks/smc/bootstrap_filter.c $(pkg-config --cflags --libs gsl) -lm
swift build -c release --product smc-bench > /dev/null
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import particles" 2> /dev/null; then
    python3 -m venv "$VENV" && "$VENV/bin/python" -m pip install -q particles
fi

echo "== bootstrap filter, N=$N, T=1000, paths returned, medians of $REPS (machine: $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
.build/bootstrap_filter "$DATA/lgssm_T1000.csv" "$N" "$REPS" 1 | tee -a "$LOG"
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
    "$VENV/bin/python" Benchmarks/smc/particles_filter.py "$DATA/lgssm_T1000.csv" "$N" "$REPS" 1 | tee -a "$LOG"
.build/release/smc-bench --model swift --data "$DATA/lgssm_T1000.csv" --particles "$N" --reps "$REPS" | tee -a "$LOG"
taskset -c 0 .build/release/smc-bench --model ppl --ppl Benchmarks/smc/ssm_bench.ppl --data "$DATA/lgssm_T1000.csv" \
    --particles "$N" --reps "$REPS" | tee -a "$LOG"
# The same, particle by particle (blocks in lockstep, the same draws), and one particle at a time, for comparison.
taskset -c 0 .build/release/smc-bench --model ppl-particles --ppl Benchmarks/smc/ssm_bench.ppl --data "$DATA/lgssm_T1000.csv" \
    --particles "$N" --reps "$REPS" | tee -a "$LOG"
taskset -c 0 .build/release/smc-bench --model ppl-single --ppl Benchmarks/smc/ssm_bench.ppl --data "$DATA/lgssm_T1000.csv" \
    --particles "$N" --reps "$REPS" | tee -a "$LOG"
.build/release/smc-bench --model ppl --ppl Benchmarks/smc/ssm_bench.ppl --data "$DATA/lgssm_T1000.csv" \
    --particles "$N" --reps "$REPS" | sed 's/^swift-ppl/swift-ppl-all-cores/' | tee -a "$LOG"
echo "   (Kalman log Z for T=1000: $(awk -F, '$2 == 1000 {print $5}' "$DATA/lgssm_kalman_logZ.csv"))"

median() { awk -v who="$1" '$1 == who && $2 == "median" {print $3}' "$LOG"; }
cpu() { awk -v who="$1" '$1 == who && $2 == "median" {print $6}' "$LOG"; }
C=$(median c); P=$(median particles); S=$(median swift-swift); V=$(median swift-ppl)
echo "== ratios of wall-clock medians (CPU-time ratios in brackets); C, particles and .ppl via VM on 1 thread, Swift model on $(nproc)"
A=$(median swift-ppl-all-cores); O=$(median swift-ppl-single); Q=$(median swift-ppl-particles)
awk -v q="$Q" -v cq="$(cpu swift-ppl-particles)" -v o="$O" -v co="$(cpu swift-ppl-single)" -v c="$C" -v p="$P" -v s="$S" -v v="$V" -v a="$A" -v cc="$(cpu c)" -v cp="$(cpu particles)" -v cs="$(cpu swift-swift)" -v cv="$(cpu swift-ppl)" -v ca="$(cpu swift-ppl-all-cores)" 'BEGIN {
    printf "   .ppl via VM / C          %.2fx  [%.2fx]\n", v / c, cv / cc
    printf "   .ppl via VM, all cores / C  %.2fx  [%.2fx]\n", a / c, ca / cc
    printf "   .ppl via VM particle by particle / C  %.2fx  [%.2fx]\n", q / c, cq / cc
    printf "   .ppl via VM one particle at a time / C  %.2fx  [%.2fx]\n", o / c, co / cc
    printf "   .ppl via VM / particles  %.2fx  [%.2fx]\n", v / p, cv / cp
    printf "   Swift model / C          %.2fx  [%.2fx]\n", s / c, cs / cc
    printf "   Swift model / particles  %.2fx  [%.2fx]\n", s / p, cs / cp
}'

echo "== time per step, N=$SCAN_N, one thread, medians of 3"
for model in swift ppl; do
    for T in 100 1000 10000; do
        file=$DATA/lgssm_T1000.csv
        [ "$T" = 100 ] && file=$DATA/lgssm_T100.csv
        taskset -c 0 .build/release/smc-bench --model "$model" --data "$file" --T "$T" --particles "$SCAN_N" --reps 3 | grep median
    done
done

if [ "${KALMAN_CHECK:-0}" = 1 ]; then
    # E[log Ẑ] = log Z - Var(log Ẑ)/2 to first order, and Var(log Ẑ) ≈ 10⁴/N here (sd 1.6 at
    # N = 4,000), so the mean of 20 seeds sits within 3 standard errors only when the bias
    # Var/2 is well under sd/√20: N = 64,000 puts it near 0.9 standard errors.
    echo "== Kalman check at T=1000 (20 seeds per scheme, N=${CHECK_N:-64000})"
    .build/release/smc-bench --model ppl --check-kalman "$(awk -F, '$2 == 1000 {print $5}' "$DATA/lgssm_kalman_logZ.csv")" \
        --data "$DATA/lgssm_T1000.csv" --particles "${CHECK_N:-64000}"
fi
rm -f "$LOG"
