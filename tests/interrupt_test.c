/* tests/interrupt_test.c: the interrupt storm.  JIT-compiled loops that
 * spend most of their time in host code — malloc/free, stdio (fputs,
 * fprintf, snprintf) — are interrupted a thousand times at random moments,
 * by their timeout and by SIGINT.  Each interrupt must end its call in JIT
 * code (the pc it reports is JIT code), and after each, malloc, free and
 * stdio must still work in this process: no abort (a corrupted heap), no
 * deadlock (a lock left taken: a watchdog fails the test after 20 s
 * without progress), no hang.  Ends with "N passed, N failed". */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "filetest/filetest.h"
#include "reader/reader.h"
#include "verify/verify.h"

static int passed, failed;
#define CHECK(cond, ...)                                                            \
    do {                                                                            \
        if (cond) {                                                                 \
            passed++;                                                               \
        } else {                                                                    \
            failed++;                                                               \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                             \
            printf(__VA_ARGS__);                                                    \
            putchar('\n');                                                          \
        }                                                                           \
    } while (0)

static const char src[] =
    "function %churn(i64) -> i64 {\n"
    "    fn0 = %malloc(i64) -> i64\n"
    "    fn1 = %free(i64)\n"
    "block0(v0: i64):\n"
    "    jump block1\n"
    "block1:\n"
    "    v1 = call fn0(v0)\n"
    "    v2 = iadd_imm v0, 3\n"
    "    v3 = call fn0(v2)\n"
    "    call fn1(v1)\n"
    "    call fn1(v3)\n"
    "    jump block1\n"
    "}\n"
    /* fputs(s, f); fprintf(f, s, n); snprintf(buf, 64, s, n) forever:
     * s is "%d\n" (0x0a6425) on the stack */
    "function %print(i64) -> i64 {\n"
    "    ss0 = explicit_slot 8\n"
    "    ss1 = explicit_slot 64\n"
    "    fn0 = %fputs(i64, i64) -> i32\n"
    "    fn1 = %fprintf(i64, i64, i32) -> i32\n"
    "    fn2 = %snprintf(i64, i64, i64, i32) -> i32\n"
    "block0(v0: i64):\n"
    "    v1 = iconst.i64 0x0a6425\n"
    "    stack_store v1, ss0\n"
    "    v2 = stack_addr.i64 ss0\n"
    "    v3 = stack_addr.i64 ss1\n"
    "    v4 = iconst.i64 64\n"
    "    jump block1(v4)\n"
    "block1(v5: i64):\n"
    "    v6 = call fn0(v2, v0)\n"
    "    v7 = ireduce.i32 v5\n"
    "    v8 = call fn1(v0, v2, v7)\n"
    "    v9 = call fn2(v3, v4, v2, v7)\n"
    "    v10 = iadd_imm v5, 1\n"
    "    jump block1(v10)\n"
    "}\n";

static volatile int progress;
static void *watchdog(void *p)
{
    (void)p;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);     /* Ctrl-C is the main thread's */
    for (int last = -1;;) {
        sleep(20);
        if (progress == last) {
            printf("FAIL interrupt_test: no progress for 20 s (a deadlock?) at round %d\n", last);
            printf("%d passed, %d failed\n", passed, failed + 1);
            fflush(stdout);
            _exit(1);
        }
        last = progress;
    }
    return NULL;
}

/* SIGINT at a random moment of the call, as a terminal's Ctrl-C (a timer
 * sends it to the process); again every millisecond until the call is
 * over (one that comes before the guard has taken SIGINT goes to
 * stray_sigint). */
static void stray_sigint(int sig)
{
    (void)sig;
}

static ir_data_value i64v(uint64_t x)
{
    ir_data_value v = {.type = IR_I64};
    memcpy(v.bytes, &x, 8);
    return v;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    int rounds = 1000;
    ir_file file;
    ir_diag d;
    bool ok = reader_parse_file(&file, "storm.clif", src, sizeof src - 1, &d);
    for (uint32_t i = 0; ok && i < file.funcs.n; i++)
        ok = ir_legacy_rewrite(file.funcs.v[i], &d) && verify_function(file.funcs.v[i], &d);
    cg_target t;
    char why[160];
    ok = ok && ft_target(&file, IR_NONE, JIT_ARCH_HOST, &t, why, sizeof why, &d) == FT_RUN;
    jit_error err;
    jit_ctx *ctx = ok ? ft_ctx_new(false, &err) : NULL;
    ft_module m;
    if (!ctx || !ft_module_build(&m, ctx, &file, &t, 0, &d)) {
        printf("FAIL interrupt_test: cannot build: %s\n", d.msg);
        printf("0 passed, 1 failed\n");
        return 1;
    }
    FILE *devnull = fopen("/dev/null", "w");
    struct sigaction sa = {.sa_handler = stray_sigint};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    timer_t ctrl_c;
    struct sigevent sev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGINT};
    if (timer_create(CLOCK_MONOTONIC, &sev, &ctrl_c) != 0) {
        printf("FAIL interrupt_test: timer_create\n0 passed, 1 failed\n");
        return 1;
    }
    pthread_t wd;
    pthread_create(&wd, NULL, watchdog, NULL);
    srand(12345);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int timeouts = 0, sigints = 0, not_in_code = 0, other = 0;
    double tsum[2][2] = {{0}};
    for (int k = 0; k < rounds; k++) {
        progress = k;
        uint32_t fn = (uint32_t)(k & 1);    /* churn, print */
        ir_data_value arg = fn == 0 ? i64v(16 + (uint64_t)(rand() % 4000))
                                    : i64v((uint64_t)(uintptr_t)devnull);
        ir_data_value res;
        run_outcome oc;
        run_status st;
        unsigned us = 200 + (unsigned)(rand() % 2800);   /* 0.2 to 3 ms */
        struct timespec r0, r1;
        clock_gettime(CLOCK_MONOTONIC, &r0);
        if (k % 4 < 2) {            /* the timeout */
            m.interruptible = false;
            st = ft_call(&m, fn, &arg, 1, &res, us * 1e-6, &oc);
            timeouts += st == RUN_TIMEOUT;
            other += st != RUN_TIMEOUT;
        } else {                    /* Ctrl-C */
            m.interruptible = true;
            struct itimerspec its = {{0, 1000 * 1000}, {0, (long)us * 1000}}, off = {{0, 0}, {0, 0}};
            timer_settime(ctrl_c, 0, &its, NULL);
            st = ft_call(&m, fn, &arg, 1, &res, 10, &oc);
            timer_settime(ctrl_c, 0, &off, NULL);
            sigints += st == RUN_INTERRUPTED;
            other += st != RUN_INTERRUPTED;
        }
        clock_gettime(CLOCK_MONOTONIC, &r1);
        tsum[k % 4 < 2][fn] += (double)(r1.tv_sec - r0.tv_sec) + (double)(r1.tv_nsec - r0.tv_nsec) * 1e-9;
        not_in_code += (st == RUN_TIMEOUT || st == RUN_INTERRUPTED) && !jit_pc_in_code(ctx, oc.pc);
        /* what an interrupt inside them would have broken */
        void *a = malloc(100 + (size_t)k), *b = malloc(5000);
        free(a);
        free(b);
        fprintf(devnull, "round %d\n", k);
        char buf[32];
        snprintf(buf, sizeof buf, "%d", k);
        fflush(devnull);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    CHECK(other == 0, "%d of %d calls did not end by their interrupt", other, rounds);
    CHECK(not_in_code == 0, "%d interrupts ended their call outside JIT code", not_in_code);
    CHECK(timeouts == rounds / 2 && sigints == rounds / 2, "%d timeouts, %d Ctrl-Cs", timeouts,
          sigints);
    printf("interrupt storm: %d rounds of malloc/free and stdio loops (%d timeouts, %d SIGINTs) "
           "in %.2f s, each ended in JIT code, the heap and stdio fine after\n", rounds, timeouts,
           sigints, secs);
    if (getenv("V"))
        printf("per round: timeout churn %.2f ms, print %.2f ms; SIGINT churn %.2f ms, print %.2f ms\n",
               tsum[1][0] / (rounds / 4) * 1e3, tsum[1][1] / (rounds / 4) * 1e3,
               tsum[0][0] / (rounds / 4) * 1e3, tsum[0][1] / (rounds / 4) * 1e3);
    fclose(devnull);
    ft_module_free(&m);
    jit_ctx_free(ctx);
    ir_file_free(&file);
    printf("%d passed, %d failed\n", passed, failed);
    /* the interrupted calls leaked what they had allocated, by design: no
     * leak check */
    fflush(stdout);
    _exit(failed != 0);
}
