// maps: insert, lookup and delete with int keys, then string keys (reference
// implementation for bench/run).
package main

import (
	"fmt"
	"os"
	"strconv"
)

// intKeys runs the pass with the int keys i*7919 (sparse, so not a dense array).
func intKeys(n int) {
	m := map[int]int{}
	for i := 0; i < n; i++ {
		m[i*7919] = i
	}
	hits, sum := 0, 0
	for i := 0; i < 2*n; i++ {
		if v, ok := m[i*7919]; ok {
			hits++
			sum += v
		}
	}
	for i := 0; i < n; i += 3 {
		delete(m, i*7919)
	}
	for i := 0; i < n; i++ {
		if v, ok := m[i*7919]; ok {
			hits++
			sum += v
		}
	}
	count, total := 0, 0
	for _, v := range m {
		count++
		total += v
	}
	fmt.Println("int keys:", count, "left,", hits, "hits, sums", sum, total)
}

// stringKeys runs the same pass with the keys "k" + the decimal of i*7919.
func stringKeys(n int) {
	keys := []string{}
	for i := 0; i < 2*n; i++ {
		keys = append(keys, "k"+strconv.Itoa(i*7919))
	}
	m := map[string]int{}
	for i := 0; i < n; i++ {
		m[keys[i]] = i
	}
	hits, sum := 0, 0
	for i := 0; i < 2*n; i++ {
		if v, ok := m[keys[i]]; ok {
			hits++
			sum += v
		}
	}
	for i := 0; i < n; i += 3 {
		delete(m, keys[i])
	}
	for i := 0; i < n; i++ {
		if v, ok := m[keys[i]]; ok {
			hits++
			sum += v
		}
	}
	count, total := 0, 0
	for _, v := range m {
		count++
		total += v
	}
	fmt.Println("string keys:", count, "left,", hits, "hits, sums", sum, total)
}

func main() {
	n := 600000
	if len(os.Args) > 1 {
		if v, err := strconv.Atoi(os.Args[1]); err == nil {
			n = v
		}
	}
	intKeys(n)
	stringKeys(n)
}
