/*
 * rebuild_maps.h - the settings of the rebuild-maps task
 * (tasks.rebuild-maps), shared by rebuild_maps.c and rebuild_maps_conf.c.
 */
#ifndef PFA_REBUILD_MAPS_H
#define PFA_REBUILD_MAPS_H

#include <libconfig.h>
#include <stdbool.h>

#include "blacklist.h"

struct pfa_maps_conf {
	bool discover;
	int max_shrink;		/* percent */
	char **tables;		/* extra "TYPE:/path", NULL-terminated */
	char **exclude;		/* "TYPE:/path" left out */
	bool have_bl;
	struct pfa_bl_conf bl;
};

/* The keys of the section besides enabled and every, NULL-ended. */
extern const char *const pfa_maps_settings[];

/* Reads section S (may be NULL); every problem reported; 0 or -1. */
int pfa_maps_configure(const config_setting_t *s, void **out);
void pfa_maps_free_conf(void *conf);

#endif
