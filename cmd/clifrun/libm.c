/* cmd/clifrun/libm.c: what glibc's static libm (libm.a) wants of libc.a,
 * for clifrun linked with libm.a and libc.so (Makefile, x86-64 with gcc):
 * libm.so would be one more shared object for the dynamic loader to map
 * and relocate at every start, 7 page faults of a one-function file's 90.
 * Built empty otherwise. */
#ifdef CLIFRUN_STATIC_LIBM
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <math.h>
#include <stdint.h>
#include <string.h>

/* libc.a's record of the CPU's features, which libm.a's ifunc resolvers
 * (floor, fma, nearbyint ...: the ones clifrun uses) read; they read only
 * its first 0x70 bytes.  All zero: each takes its baseline version (floor's
 * C one, fma's SSE2 one).  Those functions are exact or correctly rounded,
 * so every version gives the same results; the JIT's own code uses
 * roundss and vfmadd where the target has them. */
extern const unsigned char _dl_x86_cpu_features[512];
const unsigned char _dl_x86_cpu_features[512] __attribute__((aligned(64)));

/* libc.a has ldexp of _Float128 (printf needs it), libc.so exports none:
 * x times 2^n by at most three exact multiplications, the last rounding
 * once (a subnormal result is scaled into range by 2^113 first, so it too
 * rounds once). */
static _Float128 pow2(int e)
{
    unsigned __int128 bits = (unsigned __int128)(unsigned)(e + 16383) << 112;
    _Float128 f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

_Float128 ldexpf128(_Float128 x, int n)
{
    if (n > 16383) {
        x *= pow2(16383);
        n -= 16383;
        if (n > 16383) {
            x *= pow2(16383);
            n -= 16383;
            if (n > 16383)
                n = 16383;
        }
    } else if (n < -16382) {
        x *= pow2(-16382 + 113);
        n += 16382 - 113;
        if (n < -16382) {
            x *= pow2(-16382 + 113);
            n += 16382 - 113;
            if (n < -16382)
                n = -16382;
        }
    }
    return x * pow2(n);
}
#endif
