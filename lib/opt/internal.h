/* lib/opt internals: the analyses the passes share (cfg.c) and each pass's
 * entry point.  Not part of the interface (opt.h). */
#ifndef CLIFRUN_OPT_INTERNAL_H
#define CLIFRUN_OPT_INTERNAL_H

#include "opt.h"

typedef unsigned __int128 opt_u128;
typedef __int128 opt_i128;

/* A function and what is known about its control flow.  Arrays are indexed
 * by block number (nb = blocks.n when built); cfg_build makes them again
 * after a pass changes the flow graph. */
typedef struct opt_fn {
    ir_function *f;
    ir_diag *d;
    unsigned passes;
    uint32_t nb;
    uint32_t *succ_off, *succ;      /* CSR of successors (a block once per edge) */
    uint32_t *pred_off, *pred;      /* CSR of predecessors */
    uint32_t *rpo, nrpo;            /* reachable blocks in reverse postorder */
    uint32_t *rpo_num;              /* block -> index in rpo, IR_NONE if unreachable */
    uint32_t *idom;                 /* immediate dominator (entry: itself), IR_NONE unreachable */
    uint32_t *dkid_off, *dkid;      /* CSR of dominator-tree children */
    uint32_t *dpre, *dpost;         /* dominator-tree DFS numbers: a dom b iff nested */
    bool changed;                   /* set by a pass that changed something */
} opt_fn;

/* ---- cfg.c ---------------------------------------------------------------- */

bool opt_cfg_build(opt_fn *o);
void opt_cfg_free(opt_fn *o);
/* Unreachable blocks leave the layout (their instructions too). */
void opt_cfg_prune(opt_fn *o);
/* The type a load or store accesses: a store's comes from its value, not
 * from a type annotation (`store.f32 v1` of an i64 stores the i64). */
static inline ir_type opt_access_type(const ir_function *f, uint32_t inst)
{
    const ir_inst_data *in = &f->insts.v[inst];
    if (ir_opcodes[in->op].format != IR_FMT_Store)
        return in->type;
    return f->values.v[ir_value_resolve(f, ir_inst_args(f, inst)[0])].type;
}

static inline bool opt_block_dominates(const opt_fn *o, uint32_t a, uint32_t b)
{
    return o->dpre[a] <= o->dpre[b] && o->dpost[b] <= o->dpost[a];
}

/* The block calls of a branch: count, and the pool slot holding the k-th
 * block call's offset (NULL for a try_call context item).  The pointer is
 * good until the pool grows. */
uint32_t opt_dest_count(const ir_function *f, uint32_t inst);
uint32_t *opt_dest_slot(ir_function *f, uint32_t inst, uint32_t k);
/* Call fn(arg, &value) on every value operand of inst: arguments, block
 * call arguments, exception-table context values. */
void opt_each_operand(ir_function *f, uint32_t inst, void (*fn)(void *, uint32_t *), void *arg);

/* The block a value is defined in, IR_NONE if none. */
uint32_t opt_value_block(const ir_function *f, uint32_t v);
/* The instruction defining v (resolved), IR_NONE for a parameter. */
uint32_t opt_value_def(const ir_function *f, uint32_t v);

/* Instruction kinds. */
bool opt_is_pure(const ir_function *f, uint32_t inst);      /* removable, movable */
bool opt_load_cannot_trap(const ir_function *f, uint32_t inst);
bool opt_has_side_effect(const ir_function *f, uint32_t inst); /* DCE keeps it */

/* A new iconst (of a type up to 64 bits) before `before`: its value. */
uint32_t opt_new_iconst(ir_function *f, uint32_t before, ir_type t, uint64_t imm);
/* Give inst the operands args (its own pool slots, or new ones). */
void opt_set_args(ir_function *f, uint32_t inst, uint32_t nargs, const uint32_t *args);

/* ---- the passes ------------------------------------------------------------ */

/* fold.c: simplify one instruction (constants, identities, strength
 * reduction by o->passes).  Returns true if it changed or went away. */
bool opt_fold_inst(opt_fn *o, uint32_t inst);
/* Constant branch conditions: brif/br_table to jump, trapz/trapnz that
 * cannot fire removed.  Returns true if the CFG changed. */
bool opt_fold_branches(opt_fn *o);
/* A constant of an integer type (i128 from iconcat/extends of constants). */
bool opt_const_of(const ir_function *f, uint32_t v, opt_u128 *out);

bool opt_gvn(opt_fn *o);        /* gvn.c, folding too when OPT_FOLD */
bool opt_mem(opt_fn *o);        /* mem.c */
/* mem.c: per stack slot, 1 if its address never escapes: every stack_addr
 * of it is only the address of plain loads and stores, in bounds.  All 0
 * if any slot's address escapes (it may reach the others) or the function
 * reads get_frame_pointer/get_stack_pointer.  nslots + 1 bytes, malloc'ed. */
uint8_t *opt_private_slots(const ir_function *f);
bool opt_promote(opt_fn *o);    /* promote.c */
bool opt_licm(opt_fn *o);       /* licm.c: may add blocks; rebuilds the CFG */
bool opt_dce(opt_fn *o);        /* dce.c */
/* iv.c: strength reduction of the induction variables of the loop with
 * header h, preheader ph, body the blocks b with stamp[b] == id, listed
 * in reverse postorder in the low halves of order[0..nbody). */
typedef struct opt_iv opt_iv;
opt_iv *opt_iv_new(void);
void opt_iv_free(opt_iv *s);
void opt_iv_loop(opt_fn *o, opt_iv *s, uint32_t h, uint32_t ph, const uint32_t *stamp, uint32_t id,
                 const uint64_t *order, uint32_t nbody);

/* reassoc.c: a loop-carried chain of iadd/imul/band/bor/bxor made one
 * operation long (same loop description as opt_iv_loop). */
typedef struct opt_reassoc opt_reassoc;
opt_reassoc *opt_reassoc_new(void);
void opt_reassoc_free(opt_reassoc *s);
void opt_reassoc_loop(opt_fn *o, opt_reassoc *s, uint32_t h, uint32_t ph, const uint32_t *stamp, uint32_t id,
                      const uint64_t *order, uint32_t nbody);

#endif
