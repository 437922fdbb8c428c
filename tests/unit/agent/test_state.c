/*
 * test_state.c - the state file: round trip, and corrupt or truncated
 * input reported, set aside and treated as "never run" (no crash).
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
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "log.h"
#include "state.h"

/* a believable time: 2026-01-01 */
#define T0 ((time_t)1767225600)

static char dir[64];

static void
cleanup_dir(void)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' && (e->d_name[1] == '\0' ||
		    (e->d_name[1] == '.' && e->d_name[2] == '\0')))
			continue;
		char p[512];
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
}

static int
setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/pfa-tstate.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	cleanup_dir();
	rmdir(dir);
	return 0;
}

static void
write_state(const void *data, size_t len)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/state.json", dir);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static int
count_aside(void)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, "state.json.corrupt-", 19) == 0)
			n++;
	closedir(d);
	return n;
}

static void
test_fresh(void **state)
{
	(void)state;
	cleanup_dir();
	struct pfa_state st;
	assert_int_equal(pfa_state_load(&st, dir, 0), 0);
	assert_false(st.was_corrupt);
	assert_int_equal(pfa_state_last_run(&st, "rotate-dh"), 0);
	enum pfa_status s;
	assert_false(pfa_state_last_status(&st, "rotate-dh", &s));
	assert_null(pfa_state_last_result(&st, "rotate-dh"));
	pfa_state_free(&st);
}

static void
test_round_trip(void **state)
{
	(void)state;
	cleanup_dir();
	struct pfa_state st;
	assert_int_equal(pfa_state_load(&st, dir, 0), 0);
	struct pfa_result r;
	pfa_result_init(&r);
	pfa_result_add_change(&r, "/etc/postfix/dh.pem",
	    "/etc/postfix/dh.pem.pfagent-prev");
	pfa_result_add_finding(&r, PFA_SEV_WARNING, "PFA-T-1", "subj", "fix",
	    "message %d", 7);
	pfa_result_set_summary(&r, "did things");
	pfa_state_record(&st, "rotate-dh", T0, 600, &r);
	json_object_object_add(pfa_state_data(&st, "rotate-dh"), "offset",
	    json_object_new_int64(4242));
	assert_int_equal(pfa_state_save(&st), 0);
	pfa_state_free(&st);
	pfa_result_free(&r);

	char p[256];
	struct stat sb;
	snprintf(p, sizeof(p), "%s/state.json", dir);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);

	assert_int_equal(pfa_state_load(&st, dir, 0), 0);
	assert_false(st.was_corrupt);
	assert_int_equal(pfa_state_last_run(&st, "rotate-dh"), T0);
	assert_int_equal(pfa_state_due_at(&st, "rotate-dh", 600), T0 + 600);
	/* a due time earlier than the interval (a run to repeat) counts */
	assert_int_equal(pfa_state_due_at(&st, "rotate-dh", 6000), T0 + 600);
	/* a later one does not: never more than one interval after */
	assert_int_equal(pfa_state_due_at(&st, "rotate-dh", 60), T0 + 60);
	enum pfa_status s;
	assert_true(pfa_state_last_status(&st, "rotate-dh", &s));
	assert_int_equal(s, PFA_WARNING);
	json_object *res = pfa_state_last_result(&st, "rotate-dh"), *v;
	assert_non_null(res);
	assert_true(json_object_object_get_ex(res, "summary", &v));
	assert_string_equal(json_object_get_string(v), "did things");
	json_object *off;
	assert_true(json_object_object_get_ex(pfa_state_data(&st,
	    "rotate-dh"), "offset", &off));
	assert_int_equal(json_object_get_int64(off), 4242);
	pfa_state_free(&st);
}

static void
expect_corrupt(const void *data, size_t len)
{
	cleanup_dir();
	write_state(data, len);
	struct pfa_state st;
	assert_int_equal(pfa_state_load(&st, dir, 0), 0);
	assert_true(st.was_corrupt);
	assert_int_equal(count_aside(), 1);
	/* treated as never run, and usable */
	assert_int_equal(pfa_state_last_run(&st, "rotate-dh"), 0);
	struct pfa_result r;
	pfa_result_init(&r);
	pfa_state_record(&st, "rotate-dh", T0, 10, &r);
	assert_int_equal(pfa_state_save(&st), 0);
	pfa_state_free(&st);
	pfa_result_free(&r);
	assert_int_equal(pfa_state_load(&st, dir, 0), 0);
	assert_false(st.was_corrupt);
	assert_int_equal(pfa_state_last_run(&st, "rotate-dh"), T0);
	pfa_state_free(&st);
}

static void
test_corrupt_inputs(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",
		"garbage that is not json",
		"{\"format\": \"pfagent-state\", \"version\": 1, \"tasks\": {",
		"{\"format\": \"pfagent-state\", \"version\": 1, \"tasks\": {}} x",
		"{\"format\": \"other\", \"version\": 1, \"tasks\": {}}",
		"{\"format\": \"pfagent-state\", \"version\": 99, \"tasks\": {}}",
		"{\"format\": \"pfagent-state\", \"version\": 1, \"tasks\": []}",
		"[1, 2, 3]",
		"\"just a string\"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_corrupt(bad[i], strlen(bad[i]));
	static const char nul[] = "{\"format\"\0: 1}";
	expect_corrupt(nul, sizeof(nul) - 1);
}

static void
test_truncated_real_file(void **state)
{
	(void)state;
	/* a real state file cut at every length must never crash */
	cleanup_dir();
	struct pfa_state st;
	assert_int_equal(pfa_state_load(&st, dir, 0), 0);
	struct pfa_result r;
	pfa_result_init(&r);
	pfa_result_add_finding(&r, PFA_SEV_INFO, "X", "y", NULL, "z");
	pfa_state_record(&st, "rotate-dh", T0, 2, &r);
	pfa_result_free(&r);
	const char *text = json_object_to_json_string(st.root);
	char *copy = strdup(text);
	size_t len = strlen(copy);
	pfa_state_free(&st);
	for (size_t cut = 0; cut < len - 1; cut += 7) {
		cleanup_dir();
		write_state(copy, cut);
		assert_int_equal(pfa_state_load(&st, dir, 0), 0);
		assert_true(st.was_corrupt);
		assert_int_equal(pfa_state_last_run(&st, "rotate-dh"), 0);
		pfa_state_free(&st);
	}
	free(copy);
}

static void
test_wrong_types_inside(void **state)
{
	(void)state;
	/* a valid document with odd members: ignored, no crash */
	cleanup_dir();
	const char *doc = "{\"format\": \"pfagent-state\", \"version\": 1, "
	    "\"tasks\": {\"rotate-dh\": {\"last_run\": \"yesterday\", "
	    "\"status\": 5, \"result\": [], \"data\": 7}}}";
	write_state(doc, strlen(doc));
	struct pfa_state st;
	assert_int_equal(pfa_state_load(&st, dir, 0), 0);
	assert_false(st.was_corrupt);
	assert_int_equal(pfa_state_last_run(&st, "rotate-dh"), 0);
	enum pfa_status s;
	assert_false(pfa_state_last_status(&st, "rotate-dh", &s));
	assert_null(pfa_state_last_result(&st, "rotate-dh"));
	assert_non_null(pfa_state_data(&st, "rotate-dh"));
	pfa_state_free(&st);
}

/* Times from a clock that jumped, or garbage: the task is due. */
static void
test_times_not_believed(void **state)
{
	(void)state;
	static const long long bad[] = {
		4102444800LL,		/* 2100 */
		99999999999999LL,	/* past what a calendar prints */
		-5, 12,			/* before 2000 */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cleanup_dir();
		char doc[512];
		snprintf(doc, sizeof(doc), "{\"format\": \"pfagent-state\", "
		    "\"version\": 1, \"tasks\": {\"rotate-dh\": "
		    "{\"last_run\": %lld, \"next_due\": %lld}}}", bad[i],
		    bad[i] + 604800);
		write_state(doc, strlen(doc));
		struct pfa_state st;
		assert_int_equal(pfa_state_load(&st, dir, 0), 0);
		assert_false(st.was_corrupt);
		assert_int_equal(pfa_state_last_run(&st, "rotate-dh"), 0);
		assert_int_equal(pfa_state_due_at(&st, "rotate-dh", 604800), 0);
		assert_int_equal(pfa_state_time_ahead(&st, "rotate-dh"),
		    bad[i] == 4102444800LL);
		pfa_state_free(&st);
	}
	/* a due time far ahead of a believable last run: capped */
	cleanup_dir();
	time_t now = time(NULL);
	char doc[512];
	snprintf(doc, sizeof(doc), "{\"format\": \"pfagent-state\", "
	    "\"version\": 1, \"tasks\": {\"rotate-dh\": {\"last_run\": "
	    "%lld, \"next_due\": 4102444800}}}", (long long)now - 86400);
	write_state(doc, strlen(doc));
	struct pfa_state st;
	assert_int_equal(pfa_state_load(&st, dir, 0), 0);
	assert_int_equal(pfa_state_due_at(&st, "rotate-dh", 3600),
	    now - 86400 + 3600);
	pfa_state_free(&st);
}

/* list and status read without the lock: a bad file stays where it is. */
static void
test_readonly_leaves_corrupt_file(void **state)
{
	(void)state;
	cleanup_dir();
	write_state("garbage", 7);
	struct pfa_state st;
	fflush(stderr);
	int saved = dup(2), devnull = open("/dev/null", O_WRONLY);
	dup2(devnull, 2);
	assert_int_equal(pfa_state_load(&st, dir, PFA_STATE_READONLY), 0);
	dup2(saved, 2);
	close(saved);
	close(devnull);
	assert_true(st.was_corrupt);
	assert_int_equal(count_aside(), 0);
	pfa_state_free(&st);
	char p[256];
	snprintf(p, sizeof(p), "%s/state.json", dir);
	struct stat sb;
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_size, 7);
}

int
main(void)
{
	struct pfa_log_opts lo = { .facility = LOG_MAIL };
	pfa_log_open(&lo);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_corrupt_inputs),
		cmocka_unit_test(test_truncated_real_file),
		cmocka_unit_test(test_wrong_types_inside),
		cmocka_unit_test(test_times_not_believed),
		cmocka_unit_test(test_readonly_leaves_corrupt_file),
	};
	return cmocka_run_group_tests_name("state", tests, setup, teardown);
}
