/* base/hash.h — the one string hash, for the VM's maps and string table
 * and the compiler's name tables.
 *
 * A word-at-a-time multiply-xorshift hash: much faster than FNV-1a on long
 * strings, good enough for hash tables (not for adversarial input).  Never
 * returns 0, so a cached hash of 0 can mean "not computed yet".  Inline: the
 * VM hashes on its hot paths.
 */
#ifndef CSP_BASE_HASH_H
#define CSP_BASE_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint32_t hash_bytes(const void *data, size_t n) {
    const char *s = data;
    const uint64_t k = 0x9E3779B97F4A7C15ull;
    uint64_t h = 0xCBF29CE484222325ull ^ ((uint64_t)n * k);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * k;
        h ^= h >> 32;
        s += 8;
        n -= 8;
    }
    if (n > 0) {
        uint64_t w = 0;
        memcpy(&w, s, n);
        h = (h ^ w) * k;
    }
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 32;
    uint32_t r = (uint32_t)h;
    return r ? r : 1;
}

static inline uint32_t hash_str(const char *s) {
    return hash_bytes(s, strlen(s));
}

#endif
