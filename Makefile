# crm: command-line CRM toolkit for online shops.
# GNU make.  Override any of these on the command line.

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
DATADIR  ?= $(PREFIX)/share/crm
MANDIR   ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
DESTDIR  ?=

CC       ?= cc
CFLAGS   ?= -O2 -g
PKG_CONFIG ?= pkg-config
PKGS     = sqlite3 libcurl libpcre2-8 libutf8proc libcrypto

# B is the build directory, so that an ASan build can live beside the
# normal one (make check-asan uses B=build-asan).
B        ?= build

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS))

override CFLAGS += -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral \
	-D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-DCRM_DATADIR='"$(DATADIR)"' -iquote lib $(PKG_CFLAGS)
LDLIBS   += $(PKG_LIBS) -lcsv -lm

VERSION  := $(shell cat VERSION)
override CFLAGS += -DCRM_VERSION='"$(VERSION)"'

LIB_SRC  := $(sort $(wildcard lib/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
CMD_SRC  := $(sort $(wildcard cmd/*.c))
CMDS     := $(CMD_SRC:cmd/%.c=%)
BINS     := $(CMDS:%=$(B)/bin/%)
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
UNITS    := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
TOOLS_SRC := $(sort $(wildcard tests/tools/*.c))
TOOLS    := $(TOOLS_SRC:tests/tools/%.c=$(B)/tests/%)
MANS     := $(sort $(wildcard man/*.[1-9]))

all: $(B)/lib/libcrm.a $(BINS)

$(B)/lib/libcrm.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $(LIB_OBJ)

$(B)/%.o: %.c $(wildcard lib/*.h) VERSION
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/bin/%: $(B)/cmd/%.o $(B)/lib/libcrm.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/lib/libcrm.a $(LDLIBS)

$(B)/tests/%: $(B)/tests/unit/%.o $(B)/lib/libcrm.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/lib/libcrm.a $(LDLIBS)

$(B)/tests/%: $(B)/tests/tools/%.o $(B)/lib/libcrm.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/lib/libcrm.a $(LDLIBS)

tests: $(UNITS) $(TOOLS)

# The test scripts find the build through CRM_BUILD; CRM_DATADIR points
# the binaries at the uninstalled presets.
check: all tests
	CRM_BUILD=$(abspath $(B)) CRM_DATADIR=$(abspath share) \
	PATH="$(abspath $(B))/bin:$$PATH" prove $(PROVEFLAGS) tests/*.t

ASAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
check-asan:
	$(MAKE) B=build-asan CFLAGS="$(ASAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" \
		ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 check

# The C unit tests under valgrind: no leaks, no invalid accesses.
valgrind: tests
	@set -e; for t in $(UNITS); do echo "valgrind $$t"; \
		CRM_BUILD=$(abspath $(B)) valgrind -q --suppressions=$(abspath tests/data/io/valgrind.supp) --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--error-exitcode=1 $$t >/dev/null; done

# libFuzzer targets (clang), built with their own copy of the library.
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz-*.c))
FUZZ_FLAGS = -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_SECONDS ?= 10
fuzz-build:
	$(MAKE) B=build-fuzz CC=clang CFLAGS="$(FUZZ_FLAGS)" build-fuzz/lib/libcrm.a
	@set -e; for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
		echo "clang $$n"; \
		clang $(CFLAGS) -Wno-missing-prototypes -fsanitize=fuzzer,address,undefined \
		-o build-fuzz/$$n $$f build-fuzz/lib/libcrm.a $(LDLIBS); done

fuzz-smoke: fuzz-build
	@set -e; for f in $(FUZZ_SRC); do n=$$(basename $$f .c); c=tests/fuzz/corpus/$${n#fuzz-}; \
		mkdir -p build-fuzz/corpus-$$n; \
		echo "fuzz $$n for $(FUZZ_SECONDS)s"; \
		build-fuzz/$$n -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
			build-fuzz/corpus-$$n $$c 2>build-fuzz/$$n.log || { tail -40 build-fuzz/$$n.log; exit 1; }; done

lint-man:
	mandoc -Tlint -Wwarning $(MANS)

demo: all
	PATH="$(abspath $(B))/bin:$$PATH" CRM_DATADIR=$(abspath share) sh examples/demo.sh

bench: all tests
	PATH="$(abspath $(B))/bin:$$PATH" CRM_BUILD=$(abspath $(B)) CRM_DATADIR=$(abspath share) sh bench/run.sh

# The same at 10^5 customers (10^5 line items, 10^4 mails): a few minutes.
bench-quick: all tests
	PATH="$(abspath $(B))/bin:$$PATH" CRM_BUILD=$(abspath $(B)) CRM_DATADIR=$(abspath share) BENCH_SCALE=100000 sh bench/run.sh

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/formats \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	for f in $(BINS); do cp $$f $(DESTDIR)$(BINDIR)/; done
	for f in share/formats/*; do [ -f "$$f" ] && cp $$f $(DESTDIR)$(DATADIR)/formats/; done; true
	for f in $(MANS); do s=$${f##*.}; cp $$f $(DESTDIR)$(MANDIR)/man$$s/; done
	for f in completions/bash/*; do [ -f "$$f" ] && cp $$f $(DESTDIR)$(BASHCOMPDIR)/; done; true
	for f in completions/zsh/*; do [ -f "$$f" ] && cp $$f $(DESTDIR)$(ZSHCOMPDIR)/; done; true

uninstall:
	for c in $(CMDS); do rm -f $(DESTDIR)$(BINDIR)/$$c $(DESTDIR)$(BASHCOMPDIR)/$$c $(DESTDIR)$(ZSHCOMPDIR)/_$$c; done
	for f in $(MANS); do s=$${f##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${f##*/}; done
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build build-asan build-fuzz

.PHONY: all tests check check-asan valgrind fuzz-build fuzz-smoke lint-man demo bench bench-quick install uninstall clean
.SECONDARY:
