/* lib/run/sandbox.c: the seccomp filter that called code runs under (see
 * run.h for what it allows and why).  An allowlist: any system call not
 * named here, or named with arguments that do not match, raises SIGSYS
 * without running (SCMP_ACT_TRAP); the handler reports it and ends the
 * process.  A system call of another ABI (int 0x80, x32) kills it. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
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

static int allow(scmp_filter_ctx c, int nr, unsigned ncmp, const struct scmp_arg_cmp *cmp)
{
    return seccomp_rule_add_array(c, SCMP_ACT_ALLOW, nr, ncmp, cmp);
}

#define ALLOW0(name) allow(c, SCMP_SYS(name), 0, NULL)
#define ALLOW1(name, cmp) allow(c, SCMP_SYS(name), 1, (struct scmp_arg_cmp[]){cmp})

static void rules(scmp_filter_ctx c)
{
    /* reading, and writing to what is open */
    ALLOW0(read), ALLOW0(readv), ALLOW0(pread64), ALLOW0(preadv), ALLOW0(write);
    ALLOW0(writev), ALLOW0(pwrite64), ALLOW0(pwritev), ALLOW0(lseek), ALLOW0(close);
    ALLOW0(close_range), ALLOW0(dup), ALLOW0(dup2), ALLOW0(dup3), ALLOW0(fcntl), ALLOW0(pipe);
    ALLOW0(pipe2), ALLOW0(poll), ALLOW0(ppoll), ALLOW0(select), ALLOW0(pselect6);
    ALLOW0(fstat), ALLOW0(newfstatat), ALLOW0(stat), ALLOW0(lstat), ALLOW0(statx);
    ALLOW0(fstatfs), ALLOW0(statfs), ALLOW0(access), ALLOW0(faccessat), ALLOW0(faccessat2);
    ALLOW0(readlink), ALLOW0(readlinkat), ALLOW0(getcwd), ALLOW0(getdents64), ALLOW0(fsync);
    ALLOW0(fdatasync);
    /* opening for reading only: no write access, no creating, no truncating */
    scmp_datum_t wr = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND | __O_TMPFILE;
    ALLOW1(openat, SCMP_A2(SCMP_CMP_MASKED_EQ, wr, 0));
    ALLOW1(open, SCMP_A1(SCMP_CMP_MASKED_EQ, wr, 0));
    /* terminal queries (isatty), never TIOCSTI's typing into the terminal */
    ALLOW1(ioctl, SCMP_A1(SCMP_CMP_EQ, TCGETS));
    ALLOW1(ioctl, SCMP_A1(SCMP_CMP_EQ, TIOCGWINSZ));
    /* memory, never writable and executable at once */
    ALLOW1(mmap, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_WRITE, 0));
    ALLOW1(mmap, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
    ALLOW1(mprotect, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_WRITE, 0));
    ALLOW1(mprotect, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
    ALLOW0(munmap), ALLOW0(mremap), ALLOW0(brk), ALLOW0(madvise), ALLOW0(msync);
    /* signals, to this process only; SIGSYS stays ours.  The kernel reads
     * the number as an int while libseccomp compares 64 bits (a NE would
     * pass SIGSYS | 1 << 32), so the allowed numbers are listed as ranges
     * with the high word zero: below SIGSYS, 32..63, 64. */
    _Static_assert(SIGSYS == 31, "the ranges below assume SIGSYS is 31");
    ALLOW1(rt_sigaction, SCMP_A0(SCMP_CMP_LT, SIGSYS));
    ALLOW1(rt_sigaction, SCMP_A0(SCMP_CMP_MASKED_EQ, ~(scmp_datum_t)31, 32));
    ALLOW1(rt_sigaction, SCMP_A0(SCMP_CMP_EQ, 64));
    ALLOW0(rt_sigprocmask), ALLOW0(rt_sigreturn), ALLOW0(sigaltstack), ALLOW0(rt_sigpending);
    ALLOW0(rt_sigsuspend), ALLOW0(rt_sigtimedwait), ALLOW0(restart_syscall);
    pid_t self = getpid();
    ALLOW1(kill, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)self));
    ALLOW1(tgkill, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)self));
    ALLOW1(tkill, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)self));
    /* time and timers (the guard's among them) */
    ALLOW0(clock_gettime), ALLOW0(clock_getres), ALLOW0(clock_nanosleep), ALLOW0(nanosleep);
    ALLOW0(gettimeofday), ALLOW0(time), ALLOW0(timer_create), ALLOW0(timer_settime);
    ALLOW0(timer_gettime), ALLOW0(timer_delete), ALLOW0(timer_getoverrun), ALLOW0(getitimer);
    ALLOW0(setitimer), ALLOW0(alarm), ALLOW0(times);
    /* what the process may know of itself */
    ALLOW0(getpid), ALLOW0(gettid), ALLOW0(getppid), ALLOW0(getuid), ALLOW0(geteuid);
    ALLOW0(getgid), ALLOW0(getegid), ALLOW0(getresuid), ALLOW0(getresgid), ALLOW0(getrlimit);
    ALLOW1(prlimit64, SCMP_A2(SCMP_CMP_EQ, 0));
    ALLOW0(getrusage), ALLOW0(sysinfo), ALLOW0(uname), ALLOW0(getrandom);
    ALLOW0(sched_getaffinity), ALLOW0(sched_yield);
    /* libc's own */
    ALLOW0(futex), ALLOW0(set_robust_list), ALLOW0(rseq), ALLOW0(set_tid_address);
    ALLOW0(exit), ALLOW0(exit_group);
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
    scmp_filter_ctx c = seccomp_init(SCMP_ACT_TRAP);
    if (!c) {
        snprintf(why, n, "seccomp_init failed");
        return false;
    }
    seccomp_attr_set(c, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    rules(c);
    int rc = seccomp_load(c);   /* sets no_new_privs: nothing can gain privileges after */
    seccomp_release(c);
    if (rc < 0) {
        snprintf(why, n, "the kernel refused the seccomp filter: %s", strerror(-rc));
        return false;
    }
    return true;
}
