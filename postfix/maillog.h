/*
 * maillog.h - reading Postfix's mail log: the parts of a line, log files
 * with their rotated siblings (gzip through zlib), the journal (through
 * libsystemd's sd-journal), and a mark with "what was logged since".
 *
 * The one reader of the mail log: the reload gate's health check takes
 * a mark before `postfix reload` and reads what this instance logged
 * after it (from the log file, or the journal on a host without one);
 * log-report reads whole periods, resuming where it stopped.  A line is
 * data from outside: it is parsed by position and length, never used as
 * a format, and a line that does not parse is reported as such (never a
 * crash, never unbounded memory: a line longer than PFA_MAILLOG_LINE_MAX
 * is skipped whole).  Reads only; never logs: errors come back as -1 with
 * errno, or in the structures below.
 *
 * Split: maillog.c (lines, timestamps, names, marks), maillog_file.c
 * (files, rotation, gzip), maillog_journal.c (the journal).
 */
#ifndef PFA_MAILLOG_H
#define PFA_MAILLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "postfix.h"

#define PFA_MAILLOG_LINE_MAX (64 * 1024)	/* longer: skipped as oversized */

/* The severity prefix Postfix's msg(3) puts first in a message. */
enum pfa_logsev {
	PFA_LOGSEV_INFO = 0,	/* no prefix */
	PFA_LOGSEV_WARNING,
	PFA_LOGSEV_ERROR,
	PFA_LOGSEV_FATAL,
	PFA_LOGSEV_PANIC,
};

/*
 * One log line, in parts.  Every pointer points into the line (or the
 * journal entry) it was parsed from; lengths, not NUL-terminators, bound
 * each part.
 */
struct pfa_logline {
	int64_t when;		/* seconds since the epoch; 0: unknown */
	int hour;		/* 0..23, the hour as logged (local) */
	int mon;		/* 1..12 as logged */
	const char *host;	/* "mail" */
	size_t hostlen;
	const char *prog;	/* "postfix/submission/smtpd" */
	size_t proglen;
	size_t namelen;		/* its syslog_name part: "postfix/submission"
				 * (proglen when it has no '/') */
	const char *daemon;	/* the last part: "smtpd" */
	size_t daemonlen;
	long pid;		/* -1: none */
	const char *text;	/* everything after "prog[pid]: " */
	size_t textlen;
	enum pfa_logsev sev;	/* the prefix at the start of text */
	const char *qid;	/* "4F2B81234A", "NOQUEUE"; NULL: none */
	size_t qidlen;
	const char *msg;	/* text after the prefix and "QID: " */
	size_t msglen;
};

/*
 * Year inference for timestamps without a year ("Mar  3 10:00:01"):
 * the first line's year is the latest that does not put it more than a
 * day after REF (the file's mtime: its last line was written then, so
 * a file spanning less than a year is dated right); after that a month
 * that goes from November/December to January/February is New Year, and
 * a line from November/December just after January/February is a late
 * line of the year before.  Carried from one file to the next, oldest
 * first.
 */
struct pfa_logclock {
	int64_t ref;		/* set by the caller before the first line */
	int year;		/* 0: not anchored yet */
	int last_mon;
	/* local-time cache: the epoch of the hour last converted */
	int c_year, c_mon, c_day, c_hour;
	int64_t c_epoch;
	/* the day last converted from an RFC 3339 date (yyyymmdd) */
	int r_ymd;
	int64_t r_days;
	/* the date and hour ("2026-03-03T10") of the last RFC 3339 line
	 * that had a valid one, and what they meant */
	char r_pfx[13];
	bool r_pfx_ok;
	int r_year, r_mon, r_hour;
	int64_t r_base;		/* that hour's epoch, before the offset */
	char r_off[6];		/* the last "+hh:mm" seen, and its seconds */
	bool r_off_ok;
	int r_offv;
};

/*
 * Parses LINE (LEN bytes, no newline) into L: timestamp (traditional,
 * with optional fraction, or RFC 3339 with fraction and offset), host,
 * program, pid, then the text as pfa_logline_text.  0, or -1 if it is not
 * a syslog line.
 */
int pfa_logline_parse(const char *line, size_t len, struct pfa_logclock *clk,
    struct pfa_logline *l);
/* Sets L's program parts from PROG (PROGLEN bytes). */
void pfa_logline_prog(struct pfa_logline *l, const char *prog, size_t proglen);
/* Sets L's text, severity, queue id and message from TEXT. */
void pfa_logline_text(struct pfa_logline *l, const char *text, size_t len);
/* "warning", "error", "fatal", "panic", or "info". */
const char *pfa_logsev_name(enum pfa_logsev s);

/*
 * The syslog names one Postfix instance logs under: main.cf's
 * syslog_name and every master.cf "-o syslog_name=" override, or the
 * configured list.  A program is this instance's when it is one of the
 * names followed by "/daemon" (nested names included: syslog_name
 * "postfix" owns "postfix/submission/smtpd"; "postfix-out" does not).
 */
struct pfa_lognames {
	char **v;
	size_t *len;
	size_t n;
};
/* From the configuration view of PF ("postfix" if it cannot be read). */
void pfa_lognames_from_postfix(struct pfa_postfix *pf, struct pfa_lognames *n);
void pfa_lognames_add(struct pfa_lognames *n, const char *name);
void pfa_lognames_free(struct pfa_lognames *n);
bool pfa_lognames_match(const struct pfa_lognames *n,
    const struct pfa_logline *l);

/* ---------------------------------------------------------------- files */

/* FNV-1a 64 over at most the first 4096 bytes of a file's first line. */
uint64_t pfa_maillog_hash(const char *line, size_t len);

/* What a file reader saw. */
struct pfa_logfile_info {
	uint64_t ino;
	uint64_t dev;
	int64_t mtime;
	int64_t size;		/* on disk */
	uint64_t first_hash;	/* of the (decompressed) first line; 0 empty */
	int64_t end;		/* (decompressed) offset after the last line
				 * consumed */
	uint64_t lines;		/* lines handed to the callback */
	uint64_t oversized;	/* lines over PFA_MAILLOG_LINE_MAX, skipped */
	uint64_t binary;	/* lines with a NUL byte, skipped */
	bool partial_left;	/* a last line without newline was left */
	bool gz;
};

/*
 * FN gets each line: L parsed (PARSED false: not a syslog line, L
 * unset), and the raw line (NUL-terminated, LEN bytes).  A nonzero
 * return stops the walk.
 */
typedef int (*pfa_logline_fn)(void *arg, const struct pfa_logline *l,
    bool parsed, const char *raw, size_t len);

/*
 * Reads PATH (gzip when it ends in ".gz") from the (decompressed) offset
 * FROM, handing FN every complete line; a last line without a newline is
 * handed on too unless KEEP_PARTIAL (the live file: it may be half
 * written; it is read next time).  INFO is filled (also on error, as far
 * as known).  0, or -1 with errno (open, read or a corrupt gzip stream:
 * EIO).
 */
int pfa_maillog_read_file(const char *path, int64_t from, bool keep_partial,
    struct pfa_logclock *clk, pfa_logline_fn fn, void *arg,
    struct pfa_logfile_info *info);
/* The same for the lines that start before offset TO (a plain file
 * only; TO < 0: to the end).  Two ranges of one file can be read at
 * once (each call has its own descriptor and buffer). */
int pfa_maillog_read_range(const char *path, int64_t from, int64_t to,
    bool keep_partial, struct pfa_logclock *clk, pfa_logline_fn fn,
    void *arg, struct pfa_logfile_info *info);
/* The offset just after the first newline at or after AT in PATH (a
 * plain file), or -1. */
int64_t pfa_maillog_line_after(const char *path, int64_t at);

/* The identity of PATH without reading it all: inode, size, mtime and
 * the first line's hash.  0 or -1 (errno). */
int pfa_maillog_identify(const char *path, struct pfa_logfile_info *info);

/*
 * PATH and its rotated siblings in the same directory (PATH.1,
 * PATH.2.gz, PATH-20260301, PATH.20260301-101010.gz ...: any name PATH
 * followed by '.' or '-' and digits, dashes and dots, optionally ".gz"),
 * oldest first (by mtime, ties by the rotation number), PATH last.  A
 * NULL-terminated vector (free with pfa_maillog_free_list); PATH is in
 * it only if it exists.  NULL only if the directory cannot be read.
 */
char **pfa_maillog_chain(const char *path);
void pfa_maillog_free_list(char **v);

/* -------------------------------------------------------------- journal */

/* What a journal read saw. */
struct pfa_journal_info {
	char *cursor;		/* after the last entry read (free); NULL
				 * if none was read */
	bool cursor_lost;	/* the saved cursor is no longer in the
				 * journal (vacuumed): read from the start */
	uint64_t entries;
	uint64_t suppressed;	/* messages journald said it dropped */
	uint64_t suppress_events;
};

/*
 * Reads the journal (DIR, or the system's when DIR is NULL) after
 * CURSOR (NULL: from the start; FROM_USEC > 0: from that time), the
 * entries with SYSLOG_FACILITY FACILITY (Postfix's syslog_facility;
 * mail is 2; -1: every entry) and journald's own notes about messages it dropped
 * ("Suppressed N messages from ...", counted in INFO), handing FN each
 * syslog entry as a parsed line (raw is the MESSAGE).  UNTIL_USEC > 0
 * stops there.  0, or -1 with errno (the journal cannot be opened).
 */
int pfa_maillog_read_journal(const char *dir, const char *cursor,
    int64_t from_usec, int64_t until_usec, int facility, pfa_logline_fn fn,
    void *arg, struct pfa_journal_info *info);
/* The cursor of the journal's last entry now (free), or NULL with errno
 * (ENOENT: the journal holds no entry). */
char *pfa_maillog_journal_tail(const char *dir);

/* ------------------------------------------------------------- the mark */

/*
 * Where the log is now, for "what did Postfix log after this": the size
 * of PATH when it exists, else the journal's last entry.
 */
struct pfa_maillog_mark {
	bool file;		/* PATH existed: SIZE is valid */
	off_t size;
	uint64_t ino;
	char *cursor;		/* the journal's, when !file (may be NULL:
				 * an empty journal) */
	bool journal;		/* the journal could be opened */
};

/* Takes the mark of PATH (or the journal in JOURNAL_DIR, NULL: the
 * system's).  0, or -1 when neither can be read. */
int pfa_maillog_mark(const char *path, const char *journal_dir,
    struct pfa_maillog_mark *m);
void pfa_maillog_mark_free(struct pfa_maillog_mark *m);

/*
 * Hands FN every line logged since the mark M: in the file (read from
 * its start when it became shorter or was replaced; at most the last MAX
 * bytes), or in the journal (mail facility).  0, or -1 (errno).
 */
int pfa_maillog_since(const struct pfa_maillog_mark *m, const char *path,
    const char *journal_dir, size_t max, pfa_logline_fn fn, void *arg);

#endif
