/* lib/interp: the oracle — an interpreter of CLIF with Cranelift's
 * semantics (cranelift/codegen/meta/src/shared/instructions.rs,
 * cranelift/interpreter/src/step.rs).  It reads lib/ir and nothing of
 * lib/codegen or lib/isa, so a bug in lowering cannot hide in it; lib/fuzz
 * pits every back end against it.  Same answer on every host.
 *
 * Values are held in 16 bytes, little endian, as ir_data_value.  Stack
 * slots are real buffers; other addresses (symbols, host pointers, constant
 * addresses) are host memory, read and written under a guard so that an
 * unmapped one is the instruction's trap (heap_oob unless its memflags name
 * another), never a crash.  Host functions are called through libffi.
 *
 * Nothing here exits or aborts: what the interpreter does not support is an
 * error at the instruction ("unsupported by the interpreter: ..."): f16 and
 * f128 values, dynamic vectors, get_frame_pointer and its kin, stack_switch,
 * throwing exceptions, thread-local symbols.
 *
 * Floats: f32/f64 arithmetic is IEEE with rounding to nearest even, and
 * NaNs are the same on every host by one rule: a NaN operand propagates,
 * quieted (the first NaN in operand order: fadd x, y gives x's if both are
 * NaN); a NaN made from numbers (0/0, inf - inf, sqrt(-1), fma(0, inf, 1))
 * is the canonical +NaN, 0x7fc00000 / 0x7ff8000000000000.  fneg, fabs,
 * fcopysign, bitcast, loads and stores never touch a NaN's bits; fpromote
 * and fdemote keep the sign and the top payload bits, quieted.  fmin/fmax:
 * NaN if either is, -0.0 < +0.0.
 *
 * Integers: wrapping; shift and rotate amounts modulo the lane width;
 * division by zero traps int_divz, sdiv MIN / -1 int_ovf, srem MIN % -1 is
 * 0.  Memory: little endian unless `big`; a vector's lanes lie in memory in
 * lane order, each in the flag's byte order (so does bitcast); `aligned` is
 * a promise, not checked, as on the hardware.  Calls deeper than max_depth
 * trap stk_ovf (so do host callbacks nested 200 deep); return_call reuses
 * the caller's depth.  A function's stack_limit is not checked: the
 * interpreter's frames are not the machine's.  get_stack_pointer is the
 * lowest address of the frame's stack memory (it falls as calls deepen);
 * the pinned register belongs to the context, 0 at each interp_call.
 *
 * Time: the timeout and the interrupt flag are looked at between
 * instructions, so the time a host function takes is not cut short. */
#ifndef CLIFRUN_INTERP_H
#define CLIFRUN_INTERP_H

#include <signal.h>

#include "ir/ir.h"
#include "run/run.h"

typedef struct interp_ctx interp_ctx;

/* Per-call limits.  A call that runs past them ends with RUN_TIMEOUT (or
 * RUN_INTERRUPTED when *interrupt became non-zero); the interpreter polls
 * both, so it is never unwound from the middle of an instruction. */
typedef struct interp_opts {
    double timeout;                     /* seconds; 0: none */
    uint64_t max_steps;                 /* instructions; 0: none */
    unsigned max_depth;                 /* calls deep before stk_ovf; 0: the default (10,000) */
    volatile sig_atomic_t *interrupt;   /* may be NULL */
    uint8_t fill;                       /* the byte stack slots start as (default 0):
                                         * lib/fuzz runs a file with two fills to
                                         * tell whether it reads memory never written */
} interp_opts;

/* Where a call ended.  The run_outcome is lib/run's, so run_report prints
 * it like a JIT call's: status RUN_OK, RUN_TRAP (msg "trap: int_divz at
 * %f: v3 = sdiv v1, v2", trap the code), RUN_TIMEOUT, RUN_INTERRUPTED, or
 * RUN_ERROR (msg: why it could not run, e.g. an unsupported instruction,
 * with diag located at it). */
typedef struct interp_outcome {
    run_outcome oc;
    ir_trapcode trap;       /* RUN_TRAP: the trap code (IR_TRAP_*) */
    uint32_t func, inst;    /* RUN_TRAP, RUN_ERROR: where, IR_NONE if not in an instruction */
    ir_diag diag;           /* RUN_ERROR: located at the instruction when there is one */
    uint64_t steps;         /* instructions run (counted a block at a time) */
} interp_outcome;

/* An interpreter for the functions of file (verified; it must outlive the
 * context).  Host symbols are looked up with dlsym when first called. */
interp_ctx *interp_new(const ir_file *file);
void interp_free(interp_ctx *ctx);

/* Can every instruction of function func (and of the functions it may
 * call) be interpreted?  If not, d says which, at its line and column:
 * "unsupported by the interpreter: ..." */
bool interp_supported(interp_ctx *ctx, uint32_t func, ir_diag *d);

/* For tests: from now on, decode every instruction to its family's general
 * code instead of the dispatch loop's inline forms of the common cases
 * (scalar iadd, icmp, load ...), so the two can be checked against each
 * other.  Functions already decoded keep their form. */
void interp_set_generic_only(interp_ctx *ctx, bool on);

/* Call function func of the file with args (each of its parameter's type,
 * nargs = sig.nparams); results gets sig.nrets values.  Not re-entrant:
 * host code called from the function may call back into it only through
 * function addresses (func_addr), which the interpreter serves itself. */
run_status interp_call(interp_ctx *ctx, uint32_t func, const ir_data_value *args, uint32_t nargs,
                       ir_data_value *results, const interp_opts *opts, interp_outcome *out);

#endif
