# capsuled: a plain Makefile.  `make` builds, `make check` tests (plain and
# under ASan+UBSan), `make run` serves the sample capsule.
# Dependencies come from pkg-config; libunistring ships no .pc file on
# Debian 12, so it falls back to a plain -l flag.

PROG	 = capsuled
VERSION	 = 0.1.0
PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
DESTDIR	?=
DOCDIR	?= $(PREFIX)/share/doc/capsuled
SHARED	?= ../shared

CC	?= cc
CFLAGS	?= -O2 -g
WARN	 = -Wall -Wextra -Wpedantic -Wshadow -Wpointer-arith -Wcast-qual \
	   -Wstrict-prototypes -Wmissing-prototypes -Wmissing-declarations \
	   -Wold-style-definition -Wformat=2 -Wvla -Wwrite-strings -Wundef \
	   -Wredundant-decls -Wnull-dereference -Wimplicit-fallthrough
ifeq ($(CI),true)
WARN	+= -Werror
endif
ifeq ($(WERROR),1)
WARN	+= -Werror
endif

PKGS	 = openssl libmagic libevent libevent_pthreads liburiparser libidn2 \
	   libseccomp
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
UNISTRING_LIBS := $(shell pkg-config --libs libunistring 2>/dev/null || echo -lunistring)

# src/ has one folder per layer (CONTRIBUTING.md): each may use only
# the layers listed before it.
LAYERS	 = lib content index render capsule proto net proc
INCS	 = $(LAYERS:%=-Isrc/%)
CPPFLAGS += -std=c11 -D_GNU_SOURCE $(INCS) $(PKG_CFLAGS) -MMD -MP
LDFLAGS	 += -Wl,--as-needed
# libstemmer (Snowball) ships no .pc file on Debian 12 either; textindex_*.c
# needs libm (log, sqrt).
STEMMER_LIBS := $(shell pkg-config --libs libstemmer 2>/dev/null || echo -lstemmer)
LDLIBS	 += $(PKG_LIBS) $(UNISTRING_LIBS) $(STEMMER_LIBS) -lm -lpthread

SAN	 = -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=all

# The text index, in parts (src/textindex_int.h lists them).
TEXTINDEX_SRCS = src/index/textindex_tok.c src/index/textindex_dict.c \
	   src/index/textindex_topn.c src/index/textindex_build.c \
	   src/index/textindex.c src/index/textindex_query.c \
	   src/index/textindex_snip.c
TEXTINDEX_OBJS = $(TEXTINDEX_SRCS:src/%.c=%)
# The configuration parser, in parts (src/proc/config_int.h lists them).
CONFIG_SRCS = src/proc/config.c src/proc/config_keys.c src/proc/config_dump.c
CONFIG_OBJS = $(CONFIG_SRCS:src/%.c=%)
# Modules by layer, each layer using only those before it.
LIB_SRCS = src/lib/buf.c src/lib/utf8.c src/lib/strmap.c src/lib/pmap.c \
	   src/lib/arena.c src/lib/log.c \
	   src/content/source.c src/content/article.c src/content/slug.c \
	   src/content/meta.c src/content/catalog.c src/content/catalog_build.c \
	   src/content/catalog_order.c \
	   src/content/catalog_change.c \
	   src/content/site.c \
	   src/content/addr.c src/content/wellknown.c \
	   $(TEXTINDEX_SRCS) \
	   src/render/page.c src/render/render.c src/render/gemtext.c \
	   src/render/gopher_render.c src/render/feed.c src/render/search.c \
	   src/render/nex_render.c src/render/html.c src/render/html_text.c \
	   src/capsule/capsule.c src/capsule/mime.c src/capsule/discover.c \
	   src/capsule/snapshot.c src/capsule/live.c src/capsule/live_watch.c \
	   src/capsule/live_cache.c src/capsule/live_index.c \
	   src/proto/gemini.c src/proto/titan.c src/proto/gopher.c \
	   src/proto/router.c src/proto/response.c src/proto/respond.c src/proto/gemini_proto.c \
	   src/proto/gopher_proto.c src/proto/spartan.c \
	   src/proto/spartan_proto.c src/proto/nex.c src/proto/nex_proto.c \
	   src/proto/http.c src/proto/http_proto.c src/proto/proto.c \
	   src/net/tls.c src/net/perip.c src/net/access.c src/net/proxy.c \
	   src/net/conn.c src/net/conn_io.c src/net/conn_proxy.c \
	   src/net/server.c \
	   $(CONFIG_SRCS) src/proc/preflight.c src/proc/serve.c \
	   src/proc/serve_world.c src/proc/serve_child.c src/proc/sandbox.c \
	   src/proc/writer.c src/proto/titan_proto.c
SRCS	 = $(LIB_SRCS) src/proc/main.c
TESTS	 = test_buf test_utf8 test_strmap test_source test_article \
	   test_slug test_catalog test_gemtext test_gopher_render test_feed \
	   test_gemini test_config test_textindex test_discover test_search \
	   test_access test_snapshot test_page test_wellknown test_nex \
	   test_spartan test_http test_html test_catalog_incr test_proxy \
	   test_titan

OBJ	 = build/obj
AOBJ	 = build/asan
LIB_OBJS = $(LIB_SRCS:src/%.c=$(OBJ)/%.o)
LIB_AOBJS = $(LIB_SRCS:src/%.c=$(AOBJ)/%.o)

# keep test objects between runs (they are not mere intermediates)
.SECONDARY:

.PHONY: all run check check-plain check-asan deps install uninstall clean lint \
	soak tsan

all: $(PROG)

# `make V=1` shows the commands.
Q	 = $(if $(V),,@)
SAY	 = $(if $(V),@true,@echo)

$(PROG): $(LIB_OBJS) $(OBJ)/proc/main.o
	$(SAY) "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(OBJ)/%.o: src/%.c
	$(SAY) "  CC      $<"
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -c -o $@ $<

$(OBJ)/test_%.o: tests/test_%.c | $(OBJ)
	$(SAY) "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -c -o $@ $<

$(AOBJ)/%.o: src/%.c
	$(SAY) "  CC-SAN  $<"
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(SAN) -c -o $@ $<

$(AOBJ)/test_%.o: tests/test_%.c | $(AOBJ)
	$(SAY) "  CC-SAN  $<"
	$(Q)$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(SAN) -c -o $@ $<

build/$(PROG)-asan: $(LIB_AOBJS) $(AOBJ)/proc/main.o
	$(SAY) "  LD-SAN  $@"
	$(Q)$(CC) $(CFLAGS) $(SAN) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Each unit test links only the objects its module needs, listed here
# by hand: a module that starts to use a layer above it no longer links.
T_test_buf	 = lib/buf
T_test_utf8	 = lib/buf lib/utf8
T_test_strmap	 = lib/strmap lib/pmap
T_test_source	 = lib/buf lib/utf8 content/source
T_test_article	 = lib/buf lib/utf8 content/source content/article
T_test_slug	 = lib/buf lib/utf8 lib/strmap content/slug
T_test_access	 = lib/buf lib/utf8 net/access
T_test_proxy	 = net/proxy
T_test_gemini	 = lib/buf lib/utf8 content/addr proto/gemini
T_test_nex	 = lib/buf lib/utf8 proto/nex
T_test_spartan	 = $(T_test_gemini) proto/spartan
T_test_titan	 = $(T_test_gemini) content/wellknown proto/titan
T_test_http	 = $(T_test_gemini) proto/http
T_test_textindex = lib/buf lib/utf8 lib/strmap $(TEXTINDEX_OBJS)
T_CONTENT	 = lib/buf lib/utf8 lib/strmap lib/pmap lib/arena content/source \
		   content/article content/slug content/meta content/catalog \
		   content/catalog_build content/catalog_order \
		   content/catalog_change \
		   content/site content/addr content/wellknown
T_RENDER	 = $(T_CONTENT) render/page render/render render/gemtext \
		   render/gopher_render render/feed render/nex_render render/html \
		   render/html_text
T_test_catalog	 = $(T_CONTENT)
T_test_gemtext	 = $(T_RENDER)
T_test_gopher_render = $(T_RENDER)
T_test_feed	 = $(T_RENDER)
T_test_page	 = $(T_RENDER)
T_test_html	 = $(T_RENDER)
T_test_catalog_incr = $(T_RENDER)
T_test_search	 = $(T_RENDER) $(TEXTINDEX_OBJS) render/search
T_test_config	 = lib/buf lib/utf8 content/source content/article \
		   content/addr $(CONFIG_OBJS)
T_CAPSULE	 = $(T_RENDER) $(TEXTINDEX_OBJS) render/search lib/log \
		   capsule/capsule capsule/discover
T_test_discover	 = $(T_CAPSULE)
T_test_snapshot	 = $(T_CAPSULE) capsule/snapshot
T_test_wellknown = $(T_CONTENT) capsule/capsule proto/router

define TEST_RULE
build/tests/$(1): $(OBJ)/$(1).o $$(T_$(1):%=$(OBJ)/%.o) | build/tests
	$$(Q)$$(CC) $$(CFLAGS) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)

build/tests-asan/$(1): $(AOBJ)/$(1).o $$(T_$(1):%=$(AOBJ)/%.o) | \
    build/tests-asan
	$$(Q)$$(CC) $$(CFLAGS) $$(SAN) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach t,$(TESTS),$(eval $(call TEST_RULE,$(t))))

# test_snapshot makes malloc and calloc fail on demand (out of memory
# must not read as "nothing found").
build/tests/test_snapshot build/tests-asan/test_snapshot: \
    LDFLAGS += -Wl,--wrap=malloc,--wrap=calloc

# Test clients on other TLS stacks (tests/resume.sh): GnuTLS.
TEST_CLIENTS = build/tests/gnutls_chain build/tests/accept_fail.so
# accept() failing on demand (tests/exhaust.sh), preloaded into the server
build/tests/accept_fail.so: tests/accept_fail.c | build/tests
	$(SAY) "  CC      $<"
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -shared -fPIC \
	    -o $@ $< -ldl
build/tests/gnutls_chain: tests/gnutls_chain.c | build/tests
	$(SAY) "  CC      $<"
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) \
	    $(shell pkg-config --cflags gnutls 2>/dev/null) -o $@ $< \
	    $(shell pkg-config --libs gnutls 2>/dev/null || echo -lgnutls)

$(OBJ) $(AOBJ) build/tests build/tests-asan:
	mkdir -p $@

# Install missing Debian packages as root, else print the apt-get line.
deps:
	@sh tools/deps

# make run needs only what building needs, not the test tools
run:
	@sh tools/deps build
	$(MAKE) all
	./$(PROG) -d capsule

check: deps
	$(MAKE) $(PROG) build/$(PROG)-asan $(TESTS:%=build/tests/%) \
	    $(TESTS:%=build/tests-asan/%) $(TEST_CLIENTS)
	@sh tests/run.sh --shared "$(SHARED)"

# The soak test (tests/soak_test.py): every listener and Titan under
# readers, authors, reloads, a kill -9, slow, idle and bursting
# clients, descriptors and disk space exhausted, for SOAK_SECONDS on a
# capsule of 10,000 articles; one report table (RELIABILITY.md).
# `make check` runs it for 60 s on 300 articles.  SOAK_BIN: the binary
# (build/capsuled-asan for the sanitizer build).
SOAK_SECONDS ?= 600
SOAK_ARTICLES ?= 10000
SOAK_BIN ?= ./$(PROG)
soak: deps
	$(MAKE) $(SOAK_BIN)
	@SOAK_SECONDS=$(SOAK_SECONDS) SOAK_ARTICLES=$(SOAK_ARTICLES) \
	    SHARED="$(SHARED)" sh tests/soak.sh $(SOAK_BIN)

# ThreadSanitizer, for the code that runs on threads of its own: the
# catalog's unit tests (a full build of more than CAT_THREAD_MIN
# articles runs on two threads; catalog_build.c says why its halves
# cannot race), then the server (build/capsuled-tsan, no sandbox, as the
# ASan build) under the suites where its threads meet most: a large
# capsule, whose text index is built on a thread while the watcher
# publishes changes (live_index.c), the watcher and the workers, the
# text index, reloads, Titan's writer, many clients at once.  Not part
# of `check`: about four minutes.
TSAN	 = -fsanitize=thread -fno-omit-frame-pointer
tsan: deps
	@mkdir -p build/tsan
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(TSAN) $(LDFLAGS) \
	    -o build/tsan/test_catalog tests/test_catalog.c \
	    $(T_test_catalog:%=src/%.c) $(LDLIBS)
	build/tsan/test_catalog
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(TSAN) $(LDFLAGS) \
	    -o build/capsuled-tsan $(SRCS) $(LDLIBS)
	for t in startup live discover reload titan concurrency; do \
		sh tests/$$t.sh build/capsuled-tsan || exit 1; done

lint:
	mandoc -Tlint -W warning man/capsuled.8 man/capsuled.conf.5

install: $(PROG)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DOCDIR)
	install -m 755 $(PROG) $(DESTDIR)$(BINDIR)/$(PROG)
	install -m 644 man/capsuled.8 $(DESTDIR)$(MANDIR)/man8/capsuled.8
	install -m 644 man/capsuled.conf.5 $(DESTDIR)$(MANDIR)/man5/capsuled.conf.5
	install -m 644 contrib/capsuled.conf $(DESTDIR)$(DOCDIR)/capsuled.conf.example
	install -m 644 contrib/capsuled.service $(DESTDIR)$(DOCDIR)/capsuled.service

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/$(PROG) $(DESTDIR)$(MANDIR)/man8/capsuled.8 \
	    $(DESTDIR)$(MANDIR)/man5/capsuled.conf.5
	rm -rf $(DESTDIR)$(DOCDIR)

clean:
	rm -rf build $(PROG)

# libFuzzer harnesses (tests/fuzz/), built with clang, never by `all`.
# `make fuzz` runs each for FUZZ_SECONDS; `sh tests/fuzz/fuzz.sh SECONDS
# [TARGET...]` runs some.  Each links the library sources it needs,
# compiled with it so that they are instrumented too.
FUZZ_SECONDS ?= 600
FUZZ_CC	 = clang
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE $(INCS) $(PKG_CFLAGS) -g -O1 \
	   -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_TARGETS = fuzz_gemini_request fuzz_gopher_request fuzz_article \
	   fuzz_render_catalog fuzz_config fuzz_textindex fuzz_nex_request \
	   fuzz_spartan_request fuzz_http_request fuzz_proxy_header \
	   fuzz_titan_request
FUZZ_BASE = src/lib/buf.c src/lib/utf8.c
FUZZ_RENDER = $(FUZZ_BASE) src/lib/strmap.c src/lib/pmap.c src/lib/arena.c \
	   src/content/source.c src/content/article.c src/content/slug.c \
	   src/content/meta.c src/content/catalog.c src/content/catalog_build.c \
	   src/content/catalog_order.c \
	   src/content/catalog_change.c \
	   src/content/addr.c src/render/page.c src/render/render.c \
	   src/render/gemtext.c src/render/gopher_render.c src/render/feed.c \
	   src/render/nex_render.c src/render/html.c src/render/html_text.c
FUZZ_SRCS_fuzz_gemini_request = $(FUZZ_BASE) src/content/addr.c \
	   src/proto/gemini.c
FUZZ_SRCS_fuzz_spartan_request = $(FUZZ_SRCS_fuzz_gemini_request) \
	   src/proto/spartan.c
FUZZ_SRCS_fuzz_titan_request = $(FUZZ_SRCS_fuzz_gemini_request) \
	   src/content/wellknown.c src/proto/titan.c
FUZZ_SRCS_fuzz_gopher_request = $(FUZZ_BASE) src/proto/gopher.c
FUZZ_SRCS_fuzz_nex_request = $(FUZZ_BASE) src/proto/nex.c
FUZZ_SRCS_fuzz_proxy_header = $(FUZZ_BASE) src/net/proxy.c
FUZZ_SRCS_fuzz_http_request = $(FUZZ_SRCS_fuzz_gemini_request) \
	   src/proto/http.c
FUZZ_SRCS_fuzz_article = $(FUZZ_RENDER)
FUZZ_SRCS_fuzz_render_catalog = $(FUZZ_RENDER)
FUZZ_SRCS_fuzz_config = $(FUZZ_BASE) $(CONFIG_SRCS) src/content/article.c \
	   src/content/source.c src/content/addr.c
FUZZ_SRCS_fuzz_textindex = $(FUZZ_BASE) src/lib/strmap.c $(TEXTINDEX_SRCS)

.PHONY: fuzz fuzz-build

fuzz:
	sh tests/fuzz/fuzz.sh $(FUZZ_SECONDS)

fuzz-build: $(FUZZ_TARGETS:%=build/fuzz/%)

define FUZZ_RULE
build/fuzz/$(1): tests/fuzz/$(1).c $$(FUZZ_SRCS_$(1)) \
	    $$(wildcard tests/fuzz/*.h src/*/*.h) | build/fuzz
	$$(SAY) "  FUZZ    $$@"
	$$(Q)$$(FUZZ_CC) $$(FUZZ_CFLAGS) -o $$@ tests/fuzz/$(1).c \
	    $$(FUZZ_SRCS_$(1)) $$(PKG_LIBS) $$(UNISTRING_LIBS) \
	    $$(STEMMER_LIBS) -lpthread
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_RULE,$(t))))

build/fuzz:
	mkdir -p $@

# Benchmarks (bench/, BENCHMARKS.md): the load generator and the bare
# TLS and TCP floors, plain C against OpenSSL only.  `make bench` builds
# them and capsuled, then runs bench/run.sh (BENCH_QUICK=1: ~1 s each).
BENCH_BINS = build/bench/loadgen build/bench/floor_tls build/bench/floor_tcp
BENCH_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g $(shell pkg-config --cflags openssl 2>/dev/null)
BENCH_LIBS := $(shell pkg-config --libs openssl 2>/dev/null || echo -lssl -lcrypto) -lpthread

.PHONY: bench bench-build bench-discover

bench: deps
	$(MAKE) $(PROG) bench-build
	@sh bench/run.sh

bench-build: $(BENCH_BINS)

# similar articles and search at 10k, 100k and 200k articles
bench-discover: deps
	@sh bench/discover.sh

build/bench/%: bench/%.c | build/bench
	$(SAY) "  CC      $<"
	$(Q)$(CC) $(BENCH_CFLAGS) $(WARN) -o $@ $< $(BENCH_LIBS)

build/bench:
	mkdir -p $@

# similar-article quality, index build and search times
# (bench/similarity.c), against the library objects like a unit test.
build/similarity: bench/similarity.c $(LIB_OBJS)
	$(SAY) "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# start-up parsing of a capsule's files, read into memory first
# (bench/parse.c), against the library objects like a unit test.
build/parse: bench/parse.c $(LIB_OBJS)
	$(SAY) "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

-include $(wildcard $(OBJ)/*.d $(AOBJ)/*.d $(OBJ)/*/*.d $(AOBJ)/*/*.d)
