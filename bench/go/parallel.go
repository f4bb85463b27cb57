// parallel: two CPU-bound goroutines, each s += (i*i) % 7 for i in [0, n),
// joined with a sync.WaitGroup (reference implementation for bench/run, which
// runs it with GOMAXPROCS=1 and GOMAXPROCS=2).
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
)

func work(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += (i * i) % 7
	}
	return s
}

func main() {
	n := 30000000
	if len(os.Args) > 1 {
		if v, err := strconv.Atoi(os.Args[1]); err == nil {
			n = v
		}
	}
	res := make([]int, 2)
	var wg sync.WaitGroup
	for k := 0; k < 2; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			res[k] = work(n)
		}(k)
	}
	wg.Wait()
	fmt.Println(res[0] + res[1])
}
