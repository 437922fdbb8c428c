/*
 * exec_capture.c - what the parent keeps of a child's output
 * (exec_capture.h): a capture bounded in size, or a stream cut into lines
 * for a callback, bounded by one line.
 *
 * Never blocks, does no I/O and never logs: exec.c reads the descriptors
 * and hands the bytes here.  A line that outgrows the bound is cut and the
 * rest of it dropped, so no input, however long its lines, makes the
 * buffer grow past max + 1 bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "exec_capture.h"
#include "result.h"

void
pfa_capture_init(struct pfa_capture *c, size_t max, pfa_exec_line_fn on_line,
    void *arg, bool strip_cr)
{
	memset(c, 0, sizeof(*c));
	c->max = max;
	c->on_line = on_line;
	c->arg = arg;
	c->strip_cr = strip_cr;
}

/* Appends N bytes of P to the buffer, at most up to MAX; false if some
 * did not fit. */
static bool
append(struct pfa_capture *c, const char *p, size_t n)
{
	size_t room = c->max - c->len;
	bool fits = n <= room;
	if (!fits)
		n = room;
	if (n == 0)
		return fits;
	if (c->len + n + 1 > c->cap) {
		size_t ncap = c->cap ? c->cap : 4096;
		while (ncap < c->len + n + 1)
			ncap *= 2;
		if (ncap > c->max + 1)
			ncap = c->max + 1;
		c->buf = pfa_xrealloc(c->buf, ncap);
		c->cap = ncap;
	}
	memcpy(c->buf + c->len, p, n);
	c->len += n;
	return fits;
}

/* The assembled line to the callback, and a fresh one begun. */
static void
emit(struct pfa_capture *c)
{
	size_t n = c->len;
	if (c->strip_cr && n > 0 && c->buf[n - 1] == '\r' && !c->cut)
		n--;
	if (c->buf == NULL) {
		c->buf = pfa_xmalloc(1);
		c->cap = 1;
	}
	c->buf[n] = '\0';
	if (!c->stopped && c->on_line(c->arg, c->buf, n, c->cut) != 0)
		c->stopped = true;
	c->len = 0;
	c->cut = false;
}

void
pfa_capture_add(struct pfa_capture *c, const char *p, size_t n)
{
	const char *end = p + n;
	if (c->on_line == NULL) {
		for (const char *q = p;
		    (q = memchr(q, '\n', (size_t)(end - q))) != NULL; q++)
			c->lines++;
		if (!append(c, p, n))
			c->truncated = true;
		return;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);
		if (!c->cut && !c->stopped && !append(c, p, len))
			c->cut = true;
		if (nl == NULL)
			break;
		c->lines++;
		emit(c);
		p = nl + 1;
	}
}

void
pfa_capture_finish(struct pfa_capture *c, char **s, size_t *len, bool *trunc)
{
	if (c->on_line != NULL) {
		if (c->len > 0 || c->cut)
			emit(c);
		free(c->buf);
		c->buf = NULL;
		c->len = 0;
	}
	if (c->buf == NULL)
		c->buf = pfa_xmalloc(1);
	c->buf[c->len] = '\0';
	*s = c->buf;
	*len = c->len;
	*trunc = c->truncated;
	c->buf = NULL;
}
