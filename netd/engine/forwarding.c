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

#define FWD_KEY  "net/ipv4/ip_forward"
#define FWD_KIND "ip_forward"
#define FWD_NAME "net.ipv4.ip_forward"

static void saved_path(const char *state_dir, char *buf, size_t len)
{
	snprintf(buf, len, "%s/ip_forward.saved", state_dir);
}

/* {"net.ipv4.ip_forward":"0"}; the format before the envelope was the bare value, "0\n". */
static int parse(const char *text, bool legacy, char val[2])
{
	json_object *j = NULL, *v;
	const char *s = text;
	int ret = -EINVAL;

	if (!legacy) {
		j = json_tokener_parse(text);
		if (!j || !json_object_is_type(j, json_type_object) ||
		    !json_object_object_get_ex(j, FWD_NAME, &v) ||
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
static int load(const char *state_dir, char val[2], struct netd_state_info *info)
{
	char path[NETD_PATH_MAX], *text = NULL;
	int ret;

	saved_path(state_dir, path, sizeof(path));
	ret = netd_state_load(path, FWD_KIND, NETD_STATE_CURRENT, &text, info);
	if (ret == 0 && parse(text, info->legacy, val) < 0)
		ret = netd_state_refuse(info, FWD_KIND, "not \"0\" or \"1\"");
	free(text);
	return ret;
}

int netd_forwarding_saved(const char *state_dir)
{
	struct netd_state_info info;
	char val[2];
	int ret = load(state_dir, val, &info);

	return ret == 0 ? 1 : ret == -ENOENT ? 0 : -EINVAL;
}

int netd_forwarding_issue(const char *state_dir, struct netd_state_issue *issue)
{
	struct netd_state_info info;
	char val[2];
	int ret = load(state_dir, val, &info);

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

int netd_forwarding_enable(const char *state_dir, bool *changed, struct netd_diag *diag)
{
	char path[NETD_PATH_MAX], cur[16], text[64];
	struct stat st;
	int ret;

	*changed = false;
	ret = netd_sysctl_read(FWD_KEY, cur, sizeof(cur));
	if (ret < 0) {
		netd_diag_set(diag, "reading %s: %s", FWD_KEY, strerror(-ret));
		return ret;
	}
	if (strcmp(cur, "1") == 0)
		return 0;
	saved_path(state_dir, path, sizeof(path));
	/* A value saved already (even one that does not load) is the one found first. */
	if (lstat(path, &st) < 0) {
		snprintf(text, sizeof(text), "{\"" FWD_NAME "\":\"%s\"}\n", cur);
		ret = netd_state_write(path, FWD_KIND, text);
		if (ret < 0) {
			netd_diag_set(diag, "saving %s to %s: %s", FWD_KEY, path, strerror(-ret));
			return ret;
		}
	}
	ret = netd_sysctl_write(FWD_KEY, "1");
	if (ret < 0) {
		netd_diag_set(diag, "writing %s=1: %s", FWD_KEY, strerror(-ret));
		netd_state_remove(path, NULL);
		return ret;
	}
	*changed = true;
	return 0;
}

int netd_forwarding_restore(const char *state_dir, struct netd_diag *diag)
{
	struct netd_state_info info;
	char path[NETD_PATH_MAX], val[2], cur[16] = "?";
	int ret;

	saved_path(state_dir, path, sizeof(path));
	ret = load(state_dir, val, &info);
	if (ret == -ENOENT)
		return 0;
	if (ret == -EINVAL) {
		netd_sysctl_read(FWD_KEY, cur, sizeof(cur));
		netd_diag_set(diag,
		              "%s %s: netd leaves %s as it is (%s); set it to the value the host "
		              "had and remove the file",
		              info.path, info.reason, FWD_NAME, cur);
	}
	if (ret < 0)
		return ret;
	ret = netd_sysctl_write(FWD_KEY, val);
	if (ret < 0) {
		netd_diag_set(diag, "restoring %s=%s: %s", FWD_KEY, val, strerror(-ret));
		return ret;
	}
	return netd_state_remove(path, diag);
}
