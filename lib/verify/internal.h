/* lib/verify's own interface between its files: the verifier's context,
 * the walk over an instruction's block calls, and the CFG and dominator
 * tree (cfg.c) that verify.c's checks query. */
#ifndef VERIFY_INTERNAL_H
#define VERIFY_INTERNAL_H

#include "verify.h"

typedef struct verr {
    uint32_t line, col;
    char msg[400];
} verr;

typedef struct vctx {
    const ir_function *f;
    const verify_isa *isa;      /* NULL: no ISA */
    uint32_t nerr;              /* errors found so far */
    bool full;                  /* VERIFY_MAX_ERRORS reached: stop */
    bool fatal;                 /* an error after which Cranelift's verifier stops */
    verr *errs;                 /* VERIFY_MAX_ERRORS entries, from the first error on */
    uint32_t entry;             /* first block in the layout, IR_NONE if none */
    /* per block */
    uint32_t *po;               /* postorder number, IR_NONE if unreachable */
    uint32_t *idom;             /* immediate dominator (entry: itself) */
    uint32_t *dpre, *dmax;      /* preorder interval in the dominator tree */
    uint32_t *succ_off;         /* CSR of CFG successors (nb + 1 entries) */
    uint32_t *succ;
    uint32_t *pred_off, *pred;  /* CSR of predecessors, later of dominator-tree children */
    uint32_t *order, *stack, *next;     /* postorder; DFS stack (nb + 1 each) */
    const uint64_t *domset;     /* at most 64 blocks: the blocks dominating each
                                   (then idom, dpre, dmax and the edges are unused) */
    /* per instruction */
    uint8_t *seen;              /* instructions already walked: an earlier one in the
                                   same block dominates */
    /* per value */
    uint64_t *vmark;            /* (block + 1) << 32 | type once its definition was
                                   walked, in that block, and found fine (0 before) */
    /* the block being walked */
    bool check;                 /* reachable: uses need dominance */
    uint64_t dom;               /* its dominators, when check and domset */
    char (*tbuf)[40];           /* 4 rotating buffers for type names (not zeroed) */
    unsigned tk;
    uint32_t ctrl_inst;         /* the instruction typecheck last found ctrl_type of */
    ir_type ctrl;               /* and that type */
} vctx;

/* ---- destinations -------------------------------------------------------------
 * A block call is `block, nargs, args...` in the pool.  dest_start/dest_next
 * walk the pool offsets of an instruction's block calls (br_table: default
 * first; try_call: normal return first, as typecheck_variable_args does)
 * with the kind of target, which decides what retN/exnN may mean. */
enum { DEST_NORMAL, DEST_EXN_RET, DEST_EXCEPTION };

typedef struct dest_iter {
    const ir_function *f;
    uint32_t inst, fmt;
    uint32_t k, n;              /* next index, count */
} dest_iter;

/* try_call keeps its func ref in `ent` and the exception table offset in `imm`. */
static inline uint32_t exn_table(const ir_function *f, uint32_t inst) { return (uint32_t)f->insts.v[inst].imm; }

static inline uint32_t bc_block(const ir_function *f, uint32_t off) { return f->pool.v[off]; }
static inline uint32_t bc_nargs(const ir_function *f, uint32_t off) { return f->pool.v[off + 1]; }
static inline const uint32_t *bc_args(const ir_function *f, uint32_t off) { return &f->pool.v[off + 2]; }

static inline void dest_start(dest_iter *it, const ir_function *f, uint32_t inst)
{
    const ir_inst_data *id = &f->insts.v[inst];
    it->f = f;
    it->inst = inst;
    it->fmt = ir_opcodes[id->op].format;
    it->k = 0;
    switch (it->fmt) {
    case IR_FMT_Jump: it->n = 1; break;
    case IR_FMT_Brif: it->n = 2; break;
    case IR_FMT_BranchTable: it->n = f->pool.v[id->ent]; break;
    case IR_FMT_TryCall:
    case IR_FMT_TryCallIndirect: it->n = 1 + f->pool.v[exn_table(f, inst) + 2]; break;
    default: it->n = 0; break;
    }
}

/* Next block call: its pool offset and target kind; false at the end. */
static inline bool dest_next(dest_iter *it, uint32_t *off, int *kind)
{
    const ir_function *f = it->f;
    const ir_inst_data *id = &f->insts.v[it->inst];
    *kind = DEST_NORMAL;
    while (it->k < it->n) {
        uint32_t k = it->k++;
        switch (it->fmt) {
        case IR_FMT_Jump:
            *off = id->ent;
            return true;
        case IR_FMT_Brif:          /* ent: then, else offsets */
            *off = f->pool.v[id->ent + k];
            return true;
        case IR_FMT_BranchTable:   /* ent: count, default offset, table offsets */
            *off = f->pool.v[id->ent + 1 + k];
            return true;
        default: {              /* exception table: normal return first, then items */
            uint32_t et = exn_table(f, it->inst);
            if (k == 0) {
                *off = f->pool.v[et + 1];
                *kind = DEST_EXN_RET;
                return true;
            }
            uint32_t item = et + 3 + 3 * (k - 1);
            if (f->pool.v[item] == IR_EXN_CONTEXT)
                continue;
            *off = f->pool.v[item + 2];
            *kind = DEST_EXCEPTION;
            return true;
        }
        }
    }
    return false;
}

/* ---- control flow graph and dominators (cfg.c) -------------------------------- */

static inline bool block_ok(const ir_function *f, uint32_t b) { return b < f->blocks.n && f->blocks.v[b].in_layout; }

static inline bool is_branch(const ir_function *f, uint32_t inst)
{
    return inst != IR_NONE && (ir_opcodes[f->insts.v[inst].op].flags & IR_OPF_BRANCH);
}

uint32_t verify_count_edges(const ir_function *f);
bool verify_small_dominators(vctx *c, uint64_t dom[64]);
void verify_build_cfg(vctx *c);
void verify_compute_dominators(vctx *c);

static inline bool reachable(const vctx *c, uint32_t b) { return c->po[b] != IR_NONE; }

static inline bool block_dominates(const vctx *c, uint32_t a, uint32_t b)
{
    if (a == b)
        return true;
    if (!reachable(c, a) || !reachable(c, b))
        return false;
    if (c->domset)
        return c->domset[b] >> a & 1;
    return c->dpre[a] <= c->dpre[b] && c->dpre[b] <= c->dmax[a];
}

/* Derived dynamic types carry no dtN number: compare without it. */
static inline bool teq(ir_type a, ir_type b) { return ((a ^ b) & 0x1ff) == 0; }

static inline bool present(const uint8_t *v, uint32_t n, uint32_t i) { return i < n && v[i]; }
#define DEFINED(c, vec, i) present((c)->f->vec.v, (c)->f->vec.n, (i))
/* Entities that exist: declared in the preamble (numbers may have gaps). */
static inline bool gv_ok(const vctx *c, uint32_t i) { return i < c->f->gvs.n && DEFINED(c, gv_defined, i); }
static inline bool sig_ok(const vctx *c, uint32_t i) { return i < c->f->sigs.n && DEFINED(c, sig_defined, i); }
static inline bool fn_ok(const vctx *c, uint32_t i) { return i < c->f->func_refs.n && DEFINED(c, fn_defined, i); }
static inline bool ss_ok(const vctx *c, uint32_t i) { return i < c->f->stack_slots.n && DEFINED(c, ss_defined, i); }
static inline bool dss_ok(const vctx *c, uint32_t i) { return i < c->f->dyn_slots.n && DEFINED(c, dss_defined, i); }
static inline bool dt_ok(const vctx *c, uint32_t i) { return i < c->f->dyn_types.n && DEFINED(c, dt_defined, i); }
static inline bool const_ok(const vctx *c, uint32_t i) { return i < c->f->constants.n && DEFINED(c, const_defined, i); }
static inline bool region_ok(const vctx *c, uint32_t i) { return i < c->f->regions.n && DEFINED(c, region_defined, i); }

#define AT(c, e) ((e)->line ? (e)->line : (c)->f->line), ((e)->line ? (e)->col : (c)->f->col)

/* Follow aliases; IR_NONE for an invalid reference or an alias cycle (the
 * step bound keeps a cycle from hanging; the parser rejects them anyway). */
static inline uint32_t resolve(const ir_function *f, uint32_t v)
{
    for (uint32_t steps = 0; v < f->values.n && steps <= f->values.n; steps++) {
        if (f->values.v[v].kind != IR_VAL_ALIAS)
            return f->values.v[v].kind == IR_VAL_UNUSED ? IR_NONE : v;
        v = f->values.v[v].def;
    }
    return IR_NONE;
}

/* Type of a value operand that verify_use has accepted. */
static inline ir_type vtype(const ir_function *f, uint32_t v)
{
    if (v < f->values.n && (f->values.v[v].kind == IR_VAL_RESULT || f->values.v[v].kind == IR_VAL_PARAM))
        return f->values.v[v].type;   /* not an alias: the common case, inline */
    uint32_t r = resolve(f, v);
    return r == IR_NONE ? IR_TYPE_NONE : f->values.v[r].type;
}


/* The reporting helpers of verify.c, shared with preamble.c. */
bool verify_note(vctx *c, uint32_t line, uint32_t col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
const char *verify_isa_label(const vctx *c, char buf[48]);
const char *verify_tname(vctx *c, ir_type t);
const char *verify_abiname(vctx *c, const ir_abi_param *p);

/* preamble.c: the global values, alias regions, entity references, entry
 * block and signatures, checked before any instruction. */
ir_type verify_gv_type(const vctx *c, const ir_global_value *g);
ir_type verify_pointer_type(const vctx *c);
void verify_preamble(vctx *c, uint8_t *gvstate, uint8_t *sigdone);

#endif
