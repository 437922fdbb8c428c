/*
 * rebuild_table.c - one table of a rebuild-maps run (rebuild_table.h).
 *
 * The decisions come first and read top to bottom in pfa_maps_table: is
 * the table maintained at all; does its stat say it is unchanged; after
 * reading and hashing the source, is it touched but not changed, a
 * database to adopt, or something to check and build; does the check (and
 * the shrink rule) let it through.  The effects are the small steps
 * between them: stat, read, check on a second thread while postmap builds
 * the copy (mapbuild.c), install through the context, record, count.
 *
 * Never runs postconf or postmap itself, never logs a table's content:
 * problems are FILE:LINE findings, and for secret tables (sasl_password
 * maps, or a source others cannot read) quoted text from the source is
 * removed from them.  The files an SNI table names are hashed, never
 * shown.
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
#include "rebuild_table.h"

#define MAX_SHOWN 20		/* problem findings per table */

/* The files an SNI table names, as read in this run. */
struct sni {
	struct pfa_mapfiles files;
	char sha[65];		/* "" unless every file was read */
};

static bool
older(const struct stat *a, const struct stat *b)
{
	return a->st_mtim.tv_sec < b->st_mtim.tv_sec ||
	    (a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec < b->st_mtim.tv_nsec);
}

static void
report_problems(struct pfa_maps_run *rn, const struct pfa_maptable *t,
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

bool
pfa_maps_shrink_refused(struct pfa_maps_run *rn, const struct pfa_maptable *t,
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

void
pfa_maps_log(struct pfa_maps_run *rn, int prio, const char *event,
    const struct pfa_maptable *t, const char *extra)
{
	char q[1024];
	pfa_log(prio, "task=%s event=%s table=%s%s%s", rn->ctx->task, event,
	    pfa_log_quote(q, sizeof(q), t->spec), extra ? " " : "",
	    extra ? extra : "");
}

/* Tables pfagent finds but does not maintain; true if T is one. */
static bool
not_maintained(struct pfa_maps_run *rn, const struct pfa_maptable *t, char **db)
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
missing_source(struct pfa_maps_run *rn, const struct pfa_maptable *t, const char *db,
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
record(struct pfa_maps_run *rn, const struct pfa_maptable *t, const struct stat *st,
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
files_changed(struct pfa_maps_run *rn, const struct pfa_maptable *t,
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

/* ------------------------------------------------------------ one table */

/* What is known about one table as its run goes on. */
struct tab {
	const struct pfa_maptable *t;
	bool indexed, sni, secret;
	char *db;		/* the database file, for an indexed type */
	bool have_db;
	struct stat ds, ss;	/* the database's and the source's */
	struct pfa_maprec old;	/* the record of the last run */
	struct sni sn;
	char *data;		/* the source, as read and hashed */
	size_t len;
	char sha[65];
	bool same;		/* the source's content is the recorded one */
	bool fsame;		/* so are the files an SNI table names */
};

/* Where a table ends, for the totals: its previous entries still count
 * (the previous database, or nothing, stays in service). */
static void
keep_previous(struct pfa_maps_run *rn, const struct tab *tb, bool refused)
{
	rn->entries += (double)tb->old.entries;
	if (refused)
		rn->refused++;
}

/* Why the stat alone says to look: forced, a pending source, a missing or
 * stale database; NULL when only the content can tell. */
static const char *
stat_reason(const struct pfa_ctx *ctx, const struct tab *tb, bool pending)
{
	if (ctx->forced)
		return "forced";
	if (pending)
		return "changed";
	if (tb->indexed && !tb->have_db)
		return "missing";
	if (tb->indexed && older(&tb->ds, &tb->ss))
		return "stale";
	return NULL;
}

/* The source (and the files an SNI table names) have the size and time
 * recorded when it was last found valid. */
static bool
stat_unchanged(const struct tab *tb)
{
	const struct pfa_maprec *o = &tb->old;
	return o->have && o->valid && o->size == (int64_t)tb->ss.st_size &&
	    o->mtime == (int64_t)tb->ss.st_mtim.tv_sec &&
	    o->mtime_ns == (int64_t)tb->ss.st_mtim.tv_nsec &&
	    (!tb->sni || (o->have_files && pfa_mapfiles_same(&o->files)));
}

enum verdict {
	TOUCHED,	/* same content: remember the new size and time */
	ADOPT,		/* a database seen for the first time, newer than its
			 * source: taken as built (checked, recorded) */
	BUILD,		/* check, then build (indexed) or ask for a reload */
};

/* What the content says, after reading; *WHY and *CERTS for BUILD. */
static enum verdict
content_verdict(const struct tab *tb, const char **why, bool *certs)
{
	const struct pfa_maprec *o = &tb->old;
	*certs = false;
	if (*why == NULL && tb->same && tb->fsame && o->valid)
		return TOUCHED;
	/* not an SNI table: its files may be newer than the database */
	if (*why == NULL && tb->indexed && !o->have && !tb->sni) {
		*why = "new";
		return ADOPT;
	}
	*certs = *why == NULL && tb->same && !tb->fsame && o->have_files;
	if (*why == NULL)
		*why = !o->have ? "new" : !tb->same || tb->fsame ? "changed" :
		    o->have_files ? "files-changed" : "files-unrecorded";
	return BUILD;
}

/* Reads (or takes the pending) source and hashes it; -1 after MAP-014. */
static int
load(struct pfa_maps_run *rn, struct tab *tb,
    const struct pfa_maps_pending *pend)
{
	const struct pfa_maptable *t = tb->t;
	if (pend != NULL) {
		tb->data = pfa_xmalloc(pend->len + 1);
		memcpy(tb->data, pend->data, pend->len);
		tb->data[pend->len] = '\0';
		tb->len = pend->len;
	} else if (pfa_file_read(t->path, PFA_MAP_MAX_SOURCE, PFA_FILE_FOLLOW,
	    &tb->data, &tb->len, &tb->ss) < 0) {
		pfa_result_add_finding(rn->res, PFA_SEV_CRITICAL,
		    "PFA-MAP-014", t->path, NULL, "%s: cannot read the "
		    "source: %s; not %s", t->spec, errno == EINVAL ?
		    "not a regular file" : errno == EFBIG ?
		    "larger than 1 GiB" : strerror(errno), tb->indexed ?
		    "rebuilt, the previous database stays in service" :
		    "checked");
		return -1;
	}
	tb->secret = (t->flags & PFA_MT_SECRET) != 0 ||
	    (pend == NULL && !(tb->ss.st_mode & S_IROTH));
	pfa_map_sha256(tb->data, tb->len, tb->sha);
	tb->same = tb->old.have && *tb->sha && strcmp(tb->sha, tb->old.sha) == 0;
	return 0;
}

/* Starts the build of an indexed table (not one adopted, not one whose
 * check already failed) and runs the check, on another core while postmap
 * works; an SNI table's check ran before (no build while a file is bad). */
static struct pfa_map_build *
check_and_start(struct pfa_maps_run *rn, struct tab *tb, struct check_job *job,
    bool adopt)
{
	const struct pfa_maptable *t = tb->t;
	struct pfa_map_build *bh = NULL;
	pthread_t th;
	bool threaded = false;
	if (tb->indexed && !adopt && job->rc == 0) {
		threaded = !tb->sni &&
		    pthread_create(&th, NULL, check_thread, job) == 0;
		bh = pfa_map_build_start(rn->ctx, rn->res, t->type, t->path,
		    t->flags, tb->data, tb->len, &tb->ss);
	}
	if (threaded)
		pthread_join(th, NULL);
	else if (!tb->sni)
		check_thread(job);
	return bh;
}

/* A valid in-memory table: a reload if it changed, else just checked. */
static void
settle_in_memory(struct pfa_maps_run *rn, struct tab *tb,
    const struct pfa_map_check *chk, bool certs, const char *extra)
{
	const struct pfa_maptable *t = tb->t;
	if (tb->old.have && (!tb->same || !tb->fsame)) {
		rn->res->reload_wanted = true;
		rn->reloads++;
		pfa_maps_log(rn, LOG_NOTICE, "reload-wanted", t, extra);
		if (certs)
			files_changed(rn, t, &tb->old, &tb->sn, false);
		else
			pfa_result_add_finding(rn->res, PFA_SEV_INFO,
			    "PFA-MAP-016", t->path, NULL, "%s changed and is "
			    "valid (%zu entries); Postfix keeps this type in "
			    "memory, so a reload is requested", t->spec,
			    chk->entries);
	} else {
		pfa_maps_log(rn, LOG_INFO, "checked", t, extra);
	}
	record(rn, t, &tb->ss, tb->sha, chk, true, &tb->sn);
	rn->entries += (double)chk->entries;
}

/* A valid indexed table built aside: verified and swapped in. */
static void
settle_built(struct pfa_maps_run *rn, struct tab *tb,
    struct pfa_map_build *bh, const struct pfa_map_check *chk, bool certs,
    const char *extra)
{
	pfa_maps_log(rn, LOG_INFO, "rebuild", tb->t, extra);
	int b = pfa_map_build_finish(bh, chk);
	if (b < 0) {
		keep_previous(rn, tb, true);
		return;
	}
	rn->rebuilt++;
	rn->entries += (double)chk->entries;
	if (certs)
		files_changed(rn, tb->t, &tb->old, &tb->sn, true);
	if (b > 0)
		record(rn, tb->t, &tb->ss, tb->sha, chk, true, &tb->sn);
}

/* The table as it was last time: its counts, and the warnings then. */
static void
unchanged(struct pfa_maps_run *rn, const struct tab *tb)
{
	const struct pfa_maprec *o = &tb->old;
	keep_previous(rn, tb, false);
	if (o->warnings > 0)
		pfa_result_add_finding(rn->res, PFA_SEV_WARNING, "PFA-MAP-002",
		    tb->t->path, NULL, "%s: %lld warning%s (duplicate keys or "
		    "the like) were reported when the source was last checked",
		    tb->t->spec, (long long)o->warnings,
		    o->warnings == 1 ? "" : "s");
}

static void
tab_free(struct tab *tb)
{
	pfa_maprec_free(&tb->old);
	pfa_mapfiles_free(&tb->sn.files);
	free(tb->data);
	free(tb->db);
}

void
pfa_maps_table(struct pfa_maps_run *rn, const struct pfa_maptable *t,
    const struct pfa_maps_pending *pend)
{
	struct tab tb = { .t = t, .sn = { { NULL, 0 }, "" } };
	if (not_maintained(rn, t, &tb.db))
		goto out;
	tb.indexed = pfa_map_is_indexed(t->type);
	tb.sni = (t->flags & PFA_MT_SNI) != 0;
	rn->checked++;
	tb.have_db = tb.db != NULL && stat(tb.db, &tb.ds) == 0;
	pfa_maprec_get(rn->recs, t->spec, &tb.old);

	/* 1. the stat: gone, or unchanged since it was last found valid */
	if (pend == NULL && stat(t->path, &tb.ss) < 0) {
		if (errno == ENOENT) {
			missing_source(rn, t, tb.db, tb.have_db);
			keep_previous(rn, &tb, false);
			goto out;
		}
		/* the read below says why */
	}
	const char *why = stat_reason(rn->ctx, &tb, pend != NULL);
	if (why == NULL && stat_unchanged(&tb)) {
		pfa_maps_log(rn, LOG_DEBUG, "unchanged", t, NULL);
		unchanged(rn, &tb);
		goto out;
	}

	/* 2. the content: read, hashed; an SNI table's files too */
	if (load(rn, &tb, pend) < 0) {
		keep_previous(rn, &tb, true);
		goto out;
	}
	struct check_job job = { .data = tb.data, .len = tb.len,
		.kind = tb.sni ? PFA_MAP_SNI : pfa_map_kind(t->type) };
	if (tb.sni) {	/* the source says which files to read */
		check_thread(&job);
		if (pfa_mapfiles_load(&job.chk, &tb.sn.files, tb.sn.sha) > 0)
			job.rc = -1;
	}
	tb.fsame = !tb.sni || (tb.old.have_files && *tb.sn.sha &&
	    strcmp(tb.sn.sha, tb.old.files_sha) == 0);
	bool certs;
	enum verdict v = content_verdict(&tb, &why, &certs);
	if (v == TOUCHED) {
		struct pfa_map_check none = {
			.entries = (size_t)tb.old.entries,
			.warnings = (size_t)tb.old.warnings,
		};
		record(rn, t, &tb.ss, tb.sha, &none, true, &tb.sn);
		pfa_maps_log(rn, LOG_DEBUG, "unchanged", t, "content=same");
		pfa_mapsrc_free(&job.chk);
		unchanged(rn, &tb);
		goto out;
	}

	/* 3. the check (beside the build of an indexed table) decides */
	struct pfa_map_build *bh = check_and_start(rn, &tb, &job, v == ADOPT);
	struct pfa_map_check chk = job.chk;
	report_problems(rn, t, &chk, tb.secret, tb.indexed);
	if (job.rc < 0 || pfa_maps_shrink_refused(rn, t, &tb.old,
	    chk.entries)) {
		if (bh != NULL)
			pfa_map_build_finish(bh, NULL);
		if (job.rc < 0 && !tb.indexed)
			record(rn, t, &tb.ss, tb.sha, &chk, false, NULL);
		/* the shrink rule counted its refusal itself */
		keep_previous(rn, &tb, job.rc < 0);
		pfa_mapsrc_free(&chk);
		goto out;
	}

	/* 4. valid: act on it */
	char extra[96];
	snprintf(extra, sizeof(extra), "reason=%s entries=%zu", why,
	    chk.entries);
	if (!tb.indexed) {
		settle_in_memory(rn, &tb, &chk, certs, extra);
	} else if (v == ADOPT) {
		pfa_maps_log(rn, LOG_INFO, "adopted", t, extra);
		record(rn, t, &tb.ss, tb.sha, &chk, true, NULL);
		rn->entries += (double)chk.entries;
	} else {
		settle_built(rn, &tb, bh, &chk, certs, extra);
	}
	pfa_mapsrc_free(&chk);
out:
	tab_free(&tb);
}
