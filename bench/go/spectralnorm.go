// spectralnorm: the Computer Language Benchmarks Game spectral-norm, single-threaded
// (reference for bench/run).
package main

import (
	"fmt"
	"math"
	"os"
	"strconv"
)

func evalA(i, j int) float64 {
	return 1.0 / float64((i+j)*(i+j+1)/2+i+1)
}

func timesVec(v, u []float64) {
	for i := range v {
		s := 0.0
		for j := range u {
			s += evalA(i, j) * u[j]
		}
		v[i] = s
	}
}

func timesTransp(v, u []float64) {
	for i := range v {
		s := 0.0
		for j := range u {
			s += evalA(j, i) * u[j]
		}
		v[i] = s
	}
}

func aTimesTransp(v, u []float64) {
	x := make([]float64, len(u))
	timesVec(x, u)
	timesTransp(v, x)
}

func main() {
	n := 400
	if len(os.Args) > 1 {
		if a, err := strconv.Atoi(os.Args[1]); err == nil {
			n = a
		}
	}
	u := make([]float64, n)
	for i := range u {
		u[i] = 1
	}
	v := make([]float64, n)
	for i := 0; i < 10; i++ {
		aTimesTransp(v, u)
		aTimesTransp(u, v)
	}
	var vBv, vv float64
	for i, vi := range v {
		vBv += u[i] * vi
		vv += vi * vi
	}
	fmt.Printf("%0.9f\n", math.Sqrt(vBv/vv))
}
