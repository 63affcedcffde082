/* lib/interp/internal.h: what the interpreter's files share.
 *
 *   interp.c  contexts, decoding a function once, frames, the dispatch
 *             loop, control flow and calls between the file's functions
 *   int.c     integer families      float.c  float families
 *   mem.c     memory: stack slots, guarded host memory, loads, stores,
 *             atomics, global values
 *   vec.c     lane shuffling, widening/narrowing, reductions
 *   host.c    host functions: dlsym, libffi calls, function addresses
 *
 * Every opcode belongs to one family (families.h); a family has a decoder
 * that checks types and fills a dinst, and an executor.  Hot forms of a few
 * families get their own case in the dispatch loop (interp.c). */
#ifndef CLIFRUN_INTERP_INTERNAL_H
#define CLIFRUN_INTERP_INTERNAL_H

#include <string.h>

#include "interp.h"

/* A value: 16 bytes, little endian.  Scalar integers up to 64 bits are kept
 * zero-extended in d[0]; f32/f64 bits likewise; vectors fill their lanes
 * from byte 0 and keep the bytes past their size zero. */
typedef union islot {
    uint8_t b[16];
    uint16_t h[8];
    uint32_t w[4];
    uint64_t d[2];
    float f[4];
    double g[2];
    unsigned __int128 q;
} islot;

/* What an executor returns: 0, a trap code (IR_TRAP_*), or one of these. */
enum { INTERP_ERR = 0x10000 };

typedef struct dinst dinst;
typedef int (*interp_exec_fn)(interp_ctx *C, islot *S, const dinst *d);

/* A decoded instruction: operands are value slots (aliases resolved). */
struct dinst {
    uint16_t x;             /* XOP_* */
    uint16_t op;            /* the ir_opcode */
    ir_type ty;             /* result (or controlling) type */
    ir_type ty2;            /* operand type where it differs */
    uint8_t cc;             /* condition code, rmw op, lane index */
    uint8_t mf;             /* memflag bits (IR_MF_*) */
    uint16_t trap;          /* trap code (traps, memory: heap_oob unless the flags say) */
    uint32_t r, r2;         /* result slots */
    uint32_t a, b, c;       /* operand slots; lists: offset and count in ops */
    uint32_t inst;          /* the IR instruction */
    uint64_t imm;           /* immediate, mask, offset, edge index */
    interp_exec_fn fn;      /* XOP_GENERIC */
};

/* Dispatch-loop opcodes.  XOP_GENERIC calls d->fn; the others are inline. */
enum {
    XOP_GENERIC, XOP_NOP, XOP_CONST, XOP_CONST128, XOP_COPY,
    XOP_IADD, XOP_ISUB, XOP_IMUL, XOP_BAND, XOP_BOR, XOP_BXOR,
    XOP_ISHL, XOP_USHR, XOP_SSHR, XOP_ICMP, XOP_ICMP_IMM, XOP_SELECT,
    XOP_UEXTEND, XOP_SEXTEND, XOP_MASK, XOP_LOAD, XOP_STORE,
    XOP_JUMP, XOP_BRIF, XOP_BRIF128, XOP_BR_TABLE, XOP_RETURN, XOP_TRAP, XOP_TRAPZ, XOP_TRAPNZ,
    XOP_CALL, XOP_CALL_INDIRECT, XOP_RETURN_CALL, XOP_RETURN_CALL_INDIRECT, XOP_TRY_CALL,
    XOP_TRY_CALL_INDIRECT, XOP_COUNT
};

/* A block call: moves src -> dst (pairs in ops), then continue at pc. */
typedef struct dedge {
    uint32_t pc;
    uint32_t moves, nmoves; /* ops offset of (src, dst) pairs */
    uint32_t cost;          /* instructions of the target block (steps) */
    bool staged;            /* a source is written by an earlier move */
} dedge;
/* try_call edges take retN / exnN: a source with this bit reads the call's
 * results (retbuf) instead of a slot. */
#define DEDGE_RET 0x80000000u
typedef IR_VEC(dedge) dedge_vec;
typedef IR_VEC(uint32_t) interp_u32vec;

/* A function of the file, decoded on first use. */
typedef struct dfunc {
    uint8_t state;          /* DF_* */
    ir_diag *err;           /* DF_BAD: why (allocated then only: a context has one
                             * dfunc per function of the file, made zero) */
    const ir_function *ir;
    uint32_t index;
    uint32_t nslots;        /* one per value number */
    dinst *code;
    uint32_t ncode;
    dedge *edges;
    uint32_t nedges;
    uint32_t *ops;
    uint32_t nops;
    uint32_t entry_pc, entry_cost;
    uint32_t params;        /* ops offset of the entry block's parameter slots */
    uint32_t nparams;
    uint32_t mem_size, mem_align;   /* stack slots (and sarg copies) */
    uint32_t *slot_off;     /* per stack slot: offset in the frame's memory */
    uint32_t *sarg_off;     /* per parameter: its copy's offset, or IR_NONE */
    uint32_t *block_pc;     /* per block number, IR_NONE if not in the layout */
    uint32_t *callees;      /* per func ref: file function, or IR_NONE (host) */
    uint32_t *hosts;        /* per func ref: host table index, or IR_NONE */
    uint32_t vmctx;         /* slot of the vmctx parameter, or IR_NONE */
    const uint32_t *param_slots;    /* the entry block's parameters (in fn's pool) */
    bool sargs;             /* a parameter is a struct argument (sarg_off) */
    uint32_t seen;          /* interp_supported's walk: its generation */
} dfunc;
enum { DF_NEW, DF_DECODING, DF_OK, DF_BAD };

/* A host function: resolved by name (or an address from a program). */
typedef struct ihost {
    const char *name;       /* NULL: an address */
    void *addr;
} ihost;

/* An interpreter frame. */
typedef struct iframe {
    dfunc *fn;
    islot *slots;
    uint32_t pc;            /* while a callee runs: the call's dinst */
    uint8_t *mem;           /* stack slots; its start is the frame's stack pointer */
    size_t mem_mark, slot_mark;
} iframe;

/* A reserved, lazily committed region used as a stack; top and high are
 * bytes in use and the most ever used, from the start or (down) the end. */
typedef struct istack {
    uint8_t *base;
    size_t size, top, high;
    bool down;
} istack;

struct interp_ctx {
    const ir_file *file;
    dfunc *funcs;
    struct interp_chunk *chunks;   /* decoded functions' code, edges, operands, tables */
    interp_u32vec dec_ops;  /* decoding scratch, kept from one function to the next */
    dedge_vec dec_edges;
    uint32_t *work, seen_gen;   /* interp_supported's walk */
    IR_VEC(ihost) hosts;
    /* memory */
    istack mem;             /* stack slots, below 4 GiB when the host allows; grows down */
    istack vals;            /* value slots of frames */
    iframe *frames;
    uint32_t depth, frames_cap, max_depth;
    islot *argbuf, *retbuf; /* tail-call arguments, try_call results */
    uint32_t argbuf_cap;
    islot pinned;
    /* the page cache of guarded host memory: page number << 2 | access */
    uint64_t pages[64];
    bool pages_used;        /* pages[] is not all zero */
    /* function addresses for func_addr: a PROT_NONE range */
    uint8_t *fn_addrs;
    size_t fn_addrs_size;
    void **closures;        /* per function: its address once func_addr asked */
    void **closure_mem;     /* per function: the libffi closure and its data */
    uint64_t *cl_keys;      /* closure code address -> function: open addressing */
    uint32_t *cl_vals, cl_cap, ncl;
    /* the current call */
    const interp_opts *opts;
    uint64_t steps, poll_at, max_steps;
    double deadline;
    uint32_t where_func, where_inst;   /* of a trap or error */
    int pending;            /* a trap or error inside a callback from the host */
    bool where_kept;        /* where_* are the callback's: keep them */
    char msg[256];          /* INTERP_ERR: why */
    bool in_host;           /* a host call is under way (callbacks re-enter) */
    unsigned reentries;     /* callbacks from host code under way */
    bool generic_only;      /* interp_set_generic_only */
};

/* ---- interp.c ------------------------------------------------------------------ */
/* An error at the instruction being executed (returns INTERP_ERR). */
int interp_error(interp_ctx *C, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The diagnostic of an unsupported construct at instruction inst of fn. */
bool interp_unsupported(ir_diag *d, const ir_function *fn, uint32_t inst, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Decode function i if needed; false (and fn->err) if it is unsupported. */
bool interp_decode_new(interp_ctx *C, uint32_t i);
static inline bool interp_decode(interp_ctx *C, uint32_t i)
{
    uint8_t st = C->funcs[i].state;
    return st == DF_OK || st == DF_DECODING || (st == DF_NEW && interp_decode_new(C, i));
}
/* Call function i from host code (a callback): args and results as slots. */
int interp_reenter(interp_ctx *C, uint32_t func, const islot *args, islot *results);

/* ---- decoding (each family's decoder) -----------------------------------------
 * A decoder sees the IR instruction and fills d (x, fn and the fields its
 * executor reads); r, a, b, c, inst, op and ty are preset from the
 * instruction (first result, first three operands, result type or ctrl
 * type).  It returns false with d->... untouched and the diagnostic filled
 * if the interpreter cannot run the instruction. */
typedef struct interp_dec {
    interp_ctx *C;
    dfunc *df;
    const ir_function *fn;
    uint32_t inst;
    ir_diag *d;
    interp_u32vec ops;
    uint32_t need;          /* slots argbuf/retbuf must hold for this function */
} interp_dec;
typedef bool (*interp_decode_fn)(interp_dec *D, dinst *d);

/* Type helpers for decoders. */
ir_type interp_value_type(const interp_dec *D, unsigned arg);   /* operand arg's type */
ir_type interp_result_type(const interp_dec *D, unsigned res);
/* Can the interpreter hold t (i8..i128, f32, f64, vectors of those up to
 * 128 bits)?  If not, the diagnostic names the type.  Scalars always. */
bool interp_type_check(interp_dec *D, ir_type t);
static inline bool interp_type_ok(interp_dec *D, ir_type t)
{
    return !ir_type_is_vector(t) || interp_type_check(D, t);
}
/* The slot of a value: aliases resolved (ir_value_resolve, inline). */
static inline uint32_t interp_slot(const interp_dec *D, uint32_t v)
{
    const ir_function *f = D->fn;
    while (v < f->values.n && f->values.v[v].kind == IR_VAL_ALIAS)
        v = f->values.v[v].def;
    return v;
}

bool interp_dec_int_binary(interp_dec *D, dinst *d);
bool interp_dec_int_unary(interp_dec *D, dinst *d);
bool interp_dec_icmp(interp_dec *D, dinst *d);
bool interp_dec_overflow(interp_dec *D, dinst *d);
bool interp_dec_select(interp_dec *D, dinst *d);
bool interp_dec_int_convert(interp_dec *D, dinst *d);
bool interp_dec_const(interp_dec *D, dinst *d);
bool interp_dec_float_binary(interp_dec *D, dinst *d);
bool interp_dec_float_unary(interp_dec *D, dinst *d);
bool interp_dec_fma(interp_dec *D, dinst *d);
bool interp_dec_fcmp(interp_dec *D, dinst *d);
bool interp_dec_float_convert(interp_dec *D, dinst *d);
bool interp_dec_fcvt_to_int(interp_dec *D, dinst *d);
bool interp_dec_fcvt_from_int(interp_dec *D, dinst *d);
bool interp_dec_bitcast(interp_dec *D, dinst *d);
bool interp_dec_load(interp_dec *D, dinst *d);
bool interp_dec_store(interp_dec *D, dinst *d);
bool interp_dec_stack_addr(interp_dec *D, dinst *d);
bool interp_dec_global(interp_dec *D, dinst *d);
bool interp_dec_atomic(interp_dec *D, dinst *d);
bool interp_dec_func_addr(interp_dec *D, dinst *d);
bool interp_dec_lanes(interp_dec *D, dinst *d);
bool interp_dec_shuffle(interp_dec *D, dinst *d);
bool interp_dec_vreduce(interp_dec *D, dinst *d);
bool interp_dec_narrow(interp_dec *D, dinst *d);
bool interp_dec_widen(interp_dec *D, dinst *d);
bool interp_dec_pairwise(interp_dec *D, dinst *d);
bool interp_dec_qmul(interp_dec *D, dinst *d);

/* ---- int.c: scalar lane helpers shared with vec.c and mem.c -------------------- */
static inline uint64_t interp_mask(unsigned bits)
{
    return bits >= 64 ? ~0ull : (1ull << bits) - 1;
}
static inline int64_t interp_sext(uint64_t x, unsigned bits)
{
    unsigned s = 64 - bits;
    return s >= 64 ? 0 : (int64_t)(x << s) >> s;
}
/* Lane i of a vector (or lane 0 of a scalar), zero-extended. */
static inline uint64_t interp_lane(const islot *s, unsigned bits, unsigned i)
{
    switch (bits) {
    case 8: return s->b[i];
    case 16: return s->h[i];
    case 32: return s->w[i];
    default: return s->d[i];
    }
}
static inline void interp_set_lane(islot *s, unsigned bits, unsigned i, uint64_t v)
{
    switch (bits) {
    case 8: s->b[i] = (uint8_t)v; break;
    case 16: s->h[i] = (uint16_t)v; break;
    case 32: s->w[i] = (uint32_t)v; break;
    default: s->d[i] = v; break;
    }
}
/* One lane of an integer binary op; returns 0 or a trap code. */
int interp_int_op(unsigned op, unsigned bits, uint64_t x, uint64_t y, uint64_t *out);
/* One lane of icmp (zero-extended operands of width bits). */
static inline bool interp_icmp(unsigned cc, unsigned bits, uint64_t x, uint64_t y)
{
    switch (cc) {
    case IR_INTCC_eq: return x == y;
    case IR_INTCC_ne: return x != y;
    case IR_INTCC_slt: return interp_sext(x, bits) < interp_sext(y, bits);
    case IR_INTCC_sge: return interp_sext(x, bits) >= interp_sext(y, bits);
    case IR_INTCC_sgt: return interp_sext(x, bits) > interp_sext(y, bits);
    case IR_INTCC_sle: return interp_sext(x, bits) <= interp_sext(y, bits);
    case IR_INTCC_ult: return x < y;
    case IR_INTCC_uge: return x >= y;
    case IR_INTCC_ugt: return x > y;
    default: return x <= y;
    }
}
/* Byte-swap n bytes in place. */
void interp_bswap(uint8_t *p, unsigned n);

/* ---- float.c ------------------------------------------------------------------- */
/* f32/f64 lane helpers with the deterministic NaN rule (interp.h). */
uint32_t interp_f32_op(unsigned op, uint32_t a, uint32_t b);
uint64_t interp_f64_op(unsigned op, uint64_t a, uint64_t b);
/* float16.c: f16 and f128 scalars with the same NaN rules. */
bool interp_f16_f128_op_ok(unsigned op);
uint16_t interp_f16_op(unsigned op, uint16_t a, uint16_t b);
unsigned __int128 interp_f128_op(unsigned op, unsigned __int128 a, unsigned __int128 b);
uint16_t interp_f16_fma(uint16_t a, uint16_t b, uint16_t c);
unsigned __int128 interp_f128_fma(unsigned __int128 a, unsigned __int128 b, unsigned __int128 c);
float interp_f16_to_f32(uint16_t h);
uint16_t interp_f32_to_f16(float f);
bool interp_fcmp_wide(unsigned cc, unsigned bits, const uint8_t *a, const uint8_t *b);
void interp_fconvert(unsigned from, unsigned to, const uint8_t *in, uint8_t *out);
int interp_to_int_wide(unsigned fbits, const uint8_t *p, unsigned bits, bool sgn, bool sat, unsigned __int128 *out);
void interp_from_int_wide(unsigned fbits, bool sgn, unsigned __int128 x, uint8_t *out);

/* ---- mem.c --------------------------------------------------------------------- */
bool interp_mem_init_slow(interp_ctx *C);
/* The stacks reserved, and trimmed to what a call may keep (interp_call). */
#define INTERP_KEEP_RESIDENT ((size_t)4 << 20)     /* above this, a finished call gives pages back */
static inline bool interp_mem_init(interp_ctx *C)
{
    if (C->mem.base && C->vals.base && C->mem.high <= INTERP_KEEP_RESIDENT && C->vals.high <= INTERP_KEEP_RESIDENT)
        return true;
    return interp_mem_init_slow(C);
}
void interp_mem_free(interp_ctx *C);
/* Read or write n bytes at addr: the interpreter's own stack directly,
 * other addresses under a guard.  Returns 0 or the trap code (mf's, else
 * heap_oob) for memory that is not there. */
int interp_mem_read(interp_ctx *C, uint64_t addr, void *dst, size_t n, const dinst *d);
int interp_mem_write(interp_ctx *C, uint64_t addr, const void *src, size_t n, const dinst *d);
/* Forget what the page cache knows (a host call may have changed the map). */
void interp_mem_forget(interp_ctx *C);
static inline bool interp_in_stack(const interp_ctx *C, uint64_t addr, size_t n)
{
    return addr - (uint64_t)(uintptr_t)C->mem.base < C->mem.size - n + 1 && n <= C->mem.size;
}
/* Take n bytes (aligned to align) off a stack; NULL when it is full. */
static inline void *interp_stack_alloc(istack *s, size_t n, size_t align)
{
    uintptr_t b = (uintptr_t)s->base;
    if (s->down) {
        if (n > s->size - s->top)
            return NULL;
        uintptr_t at = (b + s->size - s->top - n) & ~(uintptr_t)(align - 1);
        if (at < b)
            return NULL;
        s->top = b + s->size - at;
        if (s->top > s->high)
            s->high = s->top;
        return (uint8_t *)at;
    }
    size_t at = ((b + s->top + align - 1) & ~(uintptr_t)(align - 1)) - b;
    if (at > s->size || n > s->size - at)
        return NULL;
    s->top = at + n;
    if (s->top > s->high)
        s->high = s->top;
    return s->base + at;
}
/* A frame's zeros in whole pages are the kernel's (MADV_DONTNEED), not
 * memset's: a 1 MiB stack slot of which a function uses a few bytes is
 * then not 256 pages touched at each call (~10 us a page on some
 * machines); the pages it uses come back zero as they are touched.  Below
 * 64 KiB a memset costs less than the call. */
#define INTERP_ZERO_BY_KERNEL ((size_t)64 << 10)
void interp_stack_fill_big(uint8_t *p, size_t n, uint8_t fill);
/* Set the n bytes at p, a frame's stack slots, to fill. */
static inline void interp_stack_fill(uint8_t *p, size_t n, uint8_t fill)
{
    if (n <= 64) {      /* most frames: a word store, not a call */
        uint64_t w = fill * 0x0101010101010101ull;
        for (size_t k = 0; k + 8 <= n; k += 8)
            memcpy(p + k, &w, 8);
        for (size_t k = n & ~(size_t)7; k < n; k++)
            p[k] = fill;
    } else if (fill || n < INTERP_ZERO_BY_KERNEL) {
        memset(p, fill, n);
    } else {
        interp_stack_fill_big(p, n, fill);
    }
}
/* The value of global value gv of fn in the frame S; 0 or a trap/error code. */
int interp_global_value(interp_ctx *C, const dfunc *df, islot *S, uint32_t gv, islot *out,
                        const dinst *d);

/* ---- host.c -------------------------------------------------------------------- */
/* The host function for func ref fr of fn: a table index, or IR_NONE with
 * d filled when there is none. */
uint32_t interp_host_lookup(interp_ctx *C, const ir_function *fn, uint32_t fr, uint32_t inst, ir_diag *d);
/* Call host function addr with signature sig of fn: arguments from the
 * slots listed at args, results into the slots listed at res. */
int interp_host_call(interp_ctx *C, void *addr, const ir_function *fn, const ir_signature *sig,
                     islot *S, const uint32_t *args, const uint32_t *res, islot *resbuf);
/* The address func_addr gives function i of the file. */
uint64_t interp_func_address(interp_ctx *C, uint32_t i);
/* The file function at addr, or IR_NONE. */
uint32_t interp_func_at(const interp_ctx *C, uint64_t addr);
/* Is addr where a host function starts (one the file named, or a symbol)? */
bool interp_host_code(interp_ctx *C, uint64_t addr);
/* An address a symbol or an external function name stands for. */
bool interp_symbol_address(interp_ctx *C, const ir_function *fn, const ir_extname *n, uint64_t *addr);
void interp_host_free(interp_ctx *C);

#endif
