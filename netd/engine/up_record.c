/*
 * <state>/<network>.up: netd's record that a network is meant to be up, the intent the
 * reconcile holds the kernel to (a deleted bridge is made anew because of it). All its I/O is
 * here. It names the boot it was written in: a reboot takes every bridge away, and then the
 * networks are down whatever the file says; Autostart= is what brings them back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine_priv.h"
#include "netd/util/fsutil.h"
#include "netd/util/state_file.h"

#define BOOT_ID_FILE "/proc/sys/kernel/random/boot_id"
#define RECORD_KIND  "up"

static int record_path(const char *state_dir, const char *network, char *buf, size_t len)
{
	if (!netd_netname_valid(network) ||
	    (size_t)snprintf(buf, len, "%s/%s.up", state_dir, network) >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* This boot's id, read once: a process never outlives its boot, and the reconcile reads every
 * network's record every pass. Read with read(): /proc files have a stat() size of 0, so a
 * reader that trusts the size gets nothing (and every boot would then look alike). */
static int boot_id(const char **out)
{
	static char id[64];
	char buf[sizeof(id)];
	ssize_t n;
	int fd, ret;

	if (!id[0]) {
		fd = open(BOOT_ID_FILE, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		n = read(fd, buf, sizeof(buf) - 1);
		ret = n < 0 ? -errno : 0;
		close(fd);
		if (n <= 0)
			return n < 0 ? ret : -ENODATA;
		buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		if (!buf[0])
			return -ENODATA;
		memcpy(id, buf, sizeof(id));
	}
	*out = id;
	return 0;
}

/* The record's text for network in this boot (caller frees *out). */
static int record_text(const char *network, char **out)
{
	const char *boot;
	int ret = boot_id(&boot);

	if (ret < 0)
		return ret;
	return asprintf(out, "network=%s\nboot=%s\n", network, boot) < 0 ? -ENOMEM : 0;
}

/* 0: have is want, the record of this network in this boot; -ESTALE: this network's of
 * another boot; -EINVAL: anything else. */
static int record_check(const char *have, const char *want)
{
	size_t first = strcspn(want, "\n") + 1; /* "network=<name>\n" */

	if (strcmp(have, want) == 0)
		return 0;
	if (strncmp(have, want, first) == 0 && strncmp(have + first, "boot=", 5) == 0)
		return -ESTALE;
	return -EINVAL;
}

int netd_up_record_save(const char *state_dir, const char *network)
{
	char path[NETD_PATH_MAX], *text = NULL;
	int ret = record_path(state_dir, network, path, sizeof(path));

	if (ret == 0)
		ret = record_text(network, &text);
	/* Durable, in the state files' envelope: after a crash it is what says the network is to
	 * be kept up. */
	if (ret == 0)
		ret = netd_state_write(path, RECORD_KIND, text);
	free(text);
	return ret;
}

int netd_up_record_load(const char *state_dir, const char *network)
{
	char path[NETD_PATH_MAX], *have = NULL, *want = NULL;
	int ret = record_path(state_dir, network, path, sizeof(path));

	/* A damaged record says nothing: the network counts as up only if its bridge is there. */
	if (ret == 0)
		ret = netd_state_load(path, RECORD_KIND, NETD_STATE_CURRENT, &have, NULL);
	if (ret == 0)
		ret = record_text(network, &want);
	if (ret == 0)
		ret = record_check(have, want);
	free(have);
	free(want);
	return ret;
}

int netd_up_record_forget(const char *state_dir, const char *network)
{
	char path[NETD_PATH_MAX];
	int ret = record_path(state_dir, network, path, sizeof(path));

	if (ret == 0)
		ret = netd_state_remove(path, NULL);
	return ret;
}
