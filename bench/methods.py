# methods: method calls on objects (plain classes). Each of n steps makes five method
# calls: area on a shape from a list mixing two classes (Rect and Circle, so a call site
# sees both), add on a Point (returns a new Point), manhattan on it, and add on two
# Stats (mutate attributes). Measures method lookup and call, attribute loads and
# stores, and small object allocation.
# Usage: python3 methods.py [n]   (default 6000000)
import sys


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def add(self, q):
        return Point(self.x + q.x, self.y + q.y)

    def manhattan(self):
        x, y = self.x, self.y
        if x < 0:
            x = -x
        if y < 0:
            y = -y
        return x + y


class Rect:
    def __init__(self, w, h):
        self.w = w
        self.h = h

    def area(self):
        return self.w * self.h


class Circle:
    def __init__(self, r):
        self.r = r

    def area(self):
        return 3 * self.r * self.r


class Stats:
    def __init__(self):
        self.n = 0
        self.total = 0
        self.max = 0

    def add(self, v):
        self.n += 1
        self.total += v
        if v > self.max:
            self.max = v

    def mean(self):
        return self.total // self.n

    def __str__(self):
        return ("n=" + str(self.n) + " total=" + str(self.total) + " max=" + str(self.max)
                + " mean=" + str(self.mean()))


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 6000000
    shapes = []
    for i in range(64):
        if i % 2 == 0:
            shapes.append(Rect(1 + i % 7, 1 + i % 5))
        else:
            shapes.append(Circle(1 + i % 4))
    steps = [Point(1, 0), Point(0, 1), Point(-1, 0), Point(0, -1), Point(1, -2)]

    areas = Stats()
    dists = Stats()
    pos = Point(0, 0)
    for i in range(n):
        areas.add(shapes[i % 64].area())
        pos = pos.add(steps[i % 5])
        dists.add(pos.manhattan())
    print("areas:", areas)
    print("distances:", dists)
    print("position:", pos.x, pos.y)


main()
