// intloop: s += (i*i) % 7 for i in [0, n) (reference implementation for bench/run).
package main

import (
	"fmt"
	"os"
	"strconv"
)

func main() {
	n := 50000000
	if len(os.Args) > 1 {
		if v, err := strconv.Atoi(os.Args[1]); err == nil {
			n = v
		}
	}
	s := 0
	for i := 0; i < n; i++ {
		s += (i * i) % 7
	}
	fmt.Println(s)
}
