/* x86-64 exceptions: the exception table after a try_call's call (lib/codegen
 * lowers the try_call), and where an unwinder finds it. */
#include "x64.h"

#include <string.h>

/* Right after a try_call's call: a jump over its table (x64.h). */
void x64_emit_exn_table(cg_buf *b, const cg_func *f, const cg_inst *in, uint32_t frame_off, uint32_t align)
{
    const uint32_t *h = &f->vlist.v[in->disp];
    uint32_t n = h[0], ret = cg_buf_off(b), size = 16 + 12 * n;
    if (size < 128) {
        cg_put1(b, 0xeb);
        cg_put1(b, size);
    } else {
        cg_put1(b, 0xe9);
        cg_put4(b, size);
    }
    uint32_t table = cg_buf_off(b);
    cg_put4(b, X64_EXN_MAGIC);
    cg_put4(b, frame_off);
    cg_put4(b, n);
    cg_put4(b, align);
    for (uint32_t k = 0; k < n; k++) {
        cg_put4(b, h[1 + 3 * k]);
        cg_put4(b, h[2 + 3 * k]);
        cg_buf_fixup(b, cg_buf_off(b), h[3 + 3 * k], CG_FIX_DIFF32, (int32_t)ret);
        cg_put4(b, 0);
    }
    cg_buf_data(b, table, cg_buf_off(b) - table, CG_DATA_EXN_TABLE);
}

static uint32_t word(const uint8_t *p)
{
    uint32_t w;
    memcpy(&w, p, 4);
    return w;
}

const uint8_t *x64_exn_table_at(const uint8_t *ret)
{
    const uint8_t *t;
    uint32_t size;
    if (ret[0] == 0xeb)
        t = ret + 2, size = ret[1];
    else if (ret[0] == 0xe9)
        t = ret + 5, size = word(ret + 1);
    else
        return NULL;
    return word(t) == X64_EXN_MAGIC && size == 16 + 12 * (uint64_t)word(t + 8) ? t : NULL;
}
