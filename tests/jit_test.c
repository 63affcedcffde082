/* Unit test of lib/jit (jit.h), for what a .clif filetest cannot reach yet:
 * hand-assembled functions linked with and without spread and run on the
 * host, W^X in /proc/self/maps, link errors, every AArch64 relocation kind
 * applied to a buffer and decoded, AArch64 veneers, traps from signals,
 * and 100,000 modules created, run and freed with flat RSS.
 *
 *   make jit-test       or
 *   cc -std=gnu17 -O2 -Ilib tests/jit_test.c lib/jit/\*.c -o jit_test && ./jit_test
 *
 * Option: -n N (modules in the loop, default 100000).
 * Prints the failures, figures, and "N passed, N failed"; exit 1 on any
 * failure. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>
#include <stddef.h>
#include <ucontext.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jit/jit.h"

#ifdef __SANITIZE_ADDRESS__
/* ASan's quarantine would hold 256 MB of freed blocks and hide what the
 * RSS check is about. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "quarantine_size_mb=1"; }
#endif

static int passed, failed;
#define CHECK(c, ...)                                                       \
    do {                                                                    \
        if (c) {                                                            \
            passed++;                                                       \
        } else {                                                            \
            failed++;                                                       \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                     \
            printf(__VA_ARGS__);                                            \
            printf("\n");                                                   \
        }                                                                   \
    } while (0)
#define OK(call) CHECK((call), "%s: %s", #call, err.msg)

static bool x86_host;

/* ---- hand-assembled functions -------------------------------------------------
 * Each is bytes plus relocations.  `call(name)` is a function that passes
 * its first argument to name and returns its result. */
typedef struct asm_fn {
    uint8_t code[64];
    size_t size;
    jit_reloc rel[2];
    size_t nrel;
} asm_fn;

static void put32(uint8_t *p, uint32_t w) { memcpy(p, &w, 4); }
static uint32_t get32(const void *p) { uint32_t w; memcpy(&w, p, 4); return w; }
static uint64_t get64(const void *p) { uint64_t w; memcpy(&w, p, 8); return w; }

static asm_fn fn_ret42(jit_arch a)
{
    asm_fn f = {0};
    if (a == JIT_ARCH_X86_64) {
        static const uint8_t c[] = {0xB8, 42, 0, 0, 0, 0xC3};      /* mov eax,42; ret */
        memcpy(f.code, c, f.size = sizeof c);
    } else {
        put32(f.code, 0x52800540);                                  /* movz w0,#42 */
        put32(f.code + 4, 0xD65F03C0);                              /* ret */
        f.size = 8;
    }
    return f;
}

static asm_fn fn_inc(jit_arch a)
{
    asm_fn f = {0};
    if (a == JIT_ARCH_X86_64) {
        static const uint8_t c[] = {0x8D, 0x47, 0x01, 0xC3};        /* lea eax,[rdi+1]; ret */
        memcpy(f.code, c, f.size = sizeof c);
    } else {
        put32(f.code, 0x11000400);                                  /* add w0,w0,#1 */
        put32(f.code + 4, 0xD65F03C0);
        f.size = 8;
    }
    return f;
}

static asm_fn fn_call(jit_arch a, const char *callee, uint32_t line)
{
    asm_fn f = {0};
    if (a == JIT_ARCH_X86_64) {
        static const uint8_t c[] = {0x48, 0x83, 0xEC, 0x08,         /* sub rsp,8 */
                                    0xE8, 0, 0, 0, 0,               /* call rel32 */
                                    0x48, 0x83, 0xC4, 0x08, 0xC3};  /* add rsp,8; ret */
        memcpy(f.code, c, f.size = sizeof c);
        f.rel[0] = (jit_reloc){5, JIT_R_X86_CALL_PCREL4, -4, callee, line, 5};
    } else {
        put32(f.code, 0xA9BF7BFD);                                  /* stp x29,x30,[sp,#-16]! */
        put32(f.code + 4, 0x94000000);                              /* bl */
        put32(f.code + 8, 0xA8C17BFD);                              /* ldp x29,x30,[sp],#16 */
        put32(f.code + 12, 0xD65F03C0);
        f.size = 16;
        f.rel[0] = (jit_reloc){4, JIT_R_A64_CALL26, 0, callee, line, 5};
    }
    f.nrel = 1;
    return f;
}

static jit_func func_of(const char *name, const asm_fn *a)
{
    return (jit_func){.name = name, .code = a->code, .size = a->size, .relocs = a->rel,
                      .nrelocs = a->nrel};
}

typedef long (*fn1)(long);

/* ---- /proc helpers -------------------------------------------------------------- */

/* Mappings of /proc/self/maps whose permissions ("rwxp") match; each
 * printed after `say` if it is not NULL. */
static int count_mappings(bool (*match)(const char *perms), const char *say)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    int n = 0;
    while (f && fgets(line, sizeof line, f)) {
        char perms[8] = "";
        if (sscanf(line, "%*x-%*x %7s", perms) == 1 && match(perms)) {
            if (say)
                printf("  %s: %s", say, line);
            n++;
        }
    }
    if (f)
        fclose(f);
    return n;
}

static bool writable_executable(const char *p) { return p[1] == 'w' && p[2] == 'x'; }
/* alias mode's write views */
static bool shared_writable(const char *p) { return !strcmp(p, "rw-s"); }

static int wx_mappings(void)
{
    return count_mappings(writable_executable, "W+X mapping");
}

/* "r-xp" etc. for the mapping holding addr; "" if none. */
static const char *perms_at(uintptr_t addr, char out[8])
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    out[0] = 0;
    while (f && fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 && lo <= addr && addr < hi) {
            memcpy(out, perms, 4);
            out[4] = 0;
        }
    }
    if (f)
        fclose(f);
    return out;
}

static size_t rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, res = 0;
    if (f) {
        if (fscanf(f, "%lu %lu", &size, &res) != 2)
            res = 0;
        fclose(f);
    }
    return res * (size_t)sysconf(_SC_PAGESIZE);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t dist(uint64_t a, uint64_t b) { return a > b ? a - b : b - a; }

/* ---- running code: calls across modules, to the host, data, traps ---------------- */

static void test_basic(jit_ctx *ctx, const char *tag)
{
    jit_error err = {0};
    jit_arch a = jit_ctx_arch(ctx);
    asm_fn r42 = fn_ret42(a);
    jit_module *m = jit_module_new(ctx, "basic", &err);
    jit_func f = func_of("ret42", &r42);
    OK(jit_module_add_func(m, &f, &err));
    CHECK(jit_module_lookup(m, "ret42") == NULL, "%s: lookup before finalize", tag);
    OK(jit_module_link(m, &err));
    OK(jit_module_finalize(m, &err));
    void *p = jit_module_lookup(m, "ret42");
    CHECK(p != NULL, "%s: lookup ret42", tag);
    if (p)
        CHECK(((int (*)(void))p)() == 42, "%s: ret42() != 42", tag);
    CHECK(jit_lookup(ctx, "ret42", NULL) == p, "%s: global lookup", tag);
    CHECK(jit_module_at(ctx, p) == m, "%s: module_at", tag);
    char pm[8];
    if (strstr(tag, "alias")) { /* shared memory, executed here, written elsewhere */
        CHECK(p && !strcmp(perms_at((uintptr_t)p, pm), "r-xs"), "%s: code mapped %s, not r-xs", tag, pm);
        /* the write view is this process's alone: a forked child has none */
        int here = count_mappings(shared_writable, NULL), status = -1;
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0)
            _exit(count_mappings(shared_writable, NULL) ? 1 : 0);
        if (pid > 0)
            waitpid(pid, &status, 0);
        CHECK(here > 0 && pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "%s: a forked child inherits the code's write view (%d here)", tag, here);
    }
    OK(jit_module_free(m, &err));
    CHECK(jit_module_at(ctx, p) == NULL, "%s: module_at after free", tag);
    CHECK(jit_lookup(ctx, "ret42", NULL) == NULL, "%s: global lookup after free", tag);
}

/* Freed code pages stay committed for the next module's code (mem.c's
 * stale pages); zero-initialised data that lands on them still reads as
 * zeroes, and code placed on them runs. */
static void test_stale(jit_ctx *ctx, const char *tag)
{
    jit_error err = {0};
    size_t pg = (size_t)sysconf(_SC_PAGESIZE);
    asm_fn r42 = fn_ret42(jit_ctx_arch(ctx));
    uint8_t *big = malloc(3 * pg);
    memset(big, 0xA5, 3 * pg);
    memcpy(big, r42.code, r42.size);
    jit_module *a = jit_module_new(ctx, "stale-code", &err);
    OK(jit_module_add_func(a, &(jit_func){.name = "big", .code = big, .size = 3 * pg}, &err));
    OK(jit_module_link(a, &err));
    OK(jit_module_finalize(a, &err));
    void *pa = jit_module_lookup(a, "big");
    CHECK(pa && ((int (*)(void))pa)() == 42, "%s: big() == 42", tag);
    OK(jit_module_free(a, &err));
    jit_module *b = jit_module_new(ctx, "stale-data", &err);
    jit_func f = func_of("ret42", &r42);
    OK(jit_module_add_func(b, &f, &err));
    OK(jit_module_add_data(b, &(jit_data){.name = "zeroes", .size = 3 * pg, .writable = true}, &err));
    OK(jit_module_link(b, &err));
    OK(jit_module_finalize(b, &err));
    const uint8_t *z = jit_module_lookup(b, "zeroes");
    size_t nonzero = 0;
    for (size_t i = 0; z && i < 3 * pg; i++)
        nonzero += z[i] != 0;
    CHECK(z && !nonzero, "%s: zero-initialised data on freed pages: %zu bytes not zero", tag, nonzero);
    void *pb = jit_module_lookup(b, "ret42");
    CHECK(pb && ((int (*)(void))pb)() == 42, "%s: ret42() == 42 after reuse", tag);
    OK(jit_module_free(b, &err));
    /* code again where code was */
    jit_module *c = jit_module_new(ctx, "stale-again", &err);
    OK(jit_module_add_func(c, &f, &err));
    OK(jit_module_link(c, &err));
    OK(jit_module_finalize(c, &err));
    void *pc = jit_module_lookup(c, "ret42");
    CHECK(pc && ((int (*)(void))pc)() == 42, "%s: ret42() == 42 on freed code pages", tag);
    OK(jit_module_free(c, &err));
    free(big);
}

static const char *const cross_str = "hello, jit";

/* lib: inc (exported), answer (read-only data).  user: calls inc and
 * strlen, loads answer through the GOT, a local constant RIP-relative, and
 * calls inc through an absolute address; tail-jumps to inc. */
static void test_cross(jit_ctx *ctx, const char *tag, bool spread)
{
    jit_error err = {0};
    asm_fn inc = fn_inc(JIT_ARCH_X86_64), c_inc = fn_call(JIT_ARCH_X86_64, "inc", 10),
           c_strlen = fn_call(JIT_ARCH_X86_64, "strlen", 11);
    uint64_t answer = 1234, k = 0x1122334455667788u;
    jit_module *lib = jit_module_new(ctx, "lib", &err);
    jit_func f = func_of("inc", &inc);
    OK(jit_module_add_func(lib, &f, &err));
    OK(jit_module_add_data(lib, &(jit_data){.name = "answer", .bytes = &answer, .size = 8}, &err));
    OK(jit_module_link(lib, &err));
    OK(jit_module_finalize(lib, &err));

    jit_module *user = jit_module_new(ctx, "user", &err);
    /* mov rax,[rip+GOT(answer)]; mov rax,[rax]; ret */
    asm_fn getans = {{0x48, 0x8B, 0x05, 0, 0, 0, 0, 0x48, 0x8B, 0x00, 0xC3}, 11,
                     {{3, JIT_R_X86_GOTPCREL4, -4, "answer", 12, 1}}, 1};
    /* mov rax,[rip+k]; ret */
    asm_fn getk = {{0x48, 0x8B, 0x05, 0, 0, 0, 0, 0xC3}, 8,
                   {{3, JIT_R_X86_PCREL4, -4, "k", 13, 1}}, 1};
    /* sub rsp,8; movabs rax,inc; call rax; add rsp,8; ret */
    asm_fn viaabs = {{0x48, 0x83, 0xEC, 0x08, 0x48, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xD0,
                      0x48, 0x83, 0xC4, 0x08, 0xC3}, 21,
                     {{6, JIT_R_ABS8, 0, "inc", 14, 1}}, 1};
    asm_fn tail = {{0xE9, 0, 0, 0, 0}, 5, {{1, JIT_R_X86_CALL_PCREL4, -4, "inc", 15, 1}}, 1};
    jit_func fs[] = {func_of("call_inc", &c_inc), func_of("call_strlen", &c_strlen),
                     func_of("getans", &getans), func_of("getk", &getk),
                     func_of("viaabs", &viaabs), func_of("tail", &tail)};
    for (size_t i = 0; i < sizeof fs / sizeof *fs; i++)
        OK(jit_module_add_func(user, &fs[i], &err));
    OK(jit_module_add_data(user, &(jit_data){.name = "k", .bytes = &k, .size = 8, .local = true},
                           &err));
    OK(jit_module_link(user, &err));
    OK(jit_module_finalize(user, &err));

    fn1 ci = (fn1)jit_module_lookup(user, "call_inc"), cs = (fn1)jit_module_lookup(user, "call_strlen");
    fn1 ga = (fn1)jit_module_lookup(user, "getans"), gk = (fn1)jit_module_lookup(user, "getk");
    fn1 va = (fn1)jit_module_lookup(user, "viaabs"), tl = (fn1)jit_module_lookup(user, "tail");
    CHECK(ci && cs && ga && gk && va && tl, "%s: lookups", tag);
    if (!(ci && cs && ga && gk && va && tl))
        return;
    CHECK(ci(41) == 42, "%s: call_inc(41) = %ld", tag, ci(41));
    CHECK(cs((long)cross_str) == 10, "%s: call_strlen = %ld", tag, cs((long)cross_str));
    CHECK(ga(0) == 1234, "%s: getans = %ld", tag, ga(0));
    CHECK((uint64_t)gk(0) == k, "%s: getk = %lx", tag, gk(0));
    CHECK(va(1) == 2, "%s: viaabs(1) = %ld", tag, va(1));
    CHECK(tl(7) == 8, "%s: tail(7) = %ld", tag, tl(7));

    jit_module_stats st;
    jit_module_stats_get(user, &st);
    void *inc_p = jit_module_lookup(lib, "inc"), *strlen_p = dlsym(RTLD_DEFAULT, "strlen");
    if (spread) {
        /* Every call leaves the module: all must go through stubs. */
        CHECK(st.stub_calls == 3 && st.direct_calls == 0 && st.stubs_used == 2,
              "%s: stub_calls %u direct %u stubs %u", tag, st.stub_calls, st.direct_calls,
              st.stubs_used);
        CHECK(dist((uintptr_t)ci, (uintptr_t)inc_p) > ((uint64_t)4 << 30) &&
              dist((uintptr_t)ci, (uintptr_t)strlen_p) > ((uint64_t)4 << 30),
              "%s: modules not spread: %p %p %p", tag, (void *)ci, inc_p, strlen_p);
        /* Decode call_inc's call: to a stub `jmp *[rip+d]` whose GOT slot holds inc. */
        const uint8_t *call = (const uint8_t *)ci + 4;
        const uint8_t *stub = call + 5 + (int32_t)get32(call + 1);
        CHECK(stub[0] == 0xFF && stub[1] == 0x25, "%s: stub bytes %02x %02x", tag, stub[0],
              stub[1]);
        const uint8_t *slot = stub + 6 + (int32_t)get32(stub + 2);
        CHECK(get64(slot) == (uintptr_t)inc_p, "%s: GOT slot", tag);
    } else {
        CHECK(st.stub_calls + st.direct_calls == 3, "%s: %u + %u calls", tag, st.stub_calls,
              st.direct_calls);
    }
    /* inc and answer from lib, strlen from dlsym */
    CHECK(st.module_syms == 2 && st.host_syms == 1 && st.dlsym_syms == 1,
          "%s: %u symbols from modules, %u from the host, %u of them by dlsym", tag, st.module_syms,
          st.host_syms, st.dlsym_syms);
    /* Page protections: text and GOT r-x (one image, never writable),
     * constants r--. */
    char pb[8];
    CHECK(!strncmp(perms_at((uintptr_t)ci, pb), "r-x", 3), "%s: text is %s", tag, pb);
    CHECK(!strncmp(perms_at(st.base + st.text_bytes, pb), "r-x", 3), "%s: GOT is %s", tag, pb);
    CHECK(!strncmp(perms_at((uintptr_t)jit_module_lookup(lib, "answer"), pb), "r--", 3), "%s: rodata is %s",
          tag, pb);

    /* lib is in use by user: refused, then fine once user is gone. */
    CHECK(!jit_module_free(lib, &err) && strstr(err.msg, "cannot free module 'lib'") &&
          strstr(err.msg, "'user'"), "%s: free of a module in use: %s", tag, err.msg);
    OK(jit_module_free(user, &err));
    OK(jit_module_free(lib, &err));
}

/* Two modules that call each other: linked as a group. */
/* A host symbol the embedder defined is told apart from one dlsym found
 * (lib/filetest lets the guard trust its cached signal mask only then). */
/* The stats of a module whose one function calls callee, linked and
 * finalized in ctx, then freed. */
static jit_module_stats call_module_stats(jit_ctx *ctx, const char *callee)
{
    jit_error err = {0};
    jit_module_stats st = {0};
    asm_fn c = fn_call(JIT_ARCH_X86_64, callee, 20);
    jit_module *m = jit_module_new(ctx, "m", &err);
    jit_func f = func_of("f", &c);
    OK(jit_module_add_func(m, &f, &err));
    OK(jit_module_link(m, &err));
    OK(jit_module_finalize(m, &err));
    jit_module_stats_get(m, &st);
    OK(jit_module_free(m, &err));
    return st;
}

static void test_embedder(void)
{
    jit_error err = {0};
    jit_ctx *ctx = jit_ctx_new(NULL, &err);
    CHECK(ctx && jit_define_symbol(ctx, "strlen", (const void *)strlen, &err), "embedder: %s", err.msg);
    if (!ctx)
        return;
    for (int k = 0; k < 2; k++) {
        const char *callee = k ? "strchr" : "strlen";
        jit_module_stats st = call_module_stats(ctx, callee);
        CHECK(st.host_syms == 1 && st.dlsym_syms == (uint32_t)k && !st.module_syms,
              "embedder: a call to %s: %u host symbols, %u by dlsym, %u from modules", callee,
              st.host_syms, st.dlsym_syms, st.module_syms);
    }
    jit_ctx_free(ctx);
    /* a name from a jit_define_symbols table is the embedder's too, also
     * when the second module finds it in the cache the first link made */
    static const jit_host_sym tab[] = {{"strchr", (const void *)strchr}};
    ctx = jit_ctx_new(NULL, &err);
    CHECK(ctx && jit_define_symbols(ctx, tab, 1, &err), "embedder table: %s", err.msg);
    if (!ctx)
        return;
    for (int k = 0; k < 2; k++) {
        jit_module_stats st = call_module_stats(ctx, "strchr");
        CHECK(st.host_syms == 1 && st.dlsym_syms == 0 && !st.module_syms,
              "embedder table, link %d: %u host symbols, %u by dlsym, %u from modules", k + 1,
              st.host_syms, st.dlsym_syms, st.module_syms);
    }
    jit_ctx_free(ctx);
}

static void test_group(jit_ctx *ctx, const char *tag)
{
    jit_error err = {0};
    jit_module *a = jit_module_new(ctx, "A", &err), *b = jit_module_new(ctx, "B", &err);
    asm_fn a1 = fn_call(JIT_ARCH_X86_64, "b1", 1), a2 = fn_ret42(JIT_ARCH_X86_64);
    a2.code[1] = 7;
    asm_fn b1 = {{0xE9, 0, 0, 0, 0}, 5, {{1, JIT_R_X86_CALL_PCREL4, -4, "a2", 2, 1}}, 1};
    jit_func fa1 = func_of("a1", &a1), fa2 = func_of("a2", &a2), fb1 = func_of("b1", &b1);
    OK(jit_module_add_func(a, &fa1, &err));
    OK(jit_module_add_func(a, &fa2, &err));
    OK(jit_module_add_func(b, &fb1, &err));
    CHECK(!jit_module_link(a, &err) && strstr(err.msg, "can't resolve symbol 'b1'"),
          "%s: a alone should not link: %s", tag, err.msg);
    jit_module *g[] = {a, b};
    OK(jit_link_group(g, 2, &err));
    OK(jit_module_finalize(a, &err));
    OK(jit_module_finalize(b, &err));
    fn1 f = (fn1)jit_module_lookup(a, "a1");
    CHECK(f && f(0) == 7, "%s: a1() via b1 -> a2", tag);
    CHECK(!jit_module_free(a, &err), "%s: a is used by b", tag);
    CHECK(!jit_module_free(b, &err), "%s: b is used by a", tag);
    CHECK(!jit_free_group(&a, 1, &err) && strstr(err.msg, "module 'B' is linked against it"),
          "%s: group member alone: %s", tag, err.msg);
    OK(jit_free_group(g, 2, &err));
}

/* qsort from JIT code with a JIT comparator: C calling back into JIT code. */
static void test_qsort(jit_ctx *ctx, const char *tag)
{
    jit_error err = {0};
    jit_module *m = jit_module_new(ctx, "qsort", &err);
    /* sub rsp,8; mov edx,4; lea rcx,[rip+cmp]; call qsort; add rsp,8; ret */
    asm_fn sort = {{0x48, 0x83, 0xEC, 0x08, 0xBA, 4, 0, 0, 0, 0x48, 0x8D, 0x0D, 0, 0, 0, 0,
                    0xE8, 0, 0, 0, 0, 0x48, 0x83, 0xC4, 0x08, 0xC3}, 26,
                   {{12, JIT_R_X86_PCREL4, -4, "cmp", 3, 1},
                    {17, JIT_R_X86_CALL_PCREL4, -4, "qsort", 4, 1}}, 2};
    asm_fn cmp = {{0x8B, 0x07, 0x2B, 0x06, 0xC3}, 5, {{0}}, 0};   /* *a - *b */
    jit_func fs = func_of("sort", &sort), fc = func_of("cmp", &cmp);
    fc.local = true;
    OK(jit_module_add_func(m, &fs, &err));
    OK(jit_module_add_func(m, &fc, &err));
    OK(jit_module_link(m, &err));
    OK(jit_module_finalize(m, &err));
    int v[] = {5, -3, 9, 0, 2, 2, -7};
    void (*s)(int *, size_t) = (void (*)(int *, size_t))jit_module_lookup(m, "sort");
    CHECK(s != NULL, "%s: sort", tag);
    if (s)
        s(v, 7);
    CHECK(v[0] == -7 && v[1] == -3 && v[2] == 0 && v[3] == 2 && v[4] == 2 && v[5] == 5 &&
          v[6] == 9, "%s: qsort result %d %d %d %d %d %d %d", tag, v[0], v[1], v[2], v[3],
          v[4], v[5], v[6]);
    CHECK(jit_lookup(ctx, "cmp", NULL) == NULL, "%s: local symbol is not exported", tag);
    CHECK(jit_module_lookup(m, "cmp") != NULL, "%s: local symbol in its module", tag);
    OK(jit_module_free(m, &err));
}

/* ---- traps -------------------------------------------------------------------- */

static jit_ctx *trap_ctx;
static sigjmp_buf trap_jmp;
static volatile sig_atomic_t trap_found;
static jit_trap_info trap_info;

static void on_trap(int sig, siginfo_t *si, void *uc_)
{
    (void)si;
    uintptr_t pc = 0;
#if defined(__x86_64__)
    pc = (uintptr_t)((ucontext_t *)uc_)->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    pc = (uintptr_t)((ucontext_t *)uc_)->uc_mcontext.pc;
#endif
    trap_found = jit_trap_lookup(trap_ctx, pc, &trap_info) ? sig : -1;
    siglongjmp(trap_jmp, 1);
}

static void test_traps(jit_ctx *ctx, const char *tag)
{
    jit_error err = {0};
    jit_module *m = jit_module_new(ctx, "traps", &err);
    asm_fn pad = fn_ret42(JIT_ARCH_X86_64);
    /* xor eax,eax; ud2 */
    static const uint8_t ud[] = {0x31, 0xC0, 0x0F, 0x0B};
    /* mov eax,edi; cdq; idiv esi; ret */
    static const uint8_t dv[] = {0x89, 0xF8, 0x99, 0xF7, 0xFE, 0xC3};
    jit_trap tu[] = {{2, 11}}, td[] = {{3, 22}, {0, 99}};      /* unsorted on purpose */
    jit_func fp = func_of("pad", &pad);
    jit_func fu = {.name = "ud", .code = ud, .size = sizeof ud, .traps = tu, .ntraps = 1};
    jit_func fd = {.name = "div", .code = dv, .size = sizeof dv, .traps = td, .ntraps = 2};
    OK(jit_module_add_func(m, &fp, &err));
    OK(jit_module_add_func(m, &fu, &err));
    OK(jit_module_add_func(m, &fd, &err));
    OK(jit_module_link(m, &err));
    OK(jit_module_finalize(m, &err));
    trap_ctx = ctx;
    struct sigaction sa = {0}, old_ill, old_fpe;
    sa.sa_sigaction = on_trap;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGILL, &sa, &old_ill);
    sigaction(SIGFPE, &sa, &old_fpe);

    void (*u)(void) = (void (*)(void))jit_module_lookup(m, "ud");
    int (*d)(int, int) = (int (*)(int, int))jit_module_lookup(m, "div");
    trap_found = 0;
    if (!sigsetjmp(trap_jmp, 1))
        u();
    CHECK(trap_found == SIGILL && trap_info.func_name && !strcmp(trap_info.func_name, "ud") &&
          trap_info.func_offset == 2 && trap_info.has_trap && trap_info.code == 11 &&
          !strcmp(trap_info.module_name, "traps"),
          "%s: ud2 trap: found %d %s+%u code %u", tag, (int)trap_found,
          trap_info.func_name ? trap_info.func_name : "?", trap_info.func_offset, trap_info.code);
    trap_found = 0;
    volatile int r = 0;
    if (!sigsetjmp(trap_jmp, 1))
        r = d(1, 0);
    CHECK(trap_found == SIGFPE && trap_info.func_name && !strcmp(trap_info.func_name, "div") &&
          trap_info.func_offset == 3 && trap_info.has_trap && trap_info.code == 22,
          "%s: idiv trap: found %d %s+%u code %u (r %d)", tag, (int)trap_found,
          trap_info.func_name ? trap_info.func_name : "?", trap_info.func_offset, trap_info.code,
          r);
    sigaction(SIGILL, &old_ill, NULL);
    sigaction(SIGFPE, &old_fpe, NULL);

    jit_trap_info ti;
    CHECK(jit_trap_lookup(ctx, (uintptr_t)d + 1, &ti) && !ti.has_trap && ti.func_offset == 1,
          "%s: a pc without a trap record", tag);
    CHECK(!jit_trap_lookup(ctx, (uintptr_t)&test_traps, &ti), "%s: host pc is not JIT code", tag);
    /* the interrupt guard's question: code (functions and stubs), not data, not host */
    jit_module_stats st;
    jit_module_stats_get(m, &st);
    CHECK(jit_pc_in_code(ctx, (uintptr_t)d + 1) && jit_pc_in_code(ctx, st.base) &&
              jit_pc_in_code(ctx, st.base + st.text_bytes - 1) &&
              !jit_pc_in_code(ctx, st.base + st.text_bytes) &&
              !jit_pc_in_code(ctx, (uintptr_t)&test_traps) && !jit_pc_in_code(NULL, (uintptr_t)d),
          "%s: jit_pc_in_code: text in, its ends exact, data and host out", tag);
    OK(jit_module_free(m, &err));
    CHECK(!jit_trap_lookup(ctx, (uintptr_t)d + 3, &ti), "%s: freed module has no traps", tag);
    CHECK(!jit_pc_in_code(ctx, (uintptr_t)d + 1), "%s: a freed module's code is not code", tag);
}

/* ---- the bytes laid out in place, and back ------------------------------------------ */

/* Module modname of one function, name, returning 42: linked and final. */
static jit_module *ret42_module(jit_ctx *ctx, const char *modname, const char *name)
{
    jit_error err = {0};
    asm_fn r = fn_ret42(jit_host_arch());
    jit_module *m = jit_module_new(ctx, modname, &err);
    jit_func f = func_of(name, &r);
    OK(jit_module_add_func(m, &f, &err));
    OK(jit_module_link(m, &err));
    OK(jit_module_finalize(m, &err));
    return m;
}

/* A module of code alone is staged in its own bytes, each function moved
 * to its aligned place (6- and 8-byte functions at 16-byte steps); a link
 * that fails moves them back, and the next link lays them out again. */
static void test_relink_moved(jit_ctx *ctx, const char *what)
{
    jit_arch a = jit_host_arch();
    jit_error err = {0};
    char callee[64], fname[3][64];
    snprintf(callee, sizeof callee, "moved_later_%s", what);
    asm_fn r = fn_ret42(a), c = fn_call(a, callee, 9);
    jit_module *m = jit_module_new(ctx, "moved", &err);
    for (int i = 0; i < 3; i++) {
        snprintf(fname[i], sizeof fname[i], "moved_%d_%s", i, what);
        jit_func f = func_of(fname[i], i == 1 ? &c : &r);
        OK(jit_module_add_func(m, &f, &err));
    }
    CHECK(!jit_module_link(m, &err), "%s: an unresolved callee links", what);
    jit_module *def = ret42_module(ctx, "moved_def", callee);
    OK(jit_module_link(m, &err));
    OK(jit_module_finalize(m, &err));
    for (int i = 0; i < 3; i++) {
        fn1 p = (fn1)jit_module_lookup(m, fname[i]);
        CHECK(p && p(0) == 42, "%s: %s after a failed link", what, fname[i]);
    }
    OK(jit_module_free(m, &err));
    OK(jit_module_free(def, &err));
}

/* ---- large modules: code staged in a mapping and moved into place ----------------- */

/* A module of n functions of `each` bytes (the last `last`): ret42 padded
 * with traps; function i is named big_<i>_<tag>. */
static jit_module *big_module(jit_ctx *ctx, const char *tag, int n, size_t each, size_t last,
                              uint8_t *code, jit_error *err)
{
    jit_arch a = jit_host_arch();
    asm_fn r = fn_ret42(a);
    memset(code, a == JIT_ARCH_X86_64 ? 0xCC : 0, each > last ? each : last);  /* int3; udf #0 */
    memcpy(code, r.code, r.size);
    jit_module *m = jit_module_new(ctx, tag, err);
    char name[96];
    for (int i = 0; m && i < n; i++) {
        snprintf(name, sizeof name, "big_%d_%s", i, tag);
        jit_func f = {.name = name, .code = code, .size = i == n - 1 ? last : each};
        if (!jit_module_add_func(m, &f, err))
            return NULL;
    }
    return m;
}

/* Every function of big_module's m in place and running. */
static int big_bad(jit_module *m, const char *tag, int n, size_t each, size_t last, const uint8_t *code)
{
    int bad = 0;
    char name[96], perms[8];
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof name, "big_%d_%s", i, tag);
        fn1 p = (fn1)jit_module_lookup(m, name);
        bad += !p || memcmp((void *)p, code, i == n - 1 ? last : each) != 0 ||
               strncmp(perms_at((uintptr_t)p, perms), "r-x", 3) != 0 ||
               ((i == 0 || i == n / 2 || i == n - 1) && p(0) != 42);
    }
    return bad;
}

/* Code around 64 KiB (jit_stage_grow's heap/mapping boundary) and page
 * boundaries, and 1 MiB; each also linked once in vain first (its stage
 * back to the module's bytes, then laid out again). */
static void test_large(jit_ctx *ctx, const char *what)
{
    static const struct { int n; size_t each, last; } cases[] = {
        {64, 1024, 1024 - 64}, {64, 1024, 1024}, {65, 1024, 64}, {20, 4096, 48},
        {16, 4096, 4096}, {256, 4096, 4096 + 16},
    };
    uint8_t *code = malloc(8192);
    jit_error err = {0};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char tag[32], callee[64], caller[64];
        snprintf(tag, sizeof tag, "%s_%zu", what, k);
        int n = cases[k].n;
        size_t each = cases[k].each, last = cases[k].last;
        jit_module *m = big_module(ctx, tag, n, each, last, code, &err);
        CHECK(m, "%s: %s", tag, err.msg);
        if (!m)
            break;
        bool relink = k % 2 == 0;
        jit_module *def = NULL;
        if (relink) {
            snprintf(callee, sizeof callee, "big_later_%s", tag);
            snprintf(caller, sizeof caller, "big_caller_%s", tag);
            asm_fn c = fn_call(jit_host_arch(), callee, 1);
            jit_func f = func_of(caller, &c);
            OK(jit_module_add_func(m, &f, &err));
            CHECK(!jit_module_link(m, &err), "%s: an unresolved callee links", tag);
            def = ret42_module(ctx, callee, callee);
        }
        OK(jit_module_link(m, &err));
        OK(jit_module_finalize(m, &err));
        int bad = big_bad(m, tag, n, each, last, code);
        CHECK(bad == 0, "%s: %d of %d functions not in place or not running", tag, bad, n);
        if (relink) {
            fn1 p = (fn1)jit_module_lookup(m, caller);
            CHECK(p && p(0) == 42, "%s: the call after a failed link", tag);
        }
        OK(jit_module_free(m, &err));
        if (def)
            OK(jit_module_free(def, &err));
    }
    CHECK(wx_mappings() == 0, "%s: a mapping is writable and executable", what);
    free(code);
}

/* A module of thousands of functions, each calling the one before: its
 * symbols, definitions, relocations past JIT_BULK_MIN bytes, grown into
 * its bulk (mem.c); linked once in vain first (the first one's callee is
 * in a module defined later). */
static void test_bulk(jit_ctx *ctx, const char *tag)
{
    enum { N = 4100 };
    jit_arch a = jit_host_arch();
    jit_error err = {0};
    char name[96], prev[96], later[64];
    snprintf(later, sizeof later, "bulk_later_%s", tag);
    jit_module *m = jit_module_new(ctx, tag, &err);
    bool added = m != NULL;
    for (int i = 0; added && i < N; i++) {
        snprintf(name, sizeof name, "bulk_%d_%s", i, tag);
        asm_fn c = fn_call(a, i ? prev : later, (uint32_t)i + 1);
        jit_func f = func_of(name, &c);
        added = jit_module_add_func(m, &f, &err);
        memcpy(prev, name, sizeof prev);
    }
    CHECK(added, "%s: %s", tag, err.msg);
    if (!added)
        return;
    CHECK(!jit_module_link(m, &err), "%s: an unresolved callee links", tag);
    jit_module *def = ret42_module(ctx, later, later);
    OK(jit_module_link(m, &err));
    OK(jit_module_finalize(m, &err));
    int bad = 0;
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "bulk_%d_%s", i, tag);
        void *p = jit_module_lookup(m, name);
        bad += !p || jit_lookup(ctx, name, NULL) != p;
    }
    CHECK(bad == 0, "%s: %d of %d functions not found", tag, bad, N);
    fn1 top = (fn1)jit_module_lookup(m, prev);
    CHECK(top && top(0) == 42, "%s: %d calls deep", tag, N);
    OK(jit_module_free(m, &err));
    OK(jit_module_free(def, &err));
}

/* A large module whose code cannot be made executable (a seccomp filter
 * refuses the read+execute mprotect of its exact length): finalize fails
 * with its pages moved back to the stage, and its place in the region is
 * still reserved, not a hole: the next module there links and runs.  In a
 * child, which keeps the filter. */
static void test_large_rx_fail(void)
{
    if (getenv("RUN_TEST_SINGLE")) {
        printf("  large rx fail: skipped (qemu-user refuses seccomp)\n");
        return;
    }
    long page = sysconf(_SC_PAGESIZE);
    pid_t pid = fork();
    if (pid == 0) {
        jit_error err = {0};
        jit_ctx *ctx = jit_ctx_new(NULL, &err);
        uint8_t *code = malloc((size_t)page);
        int n = 37;     /* pages of code: an mprotect length nothing else here asks for */
        struct sock_filter f[] = {
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mprotect, 0, 5),
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PROT_READ | PROT_EXEC, 0, 3),
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(n * page), 0, 1),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = {.len = sizeof f / sizeof f[0], .filter = f};
        if (!ctx || !code || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
            prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
            _exit(77);
        int bad = 0;
        jit_module *m = big_module(ctx, "rxfail", n, (size_t)page, (size_t)page - 16, code, &err);
        if (!m || !jit_module_link(m, &err) || jit_module_finalize(m, &err) || !strstr(err.msg, "executable"))
            printf("FAIL large rx fail: finalize should fail making the code executable: %s\n", err.msg), bad++;
        if (m && !jit_module_free(m, &err))
            printf("FAIL large rx fail: free: %s\n", err.msg), bad++;
        jit_module *m2 = big_module(ctx, "after", n - 1, (size_t)page, (size_t)page - 16, code, &err);
        if (!m2 || !jit_module_link(m2, &err) || !jit_module_finalize(m2, &err))
            printf("FAIL large rx fail: the next module in its place: %s\n", err.msg), bad++;
        else if (big_bad(m2, "after", n - 1, (size_t)page, (size_t)page - 16, code))
            printf("FAIL large rx fail: the next module not in place or not running\n"), bad++;
        fflush(stdout);
        _exit(bad ? 1 : 0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 77) {
        printf("  large rx fail: skipped (no seccomp filter here)\n");
        return;
    }
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "large rx fail: the child failed (status 0x%x)", st);
}

/* ---- link errors ------------------------------------------------------------------ */

static void test_errors(jit_ctx *spread_ctx, jit_ctx *ctx)
{
    jit_error err = {0};
    /* Unresolved: names the symbol, its declaration line and the caller. */
    asm_fn c = fn_call(JIT_ARCH_X86_64, "no_such_symbol_xyzzy", 17);
    jit_module *m = jit_module_new(ctx, "bad", &err);
    jit_func f = func_of("caller", &c);
    OK(jit_module_add_func(m, &f, &err));
    CHECK(!jit_module_link(m, &err), "unresolved symbol links");
    CHECK(strstr(err.msg, "can't resolve symbol 'no_such_symbol_xyzzy'") &&
          strstr(err.msg, "'caller'") && err.line == 17 && err.col == 5,
          "unresolved message: %u:%u: %s", err.line, err.col, err.msg);
    /* ...and links once something defines it. */
    jit_module *def = jit_module_new(ctx, "def", &err);
    asm_fn r = fn_ret42(JIT_ARCH_X86_64);
    jit_func fd = func_of("no_such_symbol_xyzzy", &r);
    OK(jit_module_add_func(def, &fd, &err));
    OK(jit_module_link(def, &err));
    OK(jit_module_finalize(def, &err));
    OK(jit_module_link(m, &err));
    OK(jit_module_finalize(m, &err));
    fn1 p = (fn1)jit_module_lookup(m, "caller");
    CHECK(p && p(0) == 42, "relinked caller");

    /* Duplicate definitions: in a module, and across modules. */
    jit_module *dup = jit_module_new(ctx, "dup", &err);
    jit_func f1 = func_of("twice", &r);
    f1.line = 30;
    OK(jit_module_add_func(dup, &f1, &err));
    CHECK(!jit_module_add_func(dup, &f1, &err) &&
          !strcmp(err.msg, "Duplicate definition of identifier: twice") && err.line == 30,
          "duplicate in a module: %s", err.msg);
    jit_func f2 = func_of("no_such_symbol_xyzzy", &r);
    OK(jit_module_add_func(dup, &f2, &err));
    CHECK(!jit_module_link(dup, &err) &&
          strstr(err.msg, "Duplicate definition of identifier: no_such_symbol_xyzzy") &&
          strstr(err.msg, "'def'"), "duplicate across modules: %s", err.msg);
    OK(jit_module_free(dup, &err));
    OK(jit_module_free(m, &err));
    OK(jit_module_free(def, &err));

    /* Bad records. */
    jit_module *bad = jit_module_new(ctx, "bad2", &err);
    jit_reloc past = {4, JIT_R_X86_PCREL4, -4, "x", 0, 0};
    jit_func fp = {.name = "f", .code = r.code, .size = r.size, .relocs = &past, .nrelocs = 1};
    CHECK(!jit_module_add_func(bad, &fp, &err) && strstr(err.msg, "past its end"),
          "reloc past the end: %s", err.msg);
    jit_reloc wrong = {0, JIT_R_A64_CALL26, 0, "x", 0, 0};
    fp.relocs = &wrong;
    CHECK(!jit_module_add_func(bad, &fp, &err) && strstr(err.msg, "A64_CALL26 in a module for x86_64"),
          "wrong-arch reloc: %s", err.msg);
    OK(jit_module_free(bad, &err));

    /* Out-of-range data: a RIP-relative load of another module's data,
     * more than 4 GiB away under spread, is an error naming both ends. */
    uint64_t v = 5;
    jit_module *lib = jit_module_new(spread_ctx, "datalib", &err);
    OK(jit_module_add_data(lib, &(jit_data){.name = "table", .bytes = &v, .size = 8}, &err));
    OK(jit_module_link(lib, &err));
    OK(jit_module_finalize(lib, &err));
    jit_module *u = jit_module_new(spread_ctx, "datauser", &err);
    asm_fn ld = {{0x48, 0x8B, 0x05, 0, 0, 0, 0, 0xC3}, 8,
                 {{3, JIT_R_X86_PCREL4, -4, "table", 21, 9}}, 1};
    jit_func fl = func_of("load_table", &ld);
    OK(jit_module_add_func(u, &fl, &err));
    CHECK(!jit_module_link(u, &err), "far data reloc links");
    CHECK(strstr(err.msg, "relocation X86_PCREL4 in 'load_table'+0x3 to 'table' is out of range") &&
          strstr(err.msg, "exceeds ±2 GiB") && strstr(err.msg, "GOT") && err.line == 21 &&
          err.col == 9, "far data message: %u:%u: %s", err.line, err.col, err.msg);
    jit_ctx_stats cs;
    jit_ctx_stats_get(spread_ctx, &cs);
    CHECK(cs.live_modules == 2 && cs.regions == 1, "failed link released its memory: %zu regions",
          cs.regions);
    OK(jit_module_free(u, &err));
    OK(jit_module_free(lib, &err));

    /* A call that cannot be satisfied at all (an x86-64 call inside a module
     * reaches; exercise the primitive instead). */
    uint8_t buf[8] = {0};
    CHECK(!jit_reloc_apply(JIT_R_X86_CALL_PCREL4, buf, 0x1000, 0x1000 + ((uint64_t)3 << 30), &err) &&
          strstr(err.msg, "exceeds ±2 GiB"), "rel32 range: %s", err.msg);
    CHECK(jit_reloc_apply(JIT_R_X86_CALL_PCREL4, buf, 0x1000, 0x1000 - 0x80000000ull, &err) &&
          get32(buf) == 0x80000000u, "rel32 at -2 GiB");

    /* Address space exhausted: a clear error, and recovery after frees.
     * Each module has a writable data object, so takes two pages (a
     * module of code alone packs in 64 bytes). */
    jit_config cfg = {.region_size = 64 << 10, .reserve_limit = 256 << 10};
    jit_ctx *small = jit_ctx_new(&cfg, &err);
    jit_module *ms[100];
    int n = 0;
    bool hit = false;
    for (; n < 100; n++) {
        ms[n] = jit_module_new(small, "m", &err);
        jit_func fr = func_of("f", &r);
        fr.local = true;
        jit_module_add_func(ms[n], &fr, &err);
        jit_module_add_data(ms[n], &(jit_data){.name = "d", .size = 8, .writable = true, .local = true}, &err);
        if (!jit_module_link(ms[n], &err)) {
            hit = strstr(err.msg, "JIT address space exhausted") != NULL;
            break;
        }
    }
    CHECK(hit && n == (int)(cfg.reserve_limit / sysconf(_SC_PAGESIZE) / 2),
          "exhaustion after %d modules: %s", n, err.msg);
    if (n == 100)
        return;
    for (int i = 0; i < n; i++)
        OK(jit_module_free(ms[i], &err));
    OK(jit_module_link(ms[n], &err));
    OK(jit_module_free(ms[n], &err));
    jit_ctx_free(small);
}

/* ---- AArch64 relocations on a buffer ------------------------------------------ */

static int64_t sext(uint64_t v, int bits) { return (int64_t)(v << (64 - bits)) >> (64 - bits); }

static uint32_t a64(jit_reloc_kind k, uint32_t insn, uint64_t P, uint64_t X, bool *ok)
{
    uint8_t b[4];
    put32(b, insn);
    jit_error err = {0};
    *ok = jit_reloc_apply(k, b, P, X, &err);
    return get32(b);
}

static void test_a64_relocs(void)
{
    bool ok;
    jit_error err = {0};
    uint32_t w;
    uint64_t P = 0x7f0012345678ull;
    /* CALL26 / JUMP26: imm26 = (X-P)/4, opcode kept. */
    int64_t ds[] = {0x123454, -0x123454, (1 << 27) - 4, -(1 << 27)};
    for (int i = 0; i < 4; i++) {
        w = a64(JIT_R_A64_CALL26, 0x94000000, P, P + ds[i], &ok);
        CHECK(ok && (w & 0xFC000000) == 0x94000000 && sext(w & 0x3FFFFFF, 26) * 4 == ds[i],
              "CALL26 %lld -> %08x", (long long)ds[i], w);
        w = a64(JIT_R_A64_JUMP26, 0x14000000, P, P + ds[i], &ok);
        CHECK(ok && (w & 0xFC000000) == 0x14000000 && sext(w & 0x3FFFFFF, 26) * 4 == ds[i],
              "JUMP26 %lld -> %08x", (long long)ds[i], w);
    }
    uint8_t b[8];
    put32(b, 0x94000000);
    CHECK(!jit_reloc_apply(JIT_R_A64_CALL26, b, P, P + (1 << 27), &err) &&
          strstr(err.msg, "exceeds ±128 MiB"), "CALL26 range: %s", err.msg);
    CHECK(!jit_reloc_apply(JIT_R_A64_CALL26, b, P, P + 6, &err) &&
          strstr(err.msg, "not 4-byte aligned"), "CALL26 alignment: %s", err.msg);
    put32(b, 0xD503201F);   /* nop */
    CHECK(!jit_reloc_apply(JIT_R_A64_CALL26, b, P, P + 8, &err) &&
          strstr(err.msg, "is not b or bl"), "CALL26 on a nop: %s", err.msg);

    /* ADRP: page delta in immhi:immlo, rd kept. */
    int64_t pds[] = {0x87654321, -0x87654321, 0xFFFFF000, -0x100000000};   /* last two: edges */
    for (int k = 0; k < 2; k++) {
        jit_reloc_kind kind = k ? JIT_R_A64_ADR_GOT_PAGE : JIT_R_A64_ADR_PREL_PG_HI21;
        for (int i = 0; i < 4; i++) {
            uint64_t X = P + pds[i];
            w = a64(kind, 0x90000003, P, X, &ok);
            int64_t imm = sext(((w >> 29) & 3) | ((w >> 5) & 0x7FFFF) << 2, 21);
            CHECK(ok && (w & 0x9F00001F) == 0x90000003 &&
                  imm * 4096 == (int64_t)((X & ~0xfffull) - (P & ~0xfffull)),
                  "%s %lld -> %08x", jit_reloc_name(kind), (long long)pds[i], w);
        }
    }
    put32(b, 0x90000003);
    CHECK(!jit_reloc_apply(JIT_R_A64_ADR_PREL_PG_HI21, b, P, P + ((uint64_t)1 << 32), &err) &&
          strstr(err.msg, "exceeds ±4 GiB"), "ADRP range: %s", err.msg);

    /* ADD lo12: imm12 = X & 0xfff, registers kept. */
    w = a64(JIT_R_A64_ADD_ABS_LO12_NC, 0x91000041, P, 0x123456789ABCull, &ok);
    CHECK(ok && w == (0x91000041 | 0xABC << 10), "ADD_ABS_LO12_NC -> %08x", w);
    /* Loads/stores: imm12 = lo12 >> log2(size). */
    static const struct { jit_reloc_kind k; uint32_t insn; unsigned sh; } ls[] = {
        {JIT_R_A64_LDST8_ABS_LO12_NC, 0x39400041, 0},   /* ldrb w1,[x2] */
        {JIT_R_A64_LDST16_ABS_LO12_NC, 0x79400041, 1},  /* ldrh */
        {JIT_R_A64_LDST32_ABS_LO12_NC, 0xB9400041, 2},  /* ldr w */
        {JIT_R_A64_LDST64_ABS_LO12_NC, 0xF9400041, 3},  /* ldr x */
        {JIT_R_A64_LDST128_ABS_LO12_NC, 0x3DC00041, 4}, /* ldr q */
        {JIT_R_A64_LD64_GOT_LO12_NC, 0xF9400210, 3},    /* ldr x16,[x16] */
    };
    for (size_t i = 0; i < sizeof ls / sizeof *ls; i++) {
        uint64_t X = 0x55550000ABC0ull;
        w = a64(ls[i].k, ls[i].insn, P, X, &ok);
        CHECK(ok && w == (ls[i].insn | (0xBC0u >> ls[i].sh) << 10), "%s -> %08x",
              jit_reloc_name(ls[i].k), w);
        if (ls[i].sh) {
            put32(b, ls[i].insn);
            CHECK(!jit_reloc_apply(ls[i].k, b, P, X + (1u << ls[i].sh) / 2, &err) &&
                  strstr(err.msg, "aligned"), "%s misaligned: %s", jit_reloc_name(ls[i].k),
                  err.msg);
        }
    }
    put32(b, 0x91000041);
    CHECK(!jit_reloc_apply(JIT_R_A64_LDST64_ABS_LO12_NC, b, P, 8, &err) &&
          strstr(err.msg, "not a load/store"), "LDST64 on an add: %s", err.msg);

    /* MOVW: imm16 = X >> 16n, hw = n; checked groups refuse bits above. */
    uint64_t X = 0x1122334455667788ull;
    static const jit_reloc_kind mv[] = {JIT_R_A64_MOVW_UABS_G0_NC, JIT_R_A64_MOVW_UABS_G1_NC,
                                        JIT_R_A64_MOVW_UABS_G2_NC, JIT_R_A64_MOVW_UABS_G3};
    for (unsigned n = 0; n < 4; n++) {
        uint32_t insn = n ? 0xF2800000 : 0xD2800000;     /* movk x0 / movz x0 */
        w = a64(mv[n], insn, P, X, &ok);
        CHECK(ok && ((w >> 21) & 3) == n && ((w >> 5) & 0xFFFF) == ((X >> 16 * n) & 0xFFFF) &&
              (w & 0xFF80001F) == insn, "%s -> %08x", jit_reloc_name(mv[n]), w);
    }
    static const struct { jit_reloc_kind k; unsigned n; uint64_t fits, not; } chk[] = {
        {JIT_R_A64_MOVW_UABS_G0, 0, 0xFFFF, 0x10000},
        {JIT_R_A64_MOVW_UABS_G1, 1, 0xFFFFFFFF, 0x100000000ull},
        {JIT_R_A64_MOVW_UABS_G2, 2, 0xFFFFFFFFFFFFull, 0x1000000000000ull},
    };
    for (int i = 0; i < 3; i++) {
        w = a64(chk[i].k, 0xD2800000, P, chk[i].fits, &ok);
        CHECK(ok && ((w >> 21) & 3) == chk[i].n && ((w >> 5) & 0xFFFF) == 0xFFFF, "%s fits -> %08x",
              jit_reloc_name(chk[i].k), w);
        put32(b, 0xD2800000);
        CHECK(!jit_reloc_apply(chk[i].k, b, P, chk[i].not, &err) && strstr(err.msg, "does not fit"),
              "%s overflow: %s", jit_reloc_name(chk[i].k), err.msg);
    }
    put32(b, 0x52800000);   /* movz w0: no group 2 */
    CHECK(!jit_reloc_apply(JIT_R_A64_MOVW_UABS_G2_NC, b, P, X, &err) &&
          strstr(err.msg, "64-bit move"), "G2 on a w register: %s", err.msg);
    /* ABS8. */
    memset(b, 0, 8);
    CHECK(jit_reloc_apply(JIT_R_ABS8, b, P, X, &err) && get64(b) == X, "ABS8");
}

/* AArch64 modules linked on any host: a far bl goes to a veneer
 * (adrp x16; ldr x16; br x16) whose GOT slot holds the callee. */
static void test_a64_link(bool spread)
{
    const char *tag = spread ? "aarch64 spread" : "aarch64";
    jit_error err = {0};
    jit_ctx *ctx = jit_ctx_new(&(jit_config){.arch = JIT_ARCH_AARCH64, .spread = spread}, &err);
    CHECK(ctx != NULL, "%s ctx: %s", tag, err.msg);
    if (!ctx)
        return;
    asm_fn inc = fn_inc(JIT_ARCH_AARCH64), ci = fn_call(JIT_ARCH_AARCH64, "inc", 1),
           cs = fn_call(JIT_ARCH_AARCH64, "strlen", 2);
    uint64_t answer = 77;
    jit_module *lib = jit_module_new(ctx, "lib", &err), *user = jit_module_new(ctx, "user", &err);
    jit_func f = func_of("inc", &inc);
    OK(jit_module_add_func(lib, &f, &err));
    OK(jit_module_add_data(lib, &(jit_data){.name = "answer", .bytes = &answer, .size = 8}, &err));
    OK(jit_module_link(lib, &err));
    OK(jit_module_finalize(lib, &err));
    /* adrp x0, GOT(answer); ldr x0,[x0,#lo]; ldr x0,[x0]; ret */
    asm_fn ga = {{0}, 16, {{0, JIT_R_A64_ADR_GOT_PAGE, 0, "answer", 3, 1},
                           {4, JIT_R_A64_LD64_GOT_LO12_NC, 0, "answer", 3, 1}}, 2};
    put32(ga.code, 0x90000000);
    put32(ga.code + 4, 0xF9400000);
    put32(ga.code + 8, 0xF9400000);
    put32(ga.code + 12, 0xD65F03C0);
    jit_func fs[] = {func_of("call_inc", &ci), func_of("call_strlen", &cs), func_of("getans", &ga)};
    for (int i = 0; i < 3; i++)
        OK(jit_module_add_func(user, &fs[i], &err));
    OK(jit_module_link(user, &err));
    OK(jit_module_finalize(user, &err));

    const uint8_t *pci = jit_module_lookup(user, "call_inc"), *pga = jit_module_lookup(user, "getans");
    uint64_t inc_p = (uintptr_t)jit_module_lookup(lib, "inc");
    uint64_t ans_p = (uintptr_t)jit_module_lookup(lib, "answer");
    CHECK(pci && pga, "%s: lookups", tag);
    if (!pci || !pga)
        return;
    uint64_t blP = (uintptr_t)pci + 4;
    uint32_t bl = get32(pci + 4);
    uint64_t tgt = blP + sext(bl & 0x3FFFFFF, 26) * 4;
    jit_module_stats st;
    jit_module_stats_get(user, &st);
    if (spread || tgt != inc_p) {
        /* Decode the veneer: adrp x16 page, ldr x16 offset -> GOT slot -> inc. */
        const uint8_t *v = (const uint8_t *)(uintptr_t)tgt;
        uint32_t adrp = get32(v), ldr = get32(v + 4), br = get32(v + 8);
        int64_t pg = sext(((adrp >> 29) & 3) | ((adrp >> 5) & 0x7FFFF) << 2, 21);
        uint64_t slot = ((tgt & ~0xfffull) + pg * 4096) + ((ldr >> 10) & 0xFFF) * 8;
        CHECK((adrp & 0x9F00001F) == 0x90000010 && (ldr & 0xFFC003FF) == 0xF9400210 &&
              br == 0xD61F0200, "%s: veneer %08x %08x %08x", tag, adrp, ldr, br);
        CHECK(get64((void *)(uintptr_t)slot) == inc_p, "%s: veneer's GOT slot", tag);
        CHECK(tgt >= st.base && tgt < st.base + st.text_bytes, "%s: veneer in the caller's text", tag);
    }
    if (spread)
        CHECK(st.stub_calls == 2 && st.direct_calls == 0 && dist(blP, inc_p) > ((uint64_t)4 << 30),
              "%s: stub_calls %u direct %u", tag, st.stub_calls, st.direct_calls);
    else
        CHECK(tgt == inc_p, "%s: nearby modules call directly", tag);
    /* getans: adrp/ldr pair reaches the GOT slot, which holds answer's address. */
    uint32_t adrp = get32(pga), ldr = get32(pga + 4);
    int64_t pg = sext(((adrp >> 29) & 3) | ((adrp >> 5) & 0x7FFFF) << 2, 21);
    uint64_t slot = (((uintptr_t)pga & ~0xfffull) + pg * 4096) + ((ldr >> 10) & 0xFFF) * 8;
    CHECK(get64((void *)(uintptr_t)slot) == ans_p, "%s: GOT access to answer", tag);
    jit_ctx_free(ctx);
}

/* ---- many modules ------------------------------------------------------------------ */

/* n modules alive at once, each exporting f<i> (returns i, trap record i at
 * offset 0), found by name and by pc, then freed in a shuffled order. */
static void test_live(jit_ctx *ctx, const char *tag, int n)
{
    jit_error err = {0};
    jit_ctx_stats before, after;
    jit_ctx_stats_get(ctx, &before);
    jit_module **ms = calloc(n, sizeof *ms);
    int *order = malloc(n * sizeof *order), bad = 0;
    char name[32];
    for (int i = 0; i < n; i++) {
        uint8_t code[] = {0xB8, (uint8_t)i, (uint8_t)(i >> 8), 0, 0, 0xC3};
        jit_trap t = {0, (uint32_t)i};
        snprintf(name, sizeof name, "f%d", i);
        jit_func f = {.name = name, .code = code, .size = sizeof code, .traps = &t, .ntraps = 1};
        ms[i] = jit_module_new(ctx, name, &err);
        if (!jit_module_add_func(ms[i], &f, &err) || !jit_module_link(ms[i], &err) ||
            !jit_module_finalize(ms[i], &err)) {
            CHECK(0, "%s: module %d: %s", tag, i, err.msg);
            return;
        }
        order[i] = i;
    }
    srand(12345);
    for (int i = n - 1; i > 0; i--) {
        int j = rand() % (i + 1), t = order[i];
        order[i] = order[j], order[j] = t;
    }
    for (int k = 0; k < n; k++) {
        if (k % 97 == 0)
            for (int j = k; j < n; j += n / 50 + 1) {
                int i = order[j];
                snprintf(name, sizeof name, "f%d", i);
                jit_module *owner = NULL;
                void *p = jit_lookup(ctx, name, &owner);
                jit_trap_info ti;
                bad += !p || owner != ms[i] || jit_module_at(ctx, p) != ms[i] ||
                       !jit_trap_lookup(ctx, (uintptr_t)p, &ti) || !ti.has_trap ||
                       ti.code != (uint32_t)i || strcmp(ti.func_name, name) ||
                       (x86_host && ((int (*)(void))p)() != i);
            }
        if (!jit_module_free(ms[order[k]], &err))
            bad++;
    }
    jit_ctx_stats_get(ctx, &after);
    CHECK(bad == 0, "%s: %d bad lookups", tag, bad);
    CHECK(after.live_modules == before.live_modules &&
          after.committed_bytes == before.committed_bytes && after.regions <= before.regions + 1,
          "%s: after freeing: %zu live, %zu committed, %zu regions", tag, after.live_modules,
          after.committed_bytes, after.regions);
    free(ms);
    free(order);
}

static void test_many(jit_ctx *ctx, const char *tag, long n)
{
    jit_error err = {0};
    jit_arch a = jit_ctx_arch(ctx);
    asm_fn inc = fn_inc(a), ci = fn_call(a, "inc", 1), cs = fn_call(a, "strlen", 2);
    jit_module *lib = jit_module_new(ctx, "lib", &err);
    jit_func fi = func_of("inc", &inc);
    OK(jit_module_add_func(lib, &fi, &err));
    OK(jit_module_link(lib, &err));
    OK(jit_module_finalize(lib, &err));
    jit_ctx_stats before;
    jit_ctx_stats_get(ctx, &before);
    size_t base_rss = 0, peak = 0;
    long bad = 0;
    double t0 = now();
    for (long i = 0; i < n; i++) {
        jit_module *m = jit_module_new(ctx, "many", &err);
        jit_func f1 = func_of("call_inc", &ci), f2 = func_of("call_strlen", &cs);
        f1.local = f2.local = true;
        if (!m || !jit_module_add_func(m, &f1, &err) || !jit_module_add_func(m, &f2, &err) ||
            !jit_module_link(m, &err) || !jit_module_finalize(m, &err)) {
            CHECK(0, "%s: module %ld: %s", tag, i, err.msg);
            return;
        }
        fn1 p1 = (fn1)jit_module_lookup(m, "call_inc"), p2 = (fn1)jit_module_lookup(m, "call_strlen");
        bad += p1(i) != i + 1 || p2((long)cross_str) != 10;
        if (!jit_module_free(m, &err)) {
            CHECK(0, "%s: free %ld: %s", tag, i, err.msg);
            return;
        }
        if (i + 1 == 100)
            base_rss = peak = rss_bytes();
        else if (i > 100 && i % 1000 == 0) {
            size_t r = rss_bytes();
            peak = r > peak ? r : peak;
        }
    }
    double t = now() - t0;
    size_t end = rss_bytes();
    peak = end > peak ? end : peak;
    jit_ctx_stats cs_;
    jit_ctx_stats_get(ctx, &cs_);
    CHECK(bad == 0, "%s: %ld wrong results", tag, bad);
    /* under an emulator (RUN_TEST_SINGLE, set with RUN=qemu-...) the RSS is also
     * qemu's cache of translated code, which grows with every new module */
    bool emulated = getenv("RUN_TEST_SINGLE") != NULL;
    /* AddressSanitizer keeps freed memory in quarantine: RSS says nothing */
#if defined(__SANITIZE_ADDRESS__)
    emulated = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    emulated = true;
#endif
#endif
    CHECK(n < 200 || emulated || peak <= 2 * base_rss, "%s: peak RSS %zu KiB > 2 x %zu KiB", tag,
          peak >> 10, base_rss >> 10);
    CHECK(cs_.live_modules == before.live_modules && cs_.committed_bytes == before.committed_bytes,
          "%s: %zu live, %zu committed after the loop", tag, cs_.live_modules,
          cs_.committed_bytes);
    printf("  %-14s %ld modules in %.2f s: %.0f modules/s; RSS after 100 %zu KiB, peak %zu KiB,"
               " end %zu KiB; reserved %zu KiB in %zu regions\n", tag, n, t, n / t,
               base_rss >> 10, peak >> 10, end >> 10, cs_.reserved_bytes >> 10, cs_.regions);
    OK(jit_module_free(lib, &err));
}

int main(int argc, char **argv)
{
    long n = 100000;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-n") && i + 1 < argc)
            n = atol(argv[++i]);
    setvbuf(stdout, NULL, _IOLBF, 0);
    x86_host = jit_host_arch() == JIT_ARCH_X86_64;
    jit_error err = {0};
    jit_ctx *near = jit_ctx_new(NULL, &err);
    jit_ctx *far = jit_ctx_new(&(jit_config){.spread = true}, &err);
    /* alias: code written through a second, read+write view (x86-64:
     * qemu-user, where AArch64 is tested, takes seconds a module with it) */
    jit_ctx *twin = x86_host ? jit_ctx_new(&(jit_config){.alias = true}, &err) : NULL;
    CHECK(near && far && (twin || !x86_host), "contexts: %s", err.msg);
    if (!near || !far || (!twin && x86_host))
        return 1;

    test_a64_relocs();
    test_a64_link(false);
    test_a64_link(true);
    test_basic(near, "basic");
    test_basic(far, "basic spread");
    test_stale(near, "stale");
    if (x86_host) {
        test_basic(twin, "basic alias");
        test_stale(twin, "stale alias");
        test_cross(twin, "cross alias", false);
        test_group(twin, "group alias");
        test_traps(twin, "traps alias");
        test_cross(near, "cross", false);
        test_cross(far, "cross spread", true);
        test_embedder();
        test_group(near, "group");
        test_group(far, "group spread");
        test_qsort(near, "qsort");
        test_qsort(far, "qsort spread");
        test_traps(near, "traps");
        test_errors(far, near);
    }
    CHECK(wx_mappings() == 0, "a mapping is writable and executable");
    test_relink_moved(near, "near");
    test_relink_moved(far, "spread");
    if (twin)
        test_relink_moved(twin, "alias");
    test_large(near, "large");
    test_large(far, "large_spread");
    if (twin)
        test_large(twin, "large_alias");
    test_large_rx_fail();
    test_bulk(near, "bulk");
    test_bulk(far, "bulk_spread");
    test_live(near, "live", 3000);
    test_live(far, "live spread", 3000);
    if (twin)
        test_live(twin, "live alias", 3000);
    test_many(near, "many", n);
    if (twin)
        test_many(twin, "many alias", n);
    test_many(far, "many spread", n);
    CHECK(wx_mappings() == 0, "a mapping is writable and executable");
    jit_ctx_free(near);
    jit_ctx_free(far);
    if (twin)
        jit_ctx_free(twin);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
