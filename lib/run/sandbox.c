/* lib/run/sandbox.c: the seccomp filter that called code runs under (see
 * run.h for what it allows and why).  An allowlist: any system call not
 * named here, or named with arguments that do not match, raises SIGSYS
 * without running (SECCOMP_RET_TRAP); the handler reports it and ends the
 * process.  A system call of another ABI (int 0x80, x32) kills it.
 *
 * The classic BPF program is built here from the table below: a block per
 * call, in table order, each rule returning ALLOW when it matches.  (It
 * was libseccomp's: loading and running that library was most of the
 * start-up of a one-function file.) */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#ifndef __O_TMPFILE
#define __O_TMPFILE 0
#endif
#ifndef SECCOMP_GET_ACTION_AVAIL
#define SECCOMP_GET_ACTION_AVAIL 2
#endif
#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the filter reads each argument's low word first: little-endian only"
#endif
#if defined(__x86_64__)
#define AUDIT_ARCH_NATIVE AUDIT_ARCH_X86_64
#define X32_BIT 0x40000000U     /* x32 calls share the arch; ours are below */
#elif defined(__aarch64__)
#define AUDIT_ARCH_NATIVE AUDIT_ARCH_AARCH64
#else
#error "the sandbox knows x86-64 and AArch64"
#endif
#ifndef SYS_open    /* AArch64 has only the *at forms: these never match */
#define SYS_open -1
#define SYS_creat -1
#define SYS_unlink -1
#define SYS_rename -1
#define SYS_mkdir -1
#define SYS_rmdir -1
#define SYS_link -1
#define SYS_symlink -1
#define SYS_chmod -1
#define SYS_chown -1
#define SYS_fork -1
#define SYS_vfork -1
#define SYS_stat -1
#define SYS_lstat -1
#define SYS_access -1
#define SYS_readlink -1
#define SYS_pipe -1
#define SYS_poll -1
#define SYS_select -1
#define SYS_dup2 -1
#define SYS_alarm -1
#define SYS_time -1
#endif

/* Names of the calls a file is likely to try, for a report from the
 * signal handler (no allocation there); others are looked up later. */
#define NAMED(X) X(execve) X(execveat) X(fork) X(vfork) X(clone) X(clone3) X(socket) \
    X(socketpair) X(connect) X(bind) X(listen) X(accept) X(accept4) X(sendto) X(sendmsg) \
    X(ptrace) X(open) X(openat) X(openat2) X(creat) X(truncate) X(ftruncate) X(unlink) \
    X(unlinkat) X(rename) X(renameat) X(renameat2) X(mkdir) X(mkdirat) X(rmdir) X(link) \
    X(linkat) X(symlink) X(symlinkat) X(chmod) X(fchmod) X(fchmodat) X(chown) X(fchown) \
    X(fchownat) X(mmap) X(mprotect) X(pkey_mprotect) X(ioctl) X(kill) X(tgkill) X(tkill) \
    X(prctl) X(seccomp) X(rt_sigaction) X(prlimit64) X(memfd_create) X(io_uring_setup) \
    X(process_vm_writev) X(mount) X(chdir) X(setuid) X(setgid) X(bpf)
static const struct { int nr; const char *name; } named[] = {
#define N(s) {SYS_##s, #s},
    NAMED(N)
#undef N
};

/* A name for any other call: libseccomp's table, when the library is
 * there (loaded only for such a report, in the parent). */
const char *run_syscall_name(long nr, char *buf, size_t n)
{
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (named[i].nr == nr)
            return named[i].name;
    snprintf(buf, n, "syscall %ld", nr);
    void *h = dlopen("libseccomp.so.2", RTLD_LAZY | RTLD_LOCAL);
    char *(*resolve)(uint32_t, int) = h ? (char *(*)(uint32_t, int))dlsym(h, "seccomp_syscall_resolve_num_arch") : NULL;
    char *s = resolve ? resolve(0 /* SCMP_ARCH_NATIVE */, (int)nr) : NULL;
    if (s)
        snprintf(buf, n, "%s", s);
    free(s);
    if (h)
        dlclose(h);
    return buf;
}

/* SIGSYS: a blocked call.  It did not run; the process ends here. */
static void on_sigsys(int sig, siginfo_t *si, void *uctx)
{
    (void)sig, (void)uctx;
    int nr = si->si_syscall;
    if (run_child) {
        run_child->detail = nr;
        run_child->reason = CHILD_BLOCKED;
        _exit(0);
    }
    if (run_expendable)
        _exit(RUN_EXPENDABLE_EXIT);
    char msg[160] = "clifrun: sandbox: ";
    const char *name = NULL;
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (named[i].nr == nr)
            name = named[i].name;
    size_t k = strlen(msg);
    if (name) {
        size_t l = strlen(name);
        memcpy(msg + k, name, l);
        k += l;
    } else {
        static const char sc[] = "a system call";
        memcpy(msg + k, sc, sizeof sc - 1);
        k += sizeof sc - 1;
    }
    static const char tail[] = " blocked (run with --no-sandbox to allow)\n";
    memcpy(msg + k, tail, sizeof tail - 1);
    k += sizeof tail - 1;
    ssize_t w = write(2, msg, k);
    (void)w;
    _exit(1);
}

bool run_sandbox_supported(char *why, size_t n)
{
    unsigned action = SECCOMP_RET_TRAP;
    if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0)
        return true;
    snprintf(why, n, "seccomp: %s", strerror(errno));
    return false;
}

/* ---- the rules --------------------------------------------------------------- */

/* ANY: the call runs whatever its arguments.  EQ: argument arg is v, all
 * 64 bits.  NOT32: its low 32 bits are not v (an int: the kernel reads
 * no more).  CLEAR32: the bits of v are clear in its low 32 (flags the
 * kernel reads as an int or from the low word).  SELF: it is our pid. */
enum { ANY, EQ, NOT32, CLEAR32, SELF };
typedef struct rule { int nr; uint8_t kind, arg; uint64_t v; } rule;

#define A(name) {SYS_##name, ANY, 0, 0}
#define WRITE_FLAGS (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND | __O_TMPFILE)
static const rule rules[] = {
    /* reading, and writing to what is open */
    A(read), A(readv), A(pread64), A(preadv), A(write), A(writev), A(pwrite64), A(pwritev),
    A(lseek), A(close), A(close_range), A(dup), A(dup2), A(dup3), A(fcntl), A(pipe), A(pipe2),
    A(poll), A(ppoll), A(select), A(pselect6), A(fstat), A(newfstatat), A(stat), A(lstat),
    A(statx), A(fstatfs), A(statfs), A(access), A(faccessat), A(faccessat2), A(readlink),
    A(readlinkat), A(getcwd), A(getdents64), A(fsync), A(fdatasync),
    /* opening for reading only: no write access, no creating, no truncating */
    {SYS_openat, CLEAR32, 2, WRITE_FLAGS}, {SYS_open, CLEAR32, 1, WRITE_FLAGS},
    /* terminal queries (isatty), never TIOCSTI's typing into the terminal */
    {SYS_ioctl, EQ, 1, TCGETS}, {SYS_ioctl, EQ, 1, TIOCGWINSZ},
    /* memory, never writable and executable at once */
    {SYS_mmap, CLEAR32, 2, PROT_WRITE}, {SYS_mmap, CLEAR32, 2, PROT_EXEC},
    {SYS_mprotect, CLEAR32, 2, PROT_WRITE}, {SYS_mprotect, CLEAR32, 2, PROT_EXEC},
    A(munmap), A(mremap), A(brk), A(madvise), A(msync),
    /* signals, to this process only; SIGSYS stays ours */
    {SYS_rt_sigaction, NOT32, 0, SIGSYS}, A(rt_sigprocmask), A(rt_sigreturn), A(sigaltstack),
    A(rt_sigpending), A(rt_sigsuspend), A(rt_sigtimedwait), A(restart_syscall),
    {SYS_kill, SELF, 0, 0}, {SYS_tgkill, SELF, 0, 0}, {SYS_tkill, SELF, 0, 0},
    /* time and timers (the guard's among them) */
    A(clock_gettime), A(clock_getres), A(clock_nanosleep), A(nanosleep), A(gettimeofday),
    A(time), A(timer_create), A(timer_settime), A(timer_gettime), A(timer_delete),
    A(timer_getoverrun), A(getitimer), A(setitimer), A(alarm), A(times),
    /* what the process may know of itself */
    A(getpid), A(gettid), A(getppid), A(getuid), A(geteuid), A(getgid), A(getegid),
    A(getresuid), A(getresgid), A(getrlimit), {SYS_prlimit64, EQ, 2, 0}, A(getrusage),
    A(sysinfo), A(uname), A(getrandom), A(sched_getaffinity), A(sched_yield),
    /* libc's own */
    A(futex), A(set_robust_list), A(rseq), A(set_tid_address), A(exit), A(exit_group),
};
#undef A

#define NRULES (sizeof rules / sizeof rules[0])
#define MAX_INSNS (8 + 2 * NRULES + 5 * NRULES)
#define ARG_LO(i) (uint32_t)(offsetof(struct seccomp_data, args) + 8 * (i))
#define ARG_HI(i) (ARG_LO(i) + 4)

typedef struct prog { struct sock_filter *v; unsigned n; } prog;

static void emit(prog *p, uint16_t code, uint32_t k, uint8_t jt, uint8_t jf)
{
    p->v[p->n++] = (struct sock_filter)BPF_JUMP(code, k, jt, jf);
}

/* One rule of a call's block: ALLOW when it holds, else on to the next
 * instruction after it. */
static void emit_rule(prog *p, const rule *r, uint32_t self)
{
    uint64_t v = r->kind == SELF ? self : r->v;
    switch (r->kind) {
    case ANY:
        break;
    case EQ:
    case SELF:
        emit(p, BPF_LD | BPF_W | BPF_ABS, ARG_HI(r->arg), 0, 0);
        emit(p, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(v >> 32), 0, 3);
        emit(p, BPF_LD | BPF_W | BPF_ABS, ARG_LO(r->arg), 0, 0);
        emit(p, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)v, 0, 1);
        break;
    case NOT32:
        emit(p, BPF_LD | BPF_W | BPF_ABS, ARG_LO(r->arg), 0, 0);
        emit(p, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)v, 1, 0);
        break;
    case CLEAR32:
        emit(p, BPF_LD | BPF_W | BPF_ABS, ARG_LO(r->arg), 0, 0);
        emit(p, BPF_JMP | BPF_JSET | BPF_K, (uint32_t)v, 1, 0);
        break;
    }
    emit(p, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
}

/* The program: the architecture; then the calls that run whatever their
 * arguments, each a jump to one ALLOW after them; then a block per call
 * with rules (its rules in table order, then TRAP); then TRAP for every
 * call not named.  (Classic BPF jumps forward at most 255 instructions:
 * the first kind comes in groups of up to 255.) */
static void build(prog *p, uint32_t self)
{
    emit(p, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch), 0, 0);
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_NATIVE, 1, 0);
    emit(p, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS, 0, 0);
    emit(p, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr), 0, 0);
#ifdef X32_BIT
    emit(p, BPF_JMP | BPF_JGE | BPF_K, X32_BIT, 0, 1);
    emit(p, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS, 0, 0);
#endif
    unsigned group = p->n;
    for (unsigned i = 0; i < NRULES; i++) {
        if (rules[i].kind != ANY || rules[i].nr < 0)
            continue;
        if (p->n - group == 255) {  /* close the group: past its ALLOW, on */
            emit(p, BPF_JMP | BPF_JA, 1, 0, 0);
            for (unsigned k = group; k < p->n - 1; k++)
                p->v[k].jt = (uint8_t)(p->n - k - 1);
            emit(p, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
            group = p->n;
        }
        emit(p, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)rules[i].nr, 0, 0);
    }
    for (unsigned k = group; k < p->n; k++)
        p->v[k].jt = (uint8_t)(p->n - k);
    emit(p, BPF_JMP | BPF_JA, 1, 0, 0);
    emit(p, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
    bool done[NRULES] = {false};
    for (unsigned i = 0; i < NRULES; i++) {
        if (done[i] || rules[i].kind == ANY || rules[i].nr < 0)
            continue;
        unsigned at = p->n;
        emit(p, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)rules[i].nr, 0, 0);
        for (unsigned j = i; j < NRULES; j++)
            if (rules[j].nr == rules[i].nr) {
                emit_rule(p, &rules[j], self);
                done[j] = true;
            }
        emit(p, BPF_RET | BPF_K, SECCOMP_RET_TRAP, 0, 0);
        p->v[at].jf = (uint8_t)(p->n - at - 1);     /* past the block: a few rules */
    }
    emit(p, BPF_RET | BPF_K, SECCOMP_RET_TRAP, 0, 0);
}

bool run_sandbox_install(char *why, size_t n)
{
    struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSYS, &sa, NULL) != 0) {
        snprintf(why, n, "cannot catch SIGSYS: %s", strerror(errno));
        return false;
    }
    sigset_t sys;
    sigemptyset(&sys);
    sigaddset(&sys, SIGSYS);
    sigprocmask(SIG_UNBLOCK, &sys, NULL);
    struct sock_filter insns[MAX_INSNS];
    prog p = {insns, 0};
    build(&p, (uint32_t)getpid());
    struct sock_fprog fp = {.len = (unsigned short)p.n, .filter = insns};
    /* no_new_privs first: nothing can gain privileges after */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) != 0) {
        snprintf(why, n, "the kernel refused the seccomp filter: %s", strerror(errno));
        return false;
    }
    return true;
}
