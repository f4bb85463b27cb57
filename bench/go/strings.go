// strings: word frequencies over a generated text (reference implementation for
// bench/run); the same linear congruential generator as strings.csp/.lua/.py.
package main

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

var syllables = []string{"ka", "lo", "mi", "ne", "ru", "so", "ta", "vi"}

var seed = 42

// lcg returns the generator's next value in [0, 2^15).
func lcg() int {
	seed = (seed*1103515245 + 12345) % 2147483648
	return seed >> 16
}

// makeText returns n lines of words separated by single spaces, joined by newlines.
func makeText(n int) string {
	lines := []string{}
	for i := 0; i < n; i++ {
		nwords := 5 + lcg()%8
		words := []string{}
		for j := 0; j < nwords; j++ {
			nsyl := 1 + lcg()%3
			w := ""
			for k := 0; k < nsyl; k++ {
				w = w + syllables[lcg()%8]
			}
			words = append(words, w)
		}
		lines = append(lines, strings.Join(words, " "))
	}
	return strings.Join(lines, "\n")
}

// top returns the k entries of counts with the highest counts (ties: smaller word
// first) as "word=count" joined by spaces.
func top(counts map[string]int, k int) string {
	keys := []string{}
	for w := range counts {
		keys = append(keys, w)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := counts[keys[i]], counts[keys[j]]
		if a != b {
			return a > b
		}
		return keys[i] < keys[j]
	})
	parts := []string{}
	for i := 0; i < k && i < len(keys); i++ {
		parts = append(parts, keys[i]+"="+strconv.Itoa(counts[keys[i]]))
	}
	return strings.Join(parts, " ")
}

func main() {
	n := 100000
	if len(os.Args) > 1 {
		if v, err := strconv.Atoi(os.Args[1]); err == nil {
			n = v
		}
	}
	text := makeText(n)

	counts := map[string]int{}
	pairs := map[string]int{} // first word of a line + "-" + its last word
	nlines := 0
	nwords := 0
	for _, line := range strings.Split(text, "\n") {
		words := strings.Split(line, " ")
		for _, w := range words {
			counts[w]++
		}
		nwords += len(words)
		nlines++
		pairs[words[0]+"-"+words[len(words)-1]]++
	}

	keys := []string{}
	for w := range counts {
		keys = append(keys, w)
	}
	sort.Strings(keys)
	parts := []string{}
	for _, w := range keys {
		parts = append(parts, w+"="+strconv.Itoa(counts[w]))
	}
	summary := strings.Join(parts, ",")

	fmt.Println("text:", len(text), "bytes,", nlines, "lines,", nwords, "words")
	fmt.Println("distinct:", len(counts), "words,", len(pairs), "pairs")
	fmt.Println("summary:", len(summary), "bytes, starts", summary[:24])
	fmt.Println("top words:", top(counts, 3))
	fmt.Println("top pairs:", top(pairs, 3))
}
