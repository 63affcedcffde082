/* AArch64 label uses (Cranelift's MachInstLabelUse for aarch64): the
 * branch immediates, in words.  No veneers: a64_emit emits the function
 * again with long forms when one is out of range. */
#include "a64.h"

bool a64_fix_patch(uint8_t *code, uint32_t at, unsigned kind, int64_t delta)
{
    unsigned bits = kind == A64_FIX_B26 ? 26 : kind == A64_FIX_B19 ? 19 : 14;
    unsigned shift = kind == A64_FIX_B26 ? 0 : 5;
    int64_t v = delta >> 2;
    if (v < -(1ll << (bits - 1)) || v >= 1ll << (bits - 1))
        return false;
    uint32_t m = ((1u << bits) - 1) << shift;
    uint32_t w = (uint32_t)code[at] | (uint32_t)code[at + 1] << 8 | (uint32_t)code[at + 2] << 16 |
                 (uint32_t)code[at + 3] << 24;
    w = (w & ~m) | (((uint32_t)v << shift) & m);
    code[at] = (uint8_t)w, code[at + 1] = (uint8_t)(w >> 8), code[at + 2] = (uint8_t)(w >> 16);
    code[at + 3] = (uint8_t)(w >> 24);
    return true;
}
