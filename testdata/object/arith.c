/* Calls the functions of arith.clif, linked from clifrun's object. */
#include <stdint.h>
#include <stdio.h>

int32_t add3(int32_t, int32_t, int32_t);
uint64_t gcd(uint64_t, uint64_t);
int64_t fib(int32_t);
int32_t pick(int32_t);
int32_t smax(int32_t, int32_t);
int8_t low_byte(int64_t);
double hyp15(double, double);
float favg(float, float);
double many(int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, double, double);

int main(void)
{
    printf("add3(1, 2, 3) = %d\n", add3(1, 2, 3));
    printf("add3(2147483647, 1, 0) = %d\n", add3(2147483647, 1, 0));
    printf("gcd(1071, 462) = %llu\n", (unsigned long long)gcd(1071, 462));
    printf("gcd(0, 5) = %llu\n", (unsigned long long)gcd(0, 5));
    printf("fib(10) = %lld\n", (long long)fib(10));
    printf("fib(90) = %lld\n", (long long)fib(90));
    for (int i = -1; i <= 3; i++)
        printf("pick(%d) = %d\n", i, pick(i));
    printf("smax(-5, 3) = %d\n", smax(-5, 3));
    printf("smax(-5, -9) = %d\n", smax(-5, -9));
    printf("low_byte(0x1ff) = %d\n", low_byte(0x1ff));
    printf("low_byte(0x17f) = %d\n", low_byte(0x17f));
    printf("hyp15(3, 4) = %g\n", hyp15(3, 4));
    printf("favg(1.5, 2) = %g\n", favg(1.5f, 2.0f));
    printf("many(1..8, 0.5, 0.25) = %g\n", many(1, 2, 3, 4, 5, 6, 7, 8, 0.5, 0.25));
    return 0;
}
