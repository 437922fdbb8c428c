/*
 * ledger.h - log-report's counts: every line of a period goes in, the
 * numbers of the report come out (definitions: pfagent-log-report(8),
 * COUNTS).
 *
 * Two kinds of numbers.  The totals received, delivered, deferred,
 * deferrals, bounced and rejected follow pflogsumm 1.1.5's rules, so an
 * administrator switching from it sees the same numbers.  The ledger
 * keeps one record per message (queue id keyed with its first-seen
 * time, cleared at "removed": short ids are reused) while it is open, and
 * counts per message what pflogsumm cannot: expired, held, discarded,
 * re-injection through a content filter ("queued as" stitched to the
 * next client= line on loopback, so a message counts once), and per
 * recipient address and domain every outcome (delivered, deferred once
 * per message, bounced, expired).  Memory grows only with the distinct
 * keys the tables keep (bounded: lr_table) and the messages still open.
 * Pure computation: no I/O, no log; lines are data.
 */
#ifndef LEDGER_H
#define LEDGER_H

#include <stdbool.h>
#include <stdint.h>

#include "lrtable.h"
#include "maillog.h"

/* Columns of the address and domain tables. */
enum { C_DELIVERED, C_DEFERRED, C_BOUNCED, C_EXPIRED, C_DEFERRALS };
/* Columns of the sender tables. */
enum { C_MSGS, C_BYTES };
/* Per-hour columns. */
enum { H_RECEIVED, H_DELIVERED, H_DEFERRED, H_BOUNCED, H_REJECTED, H_COLS };

/* Reject classes and what the report calls them. */
enum lr_rclass {
	R_RELAY, R_UNKNOWN_RCPT, R_RBL, R_HELO, R_SENDER, R_CLIENT, R_MILTER,
	R_CONTENT, R_OTHER, R_NCLASS
};
extern const char *const pfa_lr_rclass_names[R_NCLASS];

#define DELAY_BUCKETS 1200

struct lr_msg;

struct pfa_ledger {
	/* pflogsumm's totals */
	uint64_t received, delivered, forwarded, deferred, deferrals, bounced;
	uint64_t rejected, reject_warnings, held_lines, discarded_lines;
	/* the ledger's */
	uint64_t expired, force_expired, held, discarded, reinjected;
	uint64_t milter_rejected, probes, header_warnings;
	uint64_t sasl_failures, conn_in, tls_in, tls_out, smtp_out;
	uint64_t warnings, errors, fatals, panics;
	uint64_t lines, ours, skipped, malformed, unparsed;
	int64_t first, last;		/* period seen, epoch; 0 none */
	uint64_t hours[24][H_COLS];
	uint64_t rclass[R_NCLASS];
	/* delays at the final status (sent, bounced, expired), seconds */
	uint64_t delay_n;
	double delay_max;
	uint32_t delay_hist[DELAY_BUCKETS];

	struct pfa_lr_table rcpt, rcpt_dom;		/* C_* columns */
	struct pfa_lr_table sender, sender_dom;	/* C_MSGS, C_BYTES */
	struct pfa_lr_table rstage;			/* reject stage: [0] */
	struct pfa_lr_table defer_reasons, bounce_reasons;	/* [0] count */
	struct pfa_lr_table providers;		/* [0] replies; note: one */
	struct pfa_lr_table sasl;			/* per client address */
	struct pfa_lr_table tls_in_proto, tls_out_proto;
	struct pfa_lr_table severe;			/* "daemon: text" per
						 * warning/error/fatal/panic,
						 * [0] count, [1] sev */
	struct pfa_lr_table sev_daemon;		/* per daemon: [0] warning [1]
						 * error [2] fatal [3] panic */
	struct pfa_lr_table unparsed_daemon;	/* [0] count; note: example */
	struct pfa_lr_table skipped_prog;		/* [0] count */
	/* fatal/panic lines, first ones kept for findings */
	char *fatal_lines[10];
	int nfatal_lines;

	/* open messages by queue id */
	struct lr_msg **msgs;
	size_t msgs_cap, msgs_n;
	struct lr_msg *last_msg;	/* the one found last, or NULL */
	struct lr_msg *spare;		/* closed records, for reuse */
	/* "queued as X" on loopback, waiting for X's client= line */
	struct lr_pending *pend;
	uint16_t *pend_tag;		/* per slot: 0 empty, else from the hash */
	size_t pend_cap, pend_n;

	const struct pfa_lognames *names;
	int64_t since, until;		/* 0: unbounded */

	/* the second half of a file read on another core: lines of
	 * messages that began before it are kept for the first half's
	 * ledger (ledger_replay), which has those messages open */
	struct lr_rcache *rcache;	/* reasons seen, see pfa_lr_reason */
	bool split;
	int64_t split_start;	/* its first line's time */
	char *replay;
	size_t replay_n, replay_cap;
};

/* NAMES: the syslog names counted (others are skipped, per program);
 * MAX_KEYS bounds each table. */
void pfa_ledger_init(struct pfa_ledger *lg, const struct pfa_lognames *names,
    size_t max_keys);
void pfa_ledger_free(struct pfa_ledger *lg);
/* One line (PARSED false: not a syslog line). */
void pfa_ledger_line(struct pfa_ledger *lg, const struct pfa_logline *l, bool parsed,
    const char *raw, size_t len);
/* Hands DST (the ledger of the lines before SRC's) the lines SRC kept,
 * parsed again with CLK, then adds SRC's counts into DST. */
void pfa_ledger_merge(struct pfa_ledger *dst, struct pfa_ledger *src,
    struct pfa_logclock *clk);
/* The delay at quantile Q (0..1), seconds. */
double pfa_ledger_delay_quantile(const struct pfa_ledger *lg, double q);

/* ledger_smtpd.c: reject, SASL and TLS lines, provider blocks. */
void pfa_lr_reject(struct pfa_ledger *lg, const struct pfa_logline *l,
    const char *what, size_t wlen, const char *rest, size_t rlen);
bool pfa_lr_smtpd_info(struct pfa_ledger *lg, const struct pfa_logline *l);
bool pfa_lr_smtp_info(struct pfa_ledger *lg, const struct pfa_logline *l);
/* The provider entry counted, or NULL (not a block). */
struct pfa_lr_entry *pfa_lr_provider(struct pfa_ledger *lg, const char *relay,
    size_t rlen, const char *reason, size_t len, const char *key);
/* A deferral's (BOUNCE: a bounce's) reason counted in its group and,
 * when it says so, as a provider blocking this server; the same reply
 * text seen again is counted from a small cache, not normalised again. */
#define PFA_LR_RCACHE 512
void pfa_lr_reason(struct pfa_ledger *lg, bool bounce, const char *relay,
    size_t rlen, const char *dsn, size_t dsnlen, const char *reason,
    size_t len);
bool pfa_lr_known(const struct pfa_logline *l);
/* Bytes from P (N) up to the first occurrence of WORD; -1 if none. */
long pfa_lr_find(const char *p, size_t n, const char *word);

#endif
