/* Calls the functions of calls.clif; defines what they call back. */
#include <stdint.h>
#include <stdio.h>

int64_t chain(int64_t);
int64_t fact(int64_t);
int32_t triple(int32_t);
int64_t len_plus(const char *, int64_t);
int64_t call_c(int64_t);
int32_t bump(int32_t);
void sort_desc(int32_t *, int64_t);
int64_t sum_to(int64_t);

int32_t counter = 100;

int64_t c_square(int64_t x)
{
    return x * x;
}

int main(void)
{
    printf("chain(5) = %lld\n", (long long)chain(5));
    printf("fact(20) = %lld\n", (long long)fact(20));
    printf("triple(-14) = %d\n", triple(-14));
    printf("len_plus(\"object\", 100) = %lld\n", (long long)len_plus("object", 100));
    printf("call_c(3) = %lld\n", (long long)call_c(3));
    printf("bump(5) = %d\n", bump(5));
    printf("bump(-1) = %d\n", bump(-1));
    printf("counter = %d\n", counter);
    int32_t a[] = {3, -8, 12, 0, 7, 7, -1};
    sort_desc(a, 7);
    printf("sort_desc:");
    for (int i = 0; i < 7; i++)
        printf(" %d", a[i]);
    printf("\n");
    printf("sum_to(100000) = %lld\n", (long long)sum_to(100000));
    return 0;
}
