/* Dead code elimination: an instruction stays if it has an effect (a
 * branch, call, store, trap, or a load that may fault) or a result that
 * one that stays uses.  Mark from those roots through operands with a
 * worklist, then unlink the rest: linear.  Loads go only when they cannot
 * trap (notrap, or a stack slot in bounds). */
#include "internal.h"

#include <string.h>

typedef struct dce {
    ir_function *f;
    uint8_t *live;
    IR_VEC(uint32_t) work;
} dce;

static void mark_operand(void *arg, uint32_t *slot)
{
    dce *c = arg;
    uint32_t d = opt_value_def(c->f, *slot);
    if (d != IR_NONE && !c->live[d]) {
        c->live[d] = 1;
        ir_vec_push(&c->work, d);
    }
}

bool opt_dce(opt_fn *o)
{
    ir_function *f = o->f;
    dce c = {.f = f, .live = calloc(f->insts.n + 1, 1)};
    if (!c.live) {
        fputs("clifrun: out of memory\n", stderr);
        exit(3);
    }
    for (uint32_t li = 0; li < f->layout.n; li++)
        for (uint32_t i = f->blocks.v[f->layout.v[li]].first; i != IR_NONE; i = f->insts.v[i].next)
            if (opt_has_side_effect(f, i)) {
                c.live[i] = 1;
                ir_vec_push(&c.work, i);
            }
    while (c.work.n)
        opt_each_operand(f, c.work.v[--c.work.n], mark_operand, &c);
    for (uint32_t li = 0; li < f->layout.n; li++)
        for (uint32_t i = f->blocks.v[f->layout.v[li]].first, nx; i != IR_NONE; i = nx) {
            nx = f->insts.v[i].next;
            if (!c.live[i])
                ir_inst_remove(f, i);
        }
    free(c.live);
    ir_vec_free(&c.work);
    return true;
}
