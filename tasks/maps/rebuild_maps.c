/*
 * rebuild_maps.c - the rebuild-maps task: Postfix's lookup tables rebuilt
 * only when their source changed, validated first, swapped in atomically.
 *
 * Finds the file-based tables Postfix uses (tasks/maptable.c) plus those
 * listed in `tables`, less `exclude`; assembles the sender blacklist from
 * its list files when configured (tasks/blacklist.c) and writes its source
 * through pfa_ctx_replace.  For each table it keeps a record in the task's
 * state (source sha256, size, mtime, entries; an SNI table's also has
 * the stat and sha256 of the files it names): an unchanged table costs a
 * stat per file.  A changed indexed table (hash, btree, lmdb, cdb) is
 * checked (tasks/mapsrc.c), held to the shrink rule, and built aside and
 * swapped in (tasks/mapbuild.c; postmap -F for SNI); a changed in-memory
 * table (regexp, pcre, cidr, texthash) is checked and, when valid, asks
 * the core for a reload.  A source with errors, or an SNI table naming a
 * file that cannot be read, is never built and never triggers a reload.
 *
 * Never reloads, never runs postconf or postmap itself, never logs a
 * table's content: problems are reported as FILE:LINE findings, and for
 * secret tables (sasl_password_maps, or a source others cannot read) any
 * quoted text from the source is removed from them.  The files an SNI
 * table names are hashed, never shown: findings name them by path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "maprecord.h"
#include "mapsrc.h"
#include "maptable.h"
#include "rebuild_maps.h"
#include "rebuild_table.h"
#include "task.h"

static const struct pfa_finding_doc map_findings[] = {
	{ "PFA-MAP-001", PFA_SEV_CRITICAL, "a table's source has an error; "
	    "not rebuilt" },
	{ "PFA-MAP-002", PFA_SEV_WARNING, "a table's source has a warning "
	    "(a duplicate key, ...)" },
	{ "PFA-MAP-003", PFA_SEV_CRITICAL, "the shrink rule refused a table "
	    "that would lose too many entries" },
	{ "PFA-MAP-004", PFA_SEV_CRITICAL, "a blacklist list file has a bad "
	    "line or cannot be read" },
	{ "PFA-MAP-005", PFA_SEV_CRITICAL, "the blacklist map source could not "
	    "be written" },
	{ "PFA-MAP-006", PFA_SEV_WARNING, "the blacklist map is used by no "
	    "restriction list" },
	{ "PFA-MAP-007", PFA_SEV_WARNING, "a table's source and database do "
	    "not exist" },
	{ "PFA-MAP-008", PFA_SEV_INFO, "a table's source does not exist; its "
	    "database is used as it is" },
	{ "PFA-MAP-009", PFA_SEV_INFO, "no longer reported" },
	{ "PFA-MAP-010", PFA_SEV_CRITICAL, "building a table failed; the live "
	    "database is untouched" },
	{ "PFA-MAP-011", PFA_SEV_CRITICAL, "the built database has another "
	    "number of entries than the source" },
	{ "PFA-MAP-012", PFA_SEV_CRITICAL, "a sample key in the built "
	    "database returned another value" },
	{ "PFA-MAP-013", PFA_SEV_INFO, "a table pfagent does not maintain "
	    "(aliases, dbm, SNI patterns)" },
	{ "PFA-MAP-014", PFA_SEV_CRITICAL, "a table's source cannot be read" },
	{ "PFA-MAP-015", PFA_SEV_UNKNOWN, "Postfix's configuration could not "
	    "be read" },
	{ "PFA-MAP-016", PFA_SEV_INFO, "an in-memory table changed and is "
	    "valid; a reload is requested" },
	{ "PFA-MAP-017", PFA_SEV_INFO, "an SNI table was rebuilt because a "
	    "file it names changed" },
	{ "PFA-MAP-018", PFA_SEV_CRITICAL, "the blacklist map is a file "
	    "pfagent did not write: never replaced" },
	{ NULL, 0, NULL },
};

static const struct pfa_finding_doc *const findings[] = {
	map_findings, NULL,
};

/* Writes the blacklist's source; in a dry run, keeps it in PEND. */
static void
blacklist(struct pfa_maps_run *rn, struct pfa_maps_pending *pend)
{
	const struct pfa_bl_conf *bl = &rn->c->bl;
	char *data = NULL;
	size_t len = 0, n = 0;
	pfa_bl_check_referenced(rn->ctx->pf, bl, rn->res);
	if (!pfa_bl_may_write(bl, rn->res)) {
		rn->refused++;
		return;
	}
	if (pfa_bl_assemble(bl, rn->res, &data, &len, &n) < 0) {
		rn->refused++;
		return;
	}
	struct pfa_maprec old;
	pfa_maprec_get(rn->recs, bl->spec, &old);
	pfa_maprec_free(&old);	/* only the counts are used */
	struct pfa_maptable t = {
		.spec = bl->spec, .type = bl->type, .path = bl->path,
		.param = (char *)"blacklist",
	};
	if (pfa_maps_shrink_refused(rn, &t, &old, n)) {
		free(data);
		return;
	}
	char extra[64];
	snprintf(extra, sizeof(extra), "entries=%zu", n);
	pfa_maps_log(rn, LOG_INFO, "blacklist-assembled", &t, extra);
	int w = pfa_ctx_replace_noreload(rn->ctx, rn->res, bl->path, data, len,
	    "PFA-MAP-005");
	if (w > 0 && rn->ctx->dry_run) {
		pend->data = data;
		pend->len = len;
		return;
	}
	free(data);
}

static bool
excluded(const struct pfa_maps_conf *c, const char *spec)
{
	for (char **e = c->exclude; e && *e; e++)
		if (strcmp(*e, spec) == 0)
			return true;
	return false;
}

static void
set_summary(struct pfa_maps_run *rn)
{
	char buf[256];
	size_t o = 0;
	o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%zu table%s checked",
	    rn->checked, rn->checked == 1 ? "" : "s");
	if (rn->rebuilt > 0)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, ", %zu %s",
		    rn->rebuilt, rn->ctx->dry_run ? "would be rebuilt" :
		    "rebuilt");
	if (rn->refused > 0)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, ", %zu not "
		    "built or not valid (see findings)", rn->refused);
	if (rn->reloads > 0)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, ", reload "
		    "requested for %zu in-memory table%s", rn->reloads,
		    rn->reloads == 1 ? "" : "s");
	if (rn->rebuilt + rn->refused + rn->reloads == 0 && rn->checked > 0)
		snprintf(buf + o, sizeof(buf) - o, ", all up to date");
	pfa_result_set_summary(rn->res, "%s", buf);
}

static void
run(struct pfa_ctx *ctx, struct pfa_result *res)
{
	const struct pfa_maps_conf *c = ctx->conf;
	json_object *scratch = NULL;
	json_object *data = ctx->data;
	if (data == NULL)
		data = scratch = json_object_new_object();
	struct pfa_maps_run rn = { ctx, res, c, pfa_maprecs(data), 0, 0, 0, 0,
	    0 };
	struct pfa_maptables l = { NULL, 0 };
	bool complete = true;

	if (c->discover && pfa_maptables_discover(ctx->pf, &l) < 0) {
		const char *e = pfa_postfix_error(ctx->pf);
		pfa_result_add_finding(res, PFA_SEV_UNKNOWN, "PFA-MAP-015",
		    pfa_postfix_config_dir(ctx->pf), NULL, "cannot read "
		    "Postfix's configuration (%s): its tables were not "
		    "checked", e ? e : "postconf failed");
		complete = false;
	}
	for (char **p = c->tables; p && *p; p++) {
		char *type, *path;
		if (pfa_mapspec_parse(*p, &type, &path) == 0) {
			pfa_maptables_add(&l, type, path, "pfagent.conf",
			    PFA_MT_EXTRA);
			free(type);
			free(path);
		}
	}
	size_t k = 0;
	for (size_t i = 0; i < l.n; i++) {
		if (excluded(c, l.v[i].spec)) {
			free(l.v[i].spec);
			free(l.v[i].type);
			free(l.v[i].path);
			free(l.v[i].param);
			continue;
		}
		l.v[k++] = l.v[i];
	}
	l.n = k;
	struct pfa_maps_pending pend = { NULL, 0 };
	if (c->have_bl) {
		pfa_maptables_add(&l, c->bl.type, c->bl.path, "blacklist",
		    PFA_MT_BLACKLIST);
		blacklist(&rn, &pend);
	}
	pfa_maptables_sort(&l);
	for (size_t i = 0; i < l.n; i++)
		pfa_maps_table(&rn, &l.v[i], pend.data != NULL &&
		    (l.v[i].flags & PFA_MT_BLACKLIST) ? &pend : NULL);
	if (complete && !ctx->dry_run)
		pfa_maprecs_prune(rn.recs, &l);

	pfa_result_add_metric(res, "tables_checked", (double)rn.checked, "");
	pfa_result_add_metric(res, "tables_rebuilt", (double)rn.rebuilt, "");
	pfa_result_add_metric(res, "entries_total", rn.entries, "");
	set_summary(&rn);
	free(pend.data);
	pfa_maptables_free(&l);
	if (scratch != NULL)
		json_object_put(scratch);
}

const struct pfa_task task_rebuild_maps = {
	.name = "rebuild-maps",
	.summary = "rebuild Postfix's lookup tables whose source changed, "
	    "validated and swapped in atomically",
	.help =
	    "Finds every file-based lookup table Postfix's configuration "
	    "names (main.cf parameters and master.cf -o overrides, as "
	    "TYPE:/path or proxy:TYPE:/path; caches below data_directory "
	    "are left out) plus those listed in `tables`, less `exclude`.  "
	    "A table whose source is unchanged since the last run (same "
	    "size and mtime, or same sha256) and whose database is newer "
	    "costs a stat.  A changed source is checked first (syntax, "
	    "NUL bytes, overlong lines, CIDR, regexp/pcre patterns; "
	    "duplicate keys are warnings) and is not built when it has "
	    "errors.  Indexed tables (hash, btree, lmdb, cdb) are built "
	    "beside the live database and renamed over it, keeping the "
	    "source's owner and mode (an SNI table's database, which holds "
	    "private keys, gets no group or other permission); in-memory "
	    "tables (regexp, pcre, cidr, texthash) are only checked, and a "
	    "valid change asks for one Postfix reload.  The shrink rule "
	    "refuses a table that would go from some entries to none, or "
	    "lose more than max_shrink percent of them, until `pfagent run "
	    "rebuild-maps --force`.  With "
	    "`blacklist`, the list files (one user@domain, @domain or "
	    "domain per line, # comments) are merged, lower-cased, sorted "
	    "and de-duplicated into the map source \"ENTRY ACTION\" lines; a "
	    "bad line leaves the map as it was.  tls_server_sni_maps tables "
	    "are built with postmap -F and also rebuilt when a key or "
	    "certificate file they name changes (stat, then sha256); a named "
	    "file that cannot be read is an error of its line.  Aliases "
	    "(postalias) and dbm tables are reported, not rebuilt.\n"
	    "Settings (tasks.rebuild-maps): enabled (true), every (\"1h\"), "
	    "discover (true), tables (list of \"TYPE:/path\"), exclude (list "
	    "of \"TYPE:/path\"), max_shrink (50; percent, 0..100), "
	    "blacklist = { lists = [ \"/path\", ... ]; map = "
	    "\"hash:/path\" (an absolute path means hash); action "
	    "(\"REJECT\"); adopt (false: a map file pfagent did not write "
	    "is never replaced) }.",
	.default_every = 3600,
	.settings = pfa_maps_settings,
	.findings = findings,
	.configure = pfa_maps_configure,
	.free_conf = pfa_maps_free_conf,
	.run = run,
};
