# postfix/local.mk - what the core or several tasks know about Postfix
# (README.md in this folder): libpostfix.a, built seeing agent/ and
# postfix/ only.
noinst_LIBRARIES += libpostfix.a
libpostfix_a_CPPFLAGS = $(BASE_CPPFLAGS) $(CORE_INCLUDES)
libpostfix_a_SOURCES = \
	%reldir%/cfview.c %reldir%/cfview.h \
	%reldir%/listener.c %reldir%/listener.h \
	%reldir%/loadcheck.c %reldir%/loadcheck.h \
	%reldir%/loadcheck_lists.c %reldir%/loadcheck_int.h \
	%reldir%/loadcheck_values.c \
	%reldir%/maillog.c %reldir%/maillog.h %reldir%/vec16.h \
	%reldir%/maillog_file.c %reldir%/maillog_journal.c \
	%reldir%/maillog_mark.c \
	%reldir%/mapspec.c %reldir%/mapspec.h \
	%reldir%/pem.c %reldir%/pem_x509.c %reldir%/pem.h \
	%reldir%/reason.c %reldir%/reason.h \
	%reldir%/postconf_out.c %reldir%/postconf_out.h \
	%reldir%/postfix.c %reldir%/postfix.h %reldir%/reload.h \
	%reldir%/remedy.c %reldir%/remedy.h \
	%reldir%/role.c %reldir%/role.h \
	%reldir%/smtp.c %reldir%/smtp.h \
	%reldir%/sni.c %reldir%/sni.h \
	%reldir%/tlsfiles.c %reldir%/tlsfiles.h \
	%reldir%/tlsparam.c %reldir%/tlsparam.h
EXTRA_DIST += %reldir%/README.md \
	tests/unit/postfix/reasons/SOURCES \
	tests/unit/postfix/reasons/whyscream_grok.tsv \
	tests/unit/postfix/reasons/msimerson_postfix_parser.log \
	tests/unit/postfix/reasons/kumina_postfix_exporter.log \
	tests/unit/postfix/reasons/sergeymakinen_postfix_exporter.log

UNIT_TESTS += \
	tests/unit/postfix/test_cfview \
	tests/unit/postfix/test_loadcheck \
	tests/unit/postfix/test_maillog \
	tests/unit/postfix/test_mapspec \
	tests/unit/postfix/test_pem \
	tests/unit/postfix/test_postconf_out \
	tests/unit/postfix/test_reason \
	tests/unit/postfix/test_smtp \
	tests/unit/postfix/test_sni \
	tests/unit/postfix/test_tlsfiles \
	tests/unit/postfix/test_remedy
tests_unit_postfix_test_pem_SOURCES = tests/unit/postfix/test_pem.c \
	tests/unit/testtls.c tests/unit/testtls.h
tests_unit_postfix_test_smtp_SOURCES = tests/unit/postfix/test_smtp.c \
	tests/unit/testtls.c tests/unit/testtls.h
