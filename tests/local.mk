# tests/local.mk - how the tests run (tests/README.md): the unit tests
# each folder's local.mk lists (cmocka, TAP), the core's integration
# scenarios (each task's are in its local.mk; numbered by area: 00-19
# core, 20 rotate-dh, 30 rebuild-maps, 40 validate-config, 50 check-tls,
# 60 check-queue, 70 log-report), the layout check, the sandbox, the
# fault-injection library (tests/fault/), the benchmarks (make bench) and
# the fuzz targets (make fuzz).
INTEGRATION_TESTS += \
	tests/integration/00-sandbox.sh \
	tests/integration/01-cli.sh \
	tests/integration/02-gate-rollback.sh \
	tests/integration/03-stopped.sh \
	tests/integration/04-concurrent.sh \
	tests/integration/05-syslog.sh \
	tests/integration/06-health.sh \
	tests/integration/07-instance.sh \
	tests/integration/08-health-listeners.sh \
	tests/integration/09-faults.sh \
	tests/integration/10-untrusted.sh \
	tests/integration/11-robust.sh \
	tests/integration/12-demo.sh

EXTRA_DIST += \
	tests/README.md tests/layout.sh tests/deps.sh tests/minimal-debian.sh \
	tests/sandbox/sandbox.sh tests/sandbox/syslogcap.sh \
	tests/sandbox/demo.sh tests/sandbox/demo.conf \
	tests/integration/lib.sh tests/integration/pfa.sh $(INTEGRATION_TESTS) \
	tests/bench/bench_dh.sh tests/bench/bench_maps.sh tests/bench/README.md \
	tests/bench/bench_queue.sh \
	tests/fuzz/build.sh tests/fuzz/run.sh tests/fuzz/corpus $(FUZZ_TARGET_FILES) \
	tests/fault/failnth.c tests/fault/fault.sh tests/fault/dh.sh \
	tests/fault/maps.sh \
	tasks/README.md tasks/dh/README.md tasks/maps/README.md \
	tasks/config/README.md

FUZZ_TARGET_FILES = tests/fuzz/fuzz_mapsrc.c tests/fuzz/fuzz_pem.c \
	tests/fuzz/fuzz_postconf.c tests/fuzz/fuzz_config.c tests/fuzz/fuzz_state.c \
	tests/fuzz/fuzz_dh.c
FUZZ_TARGET_FILES += tests/fuzz/fuzz_qjson.c tests/fuzz/fuzz_deferlog.c
FUZZ_TARGET_FILES += tests/fuzz/fuzz_maillog.c

# Every fuzz target also runs over its committed corpus in make check
# (tests/fuzz/replay.c), built with the project's compiler and flags, so
# a target that stops building or a seed that fails is caught there too.
UNIT_TESTS += tests/fuzz/replay_config tests/fuzz/replay_deferlog \
	tests/fuzz/replay_dh tests/fuzz/replay_maillog tests/fuzz/replay_mapsrc \
	tests/fuzz/replay_pem tests/fuzz/replay_postconf tests/fuzz/replay_qjson \
	tests/fuzz/replay_state
tests_fuzz_replay_config_SOURCES = tests/fuzz/fuzz_config.c tests/fuzz/replay.c
tests_fuzz_replay_deferlog_SOURCES = tests/fuzz/fuzz_deferlog.c tests/fuzz/replay.c
tests_fuzz_replay_dh_SOURCES = tests/fuzz/fuzz_dh.c tests/fuzz/replay.c
tests_fuzz_replay_maillog_SOURCES = tests/fuzz/fuzz_maillog.c tests/fuzz/replay.c
tests_fuzz_replay_mapsrc_SOURCES = tests/fuzz/fuzz_mapsrc.c tests/fuzz/replay.c
tests_fuzz_replay_pem_SOURCES = tests/fuzz/fuzz_pem.c tests/fuzz/replay.c
tests_fuzz_replay_postconf_SOURCES = tests/fuzz/fuzz_postconf.c tests/fuzz/replay.c
tests_fuzz_replay_qjson_SOURCES = tests/fuzz/fuzz_qjson.c tests/fuzz/replay.c
tests_fuzz_replay_state_SOURCES = tests/fuzz/fuzz_state.c tests/fuzz/replay.c

if HAVE_CMOCKA
check_LIBRARIES = tests/unit/libtestutil.a
tests_unit_libtestutil_a_SOURCES = tests/unit/testutil.c tests/unit/testutil.h
tests_unit_libtestutil_a_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
check_PROGRAMS = $(UNIT_TESTS) tests/bench/dhgen-bench
# every unit test: its own .c (automake's default source), the helpers,
# every library
LDADD = tests/unit/libtestutil.a $(PFA_CORE_LIBS) $(CMOCKA_LIBS) $(PFA_LIBS)
AM_CFLAGS += $(CMOCKA_CFLAGS)
tests_bench_dhgen_bench_SOURCES = tests/bench/dhgen_bench.c
tests_bench_dhgen_bench_LDADD = $(PFA_CORE_LIBS) $(PFA_LIBS)

TESTS = tests/layout.sh tests/deps.sh $(UNIT_TESTS) $(INTEGRATION_TESTS)
else
check-local:
	@echo "make check needs cmocka: apt-get install libcmocka-dev, then ./configure again" >&2
	@exit 1
endif

# Every test speaks TAP, so each unit test case and each integration
# assertion is counted on its own.
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
SH_LOG_DRIVER = $(LOG_DRIVER)
TEST_EXTENSIONS = .sh
AM_TESTS_ENVIRONMENT = \
	CMOCKA_MESSAGE_OUTPUT=TAP; export CMOCKA_MESSAGE_OUTPUT; \
	PFAGENT='$(abs_top_builddir)/pfagent'; export PFAGENT; \
	PFA_SRCDIR='$(abs_top_srcdir)'; export PFA_SRCDIR; \
	PFA_BUILDDIR='$(abs_top_builddir)'; export PFA_BUILDDIR;

# ---------------------------------------------------------------- demo, bench
demo: pfagent
	$(SHELL) $(top_srcdir)/tests/sandbox/demo.sh '$(abs_top_builddir)/pfagent'

bench: pfagent tests/bench/dhgen-bench
	$(SHELL) $(top_srcdir)/tests/bench/bench_dh.sh '$(abs_top_builddir)'
	$(SHELL) $(top_srcdir)/tests/bench/bench_maps.sh '$(abs_top_builddir)'
	$(SHELL) $(top_srcdir)/tests/bench/bench_queue.sh '$(abs_top_builddir)'
	$(SHELL) $(top_srcdir)/tests/bench/bench_logreport.sh '$(abs_top_builddir)'

# ---------------------------------------------------------------- fuzz
# libFuzzer targets, built with clang from the sources (not the objects
# above: they need clang's coverage instrumentation); FUZZ_TIME seconds
# each for fuzz-run (CI runs it under ASan+UBSan).
FUZZ_TIME = 60
FUZZ_ENV = FUZZ_CC='$(FUZZ_CC)' \
	FUZZ_CFLAGS='$(BASE_CPPFLAGS) $(OPENSSL_CFLAGS) $(LIBCONFIG_CFLAGS) $(JSONC_CFLAGS) $(PCRE2_CFLAGS) $(ZLIB_CFLAGS) $(LIBSYSTEMD_CFLAGS)' \
	FUZZ_LIBS='$(PFA_LIBS)'
fuzz:
	$(FUZZ_ENV) $(SHELL) $(top_srcdir)/tests/fuzz/build.sh '$(abs_top_srcdir)' '$(abs_top_builddir)/fuzz'
fuzz-run: fuzz
	$(SHELL) $(top_srcdir)/tests/fuzz/run.sh '$(abs_top_srcdir)' '$(abs_top_builddir)/fuzz' $(FUZZ_TIME)

clean-local:
	rm -rf fuzz

# ---------------------------------------------------------------- fault
# The LD_PRELOAD library of the fault-injection test (09-faults.sh,
# tests/fault/): built by make check, without the sanitizers even in a
# --enable-sanitizers build (it is loaded into pfagent ahead of their
# runtime; the test sets ASAN_OPTIONS=verify_asan_link_order=0).
check_DATA = tests/fault/failnth.so
CLEANFILES = tests/fault/failnth.so
tests/fault/failnth.so: $(top_srcdir)/tests/fault/failnth.c
	@$(MKDIR_P) tests/fault
	$(CC) -std=c11 $(WARN_CFLAGS) $(CFLAGS) -fPIC -shared $(LDFLAGS) \
	    -o $@ $(top_srcdir)/tests/fault/failnth.c -ldl

# The unit tests, for CI's `make distcheck TESTS=...` (.ci/run).
print-unit-tests:
	@echo tests/layout.sh $(UNIT_TESTS)

.PHONY: demo bench fuzz fuzz-run print-unit-tests
