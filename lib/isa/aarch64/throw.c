/* The run-time side of exceptions on AArch64 hosts: __cranelift_throw,
 * the host function Cranelift's throw tests call (filetests'
 * function_runner.rs), for code of this backend.
 *
 * From the thrower's frame record it walks the chain of frame records up
 * to the entry frame; each return address is a call site, and a try_call's
 * is followed by its exception table (a64emit.h).  The first handler for
 * the tag (or a default one) gets control with sp and fp of its frame and
 * the payload in x0 and x1; registers are not restored, as the try_call
 * clobbers them all.  No handler: a trap. */
#include "a64emit.h"

#if defined(__aarch64__)

static uint64_t strip_pac(uint64_t pc)
{
    register uint64_t lr __asm__("x30") = pc;
    __asm__("hint #7" : "+r"(lr));      /* xpaclri: a no-op without PAuth */
    return lr;
}

static _Noreturn void resume(uint64_t pc, uint64_t sp, uint64_t fp, uint64_t p1, uint64_t p2)
{
    register uint64_t x0 __asm__("x0") = p1, x1 __asm__("x1") = p2, x16 __asm__("x16") = pc;
    register uint64_t x17 __asm__("x17") = sp, x9 __asm__("x9") = fp;
    __asm__ volatile("mov sp, x17\n\tmov x29, x9\n\tbr x16"
                     : : "r"(x0), "r"(x1), "r"(x16), "r"(x17), "r"(x9) : "memory");
    __builtin_unreachable();
}

void a64_throw(uint64_t entry_fp, uint64_t exit_fp, uint64_t exit_pc, uint32_t tag, uint64_t p1, uint64_t p2)
{
    (void)exit_pc;      /* the thrower's own pc: no handler of its own */
    for (uint64_t fp = exit_fp; fp && !(fp & 7);) {
        const uint64_t *rec = (const uint64_t *)fp;
        uint64_t caller_fp = rec[0], pc = strip_pac(rec[1]);
        const uint32_t *w = (const uint32_t *)pc;
        if (pc && !(pc & 3) && (w[0] & 0xfc000000u) == 0x14000000u && w[1] == A64_EXN_MAGIC) {
            uint64_t sp = (caller_fp - w[2]) & -(uint64_t)w[4];
            for (uint32_t k = 0; k < w[3]; k++) {
                const uint32_t *h = &w[5 + 3 * k];
                if (h[0] == IR_EXN_DEFAULT || h[1] == tag)
                    resume(pc + (uint64_t)(int64_t)(int32_t)h[2], sp, caller_fp, p1, p2);
            }
        }
        if (caller_fp == entry_fp)
            break;
        fp = caller_fp;
    }
    __builtin_trap();   /* no handler: the run reports a trap */
}

#endif
