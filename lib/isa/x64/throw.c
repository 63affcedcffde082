/* The run-time side of exceptions on x86-64 hosts: __cranelift_throw,
 * the host function Cranelift's throw tests call (filetests'
 * function_runner.rs), for code of this backend.
 *
 * From the thrower's frame it walks the rbp chain (every function keeps a
 * frame pointer) up to the entry frame; each return address is a call
 * site, and a try_call's is followed by its exception table (x64.h).  The
 * first handler for the tag (or a default one) gets control with rsp and
 * rbp of its frame (rsp realigned as its prologue did) and the payload in
 * rax and rdx; registers are not restored, as the try_call clobbers them
 * all.  No handler: a trap. */
#include "x64.h"

#include <string.h>

#if defined(__x86_64__)

static uint32_t word(const uint8_t *p)
{
    uint32_t w;
    memcpy(&w, p, 4);
    return w;
}

static _Noreturn void resume(uint64_t pc, uint64_t sp, uint64_t fp, uint64_t p1, uint64_t p2)
{
    register uint64_t r10 __asm__("r10") = pc, r11 __asm__("r11") = sp, rcx __asm__("rcx") = fp;
    __asm__ volatile("mov %1, %%rsp\n\tmov %2, %%rbp\n\tjmp *%0"
                     : : "r"(r10), "r"(r11), "r"(rcx), "a"(p1), "d"(p2) : "memory");
    __builtin_unreachable();
}

/* The exception table at return address pc, or NULL. */
static const uint8_t *table_at(const uint8_t *pc)
{
    const uint8_t *t;
    uint32_t size;
    if (pc[0] == 0xeb)
        t = pc + 2, size = pc[1];
    else if (pc[0] == 0xe9)
        t = pc + 5, size = word(pc + 1);
    else
        return NULL;
    if (word(t) != X64_EXN_MAGIC || size != 16 + 12 * (uint64_t)word(t + 8))
        return NULL;
    return t;
}

void x64_throw(uint64_t entry_fp, uint64_t exit_fp, uint64_t exit_pc, uint32_t tag, uint64_t p1, uint64_t p2)
{
    (void)exit_pc;      /* the thrower's own pc: no handler of its own */
    for (uint64_t fp = exit_fp; fp && !(fp & 7);) {
        const uint64_t *rec = (const uint64_t *)fp;
        uint64_t caller_fp = rec[0], pc = rec[1];
        const uint8_t *t = pc ? table_at((const uint8_t *)pc) : NULL;
        uint64_t sp = t ? (caller_fp - word(t + 4)) & -(uint64_t)word(t + 12) : 0;
        for (uint32_t k = 0, n = t ? word(t + 8) : 0; k < n; k++) {
            const uint8_t *h = t + 16 + 12 * k;
            if (word(h) == IR_EXN_DEFAULT || word(h + 4) == tag)
                resume(pc + (uint64_t)(int64_t)(int32_t)word(h + 8), sp, caller_fp, p1, p2);
        }
        if (caller_fp == entry_fp || caller_fp <= fp)   /* the entry, or not a frame chain */
            break;
        fp = caller_fp;
    }
    __builtin_trap();   /* no handler: the run reports a trap */
}

#endif
