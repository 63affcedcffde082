/* testdata/cli/userlib.c: a user's own host functions, built by make test
 * into $(BUILD)/test/libclifrun-user.so with the target's compiler and
 * loaded with --lib (lib.out): the story of ../shared/seeds/000, a JIT
 * calling `my_function` from the program that embeds it. */
#include <stdint.h>
#include <stdio.h>

void my_function(int32_t val)
{
    printf("The value is: %d\n", val);
    fflush(stdout);
}

int64_t my_scale(int64_t x, double factor)
{
    return (int64_t)((double)x * factor);
}

/* calls back into the JIT: f(f(x)) */
int32_t my_twice(int32_t (*f)(int32_t), int32_t x)
{
    return f(f(x));
}
