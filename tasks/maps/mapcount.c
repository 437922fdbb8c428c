/*
 * mapcount.c - entry counts read from lmdb, cdb and Berkeley DB files.
 *
 * Reads only: it never opens a database through its library (lmdb's own
 * locking must not touch a Postfix lmdb file) and never writes.  Every
 * field it trusts is checked against the layout first; a file that does
 * not match is PFA_MAPCOUNT_UNKNOWN, not an error.  A file that cannot be
 * opened or read is logged once here and returns -1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "mapcount.h"

#define UNKNOWN PFA_MAPCOUNT_UNKNOWN

/* lmdb.h / mdb.c, data version 1, 64-bit: page header 16 bytes, then
 * MDB_meta {magic, version, address, mapsize, dbs[2] of 48 bytes, last_pg,
 * txnid}; MDB_db {pad (the page size, in dbs[0]), flags, depth, branch,
 * leaf, overflow, entries, root}.  Two meta pages; the newer one counts. */
#define LMDB_MAGIC 0xBEEFC0DEu
#define LMDB_VERSION 1u
#define LMDB_P_META 0x08u
#define LMDB_META_LEN (16 + 136)
#define LMDB_FLAGS_OFF 10	/* page header: mp_flags */
#define LMDB_PSIZE_OFF (16 + 24)	/* dbs[0].md_pad */
#define LMDB_ENTRIES_OFF (16 + 24 + 48 + 32)	/* dbs[1].md_entries */
#define LMDB_TXNID_OFF (16 + 128)

/* cdb (tinycdb, as postfix-cdb writes it): 256 little-endian (position,
 * slots) pairs; each hash table has two slots per record. */
#define CDB_HEADER 2048

/* Berkeley DB (db.h / dbinc/db_page.h, 4.x-5.x): DBMETA {lsn 8, pgno 4,
 * magic 4, version 4, pagesize 4, encrypt_alg 1, type 1, metaflags 1, ...};
 * every page header {lsn 8, pgno 4, prev 4, next 4, entries 2, hf_offset
 * 2, level 1, type 1}. */
#define DB_HASHMAGIC 0x061561u
#define DB_BTREEMAGIC 0x053162u
#define DB_META_MAGIC_OFF 12
#define DB_META_VERSION_OFF 16
#define DB_META_PSIZE_OFF 20
#define DB_META_ENCRYPT_OFF 24
#define DB_META_TYPE_OFF 25
#define DB_META_FLAGS_OFF 26
#define DB_META_CHKSUM 0x01u
#define DB_PAGE_ENTRIES_OFF 20
#define DB_PAGE_TYPE_OFF 25
#define P_DUPLICATE 1
#define P_HASH_UNSORTED 2
#define P_LBTREE 5
#define P_HASHMETA 8
#define P_BTREEMETA 9
#define P_LDUP 12
#define P_HASH 13
#define DB_CHUNK (1024 * 1024)

static uint16_t
get16(const unsigned char *p)
{
	uint16_t v;
	memcpy(&v, p, sizeof(v));	/* native order, as the writer's */
	return v;
}

static uint32_t
get32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t
get64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static long long
read_failed(const char *path, const char *step)
{
	return pfa_log_path_failed("count-failed", path, step);
}

/* Exactly LEN bytes at OFF; 1, 0 at a short file, -1 on error. */
static int
read_at(int fd, void *buf, size_t len, off_t off)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = pread(fd, (char *)buf + got, len - got,
		    off + (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		got += (size_t)n;
	}
	return 1;
}

static bool
is_pow2(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v >= lo && v <= hi && (v & (v - 1)) == 0;
}

/* Entry count of the newer of lmdb's two meta pages. */
static long long
count_lmdb(int fd, const struct stat *st, const char *path)
{
	unsigned char m[2][LMDB_META_LEN];
	if (sizeof(size_t) != 8)
		return UNKNOWN;
	int r = read_at(fd, m[0], sizeof(m[0]), 0);
	if (r <= 0)
		return r < 0 ? read_failed(path, "read") : UNKNOWN;
	uint32_t psize = get32(m[0] + LMDB_PSIZE_OFF);
	if (!is_pow2(psize, 4096, 65536) || st->st_size < 2 * (off_t)psize)
		return UNKNOWN;
	if (read_at(fd, m[1], sizeof(m[1]), psize) <= 0)
		return read_failed(path, "read");
	for (int i = 0; i < 2; i++)
		if (get32(m[i] + 16) != LMDB_MAGIC ||
		    get32(m[i] + 20) != LMDB_VERSION ||
		    !(get16(m[i] + LMDB_FLAGS_OFF) & LMDB_P_META))
			return UNKNOWN;
	int newer = get64(m[1] + LMDB_TXNID_OFF) > get64(m[0] + LMDB_TXNID_OFF);
	uint64_t n = get64(m[newer] + LMDB_ENTRIES_OFF);
	return n > INT64_MAX ? UNKNOWN : (long long)n;
}

static long long
count_cdb(int fd, const struct stat *st, const char *path)
{
	unsigned char h[CDB_HEADER];
	int r = read_at(fd, h, sizeof(h), 0);
	if (r <= 0)
		return r < 0 ? read_failed(path, "read") : UNKNOWN;
	uint64_t slots = 0;
	for (size_t i = 0; i < CDB_HEADER; i += 8) {
		uint64_t pos = le32(h + i), n = le32(h + i + 4);
		if (n > 0 && (pos < CDB_HEADER ||
		    pos + n * 8 > (uint64_t)st->st_size))
			return UNKNOWN;
		slots += n;
	}
	return slots % 2 ? UNKNOWN : (long long)(slots / 2);
}

/* Items on the data pages of a hash or btree file, two per entry. */
static long long
count_bdb(int fd, const struct stat *st, const char *path, bool hash)
{
	unsigned char meta[64];
	int r = read_at(fd, meta, sizeof(meta), 0);
	if (r <= 0)
		return r < 0 ? read_failed(path, "read") : UNKNOWN;
	uint32_t version = get32(meta + DB_META_VERSION_OFF);
	uint32_t psize = get32(meta + DB_META_PSIZE_OFF);
	if (get32(meta + DB_META_MAGIC_OFF) !=
	    (hash ? DB_HASHMAGIC : DB_BTREEMAGIC) ||
	    meta[DB_META_TYPE_OFF] != (hash ? P_HASHMETA : P_BTREEMETA) ||
	    version < 8 || version > 10 || meta[DB_META_ENCRYPT_OFF] != 0 ||
	    (meta[DB_META_FLAGS_OFF] & DB_META_CHKSUM) ||
	    !is_pow2(psize, 512, 65536) || st->st_size % psize != 0)
		return UNKNOWN;

	unsigned char *buf = pfa_xmalloc(DB_CHUNK);
	uint64_t items = 0;
	long long rc = UNKNOWN;
	for (off_t off = 0; off < st->st_size; off += DB_CHUNK) {
		size_t len = st->st_size - off < DB_CHUNK ?
		    (size_t)(st->st_size - off) : DB_CHUNK;
		if (read_at(fd, buf, len, off) <= 0) {
			rc = read_failed(path, "read");
			goto out;
		}
		for (size_t p = 0; p < len; p += psize) {
			unsigned type = buf[p + DB_PAGE_TYPE_OFF];
			if (type == P_DUPLICATE || type == P_LDUP)
				goto out;	/* not how postmap builds */
			if (hash ? type == P_HASH || type == P_HASH_UNSORTED :
			    type == P_LBTREE)
				items += get16(buf + p + DB_PAGE_ENTRIES_OFF);
		}
	}
	if (items % 2 == 0)
		rc = (long long)(items / 2);
out:
	free(buf);
	return rc;
}

long long
pfa_mapcount(const char *type, const char *path)
{
	bool hash = strcmp(type, "hash") == 0;
	bool btree = strcmp(type, "btree") == 0;
	bool lmdb = strcmp(type, "lmdb") == 0;
	if (!hash && !btree && !lmdb && strcmp(type, "cdb") != 0)
		return UNKNOWN;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
	    O_NOCTTY);
	if (fd < 0)
		return read_failed(path, "open");
	struct stat st;
	long long n;
	if (fstat(fd, &st) < 0)
		n = read_failed(path, "fstat");
	else if (!S_ISREG(st.st_mode))
		n = UNKNOWN;
	else if (lmdb)
		n = count_lmdb(fd, &st, path);
	else if (hash || btree)
		n = count_bdb(fd, &st, path, hash);
	else
		n = count_cdb(fd, &st, path);
	close(fd);		/* read-only */
	return n;
}
