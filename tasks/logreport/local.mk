# tasks/logreport/local.mk - log-report: libtask_logreport.a, built seeing
# agent/, postfix/ and this folder only.
noinst_LIBRARIES += libtask_logreport.a
TASK_LIBS += libtask_logreport.a
ALL_INCLUDES += -I$(top_srcdir)/%reldir%
libtask_logreport_a_CPPFLAGS = $(BASE_CPPFLAGS) $(CORE_INCLUDES) -I$(top_srcdir)/%reldir%
libtask_logreport_a_SOURCES = \
	%reldir%/logreport.c %reldir%/logreport.h \
	%reldir%/lrinput.c %reldir%/lrrender.c \
	%reldir%/ledger.c %reldir%/ledger.h %reldir%/ledger_int.h \
	%reldir%/ledger_delivery.c %reldir%/ledger_msg.c \
	%reldir%/ledger_smtpd.c \
	%reldir%/lrtable.c %reldir%/lrtable.h
EXTRA_DIST += %reldir%/README.md tests/fixtures/logreport \
	tests/bench/genlog.awk tests/bench/bench_logreport.sh
dist_man8_MANS += %reldir%/pfagent-log-report.8

UNIT_TESTS += \
	tests/unit/logreport/test_ledger \
	tests/unit/logreport/test_lrtable
INTEGRATION_TESTS += \
	tests/integration/70-log-report.sh \
	tests/integration/71-log-rotation.sh \
	tests/integration/72-log-journal.sh \
	tests/integration/73-log-pflogsumm.sh \
	tests/integration/74-health-log.sh
