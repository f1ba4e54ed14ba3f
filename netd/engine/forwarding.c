/*
 * net.ipv4.ip_forward is one switch for the whole namespace, shared by every network that
 * routes. netd turns it on only when such a network comes up and it is off, remembers the
 * value it found in <state>/ip_forward.saved (so a netd restart still knows), and puts that
 * value back when the last such network goes down.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine_priv.h"

#define FWD_KEY "net/ipv4/ip_forward"

static void saved_path(const char *state_dir, char *buf, size_t len)
{
	snprintf(buf, len, "%s/ip_forward.saved", state_dir);
}

bool netd_forwarding_saved(const char *state_dir)
{
	char path[NETD_PATH_MAX];

	saved_path(state_dir, path, sizeof(path));
	return access(path, F_OK) == 0;
}

int netd_forwarding_enable(const char *state_dir, bool *changed, struct netd_diag *diag)
{
	char path[NETD_PATH_MAX], cur[16];
	FILE *f;
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
	if (access(path, F_OK) != 0) {
		f = fopen(path, "we");
		if (!f || fprintf(f, "%s\n", cur) < 0 || fclose(f) != 0) {
			ret = -errno;
			netd_diag_set(diag, "saving %s to %s: %s", FWD_KEY, path, strerror(errno));
			return ret;
		}
	}
	ret = netd_sysctl_write(FWD_KEY, "1");
	if (ret < 0) {
		netd_diag_set(diag, "writing %s=1: %s", FWD_KEY, strerror(-ret));
		unlink(path);
		return ret;
	}
	*changed = true;
	return 0;
}

int netd_forwarding_restore(const char *state_dir, struct netd_diag *diag)
{
	char path[NETD_PATH_MAX], val[16] = "";
	FILE *f;
	int ret;

	saved_path(state_dir, path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	if (!fgets(val, sizeof(val), f))
		val[0] = '\0';
	fclose(f);
	val[strcspn(val, "\n")] = '\0';
	if (strcmp(val, "0") != 0 && strcmp(val, "1") != 0) {
		netd_diag_set(diag, "%s: unexpected saved value '%s'; leaving %s alone", path, val,
		              FWD_KEY);
		unlink(path);
		return -EINVAL;
	}
	ret = netd_sysctl_write(FWD_KEY, val);
	if (ret < 0) {
		netd_diag_set(diag, "restoring %s=%s: %s", FWD_KEY, val, strerror(-ret));
		return ret;
	}
	unlink(path);
	return 0;
}
