// atomiccount: two goroutines each increment one shared atomic.Int64 n times
// with Add(1) (reference implementation for bench/run).
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
)

func main() {
	n := 5000000
	if len(os.Args) > 1 {
		if v, err := strconv.Atoi(os.Args[1]); err == nil {
			n = v
		}
	}
	var c atomic.Int64
	var wg sync.WaitGroup
	for k := 0; k < 2; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < n; i++ {
				c.Add(1)
			}
		}()
	}
	wg.Wait()
	fmt.Println(c.Load())
}
