/* stdlib/utf8.h — UTF-8 decoding and the bits of Unicode the library needs
 * (Go's unicode/utf8 and a subset of package unicode).
 *
 * Decoding follows Go: an invalid or truncated sequence, an overlong form, a
 * surrogate or a code point above U+10FFFF decodes as U+FFFD of width 1, so
 * a loop that advances by the width visits every byte exactly once.
 * Case mapping covers ASCII, Latin-1, Latin Extended-A and Additional, Greek,
 * Cyrillic, Armenian and the fullwidth Latin letters; other runes map to
 * themselves.
 */
#ifndef CSP_STDLIB_UTF8_H
#define CSP_STDLIB_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UTF8_RUNE_ERROR 0xFFFD
#define UTF8_MAX_RUNE 0x10FFFF

/* Decode the rune at s[0..n), n > 0; returns its width in bytes (>= 1). */
int utf8_decode(const char *s, size_t n, int32_t *r);
/* Decode the last rune of s[0..n), n > 0; returns its width. */
int utf8_decode_last(const char *s, size_t n, int32_t *r);
/* Encode r into out (4 bytes of room); invalid runes encode U+FFFD. */
int utf8_encode(int32_t r, char *out);
size_t utf8_count(const char *s, size_t n);
bool utf8_valid_rune(int64_t r);

bool utf8_is_space(int32_t r); /* unicode.IsSpace */
bool utf8_is_print(int32_t r); /* unicode.IsPrint (approximate outside Latin-1) */
int32_t utf8_upper(int32_t r);
int32_t utf8_lower(int32_t r);

#endif
