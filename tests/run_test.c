/* tests/run_test.c: unit tests of lib/run — values printed and compared as
 * Cranelift's runner does, calls through libffi and the trampoline buffers,
 * guarded calls that trap or loop.  Ends with "N passed, N failed"; exit
 * status 1 on any failure.  V=1 in the environment prints every check;
 * RUN_TEST_SINGLE=1 skips the tests that start threads or fork (qemu-user
 * 7.2 hangs in clone in some containers). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "run/run.h"
#include "reader/reader.h"
#include "verify/verify.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <termios.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int passed, failed;
static bool verbose;

/* the condition first: the message shows the values it was decided on */
#define CHECK(cond, ...) do { bool ok_ = (cond); check_(ok_, __LINE__, __VA_ARGS__); } while (0)
static void check_(bool ok, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void check_(bool ok, int line, const char *fmt, ...)
{
    ok ? passed++ : failed++;
    if (ok && !verbose)
        return;
    va_list ap;
    va_start(ap, fmt);
    printf("%s run_test.c:%d: ", ok ? "ok  " : "FAIL", line);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
}

#define CHECK_STR(got, want) check_str_((got), (want), #got, __LINE__)
static void check_str_(const char *got, const char *want, const char *what, int line)
{
    check_(strcmp(got, want) == 0, line, "%s: got \"%s\", want \"%s\"", what, got, want);
}

/* ---- value helpers ---------------------------------------------------------- */

typedef unsigned __int128 u128;

static ir_data_value dv(ir_type t, u128 bits)
{
    ir_data_value v;
    memset(&v, 0xa5, sizeof v);     /* bytes past the type's size must not matter */
    v.type = t;
    for (unsigned i = 0; i < ir_type_bytes(t) && i < 16; i++)
        v.bytes[i] = (uint8_t)(bits >> (8 * i));
    return v;
}

static u128 hi_lo(uint64_t hi, uint64_t lo) { return (u128)hi << 64 | lo; }

/* A vector from lanes given as u64 (little-endian lane order). */
static ir_data_value vec(ir_type t, const uint64_t *lanes)
{
    ir_data_value v = dv(t, 0);
    unsigned lb = ir_type_lane_bits(t) / 8;
    for (unsigned i = 0; i < ir_type_lanes(t); i++)
        for (unsigned k = 0; k < lb; k++)
            v.bytes[i * lb + k] = (uint8_t)(lanes[i] >> (8 * k));
    return v;
}

static const char *fmt(ir_data_value v)
{
    static char buf[8][128];
    static int k;
    k = (k + 1) % 8;
    run_value_format(buf[k], sizeof buf[k], &v);
    return buf[k];
}

static const char *fmt_lanes(ir_data_value v)
{
    static char buf[128];
    run_value_format_lanes(buf, sizeof buf, &v);
    return buf;
}

/* What a FILE-printing function wrote. */
typedef struct capture { char *buf; size_t len; FILE *f; } capture;
static FILE *cap_open(capture *c) { return c->f = open_memstream(&c->buf, &c->len); }
static const char *cap_close(capture *c)
{
    static char out[4096];
    fclose(c->f);
    snprintf(out, sizeof out, "%s", c->buf ? c->buf : "");
    free(c->buf);
    return out;
}

#define I32X4 ir_type_make(IR_I32, 2)
#define I8X16 ir_type_make(IR_I8, 4)
#define I16X8 ir_type_make(IR_I16, 3)
#define I64X2 ir_type_make(IR_I64, 1)
#define F32X4 ir_type_make(IR_F32, 2)
#define F64X2 ir_type_make(IR_F64, 1)
#define I8X8 ir_type_make(IR_I8, 3)
#define I32X2 ir_type_make(IR_I32, 1)
#define I16X2 ir_type_make(IR_I16, 1)
#define I8X2 ir_type_make(IR_I8, 1)

/* ---- printing: expectations from Cranelift's Display ------------------------ */

static void test_print(void)
{
    /* integers: signed decimal (DataValue::I8(i8) ... I128) */
    CHECK_STR(fmt(dv(IR_I8, 0xff)), "-1");
    CHECK_STR(fmt(dv(IR_I8, 0x7f)), "127");
    CHECK_STR(fmt(dv(IR_I8, 0x80)), "-128");
    CHECK_STR(fmt(dv(IR_I16, 0x8000)), "-32768");
    CHECK_STR(fmt(dv(IR_I16, 16)), "16");
    CHECK_STR(fmt(dv(IR_I32, 0xffffffff)), "-1");
    CHECK_STR(fmt(dv(IR_I32, 42)), "42");
    CHECK_STR(fmt(dv(IR_I32, 0x80000000)), "-2147483648");
    CHECK_STR(fmt(dv(IR_I64, 0x8000000000000000)), "-9223372036854775808");
    CHECK_STR(fmt(dv(IR_I64, 64)), "64");
    /* parser.rs parse_data_values: 0x01234567_01234567_01234567_01234567 */
    CHECK_STR(fmt(dv(IR_I128, hi_lo(0x0123456701234567, 0x0123456701234567))),
              "1512366032949150931280199141537564007");
    CHECK_STR(fmt(dv(IR_I128, hi_lo(0x8000000000000000, 0))),
              "-170141183460469231731687303715884105728");
    CHECK_STR(fmt(dv(IR_I128, ~(u128)0)), "-1");
    CHECK_STR(fmt(dv(IR_I128, 1234567)), "1234567");

    /* floats: immediates.rs format_ieee16/32/64/128 and parse_data_values */
    CHECK_STR(fmt(dv(IR_F16, 0x4d84)), "0x1.610p4");
    CHECK_STR(fmt(dv(IR_F16, 0x8000)), "-0.0");
    CHECK_STR(fmt(dv(IR_F16, 0x3e00)), "0x1.800p0");
    CHECK_STR(fmt(dv(IR_F16, 0x0001)), "0x0.004p-14");
    CHECK_STR(fmt(dv(IR_F16, 0xfc00)), "-Inf");
    CHECK_STR(fmt(dv(IR_F16, 0x7e00)), "+NaN");
    CHECK_STR(fmt(dv(IR_F16, 0x7f01)), "+NaN:0x101");
    CHECK_STR(fmt(dv(IR_F16, 0x7c01)), "+sNaN:0x1");
    CHECK_STR(fmt(dv(IR_F32, 0x4248c800)), "0x1.919000p5");  /* 0x32.32 */
    CHECK_STR(fmt(dv(IR_F32, 0)), "0.0");
    CHECK_STR(fmt(dv(IR_F32, 0x80000000)), "-0.0");
    CHECK_STR(fmt(dv(IR_F32, 0x3f800000)), "0x1.000000p0");
    CHECK_STR(fmt(dv(IR_F32, 0xff7fffff)), "-0x1.fffffep127");
    CHECK_STR(fmt(dv(IR_F32, 0x00000001)), "0x0.000002p-126");
    CHECK_STR(fmt(dv(IR_F32, 0x7f800000)), "+Inf");
    CHECK_STR(fmt(dv(IR_F32, 0x7fc00000)), "+NaN");
    CHECK_STR(fmt(dv(IR_F32, 0xffc00000)), "-NaN");
    CHECK_STR(fmt(dv(IR_F32, 0x7ff00001)), "+NaN:0x300001");
    CHECK_STR(fmt(dv(IR_F32, 0x7fa00001)), "+sNaN:0x200001");
    CHECK_STR(fmt(dv(IR_F64, 0x4059190000000000)), "0x1.9190000000000p6"); /* 0x64.64 */
    CHECK_STR(fmt(dv(IR_F64, 0x3ff0000000000000)), "0x1.0000000000000p0");
    CHECK_STR(fmt(dv(IR_F64, 0x0000000000000001)), "0x0.0000000000001p-1022");
    CHECK_STR(fmt(dv(IR_F64, 0xfff0000000000000)), "-Inf");
    CHECK_STR(fmt(dv(IR_F64, 0x7ffc000000000001)), "+NaN:0x4000000000001");
    CHECK_STR(fmt(dv(IR_F64, 0x7ff0000000000001)), "+sNaN:0x1");
    CHECK_STR(fmt(dv(IR_F128, hi_lo(0x4007281280000000, 0))),
              "0x1.2812800000000000000000000000p8");              /* 0x128.128 */
    CHECK_STR(fmt(dv(IR_F128, hi_lo(0x3fff000000000000, 0))),
              "0x1.0000000000000000000000000000p0");
    CHECK_STR(fmt(dv(IR_F128, 1)), "0x0.0000000000000000000000000001p-16382");
    CHECK_STR(fmt(dv(IR_F128, hi_lo(0x7fffc00000000000, 1))),
              "+NaN:0x4000000000000000000000000001");
    CHECK_STR(fmt(dv(IR_F128, hi_lo(0xffff000000000000, 0))), "-Inf");

    /* vectors: ConstantData, bytes from the last ("[0 1 2 3]" as i32x4) */
    uint64_t l0123[] = {0, 1, 2, 3};
    CHECK_STR(fmt(vec(I32X4, l0123)), "0x00000003000000020000000100000000");
    uint64_t l8[] = {1, 2, 3, 4, 5, 6, 7, 0xff};
    CHECK_STR(fmt(vec(I8X8, l8)), "0xff07060504030201");              /* V64 */
    uint64_t l2[] = {0xabcd, 0x1234};
    CHECK_STR(fmt(vec(I16X2, l2)), "0x1234abcd");                     /* V32 */
    uint64_t lb[] = {0x01, 0x80};
    CHECK_STR(fmt(vec(I8X2, lb)), "0x8001");                          /* V16 */
    uint64_t lf[] = {0x3f800000, 0x80000000, 0x7fc00000, 0x7f800000};
    CHECK_STR(fmt(vec(F32X4, lf)), "0x7f8000007fc00000800000003f800000");

    /* the lane form */
    uint64_t l1234[] = {1, 2, 3, 0xfffffffc};
    CHECK_STR(fmt_lanes(vec(I32X4, l1234)), "[1 2 3 -4]");
    CHECK_STR(fmt_lanes(vec(F32X4, lf)), "[0x1.000000p0 -0.0 +NaN +Inf]");
    uint64_t l16[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0xff};
    CHECK_STR(fmt_lanes(vec(I8X16, l16)), "[0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 -1]");
    uint64_t ld[] = {0x3ff8000000000000, 0x8000000000000000};
    CHECK_STR(fmt_lanes(vec(F64X2, ld)), "[0x1.8000000000000p0 -0.0]");
    CHECK_STR(fmt_lanes(dv(IR_I32, 7)), "7");

    /* snprintf contract */
    char small[5];
    int n = run_value_format(small, sizeof small, &(ir_data_value){IR_I64, {0}});
    CHECK(n == 1 && !strcmp(small, "0"), "short value formats whole");
    ir_data_value big = dv(IR_I64, 0x8000000000000000);
    n = run_value_format(small, sizeof small, &big);
    CHECK(n == 20 && !strcmp(small, "-922"), "truncated: n=%d \"%s\"", n, small);

    /* DisplayDataValues / write_data_value_list */
    ir_data_value three[] = {dv(IR_I32, 1), dv(IR_F32, 0x3fc00000), vec(I32X4, l0123)};
    capture c;
    run_results_print(cap_open(&c), three, 0, 0);
    CHECK_STR(cap_close(&c), "[]");
    run_results_print(cap_open(&c), three, 1, 0);
    CHECK_STR(cap_close(&c), "1");
    run_results_print(cap_open(&c), three, 3, 0);
    CHECK_STR(cap_close(&c), "[1, 0x1.800000p0, 0x00000003000000020000000100000000]");
    run_results_print(cap_open(&c), three, 3, RUN_FMT_LANES);
    CHECK_STR(cap_close(&c), "[1, 0x1.800000p0, [0 1 2 3]]");
    run_values_print(cap_open(&c), three, 2, 0);
    CHECK_STR(cap_close(&c), "1, 0x1.800000p0");
}

/* ---- comparison: DataValue::bitwise_eq and compare_results ------------------ */

static void test_compare(void)
{
    ir_data_value a, b;
#define EQ(x, y, want) do { a = (x), b = (y); \
    CHECK(run_value_eq(&a, &b) == (want), "%s %s %s", fmt(a), (want) ? "==" : "!=", fmt(b)); } while (0)
    EQ(dv(IR_I32, 5), dv(IR_I32, 5), true);
    EQ(dv(IR_I32, 5), dv(IR_I32, 6), false);
    EQ(dv(IR_I32, 5), dv(IR_I8, 5), false);             /* I32(_) vs I8(_) */
    EQ(dv(IR_I64, 5), dv(IR_F64, 5), false);
    EQ(dv(IR_I128, ~(u128)0), dv(IR_I128, ~(u128)0), true);
    EQ(dv(IR_F32, 0x7fc00000), dv(IR_F32, 0x7fc00000), true);   /* NaN == NaN, bit for bit */
    EQ(dv(IR_F32, 0x7fc00000), dv(IR_F32, 0x7fc00001), false);  /* payloads count */
    EQ(dv(IR_F32, 0x7fc00000), dv(IR_F32, 0xffc00000), false);  /* so does the sign */
    EQ(dv(IR_F32, 0), dv(IR_F32, 0x80000000), false);           /* 0.0 vs -0.0 */
    EQ(dv(IR_F64, 0x7ff8000000000000), dv(IR_F64, 0x7ff8000000000000), true);
    EQ(dv(IR_F64, 0x7ff0000000000001), dv(IR_F64, 0x7ff8000000000001), false);
    EQ(dv(IR_F16, 0x7e00), dv(IR_F16, 0x7e00), true);
    EQ(dv(IR_F16, 0x7e00), dv(IR_F16, 0x7e01), false);
    EQ(dv(IR_F128, hi_lo(0x7fff800000000000, 0)), dv(IR_F128, hi_lo(0x7fff800000000000, 0)), true);
    EQ(dv(IR_F128, hi_lo(0x7fff800000000000, 0)), dv(IR_F128, hi_lo(0x7fff800000000000, 2)), false);
    uint64_t l[] = {1, 2, 3, 4}, m[] = {1, 2, 3, 5};
    EQ(vec(I32X4, l), vec(I32X4, l), true);
    EQ(vec(I32X4, l), vec(I32X4, m), false);
    EQ(vec(I32X4, l), dv(I8X16, 0), false);
    ir_data_value as_i8 = vec(I32X4, l);
    as_i8.type = I8X16;
    EQ(vec(I32X4, l), as_i8, true);                     /* both V128: raw bytes */
    EQ(vec(I32X4, l), dv(I32X2, 0), false);             /* V128 vs V64 */
    uint64_t nan4[] = {0x7fc00000, 0, 0, 0}, nan4b[] = {0x7fc00001, 0, 0, 0};
    EQ(vec(F32X4, nan4), vec(F32X4, nan4), true);
    EQ(vec(F32X4, nan4), vec(F32X4, nan4b), false);
#undef EQ

    ir_data_value r2[] = {dv(IR_I32, 1), dv(IR_I64, 2)}, e2[] = {dv(IR_I32, 1), dv(IR_I64, 2)};
    ir_data_value e2b[] = {dv(IR_I32, 1), dv(IR_I64, 3)};
    CHECK(run_check(IR_CMP_EQ, r2, 2, e2, 2), "[1, 2] == [1, 2]");
    CHECK(!run_check(IR_CMP_EQ, r2, 2, e2b, 2), "[1, 2] == [1, 3] fails");
    CHECK(run_check(IR_CMP_NE, r2, 2, e2b, 2), "[1, 2] != [1, 3]");
    CHECK(!run_check(IR_CMP_NE, r2, 2, e2, 2), "[1, 2] != [1, 2] fails");
    CHECK(!run_check(IR_CMP_EQ, r2, 1, e2, 2), "count differs: == fails");
    CHECK(run_check(IR_CMP_NE, r2, 1, e2, 2), "count differs: != passes");
    CHECK(run_check(IR_CMP_EQ, r2, 0, e2, 0), "[] == []");
    ir_data_value z = dv(IR_I8, 0), one = dv(IR_I64, 1ull << 40), nz = dv(IR_F32, 0x80000000);
    CHECK(!run_check(IR_CMP_NONE, &z, 1, NULL, 0), "truthy: 0 fails");
    CHECK(run_check(IR_CMP_NONE, &one, 1, NULL, 0), "truthy: 1<<40 passes");
    CHECK(run_check(IR_CMP_NONE, &nz, 1, NULL, 0), "truthy: -0.0 has a bit set");
    CHECK(!run_check(IR_CMP_NONE, r2, 2, NULL, 0), "truthy: two results fail");
}

/* ---- functions to call ------------------------------------------------------- */

#if defined(__clang__)
#define NOIPA __attribute__((noinline, optnone))
#else
#define NOIPA __attribute__((noipa))
#endif
/* the trapping functions trap in hardware, also in sanitizer builds */
#define NOSAN __attribute__((no_sanitize("address", "undefined")))
NOIPA static int64_t c_id64(int64_t x) { return x; }
NOIPA static int32_t c_add(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
NOIPA static float c_halve(float x) { return x / 2; }
NOIPA static double c_mix(int8_t a, int16_t b, int32_t c, int64_t d, float e, double f)
{
    return a + b + c + (double)d + e + f;
}
NOIPA static uint64_t c_ret_wide(void) { return 0x12345678ffffff80ull; }
static int counter;
NOIPA static void c_void(void) { counter++; }
NOIPA static double c_sum(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4,
                          int64_t a5, int64_t a6, int64_t a7, int64_t a8, int64_t a9,
                          double d0, double d1, double d2, double d3, double d4,
                          double d5, double d6, double d7, double d8, double d9,
                          int8_t s, float f)
{
    return (double)(a0 + 2 * a1 + 3 * a2 + 4 * a3 + 5 * a4 + 6 * a5 + 7 * a6 + 8 * a7 + 9 * a8 +
                    10 * a9) +
           d0 + 2 * d1 + 3 * d2 + 4 * d3 + 5 * d4 + 6 * d5 + 7 * d6 + 8 * d7 + 9 * d8 +
           10 * d9 + 1000 * s + f;
}
#if defined(__x86_64__)
NOIPA __attribute__((ms_abi)) static double c_win(int32_t a, double b, int64_t c, float d,
                                                   int8_t e, double f)
{
    return a * 100000.0 + b * 10000 + (double)c * 1000 + d * 100 + e * 10 + f;
}
#endif

/* (i64) -> i64, i128 through a hand-written stand-in for a compiled trampoline */
typedef struct pair { int64_t a; __int128 b; } pair;
NOIPA static pair c_pair(int64_t x) { return (pair){x + 1, (__int128)x << 64 | 7}; }
static void tramp_pair(void *callee, uint8_t *args, uint8_t *results)
{
    int64_t x;
    memcpy(&x, args, 8);
    pair p = ((pair(*)(int64_t))callee)(x);
    memcpy(results, &p.a, 8);
    memcpy(results + 16, &p.b, 16);
}
/* (i32x4, i8) -> i32x4: lanes + the scalar */
NOIPA static void c_vadd(int32_t *v, int8_t k) { for (int i = 0; i < 4; i++) v[i] += k; }
static void tramp_vadd(void *callee, uint8_t *args, uint8_t *results)
{
    int32_t v[4];
    memcpy(v, args, 16);
    ((void (*)(int32_t *, int8_t))callee)(v, (int8_t)args[16]);
    memcpy(results, v, 16);
}

/* A signature from type lists; params with ext. */
typedef struct sigdesc { ir_type t; uint8_t ext; uint8_t purpose; } sigdesc;
static ir_function *mkfn(const char *name, ir_callconv cc, const sigdesc *p, uint32_t np,
                         const sigdesc *r, uint32_t nr)
{
    ir_function *fn = malloc(sizeof *fn);
    ir_function_init(fn);
    fn->name.kind = IR_NAME_TESTCASE;
    fn->name.str = name;
    fn->sig = (ir_signature){.params = 0, .nparams = np, .rets = np, .nrets = nr, .callconv = cc};
    for (uint32_t i = 0; i < np + nr; i++) {
        const sigdesc *d = i < np ? &p[i] : &r[i - np];
        ir_abi_param ap = {.type = d->t, .ext = d->ext, .purpose = d->purpose};
        ir_vec_push(&fn->abi_params, ap);
    }
    return fn;
}

static void freefn(ir_function *fn)
{
    ir_function_free(fn);
    free(fn);
}

/* Calls fn's signature with args, unguarded; returns the status. */
static run_status call(void *code, run_trampoline_fn tramp, ir_function *fn,
                       const ir_data_value *args, uint32_t n, ir_data_value *res, run_outcome *oc)
{
    run_callee c = {code, tramp};
    return run_call(&c, fn, &fn->sig, args, n, res, NULL, oc);
}

static void test_calls(void)
{
    run_outcome oc;
    ir_data_value r[4];
    /* extension of narrow parameters, seen by a callee reading 64 bits */
    struct { ir_type t; uint8_t ext; u128 in; const char *want; } ext[] = {
        {IR_I8, IR_EXT_SEXT, 0xff, "-1"},
        {IR_I8, IR_EXT_UEXT, 0xff, "255"},
        {IR_I8, IR_EXT_NONE, 0x80, "128"},
        {IR_I16, IR_EXT_SEXT, 0x8000, "-32768"},
        {IR_I16, IR_EXT_UEXT, 0x8000, "32768"},
        {IR_I32, IR_EXT_SEXT, 0xfffffffb, "-5"},
        {IR_I32, IR_EXT_UEXT, 0xfffffffb, "4294967291"},
        {IR_I64, IR_EXT_SEXT, 0xfffffffffffffffb, "-5"},
    };
    for (unsigned i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        ir_function *fn = mkfn("id", IR_CC_default, &(sigdesc){ext[i].t, ext[i].ext, 0}, 1,
                               &(sigdesc){IR_I64, 0, 0}, 1);
        ir_data_value a = dv(ext[i].t, ext[i].in);
        run_status st = call((void *)c_id64, NULL, fn, &a, 1, r, &oc);
        CHECK(st == RUN_OK && !strcmp(fmt(r[0]), ext[i].want), "id(%s %s) -> %s, want %s",
              fmt(a), ext[i].ext == IR_EXT_SEXT ? "sext" : ext[i].ext ? "uext" : "",
              st == RUN_OK ? fmt(r[0]) : oc.msg, ext[i].want);
        freefn(fn);
    }

    sigdesc i32 = {IR_I32, 0, 0}, i64 = {IR_I64, 0, 0}, f32 = {IR_F32, 0, 0}, f64 = {IR_F64, 0, 0};
    ir_function *fn = mkfn("add", IR_CC_system_v, (sigdesc[]){i32, i32}, 2, &i32, 1);
    ir_data_value args[22] = {dv(IR_I32, 0x7fffffff), dv(IR_I32, 1)};
    CHECK(call((void *)c_add, NULL, fn, args, 2, r, &oc) == RUN_OK &&
          !strcmp(fmt(r[0]), "-2147483648") && r[0].type == IR_I32, "add wraps: %s", fmt(r[0]));
    CHECK(call((void *)c_add, NULL, fn, args, 1, r, &oc) == RUN_ERROR &&
          !strcmp(oc.msg, "1 argument given, the signature has 2 parameters"), "%s", oc.msg);
    args[1] = dv(IR_I64, 1);
    CHECK(call((void *)c_add, NULL, fn, args, 2, r, &oc) == RUN_ERROR &&
          !strcmp(oc.msg, "argument 2 is i64, the signature wants i32"), "%s", oc.msg);
    freefn(fn);
    /* a type with no value form is named (it was left unformatted) */
    fn = mkfn("wide8", IR_CC_default, (sigdesc[]){i32, {ir_type_make(IR_I32, 3), 0, 0}}, 2, &i32, 1);
    args[0] = dv(IR_I32, 1), args[1] = dv(ir_type_make(IR_I32, 3), 0);
    CHECK(call((void *)c_add, NULL, fn, args, 2, r, &oc) == RUN_ERROR &&
          !strcmp(oc.msg, "no value form for i32x8 (wider than 128 bits)"), "%s", oc.msg);
    freefn(fn);
    fn = mkfn("wider", IR_CC_default, &i32, 1, &(sigdesc){ir_type_make(IR_I64, 2), 0, 0}, 1);
    CHECK(call((void *)c_add, NULL, fn, args, 1, r, &oc) == RUN_ERROR &&
          !strcmp(oc.msg, "no value form for i64x4 (wider than 128 bits)"), "%s", oc.msg);
    freefn(fn);

    fn = mkfn("halve", IR_CC_default, &f32, 1, &f32, 1);
    args[0] = dv(IR_F32, 0x40400000); /* 3.0 */
    CHECK(call((void *)c_halve, NULL, fn, args, 1, r, &oc) == RUN_OK &&
          !strcmp(fmt(r[0]), "0x1.800000p0"), "halve(3.0) = %s", fmt(r[0]));
    freefn(fn);

    fn = mkfn("mix", IR_CC_default,
              (sigdesc[]){{IR_I8, IR_EXT_SEXT, 0}, {IR_I16, IR_EXT_SEXT, 0}, i32, i64, f32, f64}, 6,
              &f64, 1);
    double half = 0.5;
    uint64_t hb;
    memcpy(&hb, &half, 8);
    ir_data_value m[] = {dv(IR_I8, 0xfe), dv(IR_I16, 0xfffd), dv(IR_I32, 100), dv(IR_I64, 1000),
                         dv(IR_F32, 0x3e800000), dv(IR_F64, hb)};
    double want = -2 - 3 + 100 + 1000 + 0.25 + 0.5, got = 0;
    CHECK(call((void *)c_mix, NULL, fn, m, 6, r, &oc) == RUN_OK &&
          (memcpy(&got, r[0].bytes, 8), got == want), "mix = %g, want %g", got, want);
    freefn(fn);

    fn = mkfn("wide", IR_CC_default, NULL, 0, &(sigdesc){IR_I8, 0, 0}, 1);
    CHECK(call((void *)c_ret_wide, NULL, fn, NULL, 0, r, &oc) == RUN_OK &&
          !strcmp(fmt(r[0]), "-128") && r[0].bytes[1] == 0, "narrow result: %s", fmt(r[0]));
    freefn(fn);

    fn = mkfn("void", IR_CC_default, NULL, 0, NULL, 0);
    counter = 0;
    CHECK(call((void *)c_void, NULL, fn, NULL, 0, r, &oc) == RUN_OK && counter == 1, "void call");
    freefn(fn);

    /* 22 parameters: past every register, past the no-malloc limit */
    sigdesc sp[22];
    for (int i = 0; i < 10; i++)
        sp[i] = i64, sp[10 + i] = f64;
    sp[20] = (sigdesc){IR_I8, IR_EXT_SEXT, 0};
    sp[21] = f32;
    fn = mkfn("sum", IR_CC_default, sp, 22, &f64, 1);
    want = 0;
    for (int i = 0; i < 10; i++) {
        double d = i + 0.25;
        args[i] = dv(IR_I64, (u128)(i + 1));
        memcpy(&hb, &d, 8);
        args[10 + i] = dv(IR_F64, hb);
        want += (i + 1) * (i + 1) + (i + 1) * d;
    }
    args[20] = dv(IR_I8, 0xff);
    args[21] = dv(IR_F32, 0x3f000000);
    want += -1000 + 0.5;
    CHECK(call((void *)c_sum, NULL, fn, args, 22, r, &oc) == RUN_OK &&
          (memcpy(&got, r[0].bytes, 8), got == want), "sum of 22 = %g, want %g", got, want);
    freefn(fn);

#if defined(__x86_64__)
    fn = mkfn("win", IR_CC_windows_fastcall,
              (sigdesc[]){i32, f64, i64, f32, {IR_I8, IR_EXT_SEXT, 0}, f64}, 6, &f64, 1);
    double b = 2, f = 0.5;
    uint64_t bb, fb;
    memcpy(&bb, &b, 8), memcpy(&fb, &f, 8);
    ir_data_value w[] = {dv(IR_I32, 1), dv(IR_F64, bb), dv(IR_I64, 3), dv(IR_F32, 0x40800000),
                         dv(IR_I8, 0xfb), dv(IR_F64, fb)};
    CHECK(call((void *)c_win, NULL, fn, w, 6, r, &oc) == RUN_OK &&
          (memcpy(&got, r[0].bytes, 8), got == 123350.5), "windows_fastcall: %g (%s)", got, oc.msg);
    freefn(fn);
#endif

    /* what needs a trampoline, and the error when there is none */
    struct { const char *name; ir_callconv cc; sigdesc p, r; uint32_t nr; const char *why; } tr[] = {
        {"i128", IR_CC_default, {IR_I128, 0, 0}, i32, 1, "an i128 parameter"},
        {"f16", IR_CC_default, i32, {IR_F16, 0, 0}, 1, "an f16 result"},
        {"f128", IR_CC_default, {IR_F128, 0, 0}, i32, 1, "an f128 parameter"},
        {"vec", IR_CC_default, {I32X4, 0, 0}, i32, 1, "a vector parameter"},
        {"vecr", IR_CC_default, i32, {F64X2, 0, 0}, 1, "a vector result"},
        {"two", IR_CC_default, i32, i32, 2, "2 results"},
        {"tail", IR_CC_tail, i32, i32, 1, "calling convention tail"},
        {"fast", IR_CC_fast, i32, i32, 1, "calling convention fast"},
        {"winch", IR_CC_winch, i32, i32, 1, "calling convention winch"},
        {"sarg", IR_CC_default, {IR_I64, 0, IR_PURPOSE_SARG}, i32, 1, "an sarg parameter"},
        {"sret", IR_CC_default, {IR_I64, 0, IR_PURPOSE_SRET}, i32, 1, "an sret parameter"},
#if !defined(__x86_64__)
        {"win", IR_CC_windows_fastcall, i32, i32, 1, "calling convention windows_fastcall"},
#endif
        {"apple", IR_CC_apple_aarch64, i32, i32, 1, "calling convention apple_aarch64"},
    };
    for (unsigned i = 0; i < sizeof tr / sizeof tr[0]; i++) {
        fn = mkfn(tr[i].name, tr[i].cc, &tr[i].p, 1, (sigdesc[]){tr[i].r, tr[i].r}, tr[i].nr);
        const char *why = NULL;
        bool need = run_needs_trampoline(fn, &fn->sig, &why);
        CHECK(need && why && !strcmp(why, tr[i].why), "%s: needs a trampoline for \"%s\"",
              tr[i].name, why ? why : "(nothing)");
        ir_data_value a = dv(tr[i].p.t, 1);
        char want_msg[128];
        snprintf(want_msg, sizeof want_msg,
                 "a signature with %s needs a compiled trampoline (not yet supported)", tr[i].why);
        CHECK(call((void *)c_add, NULL, fn, &a, 1, r, &oc) == RUN_ERROR &&
              !strcmp(oc.msg, want_msg), "%s: %s", tr[i].name, oc.msg);
        freefn(fn);
    }
    fn = mkfn("ok", IR_CC_default, (sigdesc[]){i64, {IR_I64, 0, IR_PURPOSE_VMCTX}}, 2, &f64, 1);
    CHECK(!run_needs_trampoline(fn, &fn->sig, NULL), "vmctx goes through libffi");
    freefn(fn);

    /* through trampolines: the buffer layout */
    fn = mkfn("pair", IR_CC_default, &i64, 1, (sigdesc[]){i64, {IR_I128, 0, 0}}, 2);
    args[0] = dv(IR_I64, 41);
    CHECK(call((void *)c_pair, tramp_pair, fn, args, 1, r, &oc) == RUN_OK &&
          !strcmp(fmt(r[0]), "42") && !strcmp(fmt(r[1]), "756316507022091616263") &&
          r[1].type == IR_I128, "pair(41) = [%s, %s] %s", fmt(r[0]), fmt(r[1]), oc.msg);
    freefn(fn);
    fn = mkfn("vadd", IR_CC_default, (sigdesc[]){{I32X4, 0, 0}, {IR_I8, IR_EXT_SEXT, 0}}, 2,
              &(sigdesc){I32X4, 0, 0}, 1);
    uint64_t l[] = {1, 2, 3, 4};
    args[0] = vec(I32X4, l);
    args[1] = dv(IR_I8, 0xff);
    CHECK(call((void *)c_vadd, tramp_vadd, fn, args, 2, r, &oc) == RUN_OK &&
          !strcmp(fmt_lanes(r[0]), "[0 1 2 3]"), "vadd = %s", fmt_lanes(r[0]));
    args[0].type = I8X16;   /* any vector of the same size is accepted, as in Cranelift */
    CHECK(call((void *)c_vadd, tramp_vadd, fn, args, 2, r, &oc) == RUN_OK, "i8x16 for i32x4");
    uint8_t abuf[32];
    args[0].type = I32X4;
    run_pack_args(fn, &fn->sig, args, abuf);
    CHECK(abuf[0] == 1 && abuf[4] == 2 && abuf[12] == 4 && abuf[16] == 0xff && abuf[17] == 0 &&
          abuf[31] == 0, "packed slots: zero-filled past the value");
    freefn(fn);
}

/* ---- the trampoline as a CLIF function ------------------------------------------ */

static void test_make_trampoline(void)
{
    static const char src[] =
        "function %f(i128, i32x4, i64 sarg(24), i8 sext, i64 vmctx) -> i8 uext, f64, f32x4 tail {\n"
        "block0(v0: i128, v1: i32x4, v2: i64, v3: i8, v4: i64):\n"
        "    v5 = iconst.i8 1\n"
        "    v6 = f64const 0.0\n"
        "    return v5, v6, v1\n"
        "}\n"
        "function %g() {\n"
        "block0:\n"
        "    return\n"
        "}\n";
    /* hand-written from run.h's buffer convention */
    static const char want_f[] =
        "function %__trampoline_f(i64, i64, i64) system_v {\n"
        "    sig0 = (i128, i32x4, i64 sarg(24), i8 sext, i64 vmctx) -> i8 uext, f64, f32x4 tail\n"
        "\n"
        "block0(v0: i64, v1: i64, v2: i64):\n"
        "    v3 = load.i128 notrap aligned v1\n"
        "    v4 = load.i32x4 notrap aligned little v1+16\n"
        "    v5 = load.i64 notrap aligned v1+32\n"
        "    v6 = load.i8 notrap aligned v1+48\n"
        "    v7 = load.i64 notrap aligned v1+64\n"
        "    v8, v9, v10 = call_indirect sig0, v0(v3, v4, v5, v6, v7)\n"
        "    store notrap aligned v8, v2\n"
        "    store notrap aligned v9, v2+16\n"
        "    store notrap aligned little v10, v2+32\n"
        "    return\n"
        "}\n";
    static const char want_g[] =
        "function %t(i64, i64, i64) system_v {\n"
        "    sig0 = () fast\n"       /* the default convention, as Cranelift prints it */
        "\n"
        "block0(v0: i64, v1: i64, v2: i64):\n"
        "    call_indirect sig0, v0()\n"
        "    return\n"
        "}\n";
    ir_file file;
    memset(&file, 0, sizeof file);
    ir_diag d;
    memset(&d, 0, sizeof d);
    bool ok = reader_parse_file(&file, "t.clif", src, sizeof src - 1, &d);
    CHECK(ok && file.funcs.n == 2, "reader: %s", ok ? "ok" : d.msg);
    if (!ok)
        return;
    const char *want[] = {want_f, want_g}, *names[] = {"__trampoline_f", "t"};
    for (uint32_t i = 0; i < 2; i++) {
        ir_function tf;
        run_make_trampoline(file.funcs.v[i], &file.funcs.v[i]->sig, names[i], &tf);
        memset(&d, 0, sizeof d);
        CHECK(verify_function(&tf, &d), "%s verifies: %s", names[i], d.msg);
        capture c;
        ir_print_function(cap_open(&c), &tf);
        CHECK_STR(cap_close(&c), want[i]);
        ir_function_free(&tf);
    }
    ir_file_free(&file);
}

/* ---- run lines end to end: reader, call, report ------------------------------- */

static const char clif[] =
    "test run\n"
    "function %add(i32, i32) -> i32 {\n"                        /* 2 */
    "block0(v0: i32, v1: i32):\n"
    "    v2 = iadd v0, v1\n"
    "    return v2\n"
    "}\n"
    "; run: %add(1, 2) == 3\n"                                  /* 7 */
    "; run: %add(1, 2) == 4\n"
    "; run: %add(1, 2) != 4\n"
    "; print: %add(-1, 0x10)\n"                                 /* 10 */
    "function %pair(i64) -> i64, i128 {\n"
    "block0(v0: i64):\n"
    "    v1 = iconst.i64 0\n"
    "    v2 = uextend.i128 v0\n"
    "    return v0, v2\n"
    "}\n"
    "; run: %pair(41) == [42, 756316507022091616263]\n"         /* 17 */
    "; run: %pair(0) == [1, 0]\n"
    "; print: %pair(1)\n"
    "function %vadd(i32x4, i8 sext) -> i32x4 {\n"
    "block0(v0: i32x4, v1: i8):\n"
    "    return v0\n"
    "}\n"
    "; run: %vadd([1 2 3 4], 1) == [2 3 4 5]\n"                 /* 24 */
    "; run: %vadd([1 2 3 4], 1) == [2 3 4 6]\n"
    "function %zero() -> i8 {\n"
    "block0:\n"
    "    v0 = iconst.i8 0\n"
    "    return v0\n"
    "}\n"
    "; run\n"                                                   /* 31 */
    "function %ill(i32) -> i32 {\n"
    "block0(v0: i32):\n"
    "    return v0\n"
    "}\n"
    "; run: %ill(1) == 1\n"                                     /* 36 */
    "; print: %ill(2)\n"
    "function %loop() -> i32 {\n"
    "block0:\n"
    "    jump block0\n"
    "}\n"
    "; run: %loop() == 0\n"                                     /* 42 */
    "function %wide(i128) -> i128 {\n"
    "block0(v0: i128):\n"
    "    return v0\n"
    "}\n"
    "; run: %wide(1) == 1\n";                                   /* 47 */

static const char want_lines[] =
    "%add(1, 2) == 3\n"
    "FAIL t.clif:8: %add(1, 2) == 4, got 3\n"
    "%add(1, 2) != 4\n"
    "%add(-1, 16) -> 15\n"
    "%pair(41) == [42, 756316507022091616263]\n"
    "FAIL t.clif:18: %pair(0) == [1, 0], got [1, 7]\n"
    "%pair(1) -> [2, 18446744073709551623]\n"
    "%vadd(0x00000004000000030000000200000001, 1) == 0x00000005000000040000000300000002\n"
    "FAIL t.clif:25: %vadd(0x00000004000000030000000200000001, 1) == "
    "0x00000006000000040000000300000002, got 0x00000005000000040000000300000002\n"
    "FAIL t.clif:31: %zero() != 0, got 0\n"
    "FAIL t.clif:36: %ill(1) == 1, trap: int_divz at %ill+0x1c\n"
    "FAIL t.clif:37: %ill(2), trap: int_divz at %ill+0x1c\n"
    "FAIL t.clif:42: %loop() == 0, timeout\n"
    "FAIL t.clif:47: %wide(1) == 1, error: a signature with an i128 parameter needs a "
    "compiled trampoline (not yet supported)\n";

NOIPA static int32_t c_ill(int32_t x)
{
#if defined(__x86_64__)
    __asm__ volatile("ud2");
#elif defined(__aarch64__)
    __asm__ volatile("udf #0");
#endif
    return x;
}
NOIPA static int8_t c_zero(void) { return 0; }
NOIPA static int32_t c_loop(void)
{
    for (volatile int spin = 1; spin;)
        ;
    return 0;
}
NOIPA static __int128 c_wide(__int128 x) { return x; }

static const char *describe_ill(uintptr_t pc, char *buf, size_t n)
{
    if (pc - (uintptr_t)c_ill < 64)
        snprintf(buf, n, "int_divz at %%ill+0x1c");
    else if (pc - (uintptr_t)c_zero < 64)
        snprintf(buf, n, "%%zero+0x%x", (unsigned)(pc - (uintptr_t)c_zero));
    else
        return NULL;
    return buf;
}

static void test_report(void)
{
    ir_file file;
    memset(&file, 0, sizeof file);
    ir_diag d;
    memset(&d, 0, sizeof d);
    bool ok = reader_parse_file(&file, "t.clif", clif, sizeof clif - 1, &d);
    CHECK(ok && file.runs.n == 14, "reader: %s (%u runs)", ok ? "ok" : d.msg, file.runs.n);
    if (!ok)
        return;
    void *code[] = {(void *)c_add, (void *)c_pair, (void *)c_vadd, (void *)c_zero,
                    (void *)c_ill, (void *)c_loop, (void *)c_wide};
    run_trampoline_fn tramps[] = {NULL, tramp_pair, tramp_vadd, NULL, NULL, NULL, NULL};
    run_opts opts = {.timeout = 0.05, .describe_pc = describe_ill};
    capture c;
    FILE *out = cap_open(&c);
    int npass = 0;
    for (uint32_t i = 0; i < file.runs.n; i++) {
        const ir_run_cmd *rc = &file.runs.v[i];
        ir_function *fn = file.funcs.v[rc->func];
        ir_data_value res[4];
        run_outcome oc;
        run_callee callee = {code[rc->func], tramps[rc->func]};
        run_call(&callee, fn, &fn->sig, &file.data.v[rc->args], rc->nargs, res, &opts, &oc);
        npass += run_report(out, &file, rc, res, &oc, 0);
    }
    const char *got = cap_close(&c);
    CHECK(!strcmp(got, want_lines), "report lines:\n%s--- want:\n%s", got, want_lines);
    CHECK(npass == 6, "6 of 14 pass (%d)", npass);

    /* only failures; and lanes */
    run_outcome okc = {.status = RUN_OK};
    ir_data_value three = dv(IR_I32, 3), v = vec(I32X4, (uint64_t[]){2, 3, 4, 5});
    run_report(cap_open(&c), &file, &file.runs.v[0], &three, &okc, RUN_REPORT_FAILURES);
    CHECK_STR(cap_close(&c), "");
    run_report(cap_open(&c), &file, &file.runs.v[8], &v, &okc, RUN_FMT_LANES);
    CHECK_STR(cap_close(&c), "FAIL t.clif:25: %vadd([1 2 3 4], 1) == [2 3 4 6], got [2 3 4 5]\n");
    run_invocation_print(cap_open(&c), &file, &file.runs.v[3], 0);
    CHECK_STR(cap_close(&c), "%add(-1, 16)");
    ir_file_free(&file);
}

/* ---- traps ---------------------------------------------------------------------- */

static int *volatile null_ptr;
static volatile int32_t zero_divisor;
static volatile int *bus_ptr;

NOIPA NOSAN static int32_t c_div(int32_t a, int32_t b) { return a / b; }
NOIPA NOSAN static int32_t c_segv(int32_t x) { return *null_ptr + x; }
NOIPA static int32_t c_trap(int32_t x)
{
#if defined(__x86_64__)
    __asm__ volatile("int3");
#elif defined(__aarch64__)
    __asm__ volatile("brk #0");
#endif
    return x;
}
NOIPA NOSAN static int32_t c_bus(int32_t x) { return *bus_ptr + x; }
static volatile int deeper = 1;
NOIPA NOSAN static int32_t c_recurse(int32_t x)
{
    volatile char pad[256];
    pad[0] = (char)x;
    return deeper ? c_recurse(x + 1) + pad[0] : x;
}
NOIPA static int32_t c_spin(int32_t us)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do
        clock_gettime(CLOCK_MONOTONIC, &t);
    while ((t.tv_sec - t0.tv_sec) * 1000000 + (t.tv_nsec - t0.tv_nsec) / 1000 < us);
    return us;
}

typedef struct trapcase { const char *name; void *fn; int signo; } trapcase;
static trapcase traps[] = {
#if defined(__x86_64__)
    {"divz", (void *)c_div, SIGFPE},    /* AArch64 division does not trap */
#endif
    {"segv", (void *)c_segv, SIGSEGV},
    {"ill", (void *)c_ill, SIGILL},
    {"trap", (void *)c_trap, SIGTRAP},
    {"bus", (void *)c_bus, SIGBUS},
};
#define NTRAPS (sizeof traps / sizeof traps[0])

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* A sanitizer runtime maps memory of its own as it goes; a leak per call
 * would show as hundreds of new mappings. */
#if defined(__SANITIZE_ADDRESS__)
#define MAPS_SLACK 16
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MAPS_SLACK 16
#endif
#endif
#ifndef MAPS_SLACK
#define MAPS_SLACK 0
#endif

static int count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int n = 0, ch;
    while ((ch = fgetc(f)) != EOF)
        n += ch == '\n';
    fclose(f);
    return n;
}

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    if (!d)
        return -1;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

static ir_function *sig_ii, *sig_iii, *sig_i;   /* (i32) -> i32, (i32, i32) -> i32, () -> i32 */

/* One trapping call; returns whether it came back as expected. */
static bool trap_once(const trapcase *t, const run_opts *opts, run_outcome *oc)
{
    run_callee c = {t->fn, NULL};
    ir_data_value args[2] = {dv(IR_I32, 1), dv(IR_I32, (u128)zero_divisor)}, r;
    ir_function *fn = t->fn == (void *)c_div ? sig_iii : sig_ii;
    run_status st = run_call(&c, fn, &fn->sig, args, fn->sig.nparams, &r, opts, oc);
    return st == RUN_TRAP && oc->signo == t->signo;
}

/* The test function pc is in: the nearest start at or below it. */
static void *owner(uintptr_t pc)
{
    void *best = NULL;
    for (unsigned i = 0; i < NTRAPS; i++)
        if ((uintptr_t)traps[i].fn <= pc && pc - (uintptr_t)traps[i].fn < 256 &&
            (!best || (uintptr_t)traps[i].fn > (uintptr_t)best))
            best = traps[i].fn;
    return best;
}

static const char *describe_fixed(uintptr_t pc, char *buf, size_t n)
{
    void *f = owner(pc);
    if (f == (void *)c_segv)
        snprintf(buf, n, "%%segv+0x%x", (unsigned)(pc - (uintptr_t)c_segv));
    else if (f == (void *)c_div)
        snprintf(buf, n, "int_divz at %%f+0x1c");
    else
        return NULL;
    return buf;
}

static void test_traps(void)
{
    run_outcome oc;
    run_opts opts = {.timeout = 5, .describe_pc = describe_fixed};
    for (unsigned i = 0; i < NTRAPS; i++) {
        bool ok = trap_once(&traps[i], &opts, &oc);
        CHECK(ok && oc.pc - (uintptr_t)traps[i].fn < 64, "%s: %s (signal %d, pc %s+%#lx)",
              traps[i].name, oc.msg, oc.signo, traps[i].name,
              (unsigned long)(oc.pc - (uintptr_t)traps[i].fn));
        if (traps[i].signo == SIGSEGV)
            CHECK(oc.addr == 0 && !strncmp(oc.msg, "trap: SIGSEGV at %segv+0x", 25),
                  "segv message: %s", oc.msg);
        if (traps[i].signo == SIGFPE)
            CHECK_STR(oc.msg, "trap: int_divz at %f+0x1c");
        if (traps[i].signo == SIGILL)
            CHECK(!strncmp(oc.msg, "trap: SIGILL at 0x", 18), "no description: %s", oc.msg);
        if (traps[i].signo == SIGBUS)
            CHECK(oc.addr == (uintptr_t)bus_ptr && strstr(oc.msg, "(address 0x"),
                  "bus message: %s", oc.msg);
    }
#if defined(__aarch64__)
    CHECK(true, "divz: skipped (AArch64 integer division does not trap)");
#endif

    /* stack overflow: the handler runs on the alternate stack */
    run_callee rc = {(void *)c_recurse, NULL};
    ir_data_value r0 = dv(IR_I32, 0), r;
    int overflows = 0;
    for (int k = 0; k < 20; k++)
        overflows += run_call(&rc, sig_ii, &sig_ii->sig, &r0, 1, &r, &opts, &oc) == RUN_TRAP &&
                     oc.signo == SIGSEGV;
    CHECK(overflows == 20, "stack overflow caught 20 times: %d (%s)", overflows, oc.msg);

    /* a looping call is interrupted */
    run_callee lc = {(void *)c_loop, NULL};
    opts.timeout = 0.2;
    double t0 = now();
    run_status st = run_call(&lc, sig_i, &sig_i->sig, NULL, 0, &r, &opts, &oc);
    double el = now() - t0;
    CHECK(st == RUN_TIMEOUT && !strcmp(oc.msg, "timeout") && el >= 0.19 && el < 2,
          "loop: %s after %.3f s", oc.msg, el);
    CHECK(oc.pc - (uintptr_t)c_loop < 256, "timeout pc is in the loop (+%#lx)",
          (unsigned long)(oc.pc - (uintptr_t)c_loop));

    /* 1,000 rounds of every trap and a 1 ms timeout: nothing leaks, the
     * signal mask and the alternate stack are as before */
    sigset_t mask0, mask1;
    sigemptyset(&mask0);
    sigaddset(&mask0, SIGUSR1);
    sigaddset(&mask0, SIGALRM);     /* blocked by the caller: the guard unblocks it */
    pthread_sigmask(SIG_SETMASK, &mask0, NULL);
    stack_t ss0, ss1;
    sigaltstack(NULL, &ss0);
    int maps0 = count_lines("/proc/self/maps"), fds0 = count_fds();
    int timers0 = count_lines("/proc/self/timers");
    int bad = 0, timeouts = 0;
    opts.timeout = 5;
    run_opts lopts = {.timeout = 0.001};
    t0 = now();
    for (int k = 0; k < 1000; k++) {
        for (unsigned i = 0; i < NTRAPS; i++)
            bad += !trap_once(&traps[i], &opts, &oc);
        timeouts += run_call(&lc, sig_i, &sig_i->sig, NULL, 0, &r, &lopts, &oc) == RUN_TIMEOUT;
    }
    el = now() - t0;
    pthread_sigmask(SIG_SETMASK, NULL, &mask1);
    sigaltstack(NULL, &ss1);
    int maps1 = count_lines("/proc/self/maps"), fds1 = count_fds();
    int timers1 = count_lines("/proc/self/timers");
    CHECK(bad == 0 && timeouts == 1000, "1000 rounds: %d wrong traps, %d timeouts, %.2f s",
          bad, timeouts, el);
    CHECK(maps1 <= maps0 + MAPS_SLACK && fds0 == fds1 && timers0 == timers1,
          "no leaks: maps %d -> %d, fds %d -> %d, timers %d -> %d", maps0, maps1, fds0, fds1,
          timers0, timers1);
    CHECK(sigismember(&mask1, SIGUSR1) && sigismember(&mask1, SIGALRM) &&
          !sigismember(&mask1, SIGSEGV), "signal mask restored");
    CHECK(ss0.ss_flags == ss1.ss_flags && ss0.ss_sp == ss1.ss_sp, "alternate stack restored");
    sigemptyset(&mask0);
    pthread_sigmask(SIG_SETMASK, &mask0, NULL);

    /* calls that end about when their timer fires: OK or TIMEOUT, never a
     * stray signal later */
    run_callee sc = {(void *)c_spin, NULL};
    ir_data_value us;
    opts.timeout = 0.0002;
    int okc = 0, toc = 0;
    for (int k = 0; k < 1000; k++) {
        us = dv(IR_I32, (u128)(100 + k % 200));
        st = run_call(&sc, sig_ii, &sig_ii->sig, &us, 1, &r, &opts, &oc);
        okc += st == RUN_OK, toc += st == RUN_TIMEOUT;
    }
    usleep(20000);
    CHECK(okc + toc == 1000, "racing timers: %d returned, %d timed out", okc, toc);
    opts.timeout = 0;
    us = dv(IR_I32, 200);
    CHECK(run_call(&sc, sig_ii, &sig_ii->sig, &us, 1, &r, &opts, &oc) == RUN_OK &&
          !strcmp(fmt(r), "200"), "no timeout: returns");
}

/* Ctrl-C: with opts.interrupt a SIGINT ends the call (a timer sends it, as
 * a terminal would, with no thread); outside such a call it goes to the
 * caller's handler, which is back afterwards */
static volatile sig_atomic_t sigints;
static void count_sigint(int sig) { (void)sig; sigints++; }

static void test_interrupt(void)
{
    struct sigaction sa = {.sa_handler = count_sigint}, prev, now_sa;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &prev);
    timer_t tm;
    struct sigevent sev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGINT};
    struct itimerspec its = {{0, 0}, {0, 50 * 1000 * 1000}};
    if (timer_create(CLOCK_MONOTONIC, &sev, &tm) != 0) {
        CHECK(false, "timer_create: %s", strerror(errno));
        sigaction(SIGINT, &prev, NULL);
        return;
    }
    run_callee lc = {(void *)c_loop, NULL};
    run_opts opts = {.timeout = 10, .interrupt = true};
    run_outcome oc;
    ir_data_value r;
    for (int k = 0; k < 3; k++) {
        timer_settime(tm, 0, &its, NULL);
        double t0 = now();
        run_status st = run_call(&lc, sig_i, &sig_i->sig, NULL, 0, &r, &opts, &oc);
        double el = now() - t0;
        CHECK(st == RUN_INTERRUPTED && !strcmp(oc.msg, "interrupted") && el < 5 && sigints == 0,
              "SIGINT ends an interruptible call: status %d, \"%s\", %.3f s, handler ran %d times",
              st, oc.msg, el, (int)sigints);
    }
    sigaction(SIGINT, NULL, &now_sa);
    CHECK(now_sa.sa_handler == count_sigint, "the caller's SIGINT handler is back");
    raise(SIGINT);
    CHECK(sigints == 1, "SIGINT outside a call goes to the caller's handler (%d)", (int)sigints);
    /* without opts.interrupt the call is not the guard's to end: the
     * handler runs and the call goes on to its timeout */
    opts = (run_opts){.timeout = 0.2};
    timer_settime(tm, 0, &its, NULL);
    run_status st = run_call(&lc, sig_i, &sig_i->sig, NULL, 0, &r, &opts, &oc);
    CHECK(st == RUN_TIMEOUT && sigints == 2, "not interruptible: status %d, handler ran %d times",
          st, (int)sigints);
    timer_delete(tm);
    sigaction(SIGINT, &prev, NULL);
}

/* nested guards: the inner one catches */
static void inner_body(void *p)
{
    run_outcome *oc = p;
    run_opts o = {.timeout = 1};
    trap_once(&traps[NTRAPS - 1], &o, oc);
}

static void test_nested(void)
{
    run_outcome inner, outer;
    run_opts o = {.timeout = 1};
    run_status st = run_guarded(inner_body, &inner, &o, &outer);
    CHECK(st == RUN_OK && inner.status == RUN_TRAP, "nested: outer %d, inner %d (%s)", st,
          inner.status, inner.msg);
}

/* keeps_mask: the guard knows the mask from the last such call, but not
 * across a call without it, whose body may have changed the mask */
static void body_nothing(void *p) { (void)p; }
static void body_block_usr1(void *p)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    (void)p;
}

static void test_keeps_mask(void)
{
    sigset_t none, m;
    sigemptyset(&none);
    pthread_sigmask(SIG_SETMASK, &none, NULL);
    run_opts keep = {.timeout = 1, .keeps_mask = true}, plain = {.timeout = 1};
    run_outcome oc, oc2;
    run_status st = run_guarded(body_nothing, NULL, &keep, &oc);
    st |= run_guarded(body_nothing, NULL, &keep, &oc);
    run_guarded(body_block_usr1, NULL, &plain, &oc);
    bool trapped = trap_once(&traps[0], &keep, &oc2);
    pthread_sigmask(SIG_SETMASK, NULL, &m);
    CHECK(st == RUN_OK && trapped && sigismember(&m, SIGUSR1) && !sigismember(&m, SIGSEGV),
          "keeps_mask: a trap puts back the mask a plain call's body left (%s)", oc2.msg);
    pthread_sigmask(SIG_SETMASK, &none, NULL);
}

/* threads trapping at once, then exiting: their alternate stacks are freed */
static void *thread_body(void *p)
{
    int *bad = p;
    run_outcome oc;
    run_opts opts = {.timeout = 5}, lopts = {.timeout = 0.002};
    run_callee lc = {(void *)c_loop, NULL};
    ir_data_value r;
    for (int k = 0; k < 100; k++) {
        for (unsigned i = 0; i < NTRAPS; i++)
            *bad += !trap_once(&traps[(i + k) % NTRAPS], &opts, &oc);
        *bad += run_call(&lc, sig_i, &sig_i->sig, NULL, 0, &r, &lopts, &oc) != RUN_TIMEOUT;
    }
    return NULL;
}

static int thread_round(void)
{
    pthread_t th[4];
    int bad[4] = {0};
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, thread_body, &bad[i]);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    return bad[0] + bad[1] + bad[2] + bad[3];
}

static void test_threads(void)
{
    if (getenv("RUN_TEST_SINGLE")) {
        printf("note: RUN_TEST_SINGLE: thread test skipped\n");
        return;
    }
    int bad = thread_round();   /* warm up glibc's cache of thread stacks */
    int maps0 = count_lines("/proc/self/maps");
    for (int k = 0; k < 5; k++)
        bad += thread_round();
    int maps1 = count_lines("/proc/self/maps");
    CHECK(bad == 0, "6 rounds of 4 threads x 100 x (%zu traps + timeout): %d wrong", NTRAPS, bad);
    CHECK(maps1 <= maps0 + MAPS_SLACK, "thread stacks freed: maps %d -> %d", maps0, maps1);
}

/* outside a guard, a fault still kills: the old disposition is kept */
static void test_unguarded_fault(void)
{
    if (getenv("RUN_TEST_SINGLE")) {
        printf("note: RUN_TEST_SINGLE: fork test skipped\n");
        return;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        freopen("/dev/null", "w", stderr);  /* a sanitizer's report */
        alarm(5);
        c_segv(1);
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV) ||
              (WIFEXITED(status) && WEXITSTATUS(status) != 0),
          "unguarded SIGSEGV kills the process (status %#x)", status);
}

/* ---- code that needs no sandbox ------------------------------------------------- */

/* run_func_confined: only code that writes no memory, calls nothing
 * through a pointer and has no side effect may run without the filter. */
static void test_func_confined(void)
{
    static const struct { const char *body; bool want; } c[] = {
        {"    v2 = iadd v0, v1\n    v3 = load.i64 notrap v2\n    v4 = icmp eq v3, v1\n"
         "    trapz v4, user1\n    v5 = call fn0(v3, v1)\n    return v5\n", true},
        {"    store v1, v0\n    return v1\n", false},
        {"    istore8 v1, v0+4\n    return v1\n", false},
        {"    v2 = atomic_rmw.i64 add v0, v1\n    return v2\n", false},
        {"    v2 = atomic_cas v0, v1, v1\n    return v2\n", false},
        {"    atomic_store v1, v0\n    return v1\n", false},
        {"    v2 = call_indirect sig0, v0(v0, v1)\n    return v2\n", false},
        {"    return_call_indirect sig0, v0(v0, v1)\n", false},
        {"    set_pinned_reg v1\n    return v1\n", false},
        {"    v2 = get_stack_pointer.i64\n    debugtrap\n    return v2\n", false},
        {"    return_call fn0(v0, v1)\n", true},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char src[600];
        snprintf(src, sizeof src,
                 "function %%f(i64, i64) -> i64 {\n    sig0 = (i64, i64) -> i64\n"
                 "    fn0 = %%f sig0\n\nblock0(v0: i64, v1: i64):\n%s}\n", c[i].body);
        ir_file file;
        memset(&file, 0, sizeof file);
        ir_diag d;
        memset(&d, 0, sizeof d);
        bool ok = reader_parse_file(&file, "t.clif", src, strlen(src), &d);
        CHECK(ok && file.funcs.n == 1, "confined %zu: reader: %s", i, ok ? "ok" : d.msg);
        if (ok)
            CHECK(run_func_confined(file.funcs.v[0]) == c[i].want, "confined %zu: want %s:\n%s", i,
                  c[i].want ? "true" : "false", c[i].body);
        ir_file_free(&file);
    }
}

/* ---- the sandbox's rules, call by call ------------------------------------------ */

/* The verdict on one raw system call in a sandboxed child: 0 ran (whatever
 * it returned), 1 blocked (SIGSYS caught), 2 the process was killed (a
 * call of another ABI), -1 the child could not be sandboxed.  An a0 of
 * SELF or PARENT (with any high bits) is the child's pid or its parent's. */
#define SELF 0x7ffffffeL
#define PARENT 0x7ffffffdL
static int sandboxed_call(long nr, long a0, long a1, long a2, long a3)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        freopen("/dev/null", "w", stderr);
        alarm(5);
        run_set_expendable();
        if ((a0 & 0xffffffffL) == SELF || (a0 & 0xffffffffL) == PARENT)
            a0 = (a0 & ~0xffffffffL) | ((a0 & 0xffffffffL) == SELF ? getpid() : getppid());
        char why[200];
        if (!run_sandbox_install(why, sizeof why))
            _exit(3);
        syscall(nr, a0, a1, a2, a3, 0L, 0L);
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status))
        return WTERMSIG(status) == SIGSYS ? 2 : -1;
    return WEXITSTATUS(status) == 0 ? 0 : WEXITSTATUS(status) == RUN_EXPENDABLE_EXIT ? 1 : -1;
}

static void test_sandbox_rules(void)
{
    char why[200];
    if (getenv("RUN_TEST_SINGLE") || !run_sandbox_supported(why, sizeof why)) {
        printf("note: sandbox rules not tested (%s)\n", getenv("RUN_TEST_SINGLE") ? "RUN_TEST_SINGLE" : why);
        return;
    }
    long self = SELF, other = PARENT;
    static char buf[64];
    long p = (long)buf, hi = 1L << 32;
    struct { const char *what; long nr, a0, a1, a2, a3; int want; } c[] = {
        {"getpid", SYS_getpid, 0, 0, 0, 0, 0},
        {"openat read-only", SYS_openat, AT_FDCWD, (long)"/nonexistent", O_RDONLY, 0, 0},
        {"openat O_WRONLY|O_CREAT", SYS_openat, AT_FDCWD, (long)"/nonexistent/x", O_WRONLY | O_CREAT, 0644, 1},
        {"openat O_RDWR", SYS_openat, AT_FDCWD, (long)"/nonexistent", O_RDWR, 0, 1},
        {"openat O_TRUNC in the high word too", SYS_openat, AT_FDCWD, (long)"/nonexistent", O_TRUNC | hi, 0, 1},
        {"mmap RW", SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, 0},
        {"mmap RX", SYS_mmap, 0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, 0},
        {"mmap RWX", SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, 1},
        {"mprotect WX", SYS_mprotect, 0, 4096, PROT_WRITE | PROT_EXEC, 0, 1},
        {"mprotect R", SYS_mprotect, 0, 4096, PROT_READ, 0, 0},
        {"kill self", SYS_kill, self, 0, 0, 0, 0},
        {"kill parent", SYS_kill, other, 0, 0, 0, 1},
        {"kill self with high bits", SYS_kill, self | hi, 0, 0, 0, 1},
        {"tgkill parent", SYS_tgkill, other, other, 0, 0, 1},
        {"rt_sigaction SIGUSR1 (query)", SYS_rt_sigaction, SIGUSR1, 0, p, 8, 0},
        {"rt_sigaction SIGSYS", SYS_rt_sigaction, SIGSYS, 0, p, 8, 1},
        {"rt_sigaction SIGSYS with high bits", SYS_rt_sigaction, SIGSYS | hi, 0, p, 8, 1},
        {"prlimit64 query", SYS_prlimit64, 0, RLIMIT_NOFILE, 0, p, 0},
        {"prlimit64 set", SYS_prlimit64, 0, RLIMIT_NOFILE, p, 0, 1},
        {"prlimit64 set, pointer above 4 GiB", SYS_prlimit64, 0, RLIMIT_NOFILE, hi, 0, 1},
        {"ioctl TCGETS", SYS_ioctl, 0, TCGETS, p, 0, 0},
        {"ioctl TIOCSTI", SYS_ioctl, 0, TIOCSTI, p, 0, 1},
        {"ioctl TCGETS with high bits", SYS_ioctl, 0, TCGETS | hi, p, 0, 1},
        {"socket", SYS_socket, AF_INET, SOCK_STREAM, 0, 0, 1},
        {"execve", SYS_execve, (long)"/bin/true", 0, 0, 0, 1},
        {"clone", SYS_clone, SIGCHLD, 0, 0, 0, 1},
        {"ptrace", SYS_ptrace, 0, 0, 0, 0, 1},
        {"seccomp", SYS_seccomp, 0, 0, 0, 0, 1},
        {"an unknown call", 1000, 0, 0, 0, 0, 1},
#if defined(__x86_64__)
        {"an x32 call", 0x40000000 | SYS_getpid, 0, 0, 0, 0, 2},
#endif
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        int got = sandboxed_call(c[i].nr, c[i].a0, c[i].a1, c[i].a2, c[i].a3);
        static const char *const verdict[] = {"cannot sandbox", "runs", "blocked", "kills"};
        CHECK(got == c[i].want, "sandbox: %s %s, want %s", c[i].what, verdict[got + 1], verdict[c[i].want + 1]);
    }
}

int main(void)
{
    verbose = getenv("V") && *getenv("V") && strcmp(getenv("V"), "0");
    setvbuf(stdout, NULL, _IOLBF, 0);
    sigdesc i32 = {IR_I32, 0, 0};
    sig_ii = mkfn("ii", IR_CC_default, &i32, 1, &i32, 1);
    sig_iii = mkfn("iii", IR_CC_default, (sigdesc[]){i32, i32}, 2, &i32, 1);
    sig_i = mkfn("i", IR_CC_default, NULL, 0, &i32, 1);
    /* a page past the end of a file: SIGBUS */
    FILE *tf = tmpfile();
    void *page = tf ? mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fileno(tf), 0) : MAP_FAILED;
    bus_ptr = page == MAP_FAILED ? NULL : page;

    test_print();
    test_compare();
    test_calls();
    test_make_trampoline();
    test_report();
    test_traps();
    test_nested();
    test_keeps_mask();
    test_interrupt();
    test_threads();
    test_unguarded_fault();
    test_func_confined();
    test_sandbox_rules();

    freefn(sig_ii), freefn(sig_iii), freefn(sig_i);
    if (tf)
        fclose(tf);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
