/* base/utf8.h — UTF-8 decoding and encoding, as Go's unicode/utf8 does it.
 *
 * The one codec of the tree: the lexer, the VM (range over a string,
 * string(rune), %q) and the library (package unicode/utf8, strings, strconv)
 * all use it.  Decoding follows Go: an invalid or truncated sequence, an
 * overlong form, a surrogate or a code point above U+10FFFF decodes as
 * U+FFFD of width 1, so a loop that advances by the width visits every byte
 * exactly once; a real U+FFFD in the text has width 3.  Encoding writes
 * U+FFFD for a rune that is not valid.
 */
#ifndef CSP_BASE_UTF8_H
#define CSP_BASE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UTF8_RUNE_ERROR 0xFFFD
#define UTF8_MAX_RUNE 0x10FFFF
#define UTF8_MAX_BYTES 4

int utf8_decode_multi(const char *s, size_t n, int32_t *r);

/* Decode the rune at s[0..n), n > 0; returns its width in bytes (>= 1).
 * Inline for ASCII: ranging over a string is a VM loop. */
static inline int utf8_decode(const char *s, size_t n, int32_t *r) {
    unsigned char c = (unsigned char)s[0];
    if (c < 0x80) {
        *r = (int32_t)c;
        return 1;
    }
    return utf8_decode_multi(s, n, r);
}

/* Decode the last rune of s[0..n), n > 0; returns its width. */
int utf8_decode_last(const char *s, size_t n, int32_t *r);
/* Encode r into out (UTF8_MAX_BYTES of room); returns the bytes written. */
int utf8_encode(int32_t r, char *out);
/* The number of runes in s[0..n). */
size_t utf8_count(const char *s, size_t n);
/* 0 <= r <= U+10FFFF and not a surrogate. */
bool utf8_valid_rune(int64_t r);

#endif
