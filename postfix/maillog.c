/*
 * maillog.c - the parts of a mail-log line (timestamps of both styles,
 * host, program, pid, severity, queue id) and the syslog names of an
 * instance (maillog.h).  The mark the health check reads from is
 * maillog_mark.c's.
 *
 * Parses by position and length only, in one pass, no allocation per
 * line: this runs for every line of a multi-gigabyte log.  Never logs;
 * a line that is not a syslog line is a -1 return, never a crash.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "maillog.h"
#include "result.h"
#include "vec16.h"

/* ------------------------------------------------------------ timestamps */

static int64_t
days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
month_of(const char *p)
{
	/* "Jan".."Dec", case as syslog writes it */
	switch (p[0]) {
	case 'J':
		if (p[1] == 'a' && p[2] == 'n') return 1;
		if (p[1] == 'u' && p[2] == 'n') return 6;
		if (p[1] == 'u' && p[2] == 'l') return 7;
		return 0;
	case 'F': return p[1] == 'e' && p[2] == 'b' ? 2 : 0;
	case 'M':
		if (p[1] == 'a' && p[2] == 'r') return 3;
		if (p[1] == 'a' && p[2] == 'y') return 5;
		return 0;
	case 'A':
		if (p[1] == 'p' && p[2] == 'r') return 4;
		if (p[1] == 'u' && p[2] == 'g') return 8;
		return 0;
	case 'S': return p[1] == 'e' && p[2] == 'p' ? 9 : 0;
	case 'O': return p[1] == 'c' && p[2] == 't' ? 10 : 0;
	case 'N': return p[1] == 'o' && p[2] == 'v' ? 11 : 0;
	case 'D': return p[1] == 'e' && p[2] == 'c' ? 12 : 0;
	default: return 0;
	}
}

static bool
digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
two(const char *p)
{
	return (p[0] - '0') * 10 + (p[1] - '0');
}

/* Character classes for the scans below, one table lookup a byte. */
enum {
	CL_DIGIT = 1, CL_UPPER = 2, CL_LOWER = 4,
	CL_NONHEX = 8,		/* a letter that is not an upper-case hex digit */
	CL_PROGEND = 16,	/* '[', ':' or ' ': the end of a program name */
	CL_SLASH = 32,
};
#define CL_ALNUM (CL_DIGIT | CL_UPPER | CL_LOWER)

/* D digit, U A-F, X G-Z, L a-z, E end of a program name, S slash;
 * bytes from 0x80 on: none of these. */
#define D CL_DIGIT
#define U CL_UPPER
#define X (CL_UPPER | CL_NONHEX)
#define L (CL_LOWER | CL_NONHEX)
#define E CL_PROGEND
#define S CL_SLASH
static const unsigned char cls[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x00 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x10 */
	E, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, S,	/* 0x20 */
	D, D, D, D, D, D, D, D, D, D, E, 0, 0, 0, 0, 0,	/* 0x30 */
	0, U, U, U, U, U, U, X, X, X, X, X, X, X, X, X,	/* 0x40 */
	X, X, X, X, X, X, X, X, X, X, X, E, 0, 0, 0, 0,	/* 0x50 */
	0, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L,	/* 0x60 */
	L, L, L, L, L, L, L, L, L, L, L, 0, 0, 0, 0, 0,	/* 0x70 */
};
#undef D
#undef U
#undef X
#undef L
#undef E
#undef S


/* Local time Y-M-D H:00:00 as an epoch, cached per hour. */
static int64_t
local_hour(struct pfa_logclock *clk, int y, int mon, int d, int h)
{
	if (clk->c_year == y && clk->c_mon == mon && clk->c_day == d &&
	    clk->c_hour == h)
		return clk->c_epoch;
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mon - 1, .tm_mday = d,
		.tm_hour = h, .tm_isdst = -1 };
	time_t t = mktime(&tm);
	clk->c_year = y;
	clk->c_mon = mon;
	clk->c_day = d;
	clk->c_hour = h;
	clk->c_epoch = t == (time_t)-1 ? 0 : (int64_t)t;
	return clk->c_epoch;
}

/* The year of a line dated MON/D without a year (see maillog.h). */
static int
infer_year(struct pfa_logclock *clk, int mon, int d)
{
	if (clk->year == 0) {
		time_t ref = (time_t)(clk->ref ? clk->ref : time(NULL));
		struct tm tm;
		localtime_r(&ref, &tm);
		int y = tm.tm_year + 1900;
		if ((days_from_civil(y, mon, d) - 1) * 86400 > (int64_t)ref)
			y--;
		clk->year = y;
		clk->last_mon = mon;
		return y;
	}
	if (clk->last_mon >= 11 && mon <= 2) {
		clk->year++;
	} else if (clk->last_mon <= 2 && mon >= 11) {
		return clk->year - 1;	/* a late line of the old year */
	}
	clk->last_mon = mon;
	return clk->year;
}

/* "Mar  3 10:00:01[.frac] " at P (LEN bytes); *N the bytes used. */
static int
parse_traditional(const char *p, size_t len, struct pfa_logclock *clk,
    struct pfa_logline *l, size_t *n)
{
	if (len < 15)
		return -1;
	int mon = month_of(p);
	if (mon == 0 || p[3] != ' ')
		return -1;
	size_t i = 4;
	if (p[i] == ' ')
		i++;
	int d = 0;
	if (!digit(p[i]))
		return -1;
	d = p[i++] - '0';
	if (digit(p[i]))
		d = d * 10 + (p[i++] - '0');
	if (d < 1 || d > 31 || i + 9 > len || p[i] != ' ')
		return -1;
	i++;
	const char *t = p + i;
	if (!digit(t[0]) || !digit(t[1]) || t[2] != ':' || !digit(t[3]) ||
	    !digit(t[4]) || t[5] != ':' || !digit(t[6]) || !digit(t[7]))
		return -1;
	int h = two(t), mi = two(t + 3), s = two(t + 6);
	if (h > 23 || mi > 59 || s > 60)
		return -1;
	i += 8;
	if (i < len && p[i] == '.') {
		i++;
		while (i < len && digit(p[i]))
			i++;
	}
	if (i >= len || p[i] != ' ')
		return -1;
	int y = infer_year(clk, mon, d);
	l->when = local_hour(clk, y, mon, d, h) + mi * 60 + s;
	l->hour = h;
	l->mon = mon;
	*n = i + 1;
	return 0;
}

/* "2026-03-03T10:00:01[.frac](Z|+hh:mm) " at P.  Lines come in order,
 * so the date and hour are those of the line before most of the time:
 * when the first 13 bytes are the same, they were checked already. */
static int
parse_rfc3339(const char *p, size_t len, struct pfa_logclock *clk,
    struct pfa_logline *l, size_t *n)
{
	if (len < 21)
		return -1;
	if (!clk->r_pfx_ok || memcmp(p, clk->r_pfx, 13) != 0) {
		static const char shape[] = "dddd-dd-ddTdd";
		for (int k = 0; k < 13; k++)
			if (shape[k] == 'd' ? !digit(p[k]) : k == 10 ?
			    p[k] != 'T' && p[k] != ' ' : p[k] != shape[k])
				return -1;
		int y = two(p) * 100 + two(p + 2), mon = two(p + 5);
		int d = two(p + 8), h = two(p + 11);
		if (mon < 1 || mon > 12 || d < 1 || d > 31 || h > 23)
			return -1;
		int ymd = y * 10000 + mon * 100 + d;
		if (clk->r_ymd != ymd) {
			clk->r_ymd = ymd;
			clk->r_days = days_from_civil(y, mon, d);
		}
		memcpy(clk->r_pfx, p, 13);
		clk->r_pfx_ok = true;
		clk->r_year = y;
		clk->r_mon = mon;
		clk->r_hour = h;
		clk->r_base = clk->r_days * 86400 + h * 3600;
	}
	if (p[13] != ':' || !digit(p[14]) || !digit(p[15]) || p[16] != ':' ||
	    !digit(p[17]) || !digit(p[18]))
		return -1;
	int mi = two(p + 14), s = two(p + 17);
	if (mi > 59 || s > 60)
		return -1;
	size_t i = 19;
	if (i < len && p[i] == '.') {
		i++;
#ifdef VEC16
		if (i + 16 <= len) {
			v16 v = load16(p + i);
			i += (size_t)__builtin_ctz(~mask16((m16)(v >= '0') &
			    (m16)(v <= '9')));
		}
#endif
		while (i < len && digit(p[i]))
			i++;
	}
	int64_t off = 0;
	if (clk->r_off_ok && i + 6 <= len && memcmp(p + i, clk->r_off, 6) == 0) {
		off = clk->r_offv;	/* the offset of the line before */
		i += 6;
	} else if (i < len && (p[i] == 'Z' || p[i] == 'z')) {
		i++;
	} else if (i + 6 <= len && (p[i] == '+' || p[i] == '-') &&
	    digit(p[i + 1]) && digit(p[i + 2]) && p[i + 3] == ':' &&
	    digit(p[i + 4]) && digit(p[i + 5])) {
		off = two(p + i + 1) * 3600 + two(p + i + 4) * 60;
		if (p[i] == '-')
			off = -off;
		memcpy(clk->r_off, p + i, 6);
		clk->r_offv = (int)off;
		clk->r_off_ok = true;
		i += 6;
	} else {
		return -1;
	}
	if (i >= len || p[i] != ' ')
		return -1;
	l->when = clk->r_base + mi * 60 + s - off;
	l->hour = clk->r_hour;
	l->mon = clk->r_mon;
	clk->year = clk->r_year;
	clk->last_mon = clk->r_mon;
	*n = i + 1;
	return 0;
}

/* ------------------------------------------------------------ the rest */

void
pfa_logline_prog(struct pfa_logline *l, const char *prog, size_t proglen)
{
	l->prog = prog;
	l->proglen = proglen;
	const char *slash = NULL;
	for (size_t i = proglen; i > 0; i--)
		if (prog[i - 1] == '/') {
			slash = prog + i - 1;
			break;
		}
	if (slash == NULL) {
		l->namelen = proglen;
		l->daemon = prog;
		l->daemonlen = proglen;
	} else {
		l->namelen = (size_t)(slash - prog);
		l->daemon = slash + 1;
		l->daemonlen = proglen - l->namelen - 1;
	}
}

/* A queue id: "NOQUEUE", a short id (6+ upper-case hex digits) or a long
 * one (10+ letters and digits, with a digit and an upper-case letter).
 * P's N bytes are letters and digits; SEEN: their classes, or-ed. */
static bool
is_qid(const char *p, size_t n, unsigned seen)
{
	if (n == 7 && memcmp(p, "NOQUEUE", 7) == 0)
		return true;
	if (n < 6 || n > 24)
		return false;
	return !(seen & CL_NONHEX) || (n >= 10 && (seen & CL_DIGIT) &&
	    (seen & CL_UPPER));
}

static bool
prefix(const char *p, size_t n, const char *word, size_t wn)
{
	return n >= wn && memcmp(p, word, wn) == 0;
}

void
pfa_logline_text(struct pfa_logline *l, const char *text, size_t len)
{
	l->text = text;
	l->textlen = len;
	l->sev = PFA_LOGSEV_INFO;
	size_t skip = 0;
	if (len > 6 && (text[0] == 'w' || text[0] == 'e' || text[0] == 'f' ||
	    text[0] == 'p')) {
		if (prefix(text, len, "warning: ", 9)) {
			l->sev = PFA_LOGSEV_WARNING;
			skip = 9;
		} else if (prefix(text, len, "error: ", 7)) {
			l->sev = PFA_LOGSEV_ERROR;
			skip = 7;
		} else if (prefix(text, len, "fatal: ", 7)) {
			l->sev = PFA_LOGSEV_FATAL;
			skip = 7;
		} else if (prefix(text, len, "panic: ", 7)) {
			l->sev = PFA_LOGSEV_PANIC;
			skip = 7;
		}
	}
	const char *m = text + skip;
	size_t mlen = len - skip;
	size_t k = 0, lim = mlen < 25 ? mlen : 25;
	unsigned seen = 0, c;
#ifdef VEC16
	if (mlen >= 16) {
		v16 v = load16(m);
		m16 dig = (m16)(v >= '0') & (m16)(v <= '9');
		m16 up = (m16)(v >= 'A') & (m16)(v <= 'Z');
		m16 low = (m16)(v >= 'a') & (m16)(v <= 'z');
		m16 nonhex = low | ((m16)(v >= 'G') & (m16)(v <= 'Z'));
		uint32_t alnum = mask16(dig | up | low);
		unsigned n = (unsigned)__builtin_ctz(~alnum | 0x10000u);
		uint32_t in = (1u << n) - 1;
		seen = (mask16(dig) & in ? CL_DIGIT : 0) |
		    (mask16(up) & in ? CL_UPPER : 0) |
		    (mask16(low) & in ? CL_LOWER : 0) |
		    (mask16(nonhex) & in ? CL_NONHEX : 0);
		k = n;
		if (n < 16)
			lim = n;	/* ended within the vector */
	}
#endif
	while (k < lim && ((c = cls[(unsigned char)m[k]]) & CL_ALNUM)) {
		seen |= c;
		k++;
	}
	l->qid = NULL;
	l->qidlen = 0;
	if (k + 1 < mlen && m[k] == ':' && m[k + 1] == ' ' &&
	    is_qid(m, k, seen)) {
		l->qid = m;
		l->qidlen = k;
		m += k + 2;
		mlen -= k + 2;
	} else if (k + 1 == mlen && m[k] == ':' && is_qid(m, k, seen)) {
		l->qid = m;
		l->qidlen = k;
		m += k + 1;
		mlen = 0;
	}
	l->msg = m;
	l->msglen = mlen;
}

int
pfa_logline_parse(const char *line, size_t len, struct pfa_logclock *clk,
    struct pfa_logline *l)
{
	size_t i = 0;
	if (len == 0)
		return -1;
	int rc = digit(line[0]) ? parse_rfc3339(line, len, clk, l, &i) :
	    parse_traditional(line, len, clk, l, &i);
	if (rc < 0)
		return -1;
	/* host */
	const char *h = line + i, *sp = NULL;
#ifdef VEC16
	uint32_t spaces = len - i >= 16 ? mask16((m16)(load16(h) == ' ')) : 0;
	if (spaces != 0)
		sp = h + __builtin_ctz(spaces);	/* a short name: most are */
	else
#endif
		sp = memchr(h, ' ', len - i);
	if (sp == NULL || sp == h)
		return -1;
	l->host = h;
	l->hostlen = (size_t)(sp - h);
	i = (size_t)(sp - line) + 1;
	/* program[pid]: */
	const char *p = line + i;
	size_t rest = len - i, k = 0, slash = SIZE_MAX;
#ifdef VEC16
	for (; k + 16 <= rest; k += 16) {
		v16 v = load16(p + k);
		uint32_t stop = mask16((m16)(v == '[') | (m16)(v == ':') |
		    (m16)(v == ' '));
		uint32_t sl = mask16((m16)(v == '/'));
		if (stop != 0) {
			unsigned at = (unsigned)__builtin_ctz(stop);
			sl &= (1u << at) - 1;
			if (sl != 0)
				slash = k + 31 - (size_t)__builtin_clz(sl);
			k += at;
			goto prog_end;
		}
		if (sl != 0)
			slash = k + 31 - (size_t)__builtin_clz(sl);
	}
#endif
	for (unsigned c; k < rest && !((c = cls[(unsigned char)p[k]]) &
	    CL_PROGEND); k++)
		if (c & CL_SLASH)
			slash = k;
#ifdef VEC16
prog_end:
#endif
	if (k == 0 || k == rest)
		return -1;
	l->prog = p;
	l->proglen = k;
	if (slash == SIZE_MAX) {
		l->namelen = k;
		l->daemon = p;
		l->daemonlen = k;
	} else {
		l->namelen = slash;
		l->daemon = p + slash + 1;
		l->daemonlen = k - slash - 1;
	}
	l->pid = -1;
	if (p[k] == '[') {
		long pid = 0;
		size_t j = k + 1, jmax = rest < k + 12 ? rest : k + 12;
#ifdef VEC16
		if (j + 16 <= rest) {
			/* where the digits end, then their value */
			v16 v = load16(p + j);
			size_t end = j + (size_t)__builtin_ctz(~mask16(
			    (m16)(v >= '0') & (m16)(v <= '9')));
			if (end > jmax)
				end = jmax;
			size_t nd = end - j;
			if (nd >= 1 && nd <= 8) {
				/* up to eight digits at once: those after them
				 * shifted out, zeros in front */
				uint64_t w;
				memcpy(&w, p + j, 8);
				w <<= (8 - nd) * 8;
				w = (w & 0x0F0F0F0F0F0F0F0Full) * 2561 >> 8;
				w = (w & 0x00FF00FF00FF00FFull) * 6553601 >> 16;
				w = (w & 0x0000FFFF0000FFFFull) *
				    42949672960001ull >> 32;
				pid = (long)w;
				j = end;
			}
			for (; j < end; j++)
				pid = pid * 10 + (p[j] - '0');
			jmax = j;
		}
#endif
		while (j < jmax && digit(p[j]))
			pid = pid * 10 + (p[j++] - '0');
		if (j == k + 1 || j >= rest || p[j] != ']')
			return -1;
		l->pid = pid;
		k = j + 1;
	}
	if (k >= rest || p[k] != ':')
		return -1;
	k++;
	if (k < rest && p[k] == ' ')
		k++;
	pfa_logline_text(l, p + k, rest - k);
	return 0;
}

const char *
pfa_logsev_name(enum pfa_logsev s)
{
	switch (s) {
	case PFA_LOGSEV_WARNING: return "warning";
	case PFA_LOGSEV_ERROR: return "error";
	case PFA_LOGSEV_FATAL: return "fatal";
	case PFA_LOGSEV_PANIC: return "panic";
	default: return "info";
	}
}

/* ---------------------------------------------------------------- names */

void
pfa_lognames_add(struct pfa_lognames *n, const char *name)
{
	if (name == NULL)
		return;
	/* "postfix/$service_name": the part before the first '$' */
	size_t len = strcspn(name, "$");
	while (len > 0 && name[len - 1] == '/')
		len--;
	if (len == 0)
		return;
	for (size_t i = 0; i < n->n; i++)
		if (strlen(n->v[i]) == len && memcmp(n->v[i], name, len) == 0)
			return;
	n->v = pfa_xrealloc(n->v, (n->n + 1) * sizeof(*n->v));
	n->len = pfa_xrealloc(n->len, (n->n + 1) * sizeof(*n->len));
	char *c = pfa_xmalloc(len + 1);
	memcpy(c, name, len);
	c[len] = '\0';
	n->len[n->n] = len;
	n->v[n->n++] = c;
}

void
pfa_lognames_from_postfix(struct pfa_postfix *pf, struct pfa_lognames *n)
{
	memset(n, 0, sizeof(*n));
	const struct pfa_cfview *v = pf ? pfa_postfix_view(pf,
	    PFA_VIEW_SERVICES) : NULL;
	const char *main_name = v ? pfa_cf_get(v, "syslog_name") : NULL;
	pfa_lognames_add(n, main_name && *main_name ? main_name : "postfix");
	for (size_t k = 0; v != NULL && k < v->nsvcs; k++)
		pfa_lognames_add(n, pfa_cfsvc_get(v, &v->svcs[k],
		    "syslog_name"));
}

void
pfa_lognames_free(struct pfa_lognames *n)
{
	for (size_t i = 0; i < n->n; i++)
		free(n->v[i]);
	free(n->v);
	free(n->len);
	memset(n, 0, sizeof(*n));
}

bool
pfa_lognames_match(const struct pfa_lognames *n, const struct pfa_logline *l)
{
	for (size_t i = 0; i < n->n; i++) {
		size_t len = n->len[i];
		/* NAME/daemon, or NAME/more/daemon (nested names) */
		if (l->proglen > len && l->prog[len] == '/' &&
		    memcmp(l->prog, n->v[i], len) == 0)
			return true;
	}
	return false;
}
