/*
 * queue.h - check-queue's own header, shared by the files of tasks/queue/
 * and by nothing else (no other task includes it).
 *
 * The model: a message of the queue as `postqueue -j` lists it
 * (pfa_qmsg), read from one line (qjson.c) or, for the count-only path,
 * from the head of its queue file (qscan.c); the tally of a whole listing
 * in memory bounded by the number of distinct keys kept (qtally.c); the
 * defer logs (deferlog.c); the report made of a tally (qreport.c); the
 * `pfagent queue` command (qcmd.c).  Text from the queue is data: it is
 * counted, grouped and shown, and never decides anything else.
 */
#ifndef PFA_TASK_QUEUE_H
#define PFA_TASK_QUEUE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "reason.h"
#include "result.h"

/* ------------------------------------------------------------ queues */

/* The queues, by name (postqueue lists maildrop, active, incoming,
 * deferred, hold; corrupt is never listed). */
enum pfa_qname {
	PFA_Q_MAILDROP,
	PFA_Q_INCOMING,
	PFA_Q_ACTIVE,
	PFA_Q_DEFERRED,
	PFA_Q_HOLD,
	PFA_Q_CORRUPT,		/* never listed by postqueue; counted apart */
	PFA_Q_COUNT
};
extern const char *const pfa_qnames[];	/* "maildrop", ..., NULL */
int pfa_qname_parse(const char *s);	/* enum pfa_qname, or -1 */

/* Age buckets as qshape's (-t 5 -b 10): [0,5m) [5m,10m) [10m,20m) ...
 * [640m,1280m) and 1280m or more. */
#define PFA_QAGE_BUCKETS 10
extern const char *const pfa_qage_labels[];	/* "5m" ... "1280m+" */
int pfa_qage_bucket(long long age_seconds);

/* A queue id as Postfix makes them (mail_queue_id_ok): 1..255 of
 * [A-Za-z0-9_]. */
bool pfa_qid_ok(const char *id);

/* ------------------------------------------------------------ a message */

struct pfa_qrcpt {
	const char *address;
	const char *reason;	/* delay_reason (or a newer *_reason), NULL */
};

struct pfa_qmsg {
	int queue;		/* enum pfa_qname */
	const char *id;
	long long arrival;	/* epoch seconds */
	long long size;		/* message_size */
	bool forced_expire;
	const char *sender;	/* "MAILER-DAEMON" for the null sender */
	const struct pfa_qrcpt *rcpts;
	size_t nrcpts;
};

/* One `postqueue -j` line at a time (qjson.c). */
struct pfa_qjson;
struct pfa_qjson *pfa_qjson_new(void);
void pfa_qjson_free(struct pfa_qjson *p);
/*
 * Parses LINE (LEN bytes): 0 and *M, valid until the next call; or -1 and
 * *WHY, a static phrase naming what is wrong ("not JSON", "queue_name is
 * missing", ...).  Members it does not know are ignored.
 */
int pfa_qjson_parse(struct pfa_qjson *p, const char *line, size_t len,
    struct pfa_qmsg *m, const char **why);

/* ------------------------------------------------------------ counting */

struct pfa_qcount {
	unsigned long long msgs, rcpts, bytes, expired;
	long long oldest;	/* earliest arrival; 0: none */
	unsigned long long age[PFA_QAGE_BUCKETS];
};

/* One entry of a bounded table: a key and what was counted under it. */
struct pfa_qkey {
	char *key;
	unsigned long long msgs, rcpts;
	long long oldest;	/* earliest arrival */
	unsigned long long last;	/* the message that counted last */
	/* reasons only */
	struct pfa_reason reason;
	char *example_id;	/* a message with this reason */
	char *example_rcpt;
	bool sampled;		/* its defer log was read */
};

/* A string -> counts table of at most MAX keys; what does not fit is
 * counted as "other". */
struct pfa_qtable {
	struct pfa_qkey *v;
	size_t n, max;
	uint32_t *slots;	/* open addressing: index + 1, 0 empty */
	size_t nslots;
	unsigned long long other_msgs, other_rcpts;
};

#define PFA_QOLDEST_KEPT 10

struct pfa_qold {
	char id[64];
	long long arrival;
};

/* Reads the defer log of M for recipient R (index) and may refine the
 * reason (its DSN); called once per new reason, at most
 * pfa_qtally.samples times. */
typedef void (*pfa_qsample_fn)(void *arg, const struct pfa_qmsg *m,
    size_t rcpt, struct pfa_reason *reason);

struct pfa_qtally {
	time_t now;
	time_t since;		/* the last run (0: none): for "still here" */
	unsigned long long seq;	/* messages counted */
	struct pfa_qcount q[PFA_Q_COUNT];
	struct pfa_qtable rdomains, sdomains, senders, reasons;
	struct pfa_qtable raw;	/* raw reason text -> reasons index */
	unsigned long long stuck;	/* deferred, already queued at SINCE */
	struct pfa_qold oldest[PFA_QOLDEST_KEPT];	/* oldest deferred */
	size_t noldest;
	/* the listing itself */
	unsigned long long lines, malformed;
	unsigned long long first_bad;	/* its line number */
	char bad_why[96];
	pfa_qsample_fn sample;
	void *sample_arg;
	size_t samples;		/* defer logs still to read */
	unsigned long long defer_read, defer_odd;	/* by the sampler */
	char defer_odd_why[300];	/* the first: "FILE: line N: ..." */
};

void pfa_qtally_init(struct pfa_qtally *t, time_t now, size_t max_keys);
void pfa_qtally_free(struct pfa_qtally *t);
void pfa_qtally_add(struct pfa_qtally *t, const struct pfa_qmsg *m);
/* One line of a listing: parsed and added, or counted as malformed. */
void pfa_qtally_line(struct pfa_qtally *t, struct pfa_qjson *p,
    const char *line, size_t len, bool cut);
/* The N entries of TAB with the most messages, most first, into OUT;
 * returns how many. */
size_t pfa_qtable_top(const struct pfa_qtable *tab, size_t n,
    const struct pfa_qkey **out);
/* The domain of ADDRESS, lower-cased, into BUF: "example.com",
 * "MAILER-DAEMON" for the null sender, "(local)" without a domain. */
const char *pfa_qdomain(const char *address, char *buf, size_t size);
/* S, at most MAX bytes, with control characters as '?' (for showing
 * text from the queue).  Caller frees. */
char *pfa_qclean(const char *s, size_t max);
/* Totals over the listed queues (everything but corrupt). */
void pfa_qtally_total(const struct pfa_qtally *t, struct pfa_qcount *out);

/* ------------------------------------------------------------ spool */

/* Where Postfix keeps a queue: the directory, its hashing (the parameters
 * hash_queue_depth and hash_queue_names) for defer logs. */
struct pfa_qdirs {
	const char *queue_directory;
	int hash_depth;
	bool defer_hashed;	/* "defer" in hash_queue_names */
};

/*
 * The count-only path (qscan.c): every queue's directory read directly,
 * each queue file's head read for its arrival time, size and sender, the
 * same rules as postqueue's showq (regular file, mode u=rwx, a queue id
 * name, a sender record), so the counts equal postqueue -j's on the same
 * queue.  Fills T->q (no tables); THREADS workers (0: one per CPU, at
 * most 4).  0, or -1 with *ERR (a static phrase) and *ERRPATH.
 */
int pfa_qscan(const struct pfa_qdirs *d, struct pfa_qtally *t, int threads,
    const char **err, char *errpath, size_t errpath_size);
/* Files in queue_directory/corrupt (any depth); -1 if unreadable. */
long long pfa_qscan_corrupt(const struct pfa_qdirs *d);

/* ------------------------------------------------------------ defer logs */

#define PFA_DEFERLOG_MAX (1024 * 1024)

struct pfa_defrec {
	const char *recipient, *orig_recipient, *status, *action, *reason;
	const char *diag_type, *diag_text, *mta_type, *mta_mname;
	size_t line;		/* where the record starts */
};

/* Called per record; nonzero stops. */
typedef int (*pfa_defrec_fn)(void *arg, const struct pfa_defrec *r);

/*
 * Parses a defer log (LEN bytes of BUF, modified in place; BUF[LEN] must
 * be writable, as pfa_file_read's NUL is): records
 * separated by blank lines, "name=value" lines (and the old
 * "<address>: text" form).  The first odd line (an unknown name, no '=',
 * a NUL byte) is described in ODD (size ODDSIZE, "" if none) with its
 * line number; odd lines are skipped.  Returns the number of records.
 */
size_t pfa_deferlog_parse(char *buf, size_t len, pfa_defrec_fn fn, void *arg,
    char *odd, size_t oddsize);
/* queue_directory/defer/H/.../ID for queue id ID into BUF; -1 if ID is
 * not a queue id or BUF is too small. */
int pfa_deferlog_path(const struct pfa_qdirs *d, const char *id, char *buf,
    size_t size);

/* ------------------------------------------------------------ settings */

struct pfa_qconf {
	long long deferred_warn, deferred_crit;	/* -1: off */
	long long total_warn, total_crit;
	long long hold_warn, hold_crit;
	int64_t age_warn, age_crit;		/* seconds; 0: off */
	long long sender_share;			/* percent */
	long long sender_min;			/* messages */
	long long top;				/* entries in top lists */
	long long max_keys;			/* distinct keys kept per list */
	long long defer_logs;			/* defer logs read per run */
	int64_t timeout;			/* postqueue, seconds */
};

/* The report of a tally (qreport.c): metrics, findings, summary. */
struct pfa_qreport_in {
	const struct pfa_qconf *conf;
	const struct pfa_qtally *t;
	const char *config_dir;
	const char *remedy_conf;	/* "pfagent -c CONF" prefix, or NULL */
	bool full;			/* listed (not the count-only path) */
	int running;			/* pfa_postfix_running() */
	long long active_limit;		/* qmgr_message_active_limit, -1 */
	json_object *last;		/* the previous run's state, or NULL */
};
void pfa_qreport(const struct pfa_qreport_in *in, struct pfa_result *res);
/* The state to keep for the next run (a new object). */
json_object *pfa_qreport_state(const struct pfa_qtally *t);

/* `pfagent queue ...` (qcmd.c). */
struct pfa_ctx;
int pfa_queue_command(struct pfa_ctx *ctx, int argc, char **argv);

#endif
