/* <state>/<network>.taps on disk: the records of attach_state.c, in a state file of kind "taps"
 * (netd/util/state_file.h: envelope, atomic durable write, previous copy). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine_priv.h"
#include "netd/util/state_file.h"

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
	if (!netd_netname_valid(network))
		return -ENAMETOOLONG;
	return netd_state_path(buf, len, state_dir, network, NETD_TAPS_KIND);
}

/* One copy of the record: 0, -ENOENT, -EINVAL (info says why), -ENOMEM. */
static int load_copy(const char *path, enum netd_state_copy which, struct netd_tap_state *out,
                     struct netd_state_info *info)
{
	struct netd_diag d = {{0}};
	char *text = NULL;
	int ret;

	ret = netd_state_load(path, NETD_TAPS_KIND, which, &text, info);
	if (ret == 0 && netd_tap_state_parse(text, out, &d) < 0)
		ret = netd_state_refuse(info, NETD_TAPS_KIND, d.msg);
	free(text);
	return ret;
}

int netd_tap_state_load(const char *state_dir, const char *network, struct netd_tap_state *out,
                        struct netd_diag *diag)
{
	struct netd_state_info info;
	char path[NETD_PATH_MAX];
	struct stat st;
	bool regular;
	int ret, slot;

	out->v = NULL;
	out->n = 0;
	ret = state_path(state_dir, network, path, sizeof(path));
	if (ret < 0)
		return ret;
	regular = stat(path, &st) == 0 && S_ISREG(st.st_mode);
	if (regular && (slot = cache_find(path)) >= 0 && same_file(&st, &cache[slot].st))
		return netd_tap_state_copy(&cache[slot].s, out);
	ret = load_copy(path, NETD_STATE_CURRENT, out, &info);
	if (ret == -ENOENT)
		return 0;
	if (ret == -EINVAL)
		netd_diag_set(diag,
		              "%s %s: netd leaves the taps of network %s alone until it loads; "
		              "`netdctl down %s` removes every tap tagged netd:%s and forgets it",
		              info.path, info.reason, network, network, network);
	else if (ret == 0 && regular)
		cache_put(path, &st, out);
	return ret;
}

int netd_tap_state_issue(const char *state_dir, const char *network, struct netd_state_issue *issue)
{
	struct netd_tap_state s = {0};
	struct netd_state_info info;
	char path[NETD_PATH_MAX];
	int ret;

	memset(issue, 0, sizeof(*issue));
	ret = state_path(state_dir, network, path, sizeof(path));
	if (ret == 0)
		ret = load_copy(path, NETD_STATE_CURRENT, &s, &info);
	netd_tap_state_clear(&s);
	if (ret != -EINVAL)
		return ret == -ENOENT ? 0 : ret;
	issue->bad = true;
	snprintf(issue->file, sizeof(issue->file), "%s", info.path);
	snprintf(issue->reason, sizeof(issue->reason), "%s", info.reason);
	ret = load_copy(path, NETD_STATE_PREV, &s, NULL);
	issue->prev_loads = ret == 0;
	netd_tap_state_clear(&s);
	return ret == -ENOMEM ? ret : 0;
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
	if (s->n == 0)
		return netd_state_remove(path, diag);
	ret = netd_tap_state_format(network, s, &text);
	if (ret < 0)
		goto out;
	ret = netd_state_write(path, NETD_TAPS_KIND, text);
	if (ret == 0 && stat(path, &st) == 0)
		cache_put(path, &st, s);
out:
	if (ret < 0)
		netd_diag_set(diag, "writing %s: %s", path, strerror(-ret));
	free(text);
	return ret;
}
