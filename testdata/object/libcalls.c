/* Calls the functions of libcalls.clif (linked with -lm). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef __int128 i128;
typedef unsigned __int128 u128;

double rounding(double);
float floorf_ceilf(float);
double fma64(double, double, double);
float fma32(float, float, float);
i128 sdiv128(i128, i128);
u128 urem128(u128, u128);
i128 srem128_scaled(int64_t, i128, i128);
double i128_to_f64(i128);
float u128_to_f32(u128);
char *fill_copy(char *, const char *, int32_t, int64_t);

static void print128(const char *what, i128 x)
{
    char buf[64], *p = buf + sizeof buf;
    u128 u = x < 0 ? -(u128)x : (u128)x;
    *--p = 0;
    do
        *--p = (char)('0' + (int)(u % 10));
    while (u /= 10);
    if (x < 0)
        *--p = '-';
    printf("%s = %s\n", what, p);
}

int main(void)
{
    printf("rounding(2.5) = %g\n", rounding(2.5));
    printf("rounding(-3.7) = %g\n", rounding(-3.7));
    printf("floorf_ceilf(1.25) = %g\n", floorf_ceilf(1.25f));
    printf("floorf_ceilf(-0.5) = %g\n", floorf_ceilf(-0.5f));
    printf("fma64(0x1p52 + 1, 0x1p52 - 1, -0x1p104) = %g\n",
           fma64(0x1p52 + 1, 0x1p52 - 1, -0x1p104));
    printf("fma32(3, 4, 0.5) = %g\n", fma32(3, 4, 0.5f));
    i128 big = (i128)1 << 100;
    print128("sdiv128(-2^100, 3)", sdiv128(-big, 3));
    print128("urem128(2^100 + 5, 2^64)", (i128)urem128((u128)big + 5, (u128)1 << 64));
    print128("srem128_scaled(-2, 1000000007, -10)", srem128_scaled(-2, 1000000007, -10));
    printf("i128_to_f64(-2^100) = %a\n", i128_to_f64(-big));
    printf("u128_to_f32(2^127) = %a\n", (double)u128_to_f32((u128)1 << 127));
    char dst[16] = "..............", src[] = "abcd";
    char *r = fill_copy(dst, src, 'x', 4);
    printf("fill_copy = %s (returned dst: %s)\n", dst, r == dst ? "yes" : "no");
    return 0;
}
