/*
 * test_cfview.c - the configuration view: values, defaults, raw main.cf
 * values, services and their overrides, list tokens, and loading it from
 * a real postconf on a throwaway configuration directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfview.h"
#include "postfix.h"
#include "result.h"

static void
test_set_and_default(void **state)
{
	(void)state;
	struct pfa_cfview v;
	pfa_cfview_init(&v, "/etc/postfix");
	pfa_cfview_set_default(&v, "disable_vrfy_command", "no");
	pfa_cfview_set_default(&v, "smtpd_helo_required", "no");
	pfa_cfview_set(&v, "smtpd_helo_required", "yes");
	/* a default set after main.cf's value does not override it */
	pfa_cfview_set_default(&v, "smtpd_helo_required", "no");

	assert_string_equal(pfa_cf_get(&v, "disable_vrfy_command"), "no");
	assert_null(pfa_cf_raw(&v, "disable_vrfy_command"));
	assert_false(pfa_cf_is_set(&v, "disable_vrfy_command"));
	assert_true(pfa_cf_yes(&v, "smtpd_helo_required"));
	assert_true(pfa_cf_is_set(&v, "smtpd_helo_required"));
	assert_string_equal(pfa_cfview_param(&v, "smtpd_helo_required")->dflt,
	    "no");
	assert_null(pfa_cf_get(&v, "no_such_parameter"));
	assert_false(pfa_cf_yes(&v, "no_such_parameter"));
	pfa_cfview_free(&v);
}

static void
test_expanded_keeps_raw(void **state)
{
	(void)state;
	struct pfa_cfview v;
	pfa_cfview_init(&v, "/etc/postfix");
	pfa_cfview_set(&v, "smtpd_banner", "$myhostname ESMTP");
	pfa_cfview_set_expanded(&v, "smtpd_banner", "mx.example ESMTP");
	assert_string_equal(pfa_cf_get(&v, "smtpd_banner"), "mx.example ESMTP");
	assert_string_equal(pfa_cf_raw(&v, "smtpd_banner"), "$myhostname ESMTP");
	pfa_cfview_free(&v);
}

static void
test_yes_values(void **state)
{
	(void)state;
	assert_true(pfa_cf_value_yes("yes"));
	assert_true(pfa_cf_value_yes("YES"));
	assert_false(pfa_cf_value_yes("true"));	/* fatal to Postfix */
	assert_false(pfa_cf_value_yes("no"));
	assert_false(pfa_cf_value_yes(""));
	assert_false(pfa_cf_value_yes(NULL));
}

static void
test_version(void **state)
{
	(void)state;
	struct pfa_cfview v;
	pfa_cfview_init(&v, NULL);
	assert_false(pfa_cf_version_ge(&v, 3, 0));
	pfa_cfview_set_version(&v, "3.7.11");
	assert_true(pfa_cf_version_ge(&v, 3, 7));
	assert_true(pfa_cf_version_ge(&v, 2, 11));
	assert_false(pfa_cf_version_ge(&v, 3, 8));
	assert_false(pfa_cf_version_ge(&v, 4, 0));
	pfa_cfview_set_version(&v, "garbage");
	assert_int_equal(v.version[0], 0);
	pfa_cfview_free(&v);
}

static void
test_services(void **state)
{
	(void)state;
	struct pfa_cfview v;
	pfa_cfview_init(&v, "/etc/postfix");
	pfa_cfview_set_default(&v, "smtpd_tls_security_level", "");
	pfa_cfview_set(&v, "mua_client_restrictions", "permit_sasl_authenticated, reject");
	pfa_cfview_add_service(&v, "smtp", "inet", "smtpd");
	struct pfa_cfsvc *s = pfa_cfview_add_service(&v, "submission", "inet",
	    "smtpd -o syslog_name=postfix/submission");
	pfa_cfview_svc_opt(s, "smtpd_tls_security_level", "may");
	pfa_cfview_svc_opt(s, "smtpd_tls_security_level", "encrypt");
	pfa_cfview_svc_opt(s, "smtpd_client_restrictions",
	    "$mua_client_restrictions");

	const struct pfa_cfsvc *sub = pfa_cfview_service(&v, "submission",
	    "inet");
	assert_non_null(sub);
	assert_string_equal(sub->command, "smtpd");
	assert_int_equal(sub->nopts, 2);
	assert_string_equal(pfa_cfsvc_opt(sub, "smtpd_tls_security_level"),
	    "encrypt");
	assert_string_equal(pfa_cfsvc_get(&v, sub, "smtpd_client_restrictions"),
	    "permit_sasl_authenticated, reject");
	const struct pfa_cfsvc *smtp = pfa_cfview_service(&v, "smtp", NULL);
	assert_non_null(smtp);
	assert_string_equal(pfa_cfsvc_get(&v, smtp, "smtpd_tls_security_level"),
	    "");
	assert_null(pfa_cfview_service(&v, "smtp", "unix"));
	assert_null(pfa_cfview_service(&v, "smtps", NULL));
	pfa_cfview_free(&v);
}

struct toks {
	char *v[16];
	size_t n;
	size_t stop_at;
};

static int
collect(void *arg, const char *tok, size_t index)
{
	struct toks *t = arg;
	assert_int_equal(index, t->n);
	t->v[t->n++] = strdup(tok);
	return t->stop_at && t->n == t->stop_at ? 7 : 0;
}

static void
free_toks(struct toks *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i]);
}

static void
test_tokens(void **state)
{
	(void)state;
	struct toks t = { .n = 0 };
	assert_int_equal(pfa_cf_tokens("permit_mynetworks,  reject_unauth_"
	    "destination\n\tcheck_sender_access hash:/etc/postfix/bl , "
	    "{ pcre:/etc/postfix/x , y }", collect, &t), 0);
	assert_int_equal(t.n, 5);
	assert_string_equal(t.v[0], "permit_mynetworks");
	assert_string_equal(t.v[1], "reject_unauth_destination");
	assert_string_equal(t.v[2], "check_sender_access");
	assert_string_equal(t.v[3], "hash:/etc/postfix/bl");
	assert_string_equal(t.v[4], "pcre:/etc/postfix/x , y");
	free_toks(&t);

	struct toks e = { .n = 0 };
	assert_int_equal(pfa_cf_tokens("", collect, &e), 0);
	assert_int_equal(pfa_cf_tokens(" , ,", collect, &e), 0);
	assert_int_equal(pfa_cf_tokens(NULL, collect, &e), 0);
	assert_int_equal(e.n, 0);

	/* an unterminated brace takes the rest; a nonzero return stops */
	struct toks u = { .n = 0 };
	assert_int_equal(pfa_cf_tokens("a { b c", collect, &u), 0);
	assert_int_equal(u.n, 2);
	assert_string_equal(u.v[1], "b c");
	free_toks(&u);
	struct toks s = { .n = 0, .stop_at = 2 };
	assert_int_equal(pfa_cf_tokens("a b c d", collect, &s), 7);
	assert_int_equal(s.n, 2);
	free_toks(&s);
}

static void
test_many_params(void **state)
{
	(void)state;
	struct pfa_cfview v;
	pfa_cfview_init(&v, "/x");
	char name[32], val[32];
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "p%04d", i);
		snprintf(val, sizeof(val), "%d", i);
		pfa_cfview_set_default(&v, name, val);
	}
	assert_int_equal(v.nparams, 1000);
	assert_string_equal(pfa_cf_get(&v, "p0999"), "999");
	assert_string_equal(pfa_cf_get(&v, "p0000"), "0");
	pfa_cfview_free(&v);
}

/* Loading from the real postconf on a directory with a tiny main.cf. */
static void
test_load_real_postconf(void **state)
{
	(void)state;
	if (access("/usr/sbin/postconf", X_OK) != 0)
		fail_msg("/usr/sbin/postconf is needed (apt-get install postfix)");
	char dir[] = "/tmp/pfa-cfview-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[512];
	snprintf(path, sizeof(path), "%s/main.cf", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("myhostname = mx.example.test\n"
	    "smtpd_banner = $myhostname ESMTP\n"
	    "disable_vrfy_command = yes\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/master.cf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("smtp inet n - y - - smtpd\n"
	    "submission inet n - y - - smtpd\n"
	    "  -o smtpd_tls_security_level=encrypt\n"
	    "pickup unix n - y 60 1 pickup\n", f);
	fclose(f);

	struct pfa_postfix *pf = pfa_postfix_new(dir, "/usr/sbin");
	const struct pfa_cfview *vp = pfa_postfix_view(pf, PFA_VIEW_ALL);
	assert_non_null(vp);
	assert_null(pfa_postfix_error(pf));
	const struct pfa_cfview v = *vp;
	assert_true(v.sorted);
	assert_int_equal(v.version[0], 3);
	assert_string_equal(pfa_cf_get(&v, "smtpd_banner"),
	    "mx.example.test ESMTP");
	assert_string_equal(pfa_cf_raw(&v, "smtpd_banner"), "$myhostname ESMTP");
	assert_true(pfa_cf_yes(&v, "disable_vrfy_command"));
	assert_string_equal(pfa_cfview_param(&v, "disable_vrfy_command")->dflt,
	    "no");
	assert_false(pfa_cf_is_set(&v, "smtpd_helo_required"));
	assert_string_equal(pfa_cf_get(&v, "smtpd_helo_required"), "no");
	const struct pfa_cfsvc *s = pfa_cfview_service(&v, "submission",
	    "inet");
	assert_non_null(s);
	assert_string_equal(s->command, "smtpd");
	assert_string_equal(pfa_cfsvc_opt(s, "smtpd_tls_security_level"),
	    "encrypt");
	assert_non_null(pfa_cfview_service(&v, "pickup", "unix"));
	/* each part is loaded once: asking again returns the same view */
	assert_ptr_equal(pfa_postfix_view(pf, PFA_VIEW_PARAMS), vp);
	assert_string_equal(pfa_postfix_param(pf, "myhostname"),
	    "mx.example.test");
	/* invalidated, it is loaded again from postconf */
	pfa_postfix_invalidate(pf);
	vp = pfa_postfix_view(pf, PFA_VIEW_SERVICES);
	assert_non_null(vp);
	assert_non_null(pfa_cfview_service(vp, "submission", "inet"));
	assert_string_equal(pfa_cf_get(vp, "smtpd_banner"),
	    "mx.example.test ESMTP");
	pfa_postfix_free(pf);

	/* a missing directory: NULL and a reason, no crash */
	snprintf(path, sizeof(path), "%s/nonexistent", dir);
	pf = pfa_postfix_new(path, "/usr/sbin");
	assert_null(pfa_postfix_view(pf, PFA_VIEW_ALL));
	assert_non_null(pfa_postfix_error(pf));
	pfa_postfix_free(pf);

	unlink(path);
	snprintf(path, sizeof(path), "%s/main.cf", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/master.cf", dir);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_and_default),
		cmocka_unit_test(test_expanded_keeps_raw),
		cmocka_unit_test(test_yes_values),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_services),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_many_params),
		cmocka_unit_test(test_load_real_postconf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
