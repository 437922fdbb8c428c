/*
 * lrinput.c - log-report's inputs (logreport.h): which logs the host has
 * (log_file and its rotated siblings, Postfix's maillog_file, or the
 * journal), and where the last run stopped in each (the task's state:
 * inode, offset and first-line hash for a file, the cursor for the
 * journal), so that every line is reported once: across rotation and
 * compression, never twice, never skipped.  What cannot be resumed
 * exactly is a gap, reported as a finding naming the file.
 *
 * State shape (ctx->data):
 *   { "files": { PATH: { "ino": N, "hash": "HEX", "offset": N } },
 *     "journal": { "cursor": "..." } }
 * Reads logs through postfix/maillog.h only; writes nothing.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "file.h"
#include "log.h"
#include "logreport.h"

static int
feed(void *arg, const struct pfa_logline *l, bool parsed, const char *raw,
    size_t len)
{
	struct lr_run *r = arg;
	pfa_ledger_line(&r->lg, l, parsed, raw, len);
	return 0;
}

/* A plain file at least this large is read in two halves at once. */
#define SPLIT_MIN (64 * 1024 * 1024)

struct half {
	const char *path;
	int64_t from, to;
	const struct pfa_lognames *names;
	struct pfa_lognames own;	/* the thread's copy of NAMES */
	struct pfa_ledger lg;
	struct pfa_logclock clk;
	struct pfa_logfile_info info;
	int rc, err;
};

static int
feed_half(void *arg, const struct pfa_logline *l, bool parsed,
    const char *raw, size_t len)
{
	struct half *h = arg;
	pfa_ledger_line(&h->lg, l, parsed, raw, len);
	return 0;
}

static void *
read_half(void *arg)
{
	struct half *h = arg;
	/* read for every line: a copy of its own, not the main thread's,
	 * which lies beside the counters that thread writes for every line
	 * (a cache line shared between cores costs a miss per line) */
	for (size_t i = 0; i < h->names->n; i++)
		pfa_lognames_add(&h->own, h->names->v[i]);
	h->lg.names = &h->own;
	h->rc = pfa_maillog_read_range(h->path, h->from, h->to, false, &h->clk,
	    feed_half, h, &h->info);
	h->err = errno;
	return NULL;
}

/*
 * PATH from FROM read on two cores: the second half (from the first
 * line after the middle) into its own ledger, merged into R's after.
 * -1 (nothing read) when it cannot be split; else as read_one.
 */
static int
read_split(struct lr_run *r, const char *path, int64_t from, bool live,
    struct pfa_logclock *clk, struct pfa_logfile_info *info)
{
	struct pfa_logfile_info id;
	if (pfa_maillog_identify(path, &id) < 0 || id.gz ||
	    id.size - from < SPLIT_MIN)
		return 1;
	int64_t mid = pfa_maillog_line_after(path, from + (id.size - from) / 2);
	if (mid < 0 || mid >= id.size)
		return 1;
	struct half *h = pfa_xcalloc(1, sizeof(*h));
	h->path = path;
	h->from = mid;
	h->to = -1;
	h->clk.ref = id.mtime;
	h->names = &r->names;
	pfa_ledger_init(&h->lg, &r->names, (size_t)r->c->max_keys);
	h->lg.split = true;
	h->lg.since = r->lg.since;
	h->lg.until = r->lg.until;
	pthread_t t;
	if (pthread_create(&t, NULL, read_half, h) != 0) {
		pfa_ledger_free(&h->lg);
		free(h);
		return 1;
	}
	int rc = pfa_maillog_read_range(path, from, mid, false, clk, feed, r,
	    info);
	int e = errno;
	pthread_join(t, NULL);
	/* the live file's half-written last line stays for next time:
	 * the second half read to the end, so it is read again whole */
	(void)live;
	pfa_ledger_merge(&r->lg, &h->lg, clk);
	info->lines += h->info.lines;
	info->oversized += h->info.oversized;
	info->binary += h->info.binary;
	if (rc == 0 && h->rc == 0)
		info->end = h->info.end;
	else if (rc == 0)
		e = h->err;
	pfa_ledger_free(&h->lg);
	pfa_lognames_free(&h->own);
	int hrc = h->rc;
	free(h);
	errno = e;
	return rc < 0 || hrc < 0 ? -1 : 0;
}

static struct lr_input *
add_input(struct lr_run *r, const char *what)
{
	r->in = pfa_xrealloc(r->in, (r->nin + 1) * sizeof(*r->in));
	struct lr_input *in = &r->in[r->nin++];
	memset(in, 0, sizeof(*in));
	in->what = pfa_xstrdup(what);
	return in;
}

static int
read_one(struct lr_run *r, const char *path, int64_t from, bool live,
    struct pfa_logclock *clk, struct pfa_result *res,
    struct pfa_logfile_info *info)
{
	struct lr_input *in = add_input(r, path);
	int rc = 1;
	if (!live || r->by_hand)
		rc = read_split(r, path, from, live, clk, info);
	/* the live file's half-written last line is read next time */
	if (rc > 0)
		rc = pfa_maillog_read_file(path, from, live && !r->by_hand, clk,
		    feed, r, info);
	in->from = from;
	in->to = info->end;
	in->lines = info->lines;
	r->oversized += info->oversized;
	r->binary += info->binary;
	if (rc < 0) {
		pfa_result_add_finding(res, PFA_SEV_WARNING, "PFA-LOG-009",
		    path, NULL, "could not read %s%s: %s; the report lacks "
		    "what it holds after line %" PRIu64, info->gz ?
		    "the compressed log " : "", path,
		    errno == EIO ? "corrupt or truncated gzip data" :
		    strerror(errno), info->lines);
		pfa_log(LOG_WARNING, "task=log-report event=read-failed "
		    "file=%s lines=%" PRIu64, path, info->lines);
	}
	return rc;
}

static char *
hex64(uint64_t v)
{
	return pfa_xasprintf("%016" PRIx64, v);
}

static int64_t
jint(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) ? json_object_get_int64(v) :
	    0;
}

/* One log file and its rotated siblings, resumed from SAVED (NULL:
 * everything); the new position goes to *OUT (NULL when nothing). */
static void
read_chain(struct lr_run *r, const char *path, json_object *saved,
    json_object **out, struct pfa_result *res)
{
	char **chain = pfa_maillog_chain(path);
	struct pfa_logclock clk = { 0 };
	*out = NULL;
	if (chain == NULL || chain[0] == NULL) {
		pfa_result_add_finding(res, PFA_SEV_WARNING, "PFA-LOG-009",
		    path, NULL, "log file %s does not exist (nor any rotated "
		    "copy of it): nothing was read from it", path);
		pfa_maillog_free_list(chain);
		if (saved != NULL)
			*out = json_object_get(saved);
		return;
	}
	size_t n = 0;
	while (chain[n])
		n++;
	struct pfa_logfile_info *id = pfa_xcalloc(n, sizeof(*id));
	for (size_t i = 0; i < n; i++)
		if (pfa_maillog_identify(chain[i], &id[i]) < 0)
			id[i].first_hash = 0;
	size_t start = 0;
	int64_t offset = 0;
	if (saved != NULL) {
		json_object *hv;
		uint64_t hash = json_object_object_get_ex(saved, "hash", &hv) ?
		    strtoull(json_object_get_string(hv), NULL, 16) : 0;
		uint64_t ino = (uint64_t)jint(saved, "ino");
		int64_t off = jint(saved, "offset");
		/* where the last run stopped: the same first line (the
		 * file may have been renamed or compressed since), the
		 * same inode preferred; an empty file by inode */
		long at = -1;
		for (size_t i = 0; i < n; i++) {
			bool same = hash != 0 ? id[i].first_hash == hash :
			    id[i].ino == ino;
			if (same && (at < 0 || id[i].ino == ino))
				at = (long)i;
		}
		long same_ino = -1;
		for (size_t i = 0; i < n; i++)
			if (id[i].ino == ino)
				same_ino = (long)i;
		int64_t mtime = jint(saved, "mtime");
		if (at < 0 && same_ino >= 0 && id[same_ino].size < off) {
			pfa_result_add_finding(res, PFA_SEV_WARNING,
			    "PFA-LOG-002", chain[same_ino], NULL, "%s was "
			    "truncated and written again (%" PRId64 " bytes, "
			    "the last run stopped at %" PRId64 "): what was "
			    "logged before the truncation and not yet read is "
			    "lost; the file is reported from its start",
			    chain[same_ino], id[same_ino].size, off);
			start = (size_t)same_ino;
		} else if (at < 0) {
			pfa_result_add_finding(res, PFA_SEV_WARNING,
			    "PFA-LOG-001", path, NULL, "the file the last run "
			    "stopped in (inode %" PRIu64 ", offset %" PRId64
			    ") is no longer among %s and its rotated copies: "
			    "it was replaced, or rotated away before this run; "
			    "lines logged in between may be missing; the files "
			    "changed since the last run are reported whole",
			    ino, off, path);
			start = n;
			for (size_t i = 0; i < n && start == n; i++)
				if (id[i].mtime >= mtime)
					start = i;
		} else if (!id[at].gz && id[at].size < off) {
			pfa_result_add_finding(res, PFA_SEV_WARNING,
			    "PFA-LOG-002", chain[at], NULL, "%s is shorter "
			    "(%" PRId64 " bytes) than where the last run stopped "
			    "(%" PRId64 "): it was truncated; lines logged "
			    "before the truncation were lost, the file is "
			    "reported from its start", chain[at], id[at].size,
			    off);
			start = (size_t)at;
		} else {
			start = (size_t)at;
			offset = off;
		}
	}
	int64_t end = 0;
	struct pfa_logfile_info info = { 0 };
	size_t last = n;
	for (size_t i = start; i < n; i++) {
		/* each file's year from its own mtime (its last line was
		 * written then); New Year inside it is the clock's */
		clk.year = 0;
		clk.ref = id[i].mtime;
		int64_t from = i == start ? offset : 0;
		memset(&info, 0, sizeof(info));
		if (read_one(r, chain[i], from, i == n - 1, &clk, res,
		    &info) == 0 || info.end > from) {
			last = i;
			end = info.end;
		}
		if (info.end < from) {
			/* a compressed copy shorter than the saved offset */
			pfa_result_add_finding(res, PFA_SEV_WARNING,
			    "PFA-LOG-002", chain[i], NULL, "%s holds fewer "
			    "bytes than where the last run stopped: it was "
			    "truncated before it was rotated", chain[i]);
		}
	}
	if (last < n) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "ino",
		    json_object_new_int64((int64_t)id[last].ino));
		char *h = hex64(id[last].first_hash ? id[last].first_hash :
		    info.first_hash);
		json_object_object_add(o, "hash", json_object_new_string(h));
		free(h);
		json_object_object_add(o, "offset", json_object_new_int64(end));
		json_object_object_add(o, "mtime",
		    json_object_new_int64(id[last].mtime));
		*out = o;
	} else if (saved != NULL)
		*out = json_object_get(saved);	/* nothing read: unchanged */
	free(id);
	pfa_maillog_free_list(chain);
}

static void
read_journal(struct lr_run *r, json_object *saved, json_object **out,
    int facility, struct pfa_result *res)
{
	const char *cursor = NULL;
	json_object *cv;
	if (saved != NULL && json_object_object_get_ex(saved, "cursor", &cv))
		cursor = json_object_get_string(cv);
	struct lr_input *in = add_input(r, "journal");
	struct pfa_journal_info ji;
	int rc = pfa_maillog_read_journal(r->c->journal_dir, cursor,
	    r->by_hand ? r->since * 1000000 : 0,
	    r->by_hand ? r->until * 1000000 : 0, facility, feed, r, &ji);
	in->lines = ji.entries;
	*out = NULL;
	const char *where = r->c->journal_dir ? r->c->journal_dir : "journal";
	if (rc < 0) {
		pfa_result_add_finding(res, PFA_SEV_WARNING, "PFA-LOG-009",
		    where, NULL, "could not read the journal: %s",
		    strerror(errno));
	}
	if (ji.cursor_lost)
		pfa_result_add_finding(res, PFA_SEV_WARNING, "PFA-LOG-003",
		    where, NULL, "the journal no longer holds the entry the "
		    "last run stopped at (vacuumed or rotated away): what was "
		    "logged between it and the oldest entry left is missing "
		    "from this report");
	r->suppressed += ji.suppressed;
	r->suppress_events += ji.suppress_events;
	const char *c = ji.cursor ? ji.cursor : cursor;
	if (c != NULL) {
		*out = json_object_new_object();
		json_object_object_add(*out, "cursor",
		    json_object_new_string(c));
	}
	free(ji.cursor);
}

static int
facility_of(struct pfa_ctx *ctx)
{
	const char *f = pfa_postfix_param(ctx->pf, "syslog_facility");
	int code = f && *f ? pfa_log_facility(f) : -1;
	return code >= 0 ? code >> 3 : 2;	/* LOG_MAIL >> 3 */
}

int
pfa_lr_read_inputs(struct pfa_ctx *ctx, struct lr_run *r, json_object *state,
    struct pfa_result *res)
{
	const struct lr_conf *c = r->c;
	char **files = NULL;
	size_t nfiles = 0;
	bool journal = c->journal == 1;
	if (c->log_files != NULL) {
		for (char **f = c->log_files; *f; f++)
			nfiles++;
		files = pfa_xcalloc(nfiles + 1, sizeof(*files));
		for (size_t i = 0; i < nfiles; i++)
			files[i] = pfa_xstrdup(c->log_files[i]);
	} else if (c->journal != 1) {
		/* Postfix's own maillog_file, else postfix.log_file if it
		 * exists, else the journal */
		const char *mf = pfa_postfix_param(ctx->pf, "maillog_file");
		const char *lf = mf && *mf ? mf : ctx->cfg->log_file;
		struct stat st;
		char **chain = lf ? pfa_maillog_chain(lf) : NULL;
		bool have = (mf && *mf) || (lf && stat(lf, &st) == 0) ||
		    (chain && chain[0]);
		pfa_maillog_free_list(chain);
		if (have) {
			files = pfa_xcalloc(2, sizeof(*files));
			files[0] = pfa_xstrdup(lf);
			nfiles = 1;
		} else if (c->journal != 0) {
			journal = true;
		}
	}
	if (nfiles == 0 && !journal) {
		pfa_result_add_finding(res, PFA_SEV_UNKNOWN, "PFA-LOG-008",
		    "log-report", NULL, "no mail log to read: no log file "
		    "(maillog_file, postfix.log_file) exists and the journal "
		    "is disabled (journal = false)");
		free(files);
		return -1;
	}
	json_object *sfiles = NULL, *sj = NULL, *nfiles_o = NULL, *nj = NULL;
	if (state != NULL) {
		json_object_object_get_ex(state, "files", &sfiles);
		json_object_object_get_ex(state, "journal", &sj);
		r->first_run = sfiles == NULL && sj == NULL;
		nfiles_o = json_object_new_object();
	}
	size_t before = res->nfindings;
	for (size_t i = 0; i < nfiles; i++) {
		json_object *saved = NULL, *pos = NULL;
		if (sfiles != NULL)
			json_object_object_get_ex(sfiles, files[i], &saved);
		read_chain(r, files[i], state ? saved : NULL, &pos, res);
		if (nfiles_o != NULL && pos != NULL)
			json_object_object_add(nfiles_o, files[i], pos);
		else if (pos != NULL)
			json_object_put(pos);
		free(files[i]);
	}
	free(files);
	if (journal)
		read_journal(r, state ? sj : NULL, &nj, facility_of(ctx), res);
	if (r->suppressed > 0 || r->suppress_events > 0)
		pfa_result_add_finding(res, PFA_SEV_WARNING, "PFA-LOG-004",
		    "journal", NULL, "journald dropped %" PRIu64 " messages "
		    "in this period (%" PRIu64 " notes: rate limit or syslog "
		    "forwarding): the counts are too low; raise "
		    "RateLimitBurst in journald.conf, or set maillog_file",
		    r->suppressed, r->suppress_events);
	if (state != NULL) {
		json_object_object_add(state, "files", nfiles_o);
		if (nj != NULL)
			json_object_object_add(state, "journal", nj);
		else
			json_object_object_del(state, "journal");
	} else if (nj != NULL) {
		json_object_put(nj);
	}
	/* every input failed */
	bool any = false;
	for (size_t i = 0; i < r->nin; i++)
		any = any || r->in[i].lines > 0 || r->in[i].to > 0;
	if (!any && res->nfindings > before && r->lg.lines == 0) {
		bool failed = false;
		for (size_t i = before; i < res->nfindings; i++)
			failed = failed || strcmp(res->findings[i].id,
			    "PFA-LOG-009") == 0;
		if (failed && r->nin <= 1 && nfiles + journal <= 1)
			return -1;
	}
	return 0;
}
