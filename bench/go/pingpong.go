// pingpong: n round trips of an int between two goroutines over two unbuffered
// channels (reference implementation for bench/run).
package main

import (
	"fmt"
	"os"
	"strconv"
)

func ponger(ping, pong chan int) {
	for v := range ping {
		pong <- v + 1
	}
}

func main() {
	n := 1000000
	if len(os.Args) > 1 {
		if v, err := strconv.Atoi(os.Args[1]); err == nil {
			n = v
		}
	}
	ping := make(chan int)
	pong := make(chan int)
	go ponger(ping, pong)
	sum := 0
	for i := 0; i < n; i++ {
		ping <- i
		sum += <-pong
	}
	close(ping)
	fmt.Println(sum)
}
