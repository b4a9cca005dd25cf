#!/usr/bin/env python3
"""Reference values for package stats, computed independently of the Go code.

Run from this directory:

    python3 reference.py > reference.json

Needs only the Python standard library and mpmath (no numpy, no scipy). Every
quantity is computed the slow, obvious way at 50 significant digits:

  * PrPl-EB (Waudby-Smith & Ramdas 2024, Theorem 2, one-sided, c = 1/2):
    every mean, variance and bound is re-summed from scratch at every t
    with mpmath.fsum; there are no running updates.
  * Student t quantiles: the CDF is written with the regularized incomplete
    beta function and inverted with mpmath.findroot.
  * Welch and two-proportion p-values: incomplete beta and erfc.
  * KS: D from the definition (both empirical CDFs evaluated at every data
    point), p from the Kolmogorov series summed to 2000 terms.

The inputs are generated here with fixed seeds and written into the JSON, so
the Go test reads exactly the vectors these numbers were computed from.
"""

import json
import random
import sys

import mpmath as mp

mp.mp.dps = 50
C = mp.mpf(1) / 2  # truncation of the bets


def clamp_diff(d):
    d = mp.mpf(d)
    return max(mp.mpf(-1), min(mp.mpf(1), d))


def prpl_eb_path(diffs, alpha):
    """Running-max one-sided PrPl-EB lower bound on the d scale, per time."""
    alpha = mp.mpf(alpha)
    log_inv_a = mp.log(1 / alpha)
    half, quarter = mp.mpf(1) / 2, mp.mpf(1) / 4
    xs = [(clamp_diff(d) + 1) / 2 for d in diffs]
    n = len(xs)
    # mu_hat_j for j = 0..n, each summed from scratch.
    mu = [(half + mp.fsum(xs[:j])) / (j + 1) for j in range(n + 1)]
    lam, v, psi = [], [], []
    for i in range(1, n + 1):
        # sigma2_hat_{i-1}: items 1..i-1 only, summed from scratch.
        var_prev = (quarter + mp.fsum((xs[j - 1] - mu[j]) ** 2 for j in range(1, i))) / i
        l = min(mp.sqrt(2 * log_inv_a / (var_prev * i * mp.log(1 + i))), C)
        lam.append(l)
        v.append(4 * (xs[i - 1] - mu[i - 1]) ** 2)
        psi.append((-mp.log(1 - l) - l) / 4)
    path = []
    best = None
    for t in range(1, n + 1):
        num = (mp.fsum(lam[i] * xs[i] for i in range(t)) - log_inv_a
               - mp.fsum(v[i] * psi[i] for i in range(t)))
        low = num / mp.fsum(lam[:t])
        best = low if best is None else max(best, low)
        path.append(max(mp.mpf(-1), min(mp.mpf(1), 2 * best - 1)))
    return path


def t_cdf(x, nu):
    x, nu = mp.mpf(x), mp.mpf(nu)
    tail = mp.betainc(nu / 2, mp.mpf(1) / 2, 0, nu / (nu + x * x), regularized=True) / 2
    return 1 - tail if x > 0 else tail


def t_quantile(p, nu):
    p = mp.mpf(p)
    if p == mp.mpf(1) / 2:
        return mp.mpf(0)
    return mp.findroot(lambda x: t_cdf(x, nu) - p, (mp.mpf("1e-9"), mp.mpf(1000)), solver="illinois")


def paired_t_lower(diffs, alpha):
    n = len(diffs)
    if n < 2:
        return mp.mpf(-1)
    ds = [clamp_diff(d) for d in diffs]
    mean = mp.fsum(ds) / n
    sd = mp.sqrt(mp.fsum((d - mean) ** 2 for d in ds) / (n - 1))
    if sd == 0:
        return mean
    low = mean - t_quantile(1 - mp.mpf(alpha), n - 1) * sd / mp.sqrt(n)
    return max(mp.mpf(-1), min(mp.mpf(1), low))


def mean_var(xs):
    xs = [mp.mpf(x) for x in xs]
    m = mp.fsum(xs) / len(xs)
    return m, mp.fsum((x - m) ** 2 for x in xs) / (len(xs) - 1)


def welch(a, b, alt):
    na, nb = len(a), len(b)
    ma, va = mean_var(a)
    mb, vb = mean_var(b)
    sa, sb = va / na, vb / nb
    t = (mb - ma) / mp.sqrt(sa + sb)
    df = (sa + sb) ** 2 / (sa ** 2 / (na - 1) + sb ** 2 / (nb - 1))
    if alt == "two_sided":
        p = mp.betainc(df / 2, mp.mpf(1) / 2, 0, df / (df + t * t), regularized=True)
    elif alt == "greater":
        p = 1 - t_cdf(t, df)
    else:
        p = t_cdf(t, df)
    d = (mb - ma) / mp.sqrt(((na - 1) * va + (nb - 1) * vb) / (na + nb - 2))
    return dict(statistic=t, p=p, standardized=d, mean_a=ma, mean_b=mb, df=df)


def norm_sf(z):
    return mp.erfc(z / mp.sqrt(2)) / 2


def proportions(xa, na, xb, nb, alt):
    pa, pb = mp.mpf(xa) / na, mp.mpf(xb) / nb
    pool = mp.mpf(xa + xb) / (na + nb)
    z = (pb - pa) / mp.sqrt(pool * (1 - pool) * (mp.mpf(1) / na + mp.mpf(1) / nb))
    if alt == "two_sided":
        p = 2 * norm_sf(abs(z))
    elif alt == "greater":
        p = norm_sf(z)
    else:
        p = norm_sf(-z)
    h = 2 * mp.asin(mp.sqrt(pb)) - 2 * mp.asin(mp.sqrt(pa))
    return dict(statistic=z, p=p, standardized=h, mean_a=pa, mean_b=pb)


def kolmogorov_q(lam):
    lam = mp.mpf(lam)
    if lam == 0:
        return mp.mpf(1)
    s = mp.fsum((-1) ** (k - 1) * mp.exp(-2 * k * k * lam * lam) for k in range(1, 2001))
    return max(mp.mpf(0), min(mp.mpf(1), 2 * s))


def ks(a, b):
    na, nb = len(a), len(b)
    d = mp.mpf(0)
    for v in a + b:
        fa = mp.mpf(sum(1 for x in a if x <= v)) / na
        fb = mp.mpf(sum(1 for x in b if x <= v)) / nb
        d = max(d, abs(fa - fb))
    lam = mp.sqrt(mp.mpf(na * nb) / (na + nb)) * d
    ma, mb = mp.fsum(map(mp.mpf, a)) / na, mp.fsum(map(mp.mpf, b)) / nb
    return dict(statistic=d, p=kolmogorov_q(lam), mean_a=ma, mean_b=mb)


def f(x):
    return float(x)


def exact_match_diffs(rng, n, p_minus, p_plus):
    out = []
    for _ in range(n):
        u = rng.random()
        out.append(-1.0 if u < p_minus else (1.0 if u < p_minus + p_plus else 0.0))
    return out


def graded_diffs(rng, n):
    out = []
    for _ in range(n):
        base = rng.random()
        cand = 0.5 * base + 0.5 * 0.8 * rng.random()
        out.append(cand - base)
    return out


def main():
    rng = random.Random(20240601)
    seq_inputs = [
        ("single", 0.05, [0.5]),
        ("two", 0.05, [0.0, 1.0]),
        ("clamped", 0.05, [1.5, -2.0, 0.25, -0.75, 3.0, 0.0, -1.0, 1.0]),
        ("all_zero_300", 0.05, [0.0] * 300),
        ("all_plus_one_40", 0.05, [1.0] * 40),
        ("exact_match_null_300", 0.05, exact_match_diffs(rng, 300, 0.10, 0.05)),
        ("exact_match_equal_300", 0.05, exact_match_diffs(rng, 300, 0.05, 0.05)),
        ("exact_match_equal_300_alpha01", 0.01, exact_match_diffs(rng, 300, 0.05, 0.05)),
        ("graded_200", 0.05, graded_diffs(rng, 200)),
        ("graded_120_alpha_half", 0.5, graded_diffs(rng, 120)),
        ("uniform_150_alpha10", 0.10, [rng.uniform(-1, 1) for _ in range(150)]),
    ]
    sequence = []
    paired = []
    for name, alpha, diffs in seq_inputs:
        path = prpl_eb_path(diffs, alpha)
        ds = [clamp_diff(d) for d in diffs]
        sequence.append(dict(name=name, alpha=alpha, diffs=diffs,
                             mean=f(mp.fsum(ds) / len(ds)), lower=f(path[-1]),
                             lower_path=[f(x) for x in path]))
        paired.append(dict(name=name, alpha=alpha, diffs=diffs,
                           lower=f(paired_t_lower(diffs, alpha))))
    for name, alpha, diffs in [
        ("n2", 0.05, [0.1, 0.3]),
        ("n3_alpha01", 0.01, [-0.2, 0.4, 0.1]),
        ("n30_alpha_half", 0.5, [rng.uniform(-1, 1) for _ in range(30)]),
        ("n1000_exact_match", 0.05, exact_match_diffs(rng, 1000, 0.07, 0.05)),
        ("lower_clamped", 0.05, [-1.0, -1.0, -1.0, 1.0]),
    ]:
        paired.append(dict(name=name, alpha=alpha, diffs=diffs,
                           lower=f(paired_t_lower(diffs, alpha))))

    welch_cases = []
    lat_a = [round(rng.lognormvariate(6.0, 0.5), 3) for _ in range(80)]
    lat_b = [round(rng.lognormvariate(6.1, 0.6), 3) for _ in range(60)]
    cost_a = [rng.gauss(1.0, 0.2) for _ in range(40)]
    cost_b = [rng.gauss(1.0, 0.2) for _ in range(45)]
    for name, a, b, alt in [
        ("small", [1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0, 10.0], "two_sided"),
        ("small_greater", [1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0, 10.0], "greater"),
        ("small_less", [1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0, 10.0], "less"),
        ("latency_two_sided", lat_a, lat_b, "two_sided"),
        ("latency_greater", lat_a, lat_b, "greater"),
        ("cost_null_two_sided", cost_a, cost_b, "two_sided"),
        ("cost_null_less", cost_a, cost_b, "less"),
        ("one_side_constant", [5.0, 5.0, 5.0], [4.0, 6.0, 7.0, 5.5], "two_sided"),
        ("n2_each", [0.0, 1.0], [3.0, 5.0], "two_sided"),
    ]:
        r = welch(a, b, alt)
        welch_cases.append(dict(name=name, a=a, b=b, alt=alt,
                                **{k: f(v) for k, v in r.items()}))

    prop_cases = []
    for xa, na, xb, nb, alt in [
        (12, 400, 25, 400, "two_sided"),
        (12, 400, 25, 400, "greater"),
        (12, 400, 25, 400, "less"),
        (50, 1000, 48, 900, "two_sided"),
        (0, 30, 3, 30, "two_sided"),
        (180, 200, 150, 210, "less"),
        (1, 1, 0, 1, "two_sided"),
    ]:
        r = proportions(xa, na, xb, nb, alt)
        prop_cases.append(dict(xa=xa, na=na, xb=xb, nb=nb, alt=alt,
                               **{k: f(v) for k, v in r.items()}))

    ks_cases = []
    for name, a, b in [
        ("tiny", [1.0, 2.0, 3.0], [2.5, 3.5, 4.5, 5.5]),
        ("ties", [1.0, 1.0, 2.0, 2.0, 3.0], [1.0, 2.0, 2.0, 2.0, 4.0, 4.0]),
        ("identical", [1.0, 2.0, 3.0], [1.0, 2.0, 3.0]),
        ("normal_null", [rng.gauss(0, 1) for _ in range(100)], [rng.gauss(0, 1) for _ in range(120)]),
        ("normal_shift", [rng.gauss(0, 1) for _ in range(100)], [rng.gauss(0.5, 1) for _ in range(80)]),
        ("shape_change", [rng.gauss(0, 1) for _ in range(150)],
         [rng.choice([-1.0, 1.0]) + rng.gauss(0, 0.3) for _ in range(150)]),
        ("integers", [float(rng.randint(0, 5)) for _ in range(60)], [float(rng.randint(0, 6)) for _ in range(70)]),
    ]:
        r = ks(a, b)
        ks_cases.append(dict(name=name, a=a, b=b, **{k: f(v) for k, v in r.items()}))

    kq = [dict(lam=lam, q=f(kolmogorov_q(lam)))
          for lam in [0.05, 0.2, 0.3, 0.5, 0.8, 1.0, 1.1799, 1.18, 1.2, 1.36, 1.63, 2.0, 3.0, 5.0]]

    json.dump(dict(sequence=sequence, paired_t=paired, welch=welch_cases,
                   proportions=prop_cases, ks=ks_cases, kolmogorov_q=kq),
              sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
