// skynet: each goroutine spawns 10 children, leaves send their number back over
// the parent's per-level result channel (reference implementation for bench/run;
// the classic skynet benchmark).
package main

import (
	"fmt"
	"os"
	"strconv"
)

func skynet(c chan int, num int, size int, div int) {
	if size == 1 {
		c <- num
		return
	}
	rc := make(chan int)
	sum := 0
	for i := 0; i < div; i++ {
		subNum := num + i*(size/div)
		go skynet(rc, subNum, size/div, div)
	}
	for i := 0; i < div; i++ {
		sum += <-rc
	}
	c <- sum
}

func main() {
	n := 1000000
	if len(os.Args) > 1 {
		if v, err := strconv.Atoi(os.Args[1]); err == nil {
			n = v
		}
	}
	c := make(chan int)
	go skynet(c, 0, n, 10)
	fmt.Println(<-c)
}
