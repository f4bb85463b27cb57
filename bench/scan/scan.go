// bench/scan/scan.go — the Go program bench/scan/scan.csp is measured
// against: count stdin's lines and their bytes with bufio.Scanner.
package main

import (
	"bufio"
	"fmt"
	"os"
)

func main() {
	sc := bufio.NewScanner(os.Stdin)
	lines, bytes := 0, 0
	for sc.Scan() {
		lines++
		bytes += len(sc.Text())
	}
	fmt.Println(lines, bytes)
}
