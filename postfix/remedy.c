/*
 * remedy.c - remedies for the instance a finding is about (remedy.h):
 * the text formatted, "-c DIR" given to each Postfix command in it for a
 * non-default instance.  Runs nothing, never logs.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remedy.h"
#include "result.h"

static const char *const commands[] = {
	"postconf ", "postmap ", "postalias ", "postfix ", "postsuper ",
	"postqueue ", NULL,
};

/* S quoted for a POSIX shell when it needs it (free the result). */
char *
pfa_shquote(const char *s)
{
	if (s[0] != '\0' && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789/._-+,:@") == strlen(s))
		return pfa_xstrdup(s);
	char *q = pfa_xmalloc(strlen(s) * 4 + 3), *d = q;
	*d++ = '\'';
	for (; *s; s++) {
		if (*s == '\'')
			d = strcpy(d, "'\\''") + 4;
		else
			*d++ = *s;
	}
	strcpy(d, "'");
	return q;
}

/* P (inside TEXT) starts a command: a word boundary a shell sees. */
static bool
starts_command(const char *text, const char *p)
{
	return p == text || strchr(" `(;&|", p[-1]) != NULL;
}

char *
pfa_remedy(const char *config_dir, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *out = pfa_xvasprintf(fmt, ap);
	va_end(ap);
	if (config_dir == NULL || *config_dir == '\0' ||
	    strcmp(config_dir, PFA_DEFAULT_POSTFIX_DIR) == 0 ||
	    strcmp(config_dir, PFA_DEFAULT_POSTFIX_DIR "/") == 0)
		return out;
	char *dir = pfa_shquote(config_dir);
	for (size_t i = 0; commands[i]; i++) {
		size_t cl = strlen(commands[i]);
		for (char *p = strstr(out, commands[i]); p != NULL;
		    p = strstr(p, commands[i])) {
			if (!starts_command(out, p) ||
			    strncmp(p + cl, "-c ", 3) == 0) {
				p += cl;
				continue;
			}
			size_t off = (size_t)(p - out) + cl;
			char *n = pfa_xasprintf("%.*s-c %s %s", (int)off, out,
			    dir, out + off);
			free(out);
			out = n;
			p = out + off + 4 + strlen(dir);
		}
	}
	free(dir);
	return out;
}
