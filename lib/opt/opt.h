/* lib/opt: IR-to-IR optimisation for `opt_level=speed` (and speed_and_size).
 *
 * Each pass is one file and optional; each is linear in the size of the
 * function or close to it (the dominator-scoped ones walk the tree once):
 *
 *   promote.c  stack slots whose address never escapes, accessed whole with
 *              one type, become SSA values (block parameters where paths meet)
 *   fold.c     constant folding, algebraic simplification, strength reduction
 *              (Cranelift's semantics: wrapping, masked shift amounts, no
 *              folding of a trapping division, floats only where bit-exact)
 *   gvn.c      global value numbering of pure (and mergeable trapping)
 *              instructions over the dominator tree, readonly loads included
 *   mem.c      redundant load elimination and store-to-load forwarding by
 *              alias region (memflags) and by stack slot, dead stack stores
 *   licm.c     loop-invariant code motion of pure, non-trapping instructions
 *              into a preheader (made when the loop has none)
 *   iv.c       strength reduction: values affine in a loop counter (i * 4 + b)
 *              become induction variables of their own (with OPT_STRENGTH)
 *   dce.c      removal of unused pure instructions and loads that cannot trap
 *   cfg.c      what the passes share: CFG, dominator tree, loops
 *
 * opt_level=none never comes here: opt_compile hands the function straight
 * to cg_compile. */
#ifndef CLIFRUN_OPT_H
#define CLIFRUN_OPT_H

#include "codegen/codegen.h"
#include "ir/ir.h"

enum {
    OPT_FOLD = 1 << 0,      /* folding and simplification */
    OPT_STRENGTH = 1 << 1,  /* multiply/divide by powers of two */
    OPT_GVN = 1 << 2,
    OPT_MEM = 1 << 3,
    OPT_LICM = 1 << 4,
    OPT_DCE = 1 << 5,
    OPT_PROMOTE = 1 << 6,   /* private stack slots to SSA values */
    OPT_ALL = (1 << 7) - 1,
};

/* Pass names as CLIFRUN_OPT takes them: "fold,gvn,dce"; "speed" (or "all")
 * is every pass, "none" none.  Returns false for an unknown word. */
bool opt_parse_passes(const char *s, unsigned *passes);

/* The passes a function compiled at opt_level=speed gets: OPT_ALL unless
 * CLIFRUN_OPT names others.  *force is set when CLIFRUN_OPT is given, which
 * also applies the passes to files at opt_level=none (to test every file
 * at speed); CLIFRUN_OPT=none turns them off everywhere. */
unsigned opt_default_passes(bool *force);

/* Optimise f in place.  f must verify; afterwards it still does (no alias
 * is left: operands name the values they stand for).  Returns false only
 * on an internal inconsistency, with d set. */
bool opt_run(ir_function *f, unsigned passes, ir_diag *d);

/* cg_compile, after the passes on a copy of the function when t->opt (or
 * CLIFRUN_OPT forces them).  With CLIFRUN_OPT_VERIFY=1 the result is
 * verified first and a failure is an error, never code. */
bool opt_compile(const cg_target *t, const ir_file *file, uint32_t func, cg_output *out, ir_diag *d);

#endif
