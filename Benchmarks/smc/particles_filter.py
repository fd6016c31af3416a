#!/usr/bin/env python3
"""Bootstrap filter on ../shared/data/ssm with Chopin's `particles` library, paths returned.

Same model as bootstrap_filter.c and PPL's engine. `particles` starts its chain at the
first observed state, so X_0 here is our x[1] ~ N(0, 0.9² + 1) (x[0] integrated out):
the same filter and the same evidence. Systematic resampling when ESS < N/2, history
stored (store_history=True), and all N trajectories rebuilt from the genealogy at the end.

Usage: OMP_NUM_THREADS=1 python particles_filter.py Y.csv N REPS SEED
"""
import csv
import math
import statistics
import sys
import time

import numpy as np
import particles
from particles import distributions as dists
from particles import state_space_models as ssms


class LinearGauss(ssms.StateSpaceModel):
    default_params = {"rho": 0.9, "sigmaX": 1.0, "sigmaY": 0.5}

    def PX0(self):
        return dists.Normal(scale=math.sqrt(self.rho ** 2 + self.sigmaX ** 2))

    def PX(self, t, xp):
        return dists.Normal(loc=self.rho * xp, scale=self.sigmaX)

    def PY(self, t, xp, x):
        return dists.Normal(loc=x, scale=self.sigmaY)


def main():
    path, n, reps, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    with open(path) as f:
        ys = np.array([float(row[0]) for row in list(csv.reader(f))[1:]])
    fk = ssms.Bootstrap(ssm=LinearGauss(), data=ys)
    times, cpu = [], []
    for r in range(reps):
        np.random.seed(seed + r)
        start, cpu_start = time.perf_counter(), time.process_time()
        alg = particles.SMC(fk=fk, N=n, resampling="systematic", ESSrmin=0.5, store_history=True, verbose=False)
        alg.run()
        ancestors = alg.hist.compute_trajectories()              # (T, N) indices into each step's particles
        paths = np.array([alg.hist.X[t][ancestors[t]] for t in range(len(ys))])
        elapsed = time.perf_counter() - start
        times.append(elapsed)
        cpu.append(time.process_time() - cpu_start)
        print(f"particles rep {r}: {elapsed:.4f} s  logZ {alg.logLt:.4f}  paths {paths.shape}")
    print(f"particles median {statistics.median(times):.6f} s  cpu {statistics.median(cpu):.6f} s  N {n}  T {len(ys)}  threads 1  version {particles.__version__}")


if __name__ == "__main__":
    main()
