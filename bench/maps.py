# maps: insert, lookup and delete, first with int keys, then with string keys.
# Each pass inserts n keys, looks up 2n (half of them missing), deletes every third
# key, looks the n keys up again, and sums the dict by iterating over it.
# Measures dict operations (hashing, probing, growth, deletion, iteration).
# Usage: python3 maps.py [n]   (default 600000)
import sys


def lookup(m, keys, k):
    """Look up keys[0:k] in m; return the hits and the sum of their values."""
    hits, total = 0, 0
    for i in range(k):
        v = m.get(keys[i])
        if v is not None:
            hits += 1
            total += v
    return hits, total


def run_pass(label, keys, n):
    """The pass over keys (2n of them, distinct); key i maps to i."""
    m = {}
    for i in range(n):
        m[keys[i]] = i
    hits, total = lookup(m, keys, 2 * n)
    for i in range(0, n, 3):
        del m[keys[i]]
    hits2, total2 = lookup(m, keys, n)
    count, left = 0, 0
    for v in m.values():
        count += 1
        left += v
    print(label, count, "left,", hits + hits2, "hits, sums", total + total2, left)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 600000
    # The int keys are i*7919, sparse so that no language can hold them in an array.
    int_keys = []
    string_keys = []
    for i in range(2 * n):
        int_keys.append(i * 7919)
        string_keys.append("k" + str(i * 7919))
    run_pass("int keys:", int_keys, n)
    run_pass("string keys:", string_keys, n)


main()
