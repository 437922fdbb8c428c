/*
 * exec_capture.h - private to exec.c: what the parent keeps of a child's
 * output stream.
 *
 * exec_capture.c owns the two ways a stream is taken in: captured into
 * memory up to a bound (the rest counted and thrown away), or, for a
 * streamed stdout, cut into lines handed to the caller's callback as they
 * arrive, with one line buffer of bounded size.  Only exec.c may include
 * this header.  Nothing here does I/O or logs; allocation failures abort
 * (pfa_xmalloc).
 */
#ifndef PFA_EXEC_CAPTURE_H
#define PFA_EXEC_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "exec.h"

struct pfa_capture {
	char *buf;		/* the capture, or the line being assembled */
	size_t len, cap, max;	/* max: capture or line bound */
	size_t lines;		/* newlines seen, kept or not */
	bool truncated;		/* capture: something was thrown away */
	/* streaming: lines to ON_LINE instead of a capture */
	pfa_exec_line_fn on_line;
	void *arg;
	bool cut;		/* the current line went past max */
	bool strip_cr;		/* a terminal's "\r\n" ends a line too */
	bool stopped;		/* the callback asked to stop */
};

/* A capture of at most MAX bytes, or with ON_LINE a line stream whose
 * lines are cut at MAX bytes. */
void pfa_capture_init(struct pfa_capture *c, size_t max,
    pfa_exec_line_fn on_line, void *arg, bool strip_cr);
/* N more bytes from the child.  Streaming: every complete line goes to
 * the callback (none after it asked to stop). */
void pfa_capture_add(struct pfa_capture *c, const char *p, size_t n);
/*
 * The end of the stream: a streamed last line without a newline goes to
 * the callback; a capture is NUL-terminated and handed over in *S (never
 * NULL; "" for a stream), *LEN, *TRUNC.  C owns nothing afterwards.
 */
void pfa_capture_finish(struct pfa_capture *c, char **s, size_t *len,
    bool *trunc);

#endif
