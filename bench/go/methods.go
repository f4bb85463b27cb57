// methods: method calls on struct values (reference implementation for bench/run);
// the shapes are called through an interface, as the dynamic languages call them.
package main

import (
	"fmt"
	"os"
	"strconv"
)

type Point struct {
	x, y int
}

func (p Point) Add(q Point) Point {
	return Point{p.x + q.x, p.y + q.y}
}

func (p Point) Manhattan() int {
	x, y := p.x, p.y
	if x < 0 {
		x = -x
	}
	if y < 0 {
		y = -y
	}
	return x + y
}

type Shape interface {
	Area() int
}

type Rect struct {
	w, h int
}

func (r Rect) Area() int {
	return r.w * r.h
}

type Circle struct {
	r int
}

func (c Circle) Area() int {
	return 3 * c.r * c.r
}

type Stats struct {
	n, total, max int
}

func (s *Stats) Add(v int) {
	s.n++
	s.total += v
	if v > s.max {
		s.max = v
	}
}

func (s *Stats) Mean() int {
	return s.total / s.n
}

func (s *Stats) String() string {
	return fmt.Sprint("n=", s.n, " total=", s.total, " max=", s.max, " mean=", s.Mean())
}

func main() {
	n := 6000000
	if len(os.Args) > 1 {
		if v, err := strconv.Atoi(os.Args[1]); err == nil {
			n = v
		}
	}
	shapes := []Shape{}
	for i := 0; i < 64; i++ {
		if i%2 == 0 {
			shapes = append(shapes, Rect{1 + i%7, 1 + i%5})
		} else {
			shapes = append(shapes, Circle{1 + i%4})
		}
	}
	steps := []Point{{1, 0}, {0, 1}, {-1, 0}, {0, -1}, {1, -2}}

	areas := &Stats{0, 0, 0}
	dists := &Stats{0, 0, 0}
	pos := Point{0, 0}
	for i := 0; i < n; i++ {
		areas.Add(shapes[i%64].Area())
		pos = pos.Add(steps[i%5])
		dists.Add(pos.Manhattan())
	}
	fmt.Println("areas:", areas.String())
	fmt.Println("distances:", dists.String())
	fmt.Println("position:", pos.x, pos.y)
}
