/* Calls the functions of traps.clif; each trap is caught and reported as
 * "SIGNAL at %FUNCTION+0xOFFSET" (pc - the function's address). */
#define _GNU_SOURCE
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

int32_t udiv(int32_t, int32_t);
int64_t sdiv(int64_t, int64_t);
int32_t to_int(float);
int32_t load(const int32_t *);
int32_t user_trapz(int32_t);

static sigjmp_buf env;
static volatile uintptr_t fault_pc;
static volatile int fault_sig;

static void handler(int sig, siginfo_t *si, void *uc_)
{
    ucontext_t *uc = uc_;
    (void)si;
#if defined(__x86_64__)
    fault_pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    fault_pc = (uintptr_t)uc->uc_mcontext.pc;
#endif
    fault_sig = sig;
    siglongjmp(env, 1);
}

#define CALL(fn, fmt, ...)                                                           \
    do {                                                                             \
        printf("%s(%s): ", #fn, #__VA_ARGS__);                                       \
        fflush(stdout);                                                              \
        if (sigsetjmp(env, 1) == 0)                                                  \
            printf(fmt "\n", fn(__VA_ARGS__));                                       \
        else                                                                         \
            printf("%s at %%%s+0x%lx\n", fault_sig == SIGILL ? "SIGILL"              \
                   : fault_sig == SIGSEGV ? "SIGSEGV" : fault_sig == SIGFPE ? "SIGFPE" \
                   : fault_sig == SIGTRAP ? "SIGTRAP" : "SIGBUS", #fn,                \
                   (unsigned long)(fault_pc - (uintptr_t)fn));                       \
    } while (0)

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    int sigs[] = {SIGILL, SIGSEGV, SIGFPE, SIGTRAP, SIGBUS};
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
    int32_t x = 42;
    CALL(udiv, "%d", 7, 2);
    CALL(udiv, "%d", 5, 0);
    CALL(sdiv, "%" PRId64, INT64_MIN, -1);
    CALL(sdiv, "%" PRId64, 1, 0);
    CALL(sdiv, "%" PRId64, -9, 2);
    CALL(to_int, "%d", 0.0f / 0.0f);
    CALL(to_int, "%d", 0x1p31f);
    CALL(to_int, "%d", -2.5f);
    CALL(load, "%d", &x);
    CALL(load, "%d", NULL);
    CALL(user_trapz, "%d", 1);
    CALL(user_trapz, "%d", 0);
    return 0;
}
