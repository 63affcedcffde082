/* lib/run/sandbox.c: the seccomp filter that called code runs under (see
 * run.h for what it allows and why).  An allowlist, compiled by libseccomp
 * when clifrun is built (lib/run/gen/sandbox.c, which holds the rules):
 * any system call not named there, or named with arguments that do not
 * match, raises SIGSYS without running (SCMP_ACT_TRAP); the handler here
 * reports it and ends the process.  A system call of another ABI (int
 * 0x80, x32) kills it. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "internal.h"

#include <errno.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "sandbox_bpf.h"      /* $(BUILD)/gen: sandbox_bpf, sandbox_bpf_pid */
#if defined(__x86_64__) && !defined(SANDBOX_ARCH_x86_64) || defined(__aarch64__) && !defined(SANDBOX_ARCH_aarch64)
#error "sandbox_bpf.h was generated for another architecture"
#endif

#ifndef SECCOMP_GET_ACTION_AVAIL
#define SECCOMP_GET_ACTION_AVAIL 2
#endif
#ifndef SECCOMP_RET_TRAP
#define SECCOMP_RET_TRAP 0x00030000U
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
#define N(s) {SCMP_SYS(s), #s},
    NAMED(N)
#undef N
};

const char *run_syscall_name(long nr, char *buf, size_t n)
{
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (named[i].nr == nr)
            return named[i].name;
    char *s = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, (int)nr);
    if (s)
        snprintf(buf, n, "%s", s);
    else
        snprintf(buf, n, "syscall %ld", nr);
    free(s);
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

bool run_func_confined(const ir_function *f)
{
    for (uint32_t i = 0; i < f->insts.n; i++) {
        unsigned op = f->insts.v[i].op;
        if (ir_opcodes[op].flags & (IR_OPF_CAN_STORE | IR_OPF_SIDE_EFFECT))
            return false;
        if ((ir_opcodes[op].flags & IR_OPF_CALL) && op != IR_OP_call && op != IR_OP_return_call &&
            op != IR_OP_try_call)
            return false;       /* through a pointer */
    }
    return true;
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
    struct sock_filter f[sizeof sandbox_bpf / sizeof sandbox_bpf[0]];
    memcpy(f, sandbox_bpf, sizeof f);
    uint32_t self = (uint32_t)getpid();
    for (size_t i = 0; i < sizeof sandbox_bpf_pid / sizeof sandbox_bpf_pid[0]; i++)
        f[sandbox_bpf_pid[i]].k = self;
    struct sock_fprog prog = {.len = sizeof f / sizeof f[0], .filter = f};
    /* no_new_privs first, as the kernel requires of an unprivileged
     * filter: nothing can gain privileges after */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
        snprintf(why, n, "the kernel refused the seccomp filter: %s", strerror(errno));
        return false;
    }
    return true;
}
