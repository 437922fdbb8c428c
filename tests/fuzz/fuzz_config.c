/*
 * fuzz_config.c - libFuzzer target for pfagent.conf (agent/config.c and
 * every task's configure(), through libconfig): each input is written to
 * pfagent.conf in a private temporary directory (mode 0600, like a real
 * one; on tmpfs when /dev/shm is there) and loaded with pfa_config_load
 * as `-c FILE` would.  The file is
 * either loaded with no error counted and every setting set, or refused
 * with at least one error reported; never a crash; everything is freed
 * (LeakSanitizer checks).  Built by `make fuzz`, run by `make fuzz-run`
 * (tests/fuzz/), seed inputs in tests/fuzz/corpus/fuzz_config/.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "task.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/*
 * libconfig 1.5 (Debian 12) leaks the value of a string token its parser
 * rejects (`a = 1 "x";`: bison drops the token, and the grammar has no
 * %destructor): memory allocated by the scanner (libconfig_yylex,
 * strbuf_append) that never reaches pfagent, since setting values are
 * copies.  Those are not reported; every other leak is.
 */
const char *
__lsan_default_suppressions(void)
{
	return "leak:strbuf_append\nleak:libconfig_yylex\n";
}

static char dir[64];
static char path[96];

static void
cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (path[0] == '\0') {
		/* tmpfs if there is one: the fuzzer writes a file per input */
		snprintf(dir, sizeof(dir), "%s/fuzz_config.XXXXXX",
		    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		if (mkdtemp(dir) == NULL)
			abort();
		snprintf(path, sizeof(path), "%s/pfagent.conf", dir);
		atexit(cleanup);
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (size > 0 && write(fd, data, size) != (ssize_t)size) ||
	    close(fd) < 0)
		abort();

	struct pfa_config c;
	int rc = pfa_config_load(&c, path, true);
	if (rc == 0) {
		/* loaded: nothing was reported, and every setting is there */
		if (pfa_conf_errors() != 0 || c.config_directory == NULL ||
		    c.config_directory[0] != '/' ||
		    c.command_directory == NULL ||
		    c.command_directory[0] != '/' ||
		    c.state_directory == NULL ||
		    c.state_directory[0] != '/' || c.log_file == NULL ||
		    c.tasks == NULL || c.health_wait < 0 || c.health_wait > 60)
			abort();
		for (size_t i = 0; i < pfa_task_count(); i++)
			if (c.tasks[i].every < 60)
				abort();
	} else if (rc != -1 || pfa_conf_errors() == 0) {
		/* refused: with at least one error said */
		abort();
	}
	pfa_config_free(&c);
	return 0;
}
