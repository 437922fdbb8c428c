/*
 * fuzz_state.c - libFuzzer target for the state file (agent/state.c):
 * each input is STATEDIR/state.json of a private temporary directory and
 * (on tmpfs when /dev/shm is there) is loaded with pfa_state_load (a
 * corrupt file is set aside there), read
 * through every accessor for every task, a run of one task is recorded,
 * and the state is saved with pfa_state_save into a second private
 * directory; that file must load again without being set aside, and give
 * the same document.  Never a crash; everything is freed.  Built by `make
 * fuzz`, run by `make fuzz-run` (tests/fuzz/), seed inputs in
 * tests/fuzz/corpus/fuzz_state/.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "result.h"
#include "state.h"
#include "task.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char in_dir[64];
static char out_dir[64];

/* Removes every file in DIR (the state file, a set-aside copy). */
static void
empty(const char *d)
{
	DIR *dp = opendir(d);
	if (dp == NULL)
		return;
	struct dirent *de;
	while ((de = readdir(dp)) != NULL)
		if (de->d_name[0] != '.' || (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0))
			unlinkat(dirfd(dp), de->d_name, 0);
	closedir(dp);
}

static void
cleanup(void)
{
	empty(in_dir);
	empty(out_dir);
	rmdir(in_dir);
	rmdir(out_dir);
}

static const char *
doc(struct pfa_state *st)
{
	return json_object_to_json_string_ext(st->root,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	if (!ready) {
		/* tmpfs if there is one: every input is written and fsynced */
		const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" :
		    "/tmp";
		snprintf(in_dir, sizeof(in_dir), "%s/fuzz_state_in.XXXXXX", tmp);
		snprintf(out_dir, sizeof(out_dir), "%s/fuzz_state_out.XXXXXX",
		    tmp);
		if (mkdtemp(in_dir) == NULL || mkdtemp(out_dir) == NULL)
			abort();
		atexit(cleanup);
		ready = true;
	}
	empty(in_dir);
	empty(out_dir);
	char path[sizeof(in_dir) + 32];
	snprintf(path, sizeof(path), "%s/state.json", in_dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (size > 0 && write(fd, data, size) != (ssize_t)size) ||
	    close(fd) < 0)
		abort();

	struct pfa_state st;
	if (pfa_state_load(&st, in_dir, 0) < 0 || st.root == NULL)
		abort();
	for (size_t i = 0; i < pfa_task_count(); i++) {
		const char *t = pfa_tasks[i]->name;
		enum pfa_status s;
		(void)pfa_state_last_run(&st, t);
		(void)pfa_state_due_at(&st, t, 7 * 86400);
		(void)pfa_state_time_ahead(&st, t);
		(void)pfa_state_last_status(&st, t, &s);
		(void)pfa_state_last_result(&st, t);
		if (pfa_state_data(&st, t) == NULL)
			abort();
	}
	struct pfa_result res;
	pfa_result_init(&res);
	res.status = PFA_OK;
	pfa_state_record(&st, pfa_tasks[0]->name, 1700000000, 86400, &res);
	pfa_result_free(&res);

	free(st.path);
	st.path = malloc(sizeof(out_dir) + 32);
	if (st.path == NULL)
		abort();
	snprintf(st.path, sizeof(out_dir) + 32, "%s/state.json", out_dir);
	if (pfa_state_save(&st) < 0)
		abort();

	struct pfa_state again;
	if (pfa_state_load(&again, out_dir, 0) < 0 || again.was_corrupt ||
	    access(st.path, F_OK) < 0 || strcmp(doc(&st), doc(&again)) != 0)
		abort();
	pfa_state_free(&again);
	pfa_state_free(&st);
	return 0;
}
