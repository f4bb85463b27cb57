// mpmc: two producers send n ints each into one buffered channel (capacity
// 100) that two consumers drain (reference implementation for bench/run).
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
)

func main() {
	n := 1000000
	if len(os.Args) > 1 {
		if v, err := strconv.Atoi(os.Args[1]); err == nil {
			n = v
		}
	}
	ch := make(chan int, 100)
	var producers, consumers sync.WaitGroup
	sums := make([]int, 2)
	for p := 0; p < 2; p++ {
		producers.Add(1)
		go func() {
			defer producers.Done()
			for i := 0; i < n; i++ {
				ch <- i
			}
		}()
	}
	for c := 0; c < 2; c++ {
		consumers.Add(1)
		go func(c int) {
			defer consumers.Done()
			s := 0
			for v := range ch {
				s += v
			}
			sums[c] = s
		}(c)
	}
	producers.Wait()
	close(ch)
	consumers.Wait()
	fmt.Println(sums[0] + sums[1])
}
