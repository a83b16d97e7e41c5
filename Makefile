# warden: one library, one binary.  See README.md.
include config.mk

LIB_SRC	= $(sort $(wildcard lib/*.c))
BIN_SRC	= $(sort $(wildcard src/*.c src/sup/*.c))
HLP_SRC	= $(sort $(wildcard tests/helpers/*.c))
UT_SRC	= $(sort $(wildcard tests/unit/test-*.c))

LIB_OBJ	= $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
BIN_OBJ	= $(BIN_SRC:%.c=$(BUILD)/obj/%.o)
HELPERS	= $(HLP_SRC:tests/helpers/%.c=$(BUILD)/helpers/%)
UNITS	= $(UT_SRC:tests/unit/%.c=$(BUILD)/unit/%)
# src/ objects the unit tests may use: everything but main.
BIN_LIBOBJ = $(filter-out $(BUILD)/obj/src/main.o,$(BIN_OBJ))

MANPAGES = $(wildcard man/*.[1-8])

all: $(BUILD)/warden $(BUILD)/echod $(BUILD)/libwarden.a \
    $(BUILD)/libwarden.so $(BUILD)/warden.pc

-include $(LIB_OBJ:.o=.d) $(BIN_OBJ:.o=.d)

# The status page (src/sup/page.html) is in the binary as one C string.
CPPFLAGS += -I$(BUILD)/gen
$(BUILD)/gen/page-html.h: src/sup/page.html
	@mkdir -p $(@D)
	{ echo '/* Made from src/sup/page.html by the Makefile. */'; \
	    echo 'static const char page_html[] ='; \
	    sed -e 's/^	*//' -e 's/\\/\\\\/g' -e 's/"/\\"/g' \
	    -e 's/^/"/' -e 's/$$/\\n"/' $<; echo ';'; } >$@.tmp
	mv $@.tmp $@
$(BUILD)/obj/src/sup/page.o $(BUILD)/musl/src/sup/page.o: \
    $(BUILD)/gen/page-html.h

$(BUILD)/obj/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -DWD_BUILDING -fPIC -fvisibility=hidden $(CFLAGS) \
	    -MMD -MP -c -o $@ $<

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Isrc $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/libwarden.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $(LIB_OBJ)

$(BUILD)/libwarden.so: $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libwarden.so.$(SOVER) $(LDFLAGS) -o $@ $(LIB_OBJ)

$(BUILD)/warden.pc: warden.pc.in config.mk
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCDIR@|$(INCDIR)|' -e 's|@VERSION@|$(VERSION)|' $< > $@

ifneq ($(STATIC),0)
MUSL	:= $(shell command -v $(MUSLCC) 2>/dev/null)
endif
ifneq ($(MUSL),)
# The same sources, compiled against musl for the static binary.
MUSL_OBJ = $(LIB_SRC:%.c=$(BUILD)/musl/%.o) $(BIN_SRC:%.c=$(BUILD)/musl/%.o)
-include $(MUSL_OBJ:.o=.d)

# Each function in a section of its own, and the link keeps only what is
# called: code not yet reachable costs the binary nothing, not even pages.
$(BUILD)/musl/%.o: %.c
	@mkdir -p $(@D)
	$(MUSL) $(CPPFLAGS) -Isrc $(CFLAGS) -ffunction-sections \
	    -fdata-sections -MMD -MP -c -o $@ $<

$(BUILD)/warden: $(MUSL_OBJ)
	$(MUSL) -static -Wl,--gc-sections $(LDFLAGS) -o $@ $(MUSL_OBJ)

# echod static too, for an image that holds nothing else
# (examples/container/); build/echod stays the one the tests know.
all: $(BUILD)/musl/echod
$(BUILD)/musl/echod: $(BUILD)/musl/examples/echod.o \
    $(LIB_SRC:%.c=$(BUILD)/musl/%.o)
	$(MUSL) -static -Wl,--gc-sections $(LDFLAGS) -o $@ $^
else
$(BUILD)/warden: $(BIN_OBJ) $(BUILD)/libwarden.a
	$(CC) $(LDFLAGS) -o $@ $(BIN_OBJ) $(BUILD)/libwarden.a
endif

$(BUILD)/echod: $(BUILD)/obj/examples/echod.o $(BUILD)/libwarden.a
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/libwarden.a

$(BUILD)/helpers/%: tests/helpers/%.c $(BUILD)/libwarden.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libwarden.a

# xrcodec drives the XML-RPC codec, which lives in src/.
$(BUILD)/helpers/xrcodec: tests/helpers/xrcodec.c $(BUILD)/libwsrc.a \
    $(BUILD)/libwarden.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Isrc $(CFLAGS) $(LDFLAGS) -o $@ $< \
	    $(BUILD)/libwsrc.a $(BUILD)/libwarden.a

# The binary's modules as an archive: a unit test links only what it uses.
$(BUILD)/libwsrc.a: $(BIN_LIBOBJ)
	@rm -f $@
	$(AR) rcs $@ $(BIN_LIBOBJ)

$(BUILD)/unit/%: tests/unit/%.c $(BUILD)/libwsrc.a $(BUILD)/libwarden.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Isrc -Ilib $(CFLAGS) $(LDFLAGS) -o $@ $< \
	    $(BUILD)/libwsrc.a $(BUILD)/libwarden.a -lcmocka

helpers: $(HELPERS)
units: $(UNITS)

# make fuzz: libFuzzer harnesses (clang) for the config reader, the
# control request parser, the HTTP parser and the XML-RPC codec, each run
# FUZZ_SECONDS; make check runs them briefly.
FUZZ_SRC	= $(sort $(wildcard tests/fuzz/fuzz-*.c))
FUZZERS		= $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_SECONDS	?= 60
FUZZ_CC		?= clang
FUZZ_LINK	= $(filter-out src/main.c,$(BIN_SRC)) $(LIB_SRC)

build/fuzz/%: tests/fuzz/%.c $(FUZZ_LINK) $(BUILD)/gen/page-html.h
	@mkdir -p $(@D)
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined $(CPPFLAGS) \
	    -DWARDEN_FUZZING -Isrc -o $@ $< $(FUZZ_LINK)

fuzz: $(FUZZERS)
	@for f in $(FUZZERS); do \
	    mkdir -p build/fuzz/corpus-$${f##*/}; \
	    echo "fuzzing $${f##*/} for $(FUZZ_SECONDS) s"; \
	    $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=0 \
	        build/fuzz/corpus-$${f##*/} 2>build/fuzz/$${f##*/}.log || \
	        { tail -40 build/fuzz/$${f##*/}.log; exit 1; }; done

# The README's test command: unit tests, system tests, then one line
# "N passed, N failed".  The other compiler must build the tree cleanly too.
# (deps first, then a fresh make: what deps installed is seen.)
check: deps
	@$(MAKE) --no-print-directory check-run

check-run: all helpers units
	@if [ "$(SANITIZE)" != 1 ] && [ -z "$(NOCROSS)" ]; then \
	    other=clang; case "$(CC)" in *clang*) other=gcc;; esac; \
	    echo "building with $$other (-Werror)"; \
	    $(MAKE) -s BUILD=build/$$other CC=$$other STATIC=0 NOCROSS=1 \
	        all helpers units >build/cross.log 2>&1 || \
	        { cat build/cross.log; exit 1; }; fi
	@if [ "$(SANITIZE)" != 1 ] && [ -z "$(NOCROSS)" ]; then \
	    $(MAKE) -s --no-print-directory fuzz FUZZ_SECONDS=10; fi
	@BUILD=$(BUILD) tests/run

demo: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) examples/demo.sh

# make deps: the Debian packages the build and the tests need, and the
# npm package the browser test drives chromium with (into build/npm).
DEPS	= gcc make clang libclang-rt-14-dev musl-tools libcmocka-dev bats \
	  python3 util-linux bsdutils procps pkg-config redis-server \
	  'nginx-light|nginx' supervisor librpc-xml-perl prometheus chromium 'npm|nodejs'
BENCHDEPS = hyperfine daemonize daemon dpkg supervisor runit s6 strace 'npm|nodejs'
deps:
	@tests/deps.sh $(DEPS)
	@tests/npm-deps.sh build/npm

bench: deps
	@tests/deps.sh $(BENCHDEPS)
	@$(MAKE) --no-print-directory all helpers
	@BUILD=$(BUILD) bench/run

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR) \
	    $(DESTDIR)$(PCDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 \
	    $(DESTDIR)$(MANDIR)/man5
	install -m 755 $(BUILD)/warden $(DESTDIR)$(BINDIR)/warden
	install -m 644 $(BUILD)/libwarden.a $(DESTDIR)$(LIBDIR)/libwarden.a
	install -m 755 $(BUILD)/libwarden.so \
	    $(DESTDIR)$(LIBDIR)/libwarden.so.$(VERSION)
	ln -sf libwarden.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libwarden.so.$(SOVER)
	ln -sf libwarden.so.$(SOVER) $(DESTDIR)$(LIBDIR)/libwarden.so
	install -m 644 include/warden.h $(DESTDIR)$(INCDIR)/warden.h
	install -m 644 $(BUILD)/warden.pc $(DESTDIR)$(PCDIR)/warden.pc
	for m in $(MANPAGES); do \
	    s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/warden $(DESTDIR)$(LIBDIR)/libwarden.* \
	    $(DESTDIR)$(INCDIR)/warden.h $(DESTDIR)$(PCDIR)/warden.pc
	for m in $(MANPAGES); do \
	    s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done

clean:
	rm -rf build

.PHONY: all helpers units check check-run demo deps bench fuzz install \
	uninstall clean
