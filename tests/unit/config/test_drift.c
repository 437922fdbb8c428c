/*
 * test_drift.c - configuration drift: baseline, parameter and master.cf
 * changes, restart-required parameters, copies and their rotation, dry
 * run, corrupt snapshots (no crash, set aside, baseline again), an
 * unusable snapshot directory and redaction; the snapshot format and the
 * file reader of drift_snap.c directly.  Real temporary directories: a
 * fake config dir with main.cf/master.cf and a snapshot dir beside it.
 */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "drift.h"
#include "drift_int.h"
#include "log.h"
#include "testutil.h"

static char base[64], cfg[128], snapdir[128];

static int
setup(void **state)
{
	(void)state;
	strcpy(base, "/tmp/pfa-tdrift.XXXXXX");
	assert_non_null(mkdtemp(base));
	snprintf(cfg, sizeof(cfg), "%s/etc", base);
	snprintf(snapdir, sizeof(snapdir), "%s/config", base);
	assert_int_equal(mkdir(cfg, 0755), 0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	chmod(snapdir, 0700);
	pfa_test_rm_rf(base);
	return 0;
}

static void
put(const char *dir, const char *name, const void *data, size_t len)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void
put_str(const char *dir, const char *name, const char *s)
{
	put(dir, name, s, strlen(s));
}

/* The contents of DIR/NAME (free it), or NULL. */
static char *
slurp(const char *dir, const char *name, size_t *lenp)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "rb");
	if (f == NULL)
		return NULL;
	char *buf = malloc(1 << 20);
	assert_non_null(buf);
	size_t n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	if (lenp != NULL)
		*lenp = n;
	return buf;
}

static bool
exists(const char *dir, const char *name)
{
	char p[512];
	struct stat sb;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return lstat(p, &sb) == 0;
}

static int
count_prefix(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

static void
fresh(void)
{
	chmod(snapdir, 0700);
	pfa_test_rm_rf(snapdir);
	put_str(cfg, "main.cf", "myhostname = mx.example.org\n");
	put_str(cfg, "master.cf", "smtp inet n - y - - smtpd\n");
}

/* A small view: two parameters, two services, one -o option. */
static void
view(struct pfa_cfview *v)
{
	pfa_cfview_init(v, cfg);
	pfa_cfview_set(v, "myhostname", "mx.example.org");
	pfa_cfview_set(v, "inet_interfaces", "all");
	pfa_cfview_set_default(v, "mydomain", "example.org");
	struct pfa_cfsvc *s = pfa_cfview_add_service(v, "smtp", "inet",
	    "smtpd");
	pfa_cfview_add_service(v, "pickup", "unix", "pickup");
	s = pfa_cfview_add_service(v, "submission", "inet", "smtpd");
	pfa_cfview_svc_opt(s, "smtpd_tls_security_level", "encrypt");
}

static struct pfa_drift_opts
opts(void)
{
	static struct pfa_ctx ctx = { .task = "validate-config" };
	return (struct pfa_drift_opts){ .dir = snapdir, .keep = 3, .ctx = &ctx };
}

static int
run(const struct pfa_cfview *v, const struct pfa_drift_opts *o,
    struct pfa_result *r)
{
	pfa_result_init(r);
	return pfa_drift_run(v, cfg, o, r);
}

static void
run_view(void)
{
	struct pfa_cfview v;
	struct pfa_result r;
	struct pfa_drift_opts o = opts();
	view(&v);
	assert_int_equal(run(&v, &o, &r), 0);
	pfa_result_free(&r);
	pfa_cfview_free(&v);
}

static size_t
count(const struct pfa_result *r, const char *id)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nfindings; i++)
		if (strcmp(r->findings[i].id, id) == 0)
			n++;
	return n;
}

static const struct pfa_finding *
find(const struct pfa_result *r, const char *id, const char *subject)
{
	for (size_t i = 0; i < r->nfindings; i++)
		if (strcmp(r->findings[i].id, id) == 0 &&
		    strcmp(r->findings[i].subject, subject) == 0)
			return &r->findings[i];
	return NULL;
}

static void
test_baseline(void **state)
{
	(void)state;
	fresh();
	struct pfa_cfview v;
	struct pfa_result r;
	struct pfa_drift_opts o = opts();
	view(&v);
	assert_int_equal(run(&v, &o, &r), 0);
	assert_int_equal(count(&r, "PFA-DRIFT-001"), 2);
	assert_int_equal(r.nfindings, 2);
	assert_int_equal(r.status, PFA_OK);
	struct stat sb;
	assert_int_equal(lstat(snapdir, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0700);
	char *n = slurp(snapdir, "postconf-n", NULL);
	assert_non_null(n);
	assert_string_equal(n, "pfagent-drift-snapshot 1 postconf-n\n"
	    "inet_interfaces = all\nmyhostname = mx.example.org\nend 2\n");
	free(n);
	char *s = slurp(snapdir, "services", NULL);
	assert_non_null(strstr(s, "\nsubmission/inet -o "
	    "smtpd_tls_security_level = encrypt\n"));
	assert_non_null(strstr(s, "\nsmtp/inet command = smtpd\n"));
	free(s);
	assert_true(exists(snapdir, "main.cf.1"));
	assert_true(exists(snapdir, "master.cf.1"));
	assert_false(exists(snapdir, "main.cf.2"));
	pfa_result_free(&r);

	/* the same again: nothing to say */
	assert_int_equal(run(&v, &o, &r), 0);
	assert_int_equal(r.nfindings, 0);
	assert_false(exists(snapdir, "main.cf.2"));
	pfa_result_free(&r);
	pfa_cfview_free(&v);
}

static void
test_param_changes(void **state)
{
	(void)state;
	fresh();
	run_view();
	struct pfa_cfview v;
	struct pfa_result r;
	struct pfa_drift_opts o = opts();
	view(&v);
	pfa_cfview_set(&v, "myhostname", "mail.example.org");
	pfa_cfview_set(&v, "message_size_limit", "52428800");
	pfa_cfview_set(&v, "inet_interfaces", NULL);	/* removed */
	put_str(cfg, "main.cf", "myhostname = mail.example.org\n");
	assert_int_equal(run(&v, &o, &r), 0);
	assert_int_equal(count(&r, "PFA-DRIFT-002"), 3);
	assert_int_equal(count(&r, "PFA-DRIFT-001"), 0);
	assert_int_equal(count(&r, "PFA-DRIFT-003"), 0);
	const struct pfa_finding *f = find(&r, "PFA-DRIFT-002", "myhostname");
	assert_non_null(f);
	assert_string_equal(f->message, "main.cf: myhostname changed from "
	    "'mx.example.org' to 'mail.example.org'");
	assert_non_null(f->remedy);
	assert_non_null(strstr(f->remedy, "diff "));
	assert_non_null(strstr(f->remedy, "main.cf.2"));
	f = find(&r, "PFA-DRIFT-002", "message_size_limit");
	assert_non_null(f);
	assert_non_null(strstr(f->message, "added"));
	assert_non_null(strstr(f->message, "'52428800'"));
	f = find(&r, "PFA-DRIFT-002", "inet_interfaces");
	assert_non_null(f);
	assert_non_null(strstr(f->message, "removed (was 'all')"));
	/* master_started 0: Postfix not running, no restart warning */
	assert_int_equal(count(&r, "PFA-DRIFT-005"), 0);
	assert_int_equal(r.status, PFA_OK);
	pfa_result_free(&r);
	pfa_cfview_free(&v);
}

static void
test_master_changes(void **state)
{
	(void)state;
	fresh();
	run_view();
	struct pfa_cfview v;
	struct pfa_result r;
	struct pfa_drift_opts o = opts();
	pfa_cfview_init(&v, cfg);
	pfa_cfview_set(&v, "myhostname", "mx.example.org");
	pfa_cfview_set(&v, "inet_interfaces", "all");
	pfa_cfview_add_service(&v, "smtp", "inet", "postscreen");
	struct pfa_cfsvc *s = pfa_cfview_add_service(&v, "submission",
	    "inet", "smtpd");
	pfa_cfview_svc_opt(s, "smtpd_tls_security_level", "may");
	pfa_cfview_svc_opt(s, "smtpd_sasl_auth_enable", "yes");
	/* pickup removed */
	assert_int_equal(run(&v, &o, &r), 0);
	assert_int_equal(count(&r, "PFA-DRIFT-002"), 0);
	assert_int_equal(count(&r, "PFA-DRIFT-003"), 4);
	const struct pfa_finding *f = find(&r, "PFA-DRIFT-003",
	    "submission/inet/smtpd_tls_security_level");
	assert_non_null(f);
	assert_string_equal(f->message, "master.cf: submission/inet -o "
	    "smtpd_tls_security_level changed from 'encrypt' to 'may'");
	f = find(&r, "PFA-DRIFT-003", "submission/inet/smtpd_sasl_auth_enable");
	assert_non_null(f);
	assert_non_null(strstr(f->message, "added"));
	f = find(&r, "PFA-DRIFT-003", "pickup/unix");
	assert_non_null(f);
	assert_string_equal(f->message, "master.cf: service pickup/unix "
	    "command removed (was 'pickup')");
	f = find(&r, "PFA-DRIFT-003", "smtp/inet");
	assert_non_null(f);
	assert_non_null(strstr(f->message, "from 'smtpd' to 'postscreen'"));
	pfa_result_free(&r);
	pfa_cfview_free(&v);
}

/* Changes inet_interfaces; main.cf's mtime is NOW. */
static int
restart_run(time_t started, time_t now, struct pfa_result *r)
{
	fresh();
	run_view();
	put_str(cfg, "main.cf", "inet_interfaces = loopback-only\n");
	char p[256];
	snprintf(p, sizeof(p), "%s/main.cf", cfg);
	struct timeval tv[2] = { { now, 0 }, { now, 0 } };
	assert_int_equal(utimes(p, tv), 0);
	struct pfa_cfview v;
	struct pfa_drift_opts o = opts();
	o.master_started = started;
	view(&v);
	pfa_cfview_set(&v, "inet_interfaces", "loopback-only");
	pfa_cfview_set(&v, "inet_protocols", "ipv4");
	int rc = run(&v, &o, r);
	pfa_cfview_free(&v);
	return rc;
}

static void
test_restart_required(void **state)
{
	(void)state;
	time_t now = time(NULL);
	struct pfa_result r;
	assert_int_equal(restart_run(now - 3600, now, &r), 0);
	assert_int_equal(count(&r, "PFA-DRIFT-005"), 2);
	const struct pfa_finding *f = find(&r, "PFA-DRIFT-005",
	    "inet_interfaces");
	assert_non_null(f);
	assert_int_equal(f->sev, PFA_SEV_WARNING);
	assert_non_null(strstr(f->message, "a reload does not apply it"));
	char want[512];
	snprintf(want, sizeof(want), "postfix -c %s stop && postfix -c %s "
	    "start", cfg, cfg);
	assert_string_equal(f->remedy, want);
	assert_non_null(find(&r, "PFA-DRIFT-005", "inet_protocols"));
	assert_non_null(find(&r, "PFA-DRIFT-002", "inet_interfaces"));
	assert_int_equal(r.status, PFA_WARNING);
	pfa_result_free(&r);

	/* Postfix not running */
	assert_int_equal(restart_run(0, now, &r), 0);
	assert_int_equal(count(&r, "PFA-DRIFT-005"), 0);
	assert_non_null(find(&r, "PFA-DRIFT-002", "inet_interfaces"));
	assert_int_equal(r.status, PFA_OK);
	pfa_result_free(&r);

	/* restarted after the change */
	assert_int_equal(restart_run(now, now - 60, &r), 0);
	assert_int_equal(count(&r, "PFA-DRIFT-005"), 0);
	pfa_result_free(&r);
}

static void
test_rotation(void **state)
{
	(void)state;
	fresh();
	char text[5][64];
	for (int i = 0; i < 5; i++) {
		snprintf(text[i], sizeof(text[i]), "myhostname = h%d\n", i);
		put_str(cfg, "main.cf", text[i]);
		run_view();
	}
	/* unchanged: no rotation */
	run_view();
	for (int i = 1; i <= 3; i++) {
		char name[32];
		snprintf(name, sizeof(name), "main.cf.%d", i);
		char *c = slurp(snapdir, name, NULL);
		assert_non_null(c);
		assert_string_equal(c, text[5 - i]);
		free(c);
		struct stat sb;
		char p[256];
		snprintf(p, sizeof(p), "%s/%s", snapdir, name);
		assert_int_equal(stat(p, &sb), 0);
		assert_int_equal(sb.st_mode & 07777, 0600);
	}
	assert_false(exists(snapdir, "main.cf.4"));
	assert_true(exists(snapdir, "master.cf.1"));
	assert_false(exists(snapdir, "master.cf.2"));

	/* fewer copies wanted: the extra ones go */
	struct pfa_cfview v;
	struct pfa_result r;
	struct pfa_drift_opts o = opts();
	o.keep = 1;
	view(&v);
	put_str(cfg, "main.cf", "myhostname = h5\n");
	assert_int_equal(run(&v, &o, &r), 0);
	assert_true(exists(snapdir, "main.cf.1"));
	assert_false(exists(snapdir, "main.cf.2"));
	assert_false(exists(snapdir, "main.cf.3"));
	pfa_result_free(&r);
	pfa_cfview_free(&v);
}

static void
test_dry_run(void **state)
{
	(void)state;
	fresh();
	struct pfa_cfview v;
	struct pfa_result r;
	struct pfa_drift_opts o = opts();
	struct pfa_ctx dry = { .task = "validate-config", .dry_run = true };
	o.ctx = &dry;
	view(&v);
	assert_int_equal(run(&v, &o, &r), 0);
	assert_int_equal(count(&r, "PFA-DRIFT-001"), 2);
	assert_false(exists(snapdir, ""));
	pfa_result_free(&r);

	/* with a baseline: reported, nothing written */
	run_view();
	size_t len0;
	char *before = slurp(snapdir, "postconf-n", &len0);
	pfa_cfview_set(&v, "myhostname", "other.example.org");
	put_str(cfg, "main.cf", "myhostname = other.example.org\n");
	assert_int_equal(run(&v, &o, &r), 0);
	const struct pfa_finding *f = find(&r, "PFA-DRIFT-002", "myhostname");
	assert_non_null(f);
	assert_non_null(f->remedy);
	assert_non_null(strstr(f->remedy, "main.cf.1"));
	char *after = slurp(snapdir, "postconf-n", NULL);
	assert_string_equal(before, after);
	assert_false(exists(snapdir, "main.cf.2"));
	free(before);
	free(after);
	pfa_result_free(&r);
	pfa_cfview_free(&v);
}

static void
check_corrupt(const void *data, size_t len, const char *file)
{
	fresh();
	run_view();
	put(snapdir, file, data, len);
	struct pfa_cfview v;
	struct pfa_result r;
	struct pfa_drift_opts o = opts();
	view(&v);
	pfa_cfview_set(&v, "myhostname", "changed.example.org");
	assert_int_equal(run(&v, &o, &r), 0);
	assert_int_equal(count(&r, "PFA-DRIFT-006"), 1);
	assert_int_equal(count(&r, "PFA-DRIFT-001"), 1);
	assert_int_equal(r.status, PFA_OK);
	pfa_result_free(&r);
	/* set aside, and a fresh snapshot that reads back */
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "%s.corrupt-", file);
	assert_int_equal(count_prefix(snapdir, prefix), 1);
	assert_int_equal(run(&v, &o, &r), 0);
	assert_int_equal(r.nfindings, 0);
	pfa_result_free(&r);
	pfa_cfview_free(&v);
}

static void
test_corrupt(void **state)
{
	(void)state;
	static const char garbage[] = "hello world\nthis is not it\n";
	static const char binary[] = "pfagent-drift-snapshot 1 postconf-n\n"
	    "a = b\0\xff\xfe\nend 1\n";
	static const char wrongver[] = "pfagent-drift-snapshot 9 postconf-n\n"
	    "end 0\n";
	static const char badcount[] = "pfagent-drift-snapshot 1 services\n"
	    "smtp/inet command = smtpd\nend 7\n";
	static const char noeq[] = "pfagent-drift-snapshot 1 services\n"
	    "smtp/inet command smtpd\nend 1\n";
	static const char headonly[] = "pfagent-drift-snapshot 1 services\n";
	static const char endonly[] = "pfagent-drift-snapshot 1 services\n"
	    "end";
	check_corrupt(garbage, sizeof(garbage) - 1, "postconf-n");
	check_corrupt(binary, sizeof(binary) - 1, "postconf-n");
	check_corrupt(wrongver, sizeof(wrongver) - 1, "postconf-n");
	check_corrupt("", 0, "postconf-n");
	check_corrupt(badcount, sizeof(badcount) - 1, "services");
	check_corrupt(noeq, sizeof(noeq) - 1, "services");
	check_corrupt(headonly, sizeof(headonly) - 1, "services");
	check_corrupt(endonly, sizeof(endonly) - 1, "services");

	/* every truncation of a real snapshot */
	fresh();
	run_view();
	size_t len;
	char *full = slurp(snapdir, "postconf-n", &len);
	for (size_t cut = 0; cut < len; cut++) {
		fresh();
		run_view();
		put(snapdir, "postconf-n", full, cut);
		struct pfa_cfview v;
		struct pfa_result r;
		struct pfa_drift_opts o = opts();
		view(&v);
		assert_int_equal(run(&v, &o, &r), 0);
		assert_int_equal(count(&r, "PFA-DRIFT-006"), 1);
		pfa_result_free(&r);
		pfa_cfview_free(&v);
	}

	/* mutated snapshots: flipped, inserted newlines, random bytes */
	unsigned seed = 12345;
	for (int round = 0; round < 300; round++) {
		char buf[512];
		size_t n = len < sizeof(buf) ? len : sizeof(buf);
		memcpy(buf, full, n);
		for (int k = 0; k < 1 + round % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			size_t at = (seed >> 8) % n;
			buf[at] = round % 3 == 0 ? '\n' : (char)(seed >> 16);
		}
		if (round % 5 == 0)
			n = (seed >> 4) % n;
		put(snapdir, "postconf-n", buf, n);
		struct pfa_cfview v;
		struct pfa_result r;
		struct pfa_drift_opts o = opts();
		view(&v);
		int rc = run(&v, &o, &r);
		assert_int_equal(rc, 0);
		/* either it still parsed, or it was set aside */
		assert_true(count(&r, "PFA-DRIFT-006") <= 1);
		pfa_result_free(&r);
		pfa_cfview_free(&v);
	}
	free(full);

	/* a symlink where a snapshot should be: not followed, set aside */
	fresh();
	run_view();
	char sl[256];
	snprintf(sl, sizeof(sl), "%s/postconf-n", snapdir);
	assert_int_equal(unlink(sl), 0);
	assert_int_equal(symlink("/etc/passwd", sl), 0);
	struct pfa_cfview v0;
	struct pfa_result r0;
	struct pfa_drift_opts o0 = opts();
	view(&v0);
	assert_int_equal(run(&v0, &o0, &r0), 0);
	assert_int_equal(count(&r0, "PFA-DRIFT-006"), 1);
	assert_int_equal(count_prefix(snapdir, "postconf-n.corrupt-"), 1);
	struct stat sb;
	assert_int_equal(lstat(sl, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	pfa_result_free(&r0);
	pfa_cfview_free(&v0);

	/* a directory where a snapshot should be */
	fresh();
	run_view();
	char p[256];
	snprintf(p, sizeof(p), "%s/services", snapdir);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(mkdir(p, 0700), 0);
	struct pfa_cfview v;
	struct pfa_result r;
	struct pfa_drift_opts o = opts();
	view(&v);
	assert_int_equal(run(&v, &o, &r), 0);
	assert_int_equal(count(&r, "PFA-DRIFT-006"), 1);
	pfa_result_free(&r);
	pfa_cfview_free(&v);
}

static void
test_unusable_dir(void **state)
{
	(void)state;
	struct pfa_cfview v;
	struct pfa_result r;
	struct pfa_drift_opts o = opts();
	view(&v);

	/* a file where the directory should be */
	fresh();
	put_str(base, "config", "x\n");
	assert_int_equal(run(&v, &o, &r), -1);
	assert_int_equal(count(&r, "PFA-DRIFT-007"), 1);
	assert_int_equal(r.status, PFA_UNKNOWN);
	pfa_result_free(&r);

	/* a symlink */
	fresh();
	char target[256];
	snprintf(target, sizeof(target), "%s/real", base);
	mkdir(target, 0700);
	assert_int_equal(symlink(target, snapdir), 0);
	assert_int_equal(run(&v, &o, &r), -1);
	assert_int_equal(count(&r, "PFA-DRIFT-007"), 1);
	assert_false(exists(target, "postconf-n"));
	pfa_result_free(&r);
	unlink(snapdir);

	/* parent missing: mkdir fails */
	fresh();
	struct pfa_drift_opts o2 = opts();
	char deep[256];
	snprintf(deep, sizeof(deep), "%s/no/such", base);
	o2.dir = deep;
	assert_int_equal(run(&v, &o2, &r), -1);
	assert_int_equal(count(&r, "PFA-DRIFT-007"), 1);
	pfa_result_free(&r);

	/* not writable (root writes anyway) */
	if (geteuid() != 0) {
		fresh();
		run_view();
		assert_int_equal(chmod(snapdir, 0500), 0);
		pfa_cfview_set(&v, "myhostname", "x.example.org");
		assert_int_equal(run(&v, &o, &r), -1);
		assert_int_equal(count(&r, "PFA-DRIFT-007"), 1);
		assert_non_null(find(&r, "PFA-DRIFT-002", "myhostname"));
		assert_int_equal(r.status, PFA_UNKNOWN);
		pfa_result_free(&r);
		chmod(snapdir, 0700);
	}
	pfa_cfview_free(&v);
}

static void
test_redacted(void **state)
{
	(void)state;
	fresh();
	struct pfa_cfview v;
	struct pfa_result r;
	struct pfa_drift_opts o = opts();
	view(&v);
	pfa_cfview_set(&v, "smtp_sasl_PASSWORD_thing", "hunter2");
	assert_int_equal(run(&v, &o, &r), 0);
	pfa_result_free(&r);
	pfa_cfview_set(&v, "smtp_sasl_PASSWORD_thing", "swordfish");
	struct pfa_cfsvc *s = &v.svcs[0];
	pfa_cfview_svc_opt(s, "ldap_bind_passwd", "s3cret");
	assert_int_equal(run(&v, &o, &r), 0);
	assert_int_equal(r.nfindings, 2);
	for (size_t i = 0; i < r.nfindings; i++) {
		const char *m = r.findings[i].message;
		assert_null(strstr(m, "hunter2"));
		assert_null(strstr(m, "swordfish"));
		assert_null(strstr(m, "s3cret"));
		assert_non_null(strstr(m, "(redacted)"));
	}
	pfa_result_free(&r);

	/* a password in a value, under an innocent name */
	pfa_cfview_set(&v, "relay_auth", "static:user:opensesame");
	assert_int_equal(run(&v, &o, &r), 0);
	assert_int_equal(r.nfindings, 1);
	assert_null(strstr(r.findings[0].message, "opensesame"));
	assert_non_null(strstr(r.findings[0].message, "(redacted)"));
	pfa_result_free(&r);

	/* a password in a custom parameter, named by a static: table
	 * (directly, and through a second parameter), changing */
	pfa_cfview_set(&v, "relay_pw", "first-Pw1");
	pfa_cfview_set(&v, "relay_cred", "$relay_user:${relay_pw}");
	pfa_cfview_set(&v, "smtp_sasl_password_maps",
	    "static:$(relay_cred)");
	assert_int_equal(run(&v, &o, &r), 0);
	for (size_t i = 0; i < r.nfindings; i++)
		assert_null(strstr(r.findings[i].message, "first-Pw1"));
	pfa_result_free(&r);
	pfa_cfview_set(&v, "relay_pw", "second-Pw2");
	assert_int_equal(run(&v, &o, &r), 0);
	assert_int_equal(r.nfindings, 1);
	assert_null(strstr(r.findings[0].message, "first-Pw1"));
	assert_null(strstr(r.findings[0].message, "second-Pw2"));
	assert_non_null(strstr(r.findings[0].message, "relay_pw"));
	assert_non_null(strstr(r.findings[0].message, "(redacted)"));
	pfa_result_free(&r);
	/* an innocent parameter stays shown */
	pfa_cfview_set(&v, "myhostname", "mx2.example.org");
	assert_int_equal(run(&v, &o, &r), 0);
	assert_non_null(strstr(r.findings[0].message, "mx2.example.org"));
	pfa_result_free(&r);
	pfa_cfview_free(&v);
}

static void
test_many_changes(void **state)
{
	(void)state;
	fresh();
	run_view();
	struct pfa_cfview v;
	struct pfa_result r;
	struct pfa_drift_opts o = opts();
	view(&v);
	for (int i = 0; i < 30; i++) {
		char name[32];
		snprintf(name, sizeof(name), "param_%02d", i);
		pfa_cfview_set(&v, name, "1");
	}
	assert_int_equal(run(&v, &o, &r), 0);
	assert_int_equal(count(&r, "PFA-DRIFT-002"), 20);
	assert_int_equal(count(&r, "PFA-DRIFT-004"), 1);
	const struct pfa_finding *f = find(&r, "PFA-DRIFT-004",
	    "configuration");
	assert_non_null(strstr(f->message, "10 more"));
	assert_non_null(strstr(f->message, "30 in all"));
	pfa_result_free(&r);
	pfa_cfview_free(&v);
}

/* Odd bytes in values: stored, read back unchanged, shown safely. */
static void
test_odd_values(void **state)
{
	(void)state;
	fresh();
	struct pfa_cfview v;
	struct pfa_result r;
	struct pfa_drift_opts o = opts();
	view(&v);
	pfa_cfview_set(&v, "smtpd_banner", "a = b\nc\r\x1b[31m end = ");
	pfa_cfview_set(&v, "empty_one", "");
	assert_int_equal(run(&v, &o, &r), 0);
	pfa_result_free(&r);
	assert_int_equal(run(&v, &o, &r), 0);
	assert_int_equal(r.nfindings, 0);
	pfa_result_free(&r);
	pfa_cfview_set(&v, "smtpd_banner", "plain");
	assert_int_equal(run(&v, &o, &r), 0);
	const struct pfa_finding *f = find(&r, "PFA-DRIFT-002",
	    "smtpd_banner");
	assert_non_null(f);
	assert_null(strchr(f->message, '\x1b'));
	assert_null(strchr(f->message, '\r'));
	assert_null(strchr(f->message, '\n'));
	pfa_result_free(&r);
	pfa_cfview_free(&v);
}

static void
test_rule_docs(void **state)
{
	(void)state;
	size_t n = 0;
	for (; pfa_drift_findings[n].id != NULL; n++) {
		char want[32];
		snprintf(want, sizeof(want), "PFA-DRIFT-%03zu", n + 1);
		assert_string_equal(pfa_drift_findings[n].id, want);
		assert_non_null(pfa_drift_findings[n].title);
	}
	assert_int_equal(n, 7);
	assert_int_equal(pfa_drift_findings[4].sev, PFA_SEV_WARNING);
	assert_int_equal(pfa_drift_findings[6].sev, PFA_SEV_UNKNOWN);
}

/* Parses TEXT as KIND: the reason it fails, or NULL. */
static const char *
parse_why(const char *text, size_t len, const char *kind)
{
	struct pfa_snap s = { 0 };
	const char *why = NULL;
	char *buf = malloc(len + 1);
	assert_non_null(buf);
	memcpy(buf, text, len);
	buf[len] = '\0';
	int rc = pfa_snap_parse(buf, len, kind, &s, &why);
	assert_int_equal(rc, why == NULL ? 0 : -1);
	if (rc < 0)
		assert_true(s.n == 0 && s.e == NULL);
	pfa_snap_free(&s);
	free(buf);
	return why;
}

#define WHY(text, kind) parse_why(text, sizeof(text) - 1, kind)

/* drift_snap.c on its own: the format, the parser, the reader. */
static void
test_snap_format(void **state)
{
	(void)state;
	/* the view gives exactly the file a run writes, sorted */
	fresh();
	run_view();
	struct pfa_cfview v;
	struct pfa_snap params = { 0 }, svcs = { 0 };
	view(&v);
	pfa_snap_from_view(&v, &params, &svcs);
	pfa_cfview_free(&v);
	size_t len, flen;
	char *text = pfa_snap_format(&svcs, "services", &len);
	char *file = slurp(snapdir, "services", &flen);
	assert_string_equal(text, "pfagent-drift-snapshot 1 services\n"
	    "pickup/unix command = pickup\nsmtp/inet command = smtpd\n"
	    "submission/inet -o smtpd_tls_security_level = encrypt\n"
	    "submission/inet command = smtpd\nend 4\n");
	assert_int_equal(len, strlen(text));
	assert_int_equal(flen, len);
	assert_memory_equal(file, text, len);
	free(text);
	free(file);
	text = pfa_snap_format(&params, "postconf-n", &len);
	assert_string_equal(text, "pfagent-drift-snapshot 1 postconf-n\n"
	    "inet_interfaces = all\nmyhostname = mx.example.org\nend 2\n");
	free(text);
	pfa_snap_free(&params);
	pfa_snap_free(&svcs);

	/* parsed unsorted, formatted sorted; a value keeps its " = " */
	char in[] = "pfagent-drift-snapshot 1 postconf-n\nb = x = y\n"
	    "a = \nend 2\n";
	struct pfa_snap s = { 0 };
	const char *why = NULL;
	assert_int_equal(pfa_snap_parse(in, strlen(in), "postconf-n", &s,
	    &why), 0);
	text = pfa_snap_format(&s, "postconf-n", &len);
	assert_string_equal(text, "pfagent-drift-snapshot 1 postconf-n\n"
	    "a = \nb = x = y\nend 2\n");
	free(text);
	pfa_snap_free(&s);

	/* every reason a file is refused */
	assert_null(WHY("pfagent-drift-snapshot 1 services\nend 0\n",
	    "services"));
	assert_string_equal(WHY("", "services"), "empty");
	assert_string_equal(WHY("pfagent-drift-snapshot 1 services\n\0\n",
	    "services"), "contains NUL bytes");
	assert_string_equal(WHY("pfagent-drift-snapshot 1 services\nend 0\n",
	    "postconf-n"), "not a snapshot of this kind and version");
	assert_string_equal(WHY("pfagent-drift-snapshot 1 services\nend 0",
	    "services"), "truncated");
	assert_string_equal(WHY("pfagent-drift-snapshot 1 services\n",
	    "services"), "truncated");
	assert_string_equal(WHY("pfagent-drift-snapshot 1 services\na = b\n"
	    "end 2\n", "services"), "truncated");
	assert_string_equal(WHY("pfagent-drift-snapshot 1 services\n"
	    "end 0x\n", "services"), "truncated");
	assert_string_equal(WHY("pfagent-drift-snapshot 1 services\na=b\n"
	    "end 1\n", "services"), "malformed line");
	assert_string_equal(WHY("pfagent-drift-snapshot 1 services\n = b\n"
	    "end 1\n", "services"), "malformed line");

	/* the reader: missing, symlink (followed only when asked), dir */
	char p[256], *buf;
	snprintf(p, sizeof(p), "%s/link", base);
	assert_int_equal(symlink("etc/main.cf", p), 0);
	assert_int_equal(pfa_snap_read_file(p, false, &buf, &len, &why), 2);
	assert_string_equal(why, "a symbolic link");
	assert_null(buf);
	assert_int_equal(pfa_snap_read_file(p, true, &buf, &len, &why), 0);
	assert_string_equal(buf, "myhostname = mx.example.org\n");
	assert_int_equal(len, strlen(buf));
	free(buf);
	assert_int_equal(pfa_snap_read_file(cfg, true, &buf, &len, &why), 2);
	assert_string_equal(why, "not a regular file");
	snprintf(p, sizeof(p), "%s/none", base);
	assert_int_equal(pfa_snap_read_file(p, true, &buf, &len, &why), 1);
	assert_null(buf);
}

int
main(void)
{
	struct pfa_log_opts lo = { .facility = LOG_MAIL };
	pfa_log_open(&lo);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_baseline),
		cmocka_unit_test(test_param_changes),
		cmocka_unit_test(test_master_changes),
		cmocka_unit_test(test_restart_required),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_dry_run),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_unusable_dir),
		cmocka_unit_test(test_redacted),
		cmocka_unit_test(test_many_changes),
		cmocka_unit_test(test_odd_values),
		cmocka_unit_test(test_rule_docs),
		cmocka_unit_test(test_snap_format),
	};
	return cmocka_run_group_tests_name("drift", tests, setup, teardown);
}
