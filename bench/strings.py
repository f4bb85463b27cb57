# strings: word frequencies over a generated text; measures building strings by
# concatenation, str.join, str.split, and dicts with string keys.
# The text (n lines of 5-12 words of 1-3 syllables) comes from a linear congruential
# generator, so strings.csp/.lua/go/strings.go build the same text and print the same.
# Usage: python3 strings.py [lines]   (default 100000)
import sys

SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "so", "ta", "vi"]

seed = 42


def lcg():
    """The generator's next value in [0, 2^15)."""
    global seed
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed >> 16


def make_text(n):
    """n lines of words separated by single spaces, joined by newlines."""
    lines = []
    for i in range(n):
        nwords = 5 + lcg() % 8
        words = []
        for j in range(nwords):
            nsyl = 1 + lcg() % 3
            w = ""
            for k in range(nsyl):
                w = w + SYLLABLES[lcg() % 8]
            words.append(w)
        lines.append(" ".join(words))
    return "\n".join(lines)


def top(counts, k):
    """The k entries of counts with the highest counts (ties: smaller word first) as
    "word=count" joined by spaces."""
    keys = sorted(counts, key=lambda w: (-counts[w], w))
    parts = []
    for w in keys[:k]:
        parts.append(w + "=" + str(counts[w]))
    return " ".join(parts)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    text = make_text(n)

    counts = {}
    pairs = {}  # first word of a line + "-" + its last word
    nlines = 0
    nwords = 0
    for line in text.split("\n"):
        words = line.split(" ")
        for w in words:
            counts[w] = counts.get(w, 0) + 1
        nwords += len(words)
        nlines += 1
        p = words[0] + "-" + words[-1]
        pairs[p] = pairs.get(p, 0) + 1

    keys = sorted(counts)
    parts = []
    for w in keys:
        parts.append(w + "=" + str(counts[w]))
    summary = ",".join(parts)

    print("text:", len(text), "bytes,", nlines, "lines,", nwords, "words")
    print("distinct:", len(counts), "words,", len(pairs), "pairs")
    print("summary:", len(summary), "bytes, starts", summary[:24])
    print("top words:", top(counts, 3))
    print("top pairs:", top(pairs, 3))


main()
