/* The generator's memory accesses: stack slots filled before anything reads
 * them, loads and stores of every width (plain, extending, truncating,
 * vector-extending) at constant offsets and at computed addresses that
 * stay inside the slot, atomics at aligned addresses, and rarely an access
 * at a constant address below 4096, whose answer is a trap. */
#include "internal.h"

#include <string.h>

static ir_type int_of_bytes(unsigned n)
{
    return n == 1 ? IR_I8 : n == 2 ? IR_I16 : n == 4 ? IR_I32 : n == 8 ? IR_I64 : IR_I128;
}

static unsigned log2u(unsigned x)
{
    unsigned k = 0;
    while ((2u << k) <= x)
        k++;
    return k;
}

/* The memflags text: notrap where the access cannot trap, aligned where it
 * is, the byte order sometimes (big only where allowed: not for atomics or
 * vectors, which Cranelift's back ends refuse big-endian). */
static const char *flags(fuzz_gen *g, bool can_align, bool notrap_ok, bool big_ok, char *buf, size_t n)
{
    fuzz_rng *r = fuzz_gen_rng(g);
    /* one draw per statement: argument order differs between compilers */
    bool nt = notrap_ok && fuzz_rng_chance(r, 50);
    bool al = can_align && fuzz_rng_chance(r, 50);
    unsigned order = fuzz_rng_below(r, 100);
    big_ok = big_ok && fuzz_gen_big(g);
    const char *bo = order < 10 ? " little" : big_ok && order < 18 ? " big" : "";
    snprintf(buf, n, "%s%s%s", nt ? " notrap" : "", al ? " aligned" : "", bo);
    return buf;
}

void fuzz_init_slot(fuzz_gen *g, uint32_t slot, uint32_t size)
{
    fuzz_rng *r = fuzz_gen_rng(g);
    uint32_t base = IR_NONE, vals[5] = {IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE};
    if (fuzz_rng_chance(r, 60)) {
        base = fuzz_newid(g);
        fuzz_line(g, "v%u = stack_addr.i64 ss%u", base, slot);
    }
    for (uint32_t off = 0; off < size;) {
        unsigned w = 16;
        while (w > size - off || (w == 16 && fuzz_rng_chance(r, 70)))
            w /= 2;
        if (w > 1 && fuzz_rng_chance(r, 20))
            w /= 2;
        unsigned k = log2u(w);
        if (vals[k] == IR_NONE || fuzz_rng_chance(r, 30))
            vals[k] = fuzz_const(g, int_of_bytes(w));
        char fb[32];
        flags(g, false, true, true, fb, sizeof fb);
        if (base != IR_NONE) {
            fuzz_line(g, "store%s v%u, v%u+%u", fb, vals[k], base, off);
        } else {
            uint32_t a = fuzz_newid(g);
            fuzz_line(g, "v%u = stack_addr.i64 ss%u+%u", a, slot, off);
            fuzz_line(g, "store%s v%u, v%u", fb, vals[k], a);
        }
        off += w;
    }
}

/* An access: its opcode text, the type it loads or stores and its width. */
typedef struct access {
    const char *op;         /* "load", "uload8", "store", "istore16" ... */
    ir_type t;              /* the value's type */
    unsigned bytes;         /* memory touched */
    bool store, suffix;     /* suffix: loads name their type */
} access;

static access pick_access(fuzz_gen *g, unsigned max)
{
    fuzz_rng *r = fuzz_gen_rng(g);
    for (int tries = 0; tries < 20; tries++) {
        access a = {0};
        a.store = fuzz_rng_chance(r, 40);
        unsigned kind = fuzz_rng_below(r, 10);
        if (kind < 6) {
            if (fuzz_gen_vectors(g) && fuzz_rng_chance(r, 20))
                a.t = fuzz_vector_types[fuzz_rng_below(r, 6)];
            else
                a.t = fuzz_scalar_type(r);
            a.op = a.store ? "store" : "load";
            a.bytes = ir_type_bytes(a.t), a.suffix = !a.store;
        } else if (kind < 9) {
            static const char *const lo[] = {"uload8", "sload8", "uload16", "sload16", "uload32", "sload32"};
            static const char *const st[] = {"istore8", "istore16", "istore32"};
            unsigned w = fuzz_rng_below(r, 3);        /* 1, 2, 4 bytes */
            a.bytes = 1u << w;
            ir_type wide = (ir_type)(IR_I16 + w + fuzz_rng_below(r, 3 - w));
            a.t = w == 2 ? IR_I64 : wide;
            a.op = a.store ? st[w] : lo[2 * w + fuzz_rng_below(r, 2)];
            a.suffix = !a.store && w < 2;
        } else if (fuzz_gen_vectors(g) && !a.store) {
            static const char *const vx[] = {"uload8x8", "sload8x8", "uload16x4", "sload16x4", "uload32x2", "sload32x2"};
            unsigned k = fuzz_rng_below(r, 6);
            a.op = vx[k], a.t = fuzz_vector_types[1 + k / 2], a.bytes = 8;
        } else {
            continue;
        }
        if (a.bytes <= max)
            return a;
    }
    return (access){.op = "load", .t = IR_I8, .bytes = 1, .suffix = true};
}

static void emit_access(fuzz_gen *g, const access *a, const char *fl, uint32_t addr, uint32_t off)
{
    char offs[16] = "";
    if (off || fuzz_rng_chance(fuzz_gen_rng(g), 10))
        snprintf(offs, sizeof offs, "+%u", off);
    if (a->store) {
        uint32_t v = fuzz_pick(g, a->t);
        fuzz_line(g, "%s%s v%u, v%u%s", a->op, fl, v, addr, offs);
        return;
    }
    uint32_t v = fuzz_newval(g, a->t, FUZZ_V_PLAIN);
    if (a->suffix)
        fuzz_line(g, "v%u = %s.%s%s v%u%s", v, a->op, fuzz_tname(a->t), fl, addr, offs);
    else
        fuzz_line(g, "v%u = %s%s v%u%s", v, a->op, fl, addr, offs);
}

/* The base address of region rg plus a constant part of `room` bytes.
 * Addresses are never in the operand pool: a pointer in a result would
 * differ from run to run. */
static uint32_t region_base(fuzz_gen *g, const fuzz_region *rg, uint32_t *room_used, uint32_t room)
{
    if (rg->slot == IR_NONE) {
        *room_used = 0;
        return rg->base;
    }
    fuzz_rng *r = fuzz_gen_rng(g);
    uint32_t o = room && fuzz_rng_chance(r, 30) ? fuzz_rng_below(r, room + 1) : 0;
    uint32_t a = fuzz_newid(g);
    if (o)
        fuzz_line(g, "v%u = stack_addr.i64 ss%u+%u", a, rg->slot, o);
    else
        fuzz_line(g, "v%u = stack_addr.i64 ss%u", a, rg->slot);
    *room_used = o;
    return a;
}

static void const_address(fuzz_gen *g)
{
    fuzz_rng *r = fuzz_gen_rng(g);
    access a = pick_access(g, 16);
    static const uint32_t bases[] = {0, 8, 16, 64, 256, 1024, 2048, 4000};
    uint32_t k = bases[fuzz_rng_below(r, 8)], off = fuzz_rng_chance(r, 50) ? fuzz_rng_below(r, 64) : 0;
    if (k + off + a.bytes >= 4096)
        k = 0;
    uint32_t v = fuzz_newval(g, IR_I64, FUZZ_V_PLAIN);
    fuzz_line(g, "v%u = iconst.i64 %u", v, k);
    char fl[32] = "";
    if (fuzz_rng_chance(r, 40)) {
        char code[16];
        ir_trapcode_name((ir_trapcode)(IR_TRAP_USER + 1 + fuzz_rng_below(r, 250)), code);
        snprintf(fl, sizeof fl, " %s", code);
    }
    emit_access(g, &a, fl, v, off);
}

static void atomic(fuzz_gen *g, const fuzz_region *rg)
{
    fuzz_rng *r = fuzz_gen_rng(g);
    unsigned w = 1u << fuzz_rng_below(r, 4);
    while (w > 1 && (w > rg->size || log2u(w) > rg->align_log2))
        w /= 2;
    ir_type t = int_of_bytes(w);
    uint32_t off = fuzz_rng_below(r, (rg->size - w) / w + 1) * w;
    uint32_t a = fuzz_newid(g);
    fuzz_line(g, "v%u = stack_addr.i64 ss%u+%u", a, rg->slot, off);
    char fl[32];
    flags(g, true, true, false, fl, sizeof fl);
    switch (fuzz_rng_below(r, 4)) {
    case 0: {
        uint32_t v = fuzz_newval(g, t, FUZZ_V_PLAIN);
        fuzz_line(g, "v%u = atomic_load.%s%s v%u", v, fuzz_tname(t), fl, a);
        break;
    }
    case 1:
        fuzz_line(g, "atomic_store%s v%u, v%u", fl, fuzz_pick(g, t), a);
        break;
    case 2: {
        uint32_t x = fuzz_pick(g, t), v = fuzz_newval(g, t, FUZZ_V_PLAIN);
        fuzz_line(g, "v%u = atomic_rmw.%s%s %s v%u, v%u", v, fuzz_tname(t), fl,
                ir_atomic_rmw_names[fuzz_rng_below(r, IR_RMW_COUNT)], a, x);
        break;
    }
    default: {
        uint32_t e = fuzz_pick(g, t), x = fuzz_pick(g, t), v = fuzz_newval(g, t, FUZZ_V_PLAIN);
        fuzz_line(g, "v%u = atomic_cas%s v%u, v%u, v%u", v, fl, a, e, x);
        break;
    }
    }
}

void fuzz_mem_op(fuzz_gen *g, bool allow_trap)
{
    fuzz_rng *r = fuzz_gen_rng(g);
    uint32_t nregs;
    const fuzz_region *regs = fuzz_regions(g, &nregs);
    const fuzz_region *rg = &regs[fuzz_rng_below(r, nregs)];
    if (allow_trap && fuzz_rng_chance(r, 8)) {
        const_address(g);
        return;
    }
    if (rg->slot != IR_NONE && fuzz_rng_chance(r, 12)) {
        atomic(g, rg);
        return;
    }
    access a = pick_access(g, rg->size);
    uint32_t room = rg->size - a.bytes;
    if (room >= 1 && fuzz_rng_chance(r, 50)) {
        /* a computed index, masked (and scaled) to stay inside */
        unsigned scale = fuzz_rng_chance(r, 40) ? fuzz_rng_below(r, 4) : 0;
        while (scale && (1u << scale) > room)
            scale--;
        uint32_t mask = (1u << log2u(room >> scale)) - 1;
        ir_type xt;
        uint32_t x = fuzz_any_int(g, &xt), x64 = fuzz_to_i64(g, x, xt);
        uint32_t m = fuzz_const_int(g, IR_I64, mask), idx = fuzz_newval(g, IR_I64, FUZZ_V_PLAIN);
        if (fuzz_rng_chance(r, 50))
            fuzz_line(g, "v%u = band v%u, v%u", idx, x64, m);
        else
            fuzz_line(g, "v%u = band v%u, v%u", idx, m, x64);
        if (scale) {
            uint32_t s = fuzz_const_int(g, IR_I64, scale), sh = fuzz_newval(g, IR_I64, FUZZ_V_PLAIN);
            fuzz_line(g, "v%u = ishl v%u, v%u", sh, idx, s);
            idx = sh;
        }
        uint32_t used;
        uint32_t left = room - (mask << scale);
        uint32_t base = region_base(g, rg, &used, left), addr = fuzz_newid(g);
        if (fuzz_rng_chance(r, 50))
            fuzz_line(g, "v%u = iadd v%u, v%u", addr, base, idx);
        else
            fuzz_line(g, "v%u = iadd v%u, v%u", addr, idx, base);
        char fl[32];
        uint32_t off = fuzz_rng_below(r, left - used + 1);
        emit_access(g, &a, flags(g, false, true, !ir_type_is_vector(a.t), fl, sizeof fl), addr, off);
        return;
    }
    uint32_t used, base = region_base(g, rg, &used, room);
    uint32_t off = fuzz_rng_below(r, room - used + 1);
    /* aligned only where the slot's alignment and the offset make it so */
    bool al = rg->slot != IR_NONE && a.bytes <= (1u << rg->align_log2) && (used + off) % a.bytes == 0;
    char fl[32];
    emit_access(g, &a, flags(g, al, true, !ir_type_is_vector(a.t), fl, sizeof fl), base, off);
}

