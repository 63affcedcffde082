/* lib/run/child.c: a batch of calls in a child process (run_batch_run).
 * The parent forks a child after the module is linked; the child runs the
 * items and dies however the called code makes it die; the parent reports
 * the item it died under and forks again for the rest.  A page of shared
 * memory (child_state) says which item was under way and why the child
 * ended when it ended on its own.  See run.h for the contract. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

child_state *run_child;
bool run_expendable;

void run_set_expendable(void)
{
    run_expendable = true;
}

/* The first reads are system calls: the vDSO's first read faults in its
 * data pages (vvar, the hypervisor's clock page), 35 to 100 us on a
 * virtual machine, where a system call costs ~1 us; a one-function file
 * makes one call.  Async-signal-safe either way. */
#define SYSCALL_READS 16

/* (inline: a call per run line and per record of clifrun test's) */
static inline __attribute__((always_inline)) int64_t read_clock(clockid_t clock)
{
    static int reads;   /* per process; threads may count one twice */
    struct timespec t;
#ifdef SYS_clock_gettime
    if (__atomic_load_n(&reads, __ATOMIC_RELAXED) < SYSCALL_READS &&
        syscall(SYS_clock_gettime, clock, &t) == 0)
        __atomic_fetch_add(&reads, 1, __ATOMIC_RELAXED);
    else
#endif
        clock_gettime(clock, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

int64_t run_now_ns(void)
{
    return read_clock(CLOCK_MONOTONIC);
}

/* The coarse clock is the precise one as of the last tick: a read costs a
 * few ns where the precise one costs ~25 on a virtual machine, which adds
 * up at a read per call.  One tick added makes it never earlier than the
 * precise clock's now. */
int64_t run_coarse_ns(void)
{
#ifdef CLOCK_MONOTONIC_COARSE
    static _Atomic int64_t tick;
    int64_t res = atomic_load_explicit(&tick, memory_order_relaxed);
    struct timespec r;
    if (!res) {
        /* (the system call: the vDSO's would fault its data pages in) */
#ifdef SYS_clock_getres
        bool ok = syscall(SYS_clock_getres, CLOCK_MONOTONIC_COARSE, &r) == 0;
#else
        bool ok = clock_getres(CLOCK_MONOTONIC_COARSE, &r) == 0;
#endif
        res = ok ? (int64_t)r.tv_sec * 1000000000 + r.tv_nsec : -1;
        atomic_store_explicit(&tick, res, memory_order_relaxed);
    }
    if (res > 0 && res <= 100000000)
        return read_clock(CLOCK_MONOTONIC_COARSE) + res;
#endif
    return run_now_ns();
}

pid_t run_fork(void)
{
#ifdef SYS_clone
    pid_t pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (pid == 0)
        run_guard_forked();
    return pid;
#else
    return fork();
#endif
}

/* ---- the child ------------------------------------------------------------- */

/* A call stuck in host code after its timeout or Ctrl-C (trap.c).  No
 * flushing: the stuck code may hold stdout's lock. */
_Noreturn void run_guard_stuck(run_status why, double grace)
{
    if (run_child) {
        run_child->detail = why;
        run_child->reason = CHILD_STUCK;
        _exit(0);
    }
    if (run_expendable)
        _exit(RUN_EXPENDABLE_EXIT);
    static const char msg[] = "clifrun: a call stayed in host code after its timeout or "
                              "Ctrl-C, where it cannot be ended safely; stopping\n";
    (void)grace;
    ssize_t w = write(2, msg, sizeof msg - 1);
    (void)w;
    _exit(1);
}

static void note_write_error(FILE *f)
{
    if ((fflush(f) == EOF || ferror(f)) && !run_child->write_errno)
        run_child->write_errno = errno ? errno : EIO;
}

/* exit() from the called code: flush what it printed, then end the child
 * without the parent's exit handlers (nor a leak check of its memory). */
static void on_child_exit(int status, void *arg)
{
    (void)arg;
    note_write_error(stdout);
    note_write_error(stderr);
    _exit(status);
}

/* Only 0, 1, 2 and the two given descriptors stay open. */
static void close_fds(int a, int b)
{
    int keep[2] = {a < b ? a : b, a < b ? b : a};
    unsigned lo = 3;
    for (int k = 0; k < 2; k++) {
        if (keep[k] < (int)lo)
            continue;
        if (keep[k] > (int)lo)
            close_range(lo, (unsigned)keep[k] - 1, 0);
        lo = (unsigned)keep[k] + 1;
    }
    if (close_range(lo, ~0U, 0) == 0)
        return;
    long max = sysconf(_SC_OPEN_MAX);
    for (long fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
        if (fd != a && fd != b)
            close((int)fd);
}

static _Noreturn void child_main(const run_batch *b, child_state *sh, int alive_fd, pid_t parent)
{
    run_child = sh;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(0);
    run_guard_tainted = 0;
    on_exit(on_child_exit, NULL);
    if (b->sandbox) {
        close_fds(alive_fd, b->keep_fd);
        char why[sizeof sh->msg];
        if (!run_sandbox_install(why, sizeof why)) {
            snprintf(sh->msg, sizeof sh->msg, "%s", why);
            sh->reason = CHILD_NO_SANDBOX;
            _exit(0);
        }
    }
    for (uint32_t i = sh->next; i < b->n; i++) {
        sh->cur = i;
        sh->item_start_ns = run_now_ns();
        sh->in_item = 1;
        bool ok = b->item(b->arg, i);
        note_write_error(stdout);
        note_write_error(stderr);
        sh->failed += !ok;
        sh->next = i + 1;
        sh->in_item = 0;
        if (run_guard_tainted && i + 1 < b->n) {
            sh->reason = CHILD_RESTART;
            _exit(0);
        }
    }
    sh->reason = CHILD_DONE;
    _exit(0);
}

/* ---- the parent --------------------------------------------------------------- */

static volatile sig_atomic_t sigint_seen;
static int64_t sigint_ns;

static void parent_sigint(int sig)
{
    (void)sig;
    if (!sigint_seen)
        sigint_ns = run_now_ns();
    sigint_seen = 1;
}

/* Wait for the child; kill it when the watchdog says so (*killed_for: the
 * status the item gets then).  alive_fd reaches EOF when the child is gone. */
static int wait_child(pid_t pid, int alive_fd, const run_batch *b, const child_state *sh,
                      int *killed_for)
{
    double grace = b->grace > 0 ? b->grace : 1.0;
    int64_t limit = b->timeout > 0 ? (int64_t)((b->timeout + grace + 2) * 1e9) : 0;
    int64_t int_limit = (int64_t)((grace + 1) * 1e9);
    bool eof = false;
    for (;;) {
        int status = 0;
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            return status;
        if (w < 0 && errno != EINTR)
            return 0;
        int64_t now = run_now_ns();
        if (!*killed_for) {
            if (limit && sh->in_item && now - sh->item_start_ns > limit) {
                kill(pid, SIGKILL);
                *killed_for = RUN_TIMEOUT;
            } else if (b->interrupt && sigint_seen && now - sigint_ns > int_limit) {
                kill(pid, SIGKILL);
                *killed_for = RUN_INTERRUPTED;
            }
        }
        struct pollfd pf = {.fd = alive_fd, .events = POLLIN};
        if (eof) {
            poll(NULL, 0, 1);       /* gone, not yet a zombie: a moment */
        } else if (poll(&pf, 1, 50) > 0) {
            char c[64];
            eof = read(alive_fd, c, sizeof c) <= 0;
        }
    }
}

static void describe(run_outcome *oc, const child_state *sh, int status, int killed_for,
                     const run_batch *b)
{
    memset(oc, 0, sizeof *oc);
    oc->status = RUN_ENDED;
    char nb[32];
    if (killed_for) {
        oc->status = (run_status)killed_for;
        snprintf(oc->msg, sizeof oc->msg, "%s (the process running the call did not answer: "
                 "it was killed)", killed_for == RUN_TIMEOUT ? "timeout" : "interrupted");
    } else if (sh->reason == CHILD_STUCK) {
        oc->status = sh->detail == RUN_INTERRUPTED ? RUN_INTERRUPTED : RUN_TIMEOUT;
        snprintf(oc->msg, sizeof oc->msg, "%s (in host code, which cannot be interrupted "
                 "safely: the process running the call was ended)",
                 oc->status == RUN_TIMEOUT ? "timeout" : "interrupted");
    } else if (sh->reason == CHILD_BLOCKED) {
        snprintf(oc->msg, sizeof oc->msg, "sandbox: %s blocked (run with --no-sandbox to allow)",
                 run_syscall_name(sh->detail, nb, sizeof nb));
    } else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS && b->sandbox) {
        /* blocked with SIGSYS masked, as posix_spawn (system, popen) and
         * pthread_create mask every signal around their clone: the kernel
         * ends the process */
        snprintf(oc->msg, sizeof oc->msg, "sandbox: a system call was blocked with signals "
                 "masked, as system(), posix_spawn() and pthread_create() start processes "
                 "and threads (run with --no-sandbox to allow)");
    } else if (WIFEXITED(status)) {
        snprintf(oc->msg, sizeof oc->msg, "the called code ended the process with status %d",
                 WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        const char *a = sigabbrev_np(WTERMSIG(status));
        if (a)
            snprintf(oc->msg, sizeof oc->msg, "the called code ended the process with SIG%s", a);
        else
            snprintf(oc->msg, sizeof oc->msg, "the called code ended the process with signal %d",
                     WTERMSIG(status));
    } else {
        snprintf(oc->msg, sizeof oc->msg, "the process running the call ended");
    }
}

bool run_batch_run(const run_batch *b, run_batch_result *r)
{
    memset(r, 0, sizeof *r);
    if (!b->n)
        return true;
    long pg = sysconf(_SC_PAGESIZE);
    size_t size = (sizeof(child_state) + (size_t)(pg > 0 ? pg : 4096) - 1) & ~(size_t)((pg > 0 ? pg : 4096) - 1);
    child_state *sh = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) {
        snprintf(r->error, sizeof r->error, "cannot map memory for the child process: %s",
                 strerror(errno));
        return false;
    }
    memset(sh, 0, sizeof *sh);
    struct sigaction old_int, sa = {.sa_handler = parent_sigint};
    sigemptyset(&sa.sa_mask);
    if (b->interrupt) {
        sigint_seen = 0;
        sigaction(SIGINT, &sa, &old_int);
    }
    bool ok = true;
    unsigned stalls = 0;
    while (ok && sh->next < b->n) {
        uint32_t first = sh->next;
        sh->reason = CHILD_RUNNING;
        sh->in_item = 0;
        sh->detail = 0;
        int p[2];
        if (pipe2(p, O_CLOEXEC) != 0) {
            snprintf(r->error, sizeof r->error, "cannot make a pipe: %s", strerror(errno));
            ok = false;
            break;
        }
        fflush(NULL);
        pid_t parent = getpid();
        pid_t pid = run_fork();
        if (pid == 0) {
            close(p[0]);
            child_main(b, sh, p[1], parent);
        }
        close(p[1]);
        if (pid < 0) {
            close(p[0]);
            snprintf(r->error, sizeof r->error, "cannot start a process for the calls: %s",
                     strerror(errno));
            ok = false;
            break;
        }
        int killed_for = 0;
        int status = wait_child(pid, p[0], b, sh, &killed_for);
        close(p[0]);
        r->failed += sh->failed;
        sh->failed = 0;
        if (sh->write_errno && !r->write_errno)
            r->write_errno = sh->write_errno;
        if (sh->reason == CHILD_DONE)
            break;
        if (sh->reason == CHILD_NO_SANDBOX) {
            snprintf(r->error, sizeof r->error, "%s", sh->msg);
            ok = false;
            break;
        }
        if (!sh->in_item) {
            /* between items (a restart after a fault in host code, or a
             * death outside the calls): go on, unless it makes no progress */
            if (sh->next == first && ++stalls >= 2) {
                run_outcome oc;
                describe(&oc, sh, status, killed_for, b);
                snprintf(r->error, sizeof r->error, "the process running the calls ended "
                         "before it could run them (%.180s)", oc.msg);
                ok = false;
            }
            continue;
        }
        stalls = 0;
        uint32_t i = sh->cur >= sh->next && sh->cur < b->n ? sh->cur : sh->next;
        run_outcome oc;
        describe(&oc, sh, status, killed_for, b);
        r->failed++;
        r->ended++;
        b->ended(b->arg, i, &oc);
        sh->next = i + 1;
        if (b->interrupt)
            sigint_seen = 0;
    }
    if (b->interrupt)
        sigaction(SIGINT, &old_int, NULL);
    r->next = sh->next < b->n ? sh->next : b->n;
    munmap(sh, size);
    return ok;
}
