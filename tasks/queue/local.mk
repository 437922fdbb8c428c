# tasks/queue/local.mk - check-queue: libtask_queue.a, built seeing agent/,
# postfix/ and this folder only.
noinst_LIBRARIES += libtask_queue.a
TASK_LIBS += libtask_queue.a
ALL_INCLUDES += -I$(top_srcdir)/%reldir%
libtask_queue_a_CPPFLAGS = $(BASE_CPPFLAGS) $(CORE_INCLUDES) -I$(top_srcdir)/%reldir%
libtask_queue_a_SOURCES = \
	%reldir%/check_queue.c %reldir%/queue.h \
	%reldir%/deferlog.c \
	%reldir%/qcmd.c \
	%reldir%/qjson.c \
	%reldir%/qreport.c \
	%reldir%/qscan.c \
	%reldir%/qtally.c
EXTRA_DIST += %reldir%/README.md tests/integration/queue.sh
dist_man8_MANS += %reldir%/pfagent-check-queue.8

UNIT_TESTS += \
	tests/unit/queue/test_qjson \
	tests/unit/queue/test_qtally \
	tests/unit/queue/test_deferlog \
	tests/unit/queue/test_qscan \
	tests/unit/queue/test_qreport
INTEGRATION_TESTS += \
	tests/integration/60-queue-report.sh \
	tests/integration/61-queue-commands.sh \
	tests/integration/62-queue-stopped.sh
