/* lib/run/trap.c: run a call under a guard.  Fault signals and a per-call
 * timer come back to run_guarded by siglongjmp; see run.h for the contract. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "internal.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

static const int fault_signals[] = {SIGSEGV, SIGILL, SIGFPE, SIGBUS, SIGTRAP};
#define NFAULT (sizeof fault_signals / sizeof fault_signals[0])

/* One guarded call; frames of nested calls form a list through prev. */
typedef struct guard_frame {
    sigjmp_buf env;
    volatile sig_atomic_t armed;    /* a signal now ends this call */
    volatile int signo, si_code;
    volatile uintptr_t pc, addr;
    int64_t deadline;               /* CLOCK_MONOTONIC ns of the timeout, 0 none */
    bool interrupt;                 /* SIGINT ends this call too */
    bool (*in_code)(uintptr_t pc);  /* where an interrupt may end the call */
    void (*fence)(bool executable); /* JIT code unexecutable while host code runs */
    volatile sig_atomic_t fenced;
    volatile int pending;           /* SIGALRM or SIGINT waiting for JIT code */
    struct timespec pending_since;
    double grace;
    struct guard_frame *prev;
} guard_frame;

/* While an interrupt waits for the call to come back to JIT code, the
 * timer looks where it is every TICK (to end it after the grace period,
 * and, without a fence, to find it in JIT code: sampling, which some
 * virtual machines bias towards host code). */
#define TICK_NS (1000 * 1000)
#define DEFAULT_GRACE 1.0

static _Thread_local guard_frame *volatile cur_frame;

/* Per thread, kept from call to call so that a call costs no system call
 * in the common case (each is microseconds on a virtual machine):
 *   the alternate stack, installed for good when the thread had none (else
 *     swapped in for each call and the thread's own put back);
 *   one POSIX timer, armed at the earliest deadline it may have to meet
 *     and left armed when a call ends: when it fires, the handler ends the
 *     call whose deadline has passed, re-arms for a later one, or does
 *     nothing between calls.  A call arms it when it is not armed, armed
 *     too late, or armed to fire within half of the call's timeout.
 * A forked child has no timer: run_fork and fork() reset it (guard_forked). */
typedef struct guard_thread {
    void *stack;                    /* above its guard page; freed at thread exit */
    bool stack_kept;                /* installed for good */
    bool have_timer;
    timer_t timer;
    volatile int64_t expiry;        /* when the timer is armed to fire, 0 not armed */
    bool mask_known;                /* mask is the thread's signal mask (run_opts.keeps_mask) */
    sigset_t mask;
    bool blocks_ours[2];            /* mask blocks one of ours_set[i] */
} guard_thread;
static _Thread_local guard_thread gt;
#define GUARD_TIMER 0x67726164      /* the sival_int of the guard's timers */
volatile sig_atomic_t run_guard_tainted;

static struct sigaction old_actions[NFAULT + 1];  /* the faults, then SIGALRM */
static struct sigaction guard_action;   /* ours, for SIGINT while a call wants it */
static struct sigaction old_sigint;     /* the caller's, while ours is installed */
static int sigint_users;                /* interruptible calls under way */
static pthread_once_t setup_once = PTHREAD_ONCE_INIT;
static sigset_t ours_set[2];            /* the guard's signals; [1] with SIGINT */
static pthread_key_t stack_key;
static bool setup_ok;
static size_t alt_size, page_size;
static size_t stack_limit;      /* RLIMIT_STACK, 0: unknown or unlimited */

/* ---- the signal handler ------------------------------------------------------ */

static uintptr_t context_pc(const void *uctx)
{
    const ucontext_t *uc = uctx;
#if defined(__x86_64__)
    return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    return (uintptr_t)uc->uc_mcontext.pc;
#else
    (void)uc;
    return 0;
#endif
}

static struct sigaction *old_action(int sig)
{
    if (sig == SIGINT)
        return &old_sigint;
    for (unsigned i = 0; i < NFAULT; i++)
        if (fault_signals[i] == sig)
            return &old_actions[i];
    return &old_actions[NFAULT];
}

/* Not ours: hand the signal to whoever had it before, or take the default
 * action (a fault re-executes and kills the process, as it would have). */
static void forward(int sig, siginfo_t *si, void *uctx)
{
    struct sigaction *o = old_action(sig);
    if (o->sa_flags & SA_SIGINFO) {
        if (o->sa_sigaction) {
            o->sa_sigaction(sig, si, uctx);
            return;
        }
    } else if (o->sa_handler == SIG_IGN && (sig == SIGALRM || sig == SIGINT)) {
        return;
    } else if (o->sa_handler != SIG_DFL && o->sa_handler != SIG_IGN) {
        o->sa_handler(sig);
        return;
    }
    signal(sig, SIG_DFL);
    raise(sig);     /* pending until this handler returns */
}

/* The thread's timer fires at t (CLOCK_MONOTONIC ns); async-signal-safe. */
static void arm(int64_t t)
{
    struct itimerspec its = {{0, 0}, {(time_t)(t / 1000000000), (long)(t % 1000000000)}};
    gt.expiry = t;
    timer_settime(gt.timer, TIMER_ABSTIME, &its, NULL);
}

static double since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);     /* async-signal-safe */
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) * 1e-9;
}

/* A timeout or Ctrl-C for frame f, whose call is at pc.  In JIT code it
 * ends the call (true).  Anywhere else (libc, a libcall, libffi) ending it
 * would unwind through code that may hold a lock or be halfway through an
 * update, so it waits for the call to be back in JIT code: the fence makes
 * JIT code unexecutable, and the fault of the first JIT instruction that
 * host code returns to ends the call there (handler).  After f->grace
 * seconds in host code the call cannot be ended safely in this process:
 * run_guard_stuck (child.c) ends the process, which a supervising parent
 * reports. */
static bool may_end(guard_frame *f, int sig, uintptr_t pc)
{
    if (!f->pending) {
        f->pending = sig;
        clock_gettime(CLOCK_MONOTONIC, &f->pending_since);
    }
    if (!f->in_code || f->in_code(pc))
        return true;
    if (f->fence && !f->fenced) {
        f->fenced = 1;
        f->fence(false);
    }
    if (since(&f->pending_since) >= f->grace)
        run_guard_stuck(f->pending == SIGINT ? RUN_INTERRUPTED : RUN_TIMEOUT, f->grace);
    if (gt.have_timer)
        arm(run_now_ns() + TICK_NS);
    return false;
}

static void handler(int sig, siginfo_t *si, void *uctx)
{
    int saved_errno = errno;
    guard_frame *f = cur_frame;
    if (sig == SIGALRM) {
        if (si->si_code == SI_TIMER) {
            /* ours: the call's deadline has passed (or an interrupt waits
             * for it), else it is early for this call or there is none */
            if (si->si_value.sival_int == GUARD_TIMER) {
                gt.expiry = 0;
                if (f && f->armed) {
                    if (f->pending || (f->deadline && run_now_ns() >= f->deadline)) {
                        if (may_end(f, SIGALRM, context_pc(uctx)))
                            goto jump;
                    } else if (f->deadline) {
                        arm(f->deadline);
                    }
                }
            }
            errno = saved_errno;
            return;
        }
        forward(sig, si, uctx);
        errno = saved_errno;
        return;
    }
    if (sig == SIGINT) {
        /* a Ctrl-C (or kill -INT) during an interruptible call ends it */
        if (f && f->armed && f->interrupt) {
            if (may_end(f, SIGINT, context_pc(uctx)))
                goto jump;
            errno = saved_errno;
            return;
        }
        forward(sig, si, uctx);
        errno = saved_errno;
        return;
    }
    if (!f || !f->armed || si->si_code == SI_USER || si->si_code == SI_TKILL) {
        /* a real crash of clifrun, or a signal sent by someone */
        forward(sig, si, uctx);
        errno = saved_errno;
        return;
    }
    if (f->fenced && sig == SIGSEGV && f->in_code(context_pc(uctx))) {
        /* host code came back to JIT code: the waiting interrupt ends the
         * call here */
        f->fence(true);
        f->fenced = 0;
        goto jump;
    }
    if (f->in_code && !f->in_code(context_pc(uctx)))
        run_guard_tainted = 1;  /* a fault in host code: its state is suspect */
jump:
    f->armed = 0;
    /* the fence's fault and a tick end a waiting interrupt as what it was */
    f->signo = f->pending && (sig == SIGALRM || sig == SIGINT || sig == SIGSEGV) ? f->pending : sig;
    f->si_code = si->si_code;
    f->addr = (uintptr_t)si->si_addr;
    f->pc = context_pc(uctx);
#if defined(__x86_64__)
    if (sig == SIGTRAP && si->si_code == SI_KERNEL)
        f->pc -= 1;         /* int3 reports the next instruction */
#endif
    siglongjmp(f->env, 1);
}

/* ---- set-up: handlers once per process, a stack once per thread ---------------- */

static void free_thread(void *p)
{
    if (gt.have_timer)
        timer_delete(gt.timer);
    gt.have_timer = false;
    gt.expiry = 0;
    if (gt.stack_kept) {
        stack_t off = {.ss_flags = SS_DISABLE};
        sigaltstack(&off, NULL);
    }
    munmap((char *)p - page_size, alt_size + page_size);
    gt.stack = NULL;
}

/* In a forked child: the parent's timer is not there. */
static void guard_forked(void)
{
    gt.have_timer = false;
    gt.expiry = 0;
    gt.mask_known = false;
}

void run_guard_forked(void)
{
    guard_forked();
}

static void setup(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    page_size = pg > 0 ? (size_t)pg : 4096;
    alt_size = 64 * 1024;
#ifdef _SC_MINSIGSTKSZ
    long min = sysconf(_SC_MINSIGSTKSZ);    /* large with AVX-512, SVE, SME */
    if (min > 0 && (size_t)min * 4 > alt_size)
        alt_size = (size_t)min * 4;
#endif
    alt_size = (alt_size + page_size - 1) & ~(page_size - 1);
    struct rlimit rl;
    if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        stack_limit = (size_t)rl.rlim_cur;
    if (pthread_key_create(&stack_key, free_thread) != 0 ||
        pthread_atfork(NULL, NULL, guard_forked) != 0)
        return;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;  /* ticks must not fail host I/O */
    sigemptyset(&sa.sa_mask);
    for (unsigned i = 0; i < NFAULT; i++)
        sigaddset(&sa.sa_mask, fault_signals[i]);
    sigaddset(&sa.sa_mask, SIGALRM);
    sigaddset(&sa.sa_mask, SIGINT);
    guard_action = sa;
    ours_set[1] = sa.sa_mask;
    ours_set[0] = sa.sa_mask;
    sigdelset(&ours_set[0], SIGINT);
    for (unsigned i = 0; i < NFAULT; i++)
        if (sigaction(fault_signals[i], &sa, &old_actions[i]) != 0)
            return;
    if (sigaction(SIGALRM, &sa, &old_actions[NFAULT]) != 0)
        return;
    __atomic_store_n(&setup_ok, true, __ATOMIC_RELEASE);
}

/* The thread's alternate stack, above a guard page. */
static void *thread_stack(void)
{
    if (gt.stack)
        return gt.stack;
    char *p = mmap(NULL, alt_size + page_size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    mprotect(p, page_size, PROT_NONE);
    if (pthread_setspecific(stack_key, p + page_size) != 0) {
        munmap(p, alt_size + page_size);
        return NULL;
    }
    return gt.stack = p + page_size;
}

/* The thread's timer, created on first use. */
static bool thread_timer(void)
{
    if (gt.have_timer)
        return true;
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_THREAD_ID;
    sev.sigev_signo = SIGALRM;
    sev.sigev_value.sival_int = GUARD_TIMER;
    sev.sigev_notify_thread_id = gettid();
    if (timer_create(CLOCK_MONOTONIC, &sev, &gt.timer) != 0)
        return false;
    gt.have_timer = true;
    gt.expiry = 0;
    return true;
}

/* ---- the guard ----------------------------------------------------------------- */

const char *run_signal_name(int signo)
{
    switch (signo) {
    case SIGSEGV: return "SIGSEGV";
    case SIGILL: return "SIGILL";
    case SIGFPE: return "SIGFPE";
    case SIGBUS: return "SIGBUS";
    case SIGTRAP: return "SIGTRAP";
    case SIGALRM: return "SIGALRM";
    default: return "signal";
    }
}

/* Did the fault hit the end of this thread's stack?  The guard page (or,
 * for the main thread, the end of what the stack may grow to) lies just
 * below the lowest address pthread reports; a big frame jumps a little
 * further. */
static bool stack_overflow(const run_outcome *out)
{
    if (out->signo != SIGSEGV && out->signo != SIGBUS)
        return false;
    pthread_attr_t attr;
    void *lo;
    size_t size;
    if (pthread_getattr_np(pthread_self(), &attr) != 0)
        return false;
    bool ok = pthread_attr_getstack(&attr, &lo, &size) == 0;
    pthread_attr_destroy(&attr);
    uintptr_t a = out->addr, l = (uintptr_t)lo;
    return ok && a < l + 64 * 1024 && a + (1u << 20) >= l;
}

static void trap_message(run_outcome *out, const run_opts *opts)
{
    char desc[160];
    const char *d = opts && opts->describe_pc ? opts->describe_pc(out->pc, desc, sizeof desc) : NULL;
    const char *sig = run_signal_name(out->signo);
    if (stack_overflow(out))
        sig = "stk_ovf";    /* Cranelift's trap code for it */
    if (d && strstr(d, " at "))
        snprintf(out->msg, sizeof out->msg, "trap: %s", d);
    else if (d)
        snprintf(out->msg, sizeof out->msg, "trap: %s at %s", sig, d);
    else if (out->signo == SIGSEGV || out->signo == SIGBUS)
        snprintf(out->msg, sizeof out->msg, "trap: %s at 0x%jx (address 0x%jx)", sig,
                 (uintmax_t)out->pc, (uintmax_t)out->addr);
    else
        snprintf(out->msg, sizeof out->msg, "trap: %s at 0x%jx", sig, (uintmax_t)out->pc);
}

/* Does mask block one of the guard's signals (with SIGINT: interrupt)? */
static bool blocks_ours(const sigset_t *mask, bool interrupt)
{
    bool b = sigismember(mask, SIGALRM) == 1 || (interrupt && sigismember(mask, SIGINT) == 1);
    for (unsigned i = 0; i < NFAULT && !b; i++)
        b = sigismember(mask, fault_signals[i]) == 1;
    return b;
}

/* The main thread's stack below here, for a frame of the given size: a
 * fault per page costs 5-12 us on a virtual machine (the exception is what
 * costs), mapping the pages in one madvise about 1 us each.  The stack
 * grows on demand down to its limit below the top glibc recorded: the
 * lowest page is touched (the kernel extends the stack to it), then the
 * pages between are mapped.  Well inside the limit only, so that it never
 * faults itself, and once per depth reached. */
extern void *__libc_stack_end;
#define READY_MIN ((size_t)64 << 10)

/* The touch is made at the stack pointer, moved down n bytes: a fault far
 * below it is a crash to some (Valgrind).  A compiler that probes allocas
 * faults each page here instead, as the callee would have. */
__attribute__((noinline)) static void stack_touch(size_t n)
{
    volatile char *p = __builtin_alloca(n);
    p[0] = 0;
}

static void stack_ready(size_t frame)
{
    static _Thread_local uintptr_t ready;       /* lowest page mapped so far */
    uintptr_t pg = page_size, sp = (uintptr_t)__builtin_frame_address(0) & ~(pg - 1);
    uintptr_t top = (uintptr_t)__libc_stack_end;
    size_t room = stack_limit > (1u << 20) ? stack_limit - (1u << 20) : 0;
    /* sp on the main thread's stack (not a thread's or the signal stack),
     * and the frame within the room its limit leaves */
    if (!room || sp > top || top - sp >= room || frame >= room - (top - sp))
        return;
    uintptr_t lo = (sp - frame - pg) & ~(pg - 1);
    if (ready && lo >= ready)
        return;
    stack_touch(sp - lo);
    if (madvise((void *)lo, sp - lo, MADV_POPULATE_WRITE) == 0)
        ready = lo;
}

static run_status fail(run_outcome *out, const char *what)
{
    out->status = RUN_ERROR;
    snprintf(out->msg, sizeof out->msg, "%s: %s", what, strerror(errno));
    return RUN_ERROR;
}

run_status run_guarded(void (*body)(void *), void *arg, const run_opts *opts,
                       run_outcome *out)
{
    /* all but msg's tail, which nothing reads (288 bytes a call) */
    out->status = RUN_OK;
    out->signo = out->si_code = 0;
    out->pc = out->addr = 0;
    out->host = false;
    out->msg[0] = 0;
    if (!__atomic_load_n(&setup_ok, __ATOMIC_ACQUIRE)) {   /* (done: no pthread_once) */
        pthread_once(&setup_once, setup);
        if (!setup_ok)
            return fail(out, "cannot install the signal handlers");
    }
    if (opts && opts->frame >= READY_MIN)
        stack_ready(opts->frame);
    /* our stack: for good if the thread had none, else for this call */
    stack_t old_ss;
    bool swapped = false;
    if (!gt.stack_kept) {
        void *stk = thread_stack();
        if (!stk)
            return fail(out, "cannot allocate the signal stack");
        stack_t ss = {.ss_sp = stk, .ss_size = alt_size, .ss_flags = 0};
        swapped = sigaltstack(&ss, &old_ss) == 0;
        if (swapped && (old_ss.ss_flags & SS_DISABLE)) {
            gt.stack_kept = true;
            swapped = false;
        }
    }

    bool interrupt = opts && opts->interrupt;
    const sigset_t *ours = &ours_set[interrupt];

    guard_frame f;
    f.armed = 0;
    f.signo = f.si_code = 0;
    f.pc = f.addr = 0;
    f.prev = cur_frame;
    f.deadline = 0;
    f.interrupt = interrupt;
    f.in_code = opts ? opts->in_code : NULL;
    f.fence = f.in_code ? opts->fence : NULL;
    f.fenced = 0;
    f.pending = 0;
    f.grace = opts && opts->grace > 0 ? opts->grace : DEFAULT_GRACE;

    /* an interrupt that waits for JIT code needs the timer to look again */
    bool need_timer = (opts && opts->timeout > 0) || (interrupt && f.in_code);
    if (need_timer && !thread_timer()) {
        if (swapped)
            sigaltstack(&old_ss, NULL);
        return fail(out, "cannot create the timeout timer");
    }
    int64_t start = 0;
    if (opts && opts->timeout > 0) {
        int64_t ns = (int64_t)(opts->timeout * 1e9);
        start = run_coarse_ns();    /* a call gets its timeout, and a tick at most */
        f.deadline = start + (ns > 0 ? ns : 1);
    }

    /* the mask changes only if the caller blocks one of ours, or a signal
     * ends the call (the handler's mask stays): no syscall otherwise.  It
     * is read unless the caller vouches that nothing changed it since the
     * last call, whose body could not either (keeps_mask both times).
     * Then it is gt.mask, which stays so through the body unless the body
     * runs with ours unblocked (a nested call keeps that one): copied then */
    bool keeps = opts && opts->keeps_mask, unblock = false, was_known = keeps && gt.mask_known;
    sigset_t own_mask;
    const sigset_t *old_mask = &own_mask;
    bool blocks[2] = {false, false};
    if (was_known) {
        blocks[0] = gt.blocks_ours[0], blocks[1] = gt.blocks_ours[1];
        unblock = blocks[interrupt];
        if (unblock)
            own_mask = gt.mask;
        else
            old_mask = &gt.mask;
    } else {
        pthread_sigmask(SIG_BLOCK, NULL, &own_mask);
        unblock = blocks_ours(&own_mask, interrupt);
    }
    gt.mask_known = false;  /* the body (a nested call's too) may change it */
    if (interrupt && sigint_users++ == 0)
        sigaction(SIGINT, &guard_action, &old_sigint);
    cur_frame = &f;
    if (sigsetjmp(f.env, 0) == 0) {
        if (unblock)
            pthread_sigmask(SIG_UNBLOCK, ours, NULL);
        f.armed = 1;
        /* after arming the frame: an expiry from now on sees this call.
         * One set for an earlier call is kept unless it comes within half
         * of this call's timeout: a call must run that long to see it
         * (the handler then re-arms; a host function sleeping meanwhile
         * may return early with EINTR, as SA_RESTART does not cover
         * sleeps) */
        int64_t e = gt.expiry;
        if (f.deadline && (!e || e > f.deadline || e - start < (f.deadline - start) / 2))
            arm(f.deadline);
        body(arg);
        f.armed = 0;
        out->status = RUN_OK;   /* (an interrupt that waited in host code is moot) */
    } else if (f.signo == SIGALRM) {
        out->status = RUN_TIMEOUT;
        out->pc = f.pc;
        snprintf(out->msg, sizeof out->msg, "timeout");
    } else if (f.signo == SIGINT) {
        out->status = RUN_INTERRUPTED;
        out->pc = f.pc;
        snprintf(out->msg, sizeof out->msg, "interrupted");
    } else {
        out->status = RUN_TRAP;
        out->host = f.in_code && !f.in_code(f.pc);
        out->signo = f.signo;
        out->si_code = f.si_code;
        out->pc = f.pc;
        out->addr = f.addr;
    }
    /* the timer stays armed; the enclosing call's deadline must still hold */
    if (f.prev && f.prev->deadline && (!gt.expiry || gt.expiry > f.prev->deadline))
        arm(f.prev->deadline);
    if (f.fenced) {
        f.fenced = 0;
        f.fence(true);
    }
    if (interrupt && --sigint_users == 0)
        sigaction(SIGINT, &old_sigint, NULL);
    if (unblock || out->status != RUN_OK)
        pthread_sigmask(SIG_SETMASK, old_mask, NULL);
    /* the body could not change the mask, and it is old_mask again */
    gt.mask_known = keeps;
    if (keeps && old_mask == &own_mask) {   /* (a nested call may have left its own there) */
        gt.mask = own_mask;
        gt.blocks_ours[0] = was_known ? blocks[0] : blocks_ours(&own_mask, false);
        gt.blocks_ours[1] = was_known ? blocks[1] : blocks_ours(&own_mask, true);
    }
    cur_frame = f.prev;
    if (swapped)
        sigaltstack(&old_ss, NULL);
    if (out->status == RUN_TRAP)
        trap_message(out, opts);    /* outside the handler: the hook may lock */
    return out->status;
}
