/*
 * net.ipv4.ip_forward is one switch for the whole namespace, shared by every network that
 * routes. netd turns it on only when such a network comes up and it is off, remembers the
 * value it found in <state>/ip_forward.saved (a state file of kind "ip_forward", so a netd
 * restart still knows), and puts that value back when the last such network goes down.
 *
 * A saved value that does not load is never guessed at: ip_forward stays as it is, down says
 * so, and the file stays until the administrator removes it. (Unlike the uplink's snapshot,
 * there is no kernel fact to check a .prev against, and leaving forwarding on harms nothing
 * netd was not already running with.)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine_priv.h"
#include "netd/util/state_file.h"

/* One forwarding switch: IPv4's, and IPv6's (issue 10) kept the same way in a file of its own
 * (net.ipv6.conf.all.forwarding, which a network with an IPv6 prefix needs as IPv4's). */
struct fwd {
	const char *key, *kind, *name, *file;
};

static const struct fwd fwd4 = {"net/ipv4/ip_forward", "ip_forward", "net.ipv4.ip_forward",
                                "ip_forward.saved"};
/* Its kind is the sysctl's own name: a state file's kind is letters and '_' only. */
static const struct fwd fwd6 = {"net/ipv6/conf/all/forwarding", "forwarding",
                                "net.ipv6.conf.all.forwarding", "ip6_forward.saved"};

static void saved_path(const struct fwd *f, const char *state_dir, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", state_dir, f->file);
}

/* {"net.ipv4.ip_forward":"0"}; the format before the envelope was the bare value, "0\n". */
static int parse(const struct fwd *f, const char *text, bool legacy, char val[2])
{
	json_object *j = NULL, *v;
	const char *s = text;
	int ret = -EINVAL;

	if (!legacy) {
		j = json_tokener_parse(text);
		if (!j || !json_object_is_type(j, json_type_object) ||
		    !json_object_object_get_ex(j, f->name, &v) ||
		    !json_object_is_type(v, json_type_string))
			goto out;
		s = json_object_get_string(v);
	}
	if ((s[0] == '0' || s[0] == '1') &&
	    (s[1] == '\0' || (legacy && strcmp(s + 1, "\n") == 0))) {
		val[0] = s[0];
		val[1] = '\0';
		ret = 0;
	}
out:
	json_object_put(j);
	return ret;
}

/* The saved value: 0, -ENOENT, -EINVAL (info says why), -ENOMEM. */
static int load(const struct fwd *f, const char *state_dir, char val[2],
                struct netd_state_info *info)
{
	char path[NETD_PATH_MAX], *text = NULL;
	int ret;

	saved_path(f, state_dir, path, sizeof(path));
	ret = netd_state_load(path, f->kind, NETD_STATE_CURRENT, &text, info);
	if (ret == 0 && parse(f, text, info->legacy, val) < 0)
		ret = netd_state_refuse(info, f->kind, "not \"0\" or \"1\"");
	free(text);
	return ret;
}

static int saved(const struct fwd *f, const char *state_dir)
{
	struct netd_state_info info;
	char val[2];
	int ret = load(f, state_dir, val, &info);

	return ret == 0 ? 1 : ret == -ENOENT ? 0 : -EINVAL;
}

int netd_forwarding_issue(const char *state_dir, struct netd_state_issue *issue)
{
	struct netd_state_info info;
	char val[2];
	int ret = load(&fwd4, state_dir, val, &info);

	memset(issue, 0, sizeof(*issue));
	if (ret == -ENOMEM)
		return ret;
	if (ret == -EINVAL) {
		issue->bad = true;
		snprintf(issue->file, sizeof(issue->file), "%s", info.path);
		snprintf(issue->reason, sizeof(issue->reason), "%s", info.reason);
	}
	return 0;
}

static int enable(const struct fwd *f, const char *state_dir, bool *changed, struct netd_diag *diag)
{
	char path[NETD_PATH_MAX], cur[16], text[64];
	struct stat st;
	int ret;

	*changed = false;
	ret = netd_sysctl_read(f->key, cur, sizeof(cur));
	if (ret < 0) {
		netd_diag_set(diag, "reading %s: %s", f->key, strerror(-ret));
		return ret;
	}
	if (strcmp(cur, "1") == 0)
		return 0;
	saved_path(f, state_dir, path, sizeof(path));
	/* A value saved already (even one that does not load) is the one found first. */
	if (lstat(path, &st) < 0) {
		snprintf(text, sizeof(text), "{\"%s\":\"%s\"}\n", f->name, cur);
		ret = netd_state_write(path, f->kind, text);
		if (ret < 0) {
			netd_diag_set(diag, "saving %s to %s: %s", f->key, path, strerror(-ret));
			return ret;
		}
	}
	ret = netd_sysctl_write(f->key, "1");
	if (ret < 0) {
		netd_diag_set(diag, "writing %s=1: %s", f->key, strerror(-ret));
		netd_state_remove(path, NULL);
		return ret;
	}
	*changed = true;
	return 0;
}

static int restore(const struct fwd *f, const char *state_dir, struct netd_diag *diag)
{
	struct netd_state_info info;
	char path[NETD_PATH_MAX], val[2], cur[16] = "?";
	int ret;

	saved_path(f, state_dir, path, sizeof(path));
	ret = load(f, state_dir, val, &info);
	if (ret == -ENOENT)
		return 0;
	if (ret == -EINVAL) {
		netd_sysctl_read(f->key, cur, sizeof(cur));
		netd_diag_set(diag,
		              "%s %s: netd leaves %s as it is (%s); set it to the value the host "
		              "had and remove the file",
		              info.path, info.reason, f->name, cur);
	}
	if (ret < 0)
		return ret;
	ret = netd_sysctl_write(f->key, val);
	if (ret < 0) {
		netd_diag_set(diag, "restoring %s=%s: %s", f->key, val, strerror(-ret));
		return ret;
	}
	return netd_state_remove(path, diag);
}

int netd_forwarding_saved(const char *state_dir)
{
	int v4 = saved(&fwd4, state_dir), v6 = saved(&fwd6, state_dir);

	return v4 < 0 ? v4 : v6 < 0 ? v6 : v4 || v6;
}

int netd_forwarding_enable(const char *state_dir, bool *changed, struct netd_diag *diag)
{
	return enable(&fwd4, state_dir, changed, diag);
}

int netd_forwarding6_enable(const char *state_dir, bool *changed, struct netd_diag *diag)
{
	return enable(&fwd6, state_dir, changed, diag);
}

/* Both switches, each from its own file (none saved: left alone); the first error wins. */
int netd_forwarding_restore(const char *state_dir, struct netd_diag *diag)
{
	struct netd_diag d6;
	int ret = restore(&fwd4, state_dir, diag), ret6 = restore(&fwd6, state_dir, &d6);

	if (ret == 0 && ret6 < 0) {
		*diag = d6;
		ret = ret6;
	}
	return ret;
}

int netd_forwarding6_on(void)
{
	char cur[16];

	return netd_sysctl_read(fwd6.key, cur, sizeof(cur)) == 0 && strcmp(cur, "1") == 0;
}
