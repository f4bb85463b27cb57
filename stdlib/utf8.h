/* stdlib/utf8.h — the bits of Unicode the library needs beyond the UTF-8
 * codec of base/utf8.h (which this header includes): a subset of package
 * unicode.
 *
 * Case mapping covers ASCII, Latin-1, Latin Extended-A and Additional, Greek,
 * Cyrillic, Armenian and the fullwidth Latin letters; other runes map to
 * themselves.
 */
#ifndef CSP_STDLIB_UTF8_H
#define CSP_STDLIB_UTF8_H

#include <stdbool.h>
#include <stdint.h>

#include "base/utf8.h"

bool utf8_is_space(int32_t r); /* unicode.IsSpace */
bool utf8_is_print(int32_t r); /* unicode.IsPrint (approximate outside Latin-1) */
int32_t utf8_upper(int32_t r);
int32_t utf8_lower(int32_t r);

#endif
