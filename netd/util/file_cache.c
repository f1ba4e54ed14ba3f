/*
 * Small files kept by path (include/netd/util/file_cache.h): a chained hash table of the
 * paths, each with the stat its content was read under.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "netd/util/file_cache.h"

#define BUCKETS 4096

struct entry {
	struct entry *next;
	char *path;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
	char *text;
	size_t len;
};

static struct entry *table[BUCKETS];
static uint64_t hits, misses;

static size_t bucket(const char *path)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	return (size_t)(h % BUCKETS);
}

static struct entry **find(const char *path)
{
	struct entry **e = &table[bucket(path)];

	while (*e && strcmp((*e)->path, path) != 0)
		e = &(*e)->next;
	return e;
}

static bool same_time(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static bool same_file(const struct entry *e, const struct stat *st)
{
	return e->dev == st->st_dev && e->ino == st->st_ino && e->size == st->st_size &&
	       same_time(e->mtime, st->st_mtim) && same_time(e->ctime, st->st_ctim);
}

int netd_file_cache_get(const char *path, const struct stat *st, char **out, size_t *len)
{
	struct entry *e = *find(path);
	char *copy;

	if (!e || !same_file(e, st) || !(copy = malloc(e->len + 1))) {
		misses++;
		return 0;
	}
	memcpy(copy, e->text, e->len);
	copy[e->len] = '\0';
	*out = copy;
	*len = e->len;
	hits++;
	return 1;
}

static void entry_free(struct entry *e)
{
	free(e->path);
	free(e->text);
	free(e);
}

void netd_file_cache_forget(const char *path)
{
	struct entry **p = find(path), *e = *p;

	if (!e)
		return;
	*p = e->next;
	entry_free(e);
}

/* Changed within NETD_FILE_CACHE_STILL_MS of now: a change in the same tick of the file's
 * clock would leave its times as they are. ctime moves with every write and chmod. */
static bool still(const struct stat *st)
{
	struct timespec now;
	long long changed_ms, now_ms;

	clock_gettime(CLOCK_REALTIME, &now);
	changed_ms = (long long)st->st_ctim.tv_sec * 1000 + st->st_ctim.tv_nsec / 1000000;
	now_ms = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	return now_ms - changed_ms >= NETD_FILE_CACHE_STILL_MS;
}

void netd_file_cache_put(const char *path, const struct stat *st, const char *text, size_t len)
{
	struct entry **p, *e;

	netd_file_cache_forget(path);
	if (!S_ISREG(st->st_mode) || !still(st))
		return;
	e = calloc(1, sizeof(*e));
	if (!e)
		return;
	e->path = strdup(path);
	e->text = malloc(len + 1);
	if (!e->path || !e->text) {
		entry_free(e); /* not kept: the next look reads the file */
		return;
	}
	memcpy(e->text, text, len);
	e->text[len] = '\0';
	e->len = len;
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->size = st->st_size;
	e->mtime = st->st_mtim;
	e->ctime = st->st_ctim;
	p = find(path);
	e->next = *p;
	*p = e;
}

void netd_file_cache_counts(uint64_t *h, uint64_t *m)
{
	*h = hits;
	*m = misses;
}
