/* base/utf8.c — UTF-8 decoding and encoding (see base/utf8.h). */
#include "base/utf8.h"

bool utf8_valid_rune(int64_t r) {
    return r >= 0 && r <= UTF8_MAX_RUNE && !(r >= 0xD800 && r <= 0xDFFF);
}

int utf8_decode_multi(const char *s, size_t n, int32_t *r) {
    const unsigned char *p = (const unsigned char *)s;
    unsigned c = p[0];
    if (c < 0x80) {
        *r = (int32_t)c;
        return 1;
    }
    int need;
    int32_t min, v;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1, min = 0x80, v = (int32_t)(c & 0x1F);
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2, min = 0x800, v = (int32_t)(c & 0x0F);
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3, min = 0x10000, v = (int32_t)(c & 0x07);
    } else {
        *r = UTF8_RUNE_ERROR;
        return 1;
    }
    if ((size_t)need >= n) {
        *r = UTF8_RUNE_ERROR;
        return 1;
    }
    for (int i = 1; i <= need; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *r = UTF8_RUNE_ERROR;
            return 1;
        }
        v = (v << 6) | (int32_t)(p[i] & 0x3F);
    }
    if (v < min || !utf8_valid_rune(v)) {
        *r = UTF8_RUNE_ERROR;
        return 1;
    }
    *r = v;
    return need + 1;
}

int utf8_decode_last(const char *s, size_t n, int32_t *r) {
    /* A rune is at most 4 bytes: try each start that could end at n. */
    size_t lim = n > UTF8_MAX_BYTES ? n - UTF8_MAX_BYTES : 0;
    for (size_t start = n - 1;; start--) {
        if (((unsigned char)s[start] & 0xC0) != 0x80) {
            int w = utf8_decode(s + start, n - start, r);
            if ((size_t)w == n - start)
                return w;
            break;
        }
        if (start == lim)
            break;
    }
    *r = UTF8_RUNE_ERROR;
    return 1;
}

int utf8_encode(int32_t r, char *out) {
    unsigned char *p = (unsigned char *)out;
    if (!utf8_valid_rune(r))
        r = UTF8_RUNE_ERROR;
    if (r < 0x80) {
        p[0] = (unsigned char)r;
        return 1;
    }
    if (r < 0x800) {
        p[0] = (unsigned char)(0xC0 | (r >> 6));
        p[1] = (unsigned char)(0x80 | (r & 0x3F));
        return 2;
    }
    if (r < 0x10000) {
        p[0] = (unsigned char)(0xE0 | (r >> 12));
        p[1] = (unsigned char)(0x80 | ((r >> 6) & 0x3F));
        p[2] = (unsigned char)(0x80 | (r & 0x3F));
        return 3;
    }
    p[0] = (unsigned char)(0xF0 | (r >> 18));
    p[1] = (unsigned char)(0x80 | ((r >> 12) & 0x3F));
    p[2] = (unsigned char)(0x80 | ((r >> 6) & 0x3F));
    p[3] = (unsigned char)(0x80 | (r & 0x3F));
    return 4;
}

size_t utf8_count(const char *s, size_t n) {
    size_t count = 0;
    for (size_t i = 0; i < n; count++) {
        int32_t r;
        i += (size_t)utf8_decode(s + i, n - i, &r);
    }
    return count;
}
