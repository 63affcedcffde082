/* What every target's cg_isa.compute_locs does alike, one pass over the
 * returns or the parameters at a time: where the pass's locations start,
 * a struct argument (sarg) copied into the argument area, and the sizes
 * and counts the pass ends with. */
#include "cg.h"

void cg_locs_begin(cg_abi *a, cg_sig *out, bool rets)
{
    if (rets)
        out->rets = a->locs.n;
    else
        out->args = a->locs.n;
}

uint64_t cg_loc_sarg(cg_loc *l, uint64_t stack, uint32_t size)
{
    uint64_t bytes = ((uint64_t)size + 7) & ~7ull;
    stack = (stack + 7) & ~7ull;
    l->off[0] = (uint32_t)stack;    /* past 128 MiB cg_sig_compute refuses it */
    l->sarg = (uint32_t)bytes;
    return stack + bytes;
}

void cg_locs_end(cg_sig *out, bool rets, uint32_t n, uint64_t stack, bool tail)
{
    stack = (stack + 15) & ~15ull;
    if (stack > UINT32_MAX)         /* saturated: cg_sig_compute refuses it */
        stack = UINT32_MAX & ~15u;
    if (rets) {
        out->nrets = n;
        out->stack_rets = (uint32_t)stack;
        out->ret_ptr = stack != 0;
    } else {
        out->nargs = n;
        out->stack_args = (uint32_t)stack;
        out->callee_pop = tail ? (uint32_t)stack : 0;
    }
}
