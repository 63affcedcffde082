/* The generator: random, valid, terminating CLIF run tests, after
 * cranelift-fuzzgen (function_generator.rs) but written as text.
 *
 * A program is 1..max_funcs functions, each calling only those before it
 * (a DAG: no recursion), %main last, with run lines after it.  A function
 * is structured code: straight-line runs of instructions, diamonds and
 * triangles (brif), br_table fans, and loops whose counter bounds the trip
 * count, nested a little; every join is a block with parameters.  Values
 * are visible by scope (what dominates), so SSA holds by construction.
 * Results are sinks: many values folded into each returned value, so a
 * wrong value anywhere shows, and values defined early stay live to the
 * end (register pressure, spills).
 *
 * What would make a result legitimately differ between engines is never
 * generated: NaN payloads (every operation that may make a NaN is followed
 * by fcmp uno + select of the canonical NaN, as fuzzgen does), memory read
 * before it is written (slots are filled first), misaligned `aligned`
 * accesses, and addresses (stack_addr, func_addr, sarg pointers) reaching
 * a result. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

/* ---- buffers and random numbers ----------------------------------------------- */

void fuzz_buf_put(fuzz_buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p)
            abort();    /* out of memory: nothing sensible is left to do */
        b->s = p, b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = 0;
}

void fuzz_buf_vprintf(fuzz_buf *b, const char *fmt, va_list ap)
{
    char small[256];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n < 0) {
        va_end(ap2);
        return;
    }
    if ((size_t)n < sizeof small) {
        fuzz_buf_put(b, small, (size_t)n);
    } else {
        char *big = malloc((size_t)n + 1);
        if (!big)
            abort();
        vsnprintf(big, (size_t)n + 1, fmt, ap2);
        fuzz_buf_put(b, big, (size_t)n);
        free(big);
    }
    va_end(ap2);
}

void fuzz_buf_printf(fuzz_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fuzz_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void fuzz_buf_free(fuzz_buf *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void fuzz_rng_seed(fuzz_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t rotl64(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t fuzz_rng_next(fuzz_rng *r)
{
    uint64_t *s = r->s, res = rotl64(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0], s[3] ^= s[1], s[1] ^= s[2], s[0] ^= s[3], s[2] ^= t, s[3] = rotl64(s[3], 45);
    return res;
}

uint32_t fuzz_rng_below(fuzz_rng *r, uint32_t n)
{
    return (uint32_t)(((fuzz_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

bool fuzz_rng_chance(fuzz_rng *r, unsigned pct) { return fuzz_rng_below(r, 100) < pct; }

/* ---- generator state ---------------------------------------------------------- */

uint32_t fuzz_newval(fuzz_gen *g, ir_type t, uint8_t kind)
{
    ir_vec_push(&g->vals, ((fuzz_val){g->nv, t, kind}));
    return g->nv++;
}

uint32_t fuzz_newid(fuzz_gen *g) { return g->nv++; }

void fuzz_line(fuzz_gen *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fuzz_buf_put(&g->body, "    ", 4);
    fuzz_buf_vprintf(&g->body, fmt, ap);
    fuzz_buf_put(&g->body, "\n", 1);
    va_end(ap);
    g->budget--;
}

fuzz_rng *fuzz_gen_rng(fuzz_gen *g) { return &g->r; }
bool fuzz_gen_vectors(fuzz_gen *g) { return g->o->vectors; }
bool fuzz_gen_big(fuzz_gen *g) { return g->o->big; }

const fuzz_region *fuzz_regions(fuzz_gen *g, uint32_t *n)
{
    *n = g->nregs;
    return g->regs;
}

static bool is_int(ir_type t) { return !ir_type_is_vector(t) && ir_type_is_int(t); }

/* A type of the pool: scalars, vectors when enabled. */
ir_type fuzz_any_type(fuzz_gen *g)
{
    if (g->nfocus && fuzz_rng_chance(&g->r, 80))
        return g->focus[fuzz_rng_below(&g->r, g->nfocus)];
    if (g->o->vectors && fuzz_rng_chance(&g->r, 20))
        return fuzz_vector_types[fuzz_rng_below(&g->r, 6)];
    return fuzz_scalar_type(&g->r);
}

/* ---- constants at the edges ---------------------------------------------------- */

static unsigned __int128 edge_int(fuzz_rng *r, unsigned bits)
{
    unsigned __int128 one = 1, all = bits == 128 ? ~(unsigned __int128)0 : (one << bits) - 1;
    unsigned __int128 min = one << (bits - 1), v;
    switch (fuzz_rng_below(r, 20)) {
    case 0: v = 0; break;
    case 1: v = 1; break;
    case 2: v = all; break;                 /* -1 */
    case 3: v = min; break;
    case 4: v = min - 1; break;             /* MAX */
    case 5: v = min + 1; break;
    case 6: v = all - 1; break;
    case 7: v = fuzz_rng_below(r, 17); break;
    case 8: v = bits - 1 + fuzz_rng_below(r, 3); break;   /* shift amounts near the width */
    case 9: v = one << fuzz_rng_below(r, bits); break;
    case 10: v = (one << fuzz_rng_below(r, bits)) - 1; break;
    case 11: v = ~(unsigned __int128)fuzz_rng_below(r, 8); break;
    case 12: v = 0x80 + fuzz_rng_below(r, 3) - 1; break;
    case 13: v = 0xffffffffull + fuzz_rng_below(r, 3) - 1; break;
    case 14: v = 0x7fffffffull + fuzz_rng_below(r, 3) - 1; break;
    default:
        v = (unsigned __int128)fuzz_rng_next(r) << 64;     /* one call per statement: */
        v |= fuzz_rng_next(r);                              /* the order is the same everywhere */
        break;
    }
    return v & all;
}

static uint64_t edge_f64(fuzz_rng *r)
{
    static const uint64_t e[] = {
        0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull, 0x3fe0000000000000ull,
        0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull, 0x7fefffffffffffffull,
        0x0010000000000000ull, 1, 0x41e0000000000000ull /* 2^31 */, 0xc1e0000000000000ull,
        0x41f0000000000000ull /* 2^32 */, 0x43e0000000000000ull /* 2^63 */, 0xc3e0000000000000ull,
        0x43f0000000000000ull /* 2^64 */, 0x41dfffffffe00000ull /* 2^31-1 */, 0xc1e0000000200000ull,
        0x4340000000000000ull /* 2^53 */, 0x3ff8000000000000ull, 0x4004000000000000ull /* 2.5 */,
        0xc004000000000000ull, 0x41efffffffe00000ull, 0x47e0000000000000ull /* 2^127 */,
        0x7ff4000000000001ull /* sNaN */, 0xfff8000000000123ull,
    };
    if (fuzz_rng_chance(r, 75))
        return e[fuzz_rng_below(r, sizeof e / sizeof e[0])];
    if (fuzz_rng_chance(r, 50)) { /* a small number: something integer conversions keep */
        uint64_t m = (uint64_t)fuzz_rng_below(r, 1u << 20) << 32;
        return 0x4000000000000000ull + m - (fuzz_rng_below(r, 2) ? 0x0200000000000000ull : 0);
    }
    return fuzz_rng_next(r);
}

static uint32_t edge_f32(fuzz_rng *r)
{
    static const uint32_t e[] = {
        0, 0x80000000u, 0x3f800000u, 0xbf800000u, 0x3f000000u, 0x7f800000u, 0xff800000u, 0x7fc00000u,
        0x7f7fffffu, 0x00800000u, 1, 0x4f000000u /* 2^31 */, 0xcf000000u, 0x4f800000u /* 2^32 */,
        0x5f000000u /* 2^63 */, 0xdf000000u, 0x5f800000u /* 2^64 */, 0x4effffffu, 0x4b000000u,
        0x3fc00000u, 0x40200000u, 0xc0200000u, 0x7effffffu, 0x7f000000u /* 2^127 */, 0x7fa00001u, 0xffc00123u,
    };
    if (fuzz_rng_chance(r, 75))
        return e[fuzz_rng_below(r, sizeof e / sizeof e[0])];
    if (fuzz_rng_chance(r, 50)) {
        uint32_t m = fuzz_rng_below(r, 1u << 22) << 1;
        return 0x40000000u + m - (fuzz_rng_below(r, 2) ? 0x01000000u : 0);
    }
    return (uint32_t)fuzz_rng_next(r);
}

static uint16_t edge_f16(fuzz_rng *r)
{
    static const uint16_t e[] = {
        0, 0x8000, 0x3c00 /* 1 */, 0xbc00, 0x3800 /* 0.5 */, 0x7c00, 0xfc00, 0x7e00, 0x7bff /* max */,
        0x0400 /* min normal */, 1, 0x03ff, 0x5800 /* 128 */, 0xd800, 0x7800 /* 2^15 */, 0xf800,
        0x3e00 /* 1.5 */, 0x4100 /* 2.5 */, 0xc100, 0x7d01 /* sNaN */, 0xfe23, 0x57f8 /* 127 */,
    };
    if (fuzz_rng_chance(r, 75))
        return e[fuzz_rng_below(r, sizeof e / sizeof e[0])];
    return (uint16_t)fuzz_rng_next(r);
}

typedef unsigned __int128 u128;

static u128 edge_f128(fuzz_rng *r)
{
    /* the high 64 bits; the low ones mostly 0 */
    static const uint64_t e[] = {
        0, 0x8000000000000000ull, 0x3fff000000000000ull /* 1 */, 0xbfff000000000000ull,
        0x3ffe000000000000ull /* 0.5 */, 0x7fff000000000000ull, 0xffff000000000000ull,
        0x7fff800000000000ull, 0x7ffeffffffffffffull /* max, with low all ones */, 0x0001000000000000ull,
        0x401e000000000000ull /* 2^31 */, 0xc01e000000000000ull, 0x403e000000000000ull /* 2^63 */,
        0xc03e000000000000ull, 0x403f000000000000ull /* 2^64 */, 0x407e000000000000ull /* 2^127 */,
        0xc07e000000000000ull, 0x3fff800000000000ull /* 1.5 */, 0x4000400000000000ull /* 2.5 */,
        0x7fff400000000000ull /* sNaN */, 0xffff800000000123ull, 0x4034000000000000ull /* 2^53 */,
    };
    if (fuzz_rng_chance(r, 75)) {
        uint64_t hi = e[fuzz_rng_below(r, sizeof e / sizeof e[0])];
        uint64_t lo = hi == 0x7ffeffffffffffffull ? ~0ull : fuzz_rng_chance(r, 20) ? 1 : 0;
        return (u128)hi << 64 | lo;
    }
    u128 v = (u128)fuzz_rng_next(r) << 64;
    return v | fuzz_rng_next(r);
}

/* A value of t at the edges, as run-line data (lanes for vectors). */
static void edge_value(fuzz_rng *r, ir_type t, ir_data_value *dv)
{
    memset(dv, 0, sizeof *dv);
    dv->type = t;
    unsigned lanes = ir_type_lanes(t), lb = ir_type_lane_bits(t) / 8;
    ir_type lane = ir_type_lane(t);
    bool same = lanes > 1 && fuzz_rng_chance(r, 30);     /* a splat */
    for (unsigned k = 0; k < lanes; k++) {
        uint8_t *p = dv->bytes + k * lb;
        if (same && k) {
            memcpy(p, dv->bytes, lb);
            continue;
        }
        if (lane == IR_F32) {
            uint32_t x = edge_f32(r);
            memcpy(p, &x, 4);
        } else if (lane == IR_F64) {
            uint64_t x = edge_f64(r);
            memcpy(p, &x, 8);
        } else if (lane == IR_F16) {
            uint16_t x = edge_f16(r);
            memcpy(p, &x, 2);
        } else if (lane == IR_F128) {
            u128 x = edge_f128(r);
            memcpy(p, &x, 16);
        } else {
            unsigned __int128 x = edge_int(r, lb * 8);
            memcpy(p, &x, lb);
        }
    }
}

static void put_int(fuzz_buf *b, fuzz_rng *r, unsigned __int128 v, unsigned bits)
{
    char buf[64];
    if (bits <= 64 && fuzz_rng_chance(r, 25)) {
        fuzz_buf_printf(b, "0x%llx", (unsigned long long)v);
        return;
    }
    __int128 s = bits == 128 ? (__int128)v : (__int128)(v << (128 - bits)) >> (128 - bits);
    ir_print_i128(buf, sizeof buf, s);
    fuzz_buf_printf(b, "%s", buf);
}

uint32_t fuzz_const_int(fuzz_gen *g, ir_type t, unsigned __int128 v)
{
    if (t == IR_I128) {
        uint64_t lo = (uint64_t)v, hi = (uint64_t)(v >> 64);
        uint32_t l = fuzz_const_int(g, IR_I64, lo);
        if (hi == 0 || hi == ~0ull) {
            if ((hi == ~0ull) == ((int64_t)lo < 0) && fuzz_rng_chance(&g->r, 70)) {
                uint32_t id = fuzz_newval(g, t, FUZZ_V_CONST);
                fuzz_line(g, "v%u = sextend.i128 v%u", id, l);
                return id;
            }
            if (!hi && fuzz_rng_chance(&g->r, 70)) {
                uint32_t id = fuzz_newval(g, t, FUZZ_V_CONST);
                fuzz_line(g, "v%u = uextend.i128 v%u", id, l);
                return id;
            }
        }
        uint32_t h = fuzz_const_int(g, IR_I64, hi), id = fuzz_newval(g, t, FUZZ_V_CONST);
        fuzz_line(g, "v%u = iconcat v%u, v%u", id, l, h);
        return id;
    }
    v &= ((unsigned __int128)1 << ir_type_bits(t)) - 1;    /* a shift amount may be wider */
    uint32_t id = fuzz_newval(g, t, FUZZ_V_CONST);
    fuzz_buf tmp = {0};
    put_int(&tmp, &g->r, v, ir_type_bits(t));
    fuzz_line(g, "v%u = iconst.%s %s", id, fuzz_tname(t), tmp.s);
    fuzz_buf_free(&tmp);
    return id;
}

static uint32_t const_float(fuzz_gen *g, ir_type t, u128 bits)
{
    uint8_t b[16];
    memcpy(b, &bits, 16);      /* little-endian hosts only, as the rest of clifrun */
    char txt[96];
    ir_print_ieee(txt, sizeof txt, ir_type_bits(t), b);
    uint32_t id = fuzz_newval(g, t, FUZZ_V_CONST);
    fuzz_line(g, "v%u = %sconst %s", id, fuzz_tname(t), txt);
    return id;
}

static uint32_t const_vector(fuzz_gen *g, ir_type t, const uint8_t *bytes)
{
    uint32_t id = fuzz_newval(g, t, FUZZ_V_CONST);
    char hex[40];
    for (int k = 15, i = 0; k >= 0; k--, i += 2)
        snprintf(hex + i, 3, "%02x", bytes[k]);
    fuzz_line(g, "v%u = vconst.%s 0x%s", id, fuzz_tname(t), hex);
    return id;
}

uint32_t fuzz_const(fuzz_gen *g, ir_type t)
{
    if (ir_type_is_vector(t)) {
        ir_data_value dv;
        edge_value(&g->r, t, &dv);
        return const_vector(g, t, dv.bytes);
    }
    if (t == IR_F32)
        return const_float(g, t, edge_f32(&g->r));
    if (t == IR_F64)
        return const_float(g, t, edge_f64(&g->r));
    if (t == IR_F16)
        return const_float(g, t, edge_f16(&g->r));
    if (t == IR_F128)
        return const_float(g, t, edge_f128(&g->r));
    return fuzz_const_int(g, t, edge_int(&g->r, ir_type_bits(t)));
}

/* ---- choosing operands ----------------------------------------------------------- */

/* A visible value of type t (often a recent one), or a new constant: so
 * every operand position sees constants and values alike. */
uint32_t fuzz_pick(fuzz_gen *g, ir_type t)
{
    if (fuzz_rng_chance(&g->r, 12))
        return fuzz_const(g, t);
    uint32_t n = 0, recent[8];
    for (uint32_t i = g->vals.n; i-- > 0;)
        if (g->vals.v[i].t == t) {
            if (n < 8)
                recent[n] = g->vals.v[i].id;
            n++;
        }
    if (!n)
        return fuzz_const(g, t);
    /* the latest value often: chains of values used once, which die at
     * their use, so the allocator hands their register to the result */
    if (fuzz_rng_chance(&g->r, 30))
        return recent[0];
    if (fuzz_rng_chance(&g->r, 50))
        return recent[fuzz_rng_below(&g->r, n < 8 ? n : 8)];
    uint32_t k = fuzz_rng_below(&g->r, n);
    for (uint32_t i = g->vals.n; i-- > 0;)
        if (g->vals.v[i].t == t && k-- == 0)
            return g->vals.v[i].id;
    return recent[0];
}

/* A value that is 0 or 1 (an icmp result), for carries. */
static uint32_t pick_bool(fuzz_gen *g)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < g->vals.n; i++)
        n += g->vals.v[i].kind == FUZZ_V_BOOL;
    if (n && fuzz_rng_chance(&g->r, 60)) {
        uint32_t k = fuzz_rng_below(&g->r, n);
        for (uint32_t i = 0; i < g->vals.n; i++)
            if (g->vals.v[i].kind == FUZZ_V_BOOL && k-- == 0)
                return g->vals.v[i].id;
    }
    ir_type t = fuzz_scalar_types[fuzz_rng_below(&g->r, 5)];
    uint32_t a = fuzz_pick(g, t), b = fuzz_pick(g, t), id = fuzz_newval(g, IR_I8, FUZZ_V_BOOL);
    fuzz_line(g, "v%u = icmp %s v%u, v%u", id, ir_intcc_names[fuzz_rng_below(&g->r, IR_INTCC_COUNT)], a, b);
    return id;
}

/* Any visible integer scalar (or a constant), with its type. */
uint32_t fuzz_any_int(fuzz_gen *g, ir_type *t)
{
    *t = fuzz_scalar_types[fuzz_rng_below(&g->r, 5)];
    return fuzz_pick(g, *t);
}

/* v of integer type t as an i64 (narrower: extended, i128: reduced). */
uint32_t fuzz_to_i64(fuzz_gen *g, uint32_t v, ir_type t)
{
    if (t == IR_I64)
        return v;
    uint32_t id = fuzz_newval(g, IR_I64, FUZZ_V_PLAIN);
    if (t == IR_I128)
        fuzz_line(g, "v%u = ireduce.i64 v%u", id, v);
    else
        fuzz_line(g, "v%u = %s.i64 v%u", id, fuzz_rng_chance(&g->r, 50) ? "uextend" : "sextend", v);
    return id;
}

/* ---- instructions ------------------------------------------------------------------ */

static bool makes_nan(ir_opcode op)
{
    switch (op) {
    case IR_OP_fadd: case IR_OP_fsub: case IR_OP_fmul: case IR_OP_fdiv: case IR_OP_sqrt: case IR_OP_fma:
    case IR_OP_fmin: case IR_OP_fmax: case IR_OP_ceil: case IR_OP_floor: case IR_OP_trunc:
    case IR_OP_nearest: case IR_OP_fpromote: case IR_OP_fdemote: case IR_OP_fvdemote:
    case IR_OP_fvpromote_low:
        return true;
    default:
        return false;
    }
}

/* Replace the float value v (the last one defined) by v if it is a number,
 * else the canonical NaN: results never depend on NaN payload rules. */
static void canonicalize(fuzz_gen *g, uint32_t v, ir_type t)
{
    g->vals.n--;    /* the raw value is not for use */
    if (!ir_type_is_vector(t)) {
        uint32_t c = fuzz_newval(g, IR_I8, FUZZ_V_BOOL);
        fuzz_line(g, "v%u = fcmp uno v%u, v%u", c, v, v);
        static const u128 canon[] = {0x7e00, 0x7fc00000u, 0x7ff8000000000000ull, (u128)0x7fff800000000000ull << 64};
        uint32_t nan = const_float(g, t, canon[t == IR_F32 ? 1 : t == IR_F64 ? 2 : t == IR_F128 ? 3 : 0]);
        uint32_t r = fuzz_newval(g, t, FUZZ_V_PLAIN);
        fuzz_line(g, "v%u = select v%u, v%u, v%u", r, c, nan, v);
        return;
    }
    uint8_t bytes[16];
    for (unsigned k = 0; k < 16; k += 4) {
        uint32_t x = t == fuzz_vector_types[4] ? 0x7fc00000u : (k & 4) ? 0x7ff80000u : 0;
        memcpy(bytes + k, &x, 4);
    }
    ir_type it = t == fuzz_vector_types[4] ? fuzz_vector_types[2] : fuzz_vector_types[3];
    uint32_t m = fuzz_newval(g, it, FUZZ_V_PLAIN);
    fuzz_line(g, "v%u = fcmp uno v%u, v%u", m, v, v);
    uint32_t nan = const_vector(g, t, bytes);
    uint32_t mf = fuzz_newval(g, t, FUZZ_V_PLAIN);
    fuzz_line(g, "v%u = bitcast.%s v%u", mf, fuzz_tname(t), m);
    uint32_t r = fuzz_newval(g, t, FUZZ_V_PLAIN);
    fuzz_line(g, "v%u = bitselect v%u, v%u, v%u", r, mf, nan, v);
}

/* Divisors are mostly kept from 0 (and -1 for signed ops), in one of
 * several ways, so that division runs and sometimes traps. */
static uint32_t divisor(fuzz_gen *g, ir_type t, bool sign)
{
    unsigned bits = ir_type_bits(t), mode = fuzz_rng_below(&g->r, 100);
    unsigned __int128 all = bits == 128 ? ~(unsigned __int128)0 : (((unsigned __int128)1 << bits) - 1);
    if (mode < 8)
        return fuzz_pick(g, t);
    if (mode < 40) {
        unsigned __int128 v;
        do
            v = edge_int(&g->r, bits);
        while (!v || (sign && v == all));
        if (fuzz_rng_chance(&g->r, 40))
            v = 2 + fuzz_rng_below(&g->r, 12);
        return fuzz_const_int(g, t, v);
    }
    uint32_t y = fuzz_pick(g, t), one = fuzz_const_int(g, t, 1), r = fuzz_newval(g, t, FUZZ_V_PLAIN);
    if (mode < 70) {
        if (fuzz_rng_chance(&g->r, 50))
            fuzz_line(g, "v%u = bor v%u, v%u", r, y, one);
        else
            fuzz_line(g, "v%u = bor v%u, v%u", r, one, y);
        if (sign) {
            uint32_t mx = fuzz_const_int(g, t, all >> 1), r2 = fuzz_newval(g, t, FUZZ_V_PLAIN);
            fuzz_line(g, "v%u = band v%u, v%u", r2, r, mx);
            r = r2;
        }
        return r;
    }
    uint32_t zero = fuzz_const_int(g, t, 0), c = fuzz_newval(g, IR_I8, FUZZ_V_BOOL);
    fuzz_line(g, "v%u = icmp eq v%u, v%u", c, y, zero);
    fuzz_line(g, "v%u = select v%u, v%u, v%u", r, c, one, y);
    if (sign) {
        uint32_t m1 = fuzz_const_int(g, t, all), c2 = fuzz_newval(g, IR_I8, FUZZ_V_BOOL), r2 = fuzz_newval(g, t, FUZZ_V_PLAIN);
        fuzz_line(g, "v%u = icmp eq v%u, v%u", c2, r, m1);
        fuzz_line(g, "v%u = select v%u, v%u, v%u", r2, c2, one, r);
        r = r2;
    }
    return r;
}

/* float constant of value x as type t (f16, f128: x is 0 or a normal
 * number f128 holds exactly; beyond f16's range it is infinity) */
static uint32_t const_real(fuzz_gen *g, ir_type t, double x)
{
    if (t == IR_F16 || t == IR_F128) {
        uint64_t d;
        memcpy(&d, &x, 8);
        u128 sign = d >> 63, frac = d & 0x000fffffffffffffull, b;
        int e = (int)((d >> 52) & 0x7ff) - 1023;
        if (x == 0)
            b = 0;
        else if (t == IR_F128)
            b = (u128)(e + 16383) << 112 | frac << 60;
        else
            b = e > 15 ? 0x7c00 : (u128)(e + 15) << 10 | frac >> 42;
        return const_float(g, t, b | sign << (ir_type_bits(t) - 1));
    }
    if (t == IR_F32) {
        float f = (float)x;
        uint32_t b;
        memcpy(&b, &f, 4);
        return const_float(g, t, b);
    }
    uint64_t b;
    memcpy(&b, &x, 8);
    return const_float(g, t, b);
}

/* fcvt_to_sint/uint trap on NaN and out-of-range inputs: mostly the input
 * is clamped into range first (fuzzgen's fcvt pass), sometimes not. */
static uint32_t fcvt_input(fuzz_gen *g, ir_type ft, ir_type it, bool sign)
{
    uint32_t x = fuzz_pick(g, ft);
    if (fuzz_rng_chance(&g->r, 15))
        return x;
    unsigned w = ir_type_bits(it);
    double lo = sign ? -__builtin_ldexp(1.0, (int)w - 1) : -1.0;
    double hi = __builtin_ldexp(1.0, sign ? (int)w - 1 : (int)w);
    uint32_t l = const_real(g, ft, lo), h = const_real(g, ft, hi);
    uint32_t c1 = fuzz_newval(g, IR_I8, FUZZ_V_BOOL), c2 = fuzz_newval(g, IR_I8, FUZZ_V_BOOL);
    fuzz_line(g, "v%u = fcmp %s v%u, v%u", c1, sign ? "ge" : "gt", x, l);
    fuzz_line(g, "v%u = fcmp lt v%u, v%u", c2, x, h);
    uint32_t c = fuzz_newval(g, IR_I8, FUZZ_V_BOOL);
    fuzz_line(g, "v%u = band v%u, v%u", c, c1, c2);
    uint32_t z = const_real(g, ft, (double)fuzz_rng_below(&g->r, 3)), r = fuzz_newval(g, ft, FUZZ_V_PLAIN);
    fuzz_line(g, "v%u = select v%u, v%u, v%u", r, c, x, z);
    return r;
}

static bool is_shift(ir_opcode op)
{
    return op == IR_OP_ishl || op == IR_OP_ushr || op == IR_OP_sshr || op == IR_OP_rotl || op == IR_OP_rotr;
}

static bool in_focus(const fuzz_gen *g, ir_type t)
{
    for (unsigned k = 0; k < g->nfocus; k++)
        if (g->focus[k] == t)
            return true;
    return false;
}

static bool wide_float_ok(const fuzz_sig *s)
{
    return fuzz_sig_wide_float(s) && s->op != IR_OP_bitcast && s->op != IR_OP_select &&
           s->op != IR_OP_select_spectre_guard;
}

/* An opcode with f16/f128 signatures (not bitcast and select, which the
 * sinks and NaN canonicalisation already make often), then one of them;
 * NULL if none may go here. */
static const fuzz_sig *wide_float_sig(fuzz_gen *g)
{
    const fuzz_optab *t = g->tab;
    uint32_t nops = 0, pick = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t o = 0; o < t->nops; o++) {
            uint32_t n = 0;
            for (uint32_t i = t->ops[o]; i < t->ops[o + 1]; i++)
                n += wide_float_ok(&t->v[i]);
            if (!n)
                continue;
            if (pass && pick-- == 0) {
                uint32_t k = fuzz_rng_below(&g->r, n);
                for (uint32_t i = t->ops[o]; i < t->ops[o + 1]; i++)
                    if (wide_float_ok(&t->v[i]) && k-- == 0)
                        return &t->v[i];
            }
            nops += !pass;
        }
        if (!nops)
            return NULL;
        pick = fuzz_rng_below(&g->r, nops);
    }
    return NULL;
}

static void gen_generic(fuzz_gen *g)
{
    const fuzz_optab *t = g->tab;
    /* now and then an f16/f128 operation: among the ~200 opcodes the float
     * ones are few, so drawing the type alone seldom gives arithmetic */
    const fuzz_sig *s = fuzz_rng_chance(&g->r, 6) ? wide_float_sig(g) : NULL;
    /* an opcode, then one of its signatures; in a focused function mostly
     * one that makes a value of the focus types (long same-typed chains) */
    for (int tries = 0; tries < 6 && !s; tries++) {
        uint32_t oi = fuzz_rng_below(&g->r, t->nops);
        uint32_t first = t->ops[oi], cnt = t->ops[oi + 1] - first;
        s = &t->v[first + fuzz_rng_below(&g->r, cnt)];
        if (g->nfocus && tries < 5 && s->nres && !in_focus(g, s->res[0]) && fuzz_rng_chance(&g->r, 85))
            s = NULL;
        /* f16 and f128 signatures are many (every float opcode has them):
         * half passed over, unless the function leans to them */
        else if (tries < 5 && fuzz_sig_wide_float(s) && !(s->nres && in_focus(g, s->res[0])) &&
                 fuzz_rng_chance(&g->r, 50))
            s = NULL;
    }
    if (!s) {
        fuzz_const(g, IR_I64);
        return;
    }
    ir_opcode op = (ir_opcode)s->op;
    uint32_t v[3], res[2];
    for (unsigned k = 0; k < s->nargs; k++) {
        bool sign = op == IR_OP_sdiv || op == IR_OP_srem;
        if (k == 1 && (op == IR_OP_udiv || op == IR_OP_urem || sign))
            v[k] = divisor(g, s->args[1], sign);
        else if (k == 0 && (op == IR_OP_fcvt_to_sint || op == IR_OP_fcvt_to_uint))
            v[k] = fcvt_input(g, s->args[0], s->ctrl, op == IR_OP_fcvt_to_sint);
        else if (k == 1 && is_shift(op) && fuzz_rng_chance(&g->r, 50))
            v[k] = fuzz_const_int(g, s->args[1], fuzz_rng_below(&g->r, 4) ? (unsigned __int128)fuzz_rng_below(&g->r, 2 * ir_type_lane_bits(s->ctrl) + 2)
                                                                   : edge_int(&g->r, ir_type_bits(s->args[1])));
        else if (k == 2 && s->args[2] == IR_I8 &&
                 (op == IR_OP_sadd_overflow_cin || op == IR_OP_uadd_overflow_cin ||
                  op == IR_OP_ssub_overflow_bin || op == IR_OP_usub_overflow_bin))
            v[k] = pick_bool(g);
        else
            v[k] = fuzz_pick(g, s->args[k]);
    }
    bool cmp = ir_opcodes[op].format == IR_FMT_IntCompare || ir_opcodes[op].format == IR_FMT_FloatCompare;
    for (unsigned k = 0; k < s->nres; k++) {
        bool flag = (cmp && !ir_type_is_vector(s->res[k])) || (k == 1 && s->res[1] == IR_I8);
        res[k] = fuzz_newval(g, s->res[k], flag ? FUZZ_V_BOOL : FUZZ_V_PLAIN);
    }
    uint8_t mask[16];
    for (unsigned k = 0; k < 16; k++)
        mask[k] = (uint8_t)fuzz_rng_below(&g->r, 32);
    unsigned cond = fuzz_rng_below(&g->r, ir_opcodes[op].format == IR_FMT_FloatCompare ? IR_FLOATCC_COUNT : IR_INTCC_COUNT);
    ir_type lanes_of = op == IR_OP_extractlane ? s->args[0] : s->ctrl;
    unsigned lane = fuzz_rng_below(&g->r, ir_type_lanes(lanes_of));
    fuzz_buf_put(&g->body, "    ", 4);
    fuzz_inst_text(&g->body, s, res, v, cond, lane, mask);
    fuzz_buf_put(&g->body, "\n", 1);
    g->budget--;
    if (s->nres == 1 && ir_type_is_float(s->res[0]) && makes_nan(op))
        canonicalize(g, res[0], s->res[0]);
}

/* A rare trap that depends on the values: trapz/trapnz on a compare,
 * uadd_overflow_trap. */
static void gen_trap(fuzz_gen *g)
{
    char code[16];
    ir_trapcode tc = fuzz_rng_chance(&g->r, 50) ? (ir_trapcode)(IR_TRAP_USER + 1 + fuzz_rng_below(&g->r, 250))
                                          : (ir_trapcode)(IR_TRAP_heap_oob + fuzz_rng_below(&g->r, 4));
    ir_trapcode_name(tc, code);
    if (fuzz_rng_chance(&g->r, 30)) {
        ir_type t = fuzz_rng_chance(&g->r, 50) ? IR_I32 : IR_I64;
        uint32_t a = fuzz_pick(g, t), b = fuzz_pick(g, t), r = fuzz_newval(g, t, FUZZ_V_PLAIN);
        fuzz_line(g, "v%u = uadd_overflow_trap v%u, v%u, %s", r, a, b, code);
        return;
    }
    ir_type t;
    uint32_t x = fuzz_any_int(g, &t), k = fuzz_const(g, t), c = fuzz_newval(g, IR_I8, FUZZ_V_BOOL);
    fuzz_line(g, "v%u = icmp %s v%u, v%u", c, fuzz_rng_chance(&g->r, 50) ? "eq" : "ugt", x, k);
    fuzz_line(g, "%s v%u, %s", fuzz_rng_chance(&g->r, 50) ? "trapnz" : "trapz", c, code);
}

/* ---- sinks: many values folded into one of a given type ---------------------------- */

/* v (type from) as an integer of `bits` bits (128: i128; vectors through i64x2 lanes). */
static uint32_t as_int(fuzz_gen *g, uint32_t v, ir_type from, unsigned bits)
{
    ir_type to = bits == 8 ? IR_I8 : bits == 16 ? IR_I16 : bits == 32 ? IR_I32 : bits == 64 ? IR_I64 : IR_I128;
    if (ir_type_is_vector(from)) {
        ir_type i64x2 = fuzz_vector_types[3];
        if (from != i64x2) {
            uint32_t c = fuzz_newval(g, i64x2, FUZZ_V_PLAIN);
            fuzz_line(g, "v%u = bitcast.i64x2%s v%u", c, ir_type_lanes(from) != 2 ? " little" : "", v);
            v = c;
        }
        uint32_t a = fuzz_newval(g, IR_I64, FUZZ_V_PLAIN), b = fuzz_newval(g, IR_I64, FUZZ_V_PLAIN);
        fuzz_line(g, "v%u = extractlane v%u, 0", a, v);
        fuzz_line(g, "v%u = extractlane v%u, 1", b, v);
        uint32_t x = fuzz_newval(g, IR_I64, FUZZ_V_PLAIN);
        fuzz_line(g, "v%u = bxor v%u, v%u", x, a, b);
        v = x, from = IR_I64;
    } else if (ir_type_is_float(from)) {
        ir_type it = from == IR_F16 ? IR_I16 : from == IR_F32 ? IR_I32 : from == IR_F64 ? IR_I64 : IR_I128;
        uint32_t c = fuzz_newval(g, it, FUZZ_V_PLAIN);
        fuzz_line(g, "v%u = bitcast.%s v%u", c, fuzz_tname(it), v);
        v = c, from = it;
    }
    if (from == to)
        return v;
    uint32_t r = fuzz_newval(g, to, FUZZ_V_PLAIN);
    if (ir_type_bits(from) > bits)
        fuzz_line(g, "v%u = ireduce.%s v%u", r, fuzz_tname(to), v);
    else
        fuzz_line(g, "v%u = %s.%s v%u", r, fuzz_rng_chance(&g->r, 50) ? "uextend" : "sextend", fuzz_tname(to), v);
    return r;
}

static uint32_t sink_source(fuzz_gen *g, ir_type *t)
{
    uint32_t n = g->vals.n, early = 0;
    for (uint32_t i = 0; i < n; i++)
        early += g->vals.v[i].kind == FUZZ_V_EARLY;
    const fuzz_val *v;
    if (early && fuzz_rng_chance(&g->r, 50)) {
        uint32_t k = fuzz_rng_below(&g->r, early), i = 0;
        while (g->vals.v[i].kind != FUZZ_V_EARLY || k--)
            i++;
        v = &g->vals.v[i];
    } else if (n) {
        v = &g->vals.v[n - 1 - fuzz_rng_below(&g->r, n < 12 || fuzz_rng_chance(&g->r, 50) ? n : 12)];
    } else {
        *t = IR_I64;
        return fuzz_const(g, IR_I64);
    }
    *t = v->t;
    return v->id;
}

static uint32_t sink(fuzz_gen *g, ir_type t)
{
    bool vec = ir_type_is_vector(t);
    unsigned bits = vec ? 64 : ir_type_bits(t), n = 1 + fuzz_rng_below(&g->r, 4);
    ir_type it = bits == 8 ? IR_I8 : bits == 16 ? IR_I16 : bits == 32 ? IR_I32 : bits == 64 ? IR_I64 : IR_I128;
    ir_type st;
    if (vec && fuzz_rng_chance(&g->r, 50)) {
        /* a vector of the type, folded with others bitwise */
        uint32_t acc = fuzz_pick(g, t);
        for (unsigned k = 1; k < n; k++) {
            uint32_t s = sink_source(g, &st);
            if (!ir_type_is_vector(st))
                continue;
            if (st != t) {
                uint32_t c = fuzz_newval(g, t, FUZZ_V_PLAIN);
                fuzz_line(g, "v%u = bitcast.%s%s v%u", c, fuzz_tname(t), ir_type_lanes(st) != ir_type_lanes(t) ? " little" : "", s);
                s = c;
            }
            uint32_t r = fuzz_newval(g, t, FUZZ_V_PLAIN);
            fuzz_line(g, "v%u = bxor v%u, v%u", r, acc, s);
            acc = r;
        }
        return acc;
    }
    uint32_t s = sink_source(g, &st), acc = as_int(g, s, st, bits);
    for (unsigned k = 1; k < n; k++) {
        s = sink_source(g, &st);
        uint32_t x = as_int(g, s, st, bits), r = fuzz_newval(g, it, FUZZ_V_PLAIN);
        static const char *const ops[] = {"bxor", "iadd", "isub", "bxor"};
        fuzz_line(g, "v%u = %s v%u, v%u", r, ops[fuzz_rng_below(&g->r, 4)], acc, x);
        acc = r;
    }
    if (t == it)
        return acc;
    uint32_t r = fuzz_newval(g, vec ? fuzz_vector_types[3] : t, FUZZ_V_PLAIN);
    if (vec)
        fuzz_line(g, "v%u = splat.%s v%u", r, "i64x2", acc);
    else
        fuzz_line(g, "v%u = bitcast.%s v%u", r, fuzz_tname(t), acc);
    if (vec && t != fuzz_vector_types[3]) {
        uint32_t c = fuzz_newval(g, t, FUZZ_V_PLAIN);
        fuzz_line(g, "v%u = bitcast.%s%s v%u", c, fuzz_tname(t), ir_type_lanes(t) != 2 ? " little" : "", r);
        r = c;
    }
    return r;
}

/* ---- signatures, calls, returns ----------------------------------------------------- */

static void put_sig(fuzz_buf *b, const fuzz_fn *f)
{
    static const char *const ext[] = {"", " uext", " sext"};
    fuzz_buf_put(b, "(", 1);
    for (unsigned k = 0; k < f->np; k++) {
        fuzz_buf_printf(b, "%s%s%s", k ? ", " : "", fuzz_tname(f->p[k]), ext[f->pext[k]]);
        if (f->sarg[k])
            fuzz_buf_printf(b, " sarg(%u)", f->sarg[k]);
    }
    fuzz_buf_put(b, ")", 1);
    for (unsigned k = 0; k < f->nr; k++)
        fuzz_buf_printf(b, "%s%s%s", k ? ", " : " -> ", fuzz_tname(f->r[k]), ext[f->rext[k]]);
    fuzz_buf_printf(b, " %s", ir_callconv_names[f->cc]);
}

static void func_name(const fuzz_gen *g, unsigned i, char *buf, size_t n)
{
    if (i + 1 == g->nfns)
        snprintf(buf, n, "main");
    else
        snprintf(buf, n, "f%u", i);
}

/* fnN (with its sigN) for callee j, declared on first use. */
unsigned fuzz_fnref(fuzz_gen *g, unsigned j)
{
    if (g->fnref[j] >= 0)
        return (unsigned)g->fnref[j];
    unsigned k = g->nrefs++;
    char name[16];
    func_name(g, j, name, sizeof name);
    fuzz_buf_printf(&g->pre, "    sig%u = ", k);
    put_sig(&g->pre, &g->fns[j]);
    fuzz_buf_printf(&g->pre, "\n    fn%u = %s%%%s sig%u\n", k, fuzz_rng_chance(&g->r, 70) ? "colocated " : "", name, k);
    g->fnref[j] = (int)k;
    return k;
}

/* The arguments of a call to callee j, as text. */
void fuzz_call_args(fuzz_gen *g, unsigned j, fuzz_buf *b)
{
    const fuzz_fn *f = &g->fns[j];
    uint32_t a[MAXP];
    for (unsigned k = 0; k < f->np; k++) {
        if (f->sarg[k]) {
            /* the address of a slot that holds at least that many bytes */
            unsigned slot = 0;
            for (unsigned r = 0; r < g->nregs; r++)
                if (g->regs[r].slot != IR_NONE && g->regs[r].size >= f->sarg[k])
                    slot = g->regs[r].slot;
            a[k] = g->nv++;
            fuzz_line(g, "v%u = stack_addr.i64 ss%u", a[k], slot);
        } else {
            a[k] = fuzz_pick(g, f->p[k]);
        }
    }
    for (unsigned k = 0; k < f->np; k++)
        fuzz_buf_printf(b, "%sv%u", k ? ", " : "", a[k]);
}

/* A callee for the current function (any earlier one, whatever its
 * convention), -1 if none. */
static int pick_callee(fuzz_gen *g)
{
    return g->cur ? (int)fuzz_rng_below(&g->r, g->cur) : -1;
}

static void gen_call(fuzz_gen *g)
{
    int jj = pick_callee(g);
    if (jj < 0)
        return;
    unsigned j = (unsigned)jj;
    unsigned k = fuzz_fnref(g, j);
    fuzz_buf args = {0};
    fuzz_call_args(g, j, &args);
    uint32_t fa = IR_NONE;
    if (fuzz_rng_chance(&g->r, 30)) {
        fa = g->nv++;
        fuzz_line(g, "v%u = func_addr.i64 fn%u", fa, k);
    }
    const fuzz_fn *f = &g->fns[j];
    fuzz_buf res = {0};
    for (unsigned i = 0; i < f->nr; i++)
        fuzz_buf_printf(&res, "%sv%u", i ? ", " : "", fuzz_newval(g, f->r[i], FUZZ_V_PLAIN));
    if (fa == IR_NONE)
        fuzz_line(g, "%s%scall fn%u(%s)", f->nr ? res.s : "", f->nr ? " = " : "", k, args.s ? args.s : "");
    else
        fuzz_line(g, "%s%scall_indirect sig%u, v%u(%s)", f->nr ? res.s : "", f->nr ? " = " : "", k, fa,
                args.s ? args.s : "");
    fuzz_buf_free(&args);
    fuzz_buf_free(&res);
}

/* A callee the current function may tail-call: both `tail`, same results,
 * no sarg parameter. */
static int tail_callee(fuzz_gen *g)
{
    const fuzz_fn *me = &g->fns[g->cur];
    if (me->cc != IR_CC_tail)
        return -1;
    int found[MAXF], n = 0;
    for (unsigned j = 0; j < g->cur; j++) {
        const fuzz_fn *f = &g->fns[j];
        bool sarg = false;     /* not passed by tail calls */
        for (unsigned k = 0; k < f->np; k++)
            sarg |= f->sarg[k] != 0;
        if (f->cc == IR_CC_tail && !sarg && f->nr == me->nr && !memcmp(f->r, me->r, me->nr * sizeof *f->r) &&
            !memcmp(f->rext, me->rext, me->nr))
            found[n++] = (int)j;
    }
    return n ? found[fuzz_rng_below(&g->r, (uint32_t)n)] : -1;
}

void fuzz_gen_return(fuzz_gen *g)
{
    int j = tail_callee(g);
    if (j >= 0 && fuzz_rng_chance(&g->r, 70)) {
        unsigned k = fuzz_fnref(g, (unsigned)j);
        fuzz_buf args = {0};
        fuzz_call_args(g, (unsigned)j, &args);
        if (fuzz_rng_chance(&g->r, 30)) {
            uint32_t fa = g->nv++;
            fuzz_line(g, "v%u = func_addr.i64 fn%u", fa, k);
            fuzz_line(g, "return_call_indirect sig%u, v%u(%s)", k, fa, args.s ? args.s : "");
        } else {
            fuzz_line(g, "return_call fn%u(%s)", k, args.s ? args.s : "");
        }
        fuzz_buf_free(&args);
        g->ended = true;
        return;
    }
    const fuzz_fn *me = &g->fns[g->cur];
    uint32_t r[MAXR];
    for (unsigned k = 0; k < me->nr; k++)
        r[k] = sink(g, me->r[k]);
    fuzz_buf b = {0};
    for (unsigned k = 0; k < me->nr; k++)
        fuzz_buf_printf(&b, "%sv%u", k ? ", " : " ", r[k]);
    fuzz_line(g, "return%s", b.s ? b.s : "");
    fuzz_buf_free(&b);
    g->ended = true;
}

/* ---- blocks and structure ----------------------------------------------------------- */

typedef fuzz_blk blk;

blk fuzz_new_block(fuzz_gen *g, unsigned maxp)
{
    blk b = {.num = g->nb++, .np = maxp ? fuzz_rng_below(&g->r, maxp + 1) : 0};
    for (unsigned k = 0; k < b.np; k++)
        b.p[k] = fuzz_any_type(g);
    return b;
}

/* "blockN(v1, v2)" with arguments for b's parameters. */
void fuzz_block_call(fuzz_gen *g, const blk *b, fuzz_buf *out)
{
    uint32_t a[4];
    for (unsigned k = 0; k < b->np; k++)
        a[k] = fuzz_pick(g, b->p[k]);
    fuzz_buf_printf(out, "block%u", b->num);
    for (unsigned k = 0; k < b->np; k++)
        fuzz_buf_printf(out, "%sv%u", k ? ", " : "(", a[k]);
    if (b->np)
        fuzz_buf_put(out, ")", 1);
}

void fuzz_start_block(fuzz_gen *g, const blk *b)
{
    fuzz_buf_printf(&g->body, "block%u", b->num);
    for (unsigned k = 0; k < b->np; k++)
        fuzz_buf_printf(&g->body, "%sv%u: %s", k ? ", " : "(", fuzz_newval(g, b->p[k], FUZZ_V_PLAIN), fuzz_tname(b->p[k]));
    fuzz_buf_printf(&g->body, "%s:\n", b->np ? ")" : "");
    g->ended = false;
}

static void jump_to(fuzz_gen *g, const blk *b)
{
    fuzz_buf t = {0};
    fuzz_block_call(g, b, &t);
    fuzz_line(g, "jump %s", t.s);
    fuzz_buf_free(&t);
    g->ended = true;
}

static void gen_seq(fuzz_gen *g, int budget);

/* The end of an arm: mostly a jump to the join; sometimes (when the join
 * is reached another way) a return, a tail call or a trap.  Returns
 * whether it jumped to the join. */
static bool end_arm(fuzz_gen *g, const blk *join, bool must_join)
{
    if (g->ended)
        return false;
    if (g->cur > 0 && g->loops < 2 && fuzz_rng_chance(&g->xr, 12) && fuzz_try_jump(g, join))
        return true;
    unsigned r = fuzz_rng_below(&g->r, 100);
    if (must_join || r < 85) {
        jump_to(g, join);
        return true;
    }
    if (r < 97) {
        fuzz_gen_return(g);
    } else {
        char code[16];
        ir_trapcode_name((ir_trapcode)(IR_TRAP_USER + 1 + fuzz_rng_below(&g->r, 250)), code);
        fuzz_line(g, "trap %s", code);
        g->ended = true;
    }
    return false;
}

/* An arm: its block, a few instructions, its end.  Values defined in it
 * are out of scope afterwards.  Returns whether it jumped to the join. */
static bool arm(fuzz_gen *g, const blk *b, const blk *join, bool must_join, int budget)
{
    uint32_t mark = g->vals.n;
    fuzz_start_block(g, b);
    g->depth++;
    gen_seq(g, budget);
    g->depth--;
    bool joined = end_arm(g, join, must_join);
    g->vals.n = mark;
    return joined;
}

static uint32_t branch_cond(fuzz_gen *g)
{
    ir_type t;
    if (fuzz_rng_chance(&g->r, 50))
        return fuzz_any_int(g, &t);
    if (fuzz_rng_chance(&g->r, 25)) {
        ir_type ft = fuzz_rng_chance(&g->r, 50) ? IR_F32 : IR_F64;
        uint32_t a = fuzz_pick(g, ft), b = fuzz_pick(g, ft), c = fuzz_newval(g, IR_I8, FUZZ_V_BOOL);
        fuzz_line(g, "v%u = fcmp %s v%u, v%u", c, ir_floatcc_names[fuzz_rng_below(&g->r, IR_FLOATCC_COUNT)], a, b);
        return c;
    }
    uint32_t a = fuzz_any_int(g, &t), b = fuzz_pick(g, t), c = fuzz_newval(g, IR_I8, FUZZ_V_BOOL);
    fuzz_line(g, "v%u = icmp %s v%u, v%u", c, ir_intcc_names[fuzz_rng_below(&g->r, IR_INTCC_COUNT)], a, b);
    return c;
}

/* brif to two arms (or one arm and the join: a triangle), then the join. */
static void gen_diamond(fuzz_gen *g, int budget)
{
    blk join = fuzz_new_block(g, 3), a = fuzz_new_block(g, 2), b = fuzz_new_block(g, 2);
    uint32_t c = branch_cond(g);
    bool triangle = fuzz_rng_chance(&g->r, 30);
    fuzz_buf ta = {0}, tb = {0};
    fuzz_block_call(g, &a, &ta);
    fuzz_block_call(g, triangle ? &join : &b, &tb);
    if (fuzz_rng_chance(&g->r, 50))
        fuzz_line(g, "brif v%u, %s, %s", c, ta.s, tb.s);
    else
        fuzz_line(g, "brif v%u, %s, %s", c, tb.s, ta.s);
    fuzz_buf_free(&ta);
    fuzz_buf_free(&tb);
    if (triangle) {
        arm(g, &a, &join, false, budget / 2);
    } else {
        bool j = arm(g, &a, &join, false, budget / 2);
        arm(g, &b, &join, !j, budget / 2);
    }
    fuzz_start_block(g, &join);
}

/* br_table over an index that is mostly in range, to a few arms and the join. */
static void gen_br_table(fuzz_gen *g, int budget)
{
    blk join = fuzz_new_block(g, 3), arms[4];
    unsigned na = 1 + fuzz_rng_below(&g->r, 3), ne = 1 + fuzz_rng_below(&g->r, 5);
    for (unsigned k = 0; k < na; k++)
        arms[k] = fuzz_new_block(g, 2);
    ir_type t;
    uint32_t x = fuzz_any_int(g, &t), idx;
    if (t != IR_I32) {
        idx = fuzz_newval(g, IR_I32, FUZZ_V_PLAIN);
        fuzz_line(g, "v%u = %s.i32 v%u", idx, ir_type_bits(t) > 32 ? "ireduce" : "uextend", x);
    } else {
        idx = x;
    }
    if (fuzz_rng_chance(&g->r, 70)) {
        uint32_t m = fuzz_const_int(g, IR_I32, fuzz_rng_chance(&g->r, 50) ? 3 : 7), r = fuzz_newval(g, IR_I32, FUZZ_V_PLAIN);
        fuzz_line(g, "v%u = band v%u, v%u", r, idx, m);
        idx = r;
    }
    fuzz_buf b = {0};
    fuzz_buf_printf(&b, "br_table v%u, ", idx);
    /* every arm is targeted at least once: entries 0..na-1 are the arms */
    unsigned def = fuzz_rng_below(&g->r, na + 1);
    fuzz_block_call(g, def == na ? &join : &arms[def], &b);
    fuzz_buf_put(&b, ", [", 3);
    for (unsigned k = 0; k < na + ne; k++) {
        unsigned w = k < na ? k : fuzz_rng_below(&g->r, na + 1);
        if (k)
            fuzz_buf_put(&b, ", ", 2);
        fuzz_block_call(g, w == na ? &join : &arms[w], &b);
    }
    fuzz_line(g, "%s]", b.s);
    fuzz_buf_free(&b);
    bool joined = false;
    for (unsigned k = 0; k < na; k++)
        joined |= arm(g, &arms[k], &join, k + 1 == na && !joined, budget / (int)na);
    fuzz_start_block(g, &join);
}

/* Values derived from a loop counter as a frontend's array indexing does
 * ((i * k + x) << s, i * k - x): what strength reduction turns into
 * induction variables of their own (lib/opt/iv.c). */
static uint32_t pick_before(fuzz_gen *g, ir_type t, uint32_t mark)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < mark; i++)
        n += g->vals.v[i].t == t;
    if (!n || fuzz_rng_chance(&g->r, 25))
        return fuzz_pick(g, t);
    uint32_t k = fuzz_rng_below(&g->r, n);
    for (uint32_t i = 0; i < mark; i++)
        if (g->vals.v[i].t == t && k-- == 0)
            return g->vals.v[i].id;
    return fuzz_pick(g, t);
}

/* mark: the values defined before the loop, mostly the other operands */
static uint32_t gen_derived(fuzz_gen *g, uint32_t ctr, ir_type t, uint32_t mark)
{
    static const char *const ops[] = {"imul", "ishl", "iadd", "isub", "iadd"};
    uint32_t v = ctr;
    for (unsigned k = 0, n = 2 + fuzz_rng_below(&g->r, 3); k < n; k++) {
        unsigned o = fuzz_rng_below(&g->r, 5);
        uint32_t y = o == 0 ? fuzz_const_int(g, t, 1 + fuzz_rng_below(&g->r, 40))
                   : o == 1 ? fuzz_const_int(g, t, fuzz_rng_below(&g->r, 70))
                   : pick_before(g, t, mark);
        uint32_t r = fuzz_newval(g, t, FUZZ_V_PLAIN);
        if (o == 3 && fuzz_rng_chance(&g->r, 50))
            fuzz_line(g, "v%u = isub v%u, v%u", r, y, v);
        else
            fuzz_line(g, "v%u = %s v%u, v%u", r, ops[o], v, y);
        v = r;
    }
    return v;
}

/* A value carried round a loop as an accumulator, p op x op y ... (p the
 * header's parameter, on either side), as a frontend's s = s + x + y: what
 * lib/opt/reassoc.c reassociates. */
static uint32_t gen_accum(fuzz_gen *g, uint32_t p, ir_type t)
{
    static const char *const ops[] = {"iadd", "iadd", "imul", "band", "bor", "bxor"};
    const char *op = ops[fuzz_rng_below(&g->r, 6)];
    uint32_t v = p;
    for (unsigned k = 0, n = 2 + fuzz_rng_below(&g->r, 3); k < n; k++) {
        uint32_t y = fuzz_pick(g, t), r = fuzz_newval(g, t, FUZZ_V_PLAIN);
        bool left = fuzz_rng_chance(&g->r, 50);
        fuzz_line(g, "v%u = %s v%u, v%u", r, op, left ? v : y, left ? y : v);
        v = r;
    }
    return v;
}

/* A loop: a counter as the header's first parameter bounds the trip count
 * (a constant, or 1..4 from a value); other parameters carry values round. */
static void gen_loop(fuzz_gen *g, int budget)
{
    static const ir_type ct[] = {IR_I32, IR_I64, IR_I8, IR_I16};
    ir_type t = ct[fuzz_rng_below(&g->r, 4)];
    blk head = fuzz_new_block(g, 3), exit = fuzz_new_block(g, 2);
    for (unsigned k = head.np; k-- > 0;)
        head.p[k + 1] = head.p[k];
    head.p[0] = t, head.np++;
    if (head.np > 1 && fuzz_rng_chance(&g->r, 60))
        head.p[1] = t;  /* to carry a value derived from the counter round */
    bool down = fuzz_rng_chance(&g->r, 40);
    uint32_t n;
    if (fuzz_rng_chance(&g->r, 50)) {
        n = fuzz_const_int(g, t, 1 + fuzz_rng_below(&g->r, 5));
    } else {
        uint32_t x = fuzz_pick(g, t), m = fuzz_const_int(g, t, 3), a = fuzz_newval(g, t, FUZZ_V_PLAIN);
        fuzz_line(g, "v%u = band v%u, v%u", a, x, m);
        uint32_t one = fuzz_const_int(g, t, 1);
        n = fuzz_newval(g, t, FUZZ_V_PLAIN);
        fuzz_line(g, "v%u = iadd v%u, v%u", n, a, one);
    }
    /* an up-counting loop may step by 2 or 3 (n is at most 5: no wrap) */
    uint32_t one = fuzz_const_int(g, t, down ? 1 : 1 + fuzz_rng_below(&g->r, 3) / 2 * (1 + fuzz_rng_chance(&g->r, 50))),
             init = down ? n : fuzz_const_int(g, t, 0);
    /* the entry edge */
    fuzz_buf e = {0};
    fuzz_buf_printf(&e, "block%u(v%u", head.num, init);
    for (unsigned k = 1; k < head.np; k++)
        fuzz_buf_printf(&e, ", v%u", fuzz_pick(g, head.p[k]));
    fuzz_line(g, "jump %s)", e.s);
    fuzz_buf_free(&e);

    uint32_t mark = g->vals.n;
    uint32_t ctr = g->nv;
    fuzz_start_block(g, &head);
    uint32_t derived = fuzz_rng_chance(&g->r, 80) ? gen_derived(g, ctr, t, mark) : IR_NONE;
    g->depth++, g->loops++;
    gen_seq(g, budget);
    g->depth--, g->loops--;
    if (!g->ended) {
        uint32_t next = fuzz_newval(g, t, FUZZ_V_PLAIN);
        fuzz_line(g, "v%u = %s v%u, v%u", next, down ? "isub" : "iadd", ctr, one);
        uint32_t c = next;
        if (!down) {
            c = fuzz_newval(g, IR_I8, FUZZ_V_BOOL);
            fuzz_line(g, "v%u = icmp ult v%u, v%u", c, next, n);
        }
        uint32_t ba[5] = {next};
        for (unsigned k = 1; k < head.np; k++) {    /* a derived value goes round: it is used */
            uint32_t v = head.p[k] == t && derived != IR_NONE ? derived : fuzz_pick(g, head.p[k]);
            if (v == derived)
                derived = IR_NONE;
            else if (head.p[k] >= IR_I8 && head.p[k] <= IR_I64 && fuzz_rng_chance(&g->r, 35))
                v = gen_accum(g, ctr + k, head.p[k]);
            ba[k] = v;
        }
        if (!(fuzz_rng_chance(&g->xr, 60) && fuzz_try_back_edge(g, &head, ba, c, &exit))) {
            fuzz_buf back = {0}, out = {0};
            fuzz_buf_printf(&back, "block%u(v%u", head.num, next);
            for (unsigned k = 1; k < head.np; k++)
                fuzz_buf_printf(&back, ", v%u", ba[k]);
            fuzz_buf_put(&back, ")", 1);
            fuzz_block_call(g, &exit, &out);
            fuzz_line(g, "brif v%u, %s, %s", c, back.s, out.s);
            fuzz_buf_free(&back);
            fuzz_buf_free(&out);
        }
    }
    g->vals.n = mark;
    fuzz_start_block(g, &exit);
}

void gen_seq(fuzz_gen *g, int budget)
{
    int stop = g->budget - budget;
    while (g->budget > stop && g->budget > 0 && !g->ended) {
        if (g->cur > 0 && g->loops < 2 && fuzz_rng_chance(&g->xr, 3) && fuzz_try_call(g))
            continue;
        unsigned r = fuzz_rng_below(&g->r, 100);
        int sub = g->budget - stop < 24 ? g->budget - stop : 24;
        if (r < 5 && g->depth < 3 && sub > 6)
            gen_diamond(g, sub / 2);
        else if (r < 8 && g->loops < 2 && g->depth < 3 && sub > 6)
            gen_loop(g, sub / 2);
        else if (r < 10 && g->depth < 3 && sub > 6)
            gen_br_table(g, sub / 2);
        else if (r < 15 && g->cur > 0 && g->loops < 2)
            gen_call(g);
        else if (r < 30 && g->nregs)
            fuzz_mem_op(g, g->depth > 0);
        else if (r < 31 && g->depth > 0)
            gen_trap(g);
        else if (r < 36)
            fuzz_const(g, fuzz_any_type(g));
        else
            gen_generic(g);
    }
}

/* ---- functions and the file ------------------------------------------------------------ */

static const ir_callconv x64_ccs[] = {IR_CC_fast, IR_CC_system_v, IR_CC_tail, IR_CC_winch, IR_CC_windows_fastcall};
/* AArch64 takes windows_fastcall as AAPCS64, as Cranelift does */
static const ir_callconv a64_ccs[] = {IR_CC_fast, IR_CC_system_v, IR_CC_tail, IR_CC_apple_aarch64,
                                      IR_CC_windows_fastcall};

static bool win64_type(ir_type t) { return (is_int(t) && t != IR_I128) || t == IR_F32 || t == IR_F64; }

static void gen_signature(fuzz_gen *g, fuzz_fn *f, bool is_main)
{
    bool a64 = g->o->arch == JIT_ARCH_AARCH64;
    f->cc = a64 ? a64_ccs[fuzz_rng_below(&g->r, 5)] : x64_ccs[fuzz_rng_below(&g->r, 5)];
    unsigned np = fuzz_rng_chance(&g->r, 15) ? 8 + fuzz_rng_below(&g->r, MAXP - 7) : fuzz_rng_below(&g->r, 7);
    f->np = (uint8_t)(is_main && np > 8 ? 8 : np);
    f->nr = (uint8_t)(is_main || fuzz_rng_chance(&g->r, 95) ? 1 + fuzz_rng_below(&g->r, fuzz_rng_chance(&g->r, 20) ? MAXR : 3) : 0);
    bool win = !a64 && f->cc == IR_CC_windows_fastcall;   /* x64's: no i128, vectors, sarg */
    for (unsigned k = 0; k < f->np; k++) {
        do
            f->p[k] = fuzz_any_type(g);
        while (win && !win64_type(f->p[k]));
        f->pext[k] = is_int(f->p[k]) && ir_type_bits(f->p[k]) < 64 ? (uint8_t)fuzz_rng_below(&g->r, 3) : 0;
        f->sarg[k] = 0;
        if (!win && !is_main && fuzz_rng_chance(&g->r, 8)) {
            f->p[k] = IR_I64, f->pext[k] = 0;
            f->sarg[k] = (uint16_t)(1 + fuzz_rng_below(&g->r, 48));
        }
    }
    for (unsigned k = 0; k < f->nr; k++) {
        do
            f->r[k] = fuzz_any_type(g);
        while (win && !win64_type(f->r[k]));
        f->rext[k] = is_int(f->r[k]) && ir_type_bits(f->r[k]) < 64 ? (uint8_t)fuzz_rng_below(&g->r, 3) : 0;
    }
}

static void gen_function(fuzz_gen *g, fuzz_buf *out)
{
    const fuzz_fn *f = &g->fns[g->cur];
    g->pre.n = g->body.n = 0;
    if (g->pre.s)
        g->pre.s[0] = 0;
    if (g->body.s)
        g->body.s[0] = 0;
    g->nv = g->nb = 0;
    g->vals.n = 0;
    g->nregs = g->nslots = g->nrefs = 0;
    g->depth = g->loops = 0;
    g->ended = false;
    for (unsigned j = 0; j < MAXF; j++)
        g->fnref[j] = -1;
    /* half the functions lean to a few types */
    static const ir_type focus[][3] = {
        {IR_I32, IR_I64, 0}, {IR_I64, IR_I128, 0}, {IR_F32, IR_F64, IR_I32}, {IR_I8, IR_I16, IR_I32},
        {IR_I128, 0, 0}, {IR_F64, IR_I64, 0}, {IR_I32, 0, 0}, {IR_F16, IR_F128, 0},
    };
    g->nfocus = 0;
    if (fuzz_rng_chance(&g->r, 50)) {
        const ir_type *fc = focus[fuzz_rng_below(&g->r, sizeof focus / sizeof focus[0])];
        for (unsigned k = 0; k < 3 && fc[k]; k++)
            g->focus[g->nfocus++] = fc[k];
    }
    unsigned maxi = g->o->max_insts > 10 ? g->o->max_insts : 10;
    g->budget = 10 + (int)fuzz_rng_below(&g->r, maxi - 9);

    /* block0: parameters (a sarg one is memory, never a value) */
    blk b0 = {.num = g->nb++};
    fuzz_buf_printf(&g->body, "block0");
    for (unsigned k = 0; k < f->np; k++) {
        uint32_t id = g->nv++;
        fuzz_buf_printf(&g->body, "%sv%u: %s", k ? ", " : "(", id, fuzz_tname(f->p[k]));
        if (f->sarg[k])
            g->regs[g->nregs++] = (fuzz_region){IR_NONE, id, f->sarg[k], 0};
        else
            ir_vec_push(&g->vals, ((fuzz_val){id, f->p[k], FUZZ_V_PLAIN}));
    }
    fuzz_buf_printf(&g->body, "%s:\n", f->np ? ")" : "");
    (void)b0;

    /* stack slots, big enough for any sarg a callee takes, filled first */
    unsigned need = 0;
    for (unsigned j = 0; j < g->cur; j++)
        for (unsigned k = 0; k < g->fns[j].np; k++)
            if (g->fns[j].sarg[k] > need)
                need = g->fns[j].sarg[k];
    unsigned ns = fuzz_rng_below(&g->r, 4) + (need ? 1 : 0);
    static const uint16_t sizes[] = {1, 2, 3, 4, 8, 12, 16, 24, 32, 40, 64, 100, 128};
    for (unsigned s = 0; s < ns && g->nregs < 12; s++) {
        unsigned size = s == 0 && need ? need + fuzz_rng_below(&g->r, 16) : sizes[fuzz_rng_below(&g->r, 13)];
        unsigned al = fuzz_rng_below(&g->r, 8);    /* 0: no align clause; up to 64 */
        if (al)
            fuzz_buf_printf(&g->pre, "    ss%u = explicit_slot %u, align = %u\n", g->nslots, size, 1u << (al - 1));
        else
            fuzz_buf_printf(&g->pre, "    ss%u = explicit_slot %u\n", g->nslots, size);
        /* the frame is 16-byte aligned and bigger alignments are capped */
        unsigned guaranteed = al ? al - 1 : 0;
        g->regs[g->nregs++] = (fuzz_region){g->nslots, IR_NONE, size, (uint8_t)(guaranteed > 4 ? 4 : guaranteed)};
        int budget = g->budget;     /* filling slots is not the function's work */
        fuzz_init_slot(g, g->nslots, size);
        g->budget = budget;
        g->nslots++;
    }
    /* values defined early and folded into the results: live to the end */
    unsigned early = 4 + fuzz_rng_below(&g->r, 16);
    for (unsigned k = 0; k < early; k++) {
        uint32_t before = g->vals.n;
        if (fuzz_rng_chance(&g->r, 30))
            fuzz_const(g, fuzz_any_type(g));
        else
            gen_generic(g);
        for (uint32_t i = before; i < g->vals.n; i++)
            g->vals.v[i].kind = g->vals.v[i].kind == FUZZ_V_BOOL ? FUZZ_V_BOOL : FUZZ_V_EARLY;
    }
    gen_seq(g, g->budget);
    if (!g->ended)
        fuzz_gen_return(g);

    char name[16];
    func_name(g, g->cur, name, sizeof name);
    fuzz_buf_printf(out, "\nfunction %%%s", name);
    put_sig(out, f);
    fuzz_buf_printf(out, " {\n%s%s%s}\n", g->pre.s ? g->pre.s : "", g->pre.n ? "\n" : "", g->body.s);
}

static void gen_runs(fuzz_gen *g, fuzz_buf *out)
{
    const fuzz_fn *m = &g->fns[g->nfns - 1];
    unsigned n = 1 + fuzz_rng_below(&g->r, g->o->max_runs ? g->o->max_runs : 1);
    for (unsigned r = 0; r < n; r++) {
        fuzz_buf_printf(out, "; print: %%main(");
        for (unsigned k = 0; k < m->np; k++) {
            ir_data_value dv;
            edge_value(&g->r, m->p[k], &dv);
            char buf[256];
            run_value_format_lanes(buf, sizeof buf, &dv);
            fuzz_buf_printf(out, "%s%s", k ? ", " : "", buf);
        }
        fuzz_buf_printf(out, ")\n");
    }
}

void fuzz_gen_opts_init(fuzz_gen_opts *o, jit_arch arch)
{
    *o = (fuzz_gen_opts){.arch = arch, .max_funcs = 4, .max_insts = 80, .max_runs = 6, .big = true};
}

bool fuzz_generate(uint64_t seed, const fuzz_gen_opts *o, fuzz_buf *out, ir_diag *d)
{
    fuzz_gen g = {.o = o};
    if (!(g.tab = fuzz_optab_get(o, d)))
        return false;
    fuzz_rng_seed(&g.r, seed);
    fuzz_rng_seed(&g.xr, seed ^ 0x7e57ca11u);
    bool a64 = o->arch == JIT_ARCH_AARCH64;
    fuzz_buf_printf(out, "; clifrun fuzz: seed %llu\ntest interpret\ntest run\n", (unsigned long long)seed);
    static const char *const levels[] = {"none", "speed", "speed_and_size"};
    fuzz_buf_printf(out, "set opt_level=%s\n", levels[fuzz_rng_below(&g.r, 3)]);
    if (fuzz_rng_chance(&g.r, 25))
        fuzz_buf_printf(out, "set preserve_frame_pointers=true\n");
    fuzz_buf_printf(out, "target %s", jit_arch_name(o->arch));
    static const char *const xflags[] = {"has_sse3", "has_ssse3", "has_sse41", "has_sse42", "has_popcnt",
                                         "has_avx", "has_bmi1", "has_bmi2", "has_lzcnt", "has_fma"};
    static const char *const aflags[] = {"has_lse", "sign_return_address", "has_pauth"};
    if (fuzz_rng_chance(&g.r, 50)) {
        unsigned nf = a64 ? 3 : 10;
        for (unsigned k = 0; k < nf; k++)
            if (fuzz_rng_chance(&g.r, 50))
                fuzz_buf_printf(out, " %s", a64 ? aflags[k] : xflags[k]);
    }
    fuzz_buf_put(out, "\n", 1);
    unsigned maxf = o->max_funcs < 1 ? 1 : o->max_funcs > MAXF ? MAXF : o->max_funcs;
    g.nfns = 1 + fuzz_rng_below(&g.r, maxf);
    for (unsigned i = 0; i < g.nfns; i++) {
        gen_signature(&g, &g.fns[i], i + 1 == g.nfns);
        /* a tail function often returns what an earlier one does: return_call */
        fuzz_fn *f = &g.fns[i];
        for (unsigned j = 0; j < i && f->cc == IR_CC_tail; j++)
            if (g.fns[j].cc == IR_CC_tail && g.fns[j].nr && fuzz_rng_chance(&g.r, 80)) {
                f->nr = g.fns[j].nr;
                memcpy(f->r, g.fns[j].r, sizeof f->r);
                memcpy(f->rext, g.fns[j].rext, sizeof f->rext);
                break;
            }
    }
    for (g.cur = 0; g.cur < g.nfns; g.cur++)
        gen_function(&g, out);
    gen_runs(&g, out);
    fuzz_buf_free(&g.pre);
    fuzz_buf_free(&g.body);
    ir_vec_free(&g.vals);
    return true;
}
