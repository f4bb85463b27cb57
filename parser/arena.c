/* parser/arena.c — bump allocation for one parse.
 *
 * The tree of one file is built, compiled and then dropped as a whole, so the
 * nodes come from large chunks freed together: no per-node free, no leaks on
 * error paths, and a parse that stops half-way leaves nothing behind.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "parser/parse.h"

enum { ARENA_CHUNK = 64 * 1024, ARENA_ALIGN = 16 };

typedef struct Chunk {
    struct Chunk *next;
    size_t used, cap;
    /* the header is padded to ARENA_ALIGN so data starts aligned */
    _Alignas(ARENA_ALIGN) unsigned char data[];
} Chunk;

struct Arena {
    Chunk *head; /* the chunk being filled; older (and oversized) chunks follow */
};

Arena *arena_new(void) {
    Arena *a = mem_alloc(sizeof *a);
    a->head = NULL;
    return a;
}

void arena_free(Arena *a) {
    if (!a)
        return;
    for (Chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(a);
}

static Chunk *chunk_new(size_t cap) {
    Chunk *c = mem_alloc(sizeof(Chunk) + cap);
    c->next = NULL;
    c->used = 0;
    c->cap = cap;
    return c;
}

void *arena_alloc(Arena *a, size_t n) {
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX - 2 * ARENA_ALIGN - sizeof(Chunk))
        mem_oom();
    n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    Chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        if (n > ARENA_CHUNK / 4) {
            /* A big block gets its own chunk behind the current one, so the
             * free space left in the current chunk is not wasted. */
            Chunk *big = chunk_new(n);
            if (c) {
                big->next = c->next;
                c->next = big;
            } else {
                a->head = big;
            }
            big->used = n;
            memset(big->data, 0, n);
            return big->data;
        }
        c = chunk_new(ARENA_CHUNK);
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *arena_strndup(Arena *a, const char *s, size_t n) {
    char *p = arena_alloc(a, n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = 0;
    return p;
}

void nodelist_push(Arena *a, NodeList *l, Node *n) {
    if (l->len == l->cap) {
        int cap = l->cap ? l->cap * 2 : 4;
        Node **items = arena_alloc(a, (size_t)cap * sizeof *items);
        if (l->len)
            memcpy(items, l->items, (size_t)l->len * sizeof *items);
        l->items = items;
        l->cap = cap;
    }
    l->items[l->len++] = n;
}
