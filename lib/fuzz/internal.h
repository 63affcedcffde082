/* lib/fuzz internals shared by the generator's files and the driver. */
#ifndef CLIFRUN_FUZZ_INTERNAL_H
#define CLIFRUN_FUZZ_INTERNAL_H

#include "fuzz.h"
#include "interp/interp.h"

/* ---- random numbers: xoshiro256** seeded by splitmix64, so a seed means
 * the same stream on every host and C library (never rand()) ---------------- */

typedef struct fuzz_rng { uint64_t s[4]; } fuzz_rng;
void fuzz_rng_seed(fuzz_rng *r, uint64_t seed);
uint64_t fuzz_rng_next(fuzz_rng *r);
/* Uniform in [0, n); n > 0. */
uint32_t fuzz_rng_below(fuzz_rng *r, uint32_t n);
/* True with probability pct percent. */
bool fuzz_rng_chance(fuzz_rng *r, unsigned pct);

/* ---- opcode signatures (optab.c) -------------------------------------------- */

typedef struct fuzz_sig {
    uint16_t op;
    ir_type ctrl;           /* the controlling type (0 for monomorphic opcodes) */
    uint8_t nargs, nres;
    ir_type args[3], res[2];
} fuzz_sig;

typedef struct fuzz_optab {
    fuzz_sig *v;              /* usable signatures, grouped by opcode */
    uint32_t n;
    uint32_t *ops;          /* start index into v of each opcode's group, in order */
    uint32_t nops;
    fuzz_sig *left;           /* candidates left out, with why */
    char (*why)[128];
    uint32_t nleft;
} fuzz_optab;

/* The table for o's target and options, built once (probing each candidate
 * with the verifier and the target's code generator); NULL with d on failure. */
const fuzz_optab *fuzz_optab_get(const fuzz_gen_opts *o, ir_diag *d);

/* The instruction text of sig with operands v[] ("v7 = iadd v3, v5"):
 * cond is the condition code of compares, imm the lane of
 * extractlane/insertlane, mask the 16 bytes of a shuffle. */
void fuzz_inst_text(fuzz_buf *b, const fuzz_sig *s, const uint32_t *res, const uint32_t *v, unsigned cond,
                  unsigned imm, const uint8_t *mask);

/* Type pools. */
extern const ir_type fuzz_scalar_types[7];    /* i8..i128, f32, f64 */
extern const ir_type fuzz_vector_types[6];    /* i8x16 .. i64x2, f32x4, f64x2 */
extern const ir_type fuzz_wide_floats[2];     /* f16, f128: drawn less often */
/* Does s take or make an f16 or f128? */
bool fuzz_sig_wide_float(const fuzz_sig *s);
/* A scalar type: fuzz_scalar_types, sometimes f16 or f128. */
ir_type fuzz_scalar_type(fuzz_rng *r);
const char *fuzz_tname(ir_type t);            /* static names, "i32" */

/* ---- memory and values shared by gen.c and genmem.c ------------------------- */

typedef struct fuzz_val {
    uint32_t id;
    ir_type t;
    uint8_t kind;           /* FUZZ_V_* */
} fuzz_val;
enum { FUZZ_V_PLAIN, FUZZ_V_CONST, FUZZ_V_BOOL /* an icmp/fcmp result: 0 or 1 */, FUZZ_V_EARLY };

typedef struct fuzz_region {  /* memory the function may load and store */
    uint32_t slot;          /* ssN, or IR_NONE for a sarg parameter */
    uint32_t base;          /* the sarg parameter's value */
    uint32_t size;
    uint8_t align_log2;     /* guaranteed alignment */
} fuzz_region;

/* ---- generator state (gen.c), shared by its files ---------------------------- */

#define MAXP 20
#define MAXR 6
#define MAXF 8

typedef struct fuzz_fn {
    ir_callconv cc;
    uint8_t np, nr;
    ir_type p[MAXP], r[MAXR];
    uint8_t pext[MAXP], rext[MAXR];
    uint16_t sarg[MAXP];    /* sarg size in bytes, 0 for a plain parameter */
} fuzz_fn;

typedef struct fuzz_gen {
    fuzz_rng r;
    fuzz_rng xr;            /* draws for try_call alone: other output stays */
    const fuzz_gen_opts *o;
    const fuzz_optab *tab;
    fuzz_fn fns[MAXF];
    unsigned nfns, cur;
    fuzz_buf pre, body;     /* the current function's preamble and blocks */
    uint32_t nv, nb;        /* next value and block numbers */
    IR_VEC(fuzz_val) vals;    /* visible values, innermost scope last */
    fuzz_region regs[12];
    unsigned nregs, nslots;
    int fnref[MAXF];        /* fnN (and sigN) declared for each callee, -1 if none */
    unsigned nrefs;
    int budget;             /* instructions left in this function */
    ir_type focus[3];       /* types this function leans to (nfocus 0: all) */
    unsigned nfocus;
    int depth, loops;       /* nesting of structures, of loops */
    bool ended;             /* the current block has its terminator */
} fuzz_gen;

/* A block of the generated program and its parameters' types. */
typedef struct fuzz_blk {
    uint32_t num;
    unsigned np;
    ir_type p[4];
} fuzz_blk;

/* gen.c, for genmem.c and genexn.c */
uint32_t fuzz_newval(fuzz_gen *g, ir_type t, uint8_t kind);
uint32_t fuzz_newid(fuzz_gen *g);     /* a value kept out of the pool (an address) */
void fuzz_line(fuzz_gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
uint32_t fuzz_pick(fuzz_gen *g, ir_type t);
uint32_t fuzz_const_int(fuzz_gen *g, ir_type t, unsigned __int128 v);
uint32_t fuzz_const(fuzz_gen *g, ir_type t);
uint32_t fuzz_to_i64(fuzz_gen *g, uint32_t v, ir_type t);
uint32_t fuzz_any_int(fuzz_gen *g, ir_type *t);
fuzz_rng *fuzz_gen_rng(fuzz_gen *g);
const fuzz_region *fuzz_regions(fuzz_gen *g, uint32_t *n);
bool fuzz_gen_vectors(fuzz_gen *g);
bool fuzz_gen_big(fuzz_gen *g);
ir_type fuzz_any_type(fuzz_gen *g);
unsigned fuzz_fnref(fuzz_gen *g, unsigned j);       /* fnN and sigN for callee j */
void fuzz_call_args(fuzz_gen *g, unsigned j, fuzz_buf *b);
fuzz_blk fuzz_new_block(fuzz_gen *g, unsigned maxp);
void fuzz_block_call(fuzz_gen *g, const fuzz_blk *b, fuzz_buf *out);
void fuzz_start_block(fuzz_gen *g, const fuzz_blk *b);
void fuzz_gen_return(fuzz_gen *g);    /* a return or a tail call */

/* genmem.c */
void fuzz_init_slot(fuzz_gen *g, uint32_t slot, uint32_t size);
/* One load, store, extending load, atomic or constant-address access. */
void fuzz_mem_op(fuzz_gen *g, bool allow_trap);

/* genexn.c: a try_call ending the current block, whose normal return starts
 * the next one; false (nothing drawn from g->r) if no callee may take one. */
bool fuzz_try_call(fuzz_gen *g);
/* A try_call whose normal edge joins `to` (a diamond's or br_table's join)
 * passing retN for one of its parameters where a callee makes its type;
 * false (nothing drawn or written) if no callee may take one. */
bool fuzz_try_jump(fuzz_gen *g, const fuzz_blk *to);
/* At a loop's latch, `brif cond, <back edge>, exit(...)` with the back edge
 * a try_call to head passing retN for one of the carried values args[1..]
 * (args[0] the counter); false (nothing drawn or written) if no callee fits. */
bool fuzz_try_back_edge(fuzz_gen *g, const fuzz_blk *head, const uint32_t *args, uint32_t cond,
                        const fuzz_blk *exit);

#endif
