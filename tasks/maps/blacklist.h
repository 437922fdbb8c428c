/*
 * blacklist.h - the sender blacklist rebuild-maps assembles from list
 * files into an access(5) map source.
 *
 * A list file has one entry per line: user@domain, @domain or domain;
 * blank lines and lines starting with '#' are skipped, surrounding
 * whitespace is trimmed.  Entries are lower-cased, merged, sorted and
 * de-duplicated; @domain becomes the access(5) key "domain" (Postfix never
 * looks up "@domain" in an access table).  Anything else is an error
 * naming FILE:LINE, and then nothing is written.
 */
#ifndef PFA_BLACKLIST_H
#define PFA_BLACKLIST_H

#include <libconfig.h>
#include <stddef.h>

#include "postfix.h"
#include "result.h"

struct pfa_bl_conf {
	char **lists;		/* absolute paths, NULL-terminated */
	char *type;		/* "hash", "btree", "lmdb" or "cdb" */
	char *path;		/* the map source pfagent writes */
	char *spec;		/* "TYPE:PATH" */
	char *action;		/* "REJECT" */
};

/*
 * Reads the blacklist group B (tasks.rebuild-maps.blacklist): lists and map
 * required, action optional.  Every problem is reported with file:line;
 * 0 or -1.
 */
int pfa_bl_configure(const config_setting_t *b, struct pfa_bl_conf *out);
void pfa_bl_conf_free(struct pfa_bl_conf *c);

/*
 * Checks one trimmed, lower-cased entry.  0, or -1 with *why set to a
 * static description.  Pure.
 */
int pfa_bl_entry_check(const char *entry, const char **why);

/*
 * Reads and merges C's lists into the map source (*out, *len; free it)
 * holding *nentries entries.  Problems become CRITICAL PFA-MAP-004
 * findings in RES (subject FILE:LINE, at most 20 per file plus a total);
 * then -1 and nothing is returned.  0 on success.
 */
int pfa_bl_assemble(const struct pfa_bl_conf *c, struct pfa_result *res,
    char **out, size_t *len, size_t *nentries);

/*
 * Adds a WARNING PFA-MAP-006 when no smtpd_*_restrictions list (main.cf,
 * master.cf overrides, or a member of smtpd_restriction_classes) names
 * C's map.  Says nothing when postconf failed (reported elsewhere).
 */
void pfa_bl_check_referenced(struct pfa_postfix *pf,
    const struct pfa_bl_conf *c, struct pfa_result *res);

#endif
