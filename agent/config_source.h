/*
 * config_source.h - the files a pfagent configuration is made of, read
 * before libconfig sees them.
 *
 * libconfig (1.5, Debian 12) opens @include files itself, unchecked,
 * blocking on a FIFO, relative to the working directory, and wraps an
 * integer too large for an int without a word.  So the configuration
 * file is read here (without blocking, a regular file only), every
 * @include in it is found, checked by the ownership rule (trust.h) and
 * read the same way, at any depth, before libconfig parses the text; a
 * relative @include is taken relative to the configuration file's
 * directory.  The texts stay, so that the literal of a number can be
 * looked up where libconfig recorded the setting.  Problems are reported
 * through config.c as "FILE:LINE: message".
 */
#ifndef PFA_CONFIG_SOURCE_H
#define PFA_CONFIG_SOURCE_H

#include <libconfig.h>
#include <stddef.h>

#define PFA_CONF_MAX_FILES	32	/* the file and what it includes */
#define PFA_CONF_MAX_DEPTH	10	/* libconfig's own include limit */
#define PFA_CONF_MAX_SIZE	(1024 * 1024)

struct pfa_conf_file {
	char *name;		/* as libconfig names it: NULL for the main
				 * file, else the @include's string */
	char *path;		/* absolute */
	char *text;		/* whole, NUL-terminated */
};

struct pfa_conf_files {
	struct pfa_conf_file v[PFA_CONF_MAX_FILES];
	size_t n;
	char *dir;		/* the main file's directory, where relative
				 * @include names start */
};

/*
 * Reads PATH and every file it includes (checked, as above).  0, or -1
 * after reporting each problem.  Free with pfa_conf_files_free in any case.
 */
int pfa_conf_files_read(struct pfa_conf_files *f, const char *path);
void pfa_conf_files_free(struct pfa_conf_files *f);

/* The file a setting came from (libconfig's name for it: NULL = main). */
const struct pfa_conf_file *pfa_conf_files_find(const struct pfa_conf_files *f,
    const char *name);

/*
 * 0 when every setting under ROOT came from a file read here; else -1
 * after reporting the first one that did not.
 */
int pfa_conf_files_cover(const struct pfa_conf_files *f,
    const config_setting_t *root);

/*
 * The literal text of scalar setting S's value as written in its file
 * ("4294969344", "0x10", "2048L") into BUF; 0, or -1 when it cannot be
 * found on the line libconfig recorded.
 */
int pfa_conf_literal(const struct pfa_conf_files *f,
    const config_setting_t *s, char *buf, size_t size);

#endif
