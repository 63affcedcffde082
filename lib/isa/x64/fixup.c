/* x86-64 label uses (Cranelift's MachInstLabelUse for x64): what each
 * fixup kind writes, and jmp/jcc rel32 shrinking to rel8 (cg_buf's
 * relaxation decides which fit). */
#include "x64.h"

bool x64_fix_patch(uint8_t *code, uint32_t at, unsigned kind, int64_t delta)
{
    if (kind == X64_FIX_PCREL8) {
        if (delta < -128 || delta > 127)
            return false;
        code[at] = (uint8_t)delta;
        return true;
    }
    /* rel32: PCREL32, and jmp/jcc that stayed long */
    uint32_t v = (uint32_t)delta;
    code[at] = (uint8_t)v, code[at + 1] = (uint8_t)(v >> 8), code[at + 2] = (uint8_t)(v >> 16);
    code[at + 3] = (uint8_t)(v >> 24);
    return true;
}

/* jmp drops rel32's last 3 bytes (rel8 is its first); jcc its whole rel32
 * (the 8x opcode byte becomes rel8). */
bool x64_fix_short(const cg_fixup *x, cg_fix_short *s)
{
    if (x->kind == X64_FIX_JMP32)
        *s = (cg_fix_short){x->at + 1, 3, x->at, x->at + 4, -128, 127};
    else if (x->kind == X64_FIX_JCC32)
        *s = (cg_fix_short){x->at, 4, x->at - 1, x->at + 4, -128, 127};
    else
        return false;
    return true;
}

void x64_fix_shorten(uint8_t *code, cg_fixup *x)
{
    if (x->kind == X64_FIX_JMP32)
        code[x->at - 1] = 0xeb;                                 /* E9 rel32 -> EB rel8 */
    else
        code[x->at - 1] = (uint8_t)(0x70 | (code[x->at] & 15)); /* 0F 8x rel32 -> 7x rel8 */
    x->kind = X64_FIX_PCREL8;
    x->addend = -1;
}
