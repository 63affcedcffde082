/* lib/run: run-line values, calling compiled code, and guarding the call.
 *
 *   value.c  print and compare values as Cranelift's runner does
 *            (DataValue's Display, DisplayDataValues, bitwise_eq) and
 *            format the output line of a run command
 *   call.c   call native code with ir_data_value arguments: libffi where
 *            it can express the signature, else a compiled trampoline
 *   tramp.c  that trampoline, as a CLIF function
 *   throw.c  __cranelift_throw: unwinding to a try_call's handler
 *   trap.c   run a call under a guard: signals on an alternate stack,
 *            siglongjmp back, a per-call timeout, the faulting PC; a
 *            timeout or Ctrl-C ends a call only in JIT code
 *   child.c  run a batch of calls in a child process that can die, hang
 *            in host code or be sandboxed without harm to the caller
 *   sandbox.c the seccomp filter calls run under
 *
 * Link with -lffi -lseccomp.  Linux on x86-64 and AArch64. */
#ifndef CLIFRUN_RUN_H
#define CLIFRUN_RUN_H

#include "ir/ir.h"

#include <signal.h>
#include <sys/types.h>

/* ---- values (value.c) ------------------------------------------------------
 * An ir_data_value holds its type and up to 16 bytes, little endian; bytes
 * past the type's size are ignored.  Vectors wider than 128 bits and dynamic
 * vectors have no value form (as in Cranelift). */

/* DataValue's Display: integers in signed decimal, floats as Cranelift's
 * Ieee16/32/64/128 ("0x1.800000p1", "-0.0", "+Inf", "+NaN:0x1", "+sNaN:0x1"),
 * vectors as ConstantData: "0x" and the bytes from the last to the first
 * ("0x00000004000000030000000200000001" for i32x4 [1 2 3 4]).
 * snprintf-like: returns the full length, writes at most n bytes. */
int run_value_format(char *buf, size_t n, const ir_data_value *v);
/* Vectors lane by lane in run-line syntax, "[1 2 3 4]"; scalars as above. */
int run_value_format_lanes(char *buf, size_t n, const ir_data_value *v);

enum { RUN_FMT_LANES = 1 };  /* print vectors as "[1 2 3 4]", not hex */
/* write_data_value_list: "a, b, c". */
void run_values_print(FILE *out, const ir_data_value *v, uint32_t count, unsigned fmt);
/* DisplayDataValues: one value as itself, else "[a, b]" ("[]" for none). */
void run_results_print(FILE *out, const ir_data_value *v, uint32_t count, unsigned fmt);

/* Cranelift's DataValue::bitwise_eq: same kind (each scalar type is its own;
 * vectors of equal byte size are one kind, as V128/V64/... are) and equal
 * bits: floats bit for bit, so NaN payloads count and 0.0 != -0.0.
 * (DataValue's PartialEq compares floats as IEEE numbers instead; the runner
 * uses bitwise_eq.) */
bool run_value_eq(const ir_data_value *a, const ir_data_value *b);
/* The runner's check of a run line: IR_CMP_EQ: same count and every value
 * bitwise equal; IR_CMP_NE: the negation; IR_CMP_NONE (`; run` and
 * `; run: %f(x)`): one result whose bits are not all zero. */
bool run_check(uint8_t cmp, const ir_data_value *actual, uint32_t nactual,
               const ir_data_value *expect, uint32_t nexpect);

/* ---- guarded calls (trap.c) ------------------------------------------------ */

typedef enum {
    RUN_OK,         /* returned normally */
    RUN_ERROR,      /* not called: msg says why (e.g. needs a trampoline) */
    RUN_TRAP,       /* a signal: signo, pc, addr; msg "trap: ..." */
    RUN_TIMEOUT,    /* outlived opts->timeout; msg "timeout" */
    RUN_INTERRUPTED,/* SIGINT ended it (opts->interrupt); msg "interrupted" */
    RUN_ENDED,      /* the process running it ended (run_batch_run): msg says how,
                       "the called code ended the process with status 42",
                       "sandbox: execve blocked (run with --no-sandbox to allow)" */
} run_status;

/* Where a faulting PC is: the JIT provides this.  It is called after the
 * guard is back from the signal handler (not inside it), so it may lock and
 * allocate.  Returns NULL if pc is not in compiled code; otherwise writes
 * into buf (n bytes) and returns buf, either "CODE at LOC" for a recorded
 * trap site ("int_divz at %f+0x1c") or just "LOC" ("%f+0x1c") for other
 * code, which the guard prints as "SIGSEGV at %f+0x1c".  A fault at the
 * end of the thread's stack (its guard page, or the main thread's growth
 * limit) is named "stk_ovf" instead of the signal: "trap: stk_ovf at %f+0x4". */
typedef const char *(*run_describe_pc_fn)(uintptr_t pc, char *buf, size_t n);

typedef struct run_opts {
    double timeout;                 /* seconds; 0 for none */
    run_describe_pc_fn describe_pc; /* may be NULL */
    bool interrupt;                 /* SIGINT (Ctrl-C) ends the call: RUN_INTERRUPTED */
    /* Is pc in code that a timeout or Ctrl-C may abandon (the JIT's:
     * jit_pc_in_code)?  Called in the signal handler: async-signal-safe.
     * NULL: any pc (for bodies that are all such code, as in unit tests). */
    bool (*in_code)(uintptr_t pc);
    /* With in_code: make JIT code unexecutable (false) or executable again
     * (true), async-signal-safe (jit_code_fence).  NULL: the guard samples
     * the pc every millisecond instead, which some virtual machines bias
     * towards host code. */
    void (*fence)(bool executable);
    double grace;                   /* how long an interrupt waits for in_code; 0: 1 s */
    /* The caller vouches that the body cannot change the thread's signal
     * mask (compiled code that reaches no host code but functions known
     * to leave it alone: lib/filetest's ft_ctx_new) and that nothing has
     * changed it since the thread's last guarded call, if that call had
     * keeps_mask too: the guard then knows the mask without a system call
     * (one per call otherwise, microseconds on a virtual machine). */
    bool keeps_mask;
    /* Bytes of stack the body's callee takes for its own frame, if known
     * (its stack slots; 0: not known).  From 64 KiB up the guard maps the
     * main thread's stack for them first, in one system call: the
     * callee's probes would fault it in a page at a time. */
    size_t frame;
} run_opts;

typedef struct run_outcome {
    run_status status;
    int signo, si_code;     /* RUN_TRAP */
    uintptr_t pc;           /* faulting PC (RUN_TRAP; for x86 int3, the int3's
                               own address), PC at expiry (RUN_TIMEOUT,
                               RUN_INTERRUPTED) */
    uintptr_t addr;         /* si_addr: faulting address (SIGSEGV/SIGBUS) */
    bool host;              /* RUN_TRAP: pc was not in_code (a fault in libc...) */
    char msg[256];          /* "" if RUN_OK */
} run_outcome;

/* Run body(arg) under a guard.  SIGSEGV, SIGILL, SIGFPE, SIGBUS and SIGTRAP
 * raised by the body are caught on an alternate signal stack and end it
 * with RUN_TRAP; with opts->timeout, a timer (SIGALRM, aimed at this thread)
 * ends it with RUN_TIMEOUT.  Either way control comes back here by
 * siglongjmp with the signal mask restored, and the process goes on.  The
 * body must be code that can be abandoned at any point: compiled code, not
 * code holding locks or owning memory (a body stopped inside malloc leaves
 * malloc's lock taken).
 *
 * Thread-safe: the state is per thread (_Thread_local), the timer is a
 * per-thread POSIX timer (SIGEV_THREAD_ID), and each thread gets one
 * alternate stack on first use, freed when the thread exits.  Both stay
 * from call to call, so that a call makes no system call but one
 * (the signal mask's, none with keeps_mask) in the common case: the stack stays installed when
 * the thread had none (else it is swapped in for the call only), and the
 * timer stays armed at the earliest deadline it may have to meet (an
 * expiry outside a call, or before the call's deadline, is let pass; a
 * call re-arms it when it would fire within half of the call's timeout,
 * so only a call that runs that long sees an early SIGALRM, which may
 * end a sleep in host code early with EINTR).  A harness may run files on threads (-j) or fork per
 * file; both work.  The handlers are installed process-wide on first use;
 * a signal outside a guarded call goes to the handler that was there before
 * (or the default action), so real crashes still crash.  SIGALRM belongs
 * to the guard: other code must not use alarm() or setitimer().  Nested
 * guards work; the inner one catches.
 *
 * With opts->interrupt, SIGINT is the guard's for the call too: a Ctrl-C
 * ends the call like its timer would (RUN_INTERRUPTED), and the caller's
 * SIGINT disposition is back when run_guarded returns (a SIGINT just
 * before or after the body goes to it).  This is for an interactive,
 * single-threaded caller: SIGINT goes to the process, not to a thread. */
run_status run_guarded(void (*body)(void *), void *arg, const run_opts *opts,
                       run_outcome *out);
/* Interrupts only where they are safe.  With opts->in_code, the timer or
 * SIGINT ends the call only if the pc it interrupts is in_code.  Landing
 * in host code (malloc, stdio, a libcall, libffi) it is deferred: the
 * fence makes JIT code unexecutable, and when host code returns into it
 * (or calls it back) the fault ends the call at that JIT instruction, the
 * fence lifted.  Host code is never unwound (a callback's caller, such as
 * qsort, is abandoned with the call: it holds no lock).  If the call is
 * still in host code opts->grace seconds later, the call cannot be ended
 * in this process: run_guard_stuck ends the process instead (in a
 * run_batch_run child the parent reports the call as timed out or
 * interrupted and goes on; elsewhere clifrun says why and exits 1).
 * A fault in host code (strlen of a bad pointer) is still a trap, with
 * out->host set and run_guard_tainted raised: a child of run_batch_run
 * then makes way for a fresh one after the call. */
extern volatile sig_atomic_t run_guard_tainted;
_Noreturn void run_guard_stuck(run_status why, double grace);
/* "SIGSEGV", "SIGILL"... */
const char *run_signal_name(int signo);

/* CLOCK_MONOTONIC in nanoseconds, read cheaply: from the coarse clock
 * plus its resolution, so never earlier than the precise clock's now and
 * at most a tick (a few ms) later.  For deadlines and "has it been long",
 * not for durations of microseconds. */
int64_t run_coarse_ns(void);

/* ---- contained calls (child.c) ---------------------------------------------
 * A batch of items (the run lines of a module) runs in a child process
 * forked from the caller after the module is linked, so that whatever the
 * called code does ends at most that child: `exit`, `abort`, a call blocked
 * by the sandbox, a call stuck in host code past its timeout, a heap it
 * corrupted.  The parent keeps the module as it was linked; when the child
 * ends under an item, the parent reports that item through ended() and
 * forks a new child for the items after it.  Without deaths the cost is
 * one fork per batch.
 *
 * The child dies with its parent (PR_SET_PDEATHSIG), keeps only
 * descriptors 0, 1, 2 and keep_fd (when it sandboxes), installs the
 * sandbox (b->sandbox), then runs item(arg, i) for each i in order and
 * flushes stdout and stderr after each.  An `exit` of the called code
 * flushes and ends the child with its status (no exit handlers of the
 * parent's run).  The parent waits, with a watchdog when b->timeout is set
 * (an item may take timeout + grace + 2 s before its child is killed) or
 * b->interrupt is (after a SIGINT the child's guard has grace + 1 s to end
 * the call before the child is killed; the parent ignores the SIGINT).
 * ended() gets RUN_TIMEOUT or RUN_INTERRUPTED for a child stuck in host
 * code, else RUN_ENDED with msg "the called code ended the process with
 * status 42" (or "with SIGABRT"), or "sandbox: execve blocked (run with
 * --no-sandbox to allow)". */
typedef struct run_batch {
    uint32_t n;                         /* items 0 .. n-1 */
    bool (*item)(void *arg, uint32_t i);/* in the child: run item i; did it pass? */
    void (*ended)(void *arg, uint32_t i, const run_outcome *oc);  /* in the parent */
    void *arg;
    double timeout, grace;              /* per call, as in run_opts (grace 0: 1 s) */
    bool sandbox;                       /* run_sandbox_install in the child */
    bool interrupt;                     /* Ctrl-C ends calls (the REPL) */
    int keep_fd;                        /* kept open in the child besides 0-2; -1 none */
} run_batch;

typedef struct run_batch_result {
    uint32_t failed;                    /* items that did not pass, ended ones included */
    uint32_t ended;                     /* items whose process ended under them */
    uint32_t next;                      /* items 0 .. next-1 ran (all, unless error) */
    int write_errno;                    /* the child could not write stdout or stderr */
    char error[256];                    /* "" or why the batch could not run at all */
} run_batch_result;

/* Run the batch.  False (r->error) if it could not: no child process, the
 * sandbox refused by the kernel, a child that dies before its first item.
 * Items not run then are neither passed nor failed. */
bool run_batch_run(const run_batch *b, run_batch_result *r);

/* For a process that runs calls itself (clifrun test's workers) and whose
 * work a supervisor does again if it dies: from now on a call stuck in
 * host code (run_guard_stuck) or blocked by the sandbox ends the process
 * at once and quietly, with status RUN_EXPENDABLE_EXIT. */
#define RUN_EXPENDABLE_EXIT 125
void run_set_expendable(void);

/* fork() as a raw clone: glibc's fork hangs in the child under qemu-user
 * 7.2 (Debian 12), where the AArch64 build is tested.  The caller must be
 * single-threaded.  The child's tid is its pid, as after fork. */
pid_t run_fork(void);

/* ---- the sandbox (sandbox.c) -----------------------------------------------
 * The threat model: running a bug report from a stranger.  Called code runs
 * under a seccomp filter (libseccomp), installed after the module is
 * linked and before any of its code runs.  Allowed: memory (mmap, mprotect
 * and friends, never both writable and executable), signals to itself,
 * timers and time, reading files, writing to descriptors already open
 * (stdout, stderr), exit.  Everything else — execve, fork, clone (threads
 * too: a thread would outlive the guarded call), opening files for
 * writing or creating them, unlink, rename, truncate, sockets, ptrace,
 * ioctls but the terminal queries, signals to other processes, prctl,
 * seccomp — raises SIGSYS without running, and the child reports it.
 * The filter cannot be lifted by the code it contains.  It does not
 * promise that a hostile file's output is true (its code shares the
 * child's memory), nor keep it from reading files or using CPU and memory
 * until the timeout. */
#define RUN_NO_SANDBOX_ENV "CLIFRUN_NO_SANDBOX"  /* set and not "" or "0": --no-sandbox */
/* Can this kernel install seccomp filters?  No installing, no fork: asks
 * the kernel.  False with why ("seccomp: Function not implemented"). */
bool run_sandbox_supported(char *why, size_t n);
/* Install the filter in this process (for good).  A blocked call ends the
 * process: in a run_batch_run child the parent reports it; elsewhere
 * clifrun prints "clifrun: sandbox: execve blocked ..." and exits 1. */
bool run_sandbox_install(char *why, size_t n);
/* Can code compiled from f reach a system call by itself?  Not if it
 * writes no memory (a write could redirect the host's control: a return
 * address, a function pointer), calls nothing through a pointer and has no
 * other side effect (a pinned register the host relies on): its control
 * then stays in code compiled from CLIF, which holds no system call
 * instruction.  Calls out of the module (host code, libcalls) are the
 * caller's to rule out (jit_module_stats' host_syms).  Such code needs no
 * filter, whose installation (a BPF program compiled by the kernel) costs
 * a small file's run more than the rest of its work. */
bool run_func_confined(const ir_function *f);
/* "execve" for a system call number of this architecture, else "syscall N". */
const char *run_syscall_name(long nr, char *buf, size_t n);

/* ---- calls (call.c) --------------------------------------------------------
 * A signature is an ir_signature with its ABI parameters in fn->abi_params
 * (fn->sig for the function itself, fn->sigs.v[k] for sigk).
 *
 * libffi calls: calling convention default or system_v on x86-64 (SysV),
 * default on AArch64 (AAPCS64), windows_fastcall on x86-64 (libffi's
 * FFI_WIN64); parameters i8..i64, f32, f64 of any purpose but sarg/sret;
 * at most one result of those types.  A narrow integer parameter is
 * sign-extended if it is `sext`, else zero-extended, as the C ABI does.
 *
 * Everything else (i128, f16, f128, vectors, two or more results, sarg and
 * sret parameters, conventions fast, tail, winch, apple_aarch64, preserve_all
 * ...) goes through a trampoline for the signature, a CLIF function that
 * run_make_trampoline builds and the harness compiles like any other, with
 * the host's C convention:
 *
 *     void trampoline(void *callee, uint8_t *args_buf, uint8_t *results_buf);
 *
 * args_buf holds parameter i in the 16-byte slot at offset 16*i, little
 * endian from the slot's start, zero-filled after the value's size (vector
 * lane 0 first, as in ir_data_value.bytes); whatever the purpose, a slot
 * holds the value the run line gave (for sarg, an address).  The trampoline
 * loads each parameter with its type, calls callee with the signature's
 * convention, and stores result j with its type at results_buf + 16*j.
 * Both buffers are 16-byte aligned; of result j's slot only its type's
 * bytes are read back.  run_call calls the trampoline as a plain C
 * function pointer.
 * This is Cranelift's UnboxedValues layout (SLOT_SIZE 16), with separate
 * buffers for arguments and results. */
#define RUN_SLOT_SIZE 16

typedef void (*run_trampoline_fn)(void *callee, uint8_t *args_buf, uint8_t *results_buf);

typedef struct run_callee {
    void *code;                     /* the function's entry point */
    run_trampoline_fn trampoline;   /* for its signature, or NULL */
} run_callee;

/* Does calling sig need a trampoline?  If so and why is not NULL, *why is
 * set to a short reason ("an i128 parameter", "2 results",
 * "calling convention tail"). */
bool run_needs_trampoline(const ir_function *fn, const ir_signature *sig, const char **why);

/* The trampoline for calling sig (of fn) as a CLIF function named name,
 * in out (free it with ir_function_free): loads of the arguments from
 * their slots, a call_indirect with sig, stores of the results (tramp.c). */
void run_make_trampoline(const ir_function *fn, const ir_signature *sig, const char *name, ir_function *out);

/* Buffer packing for the trampoline: args_buf has 16 * nparams bytes,
 * results_buf 16 * nrets.  Unpacking gives each result the signature's type. */
void run_pack_args(const ir_function *fn, const ir_signature *sig,
                   const ir_data_value *args, uint8_t *args_buf);
void run_unpack_results(const ir_function *fn, const ir_signature *sig,
                        const uint8_t *results_buf, ir_data_value *results);

/* Call c->code with sig and args (nargs must be sig->nparams, each argument
 * of its parameter's type, or any vector type of the same size for a
 * vector); results gets sig->nrets values.  With opts, the call runs under
 * run_guarded; with opts NULL it runs unguarded.  Never crashes on a
 * signature it cannot call: RUN_ERROR with out->msg, e.g. "a signature
 * with an i128 parameter needs a compiled trampoline (not yet supported)". */
run_status run_call(const run_callee *c, const ir_function *fn, const ir_signature *sig,
                    const ir_data_value *args, uint32_t nargs, ir_data_value *results,
                    const run_opts *opts, run_outcome *out);

/* The same in two steps, for a caller that calls one function many times:
 * what the call needs of sig is found once (the libffi call interface
 * prepared, the checks that depend on it alone made), and each call is
 * run_sig_call with it.  Signatures are interned by content for the
 * process (thread-safe; never freed), so the result lives as long as the
 * process and stands for any signature equal to sig.  Never NULL: a
 * malformed signature, or no memory, gives one whose calls are RUN_ERROR. */
typedef struct run_sig run_sig;
const run_sig *run_sig_of(const ir_function *fn, const ir_signature *sig);
run_status run_sig_call(const run_sig *s, const run_callee *c, const ir_data_value *args, uint32_t nargs,
                        ir_data_value *results, const run_opts *opts, run_outcome *out);

/* ---- exceptions (throw.c) ---------------------------------------------------
 * __cranelift_throw, the host function Cranelift's throw tests call: walk
 * the frame records from the thrower's frame (exit_fp) up to the entry
 * frame (entry_fp) and resume at the first handler for tag, with the
 * payload p1, p2.  No handler: a trap.  The harness defines the symbol for
 * JIT code (ft_ctx_new). */
void run_throw(uint64_t entry_fp, uint64_t exit_fp, uint64_t exit_pc, uint32_t tag, uint64_t p1, uint64_t p2);
/* Where the handler for tag is, if the call returning to ret_pc (in the
 * frame whose frame pointer is fp) is a try_call that has one: its pc and
 * the stack pointer it runs with.  The code generator knows
 * (cg_exn_handler); the harness sets it, process-wide. */
typedef bool (*run_exn_handler_fn)(uintptr_t ret_pc, uintptr_t fp, uint32_t tag, uintptr_t *pc, uintptr_t *sp);
void run_set_exn_handler(run_exn_handler_fn f);

/* ---- the output line of a run command (value.c) ----------------------------
 * Prints, with a newline:
 *   run, passed        "%f(1, 2) == 3"            ("%f() != 0" for `; run`)
 *   run, failed        "FAIL file:line: %f(1, 2) == 3, got 4"
 *   print              "%f(1, 2) -> 3"            ("-> [1, 2]" for two results)
 *   trap/timeout/error "FAIL file:line: %f(1, 2) == 3, trap: int_divz at %f+0x1c"
 *                      (", timeout", ", error: MSG"; print lines alike)
 * The callee is named as the line wrote it, or by its function's name for a
 * bare `; run`.  Returns whether the command passed (print: it returned).
 * flags: RUN_FMT_LANES, and RUN_REPORT_FAILURES to print failing lines only. */
enum { RUN_REPORT_FAILURES = 0x100 };
bool run_report(FILE *out, const ir_file *file, const ir_run_cmd *rc,
                const ir_data_value *actual, const run_outcome *oc, unsigned flags);
/* "%f(1, 2)" for rc. */
void run_invocation_print(FILE *out, const ir_file *file, const ir_run_cmd *rc, unsigned fmt);

#endif
