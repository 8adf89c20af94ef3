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

.PHONY: all build run test bench bench-quick bench-deps install uninstall deps native clean

all: build

build: target/rawsock.jar native bin/rawsock

target/rawsock.jar: $(JAVA_SOURCES)
	$(MVN) -q package -DskipTests
	@touch $@

native: $(NATIVE_BINARIES)

target/native/%: native/%.c native/trace.h
	@mkdir -p target/native
	$(CC) $(CFLAGS) -o $@ $<

bin/rawsock:
	@chmod +x bin/rawsock

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

# What `make bench` compares against, from Debian's packages: hping3, and nping (in the nmap package).
BENCH_PACKAGES := hping3 nmap

bench-deps:
	@command -v hping3 >/dev/null 2>&1 && command -v nping >/dev/null 2>&1 || { \
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

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/rawsock
	rm -rf $(DESTDIR)$(PREFIX)/lib/rawsock

clean:
	$(MVN) -q clean
