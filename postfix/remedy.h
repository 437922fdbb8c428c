/*
 * remedy.h - the one builder of remedies: the command a person pastes to
 * fix a finding, for the Postfix instance the finding is about.
 *
 * Every module that suggests a Postfix command builds it here, with the
 * instance's configuration directory: for a non-default instance each
 * Postfix command in the text gets "-c DIR", so the remedy can be pasted
 * as it is.  Nothing here runs or logs.
 */
#ifndef PFA_REMEDY_H
#define PFA_REMEDY_H

/* The default instance: its commands need no -c. */
#define PFA_DEFAULT_POSTFIX_DIR "/etc/postfix"

/*
 * FMT formatted; then, unless CONFIG_DIR is the default instance (or NULL
 * or ""), "-c CONFIG_DIR" (quoted for the shell when it must be) after every postconf, postmap, postalias,
 * postfix, postsuper and postqueue that starts a command (at the start,
 * or after a space, a backquote, "(", ";" or "&") and has no -c yet.
 * Caller frees.
 */
char *pfa_remedy(const char *config_dir, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* S quoted for a POSIX shell when it needs it (free the result). */
char *pfa_shquote(const char *s);

#endif
