#!/usr/bin/python3
"""The BG/NBD fit a data scientist would write with numpy and scipy: the baseline of
bench/value/run.sh for Segmenta's value::Fit(kBgNbd).

    /usr/bin/python3 bench/value/bgnbd_scipy.py --summary FILE.csv [--repeat K]
        [--gradient analytic|numeric] [--tolerance default|tight]

FILE.csv: columns x (or frequency), t_x (or recency), T, and others that are ignored
(the same files value_bench reads). Prints one JSON line: the median fit seconds over K
fits, every fit's seconds, the parameters, the log-likelihood and how scipy stopped.

The likelihood is Fader, Hardie & Lee (2005), written the way the lifetimes package
writes BetaGeoFitter's: vectorised over every customer (no grouping of customers with
the same (x, t_x, T): the default, and what users do), gammaln/betaln from
scipy.special, and the sum of the two terms of the likelihood in log space
(np.logaddexp). Minimised: the mean negative log-likelihood over log-parameters (so they
stay positive, as lifetimes does), from r = alpha = a = b = 1 (lifetimes' start), with
scipy.optimize.minimize(method="L-BFGS-B") and its default tolerances. lifetimes itself
uses BFGS with an autograd gradient; here the gradient is analytic and vectorised too
(--gradient analytic, the default and the fastest choice), or scipy's finite
differences (--gradient numeric: 5 likelihood evaluations per gradient).

Reading the CSV (pandas) is not timed; the arrays are float64 numpy arrays before the
clock starts. numpy's element-wise functions run on one core.
"""
import argparse
import json
import statistics
import sys
import time

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, psi

ALIASES = {"frequency": "x", "recency": "t_x"}


def read_summary(path):
    try:
        import pandas as pd

        frame = pd.read_csv(path)
        frame = frame.rename(columns=ALIASES)
        return (frame["x"].to_numpy(np.float64), frame["t_x"].to_numpy(np.float64),
                frame["T"].to_numpy(np.float64))
    except ImportError:
        table = np.genfromtxt(path, delimiter=",", names=True)
        names = {ALIASES.get(name, name): name for name in table.dtype.names}
        return tuple(np.asarray(table[names[col]], dtype=np.float64) for col in ("x", "t_x", "T"))


def log_likelihood(params, x, t_x, T):
    """Per-customer log-likelihood, lifetimes' BetaGeoFitter._negative_log_likelihood."""
    r, alpha, a, b = params
    A_1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    A_2 = betaln(a, b + x) - betaln(a, b)
    A_3 = -(r + x) * np.log(alpha + T)
    A_4 = np.log(a) - np.log(b + np.maximum(x, 1) - 1) - (r + x) * np.log(t_x + alpha)
    return A_1 + A_2 + np.where(x > 0, np.logaddexp(A_3, A_4), A_3)


def objective(log_params, x, t_x, T):
    """Mean negative log-likelihood over log-parameters."""
    return -log_likelihood(np.exp(log_params), x, t_x, T).mean()


def objective_and_gradient(log_params, x, t_x, T):
    """The mean negative log-likelihood and its analytic gradient in log-parameters."""
    r, alpha, a, b = params = np.exp(log_params)
    log_aT = np.log(alpha + T)
    log_atx = np.log(alpha + t_x)
    A_3 = -(r + x) * log_aT
    A_4 = np.log(a) - np.log(b + np.maximum(x, 1) - 1) - (r + x) * log_atx
    repeat = x > 0
    mixed = np.where(repeat, np.logaddexp(A_3, A_4), A_3)
    ll = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) - betaln(a, b) + mixed
    # g: the share of the second term (the customer dropped out at t_x) in the likelihood.
    g = np.where(repeat, np.exp(A_4 - mixed), 0.0)
    psi_abx = psi(a + b + x)
    d_r = psi(r + x) - psi(r) + np.log(alpha) - log_aT + g * (log_aT - log_atx)
    d_alpha = r / alpha - (r + x) / (alpha + T) + g * (r + x) * (1 / (alpha + T) - 1 / (alpha + t_x))
    d_a = psi(a + b) - psi_abx + g / a
    d_b = psi(b + x) - psi_abx - psi(b) + psi(a + b) - g / (b + np.maximum(x, 1) - 1)
    n = len(x)
    grad = -np.array([d_r.sum(), d_alpha.sum(), d_a.sum(), d_b.sum()]) / n * params
    return -ll.sum() / n, grad


# --tolerance tight: L-BFGS-B's stopping rules tightened until it reaches the optimum to
# the last digits Segmenta's fit reaches (scipy's defaults: ftol 2.2e-9, gtol 1e-5).
TOLERANCES = {"default": {}, "tight": {"ftol": 1e-15, "gtol": 1e-10, "maxiter": 1000}}


def fit(x, t_x, T, gradient, tolerance):
    start = np.zeros(4)  # r = alpha = a = b = 1
    options = TOLERANCES[tolerance]
    if gradient == "analytic":
        return minimize(objective_and_gradient, start, args=(x, t_x, T), jac=True,
                        method="L-BFGS-B", options=options)
    return minimize(objective, start, args=(x, t_x, T), method="L-BFGS-B", options=options)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--summary", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--gradient", choices=["analytic", "numeric"], default="analytic")
    parser.add_argument("--tolerance", choices=sorted(TOLERANCES), default="default")
    args = parser.parse_args()

    x, t_x, T = read_summary(args.summary)
    seconds = []
    result = None
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = fit(x, t_x, T, args.gradient, args.tolerance)
        seconds.append(time.perf_counter() - started)
    params = np.exp(result.x)
    ll = float(log_likelihood(params, x, t_x, T).sum())
    print(json.dumps({
        "impl": "scipy",
        "file": args.summary,
        "customers": int(len(x)),
        "method": "L-BFGS-B",
        "gradient": args.gradient,
        "tolerance": args.tolerance,
        "repeat": args.repeat,
        "bgnbd_fit_s": statistics.median(seconds),
        "bgnbd_fit_runs": [round(s, 6) for s in seconds],
        "params": [float(p) for p in params],
        "log_likelihood": ll,
        "success": bool(result.success),
        "message": str(result.message),
        "iterations": int(result.nit),
        "evaluations": int(result.nfev),
        "numpy": np.__version__,
        "scipy": __import__("scipy").__version__,
    }))
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
