#!/usr/bin/env python3
"""Exact or quadrature posterior moments for the posteriordb posteriors that allow them.

No sampling here, so these are independent of the NUTS references made by
posteriordb_numpyro.py and check them:

- Rate_1: Beta(1, 1) prior, k of n successes: theta | k ~ Beta(1 + k, 1 + n - k).
- kidiq, kilpisjarvi, sblrc: Gaussian linear regressions. Given sigma the
  coefficients are Gaussian (flat or normal prior), so the marginal posterior
  of sigma is one-dimensional; integrate it by the trapezoid rule on log sigma
  over a wide, fine grid and mix the conditional Gaussians:
  E[b] = E[E[b | s]], Var[b] = E[Var(b | s)] + Var(E[b | s]).
- wells_dist: flat-prior logistic regression in 2 dimensions: tensor
  Gauss-Hermite quadrature in the coordinates whitened at the mode.

For each it adds an "exact" block {address: {mean, sd}} and, where the file
holds NUTS summaries, "exactCheck" with z = (NUTS mean - exact) / MCSE, to
Tests/PPLTests/Fixtures/posteriordb/<folder>.json.

Run (after posteriordb_numpyro.py, from the repository root):

    /tmp/venv/bin/python scripts/references/posteriordb_exact.py [DATA_DIR [OUT_DIR]]
"""

import json
import math
import os
import sys

import numpy as np
from scipy import optimize, special, stats


def rate_1(d):
    a, b = 1 + d["k"], 1 + d["n"] - d["k"]
    return {"theta": {"mean": a / (a + b), "sd": math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))}}


def linear_regression(X, y, log_prior_sigma, prior_mean=None, prior_cov=None, grid=4001):
    """Moments of (b, sigma) for y ~ N(X b, sigma^2 I), b ~ N(m0, S0) or flat, sigma ~ prior.

    Returns means and covariance of b and mean, sd of sigma.
    """
    N, P = X.shape
    XtX, Xty = X.T @ X, X.T @ y
    if prior_mean is None:
        bhat = np.linalg.solve(XtX, Xty)
        rss = float(np.sum((y - X @ bhat) ** 2))
        XtX_inv = np.linalg.inv(XtX)

        def conditional(s):
            # p(y | s) with b integrated over the flat prior, up to a constant.
            log_ml = -(N - P) * math.log(s) - rss / (2 * s * s)
            return log_ml, bhat, s * s * XtX_inv
    else:
        P0 = np.linalg.inv(prior_cov)

        def conditional(s):
            prec = P0 + XtX / (s * s)
            cov = np.linalg.inv(prec)
            mean = cov @ (P0 @ prior_mean + Xty / (s * s))
            # log N(y; X m0, s^2 I + X S0 X^T)
            C = s * s * np.eye(N) + X @ prior_cov @ X.T
            L = np.linalg.cholesky(C)
            r = np.linalg.solve(L, y - X @ prior_mean)
            log_ml = -np.sum(np.log(np.diag(L))) - 0.5 * r @ r
            return log_ml, mean, cov

    # locate the mode of log p(log s | y) and set a grid of +-12 "sd" around it
    def neg_log_post(u):
        s = math.exp(u)
        return -(conditional(s)[0] + log_prior_sigma(s) + u)  # + u: Jacobian of s = exp(u)

    ls_guess = math.log(math.sqrt(np.sum((y - X @ np.linalg.lstsq(X, y, rcond=None)[0]) ** 2) / N))
    res = optimize.minimize_scalar(neg_log_post, bracket=(ls_guess - 1, ls_guess, ls_guess + 1))
    u0 = res.x
    h = 1e-3
    curv = (neg_log_post(u0 + h) - 2 * neg_log_post(u0) + neg_log_post(u0 - h)) / h**2
    width = 1 / math.sqrt(curv)
    us = np.linspace(u0 - 14 * width, u0 + 14 * width, grid)
    logw, means, covs = [], [], []
    for u in us:
        s = math.exp(u)
        lml, m, c = conditional(s)
        logw.append(lml + log_prior_sigma(s) + u)
        means.append(m)
        covs.append(c)
    logw = np.array(logw)
    w = np.exp(logw - logw.max())
    w[0] *= 0.5
    w[-1] *= 0.5
    w /= w.sum()
    assert w[0] < 1e-12 and w[-1] < 1e-12, "sigma grid too narrow"
    means, covs, sig = np.array(means), np.array(covs), np.exp(us)
    mb = w @ means
    vb = np.einsum("g,gij->ij", w, covs) + np.einsum("g,gi,gj->ij", w, means - mb, means - mb)
    ms = float(w @ sig)
    ss = math.sqrt(float(w @ (sig - ms) ** 2))
    return mb, vb, ms, ss


def cauchy_half(scale):
    return lambda s: stats.cauchy.logpdf(s, 0, scale)


def kidiq(d):
    y = np.array(d["kid_score"], float)
    X = np.column_stack([np.ones_like(y), d["mom_hs"], d["mom_iq"]])
    mb, vb, ms, ss = linear_regression(X, y, cauchy_half(2.5))
    out = {f"beta[{i}]": {"mean": float(mb[i]), "sd": math.sqrt(vb[i, i])} for i in range(3)}
    out["sigma"] = {"mean": ms, "sd": ss}
    return out


def kilpisjarvi(d):
    y = np.array(d["y"], float)
    x = np.array(d["x"], float)
    X = np.column_stack([np.ones_like(x), x])
    m0 = np.array([d["pmualpha"], d["pmubeta"]], float)
    S0 = np.diag([d["psalpha"] ** 2, d["psbeta"] ** 2])
    mb, vb, ms, ss = linear_regression(X, y, lambda s: 0.0, m0, S0)  # sigma: flat on (0, inf)
    return {"alpha": {"mean": float(mb[0]), "sd": math.sqrt(vb[0, 0])},
            "beta": {"mean": float(mb[1]), "sd": math.sqrt(vb[1, 1])},
            "sigma": {"mean": ms, "sd": ss}}


def blr(d):
    y = np.array(d["y"], float)
    X = np.array(d["X"], float)
    D = X.shape[1]
    mb, vb, ms, ss = linear_regression(X, y, lambda s: stats.norm.logpdf(s, 0, 10),
                                       np.zeros(D), 100.0 * np.eye(D))
    out = {f"beta[{i}]": {"mean": float(mb[i]), "sd": math.sqrt(vb[i, i])} for i in range(D)}
    out["sigma"] = {"mean": ms, "sd": ss}
    return out


def wells(d, order=80):
    y = np.array(d["switched"], float)
    x = np.array(d["dist"], float)
    X = np.column_stack([np.ones_like(x), x])

    def loglik(b):
        eta = X @ b
        return float(np.sum(y * eta - np.logaddexp(0, eta)))

    def grad(b):
        return X.T @ (y - special.expit(X @ b))

    res = optimize.minimize(lambda b: -loglik(b), np.zeros(2), jac=lambda b: -grad(b), method="BFGS",
                            options={"gtol": 1e-10})
    mode = res.x
    p = special.expit(X @ mode)
    H = X.T @ (X * (p * (1 - p))[:, None])
    L = np.linalg.cholesky(np.linalg.inv(H))
    # Gauss-Hermite (probabilists') nodes for N(0, 1); weight by posterior / Gaussian.
    z, wz = np.polynomial.hermite_e.hermegauss(order)
    Z1, Z2 = np.meshgrid(z, z, indexing="ij")
    W = np.outer(wz, wz).ravel()
    pts = np.column_stack([Z1.ravel(), Z2.ravel()])
    B = mode + pts @ L.T
    lmode = loglik(mode)
    logr = np.array([loglik(b) - lmode for b in B]) + 0.5 * np.sum(pts**2, axis=1)
    w = W * np.exp(logr)
    w /= w.sum()
    mean = w @ B
    var = w @ (B - mean) ** 2
    return {f"beta[{i}]": {"mean": float(mean[i]), "sd": math.sqrt(var[i])} for i in range(2)}


EXACT = {
    "Rate_1_data-Rate_1_model": (rate_1, "exact conjugate Beta(1 + k, 1 + n - k) posterior"),
    "kidiq-kidscore_momhsiq": (kidiq, "beta | sigma Gaussian (flat prior); trapezoid rule over log sigma, 4001 points"),
    "kilpisjarvi_mod-kilpisjarvi": (kilpisjarvi, "beta | sigma Gaussian (normal prior); trapezoid rule over log sigma, 4001 points"),
    "sblrc-blr": (blr, "beta | sigma Gaussian (normal prior); trapezoid rule over log sigma, 4001 points"),
    "wells_data-wells_dist": (wells, "80 x 80 Gauss-Hermite quadrature whitened at the mode (flat prior)"),
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, "..", ".."))
    data_dir = os.path.join(root, "..", "shared", "data", "posteriordb")
    out_dir = os.path.join(root, "Tests", "PPLTests", "Fixtures", "posteriordb")
    if len(sys.argv) > 1:
        data_dir = sys.argv[1]
    if len(sys.argv) > 2:
        out_dir = sys.argv[2]
    worst = 0.0
    for folder, (fn, how) in EXACT.items():
        d = json.load(open(os.path.join(data_dir, folder, "data.json")))
        exact = fn(d)
        path = os.path.join(out_dir, folder + ".json")
        doc = json.load(open(path)) if os.path.exists(path) else {"posterior": folder}
        doc["exact"] = {"method": how, "script": "scripts/references/posteriordb_exact.py", "values": exact}
        check = {}
        for addr, e in exact.items():
            nuts = doc.get("parameters", {}).get(addr)
            if nuts:
                z = (nuts["mean"] - e["mean"]) / nuts["mcse"]
                rel_sd = nuts["sd"] / e["sd"] - 1
                check[addr] = {"zMean": z, "relSdError": rel_sd}
                worst = max(worst, abs(z))
                print(f"{folder:40s} {addr:10s} exact {e['mean']:+.6g} ({e['sd']:.4g})  "
                      f"NUTS {nuts['mean']:+.6g} ({nuts['sd']:.4g})  z={z:+.2f}  sd {100 * rel_sd:+.2f}%")
            else:
                print(f"{folder:40s} {addr:10s} exact {e['mean']:+.6g} ({e['sd']:.4g})  (no NUTS summary)")
        if check:
            doc["exactCheck"] = check
        with open(path, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
    print(f"largest |z| of NUTS means against exact values: {worst:.2f}")


if __name__ == "__main__":
    main()
