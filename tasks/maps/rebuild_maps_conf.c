/*
 * rebuild_maps_conf.c - reads and checks tasks.rebuild-maps: every bad
 * value is reported with file:line through pfa_conf_*, all at once.
 * Specs must be "TYPE:/absolute/path" with a type pfagent knows; the
 * blacklist group is checked by blacklist.c.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "maptable.h"
#include "rebuild_maps.h"
#include "result.h"

const char *const pfa_maps_settings[] = {
	"discover", "tables", "exclude", "max_shrink", "blacklist", NULL,
};

/* A list of "TYPE:/abs/path" specs; every bad one reported. */
static int
conf_specs(const config_setting_t *s, const char *name, char ***out)
{
	if (pfa_conf_string_list(s, name, out) < 0)
		return -1;
	int rc = 0;
	for (char **p = *out; p && *p; p++) {
		char *type = NULL, *path = NULL;
		if (strncmp(*p, "proxy:", 6) == 0 ||
		    pfa_mapspec_parse(*p, &type, &path) < 0) {
			pfa_conf_error(config_setting_get_member(
			    (config_setting_t *)s, name), "\"%s\" is not "
			    "TYPE:/absolute/path with TYPE one of %s", *p,
			    pfa_mapspec_types);
			rc = -1;
		}
		free(type);
		free(path);
	}
	return rc;
}

int
pfa_maps_configure(const config_setting_t *s, void **out)
{
	struct pfa_maps_conf *c = pfa_xcalloc(1, sizeof(*c));
	long long shrink = 50;
	int rc = 0;
	if (pfa_conf_bool(s, "discover", true, &c->discover) < 0)
		rc = -1;
	if (pfa_conf_int(s, "max_shrink", 50, 0, 100, &shrink) < 0)
		rc = -1;
	c->max_shrink = (int)shrink;
	if (conf_specs(s, "tables", &c->tables) < 0)
		rc = -1;
	if (conf_specs(s, "exclude", &c->exclude) < 0)
		rc = -1;
	const config_setting_t *b = s ? config_setting_get_member(
	    (config_setting_t *)s, "blacklist") : NULL;
	if (b != NULL) {
		c->have_bl = true;
		if (pfa_bl_configure(b, &c->bl) < 0)
			rc = -1;
	}
	*out = c;
	return rc;
}

void
pfa_maps_free_conf(void *p)
{
	struct pfa_maps_conf *c = p;
	if (c == NULL)
		return;
	pfa_conf_free_list(c->tables);
	pfa_conf_free_list(c->exclude);
	pfa_bl_conf_free(&c->bl);
	free(c);
}

/* ---------------------------------------------------------------- run */

