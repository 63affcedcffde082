/* lib/run/throw.c: the run-time side of exceptions, __cranelift_throw, the
 * host function Cranelift's throw tests call (filetests' function_runner.rs).
 *
 * From the thrower's frame record it walks the chain of frame records (JIT
 * code keeps a frame pointer) up to the entry frame; each return address
 * is a call site, and the code generator says whether it is a try_call's
 * with a handler for the tag (run_set_exn_handler).  The first one gets
 * control with the stack pointer it gives and the frame pointer of its
 * frame, and the payload in the first two return registers; registers
 * are not restored, as the try_call clobbers them all.  No handler: a trap. */
#include "run.h"

/* resume leaves run_throw's frame (and the handler's) without returning:
 * AddressSanitizer's redzones there must be lifted first, as its longjmp
 * does, or the next call that reuses the stack reads as an overflow. */
#if defined(__SANITIZE_ADDRESS__)
#define ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASAN 1
#endif
#endif
#ifdef ASAN
#include <sanitizer/asan_interface.h>
#define before_resume() __asan_handle_no_return()
#else
#define before_resume() ((void)0)
#endif

static run_exn_handler_fn exn_handler;

void run_set_exn_handler(run_exn_handler_fn f)
{
    __atomic_store_n(&exn_handler, f, __ATOMIC_RELEASE);
}

#if defined(__x86_64__)

static uint64_t strip_pac(uint64_t pc) { return pc; }

static _Noreturn void resume(uint64_t pc, uint64_t sp, uint64_t fp, uint64_t p1, uint64_t p2)
{
    register uint64_t r10 __asm__("r10") = pc, r11 __asm__("r11") = sp, rcx __asm__("rcx") = fp;
    __asm__ volatile("mov %1, %%rsp\n\tmov %2, %%rbp\n\tjmp *%0"
                     : : "r"(r10), "r"(r11), "r"(rcx), "a"(p1), "d"(p2) : "memory");
    __builtin_unreachable();
}

#elif defined(__aarch64__)

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

#endif

void run_throw(uint64_t entry_fp, uint64_t exit_fp, uint64_t exit_pc, uint32_t tag, uint64_t p1, uint64_t p2)
{
    (void)exit_pc;      /* the thrower's own pc: no handler of its own */
    run_exn_handler_fn handler = __atomic_load_n(&exn_handler, __ATOMIC_ACQUIRE);
    for (uint64_t fp = exit_fp; handler && fp && !(fp & 7);) {
        const uint64_t *rec = (const uint64_t *)fp;     /* the caller's fp, the return address */
        uint64_t caller_fp = rec[0], ret = strip_pac(rec[1]);
        uintptr_t pc, sp;
        if (handler(ret, caller_fp, tag, &pc, &sp)) {
            before_resume();
            resume(pc, sp, caller_fp, p1, p2);
        }
        if (caller_fp == entry_fp || caller_fp <= fp)   /* the entry, or not a frame chain */
            break;
        fp = caller_fp;
    }
    __builtin_trap();   /* no handler: the run reports a trap */
}
