/* lib/verify: the control flow graph and the dominator tree of a function
 * (the Cooper-Harvey-Kennedy iteration over reverse postorder), in the
 * arrays verify_function_isa sizes once per function. */
#include "internal.h"

#include <string.h>

/* Successors come from each block's last instruction, as in Cranelift's CFG;
 * references to blocks not in the layout are left out (reported later).
 * One walk in layout order returns their number and, as asked, counts
 * them per block into count[b + 1] or stores them at succ[fill[b]++].
 * Inlined: each of its three callers gets its own plain loop. */
static inline __attribute__((always_inline)) uint32_t walk_succs(const ir_function *f, uint32_t *count,
                                                                 uint32_t *succ, uint32_t *fill)
{
    uint32_t total = 0;
    for (uint32_t li = 0; li < f->layout.n; li++) {
        uint32_t b = f->layout.v[li], last = f->blocks.v[b].last;
        if (!is_branch(f, last))
            continue;
        dest_iter it;
        uint32_t off;
        int kind;
        for (dest_start(&it, f, last); dest_next(&it, &off, &kind);) {
            uint32_t d = bc_block(f, off);
            if (!block_ok(f, d))
                continue;
            total++;
            if (count)
                count[b + 1]++;
            if (fill)
                succ[fill[b]++] = d;
        }
    }
    return total;
}

/* Sizes the arrays that verify_build_cfg fills. */
uint32_t verify_count_edges(const ir_function *f)
{
    return walk_succs(f, NULL, NULL, NULL);
}

void verify_build_cfg(vctx *c)
{
    uint32_t nb = c->f->blocks.n;
    for (uint32_t b = 0; b <= nb; b++)
        c->succ_off[b] = 0;
    walk_succs(c->f, c->succ_off, NULL, NULL);
    for (uint32_t b = 0; b < nb; b++)
        c->succ_off[b + 1] += c->succ_off[b];
    uint32_t *fill = c->dpre;   /* scratch: next free slot per block */
    for (uint32_t b = 0; b < nb; b++)
        fill[b] = c->succ_off[b];
    walk_succs(c->f, NULL, c->succ, fill);
}

/* Functions of at most 64 blocks (most): each block's dominators as a bit
 * set, iterated to the fixed point, which is the same relation as the
 * tree below at a fraction of the work and without the edge arrays.  po[]
 * only tells reachability then.  False for larger functions. */
bool verify_small_dominators(vctx *c, uint64_t dom[64])
{
    const ir_function *f = c->f;
    uint32_t nb = f->blocks.n;
    if (nb > 64)
        return false;
    uint64_t succ[64], pred[64], reach = 0;     /* pred: of any block */
    for (uint32_t b = 0; b < nb; b++)
        succ[b] = pred[b] = 0;
    for (uint32_t li = 0; li < f->layout.n; li++) {
        uint32_t b = f->layout.v[li], last = f->blocks.v[b].last;
        if (!is_branch(f, last))
            continue;
        const ir_inst_data *id = &f->insts.v[last];
        uint32_t fmt = ir_opcodes[id->op].format, d;
        if (fmt == IR_FMT_Jump || fmt == IR_FMT_Brif) {   /* most: read directly */
            for (uint32_t k = 0; k < (fmt == IR_FMT_Brif ? 2u : 1u); k++)
                if (block_ok(f, d = bc_block(f, fmt == IR_FMT_Brif ? f->pool.v[id->ent + k] : id->ent)))
                    succ[b] |= UINT64_C(1) << d, pred[d] |= UINT64_C(1) << b;
            continue;
        }
        dest_iter it;
        uint32_t off;
        int kind;
        for (dest_start(&it, f, last); dest_next(&it, &off, &kind);)
            if (block_ok(f, d = bc_block(f, off)))
                succ[b] |= UINT64_C(1) << d, pred[d] |= UINT64_C(1) << b;
    }
    c->domset = dom;
    /* the reachable blocks (po[] tells only that) */
    for (uint64_t todo = reach = c->entry == IR_NONE ? 0 : UINT64_C(1) << c->entry; todo;) {
        uint64_t fresh = succ[__builtin_ctzll(todo)] & ~reach;
        todo &= todo - 1;
        reach |= fresh, todo |= fresh;
    }
    for (uint32_t b = 0; b < nb; b++)
        c->po[b] = reach >> b & 1 ? 0 : IR_NONE;
    if (c->entry == IR_NONE)
        return true;
    dom[c->entry] = UINT64_C(1) << c->entry;
    uint64_t rest = reach & ~dom[c->entry];
    /* One pass in block order over the reachable blocks and their
     * reachable predecessors, where one not yet visited (a back edge, as
     * a rule) counts as every block; then the result is the fixed point if
     * each such predecessor p of b has dom[b] within dom[p] (b's equation
     * holds with it; the others hold as computed), and the greatest one,
     * being no less than it.  Else iterate. */
    bool changed = false;
    uint64_t heads = 0;     /* the blocks with such predecessors */
    for (uint64_t r = rest, done = dom[c->entry]; r; r &= r - 1) {
        uint32_t b = (uint32_t)__builtin_ctzll(r);
        uint64_t d = reach;
        for (uint64_t p = pred[b] & done; p; p &= p - 1)
            d &= dom[__builtin_ctzll(p)];
        dom[b] = d | UINT64_C(1) << b;
        heads |= (uint64_t)((pred[b] & reach & ~done) != 0) << b;
        done |= UINT64_C(1) << b;
    }
    for (uint64_t r = heads; r && !changed; r &= r - 1) {
        uint32_t b = (uint32_t)__builtin_ctzll(r);
        for (uint64_t p = pred[b] & rest & (UINT64_MAX << b); p; p &= p - 1)
            changed |= (dom[b] & ~dom[__builtin_ctzll(p)]) != 0;
    }
    while (changed) {
        changed = false;
        for (uint64_t r = rest; r; r &= r - 1) {
            uint32_t b = (uint32_t)__builtin_ctzll(r);
            uint64_t d = reach;
            for (uint64_t p = pred[b] & reach; p; p &= p - 1)
                d &= dom[__builtin_ctzll(p)];
            d |= UINT64_C(1) << b;
            if (d != dom[b])
                dom[b] = d, changed = true;
        }
    }
    return true;
}

static uint32_t intersect(const vctx *c, uint32_t a, uint32_t b)
{
    while (a != b) {
        while (c->po[a] < c->po[b])
            a = c->idom[a];
        while (c->po[b] < c->po[a])
            b = c->idom[b];
    }
    return a;
}

/* Postorder by iterative DFS, idoms by Cooper-Harvey-Kennedy over reverse
 * postorder, then a preorder numbering of the dominator tree so that
 * block_dominates is two comparisons. */
void verify_compute_dominators(vctx *c)
{
    const ir_function *f = c->f;
    uint32_t nb = f->blocks.n;
    uint32_t *order = c->order, *stack = c->stack, *next = c->next;
    for (uint32_t b = 0; b < nb; b++)
        c->po[b] = IR_NONE, c->idom[b] = IR_NONE, c->dpre[b] = c->dmax[b] = 0;
    uint32_t npo = 0, sp = 0;
    if (c->entry != IR_NONE) {
        const uint32_t visiting = IR_NONE - 1;
        stack[sp] = c->entry, next[sp++] = c->succ_off[c->entry];
        c->po[c->entry] = visiting;
        while (sp) {
            uint32_t b = stack[sp - 1];
            if (next[sp - 1] < c->succ_off[b + 1]) {
                uint32_t s = c->succ[next[sp - 1]++];
                if (c->po[s] == IR_NONE) {
                    c->po[s] = visiting;
                    stack[sp] = s, next[sp++] = c->succ_off[s];
                }
            } else {
                sp--;
                c->po[b] = npo;
                order[npo++] = b;
            }
        }
    }
    /* predecessors of reachable blocks, CSR */
    uint32_t *pred_off = c->pred_off, *pred = c->pred;
    memset(pred_off, 0, ((size_t)nb + 1) * sizeof *pred_off);
    for (uint32_t i = 0; i < npo; i++)
        for (uint32_t k = c->succ_off[order[i]]; k < c->succ_off[order[i] + 1]; k++)
            pred_off[c->succ[k] + 1]++;
    for (uint32_t b = 0; b < nb; b++)
        pred_off[b + 1] += pred_off[b];
    for (uint32_t b = 0; b < nb; b++)
        next[b] = pred_off[b];
    for (uint32_t i = 0; i < npo; i++)
        for (uint32_t k = c->succ_off[order[i]]; k < c->succ_off[order[i] + 1]; k++)
            pred[next[c->succ[k]]++] = order[i];

    if (npo) {
        c->idom[c->entry] = c->entry;
        for (bool changed = true; changed;) {
            changed = false;
            for (uint32_t i = npo - 1; i-- > 0;) {     /* reverse postorder, entry skipped */
                uint32_t b = order[i], nidom = IR_NONE;
                for (uint32_t k = pred_off[b]; k < pred_off[b + 1]; k++) {
                    uint32_t p = pred[k];
                    if (c->idom[p] == IR_NONE)
                        continue;
                    nidom = nidom == IR_NONE ? p : intersect(c, p, nidom);
                }
                if (nidom != c->idom[b])
                    c->idom[b] = nidom, changed = true;
            }
        }
        /* dominator-tree children as CSR (reusing pred arrays), then preorder */
        uint32_t *child_off = pred_off, *child = pred;
        memset(child_off, 0, ((size_t)nb + 1) * sizeof *child_off);
        for (uint32_t i = 0; i < npo; i++)
            if (order[i] != c->entry)
                child_off[c->idom[order[i]] + 1]++;
        for (uint32_t b = 0; b < nb; b++)
            child_off[b + 1] += child_off[b];
        for (uint32_t b = 0; b < nb; b++)
            next[b] = child_off[b];
        for (uint32_t i = 0; i < npo; i++)
            if (order[i] != c->entry)
                child[next[c->idom[order[i]]]++] = order[i];
        uint32_t pre = 1;
        sp = 0;
        stack[sp] = c->entry, next[sp++] = child_off[c->entry];
        c->dpre[c->entry] = pre++;
        while (sp) {
            uint32_t b = stack[sp - 1];
            if (next[sp - 1] < child_off[b + 1]) {
                uint32_t s = child[next[sp - 1]++];
                c->dpre[s] = pre++;
                stack[sp] = s, next[sp++] = child_off[s];
            } else {
                c->dmax[b] = pre - 1;
                sp--;
            }
        }
    }
}
