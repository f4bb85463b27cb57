# binarytrees: the Computer Language Benchmarks Game binary-trees (after the Python 3
# program: nodes as tuples), single-threaded.
# Usage: python3 binarytrees.py [depth]   (default 15)
import sys


def make_tree(d):
    if d > 0:
        d -= 1
        return (make_tree(d), make_tree(d))
    return (None, None)


def check_tree(node):
    (l, r) = node
    if l is None:
        return 1
    return 1 + check_tree(l) + check_tree(r)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    min_depth = 4
    max_depth = max(min_depth + 2, n)
    stretch_depth = max_depth + 1
    print("stretch tree of depth %d\t check: %d" % (
        stretch_depth, check_tree(make_tree(stretch_depth))))

    long_lived_tree = make_tree(max_depth)

    for depth in range(min_depth, max_depth + 1, 2):
        iterations = 1 << (max_depth - depth + min_depth)
        check = 0
        for _ in range(iterations):
            check += check_tree(make_tree(depth))
        print("%d\t trees of depth %d\t check: %d" % (iterations, depth, check))

    print("long lived tree of depth %d\t check: %d" % (
        max_depth, check_tree(long_lived_tree)))


main()
