/* stdlib/utf8.c — spaces, printability and case of runes (the codec is base/utf8.c). */
#include "stdlib/utf8.h"

bool utf8_is_space(int32_t r) {
    if (r < 0x100)
        return r == ' ' || (r >= '\t' && r <= '\r') || r == 0x85 || r == 0xA0;
    return r == 0x1680 || (r >= 0x2000 && r <= 0x200A) || r == 0x2028 || r == 0x2029 || r == 0x202F ||
           r == 0x205F || r == 0x3000;
}

typedef struct RuneRange {
    int32_t lo, hi;
} RuneRange;

/* Runes that are not graphic: spaces other than U+0020, format characters,
 * private use, noncharacters (surrogates are never decoded). */
static const RuneRange not_print[] = {
    {0xAD, 0xAD},        {0x600, 0x605},     {0x61C, 0x61C},     {0x6DD, 0x6DD},     {0x70F, 0x70F},
    {0x1680, 0x1680},    {0x180E, 0x180E},   {0x2000, 0x200F},   {0x2028, 0x202F},   {0x205F, 0x2064},
    {0x2066, 0x206F},    {0x3000, 0x3000},   {0xE000, 0xF8FF},   {0xFDD0, 0xFDEF},   {0xFEFF, 0xFEFF},
    {0xFFF9, 0xFFFB},    {0x110BD, 0x110BD}, {0x1D173, 0x1D17A}, {0xE0001, 0xE0001}, {0xE0020, 0xE007F},
    {0xF0000, 0x10FFFF},
};

bool utf8_is_print(int32_t r) {
    if (r < 0x100)
        return (r >= 0x20 && r < 0x7F) || (r > 0xA0 && r != 0xAD);
    if ((r & 0xFFFE) == 0xFFFE || !utf8_valid_rune(r))
        return false;
    for (size_t i = 0; i < sizeof not_print / sizeof not_print[0]; i++)
        if (r >= not_print[i].lo && r <= not_print[i].hi)
            return false;
    return true;
}

/* Go's unicode.CaseRanges, abridged: to upper add d_upper, to lower add
 * d_lower; ALT marks a range alternating upper/lower starting at lo. */
#define ALT 0x7FFFFFFF
typedef struct CaseRange {
    int32_t lo, hi, d_upper, d_lower;
} CaseRange;

static const CaseRange cases[] = {
    {0x41, 0x5A, 0, 32},        {0x61, 0x7A, -32, 0},     {0xB5, 0xB5, 743, 0},
    {0xC0, 0xD6, 0, 32},        {0xD8, 0xDE, 0, 32},      {0xE0, 0xF6, -32, 0},
    {0xF8, 0xFE, -32, 0},       {0xFF, 0xFF, 121, 0},     {0x100, 0x12F, ALT, ALT},
    {0x130, 0x130, 0, -199},    {0x131, 0x131, -232, 0},  {0x132, 0x137, ALT, ALT},
    {0x139, 0x148, ALT, ALT},   {0x14A, 0x177, ALT, ALT}, {0x178, 0x178, 0, -121},
    {0x179, 0x17E, ALT, ALT},   {0x17F, 0x17F, -300, 0},  {0x386, 0x386, 0, 38},
    {0x388, 0x38A, 0, 37},      {0x38C, 0x38C, 0, 64},    {0x38E, 0x38F, 0, 63},
    {0x391, 0x3A1, 0, 32},      {0x3A3, 0x3AB, 0, 32},    {0x3AC, 0x3AC, -38, 0},
    {0x3AD, 0x3AF, -37, 0},     {0x3B1, 0x3C1, -32, 0},   {0x3C2, 0x3C2, -31, 0},
    {0x3C3, 0x3CB, -32, 0},     {0x3CC, 0x3CC, -64, 0},   {0x3CD, 0x3CE, -63, 0},
    {0x400, 0x40F, 0, 80},      {0x410, 0x42F, 0, 32},    {0x430, 0x44F, -32, 0},
    {0x450, 0x45F, -80, 0},     {0x460, 0x481, ALT, ALT}, {0x48A, 0x4BF, ALT, ALT},
    {0x531, 0x556, 0, 48},      {0x561, 0x586, -48, 0},   {0x1E00, 0x1E95, ALT, ALT},
    {0x1EA0, 0x1EFF, ALT, ALT}, {0xFF21, 0xFF3A, 0, 32},  {0xFF41, 0xFF5A, -32, 0},
};

static int32_t to_case(int32_t r, bool upper) {
    if (r < 0x80) {
        if (upper && r >= 'a' && r <= 'z')
            return r - 32;
        if (!upper && r >= 'A' && r <= 'Z')
            return r + 32;
        return r;
    }
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const CaseRange *c = &cases[i];
        if (r < c->lo)
            break;
        if (r > c->hi)
            continue;
        int32_t d = upper ? c->d_upper : c->d_lower;
        if (d != ALT)
            return r + d;
        /* Alternating: the rune at an even offset from lo is the upper one. */
        bool is_upper = ((r - c->lo) & 1) == 0;
        return upper ? (is_upper ? r : r - 1) : (is_upper ? r + 1 : r);
    }
    return r;
}

int32_t utf8_upper(int32_t r) {
    return to_case(r, true);
}
int32_t utf8_lower(int32_t r) {
    return to_case(r, false);
}
