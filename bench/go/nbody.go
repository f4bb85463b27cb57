// nbody: the Computer Language Benchmarks Game n-body simulation, single-threaded,
// same arithmetic order as bench/nbody.{csp,lua,py} (reference for bench/run).
package main

import (
	"fmt"
	"math"
	"os"
	"strconv"
)

const (
	PI            = 3.141592653589793
	SOLAR_MASS    = 4 * PI * PI
	DAYS_PER_YEAR = 365.24
)

type Body struct {
	x, y, z, vx, vy, vz, mass float64
}

func newBodies() []*Body {
	return []*Body{
		{0, 0, 0, 0, 0, 0, SOLAR_MASS},
		{
			4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
			1.66007664274403694e-03 * DAYS_PER_YEAR, 7.69901118419740425e-03 * DAYS_PER_YEAR,
			-6.90460016972063023e-05 * DAYS_PER_YEAR, 9.54791938424326609e-04 * SOLAR_MASS,
		},
		{
			8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
			-2.76742510726862411e-03 * DAYS_PER_YEAR, 4.99852801234917238e-03 * DAYS_PER_YEAR,
			2.30417297573763929e-05 * DAYS_PER_YEAR, 2.85885980666130812e-04 * SOLAR_MASS,
		},
		{
			1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
			2.96460137564761618e-03 * DAYS_PER_YEAR, 2.37847173959480950e-03 * DAYS_PER_YEAR,
			-2.96589568540237556e-05 * DAYS_PER_YEAR, 4.36624404335156298e-05 * SOLAR_MASS,
		},
		{
			1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
			2.68067772490389322e-03 * DAYS_PER_YEAR, 1.62824170038242295e-03 * DAYS_PER_YEAR,
			-9.51592254519715870e-05 * DAYS_PER_YEAR, 5.15138902046611451e-05 * SOLAR_MASS,
		},
	}
}

func advance(bodies []*Body, dt float64) {
	n := len(bodies)
	for i := 0; i < n; i++ {
		bi := bodies[i]
		bix, biy, biz, bimass := bi.x, bi.y, bi.z, bi.mass
		bivx, bivy, bivz := bi.vx, bi.vy, bi.vz
		for j := i + 1; j < n; j++ {
			bj := bodies[j]
			dx := bix - bj.x
			dy := biy - bj.y
			dz := biz - bj.z
			d2 := dx*dx + dy*dy + dz*dz
			mag := math.Sqrt(d2)
			mag = dt / (mag * d2)
			bm := bj.mass * mag
			bivx -= dx * bm
			bivy -= dy * bm
			bivz -= dz * bm
			bm = bimass * mag
			bj.vx += dx * bm
			bj.vy += dy * bm
			bj.vz += dz * bm
		}
		bi.vx, bi.vy, bi.vz = bivx, bivy, bivz
		bi.x = bix + dt*bivx
		bi.y = biy + dt*bivy
		bi.z = biz + dt*bivz
	}
}

func energy(bodies []*Body) float64 {
	e := 0.0
	for i, bi := range bodies {
		e += 0.5 * bi.mass * (bi.vx*bi.vx + bi.vy*bi.vy + bi.vz*bi.vz)
		for j := i + 1; j < len(bodies); j++ {
			bj := bodies[j]
			dx := bi.x - bj.x
			dy := bi.y - bj.y
			dz := bi.z - bj.z
			e -= (bi.mass * bj.mass) / math.Sqrt(dx*dx+dy*dy+dz*dz)
		}
	}
	return e
}

func offsetMomentum(bodies []*Body) {
	var px, py, pz float64
	for _, b := range bodies {
		px += b.vx * b.mass
		py += b.vy * b.mass
		pz += b.vz * b.mass
	}
	bodies[0].vx = -px / SOLAR_MASS
	bodies[0].vy = -py / SOLAR_MASS
	bodies[0].vz = -pz / SOLAR_MASS
}

func main() {
	n := 500000
	if len(os.Args) > 1 {
		if v, err := strconv.Atoi(os.Args[1]); err == nil {
			n = v
		}
	}
	bodies := newBodies()
	offsetMomentum(bodies)
	fmt.Printf("%.9f\n", energy(bodies))
	for i := 0; i < n; i++ {
		advance(bodies, 0.01)
	}
	fmt.Printf("%.9f\n", energy(bodies))
}
