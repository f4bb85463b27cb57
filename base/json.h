/* base/json.h — a small, strict JSON reader (RFC 8259) for the files csp
 * itself reads back, such as execution traces (`csp trace`, repl/trace*.c).
 *
 * json_parse builds the whole document in one arena owned by a JsonDoc;
 * json_free releases it at once, and every value and string stays valid
 * until then.  Any input is safe: malformed text yields NULL and a message
 * with its line and column, never a crash (nesting is bounded, so deep
 * input cannot exhaust the C stack).  Strings are decoded to UTF-8 and
 * NUL-terminated; a \u0000 inside one is kept (len counts it), so a C
 * reader sees the string cut there.
 */
#ifndef CSP_BASE_JSON_H
#define CSP_BASE_JSON_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { JSON_NULL, JSON_FALSE, JSON_TRUE, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } JsonType;

typedef struct JsonValue JsonValue;
typedef struct JsonMember JsonMember;

struct JsonValue {
    JsonType type;
    union {
        double num; /* JSON_NUMBER */
        struct {
            const char *s;
            size_t len;
        } str; /* JSON_STRING */
        struct {
            JsonValue *items;
            size_t n;
        } arr; /* JSON_ARRAY */
        struct {
            JsonMember *members;
            size_t n;
        } obj; /* JSON_OBJECT, in the file's order */
    } u;
};

struct JsonMember {
    const char *key;
    size_t key_len;
    JsonValue value;
};

typedef struct JsonDoc JsonDoc;

/* Nesting deeper than this is refused (a trace needs 4). */
#define JSON_MAX_DEPTH 200

/* Parse text[0..len) (a leading UTF-8 byte-order mark is skipped).  On
 * success returns the root, owned by *doc.  On error returns NULL, sets
 * *doc to NULL and writes "line L, column C: what was wrong" to err. */
const JsonValue *json_parse(const char *text, size_t len, JsonDoc **doc, char *err, size_t errcap);
void json_free(JsonDoc *doc);

/* The member key of an object (the first one, if repeated), or NULL when v is
 * not an object or has no such member. */
const JsonValue *json_get(const JsonValue *v, const char *key);
/* The string, or NULL when v is NULL or not a string. */
const char *json_str(const JsonValue *v);
/* v's number in *out; false (and *out untouched) when v is not a number. */
bool json_num(const JsonValue *v, double *out);

#endif
