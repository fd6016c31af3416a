#!/usr/bin/env python3
"""Writes the benchmark data: 500 draws each from two 3-component Gaussian mixtures.

Equal weights, unit standard deviation, means (-5, 0, 5) (separated) and (-3, 0, 3)
(overlapping), Python's Mersenne Twister seeded with 20261130, so the files are
reproducible byte for byte: python3 generate_data.py
"""
import json
import os
import random

SEED = 20261130
N = 500
DATASETS = {"separated": [-5.0, 0.0, 5.0], "overlapping": [-3.0, 0.0, 3.0]}

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for name, means in DATASETS.items():
        rng = random.Random(SEED)
        labels = [rng.randrange(3) for _ in range(N)]
        y = [round(rng.gauss(means[k], 1.0), 6) for k in labels]
        with open(os.path.join(here, "data", "mixture500_%s.json" % name), "w") as f:
            json.dump({"y": y, "labels": labels, "seed": SEED, "means": means}, f)
            f.write("\n")

if __name__ == "__main__":
    main()
