# clifrun — `make` builds build/clifrun, `make test` runs every test.
# Variables: SAN=1 (AddressSanitizer + UBSan), ARCH=aarch64 (cross build), O=-O2.
ARCH ?= $(shell uname -m)
SHARED ?= ../shared
BUILD ?= build
CC_x86_64 = gcc
CC_aarch64 = aarch64-linux-gnu-gcc
ifeq ($(ARCH),$(shell uname -m))
CC_HOST := $(CC)
else
CC_HOST := $(CC_$(ARCH))
endif
O ?= -O2
CFLAGS_BASE = -std=gnu17 $(O) -g -Wall -Wextra -Wno-unused-parameter -MMD -MP \
	-Ilib/ir -Ilib/reader -Ilib/verify $(patsubst %,-I%,$(wildcard lib/*/ lib/isa/*/))
ifeq ($(SAN),1)
CFLAGS_BASE += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
ifeq ($(WERROR),1)
CFLAGS_BASE += -Werror
endif
LIBS = -lm

SRCS := $(wildcard lib/*/*.c lib/isa/*/*.c cmd/clifrun/*.c)
OBJS := $(SRCS:%.c=$(BUILD)/obj/%.o)

all: $(BUILD)/clifrun

$(BUILD)/clifrun: $(OBJS)
	$(CC_HOST) $(LDFLAGS) -o $@ $(OBJS) $(LIBS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC_HOST) $(CFLAGS_BASE) $(CFLAGS) -c -o $@ $<

clean:
	rm -rf $(BUILD)

-include $(OBJS:.o=.d)
.PHONY: all clean
