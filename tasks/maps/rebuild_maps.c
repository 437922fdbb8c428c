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
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "file.h"
#include "log.h"
#include "mapbuild.h"
#include "maprecord.h"
#include "mapsrc.h"
#include "maptable.h"
#include "rebuild_maps.h"
#include "task.h"

#define MAX_SHOWN 20		/* problem findings per table */

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
	{ NULL, 0, NULL },
};

static const struct pfa_finding_doc *const findings[] = {
	map_findings, NULL,
};

struct run {
	struct pfa_ctx *ctx;
	struct pfa_result *res;
	const struct pfa_maps_conf *c;
	json_object *recs;	/* ctx->data["tables"] */
	size_t checked, rebuilt, refused, reloads;
	double entries;
};

/* The files an SNI table names, as read in this run. */
struct sni {
	struct pfa_mapfiles files;
	char sha[65];		/* "" unless every file was read */
};

/* The blacklist's new source, when a dry run did not write it. */
struct pending {
	char *data;
	size_t len;
};

static bool
older(const struct stat *a, const struct stat *b)
{
	return a->st_mtim.tv_sec < b->st_mtim.tv_sec ||
	    (a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec < b->st_mtim.tv_nsec);
}

static void
report_problems(struct run *rn, const struct pfa_maptable *t,
    const struct pfa_map_check *chk, bool secret, bool indexed)
{
	size_t shown = 0;
	for (size_t i = 0; i < chk->nproblems && shown < MAX_SHOWN; i++) {
		const struct pfa_map_problem *p = &chk->problems[i];
		char *subj = pfa_xasprintf("%s:%d", t->path, p->line);
		char *msg = secret ? pfa_map_redact(p->message) :
		    pfa_xstrdup(p->message);
		pfa_result_add_finding(rn->res, p->error ? PFA_SEV_CRITICAL :
		    PFA_SEV_WARNING, p->error ? "PFA-MAP-001" : "PFA-MAP-002",
		    subj, NULL, "%s", msg);
		free(msg);
		free(subj);
		shown++;
	}
	if (chk->errors > 0)
		pfa_result_add_finding(rn->res, PFA_SEV_CRITICAL,
		    "PFA-MAP-001", t->path, NULL, "%s: %zu error%s and %zu "
		    "warning%s in the source (%zu listed); %s", t->spec,
		    chk->errors, chk->errors == 1 ? "" : "s", chk->warnings,
		    chk->warnings == 1 ? "" : "s", shown, indexed ?
		    "not rebuilt: the previous database stays in service" :
		    "Postfix drops the bad lines; no reload is requested "
		    "until the source is fixed");
	else if (chk->warnings > shown)
		pfa_result_add_finding(rn->res, PFA_SEV_WARNING,
		    "PFA-MAP-002", t->path, NULL, "%s: %zu warnings in the "
		    "source (the first %zu are listed)", t->spec,
		    chk->warnings, shown);
}

static bool
shrink_refused(struct run *rn, const struct pfa_maptable *t,
    const struct pfa_maprec *old, size_t entries)
{
	if (!old->have || rn->ctx->forced ||
	    !pfa_map_shrink_refused((size_t)old->entries, entries,
	    rn->c->max_shrink))
		return false;
	char *remedy = pfa_ctx_remedy_pfagent(rn->ctx, "run %s --force",
	    rn->ctx->task);
	pfa_result_add_finding(rn->res, PFA_SEV_CRITICAL, "PFA-MAP-003",
	    t->path, remedy, "%s would go from %lld entries to %zu, more "
	    "than max_shrink = %d%% fewer: refused as a probable generator "
	    "or editing failure; %s; run with --force if the change is "
	    "intended", t->spec, (long long)old->entries, entries,
	    rn->c->max_shrink, pfa_map_is_indexed(t->type) ?
	    "the previous database stays in service" :
	    "no reload is requested");
	free(remedy);
	rn->refused++;
	return true;
}

static void
log_table(struct run *rn, int prio, const char *event,
    const struct pfa_maptable *t, const char *extra)
{
	char q[1024];
	pfa_log(prio, "task=%s event=%s table=%s%s%s", rn->ctx->task, event,
	    pfa_log_quote(q, sizeof(q), t->spec), extra ? " " : "",
	    extra ? extra : "");
}

/* Tables pfagent finds but does not maintain; true if T is one. */
static bool
not_maintained(struct run *rn, const struct pfa_maptable *t, char **db)
{
	const char *why = NULL;
	if (t->flags & PFA_MT_ALIAS)
		why = "an aliases table, built by newaliases (postalias), "
		    "not by postmap; pfagent leaves it alone";
	else if ((t->flags & PFA_MT_SNI) && !pfa_map_is_indexed(t->type) &&
	    pfa_map_kind(t->type) != PFA_MAP_TEXTHASH)
		why = "a tls_server_sni_maps table whose keys are patterns; "
		    "pfagent cannot tell which files it names: not checked";
	else if (pfa_map_is_indexed(t->type) &&
	    (*db = pfa_map_db_path(t->type, t->path)) == NULL)
		why = "a dbm table is two files (.dir and .pag) that cannot "
		    "be swapped in atomically; not rebuilt (convert it to "
		    "hash, lmdb or cdb)";
	if (why == NULL)
		return false;
	pfa_result_add_finding(rn->res, PFA_SEV_INFO, "PFA-MAP-013", t->path,
	    NULL, "%s (named by %s) is %s", t->spec, t->param, why);
	return true;
}

static void
missing_source(struct run *rn, const struct pfa_maptable *t, const char *db,
    bool have_db)
{
	if (have_db) {
		pfa_result_add_finding(rn->res, PFA_SEV_INFO, "PFA-MAP-008",
		    t->path, NULL, "%s (named by %s): the source file does "
		    "not exist; the database %s is used as it is", t->spec,
		    t->param, db);
		return;
	}
	pfa_result_add_finding(rn->res, PFA_SEV_WARNING, "PFA-MAP-007",
	    t->path, NULL, "%s (named by %s): the source file does not "
	    "exist%s, so Postfix cannot use this table; create the file or "
	    "remove the table from %s", t->spec, t->param,
	    db ? " and neither does the database" : "", t->param);
}

static void
record(struct run *rn, const struct pfa_maptable *t, const struct stat *st,
    const char *sha, const struct pfa_map_check *chk, bool valid,
    const struct sni *sn)
{
	if (rn->ctx->dry_run || *sha == '\0')
		return;
	struct pfa_maprec r = {
		.have = true,
		.valid = valid,
		.size = (int64_t)st->st_size,
		.mtime = (int64_t)st->st_mtim.tv_sec,
		.mtime_ns = (int64_t)st->st_mtim.tv_nsec,
		.entries = (int64_t)chk->entries,
		.warnings = (int64_t)chk->warnings,
	};
	memcpy(r.sha, sha, 65);
	if (sn != NULL && *sn->sha) {
		r.have_files = true;
		memcpy(r.files_sha, sn->sha, 65);
		r.files = sn->files;	/* borrowed */
	}
	pfa_maprec_put(rn->recs, t->spec, &r);
}

/* PFA-MAP-017: an SNI table whose files changed, source unchanged. */
static void
files_changed(struct run *rn, const struct pfa_maptable *t,
    const struct pfa_maprec *old, const struct sni *sn, bool indexed)
{
	size_t n = 0;
	const char *first = pfa_mapfiles_changed(&old->files, &sn->files, &n);
	pfa_result_add_finding(rn->res, PFA_SEV_INFO, "PFA-MAP-017", t->path,
	    NULL, "%s %s because a certificate or key file it names changed "
	    "(%s%s)", t->spec, !indexed ? "is valid; a reload is requested" :
	    rn->ctx->dry_run ? "would be rebuilt" : "was rebuilt, no reload "
	    "needed", first ? first : "same size and time", n > 1 ? " and "
	    "others" : "");
}

/* A source check, run on its own thread beside the build. */
struct check_job {
	const char *data;
	size_t len;
	enum pfa_map_kind kind;
	struct pfa_map_check chk;
	int rc;
};

static void *
check_thread(void *arg)
{
	struct check_job *j = arg;
	j->rc = pfa_mapsrc_check(j->data, j->len, j->kind, &j->chk);
	return NULL;
}

/*
 * One table: decide, check, build or ask for a reload.  PEND, if not
 * NULL, is the source a dry run would have written.
 */
static void
do_table(struct run *rn, const struct pfa_maptable *t,
    const struct pending *pend)
{
	struct pfa_ctx *ctx = rn->ctx;
	char *db = NULL, *data = NULL;
	size_t len = 0;
	struct pfa_maprec old = { 0 };
	struct sni sn = { { NULL, 0 }, "" };
	if (not_maintained(rn, t, &db))
		goto out;
	bool indexed = pfa_map_is_indexed(t->type);
	bool sni = (t->flags & PFA_MT_SNI) != 0;
	rn->checked++;
	struct stat ds, ss;
	bool have_db = db != NULL && stat(db, &ds) == 0;
	pfa_maprec_get(rn->recs, t->spec, &old);

	if (pend != NULL) {
		data = pfa_xmalloc(pend->len + 1);
		memcpy(data, pend->data, pend->len);
		data[pend->len] = '\0';
		len = pend->len;
		memset(&ss, 0, sizeof(ss));
	} else if (stat(t->path, &ss) < 0) {
		if (errno == ENOENT) {
			missing_source(rn, t, db, have_db);
			rn->entries += (double)old.entries;
			goto out;
		}
		memset(&ss, 0, sizeof(ss));	/* the read below says why */
	}
	const char *why = NULL;
	if (ctx->forced)
		why = "forced";
	else if (pend != NULL)
		why = "changed";
	else if (indexed && !have_db)
		why = "missing";
	else if (indexed && older(&ds, &ss))
		why = "stale";
	if (why == NULL && old.have && old.valid &&
	    old.size == (int64_t)ss.st_size &&
	    old.mtime == (int64_t)ss.st_mtim.tv_sec &&
	    old.mtime_ns == (int64_t)ss.st_mtim.tv_nsec &&
	    (!sni || (old.have_files && pfa_mapfiles_same(&old.files)))) {
		log_table(rn, LOG_DEBUG, "unchanged", t, NULL);
		goto unchanged;
	}

	bool secret = (t->flags & PFA_MT_SECRET) != 0;
	if (pend == NULL && pfa_file_read(t->path, PFA_MAP_MAX_SOURCE,
	    PFA_FILE_FOLLOW, &data, &len, &ss) < 0) {
		pfa_result_add_finding(rn->res, PFA_SEV_CRITICAL,
		    "PFA-MAP-014", t->path, NULL, "%s: cannot read the "
		    "source: %s; not %s", t->spec, errno == EINVAL ?
		    "not a regular file" : errno == EFBIG ?
		    "larger than 1 GiB" : strerror(errno), indexed ?
		    "rebuilt, the previous database stays in service" :
		    "checked");
		rn->entries += (double)old.entries;
		rn->refused++;
		goto out;
	}
	secret = secret || (pend == NULL && !(ss.st_mode & S_IROTH));
	char sha[65];
	pfa_map_sha256(data, len, sha);
	bool same = old.have && *sha && strcmp(sha, old.sha) == 0;
	struct check_job job = { .data = data, .len = len,
		.kind = sni ? PFA_MAP_SNI : pfa_map_kind(t->type) };
	if (sni) {	/* the source says which files to read */
		check_thread(&job);
		if (pfa_mapfiles_load(&job.chk, &sn.files, sn.sha) > 0)
			job.rc = -1;
	}
	bool fsame = !sni || (old.have_files && *sn.sha &&
	    strcmp(sn.sha, old.files_sha) == 0);
	if (why == NULL && same && fsame && old.valid) {
		/* touched, not changed: remember the new size and time */
		struct pfa_map_check none = {
			.entries = (size_t)old.entries,
			.warnings = (size_t)old.warnings,
		};
		record(rn, t, &ss, sha, &none, true, &sn);
		log_table(rn, LOG_DEBUG, "unchanged", t, "content=same");
		pfa_mapsrc_free(&job.chk);
		goto unchanged;
	}
	/* an indexed table seen for the first time with a database newer
	 * than its source is taken as built: checked and recorded only (not
	 * an SNI table: its files may be newer than the database) */
	bool adopt = why == NULL && indexed && !old.have && !sni;
	bool certs = why == NULL && same && !fsame && old.have_files;
	if (why == NULL)
		why = !old.have ? "new" : !same || fsame ? "changed" :
		    old.have_files ? "files-changed" : "files-unrecorded";

	/* an indexed table is checked on another core while postmap builds
	 * the copy: the check decides afterwards whether it is swapped in
	 * (an SNI table's was done above: no build while a file is bad) */
	struct pfa_map_build *bh = NULL;
	pthread_t th;
	bool threaded = false;
	if (indexed && !adopt && job.rc == 0) {
		threaded = !sni &&
		    pthread_create(&th, NULL, check_thread, &job) == 0;
		bh = pfa_map_build_start(ctx, rn->res, t->type, t->path,
		    t->flags, data, len, &ss);
	}
	if (threaded)
		pthread_join(th, NULL);
	else if (!sni)
		check_thread(&job);
	struct pfa_map_check chk = job.chk;
	int crc = job.rc;
	report_problems(rn, t, &chk, secret, indexed);
	if (crc < 0) {
		if (bh != NULL)
			pfa_map_build_finish(bh, NULL);
		if (!indexed)
			record(rn, t, &ss, sha, &chk, false, NULL);
		rn->entries += (double)old.entries;
		rn->refused++;
		pfa_mapsrc_free(&chk);
		goto out;
	}
	if (shrink_refused(rn, t, &old, chk.entries)) {
		if (bh != NULL)
			pfa_map_build_finish(bh, NULL);
		rn->entries += (double)old.entries;
		pfa_mapsrc_free(&chk);
		goto out;
	}
	char extra[96];
	snprintf(extra, sizeof(extra), "reason=%s entries=%zu", why,
	    chk.entries);
	if (!indexed) {
		if (old.have && (!same || !fsame)) {
			rn->res->reload_wanted = true;
			rn->reloads++;
			log_table(rn, LOG_NOTICE, "reload-wanted", t, extra);
			if (certs)
				files_changed(rn, t, &old, &sn, false);
			else
				pfa_result_add_finding(rn->res, PFA_SEV_INFO,
				    "PFA-MAP-016", t->path, NULL, "%s changed "
				    "and is valid (%zu entries); Postfix keeps "
				    "this type in memory, so a reload is "
				    "requested", t->spec, chk.entries);
		} else {
			log_table(rn, LOG_INFO, "checked", t, extra);
		}
		record(rn, t, &ss, sha, &chk, true, &sn);
		rn->entries += (double)chk.entries;
	} else if (adopt) {
		log_table(rn, LOG_INFO, "adopted", t, extra);
		record(rn, t, &ss, sha, &chk, true, NULL);
		rn->entries += (double)chk.entries;
	} else {
		log_table(rn, LOG_INFO, "rebuild", t, extra);
		int b = pfa_map_build_finish(bh, &chk);
		if (b < 0) {
			rn->refused++;
			rn->entries += (double)old.entries;
		} else {
			rn->rebuilt++;
			rn->entries += (double)chk.entries;
			if (certs)
				files_changed(rn, t, &old, &sn, true);
			if (b > 0)
				record(rn, t, &ss, sha, &chk, true, &sn);
		}
	}
	pfa_mapsrc_free(&chk);
	goto out;

unchanged:
	rn->entries += (double)old.entries;
	if (old.warnings > 0)
		pfa_result_add_finding(rn->res, PFA_SEV_WARNING, "PFA-MAP-002",
		    t->path, NULL, "%s: %lld warning%s (duplicate keys or the "
		    "like) were reported when the source was last checked",
		    t->spec, (long long)old.warnings,
		    old.warnings == 1 ? "" : "s");
out:
	pfa_maprec_free(&old);
	pfa_mapfiles_free(&sn.files);
	free(data);
	free(db);
}

/* Writes the blacklist's source; in a dry run, keeps it in PEND. */
static void
blacklist(struct run *rn, struct pending *pend)
{
	const struct pfa_bl_conf *bl = &rn->c->bl;
	char *data = NULL;
	size_t len = 0, n = 0;
	pfa_bl_check_referenced(rn->ctx->pf, bl, rn->res);
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
	if (shrink_refused(rn, &t, &old, n)) {
		free(data);
		return;
	}
	char extra[64];
	snprintf(extra, sizeof(extra), "entries=%zu", n);
	log_table(rn, LOG_INFO, "blacklist-assembled", &t, extra);
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
set_summary(struct run *rn)
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
	struct run rn = { ctx, res, c, pfa_maprecs(data), 0, 0, 0, 0, 0 };
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
	struct pending pend = { NULL, 0 };
	if (c->have_bl) {
		pfa_maptables_add(&l, c->bl.type, c->bl.path, "blacklist",
		    PFA_MT_BLACKLIST);
		blacklist(&rn, &pend);
	}
	pfa_maptables_sort(&l);
	for (size_t i = 0; i < l.n; i++)
		do_table(&rn, &l.v[i], pend.data != NULL &&
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
	    "(\"REJECT\") }.",
	.default_every = 3600,
	.settings = pfa_maps_settings,
	.findings = findings,
	.configure = pfa_maps_configure,
	.free_conf = pfa_maps_free_conf,
	.run = run,
};
