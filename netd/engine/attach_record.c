/* <state>/<network>.taps on disk: the records of attach_state.c, read and written atomically. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine_priv.h"
#include "netd/util/fsutil.h"

/*
 * The last state each file was saved or loaded with, keyed by path and checked against the
 * file's identity (inode, size, mtime): netd reads the record on every attach and detach, and
 * parsing it again costs more than the rest of an attach once a network has 100s of taps.
 * Anyone who rewrites the file changes its identity, and the file is read again.
 */
#define CACHE_SLOTS 8

static struct {
	char path[NETD_PATH_MAX];
	struct stat st;
	struct netd_tap_state s;
} cache[CACHE_SLOTS];
static unsigned cache_next;

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static int cache_find(const char *path)
{
	for (int i = 0; i < CACHE_SLOTS; i++)
		if (strcmp(cache[i].path, path) == 0)
			return i;
	return -1;
}

/* Remember s as the content of path (st NULL: forget path). */
static void cache_put(const char *path, const struct stat *st, const struct netd_tap_state *s)
{
	int i = cache_find(path);

	if (i < 0) {
		i = (int)(cache_next++ % CACHE_SLOTS);
	}
	netd_tap_state_clear(&cache[i].s);
	cache[i].path[0] = '\0';
	if (!st || netd_tap_state_copy(s, &cache[i].s) < 0)
		return;
	snprintf(cache[i].path, sizeof(cache[i].path), "%s", path);
	cache[i].st = *st;
}

static int state_path(const char *state_dir, const char *network, char *buf, size_t len)
{
	if (!netd_netname_valid(network) ||
	    (size_t)snprintf(buf, len, "%s/%s.taps", state_dir, network) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int netd_tap_state_load(const char *state_dir, const char *network, struct netd_tap_state *out,
                        struct netd_diag *diag)
{
	char path[NETD_PATH_MAX], *text = NULL;
	struct netd_diag d = {{0}};
	struct stat st;
	size_t len = 0;
	FILE *f = NULL;
	int ret, slot;

	out->v = NULL;
	out->n = 0;
	ret = state_path(state_dir, network, path, sizeof(path));
	if (ret < 0)
		return ret;
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		ret = -errno;
		netd_diag_set(diag, "reading %s: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(fileno(f), &st) == 0 && (slot = cache_find(path)) >= 0 &&
	    same_file(&st, &cache[slot].st)) {
		fclose(f);
		return netd_tap_state_copy(&cache[slot].s, out);
	}
	if (getdelim(&text, &len, '\0', f) < 0) {
		ret = feof(f) ? 0 : -EIO; /* an empty file is an empty record */
		if (ret < 0)
			netd_diag_set(diag, "reading %s: %s", path, strerror(EIO));
		goto out;
	}
	ret = netd_tap_state_parse(text, out, &d);
	if (ret < 0)
		netd_diag_set(diag, "%s: %s", path, d.msg);
	else
		cache_put(path, &st, out);
out:
	free(text);
	fclose(f);
	return ret;
}

int netd_tap_state_save(const char *state_dir, const char *network, const struct netd_tap_state *s,
                        struct netd_diag *diag)
{
	char path[NETD_PATH_MAX], *text = NULL;
	struct stat st;
	int ret;

	ret = state_path(state_dir, network, path, sizeof(path));
	if (ret < 0)
		return ret;
	cache_put(path, NULL, NULL);
	if (s->n == 0) {
		if (unlink(path) < 0 && errno != ENOENT) {
			ret = -errno;
			netd_diag_set(diag, "removing %s: %s", path, strerror(errno));
		}
		return ret;
	}
	ret = netd_tap_state_format(network, s, &text);
	if (ret < 0)
		goto out;
	/* Not durable: the rename is atomic for a netd that crashes, and what a power loss
	 * takes (the taps) the record no longer needs to describe. */
	ret = netd_file_write_atomic(path, text, 0644, false);
	if (ret == 0 && stat(path, &st) == 0)
		cache_put(path, &st, s);
out:
	if (ret < 0)
		netd_diag_set(diag, "writing %s: %s", path, strerror(-ret));
	free(text);
	return ret;
}
