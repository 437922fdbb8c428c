/*
 * ledger_int.h - what ledger.c and ledger_msg.c share: the record of an
 * open message, its recipients, the re-injections waiting for their
 * client= line, and the helpers over them.  Private to this folder.
 */
#ifndef LEDGER_INT_H
#define LEDGER_INT_H

#include <string.h>

#include "ledger.h"

#define PFA_LR_PEND_AGE 3600	/* a re-injection arrives within this */

enum {
	M_DEFERRED = 0x01, M_HELD = 0x02, M_DISCARDED = 0x04,
	M_EXPIRED = 0x08, M_RECEIVED = 0x10, M_SENDER = 0x20,
	M_REINJECTED = 0x40, M_INHERITED = 0x80,
};

struct lr_rcpt {
	struct pfa_lr_entry *addr, *dom;
	bool open;		/* deferred, no final status yet */
};

struct lr_msg {
	char qid[25];
	uint8_t qlen;
	uint16_t flags;
	uint32_t hash;
	int64_t first;
	struct lr_rcpt *r;
	uint16_t nr, cr;
	struct lr_msg *next;	/* in the ledger's spare records */
};

struct lr_pending {
	char id[25];
	uint8_t len;
	int64_t when;
	struct pfa_lr_entry *addr, *dom;
};


static inline bool
starts(const char *p, size_t n, const char *w, size_t wl)
{
	/* the first byte before the call: it decides most of the time */
	return n >= wl && (wl == 0 || p[0] == w[0]) && memcmp(p, w, wl) == 0;
}
#define STARTS(p, n, lit) starts((p), (n), (lit), sizeof(lit) - 1)

/* A reply text seen before, with what it was counted as. */
#define RKEY_MAX 400

struct lr_rcache {
	uint32_t hash;
	uint16_t len;
	bool bounce;
	char key[RKEY_MAX];	/* dsn NUL relay NUL reason */
	struct pfa_lr_entry *reason, *provider;
};

/* The open message QID, made (first seen at WHEN) unless FIND_ONLY. */
struct lr_msg *pfa_lr_msg_get(struct pfa_ledger *lg, const char *qid,
    size_t len, int64_t when, bool find_only);
/* Closes M ("removed"). */
void pfa_lr_msg_close(struct pfa_ledger *lg, struct lr_msg *m);
/* M's recipient ADDR (added when ADD), or NULL. */
struct lr_rcpt *pfa_lr_msg_rcpt(struct lr_msg *m, struct pfa_lr_entry *addr,
    struct pfa_lr_entry *dom, bool add);
/* A "queued as QID" on loopback waits for QID's client= line. */
bool pfa_lr_pending_has(struct pfa_ledger *lg, const char *qid, size_t len,
    int64_t when);
/* ledger_delivery.c: a "QID: to=<A>, ..." line counted (false: not of
 * that shape); expiry of M (FORCED: postsuper -e); a delay counted; the
 * re-injection waiting for QID's client= line (seen within the hour
 * before WHEN), or NULL, and its slot freed once it arrived. */
bool pfa_lr_delivery_line(struct pfa_ledger *lg, const struct pfa_logline *l);
void pfa_lr_expired(struct pfa_ledger *lg, const struct pfa_logline *l,
    struct lr_msg *m, bool forced);
void pfa_lr_delay_add(struct pfa_ledger *lg, double v);
struct lr_pending *pfa_lr_pend_find(struct pfa_ledger *lg, const char *qid,
    size_t len, int64_t when);
void pfa_lr_pend_clear(struct pfa_ledger *lg, struct lr_pending *p);
/* Value of ", NAME=" in P up to the next ", "; false if absent. */
bool pfa_lr_kv(const char *p, size_t n, const char *name, const char **v,
    size_t *vl);
/* A relay or client on loopback ("[127." or "[::1]"). */
bool pfa_lr_loopback(const char *r, size_t n);
/* The offset of the last '@' in A (N bytes), or N. */
size_t pfa_lr_at_sign(const char *a, size_t n);

/* The second half of a split file keeps this line (one of the syslog
 * names counted) for the first's. */
bool pfa_lr_split_keep(struct pfa_ledger *lg, const struct pfa_logline *l,
    const char *raw, size_t len);

#endif
