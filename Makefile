# punchlab — one non-recursive GNU Makefile.
#   make            build everything under build/
#   make scenarios  install missing packages, build, run the shipped scenarios
#   make test       install missing packages, build, run unit + integration tests
#   V=1 verbose, DEBUG=1 for -O0 -g and ASan/UBSan (into build-debug/ unless
#   B= is given; the first sanitizer report aborts).
#   B=dir FAULT_PERCENT=N: a test build whose agents fail N% of punches
#   (bench/gate.sh shows the gate catches it; never for real runs).

CC      ?= gcc
PKGS    := libmnl libnftables inih jansson libcrypto libnetfilter_queue libnftnl \
	   libpcap libnetfilter_conntrack
ifeq ($(DEBUG),1)
B       ?= build-debug
else
B       ?= build
endif

WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ifeq ($(DEBUG),1)
OPT     := -O0 -g -fsanitize=address,undefined -fno-sanitize-recover=all
LDOPT   := -fsanitize=address,undefined -fno-sanitize-recover=all
else
OPT     := -O2 -g
LDOPT   :=
endif
ifneq ($(V),1)
Q       := @
endif

# Recursively expanded on purpose: pkg-config runs when a recipe runs, after
# `make deps` may have installed the libraries.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
CPPFLAGS   = -D_GNU_SOURCE -Itestbed -Iharness/common $(PKG_CFLAGS) \
	$(if $(FAULT_PERCENT),-DPUNCH_FAULT_PERCENT=$(FAULT_PERCENT))
CFLAGS     = -std=c11 $(OPT) $(WARN) -MMD -MP
LDLIBS     = $(PKG_LIBS) -lm

TESTBED_SRC := $(wildcard testbed/*.c)
COMMON_SRC  := $(wildcard harness/common/*.c)
UNIT_SRC    := $(wildcard tests/unit/test_*.c)

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))

LIBTESTBED := $(B)/lib/libtestbed.a
LIBCOMMON  := $(B)/lib/libcommon.a

# One program per folder of harness/: folder:program.
PROGRAMS := punchlab:punchlab coordinator:punch-coordinator \
	agent:punch-agent shaper:punch-shaper probesrv:punch-probe-server \
	net:punch-net adversary:punch-adversary
prog_dir  = $(word 1,$(subst :, ,$(1)))
prog_name = $(word 2,$(subst :, ,$(1)))
BINS := $(foreach p,$(PROGRAMS),$(B)/bin/$(call prog_name,$(p)))
TESTUTIL_SRC := $(wildcard tests/unit/lib/*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))

.PHONY: all deps scenarios test unit integration clean-build format fuzz fuzz-build fuzz-smoke
.SECONDARY:
all: $(BINS) $(UNIT_BINS)

deps:
	$(Q)sh tools/deps.sh

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC  $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(LIBTESTBED): $(call obj,$(TESTBED_SRC))
	@mkdir -p $(dir $@)
	$(Q)$(AR) rcs $@ $^

$(LIBCOMMON): $(call obj,$(COMMON_SRC))
	@mkdir -p $(dir $@)
	$(Q)$(AR) rcs $@ $^

# A program's sources: its folder and the rooms (subfolders) inside it,
# each room on the program's include path.
prog_src = $(wildcard harness/$(1)/*.c harness/$(1)/*/*.c)
PUNCHLAB_ROOMS := $(sort $(dir $(wildcard harness/punchlab/*/*.h)))
$(B)/obj/harness/punchlab/%.o: CPPFLAGS += $(addprefix -I,$(PUNCHLAB_ROOMS))

define PROGRAM_RULE
$(B)/bin/$(call prog_name,$(1)): $(call obj,$(call prog_src,$(call prog_dir,$(1)))) $(LIBCOMMON) $(LIBTESTBED)
	@mkdir -p $$(dir $$@); $(if $(Q),echo "  LD  $$@";)
	$(Q)$$(CC) $$(LDOPT) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach p,$(PROGRAMS),$(eval $(call PROGRAM_RULE,$(p))))

# Unit tests that include a punchlab room's source see its neighbours.
$(B)/obj/tests/unit/test_hostfit.o: CPPFLAGS += -Iharness/punchlab/plan
$(B)/obj/tests/unit/test_scenario_network.o: CPPFLAGS += -Iharness/punchlab/plan
$(B)/obj/tests/unit/test_agent_opts.o: CPPFLAGS += -Iharness/agent
$(B)/obj/tests/unit/test_pcp.o: CPPFLAGS += -Iharness/agent
$(B)/obj/tests/unit/test_advrecord.o $(B)/obj/tests/unit/test_advcmd.o $(B)/obj/tests/unit/test_pcpsum.o: CPPFLAGS += $(addprefix -I,$(PUNCHLAB_ROOMS))

$(B)/tests/%: $(B)/obj/tests/unit/%.o $(call obj,$(TESTUTIL_SRC)) $(LIBCOMMON) $(LIBTESTBED)
	@mkdir -p $(dir $@); $(if $(Q),echo "  LD  $@";)
	$(Q)$(CC) $(LDOPT) -o $@ $^ $(LDLIBS) -lcunit

# The main job: every shipped scenario, then the results table.
scenarios:
	$(Q)sh tools/deps.sh
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(B)/bin/punchlab run --report --junit results/junit.xml $(sort $(wildcard scenarios/*.ini))

test:
	$(Q)sh tools/deps.sh
	$(Q)$(MAKE) --no-print-directory B=$(B) all
	$(Q)$(MAKE) --no-print-directory B=$(B) unit fuzz-smoke integration

# The tests run the programs of the build under test ($(B)/bin), and a
# sanitizer report stops the program that made it (so a test sees it fail).
TEST_ENV := PUNCHLAB_BIN_DIR=$(B)/bin \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	ASAN_OPTIONS=halt_on_error=1:abort_on_error=0

unit: $(UNIT_BINS) $(BINS)
	$(Q)$(TEST_ENV) sh tests/run-unit.sh $(UNIT_BINS)
	$(Q)$(TEST_ENV) /usr/bin/python3 -m unittest discover -s tests/py

integration: $(BINS)
	$(Q)$(TEST_ENV) bash tests/integration/run.sh

# Fuzzing (libFuzzer, clang): one target per codec and parser that reads
# untrusted input, under tests/fuzz/ with a seed corpus in
# tests/fuzz/corpus/<target>/. The library sources are rebuilt with clang
# and coverage into $(B)/fuzz/. `make fuzz` runs each target for
# FUZZ_SECONDS (or FUZZ_RUNS inputs); `make test` runs each briefly
# (tests/run-fuzz.sh) when clang is installed, and says SKIP otherwise.
FUZZ_CC      ?= clang
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS    := $(addprefix $(B)/fuzz/fuzz_,$(FUZZ_TARGETS))
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS   = -std=c11 -g -O1 $(WARN) -MMD -MP -Wno-unused-command-line-argument \
	-fsanitize=fuzzer-no-link $(FUZZ_SAN) -DFUZZ_PROFILE_DIR='"nat-profiles"' -Iharness/net
FUZZ_LIB_OBJ := $(patsubst %.c,$(B)/fuzz/obj/%.o,$(TESTBED_SRC) $(COMMON_SRC) \
	harness/net/nethpaddr.c)
FUZZ_SECONDS ?= 60
FUZZ_RUNS    ?=

$(B)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -c $< -o $@

$(B)/fuzz/libfuzzed.a: $(FUZZ_LIB_OBJ)
	$(Q)$(AR) rcs $@ $^

$(B)/fuzz/fuzz_%: $(B)/fuzz/obj/tests/fuzz/fuzz_%.o $(B)/fuzz/libfuzzed.a
	@$(if $(Q),echo "  LD  $@")
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(LDLIBS)

fuzz-build: $(FUZZ_BINS)

fuzz:
	$(Q)FUZZ=1 sh tools/deps.sh
	$(Q)$(MAKE) --no-print-directory B=$(B) fuzz-build
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_RUNS=$(FUZZ_RUNS) \
		sh tests/run-fuzz.sh $(B)/fuzz $(FUZZ_TARGETS)
# In `make test`: each target briefly (FUZZ_SMOKE_SECONDS), when clang and
# its libFuzzer runtime are installed.
FUZZ_SMOKE_SECONDS ?= 10
fuzz-smoke:
	$(Q)if command -v $(FUZZ_CC) >/dev/null && \
		echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){return 0;}' | \
		$(FUZZ_CC) -x c -fsanitize=fuzzer -o /dev/null - 2>/dev/null; then \
		$(MAKE) --no-print-directory B=$(B) fuzz-build && \
		FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS) sh tests/run-fuzz.sh $(B)/fuzz $(FUZZ_TARGETS); \
	else echo "SKIP fuzz: $(FUZZ_CC) with libFuzzer not installed (make fuzz installs it)"; fi

clean-build:
	rm -rf $(B)

format:
	clang-format -i $(TESTBED_SRC) $(COMMON_SRC) $(UNIT_SRC) \
		$(wildcard harness/*/*.c harness/*/*.h harness/*/*/*.c \
		harness/*/*/*.h testbed/*.h)

-include $(shell find $(B)/obj $(B)/fuzz/obj -name '*.d' 2>/dev/null)
