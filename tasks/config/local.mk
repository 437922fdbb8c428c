# tasks/config/local.mk - validate-config: libtask_config.a, built seeing
# agent/, postfix/ and this folder only.
noinst_LIBRARIES += libtask_config.a
TASK_LIBS += libtask_config.a
ALL_INCLUDES += -I$(top_srcdir)/%reldir%
libtask_config_a_CPPFLAGS = $(BASE_CPPFLAGS) $(CORE_INCLUDES) -I$(top_srcdir)/%reldir%
libtask_config_a_SOURCES = \
	%reldir%/validate_config.c \
	%reldir%/audit.h %reldir%/audit_int.h \
	%reldir%/audit_obs.c %reldir%/audit_relay.c %reldir%/audit_sasl.c \
	%reldir%/audit_smtpd.c %reldir%/audit_tls.c \
	%reldir%/drift.c %reldir%/drift.h %reldir%/drift_int.h \
	%reldir%/drift_snap.c

UNIT_TESTS += \
	tests/unit/config/test_audit_smtpd \
	tests/unit/config/test_audit_tls \
	tests/unit/config/test_drift
INTEGRATION_TESTS += tests/integration/40-validate-config.sh
