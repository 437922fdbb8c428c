/*
 * NAME
 *	mapsrc_re - checks the rules of regexp: and pcre: tables (for
 *	mapsrc.c)
 * SUMMARY
 *	pfa_mapsrc_re_line() (mapsrc_int.h)
 * DESCRIPTION
 *	Owns the rule syntax of regexp_table(5) and pcre_table(5) as
 *	Postfix 3.7 parses it, one logical line at a time:
 *	"/pattern/flags result" with any non-alphanumeric delimiter, '!'
 *	negation, the old "/pattern1/!/pattern2/" form, "if
 *	/pattern/flags" and "endif" (any case); the $n, ${n} and $(n)
 *	references in the result and their check against the pattern's
 *	number of subexpressions.  Each pattern is compiled as Postfix
 *	compiles it: regcomp() with REG_EXTENDED | REG_ICASE, toggled by
 *	the x, i and m flags; PCRE2 with PCRE2_CASELESS | PCRE2_DOTALL,
 *	toggled by i, m, s, x, A, E and U.  A POSIX pattern whose
 *	repetitions would make glibc's regcomp() build a huge tree is
 *	refused before it is compiled.
 *
 *	Postfix warns about and skips (or, for a rule without a result,
 *	uses an empty string for) every rule reported here as an error,
 *	and ignores text after an if or endif, which is most often a rule
 *	indented under it that became part of its line.  The obsolete
 *	PCRE flag X is a warning, as in Postfix.
 *
 *	Must not: do I/O, log or exit.
 * DIAGNOSTICS
 *	Problems go to the result through pfa_mapsrc_problem, with the
 *	regcomp or PCRE2 reason for a pattern that does not compile.
 */
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "mapsrc.h"
#include "mapsrc_int.h"

#define ISSPACE(ch) PFA_MAPSRC_ISSPACE(ch)
#define ISALNUM(ch)                                                  \
	(((ch) >= 'a' && (ch) <= 'z') || ((ch) >= 'A' && (ch) <= 'Z') || \
	    ((ch) >= '0' && (ch) <= '9'))

/* One pattern of a rule, before compiling. */
struct pat {
	char *re;
	bool match;		/* false: negated */
	uint32_t options;	/* regcomp cflags or PCRE2 options */
};

static void
problem_text(struct pfa_map_check *c, int line, const char *what,
    const char *text)
{
	char *q = pfa_mapsrc_quote(text, strlen(text));
	pfa_mapsrc_problem(c, line, true, "%s %s", what, q);
	free(q);
}

/* Reads one pattern with its flags at *PP; 0, or -1 (reported). */
static int
get_pat(struct pfa_map_check *c, int line, bool pcre, char **pp,
    struct pat *pat)
{
	char *p = *pp;

	pat->match = true;
	for (; *p == '!' || ISSPACE(*p); p++)
		if (*p == '!')
			pat->match = !pat->match;
	if (*p == '\0') {
		pfa_mapsrc_problem(c, line, true, "no pattern");
		return -1;
	}
	char delim = *p++;
	pat->re = p;
	for (; *p != '\0' && *p != delim; p++)
		if (*p == '\\' && p[1] != '\0')
			p++;
	if (*p == '\0') {
		char d[2] = { delim, '\0' };
		problem_text(c, line, "no closing pattern delimiter", d);
		return -1;
	}
	*p++ = '\0';

	pat->options = pcre ? PCRE2_CASELESS | PCRE2_DOTALL :
	    REG_EXTENDED | REG_ICASE;
	for (; *p != '\0' && !ISSPACE(*p) && *p != '!'; p++) {
		uint32_t bit = 0;
		switch (*p) {
		case 'i':
			bit = pcre ? PCRE2_CASELESS : REG_ICASE;
			break;
		case 'm':
			bit = pcre ? PCRE2_MULTILINE : REG_NEWLINE;
			break;
		case 'x':
			bit = pcre ? PCRE2_EXTENDED : REG_EXTENDED;
			break;
		case 's':
			bit = pcre ? PCRE2_DOTALL : 0;
			break;
		case 'A':
			bit = pcre ? PCRE2_ANCHORED : 0;
			break;
		case 'E':
			bit = pcre ? PCRE2_DOLLAR_ENDONLY : 0;
			break;
		case 'U':
			bit = pcre ? PCRE2_UNGREEDY : 0;
			break;
		case 'X':
			if (pcre) {
				pfa_mapsrc_problem(c, line, false, "flag X is "
				    "obsolete with PCRE2; Postfix ignores it");
				continue;
			}
			break;
		}
		if (bit == 0) {
			char f[2] = { *p, '\0' };
			problem_text(c, line, "unknown pattern flag", f);
			return -1;
		}
		pat->options ^= bit;
	}
	*pp = p;
	return 0;
}

/*
 * A bound on the size of the tree glibc's regcomp() builds: it copies a
 * subexpression for every repetition ({n,m}: max(n, m) copies; '+' and
 * '?' copy it too, and nested they take exponential time and memory, so
 * '+' counts 4 and '?' 2).  Stacked repetitions ("a?+", "a+++") are worse
 * (20 '+' after "(a)": 10 s) and undefined in POSIX: refused outright.
 * Postfix loads such a pattern with the same regcomp().
 */
#define RE_MAX_NODES 10000

static size_t
mul(size_t a, size_t b)
{
	return b != 0 && a > RE_MAX_NODES / b ? RE_MAX_NODES + 1 : a * b;
}

/* Reads "n}", "n,}" or "n,m}" at *PP ("\\}" in a BRE); 1 + the copies it
 * asks for, or 0 if it is not an interval. */
static size_t
interval(const char **pp, bool ere)
{
	const char *p = *pp;
	size_t n = 0, m;

	if (*p < '0' || *p > '9')
		return 0;
	for (; *p >= '0' && *p <= '9'; p++)
		n = mul(n, 10) + (size_t)(*p - '0');
	m = n;
	if (*p == ',' && (p[1] < '0' || p[1] > '9')) {
		m = n + 1;
		p++;
	} else if (*p == ',') {
		for (m = 0, p++; *p >= '0' && *p <= '9'; p++)
			m = mul(m, 10) + (size_t)(*p - '0');
	}
	if ((!ere && *p++ != '\\') || *p++ != '}')
		return 0;
	*pp = p;
	return (n > m ? n : m) + 1;
}

/* The bound for pattern P; SIZE_MAX if a repetition repeats a repetition. */
static size_t
re_nodes(const char *p, bool ere)
{
	size_t stack[256], depth = 0, cur = 0, last = 0;
	bool repeated = false;

	while (*p != '\0' && cur <= RE_MAX_NODES) {
		/* operators are bare in an ERE, after '\\' in a BRE */
		int op = 0;
		size_t copies = 0;
		if (ere && strchr("(){+?*|[", *p) != NULL)
			op = *p++;
		else if (!ere && *p == '\\' && p[1] != '\0' &&
		    strchr("(){+?|", p[1]) != NULL)
			op = p[1], p += 2;
		else if (!ere && (*p == '*' || *p == '['))
			op = *p++;
		else
			p += *p == '\\' && p[1] != '\0' ? 2 : 1;
		switch (op) {
		case '(':
			repeated = false;
			if (depth == sizeof(stack) / sizeof(stack[0]))
				return RE_MAX_NODES + 1;
			stack[depth++] = cur;
			cur = last = 0;
			continue;
		case ')':
			if (depth == 0)
				break;
			last = cur + 1;
			cur = stack[--depth] + last;
			repeated = false;
			continue;
		case '|':
			last = 0;
			repeated = false;
			continue;
		case '+':
			copies = 4;
			break;
		case '?':
			copies = 2;
			break;
		case '*':
			copies = 1;
			break;
		case '{':
			copies = interval(&p, ere);
			break;
		case '[':	/* a bracket expression is one atom */
			p += *p == '^';
			p += *p == ']';
			while (*p != '\0' && *p != ']') {
				const char *end = NULL;
				if (*p == '[' && p[1] != '\0' &&
				    strchr(":.=", p[1]) != NULL)
					end = strchr(p + 2, p[1]);
				p = end != NULL && end[1] == ']' ? end + 2 :
				    p + 1;
			}
			p += *p == ']';
			break;
		}
		if (copies > 0 && repeated)
			return SIZE_MAX;
		repeated = copies > 0;
		if (copies > 0) {	/* a repetition of the last atom */
			cur += mul(last, copies - 1);
			last = mul(last, copies);
		} else {
			cur++;
			last = 1;
		}
	}
	return cur;
}

/*
 * Compiles PAT; the number of subexpressions in *NSUB.  0, or -1
 * (reported with the library's reason).
 */
static int
compile_pat(struct pfa_map_check *c, int line, bool pcre,
    const struct pat *pat, size_t *nsub)
{
	if (pcre) {
		int err;
		PCRE2_SIZE off;
		pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat->re,
		    PCRE2_ZERO_TERMINATED, pat->options, &err, &off, NULL);
		if (code == NULL) {
			PCRE2_UCHAR why[256];
			if (pcre2_get_error_message(err, why, sizeof(why)) < 0)
				snprintf((char *)why, sizeof(why), "error %d",
				    err);
			pfa_mapsrc_problem(c, line, true, "pattern does not "
			    "compile: error at offset %zu: %s", (size_t)off,
			    (const char *)why);
			return -1;
		}
		uint32_t n = 0;
		(void)pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &n);
		pcre2_code_free(code);
		*nsub = n;
		return 0;
	}
	size_t nodes = re_nodes(pat->re, (pat->options & REG_EXTENDED) != 0);
	if (nodes == SIZE_MAX) {
		pfa_mapsrc_problem(c, line, true, "repetition operator after a "
		    "repetition operator: undefined in POSIX regular "
		    "expressions, and regcomp() may take exponential time and "
		    "memory (lazy '*?' and possessive '++' need a pcre: "
		    "table)");
		return -1;
	}
	if (nodes > RE_MAX_NODES) {
		pfa_mapsrc_problem(c, line, true, "pattern too complex: its "
		    "repetitions make regcomp() build more than %d nodes, and "
		    "Postfix may run out of memory loading it", RE_MAX_NODES);
		return -1;
	}
	regex_t re;
	int err = regcomp(&re, pat->re, (int)pat->options);
	if (err != 0) {
		char why[256];
		(void)regerror(err, &re, why, sizeof(why));
		pfa_mapsrc_problem(c, line, true, "pattern does not compile: "
		    "%s", why);
		return -1;
	}
	*nsub = re.re_nsub;
	regfree(&re);
	return 0;
}

static bool
digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return n > 0;
}

/*
 * The largest $n in result text V ($$ is a literal $), in *MAX; 0, or -1
 * (reported).  The same syntax as Postfix's mac_parse: $name, ${name},
 * $(name), where the name must be a number from 1.
 */
static int
max_ref(struct pfa_map_check *c, int line, const char *v, size_t *max)
{
	*max = 0;
	for (const char *s = v; *s != '\0';) {
		if (*s++ != '$')
			continue;
		if (*s == '$') {
			s++;
			continue;
		}
		const char *name = s;
		size_t n;
		if (*s == '{' || *s == '(') {
			char open = *s, close = open == '{' ? '}' : ')';
			int level = 1;
			const char *q = ++name;
			for (; *q != '\0'; q++)
				if (*q == open)
					level++;
				else if (*q == close && --level == 0)
					break;
			if (*q == '\0') {
				problem_text(c, line, "unterminated reference",
				    name - 2);
				return -1;
			}
			n = (size_t)(q - name);
			s = q + 1;
		} else {
			while (ISALNUM(*s) || *s == '_')
				s++;
			n = (size_t)(s - name);
		}
		if (n == 0) {
			pfa_mapsrc_problem(c, line, true, "'$' without a "
			    "number in the result (write $$ for a '$')");
			return -1;
		}
		if (!digits(name, n)) {
			char *q = pfa_mapsrc_quote(name, n);
			pfa_mapsrc_problem(c, line, true, "reference %s in the "
			    "result is not a number (write $$ for a '$')", q);
			free(q);
			return -1;
		}
		size_t num = 0;
		for (size_t i = 0; i < n && num <= SIZE_MAX / 20; i++)
			num = num * 10 + (size_t)(name[i] - '0');
		if (num == 0) {
			pfa_mapsrc_problem(c, line, true, "reference $0 in the "
			    "result: substrings are numbered from $1");
			return -1;
		}
		if (num > *max)
			*max = num;
	}
	return 0;
}

/* True if P starts with WORD, in any case, and no letter or digit after. */
static bool
word(const char *p, const char *w)
{
	for (; *w != '\0'; p++, w++)
		if (*p != *w && *p != *w - 'a' + 'A')
			return false;
	return !ISALNUM(*p);
}

/* "/pattern/flags result" or "/p1/flags!/p2/flags result". */
static void
rule_line(struct pfa_map_check *c, int line, bool pcre, char *p)
{
	struct pat first, second;
	bool has_second = false;
	size_t nsub, max;
	int bad = 0;

	if (get_pat(c, line, pcre, &p, &first) < 0)
		return;
	if (*p == '!') {
		if (get_pat(c, line, pcre, &p, &second) < 0)
			return;
		has_second = true;
	}
	while (ISSPACE(*p))
		p++;
	if (*p == '\0') {
		pfa_mapsrc_problem(c, line, true, "no result after the pattern "
		    "(Postfix uses an empty string)");
		bad = -1;
	}
	if (max_ref(c, line, p, &max) < 0)
		return;
	if (max > 0 && !first.match) {
		pfa_mapsrc_problem(c, line, true, "$%zu in the result of a "
		    "negated pattern (there is no match to take it from)", max);
		return;
	}
	if (!pcre && max == 0)	/* as Postfix: faster to compile */
		first.options |= REG_NOSUB;
	if (compile_pat(c, line, pcre, &first, &nsub) < 0)
		return;
	if (max > nsub) {
		pfa_mapsrc_problem(c, line, true, "$%zu in the result, but the "
		    "pattern has %zu subexpression%s", max, nsub,
		    nsub == 1 ? "" : "s");
		return;
	}
	if (has_second && !pcre)
		second.options |= REG_NOSUB;
	if (has_second && compile_pat(c, line, pcre, &second, &nsub) < 0)
		return;
	if (bad == 0)
		c->entries++;
}

void
pfa_mapsrc_re_line(struct pfa_map_check *c, struct pfa_mapsrc_nest *nest,
    bool pcre, int line, char *p)
{
	if (!ISALNUM(*p)) {
		rule_line(c, line, pcre, p);
		return;
	}
	if (word(p, "if")) {
		struct pat pat;
		size_t nsub;
		for (p += 2; ISSPACE(*p); p++)
			;
		if (get_pat(c, line, pcre, &p, &pat) < 0) {
			pfa_mapsrc_nest_push(nest, -line);
			return;
		}
		while (ISSPACE(*p))
			p++;
		if (*p != '\0')
			problem_text(c, line, "text after the if pattern, "
			    "ignored by Postfix (a rule indented under if "
			    "joins the if line):", p);
		if (compile_pat(c, line, pcre, &pat, &nsub) < 0)
			line = -line;
		pfa_mapsrc_nest_push(nest, line);
		return;
	}
	if (word(p, "endif")) {
		if (nest->n == 0)
			pfa_mapsrc_problem(c, line, true, "endif without "
			    "matching if");
		else
			nest->n--;
		for (p += 5; ISSPACE(*p); p++)
			;
		if (*p != '\0')
			problem_text(c, line, "text after endif, ignored by "
			    "Postfix (a rule indented under endif joins the "
			    "endif line):", p);
		return;
	}
	problem_text(c, line, "not a rule (expected /pattern/ result, if "
	    "/pattern/ or endif):", p);
}
