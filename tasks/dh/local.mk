# tasks/dh/local.mk - rotate-dh: libtask_dh.a, built seeing agent/,
# postfix/ and this folder only.
noinst_LIBRARIES += libtask_dh.a
TASK_LIBS += libtask_dh.a
ALL_INCLUDES += -I$(top_srcdir)/%reldir%
libtask_dh_a_CPPFLAGS = $(BASE_CPPFLAGS) $(CORE_INCLUDES) -I$(top_srcdir)/%reldir%
libtask_dh_a_SOURCES = \
	%reldir%/rotate_dh.c \
	%reldir%/dhgen.c %reldir%/dhgen.h \
	%reldir%/dhsearch.c %reldir%/dhsearch.h

UNIT_TESTS += tests/unit/dh/test_dhgen
INTEGRATION_TESTS += \
	tests/integration/20-rotate-dh.sh \
	tests/integration/21-dh-sigkill.sh
