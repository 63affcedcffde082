/* Storage of the IR: arrays, arena, names, the opcode table, layout. */
#include "ir.h"

#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

_Noreturn void ir_out_of_memory(void)
{
    static const char msg[] = "clifrun: out of memory\n";
    ssize_t w = write(2, msg, sizeof msg - 1);   /* stdio may need memory itself */
    (void)w;
    _exit(3);
}

void *ir_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        ir_out_of_memory();
    return p;
}

void *ir_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        ir_out_of_memory();
    return p;
}

void *ir_xrealloc(void *v, size_t n)
{
    void *p = realloc(v, n ? n : 1);
    if (!p)
        ir_out_of_memory();
    return p;
}

char *ir_xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p)
        ir_out_of_memory();
    return p;
}

char *ir_xstrndup(const char *s, size_t n)
{
    char *p = strndup(s, n);
    if (!p)
        ir_out_of_memory();
    return p;
}

void *ir_vec_grow_(void *v, uint32_t *cap, uint32_t need, size_t elem)
{
    uint32_t c = *cap ? *cap : 4;   /* small: a function has a few of most things */
    while (c < need)
        c = c > UINT32_MAX / 2 ? UINT32_MAX : c * 2;
    void *p = ir_xrealloc(v, (size_t)c * elem);
    *cap = c;
    return p;
}

/* ---- arena ---------------------------------------------------------------- */

struct ir_arena_chunk {
    ir_arena_chunk *next;
    size_t used, size;
    size_t total;           /* bytes in this chunk and the ones before it */
    bool mapped;            /* a huge chunk (mmap), else the heap's */
    _Alignas(16) unsigned char data[];
};

/* An arena that has grown past ARENA_BIG (a file's, holding the heads of
 * thousands of dropped functions) takes huge chunks: 2 MiB-aligned
 * mappings the kernel may back with one transparent huge page each (THP in
 * madvise mode): one fault where 512 fresh 4 KiB pages would fault one at
 * a time, each ~10 us on a virtual machine. */
#define ARENA_BIG ((size_t)128 << 10)
#define ARENA_HUGE ((size_t)2 << 20)

static ir_arena_chunk *huge_chunk(void)
{
    /* twice the size, then the unaligned ends cut off */
    char *p = mmap(NULL, 2 * ARENA_HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    char *a = (char *)(((uintptr_t)p + ARENA_HUGE - 1) & ~(uintptr_t)(ARENA_HUGE - 1));
    if (a > p)
        munmap(p, (size_t)(a - p));
    munmap(a + ARENA_HUGE, (size_t)(p + ARENA_HUGE - a));     /* a < p + ARENA_HUGE: never empty */
    madvise(a, ARENA_HUGE, MADV_HUGEPAGE);      /* a hint: may be refused */
    ir_arena_chunk *c = (ir_arena_chunk *)a;
    c->size = ARENA_HUGE - sizeof *c;
    c->mapped = true;
    return c;
}

void *ir_arena_alloc(ir_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    ir_arena_chunk *c = a->head;
    if (!c || c->size - c->used < n) {
        /* chunks double from 64 bytes to 16 KiB: a small function's
         * names (its own, a callee's or two) fit in its first, and a file
         * read a function at a time keeps one for every function */
        size_t size = c ? (c->size < 8192 ? c->size * 2 : 16384) : 64, total = c ? c->total : 0;
        ir_arena_chunk *h = NULL;
        if (total >= ARENA_BIG && n <= ARENA_HUGE - sizeof *h)
            h = huge_chunk();
        if (h) {
            c = h;
        } else {
            if (size < n)
                size = n;
            c = ir_xmalloc(sizeof *c + size);
            c->size = size;
            c->mapped = false;
        }
        c->used = 0;
        c->total = total + c->size;
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

char *ir_arena_strndup(ir_arena *a, const char *s, size_t n)
{
    char *p = ir_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

void ir_arena_free(ir_arena *a)
{
    for (ir_arena_chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        if (c->mapped)
            munmap(c, sizeof *c + c->size);
        else
            free(c);
    }
    a->head = NULL;
}

/* ---- types ---------------------------------------------------------------- */

static const char *const lane_names[] = {"", "i8", "i16", "i32", "i64", "i128",
                                         "f16", "f32", "f64", "f128"};


const char *ir_type_name(ir_type t, char buf[16])
{
    if (ir_type_lane(t) == 0 || ir_type_lane(t) > IR_F128) {
        strcpy(buf, "invalid");
        return buf;
    }
    if (ir_type_log2_lanes(t))
        snprintf(buf, 16, "%sx%u", lane_names[ir_type_lane(t)], ir_type_lanes(t));
    else
        snprintf(buf, 16, "%s", lane_names[ir_type_lane(t)]);
    return buf;
}

ir_type ir_type_parse(const char *s, size_t n)
{
    if (n < 2 || n > 10)
        return IR_TYPE_NONE;
    size_t i = 1;
    unsigned bits = 0;
    if (s[0] != 'i' && s[0] != 'f' && s[0] != 'r')
        return IR_TYPE_NONE;
    while (i < n && s[i] >= '0' && s[i] <= '9' && bits < 1000)
        bits = bits * 10 + (unsigned)(s[i++] - '0');
    if (i == 1 || (s[1] == '0'))
        return IR_TYPE_NONE;
    unsigned lane = 0;
    if (s[0] == 'r') {          /* legacy reference types: pointer-sized ints */
        if (i != n)
            return IR_TYPE_NONE;
        return bits == 32 ? IR_I32 : bits == 64 ? IR_I64 : IR_TYPE_NONE;
    }
    for (unsigned k = s[0] == 'i' ? IR_I8 : IR_F16; k <= (s[0] == 'i' ? IR_I128 : IR_F128); k++)
        if (ir_lane_bits_table[k] == bits)
            lane = k;
    if (!lane)
        return IR_TYPE_NONE;
    if (i == n)
        return (ir_type)lane;
    if (s[i] != 'x' || i + 1 == n)
        return IR_TYPE_NONE;
    unsigned lanes = 0;
    for (i++; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || lanes > 256)
            return IR_TYPE_NONE;
        lanes = lanes * 10 + (unsigned)(s[i] - '0');
    }
    unsigned log2 = 0;
    while ((1u << log2) < lanes)
        log2++;
    /* Cranelift: power-of-two lane counts 2..256, at most 16*? bits overall */
    if (lanes < 2 || (1u << log2) != lanes || log2 > 8)
        return IR_TYPE_NONE;
    return ir_type_make(lane, log2);
}

/* ---- names of enumerations ------------------------------------------------ */

#define X_(name) #name,
const char *const ir_intcc_names[IR_INTCC_COUNT] = {IR_INTCC(X_)};
const char *const ir_floatcc_names[IR_FLOATCC_COUNT] = {IR_FLOATCC(X_)};
const char *const ir_atomic_rmw_names[IR_RMW_COUNT] = {IR_ATOMIC_RMW(X_)};
const char *const ir_callconv_names[IR_CC_COUNT] = {"", IR_CALLCONV(X_)};
#undef X_

static const char *const trap_names[] = {"", "stk_ovf", "heap_oob", "int_ovf", "int_divz", "bad_toint"};

bool ir_trapcode_parse(const char *s, size_t n, ir_trapcode *out)
{
    for (unsigned i = 1; i < sizeof trap_names / sizeof *trap_names; i++)
        if (strlen(trap_names[i]) == n && !memcmp(s, trap_names[i], n)) {
            *out = (ir_trapcode)i;
            return true;
        }
    /* Trap codes of releases before wasmtime 26, which today's wasmtime
     * encodes as user codes (its Trap enum + TRAP_OFFSET 3). */
    static const struct { const char *name; unsigned user; } legacy[] = {
        {"heap_misaligned", 5}, {"table_oob", 6}, {"icall_null", 7}, {"bad_sig", 8},
        {"unreachable", 12}, {"interrupt", 13}, {"null_reference", 16}, {"null_i31ref", 16},
    };
    for (unsigned i = 0; i < sizeof legacy / sizeof *legacy; i++)
        if (strlen(legacy[i].name) == n && !memcmp(s, legacy[i].name, n)) {
            *out = (ir_trapcode)(IR_TRAP_USER + legacy[i].user);
            return true;
        }
    if (n < 5 || n > 7 || memcmp(s, "user", 4))
        return false;
    unsigned v = 0;
    for (size_t i = 4; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > 255)
        return false;
    *out = (ir_trapcode)(IR_TRAP_USER + v);
    return true;
}

const char *ir_trapcode_name(ir_trapcode c, char buf[16])
{
    if (c >= IR_TRAP_USER)
        snprintf(buf, 16, "user%u", (unsigned)(c - IR_TRAP_USER));
    else if (c < sizeof trap_names / sizeof *trap_names)
        snprintf(buf, 16, "%s", c ? trap_names[c] : "notrap");
    else
        snprintf(buf, 16, "trap%u", (unsigned)c);
    return buf;
}

/* ---- the opcode table ------------------------------------------------------ */

const ir_opinfo ir_opcodes[IR_OP_COUNT] = {
#define OP(id, name, fmt, flags, ctrl, res, args) {name, IR_FMT_##fmt, flags, ctrl, res, args},
#include "opcodes.def"
#undef OP
};

/* Per opcode: the index of its typevar operand + 1 (0: none), filled on
 * first use with the hash table below (idempotent, so racing threads agree). */
static int8_t op_ctrl_arg1[IR_OP_COUNT];
static bool op_tables_ready;

#define OP_HASH_SIZE 1024u /* power of two, well above the opcode count */
static uint16_t op_hash[OP_HASH_SIZE];   /* opcode + 1, 0 = empty */
static uint64_t op_prefix[IR_OP_COUNT];  /* the name's first 8 bytes, zero-padded */
static const uint8_t op_len[IR_OP_COUNT] = {
#define OP(id, name, fmt, flags, ctrl, res, args) sizeof(name) - 1,
#include "opcodes.def"
#undef OP
};

/* The first min(n, 8) bytes of s as a little-endian word, zero-padded,
 * without reading past s + n and without a loop. */
static inline uint64_t name_prefix(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    uint64_t w = 0;
    if (n >= 8) {
        for (unsigned i = 0; i < 8; i++)
            w |= (uint64_t)u[i] << (8 * i);
    } else if (n >= 4) {
        uint64_t lo = (uint64_t)u[0] | (uint64_t)u[1] << 8 | (uint64_t)u[2] << 16 | (uint64_t)u[3] << 24;
        const unsigned char *t = u + n - 4;
        uint64_t hi = (uint64_t)t[0] | (uint64_t)t[1] << 8 | (uint64_t)t[2] << 16 | (uint64_t)t[3] << 24;
        w = lo | hi << (8 * (n - 4));
    } else if (n) {
        w = (uint64_t)u[0] | (uint64_t)u[n / 2] << (8 * (n / 2)) | (uint64_t)u[n - 1] << (8 * (n - 1));
    }
    return w;
}

static inline uint32_t hash_name(const char *s, size_t n, uint64_t prefix)
{
    uint64_t h = (prefix ^ (uint64_t)n << 59) * 0x9e3779b97f4a7c15ull;
    if (n > 8)
        h ^= name_prefix(s + n - 8, 8) * 0xc2b2ae3d27d4eb4full;
    return (uint32_t)(h >> 40);
}

static void op_tables_init(void)
{
    for (unsigned op = 0; op < IR_OP_COUNT; op++) {
        const char *t = strchr(ir_opcodes[op].args, 'T');
        op_ctrl_arg1[op] = (int8_t)(t && ir_opcodes[op].ctrl[0] ? t - ir_opcodes[op].args + 1 : 0);
        op_prefix[op] = name_prefix(ir_opcodes[op].name, op_len[op]);
        uint32_t h = hash_name(ir_opcodes[op].name, op_len[op], op_prefix[op]) & (OP_HASH_SIZE - 1);
        while (op_hash[h] && op_hash[h] != op + 1)
            h = (h + 1) & (OP_HASH_SIZE - 1);
        op_hash[h] = (uint16_t)(op + 1);
    }
    op_tables_ready = true;
}

int ir_op_ctrl_arg(ir_opcode op)
{
    if (!op_tables_ready)
        op_tables_init();
    return op_ctrl_arg1[op] - 1;
}

ir_opcode ir_opcode_lookup(const char *s, size_t n)
{
    if (!op_tables_ready)
        op_tables_init();
    uint64_t w = name_prefix(s, n);
    for (uint32_t h = hash_name(s, n, w) & (OP_HASH_SIZE - 1); op_hash[h]; h = (h + 1) & (OP_HASH_SIZE - 1)) {
        unsigned op = op_hash[h] - 1u;
        if (op_prefix[op] == w && op_len[op] == n && (n <= 8 || !memcmp(ir_opcodes[op].name + 8, s + 8, n - 8)))
            return (ir_opcode)op;
    }
    return IR_OP_COUNT;
}

/* ---- functions --------------------------------------------------------------- */

/* A function's arrays: the head's, and the body's (all of the body) */
#define HEAD_ARRAYS(X) X(abi_params) X(sigs) X(func_refs) X(user_names) X(fn_defined)
#define BODY_ARRAYS(X)                                                                              \
    X(stack_slots) X(dyn_slots) X(dyn_types) X(gvs) X(constants) X(regions) X(region_defined)       \
    X(sig_defined) X(ss_defined) X(dss_defined) X(dt_defined) X(gv_defined) X(const_defined)        \
    X(values) X(blocks) X(layout) X(insts) X(stack_maps) X(pool) X(bytes)
#define ARRAY_SIZE(a) + sizeof ((ir_function *)0)->a
_Static_assert(0 BODY_ARRAYS(ARRAY_SIZE) == sizeof(ir_function) - IR_FUNCTION_HEAD, "BODY_ARRAYS lists the body");
/* and the head: its fields, then its arrays and arena (ir_file_new_function) */
_Static_assert(0 HEAD_ARRAYS(ARRAY_SIZE) + sizeof(ir_arena) == IR_FUNCTION_HEAD - offsetof(ir_function, abi_params),
               "HEAD_ARRAYS lists the head's arrays");

void ir_function_init(ir_function *f)
{
    memset(f, 0, sizeof *f);
    f->stack_limit = IR_NONE;
    /* never NULL: &pool.v[inst.args] of an instruction without operands,
     * in a function without any, would be NULL + 0 (undefined; clang's
     * UBSan says so) */
    ir_vec_reserve(&f->pool, 1);
}

/* What a thread keeps for the next file it reads, a slot per user
 * (ir_thread_keep); freed when the thread ends (a pthread key) or by
 * ir_thread_release. */
typedef struct thread_kept {
    void *p[IR_KEEP_COUNT];
    void (*free_fn[IR_KEEP_COUNT])(void *);
} thread_kept;
static _Thread_local thread_kept *kept;
static pthread_key_t kept_key;
static bool kept_key_ok;
static pthread_once_t kept_once = PTHREAD_ONCE_INIT;

static void kept_free(void *v)
{
    thread_kept *k = v;
    for (unsigned i = 0; i < IR_KEEP_COUNT; i++)
        if (k->p[i])
            k->free_fn[i](k->p[i]);
    free(k);
}

static void kept_key_create(void)
{
    kept_key_ok = !pthread_key_create(&kept_key, kept_free);
}

void *ir_thread_take(ir_keep slot)
{
    void *p = kept ? kept->p[slot] : NULL;
    if (p)
        kept->p[slot] = NULL;
    return p;
}

bool ir_thread_keep(ir_keep slot, void *p, void (*free_fn)(void *))
{
    if (!kept) {
        pthread_once(&kept_once, kept_key_create);
        thread_kept *k = kept_key_ok ? calloc(1, sizeof *k) : NULL;
        if (!k || pthread_setspecific(kept_key, k)) {
            free(k);
            return false;
        }
        kept = k;
    }
    if (kept->p[slot])
        return false;
    kept->p[slot] = p;
    kept->free_fn[slot] = free_fn;
    return true;
}

void ir_thread_release(void)
{
    if (!kept)
        return;
    kept_free(kept);
    kept = NULL;
    pthread_setspecific(kept_key, NULL);
}

/* Functions of the files this thread freed, for the next it reads: the
 * storage of their arrays saves a malloc and a free of each, every
 * function (2% of `clifrun test`, which reads and frees a file at a
 * time).  A few, none large (IR_KEEP_FUNCS). */
enum { IDLE_FUNCS = 32, IDLE_BYTES = 32 << 10 };
typedef struct idle_funcs { uint32_t n; ir_function *v[IDLE_FUNCS]; } idle_funcs;

static void function_release(ir_function *f)
{
    ir_function_free(f);
    free(f);
}

static void idle_free(void *v)
{
    idle_funcs *d = v;
    for (uint32_t i = 0; i < d->n; i++)
        function_release(d->v[i]);
    free(d);
}

/* f (not a dropped body), kept for the next function read or freed */
static void function_retire(ir_function *f)
{
    idle_funcs *idle = kept ? kept->p[IR_KEEP_FUNCS] : NULL;
    if (!idle && (idle = calloc(1, sizeof *idle)) && !ir_thread_keep(IR_KEEP_FUNCS, idle, idle_free))
        free(idle), idle = NULL;
#define CAP_BYTES(a) +(size_t)f->a.cap * sizeof *f->a.v
    if (!idle || idle->n == IDLE_FUNCS || 0 HEAD_ARRAYS(CAP_BYTES) BODY_ARRAYS(CAP_BYTES) > IDLE_BYTES) {
        function_release(f);
        return;
    }
#undef CAP_BYTES
    ir_arena_free(&f->arena);
    idle->v[idle->n++] = f;
}

ir_function *ir_file_new_function(ir_file *file)
{
    ir_function *f;
    idle_funcs *idle = kept ? kept->p[IR_KEEP_FUNCS] : NULL;
    if (file->spare.n) {
        f = file->spare.v[--file->spare.n];
    } else if (idle && idle->n) {
        f = idle->v[--idle->n];
    } else {
        f = ir_xmalloc(sizeof *f);
        ir_function_init(f);
        return f;
    }
    /* a function whose body was dropped (or of a file freed), emptied as
     * ir_function_init leaves one with its arrays' storage kept: no
     * malloc and free of each array a function (an eighth of reading
     * many5000) */
    memset(f, 0, offsetof(ir_function, abi_params));
    f->stack_limit = IR_NONE;
#define EMPTY(a) f->a.n = 0;
    HEAD_ARRAYS(EMPTY) BODY_ARRAYS(EMPTY)
#undef EMPTY
    f->arena.head = NULL;   /* (freed by ir_file_drop_body, function_retire) */
    ir_vec_reserve(&f->pool, 1);
    return f;
}

const ir_abi_param *ir_sig_params(const ir_function *f, const ir_signature *s)
{
    return s->nparams ? &f->abi_params.v[s->params] : NULL;
}

const ir_abi_param *ir_sig_rets(const ir_function *f, const ir_signature *s)
{
    return s->nrets ? &f->abi_params.v[s->rets] : NULL;
}

/* v[0..n) copied to *at (advanced) */
static void *pack(char **at, const void *v, uint32_t *cap, uint32_t n, size_t elem)
{
    void *p = n ? *at : NULL;
    if (n)
        memcpy(p, v, n * elem);
    *at += n * elem;
    *cap = n;
    return p;
}

static size_t name_size(const ir_extname *n)
{
    return n->str ? strlen(n->str) + 1 : 0;
}

static void pack_name(char **at, ir_extname *n)
{
    if (n->str) {
        size_t k = strlen(n->str) + 1;
        n->str = memcpy(*at, n->str, k);
        *at += k;
    }
}

void ir_file_drop_body(ir_file *file, uint32_t i)
{
    ir_function *f = file->funcs.v[i];
    if (f->body_dropped)
        return;
    /* one allocation, no padding but what alignment needs: the head, the
     * arrays of 8-byte then 4-byte alignment, presence bits, names */
    size_t size = (IR_FUNCTION_HEAD + 7) & ~(size_t)7;
    size += f->func_refs.n * sizeof *f->func_refs.v + f->user_names.n * sizeof *f->user_names.v +
            f->abi_params.n * sizeof *f->abi_params.v + f->sigs.n * sizeof *f->sigs.v +
            f->fn_defined.n + name_size(&f->name);
    for (uint32_t k = 0; k < f->func_refs.n; k++)
        size += name_size(&f->func_refs.v[k].name);
    for (uint32_t k = 0; k < f->user_names.n; k++)
        size += name_size(&f->user_names.v[k]);
    _Static_assert(_Alignof(ir_func_ref) <= 8 && _Alignof(ir_extname) <= 8 && _Alignof(ir_abi_param) <= 4 &&
                   _Alignof(ir_signature) <= 4 && sizeof(ir_func_ref) % 8 == 0 && sizeof(ir_extname) % 8 == 0 &&
                   sizeof(ir_abi_param) % 4 == 0, "ir_file_drop_body packs these in this order");
    ir_function *h = ir_arena_alloc(&file->arena, size);
    memcpy(h, f, IR_FUNCTION_HEAD);
    h->body_dropped = true;
    char *at = (char *)h + ((IR_FUNCTION_HEAD + 7) & ~(size_t)7);
    h->func_refs.v = pack(&at, f->func_refs.v, &h->func_refs.cap, f->func_refs.n, sizeof *f->func_refs.v);
    h->user_names.v = pack(&at, f->user_names.v, &h->user_names.cap, f->user_names.n,
                           sizeof *f->user_names.v);
    h->abi_params.v = pack(&at, f->abi_params.v, &h->abi_params.cap, f->abi_params.n,
                           sizeof *f->abi_params.v);
    h->sigs.v = pack(&at, f->sigs.v, &h->sigs.cap, f->sigs.n, sizeof *f->sigs.v);
    h->fn_defined.v = pack(&at, f->fn_defined.v, &h->fn_defined.cap, f->fn_defined.n,
                           sizeof *f->fn_defined.v);
    /* the names, out of the function's own arena */
    pack_name(&at, &h->name);
    for (uint32_t k = 0; k < h->func_refs.n; k++)
        pack_name(&at, &h->func_refs.v[k].name);
    for (uint32_t k = 0; k < h->user_names.n; k++)
        pack_name(&at, &h->user_names.v[k]);
    ir_arena_free(&f->arena);
    h->arena.head = NULL;
    ir_vec_push(&file->spare, f);   /* its arrays for the next function read */
    file->funcs.v[i] = h;
}

void ir_function_free(ir_function *f)
{
    if (f->body_dropped)    /* all of it in its file's arena */
        return;
#define FREE(a) ir_vec_free(&f->a);
    HEAD_ARRAYS(FREE) BODY_ARRAYS(FREE)
#undef FREE
    ir_arena_free(&f->arena);
}

static uint32_t inst_new(ir_function *f, uint32_t b)
{
    ir_inst_data d;
    memset(&d, 0, sizeof d);
    d.prev = d.next = IR_NONE;
    d.block = b;
    d.srcloc = IR_NONE;
    ir_vec_push(&f->insts, d);
    return f->insts.n - 1;
}

uint32_t ir_inst_append(ir_function *f, uint32_t b)
{
    uint32_t i = inst_new(f, b);
    ir_block_link_last(f, &f->blocks.v[b], i);
    return i;
}

uint32_t ir_inst_insert_before(ir_function *f, uint32_t before)
{
    uint32_t b = f->insts.v[before].block;
    uint32_t i = inst_new(f, b);
    uint32_t prev = f->insts.v[before].prev;
    f->insts.v[i].prev = prev;
    f->insts.v[i].next = before;
    f->insts.v[before].prev = i;
    if (prev != IR_NONE)
        f->insts.v[prev].next = i;
    else
        f->blocks.v[b].first = i;
    return i;
}

void ir_inst_remove(ir_function *f, uint32_t i)
{
    ir_inst_data *d = &f->insts.v[i];
    ir_block_data *bd = &f->blocks.v[d->block];
    if (d->prev != IR_NONE)
        f->insts.v[d->prev].next = d->next;
    else
        bd->first = d->next;
    if (d->next != IR_NONE)
        f->insts.v[d->next].prev = d->prev;
    else
        bd->last = d->prev;
    d->prev = d->next = d->block = IR_NONE;
}

uint32_t ir_value_new(ir_function *f, uint8_t kind, ir_type t, uint32_t def, uint32_t num)
{
    ir_value_data v = {.kind = kind, .type = t, .def = def, .num = num};
    ir_vec_push(&f->values, v);
    return f->values.n - 1;
}

uint32_t ir_value_resolve(const ir_function *f, uint32_t v)
{
    /* the parser rejects alias cycles, so this ends */
    while (v < f->values.n && f->values.v[v].kind == IR_VAL_ALIAS)
        v = f->values.v[v].def;
    return v;
}

uint32_t ir_inst_build(ir_function *f, uint32_t before, ir_opcode op, ir_type type, const uint32_t *args,
                       unsigned nargs)
{
    uint32_t i = ir_inst_insert_before(f, before);
    ir_inst_data *in = &f->insts.v[i];
    const ir_inst_data *at = &f->insts.v[before];
    in->op = (uint16_t)op;
    in->type = type;
    in->line = at->line;
    in->col = at->col;
    in->srcloc = at->srcloc;
    in->ent = IR_NONE;
    in->mf = (ir_memflags){.trap = IR_TRAP_heap_oob};
    in->args = f->pool.n;
    in->nargs = (uint16_t)nargs;
    for (unsigned k = 0; k < nargs; k++)
        ir_vec_push(&f->pool, args[k]);
    const char *res = ir_opcodes[op].res;
    uint32_t nres = (uint32_t)strlen(res);
    /* results: pool entries first, then values (values may realloc) */
    uint32_t roff = f->pool.n;
    for (uint32_t k = 0; k < nres; k++)
        ir_vec_push(&f->pool, 0);
    f->insts.v[i].res = roff;
    f->insts.v[i].nres = (uint16_t)nres;
    for (uint32_t k = 0; k < nres; k++) {
        uint32_t v = ir_value_new(f, IR_VAL_RESULT, ir_type_derive(res[k], type), i, k);
        f->values.v[v].line = f->insts.v[i].line;
        f->values.v[v].col = f->insts.v[i].col;
        f->pool.v[roff + k] = v;
    }
    return i;
}

/* ---- files ------------------------------------------------------------------- */

void ir_file_free(ir_file *file)
{
    for (uint32_t i = 0; i < file->funcs.n; i++)
        if (!file->funcs.v[i]->body_dropped)   /* (else in the file's arena) */
            function_retire(file->funcs.v[i]);
    ir_vec_free(&file->funcs);
    for (uint32_t i = 0; i < file->spare.n; i++)
        function_retire(file->spare.v[i]);
    ir_vec_free(&file->spare);
    ir_vec_free(&file->tests);
    ir_vec_free(&file->settings);
    ir_vec_free(&file->targets);
    ir_vec_free(&file->target_flags);
    ir_vec_free(&file->runs);
    ir_vec_free(&file->data);
    ir_vec_free(&file->warnings);
    ir_arena_free(&file->arena);
}

uint32_t ir_file_find_func(const ir_file *file, const ir_extname *n)
{
    for (uint32_t i = 0; i < file->funcs.n; i++) {
        const ir_extname *m = &file->funcs.v[i]->name;
        if (n->kind == IR_NAME_TESTCASE && m->kind == IR_NAME_TESTCASE && !strcmp(n->str, m->str))
            return i;
        if (n->kind == IR_NAME_USER && m->kind == IR_NAME_USER && n->ns == m->ns && n->index == m->index)
            return i;
    }
    /* cranelift_module style: u0:N is the N-th function of the file */
    if (n->kind == IR_NAME_USER && n->ns == 0 && n->index < file->funcs.n)
        return n->index;
    return IR_NONE;
}

/* ---- diagnostics -------------------------------------------------------------- */

void ir_diag_set(ir_diag *d, uint32_t line, uint32_t col, const char *fmt, ...)
{
    d->line = line;
    d->col = col;
    d->nmore = d->text_len = 0;
    d->truncated = false;
    va_list ap;
    va_start(ap, fmt);
    if (!strcmp(fmt, "%s")) {
        /* as vsnprintf would, without its machinery: clearing a diag with
         * "" was 3 page faults of a small file's start (libc's printf code) */
        const char *s = va_arg(ap, const char *);
        if (!s)
            s = "(null)";
        size_t n = strnlen(s, sizeof d->msg - 1);
        memcpy(d->msg, s, n);
        d->msg[n] = 0;
    } else {
        vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    }
    va_end(ap);
}

static void diag_push(ir_diag *d, uint32_t line, uint32_t col, const char *msg)
{
    size_t n = strlen(msg);
    if (d->nmore == IR_DIAG_MORE || d->text_len + n + 1 > sizeof d->text) {
        d->truncated = true;
        return;
    }
    d->more[d->nmore].line = line;
    d->more[d->nmore].col = col;
    d->more[d->nmore].off = d->text_len;
    memcpy(d->text + d->text_len, msg, n + 1);
    d->text_len = (uint16_t)(d->text_len + n + 1);
    d->nmore++;
}

void ir_diag_add(ir_diag *d, uint32_t line, uint32_t col, const char *fmt, ...)
{
    char msg[sizeof d->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!d->line && !d->msg[0])
        ir_diag_set(d, line, col, "%s", msg);
    else
        diag_push(d, line, col, msg);
}

unsigned ir_diag_count(const ir_diag *d) { return d->line || d->msg[0] ? 1u + d->nmore : 0u; }

void ir_diag_merge(ir_diag *dst, const ir_diag *src)
{
    if (!ir_diag_count(src))
        return;
    if (!ir_diag_count(dst)) {
        const char *file = dst->file, *text = dst->src;
        size_t len = dst->len;
        memcpy(dst, src, sizeof *dst);
        if (file) {
            dst->file = file, dst->src = text, dst->len = len;
        }
        return;
    }
    diag_push(dst, src->line, src->col, src->msg);
    for (unsigned i = 0; i < src->nmore; i++)
        diag_push(dst, src->more[i].line, src->more[i].col, src->text + src->more[i].off);
    dst->truncated |= src->truncated;
}

/* Bytes [0, n) of s that print as themselves: a valid UTF-8 sequence of a
 * character that is not a control character, C0 (and DEL) or C1 (U+0080 to
 * U+009F, 0xC2 0x80..0x9F: 0x9B is a terminal's CSI).  0 for a byte that
 * must be escaped. */
static size_t printable_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80)
        return c >= 0x20 && c != 0x7f ? 1 : 0;
    size_t len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
    if (!len || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if (c == 0xc2 && s[1] < 0xa0)       /* C1 */
        return 0;
    if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f) ||
        (c == 0xed && s[1] > 0x9f))     /* overlong, past U+10FFFF, surrogates */
        return 0;
    return len;
}

/* s[0, n) with each byte that would not print as itself (control bytes,
 * C1 in UTF-8 or raw, invalid UTF-8) as '?': one column per byte, so that
 * the caret under a quoted line stays where it was, and no input can
 * drive the terminal.  Tabs stay when keep_tab. */
void ir_fput_escaped(FILE *out, const char *s, size_t n, bool keep_tab)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t l = printable_len(u + i, n - i);
        if (!l) {
            fputc(keep_tab && u[i] == '\t' ? '\t' : '?', out);
            i++;
            continue;
        }
        fwrite(u + i, 1, l, out);
        i += l;
    }
}

static void fput_str(FILE *out, const char *s)
{
    ir_fput_escaped(out, s, strlen(s), false);
}

/* "file:line:col: KIND: msg", then the source line and a caret. */
static void print_located(FILE *out, const char *file, const char *src, size_t srclen, uint32_t line,
                          uint32_t col, const char *kind, const char *kind_color, const char *msg, bool color)
{
    const char *bold = color ? "\033[1m" : "", *colr = color ? kind_color : "",
               *green = color ? "\033[1;32m" : "", *reset = color ? "\033[0m" : "";
    fputs(bold, out);
    fput_str(out, file ? file : "<input>");
    if (line)
        fprintf(out, ":%u:%u", line, col ? col : 1);
    fprintf(out, ": %s%s: %s%s", colr, kind, reset, bold);
    fput_str(out, msg);
    fprintf(out, "%s\n", reset);
    if (!src || !line)
        return;
    /* find the line; linear, but only once per reported error */
    const char *p = src, *end = src + srclen;
    for (uint32_t l = 1; l < line && p < end; p++)
        if (*p == '\n')
            l++;
    const char *e = p;
    while (e < end && *e != '\n')
        e++;
    /* quote at most 200 columns around the caret so a 1 MB line stays readable */
    size_t c = col ? col - 1 : 0, from = 0, len = (size_t)(e - p);
    if (c > len)
        c = len;
    if (c > 150)
        from = c - 100;
    size_t to = len - from > 200 ? from + 200 : len;
    fputs(from ? "..." : "", out);
    ir_fput_escaped(out, p + from, to - from, true);
    fputs(to < len ? "...\n" : "\n", out);
    for (size_t i = from ? from - 3 : 0; i < c; i++)
        fputc(i >= from && p[i] == '\t' ? '\t' : ' ', out);
    fprintf(out, "%s^%s\n", green, reset);
}

void ir_diag_print(FILE *out, const ir_diag *d, bool color)
{
    print_located(out, d->file, d->src, d->len, d->line, d->col, "error", "\033[1;31m", d->msg, color);
    for (unsigned i = 0; i < d->nmore && i < IR_DIAG_MORE; i++)
        print_located(out, d->file, d->src, d->len, d->more[i].line, d->more[i].col, "error", "\033[1;31m",
                      d->text + d->more[i].off, color);
    if (d->truncated)
        print_located(out, d->file, NULL, 0, 0, 0, "note", "\033[1;36m", "further errors not shown", color);
}

void ir_warn_print(FILE *out, const char *file, const char *src, size_t len, uint32_t line, uint32_t col,
                   const char *msg, bool color)
{
    print_located(out, file, src, len, line, col, "warning", "\033[1;35m", msg, color);
}

/* ---- copies and edits ------------------------------------------------------ */

#define COPY_VEC(dst, src)                                                         \
    do {                                                                           \
        (dst).n = (dst).cap = (src).n;                                             \
        (dst).v = NULL;                                                            \
        if ((src).n) {                                                             \
            (dst).v = ir_xmalloc((size_t)(src).n * sizeof *(src).v);                \
            memcpy((dst).v, (src).v, (size_t)(src).n * sizeof *(src).v);           \
        }                                                                          \
    } while (0)

void ir_function_copy(ir_function *dst, const ir_function *src)
{
    bool head = src->body_dropped;
    if (head) {     /* a head alone (its body's fields not allocated): an empty body */
        memset(dst, 0, sizeof *dst);
        memcpy(dst, src, IR_FUNCTION_HEAD);
        dst->body_dropped = false;
    } else {
        *dst = *src;
    }
    memset(&dst->arena, 0, sizeof dst->arena);  /* names stay in src's arena */
    COPY_VEC(dst->abi_params, src->abi_params);
    COPY_VEC(dst->sigs, src->sigs);
    COPY_VEC(dst->func_refs, src->func_refs);
    COPY_VEC(dst->user_names, src->user_names);
    COPY_VEC(dst->fn_defined, src->fn_defined);
    if (head) {
        ir_vec_reserve(&dst->pool, 1);
        return;
    }
    COPY_VEC(dst->stack_slots, src->stack_slots);
    COPY_VEC(dst->dyn_slots, src->dyn_slots);
    COPY_VEC(dst->dyn_types, src->dyn_types);
    COPY_VEC(dst->gvs, src->gvs);
    COPY_VEC(dst->constants, src->constants);
    COPY_VEC(dst->regions, src->regions);
    COPY_VEC(dst->sig_defined, src->sig_defined);
    COPY_VEC(dst->ss_defined, src->ss_defined);
    COPY_VEC(dst->dss_defined, src->dss_defined);
    COPY_VEC(dst->dt_defined, src->dt_defined);
    COPY_VEC(dst->gv_defined, src->gv_defined);
    COPY_VEC(dst->const_defined, src->const_defined);
    COPY_VEC(dst->region_defined, src->region_defined);
    COPY_VEC(dst->values, src->values);
    COPY_VEC(dst->blocks, src->blocks);
    COPY_VEC(dst->layout, src->layout);
    COPY_VEC(dst->insts, src->insts);
    COPY_VEC(dst->pool, src->pool);
    ir_vec_reserve(&dst->pool, 1);  /* never NULL, as ir_function_init says */
    COPY_VEC(dst->bytes, src->bytes);
}


void ir_value_replace(ir_function *f, uint32_t v, uint32_t to)
{
    to = ir_value_resolve(f, to);
    if (to == v)
        return;
    f->values.v[v].kind = IR_VAL_ALIAS;
    f->values.v[v].def = to;
}

uint32_t ir_inst_new(ir_function *f, uint32_t before, ir_opcode op, ir_type t, uint32_t nargs,
                      const uint32_t *args)
{
    uint32_t i = ir_inst_insert_before(f, before);
    ir_inst_data *in = &f->insts.v[i];
    in->op = (uint16_t)op;
    in->type = t;
    in->line = f->insts.v[before].line;
    in->col = f->insts.v[before].col;
    in->nargs = (uint16_t)nargs;
    in->args = f->pool.n;
    for (uint32_t k = 0; k < nargs; k++)
        ir_vec_push(&f->pool, args[k]);
    uint32_t v = ir_value_new(f, IR_VAL_RESULT, t, i, 0);
    in = &f->insts.v[i];
    in->nres = 1;
    in->res = f->pool.n;
    ir_vec_push(&f->pool, v);
    return i;
}
