/* AArch64 exceptions: the exception table after a try_call's bl (lib/codegen
 * lowers the try_call), and where an unwinder finds it. */
#include "a64.h"

#define B (e->b)

/* After a try_call's bl: b over the table the unwinder reads at the
 * return address (A64_EXN_MAGIC in a64.h). */
void a64_emit_exn_table(em *e)
{
    const uint32_t *h = &e->c->f.vlist.v[e->in->disp];
    uint32_t n = h[0], ret = cg_buf_off(B);
    a64_put(e, 0x14000000 | (5 + 3 * n));          /* b over */
    a64_put(e, A64_EXN_MAGIC);
    a64_put(e, e->frame_off);
    a64_put(e, n);
    a64_put(e, e->c->frame.align);
    for (uint32_t k = 0; k < n; k++) {
        a64_put(e, h[1 + 3 * k]);
        a64_put(e, h[2 + 3 * k]);
        cg_buf_fixup(B, cg_buf_off(B), h[3 + 3 * k], CG_FIX_DIFF32, (int32_t)ret);
        a64_put(e, 0);
    }
    cg_buf_data(B, ret + 4, cg_buf_off(B) - ret - 4, CG_DATA_EXN_TABLE);
}

const uint8_t *a64_exn_table_at(const uint8_t *ret)
{
    if ((uintptr_t)ret & 3)
        return NULL;
    const uint32_t *w = (const uint32_t *)ret;
    return (w[0] & 0xfc000000u) == 0x14000000u && w[1] == A64_EXN_MAGIC ? ret + 4 : NULL;
}
