#!/usr/bin/env python3
"""Benchmark inputs for Benchmarks/bt (fixed seed, so every run ranks the same data).

football.csv  - ../shared/data/bt/intl_football.csv, decided games only, restricted to the
                largest strongly connected component of the win graph (304 teams), items as integer ids.
synthetic.csv - 10^4 items with N(0,1) log-strengths, 2*10^5 games between uniformly random pairs,
                outcomes drawn from Bradley-Terry; numpy seed 20260731. 10^4 of the games form a
                directed cycle (item k beats item k+1 mod 10^4) so the win graph is strongly connected
                and the MLE exists; the script checks that.
Usage: make_data.py OUTDIR
"""
import csv, os, sys
import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
here = os.path.dirname(os.path.abspath(__file__))

def largest_scc(n, winners, losers):
    graph = coo_matrix((np.ones(len(winners)), (losers, winners)), shape=(n, n)).tocsr()
    count, labels = connected_components(graph, directed=True, connection="strong")
    biggest = np.bincount(labels).argmax()
    return count, labels == biggest

def write(path, winners, losers):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["winner", "loser"])
        w.writerows(zip(winners.tolist(), losers.tolist()))

rows = list(csv.DictReader(open(os.path.join(here, "..", "..", "..", "shared", "data", "bt", "intl_football.csv"))))
names = {}
pairs = [(names.setdefault(r["winner"], len(names)), names.setdefault(r["loser"], len(names))) for r in rows if r["tie"] == "0"]
winners = np.array([p[0] for p in pairs]); losers = np.array([p[1] for p in pairs])
_, keep = largest_scc(len(names), winners, losers)
remap = -np.ones(len(names), dtype=int); remap[keep] = np.arange(keep.sum())
mask = keep[winners] & keep[losers]
write(os.path.join(out, "football.csv"), remap[winners[mask]], remap[losers[mask]])
print(f"football.csv: {keep.sum()} items, {mask.sum()} games")

rng = np.random.default_rng(20260731)
n, m = 10_000, 200_000
strength = rng.normal(0, 1, n)
i = rng.integers(0, n, m - n)
j = (i + rng.integers(1, n, m - n)) % n
p = 1 / (1 + np.exp(strength[j] - strength[i]))
i_wins = rng.random(m - n) < p
cycle = np.arange(n)
winners = np.concatenate([np.where(i_wins, i, j), cycle]); losers = np.concatenate([np.where(i_wins, j, i), (cycle + 1) % n])
count, _ = largest_scc(n, winners, losers)
assert count == 1, f"synthetic win graph has {count} strongly connected components"
write(os.path.join(out, "synthetic.csv"), winners, losers)
print(f"synthetic.csv: {n} items, {m} games, strongly connected")
