// mutexcount: two goroutines each increment one shared counter n times under a
// sync.Mutex (reference implementation for bench/run).
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
)

func main() {
	n := 5000000
	if len(os.Args) > 1 {
		if v, err := strconv.Atoi(os.Args[1]); err == nil {
			n = v
		}
	}
	var mu sync.Mutex
	counter := 0
	var wg sync.WaitGroup
	for k := 0; k < 2; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < n; i++ {
				mu.Lock()
				counter++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	fmt.Println(counter)
}
