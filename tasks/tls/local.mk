# tasks/tls/local.mk - check-tls: libtask_tls.a, built seeing agent/,
# postfix/ and this folder only.
noinst_LIBRARIES += libtask_tls.a
TASK_LIBS += libtask_tls.a
ALL_INCLUDES += -I$(top_srcdir)/%reldir%
libtask_tls_a_CPPFLAGS = $(BASE_CPPFLAGS) $(CORE_INCLUDES) -I$(top_srcdir)/%reldir%
libtask_tls_a_SOURCES = \
	%reldir%/check_tls.c %reldir%/tls_int.h \
	%reldir%/tls_conf.c %reldir%/tls_certs.c \
	%reldir%/tls_files.c %reldir%/tls_probe.c
dist_man8_MANS += %reldir%/pfagent-check-tls.8
EXTRA_DIST += %reldir%/README.md

UNIT_TESTS += \
	tests/unit/tls/test_tls_checks \
	tests/unit/tls/test_tls_conf
tests_unit_tls_test_tls_checks_SOURCES = tests/unit/tls/test_tls_checks.c \
	tests/unit/testtls.c tests/unit/testtls.h
INTEGRATION_TESTS += \
	tests/integration/50-check-tls-files.sh \
	tests/integration/51-check-tls-probe.sh \
	tests/integration/52-check-tls-debian.sh
EXTRA_DIST += tests/integration/tls.sh
