/* Defines the helper runtime.clif needs (README: Objects) and calls it. */
#include <stdio.h>

typedef __int128 i128;
typedef unsigned __int128 u128;
#define I128_MAX ((i128)(~(u128)0 >> 1))

i128 __cranelift_fixdfti_sat(double x)
{
    return x != x ? 0 : x >= 0x1p127 ? I128_MAX : x < -0x1p127 ? -I128_MAX - 1 : (i128)x;
}

i128 sat(double);

int main(void)
{
    double xs[] = {-1e300, -12345.75, __builtin_nan(""), 0x1p100, 1e300};
    for (int i = 0; i < 5; i++) {
        i128 r = sat(xs[i]);
        printf("sat(%g) = 0x%016llx%016llx\n", xs[i], (unsigned long long)((u128)r >> 64),
               (unsigned long long)r);
    }
    return 0;
}
