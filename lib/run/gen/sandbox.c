/* lib/run/gen/sandbox.c: writes the sandbox's seccomp filter (run.h says
 * what it allows and why) as a C table, for lib/run/sandbox.c.
 *
 * Usage: sandbox ARCH >sandbox_bpf.h   (ARCH: a libseccomp name, x86_64, aarch64)
 *
 * Built and run on the build machine, for the target's ARCH.  libseccomp
 * compiles the rules here once, not at every start: at run time that took
 * 1.2 million instructions and 30 page faults, most of a small file's run.
 * The system calls are tested in a binary tree (SCMP_FLTATR_CTL_OPTIMIZE):
 * the kernel runs the filter once for every system call number when it
 * installs it (to cache the ones always allowed), and over a linear chain
 * of tests that took 515,000 cycles (245 us on a VM), 280,000 so.
 * The filter is an allowlist: any system call not named, or named with
 * arguments that do not match, raises SIGSYS without running
 * (SCMP_ACT_TRAP); a call of another ABI (int 0x80, x32) kills the process.
 * The one value known only at run time, the process's id (kill and tgkill
 * to this process only), is found by compiling twice with two ids: the
 * instructions that differ, and only in those ids, are listed for
 * sandbox.c to fill in. */
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <termios.h>
#include <unistd.h>
#include <linux/filter.h>

static uint32_t arch;
static scmp_datum_t o_tmpfile;  /* the target's __O_TMPFILE: it holds O_DIRECTORY */
static scmp_filter_ctx ctx;

/* A rule for NAME.  libseccomp takes the build machine's number (or its
 * own for a call the build machine has not) and translates it for the
 * target; a call the target has not (open, stat, alarm on AArch64) gets
 * no rule there. */
static void allow(const char *name, unsigned ncmp, const struct scmp_arg_cmp *cmp)
{
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) {
        fprintf(stderr, "sandbox: libseccomp knows no system call %s\n", name);
        exit(1);
    }
    int rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, ncmp, cmp);
    if (rc < 0) {
        fprintf(stderr, "sandbox: the rule for %s: %s\n", name, strerror(-rc));
        exit(1);
    }
}

#define ALLOW0(name) allow(#name, 0, NULL)
#define ALLOW1(name, cmp) allow(#name, 1, (struct scmp_arg_cmp[]){cmp})

/* The flag and request values below but __O_TMPFILE are the same on
 * x86-64 and AArch64, so the build machine's headers serve either target. */
static void rules(uint32_t self)
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
    scmp_datum_t wr = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND | o_tmpfile;
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
    ALLOW1(kill, SCMP_A0(SCMP_CMP_EQ, self));
    ALLOW1(tgkill, SCMP_A0(SCMP_CMP_EQ, self));
    ALLOW1(tkill, SCMP_A0(SCMP_CMP_EQ, self));
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

/* The filter for process id SELF, into a memory file read back. */
static struct sock_filter *compile(uint32_t self, size_t *n)
{
    ctx = seccomp_init(SCMP_ACT_TRAP);
    if (!ctx || seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE) < 0 || seccomp_arch_add(ctx, arch) < 0 ||
        seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) < 0 ||
        seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0) {
        fprintf(stderr, "sandbox: cannot set up a libseccomp filter\n");
        exit(1);
    }
    rules(self);
    FILE *f = tmpfile();
    if (!f || seccomp_export_bpf(ctx, fileno(f)) < 0) {
        fprintf(stderr, "sandbox: cannot export the filter\n");
        exit(1);
    }
    seccomp_release(ctx);
    long size = lseek(fileno(f), 0, SEEK_END);
    struct sock_filter *v = malloc((size_t)size + 1);
    if (size <= 0 || size % sizeof *v || pread(fileno(f), v, (size_t)size, 0) != size) {
        fprintf(stderr, "sandbox: cannot read the filter back\n");
        exit(1);
    }
    fclose(f);
    *n = (size_t)size / sizeof *v;
    return v;
}

int main(int argc, char **argv)
{
    if (argc != 2 || !(arch = seccomp_arch_resolve_name(argv[1]))) {
        fprintf(stderr, "usage: sandbox ARCH (x86_64, aarch64)\n");
        return 2;
    }
    if (arch == SCMP_ARCH_X86_64)
        o_tmpfile = 020200000;
    else if (arch == SCMP_ARCH_AARCH64)
        o_tmpfile = 020040000;
    else {
        fprintf(stderr, "sandbox: %s: its __O_TMPFILE is not known here\n", argv[1]);
        return 2;
    }
    /* The output must not depend on the build machine's kernel: libseccomp
     * would otherwise ask it whether SCMP_ACT_KILL_PROCESS exists (4.14 on,
     * which the run-time check of SECCOMP_RET_TRAP's kernels all have). */
    seccomp_api_set(3);
    const uint32_t a = 0x5eed1, b = 0x2badd;
    size_t n, m;
    struct sock_filter *x = compile(a, &n), *y = compile(b, &m);
    if (n != m || n > BPF_MAXINSNS) {
        fprintf(stderr, "sandbox: the filter's shape depends on the process id\n");
        return 1;
    }
    printf("/* generated by lib/run/gen/sandbox.c for %s with libseccomp %u.%u.%u: do not edit */\n",
           argv[1], seccomp_version()->major, seccomp_version()->minor, seccomp_version()->micro);
    printf("#define SANDBOX_ARCH_%s 1\n", argv[1]);
    printf("static const struct sock_filter sandbox_bpf[%zu] = {\n", n);
    for (size_t i = 0; i < n; i++)
        printf("    {0x%04x, %u, %u, 0x%08x},\n", x[i].code, x[i].jt, x[i].jf, x[i].k);
    printf("};\n/* the instructions whose k is the process id */\nstatic const unsigned short sandbox_bpf_pid[] = {");
    unsigned npid = 0;
    for (size_t i = 0; i < n; i++) {
        if (!memcmp(&x[i], &y[i], sizeof x[i]))
            continue;
        if (x[i].code != y[i].code || x[i].jt != y[i].jt || x[i].jf != y[i].jf || x[i].k != a || y[i].k != b) {
            fprintf(stderr, "sandbox: instruction %zu differs in more than the process id\n", i);
            return 1;
        }
        printf("%s%zu", npid++ ? ", " : "", i);
    }
    printf("};\n");
    /* kill's, tgkill's and tkill's tests of the id are one block, shared */
    if (!npid) {
        fprintf(stderr, "sandbox: no instruction holds the process id\n");
        return 1;
    }
    return 0;
}
