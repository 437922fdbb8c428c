# agent/local.mk - the core (README.md in this folder): everything but
# main.c in libagent.a, built seeing agent/ and postfix/ only.
noinst_LIBRARIES += libagent.a
libagent_a_CPPFLAGS = $(BASE_CPPFLAGS) $(CORE_INCLUDES)
libagent_a_SOURCES = \
	%reldir%/atomic.c %reldir%/atomic.h \
	%reldir%/commands.c %reldir%/commands.h \
	%reldir%/config.c %reldir%/config.h \
	%reldir%/config_source.c %reldir%/config_source.h \
	%reldir%/config_value.c \
	%reldir%/ctx.c %reldir%/registry.c %reldir%/task.h \
	%reldir%/duration.c %reldir%/duration.h \
	%reldir%/exec.c %reldir%/exec.h \
	%reldir%/exec_capture.c %reldir%/exec_capture.h \
	%reldir%/exec_child.c %reldir%/exec_child.h \
	%reldir%/file.c %reldir%/file.h \
	%reldir%/gate.c %reldir%/gate.h \
	%reldir%/health.c %reldir%/health.h \
	%reldir%/lock.c %reldir%/lock.h \
	%reldir%/log.c %reldir%/log.h \
	%reldir%/report.c %reldir%/report.h \
	%reldir%/result.c %reldir%/result.h \
	%reldir%/run.c %reldir%/run.h \
	%reldir%/signals.c %reldir%/signals.h \
	%reldir%/state.c %reldir%/state.h \
	%reldir%/trust.c %reldir%/trust.h
EXTRA_DIST += %reldir%/README.md

UNIT_TESTS += \
	tests/unit/agent/test_atomic \
	tests/unit/agent/test_config \
	tests/unit/agent/test_duration \
	tests/unit/agent/test_exec \
	tests/unit/agent/test_file \
	tests/unit/agent/test_findings \
	tests/unit/agent/test_lock \
	tests/unit/agent/test_log \
	tests/unit/agent/test_report \
	tests/unit/agent/test_signals \
	tests/unit/agent/test_state \
	tests/unit/agent/test_trust
tests_unit_agent_test_atomic_LDFLAGS = $(AM_LDFLAGS) \
	-Wl,--wrap=open,--wrap=write,--wrap=fsync,--wrap=link,--wrap=rename,--wrap=close
