/*
 * state.c - the state file: last run, outcome and next due time per task,
 * plus each task's private data.  JSON (json-c), replaced atomically.
 *
 * A file that does not parse, is truncated, or is not a pfagent state file
 * of a known version is logged, renamed aside (state.json.corrupt-EPOCH)
 * and replaced by an empty state: the tasks count as never run.  Never a
 * crash, never a silent loss.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomic.h"
#include "file.h"
#include "log.h"
#include "report.h"
#include "state.h"

#define STATE_FORMAT "pfagent-state"
#define STATE_VERSION 1
#define STATE_MAX (16 * 1024 * 1024)

static json_object *
fresh_root(void)
{
	json_object *root = json_object_new_object();
	json_object_object_add(root, "format",
	    json_object_new_string(STATE_FORMAT));
	json_object_object_add(root, "version",
	    json_object_new_int(STATE_VERSION));
	json_object_object_add(root, "tasks", json_object_new_object());
	return root;
}

/* NULL if TEXT is not a state document we understand; *why says why. */
static json_object *
parse(const char *text, size_t len, const char **why)
{
	json_tokener *tok = json_tokener_new();
	json_object *root = json_tokener_parse_ex(tok, text, (int)len);
	enum json_tokener_error err = json_tokener_get_error(tok);
	size_t used = (size_t)json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (root == NULL || err != json_tokener_success) {
		*why = err == json_tokener_continue ? "truncated" :
		    json_tokener_error_desc(err);
		json_object_put(root);
		return NULL;
	}
	while (used < len && strchr(" \t\r\n", text[used]))
		used++;
	json_object *fmt, *ver, *tasks;
	if (used != len)
		*why = "trailing garbage";
	else if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "format", &fmt) ||
	    !json_object_is_type(fmt, json_type_string) ||
	    strcmp(json_object_get_string(fmt), STATE_FORMAT) != 0)
		*why = "not a pfagent state file";
	else if (!json_object_object_get_ex(root, "version", &ver) ||
	    json_object_get_int(ver) != STATE_VERSION)
		*why = "unknown state file version";
	else if (!json_object_object_get_ex(root, "tasks", &tasks) ||
	    !json_object_is_type(tasks, json_type_object))
		*why = "no tasks object";
	else
		return root;
	json_object_put(root);
	return NULL;
}

static void
set_aside(struct pfa_state *st, const char *why)
{
	char *aside = pfa_xasprintf("%s.corrupt-%lld", st->path,
	    (long long)time(NULL));
	if (rename(st->path, aside) < 0)
		pfa_log_errno(LOG_ERR, "event=state-corrupt file=%s reason=\"%s\""
		    " action=ignored", st->path, why);
	else
		pfa_log(LOG_ERR, "event=state-corrupt file=%s reason=\"%s\" "
		    "moved_to=%s action=starting-fresh", st->path, why, aside);
	free(aside);
	st->was_corrupt = true;
}

int
pfa_state_load(struct pfa_state *st, const char *statedir)
{
	memset(st, 0, sizeof(*st));
	st->path = pfa_xasprintf("%s/state.json", statedir);
	char *buf = NULL;
	size_t len = 0;
	const char *why = NULL;
	if (pfa_file_read(st->path, STATE_MAX, 0, &buf, &len, NULL) < 0) {
		if (errno == ENOENT) {
			st->root = fresh_root();
			return 0;
		}
		if (errno != EINVAL && errno != EFBIG) {
			pfa_log_errno(LOG_ERR, "event=state-read-failed file=%s",
			    st->path);
			st->root = fresh_root();
			return -1;
		}
		why = errno == EFBIG ? "too large" : "not a regular file";
	} else if (len == 0) {
		why = "empty";
	} else if (memchr(buf, '\0', len) != NULL) {
		why = "contains NUL bytes";
	} else {
		st->root = parse(buf, len, &why);
	}
	free(buf);
	if (st->root == NULL) {
		set_aside(st, why ? why : "unreadable");
		st->root = fresh_root();
	}
	return 0;
}

int
pfa_state_save(struct pfa_state *st)
{
	const char *text = json_object_to_json_string_ext(st->root,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t len = strlen(text);
	char *buf = pfa_xmalloc(len + 2);
	memcpy(buf, text, len);
	buf[len++] = '\n';
	struct pfa_atomic_opts o = { .new_mode = 0600, .keep = false };
	char *kept = NULL;
	int rc = pfa_atomic_write(st->path, buf, len, &o, &kept);
	free(kept);
	free(buf);
	return rc < 0 ? -1 : 0;
}

void
pfa_state_free(struct pfa_state *st)
{
	json_object_put(st->root);
	free(st->path);
	memset(st, 0, sizeof(*st));
}

static json_object *
task_obj(struct pfa_state *st, const char *task, bool create)
{
	json_object *tasks, *t;
	if (!json_object_object_get_ex(st->root, "tasks", &tasks))
		return NULL;
	if (json_object_object_get_ex(tasks, task, &t) &&
	    json_object_is_type(t, json_type_object))
		return t;
	if (!create)
		return NULL;
	t = json_object_new_object();
	json_object_object_add(tasks, task, t);
	return t;
}

json_object *
pfa_state_data(struct pfa_state *st, const char *task)
{
	json_object *t = task_obj(st, task, true), *d;
	if (json_object_object_get_ex(t, "data", &d) &&
	    json_object_is_type(d, json_type_object))
		return d;
	d = json_object_new_object();
	json_object_object_add(t, "data", d);
	return d;
}

void
pfa_state_set_data(struct pfa_state *st, const char *task, json_object *data)
{
	json_object_object_add(task_obj(st, task, true), "data", data);
}

static time_t
get_time(struct pfa_state *st, const char *task, const char *key)
{
	json_object *t = task_obj(st, task, false), *v;
	if (t == NULL || !json_object_object_get_ex(t, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return 0;
	return (time_t)json_object_get_int64(v);
}

time_t
pfa_state_last_run(struct pfa_state *st, const char *task)
{
	return get_time(st, task, "last_run");
}

time_t
pfa_state_next_due(struct pfa_state *st, const char *task)
{
	return get_time(st, task, "next_due");
}

bool
pfa_state_last_status(struct pfa_state *st, const char *task,
    enum pfa_status *out)
{
	json_object *t = task_obj(st, task, false), *v;
	if (t == NULL || !json_object_object_get_ex(t, "status", &v) ||
	    !json_object_is_type(v, json_type_string))
		return false;
	return pfa_status_parse(json_object_get_string(v), out) == 0;
}

json_object *
pfa_state_last_result(struct pfa_state *st, const char *task)
{
	json_object *t = task_obj(st, task, false), *v;
	if (t == NULL || !json_object_object_get_ex(t, "result", &v) ||
	    !json_object_is_type(v, json_type_object))
		return NULL;
	return v;
}

void
pfa_state_record(struct pfa_state *st, const char *task, time_t now,
    int64_t every, const struct pfa_result *res)
{
	json_object *t = task_obj(st, task, true);
	json_object_object_add(t, "last_run", json_object_new_int64(now));
	json_object_object_add(t, "next_due",
	    json_object_new_int64((int64_t)now + every));
	json_object_object_add(t, "status",
	    json_object_new_string(pfa_status_name(res->status)));
	json_object_object_add(t, "result", pfa_report_result_json(task, res));
}

size_t
pfa_state_runs(struct pfa_state *st, time_t times[PFA_STATE_RUNS])
{
	json_object *runs;
	size_t n = 0;
	time_t now = time(NULL);
	if (!json_object_object_get_ex(st->root, "runs", &runs) ||
	    !json_object_is_type(runs, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(runs) &&
	    n < PFA_STATE_RUNS; i++) {
		json_object *v = json_object_array_get_idx(runs, i);
		if (!json_object_is_type(v, json_type_int))
			continue;
		int64_t t = json_object_get_int64(v);
		if (t < 946684800 || t > (int64_t)now + 300)
			continue;
		times[n++] = (time_t)t;
	}
	return n;
}

void
pfa_state_add_run(struct pfa_state *st, time_t now)
{
	time_t old[PFA_STATE_RUNS];
	size_t n = pfa_state_runs(st, old);
	json_object *runs = json_object_new_array();
	json_object_array_add(runs, json_object_new_int64((int64_t)now));
	for (size_t i = 0; i < n && i + 1 < PFA_STATE_RUNS; i++)
		json_object_array_add(runs, json_object_new_int64(
		    (int64_t)old[i]));
	json_object_object_add(st->root, "runs", runs);
}
