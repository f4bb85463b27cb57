// maps: insert, lookup and delete with int keys, then string keys (reference
// implementation for bench/run).
package main

import (
	"fmt"
	"os"
	"strconv"
)

// lookup looks up keys[0:k] in m; it returns the hits and the sum of their values.
func lookup[K comparable](m map[K]int, keys []K, k int) (int, int) {
	hits, sum := 0, 0
	for i := 0; i < k; i++ {
		if v, ok := m[keys[i]]; ok {
			hits++
			sum += v
		}
	}
	return hits, sum
}

// pass runs the pass over keys (2n of them, distinct); key i maps to i.
func pass[K comparable](label string, keys []K, n int) {
	m := map[K]int{}
	for i := 0; i < n; i++ {
		m[keys[i]] = i
	}
	hits, sum := lookup(m, keys, 2*n)
	for i := 0; i < n; i += 3 {
		delete(m, keys[i])
	}
	hits2, sum2 := lookup(m, keys, n)
	count, total := 0, 0
	for _, v := range m {
		count++
		total += v
	}
	fmt.Println(label, count, "left,", hits+hits2, "hits, sums", sum+sum2, total)
}

func main() {
	n := 600000
	if len(os.Args) > 1 {
		if v, err := strconv.Atoi(os.Args[1]); err == nil {
			n = v
		}
	}
	// The int keys are i*7919, sparse so that no language can hold them in an array.
	intKeys := []int{}
	stringKeys := []string{}
	for i := 0; i < 2*n; i++ {
		intKeys = append(intKeys, i*7919)
		stringKeys = append(stringKeys, "k"+strconv.Itoa(i*7919))
	}
	pass("int keys:", intKeys, n)
	pass("string keys:", stringKeys, n)
}
