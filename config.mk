# warden build settings: override on the command line (make CC=clang ...).

VERSION	= 0.1.0
SOVER	= 0

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
LIBDIR	?= $(PREFIX)/lib
INCDIR	?= $(PREFIX)/include
MANDIR	?= $(PREFIX)/share/man
PCDIR	?= $(LIBDIR)/pkgconfig

CC	?= cc
AR	?= ar
OPT	?= -O2 -g
WERROR	?= -Werror
WARN	= -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
	  -Wmissing-declarations -Wpointer-arith -Wcast-qual -Wformat=2 \
	  -Wno-format-nonliteral -Wno-unused-parameter
# gcc warns of every snprintf that may truncate; ours are bounded on purpose.
ifeq ($(shell $(CC) --version 2>/dev/null | grep -c clang),0)
WARN	+= -Wno-format-truncation
endif
CPPFLAGS += -D_GNU_SOURCE -DWARDEN_VERSION_STR=\"$(VERSION)\" -Iinclude
CFLAGS	+= -std=c11 $(OPT) $(WARN) $(WERROR) -fno-strict-aliasing
LDFLAGS	+=

# The warden binary is linked statically with musl when musl-gcc is there
# (make deps installs it): it starts in a fraction of the time a dynamic
# binary needs and runs in any container.  STATIC=0 links it with CC.
STATIC	?= 1
MUSLCC	?= musl-gcc

# make SANITIZE=1: AddressSanitizer + UndefinedBehaviorSanitizer, own tree.
ifeq ($(SANITIZE),1)
STATIC	= 0
BUILD	?= build/san
CFLAGS	+= -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined
LDFLAGS	+= -fsanitize=address,undefined
else
BUILD	?= build
endif
