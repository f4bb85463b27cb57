# maps: insert, lookup and delete, first with int keys, then with string keys.
# Each pass inserts n keys, looks up 2n (half of them missing), deletes every third
# key, looks the n keys up again, and sums the dict by iterating over it.
# Measures dict operations (hashing, probing, growth, deletion, iteration).
# Usage: python3 maps.py [n]   (default 600000)
import sys


def int_keys(n):
    """The pass with the int keys i*7919 (sparse, so not a dense array)."""
    m = {}
    for i in range(n):
        m[i * 7919] = i
    hits, total_hit = 0, 0
    for i in range(2 * n):
        v = m.get(i * 7919)
        if v is not None:
            hits += 1
            total_hit += v
    for i in range(0, n, 3):
        del m[i * 7919]
    for i in range(n):
        v = m.get(i * 7919)
        if v is not None:
            hits += 1
            total_hit += v
    count, total = 0, 0
    for v in m.values():
        count += 1
        total += v
    print("int keys:", count, "left,", hits, "hits, sums", total_hit, total)


def string_keys(n):
    """The same pass with the keys "k" + the decimal of i*7919."""
    keys = []
    for i in range(2 * n):
        keys.append("k" + str(i * 7919))
    m = {}
    for i in range(n):
        m[keys[i]] = i
    hits, total_hit = 0, 0
    for i in range(2 * n):
        v = m.get(keys[i])
        if v is not None:
            hits += 1
            total_hit += v
    for i in range(0, n, 3):
        del m[keys[i]]
    for i in range(n):
        v = m.get(keys[i])
        if v is not None:
            hits += 1
            total_hit += v
    count, total = 0, 0
    for v in m.values():
        count += 1
        total += v
    print("string keys:", count, "left,", hits, "hits, sums", total_hit, total)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 600000
    int_keys(n)
    string_keys(n)


main()
