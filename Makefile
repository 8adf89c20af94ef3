# rawsock: `make run` and `make test` do all set-up on a fresh Debian machine with Java 17, Maven and gcc.
#
#   make          build target/rawsock.jar, the native tools in target/native/, and bin/rawsock
#   make run      build, then the main job: the socket API tour on loopback, and the lab demo
#                 (rawsock handshake: crafted TCP with a real kernel in private namespaces; needs root)
#   make test     build, then every test (privileged ones need root; RAWSOCK_REQUIRE_PRIVILEGED=1 forbids skips)
#   make bench    build, then the benchmarks (ratios against C in the same run)
#   make bench-quick  the same, fewer rounds, smaller counts, shorter JMH runs (under 3 minutes)
#   make install  put bin/rawsock and the jar under $(PREFIX) (default /usr/local)
#   make deps     install the Debian packages the tests use (run by build; a no-op when present)

PREFIX ?= /usr/local
MVN ?= mvn -B --no-transfer-progress
CC ?= gcc
CFLAGS ?= -O2 -Wall -Wextra -std=gnu11
NATIVE_SOURCES := $(wildcard native/*.c)
NATIVE_BINARIES := $(patsubst native/%.c,target/native/%,$(NATIVE_SOURCES))
JAVA_SOURCES := $(shell find java -name '*.java') pom.xml $(shell find docs/course -name '*.md' 2>/dev/null)

# Debian packages the tests and benchmarks use: python3 (independent socket peers), iproute2 (ip, ss),
# util-linux (setpriv, to run as an unprivileged user), procps, and the independent packet decoders the
# tests compare against: tshark and Scapy (python3-scapy, imported by Debian's own /usr/bin/python3).
DEBIAN_PACKAGES := python3 iproute2 util-linux procps tshark python3-scapy
DEBIAN_COMMANDS := python3 ip setpriv ps tshark

.PHONY: all build run test bench bench-quick bench-deps install uninstall deps native clean picocli-for-cds

all: build

build: target/rawsock.jar native bin/rawsock target/rawsock.jsa target/rawsock-craft.jsa target/rawsock-decode.jsa target/rawsock-send.jsa target/jffi

target/rawsock.jar: $(JAVA_SOURCES)
	$(MVN) -q package -DskipTests
	@$(MAKE) -s picocli-for-cds
	@touch $@

# picocli's jar is compiled for Java 5 (class file 49), and the JVM keeps such classes, and every class that
# implements one of their interfaces (our converters), out of a CDS archive. The CLI jar gets picocli compiled
# from its own sources jar (same version, from Maven Central) for Java 17 instead: about 100 ms less CPU per
# start (README, Benchmarks). The thin library jar is not touched.
PICOCLI_VERSION := $(shell sed -n 's:.*<picocli.version>\(.*\)</picocli.version>.*:\1:p' pom.xml)
picocli-for-cds:
	rm -rf target/picocli17 && mkdir -p target/picocli17/src target/picocli17/classes
	$(MVN) -q dependency:copy -Dartifact=info.picocli:picocli:$(PICOCLI_VERSION):jar:sources -DoutputDirectory=target/picocli17
	cd target/picocli17/src && jar xf ../picocli-$(PICOCLI_VERSION)-sources.jar
	javac -nowarn -XDsuppressNotes -XDstringConcat=inline --release 17 -d target/picocli17/classes $$(find target/picocli17/src -name '*.java')
	jar uf target/rawsock.jar -C target/picocli17/classes picocli

native: $(NATIVE_BINARIES)

target/native/%: native/%.c native/trace.h native/loopback_syn.h
	@mkdir -p target/native
	$(CC) $(CFLAGS) -o $@ $<

bin/rawsock:
	@chmod +x bin/rawsock

# The CDS archives bin/rawsock maps (README, Benchmarks: start-up and peak memory), made by bin/cds-archive from
# training runs: rawsock-craft.jsa, rawsock-decode.jsa and rawsock-send.jsa for those commands, rawsock.jsa for
# every other one. `make install` makes its own beside the installed jar (an archive names the jar's path).
CDS_TRAININGS := all craft decode send

target/rawsock.jsa: target/rawsock.jar bin/rawsock bin/cds-archive
	@sh bin/cds-archive bin/rawsock $@ all
target/rawsock-%.jsa: target/rawsock.jar bin/rawsock bin/cds-archive
	@sh bin/cds-archive bin/rawsock $@ $*

# jffi (under jnr-ffi) copies its JNI stub out of the jar into a new temp file in every process that loads
# it, unless the stub is in the directory named by jffi.boot.library.path (com.kenai.jffi.internal.StubLoader):
# the build unpacks this machine's stub once, beside the jar, and bin/rawsock names that directory. jffi names
# its directories jni/<arch>-Linux after os.arch (amd64 is x86_64 there, like uname -m). No stub for this
# machine: an empty directory, and jffi unpacks it per process as before.
JFFI_ARCH := $(shell uname -m | sed -e 's/^i[3-6]86$$/i386/' -e 's/^armv.*$$/arm/')
jffi_unpack = rm -rf $(2) && mkdir -p $(2)/unpacked && (cd $(2)/unpacked && jar xf $(abspath $(1)) jni/$(JFFI_ARCH)-Linux/) \
	&& { mv $(2)/unpacked/jni/$(JFFI_ARCH)-Linux/* $(2)/ 2>/dev/null || true; } && rm -rf $(2)/unpacked && touch $(2)

target/jffi: target/rawsock.jar
	@$(call jffi_unpack,target/rawsock.jar,$@)

deps:
	@missing=""; for c in $(DEBIAN_COMMANDS); do command -v $$c >/dev/null 2>&1 || missing="$$missing $$c"; done; \
	/usr/bin/python3 -c 'import scapy' >/dev/null 2>&1 || missing="$$missing scapy"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages for:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEBIAN_PACKAGES); \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEBIAN_PACKAGES); fi; \
	fi

run: build
	bin/rawsock tour
	@echo
	@bin/rawsock handshake || { rc=$$?; if [ $$rc -eq 3 ]; then echo "make run: the lab demo builds network namespaces: run 'sudo make run'" >&2; fi; exit $$rc; }

test: deps build
	$(MVN) test

# What `make bench` compares against, from Debian's packages: hping3, nping (in the nmap package), tcpdump,
# and GNU time (/usr/bin/time, for peak RSS); Scapy and tshark come with `make deps`.
BENCH_PACKAGES := hping3 nmap tcpdump time

bench-deps:
	@command -v hping3 >/dev/null 2>&1 && command -v nping >/dev/null 2>&1 && command -v tcpdump >/dev/null 2>&1 \
	  && test -x /usr/bin/time || { \
	  echo "installing Debian packages for the benchmarks: $(BENCH_PACKAGES)"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BENCH_PACKAGES); \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BENCH_PACKAGES); fi; }

bench: deps bench-deps build
	$(MVN) -q test-compile
	bin/bench

bench-quick: deps bench-deps build
	$(MVN) -q test-compile
	bin/bench --quick

install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/rawsock
	install -m 0644 target/rawsock.jar $(DESTDIR)$(PREFIX)/lib/rawsock/rawsock.jar
	install -m 0755 bin/rawsock $(DESTDIR)$(PREFIX)/bin/rawsock
	@$(call jffi_unpack,$(DESTDIR)$(PREFIX)/lib/rawsock/rawsock.jar,$(DESTDIR)$(PREFIX)/lib/rawsock/jffi)
	@for t in $(CDS_TRAININGS); do sh bin/cds-archive $(DESTDIR)$(PREFIX)/bin/rawsock $(DESTDIR)$(PREFIX)/lib/rawsock/$$(if [ $$t = all ]; then echo rawsock.jsa; else echo rawsock-$$t.jsa; fi) $$t; done

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/rawsock
	rm -rf $(DESTDIR)$(PREFIX)/lib/rawsock

clean:
	$(MVN) -q clean
