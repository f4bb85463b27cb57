// parked: start n goroutines that each block receiving on one shared channel,
// wait until all have started, print the goroutine count and exit (reference
// implementation for bench/run, which reports the memory per parked goroutine).
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
)

func main() {
	n := 100000
	if len(os.Args) > 1 {
		if v, err := strconv.Atoi(os.Args[1]); err == nil {
			n = v
		}
	}
	block := make(chan int)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			wg.Done()
			<-block
		}()
	}
	wg.Wait()
	fmt.Println(n, "parked,", runtime.NumGoroutine(), "goroutines")
}
