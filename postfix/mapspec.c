/*
 * mapspec.c - lookup-table names in Postfix's configuration (mapspec.h):
 * "TYPE:/path" parsing, the walk that finds every table a list names,
 * Postfix's own cache parameters, paths below a directory.  Pure: no
 * file, no command, no log.
 */
#include <stdlib.h>
#include <string.h>

#include "cfview.h"
#include "mapspec.h"
#include "result.h"

static const char *const known_types[] = {
	"hash", "btree", "lmdb", "cdb", "dbm",
	"regexp", "pcre", "cidr", "texthash", NULL,
};

const char pfa_mapspec_types[] =
    "hash, btree, lmdb, cdb, dbm, regexp, pcre, cidr, texthash";

int
pfa_mapspec_parse(const char *token, char **type, char **path)
{
	if (strncmp(token, "proxy:", 6) == 0)
		token += 6;
	const char *colon = strchr(token, ':');
	if (colon == NULL || colon[1] != '/')
		return -1;
	size_t tlen = (size_t)(colon - token);
	for (size_t i = 0; known_types[i]; i++)
		if (strlen(known_types[i]) == tlen &&
		    strncmp(known_types[i], token, tlen) == 0) {
			*type = pfa_xstrdup(known_types[i]);
			*path = pfa_xstrdup(colon + 1);
			return 0;
		}
	return -1;
}

struct walk {
	int (*fn)(void *arg, const char *token);
	void *arg;
	int depth;
};

static int walk_token(void *arg, const char *tok, size_t index);

/* The members of "unionmap:{...}" or "pipemap:{...}" (after "proxy:"),
 * or NULL. */
static const char *
composite(const char *tok)
{
	static const char *const types[] = { "unionmap:{", "pipemap:{", NULL };
	if (strncmp(tok, "proxy:", 6) == 0)
		tok += 6;
	for (size_t i = 0; types[i]; i++)
		if (strncmp(tok, types[i], strlen(types[i])) == 0)
			return tok + strlen(types[i]) - 1;
	return NULL;
}

static int
walk_value(struct walk *w, const char *value)
{
	if (w->depth >= 8)
		return 0;	/* deeper than any real configuration */
	w->depth++;
	int rc = pfa_cf_tokens(value, walk_token, w);
	w->depth--;
	return rc;
}

/* TOK holds a separator outside braces: it was a "{ a, b }" group. */
static bool
several(const char *tok)
{
	int depth = 0;
	for (const char *p = tok; *p; p++)
		if (*p == '{')
			depth++;
		else if (*p == '}' && depth > 0)
			depth--;
		else if (depth == 0 && strchr(" \t\r\n,", *p) != NULL)
			return true;
	return false;
}

static int
walk_token(void *arg, const char *tok, size_t index)
{
	struct walk *w = arg;
	const char *inner;

	(void)index;
	if (tok[strspn(tok, "{} \t\r\n,")] == '\0')
		return 0;	/* braces only: no table */
	if (tok[0] == '{' || several(tok))
		return walk_value(w, tok);	/* a group's members */
	if ((inner = composite(tok)) != NULL)
		return walk_value(w, inner);
	return w->fn(w->arg, tok);
}

int
pfa_table_walk(const char *value, int (*fn)(void *arg, const char *token),
    void *arg)
{
	struct walk w = { fn, arg, 0 };
	return value != NULL ? walk_value(&w, value) : 0;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

bool
pfa_map_cache_param(const char *name)
{
	return ends_with(name, "_cache_database") ||
	    ends_with(name, "_cache_map") || ends_with(name, "_cache_name") ||
	    strcmp(name, "address_verify_map") == 0 ||
	    strcmp(name, "proxy_write_maps") == 0;
}

bool
pfa_map_path_below(const char *path, const char *dir)
{
	if (dir == NULL || *dir != '/')
		return false;
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	return strncmp(path, dir, n) == 0 &&
	    (path[n] == '/' || path[n] == '\0');
}
