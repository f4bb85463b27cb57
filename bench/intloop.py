# intloop: a tight integer loop, s += (i*i) % 7 for i in [0, n).
# Usage: python3 intloop.py [n]   (default 50000000)
import sys


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50000000
    s = 0
    for i in range(n):
        s += (i * i) % 7
    print(s)


main()
