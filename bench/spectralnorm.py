# spectralnorm: the Computer Language Benchmarks Game spectral-norm, single-threaded
# (the benchmarks-game Python programs use multiprocessing; this is the plain loop).
# Usage: python3 spectralnorm.py [n]   (default 400)
import sys
from math import sqrt


def eval_A(i, j):
    return 1.0 / ((i + j) * (i + j + 1) // 2 + i + 1)


def eval_times_u(u, v, n):
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += eval_A(i, j) * u[j]
        v[i] = s


def eval_AtA_times_u(u, v, x, n):
    eval_times_u(u, x, n)
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += eval_A(j, i) * x[j]
        v[i] = s


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    u = [1.0] * n
    v = [0.0] * n
    x = [0.0] * n
    for _ in range(10):
        eval_AtA_times_u(u, v, x, n)
        eval_AtA_times_u(v, u, x, n)
    vBv = vv = 0.0
    for ue, ve in zip(u, v):
        vBv += ue * ve
        vv += ve * ve
    print("%0.9f" % sqrt(vBv / vv))


main()
