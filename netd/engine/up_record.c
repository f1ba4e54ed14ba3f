/*
 * <state>/<network>.up: netd's record that a network is meant to be up, the intent the
 * reconcile holds the kernel to (a deleted bridge is made anew because of it). All its I/O is
 * here. It names the boot it was written in: a reboot takes every bridge away, and then the
 * networks are down whatever the file says; Autostart= is what brings them back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The record's text for network in this boot (caller frees *out). */
static int record_text(const char *network, char **out)
{
	char *boot = NULL;
	int ret = netd_file_read(BOOT_ID_FILE, 64, &boot);

	if (ret < 0)
		return ret;
	boot[strcspn(boot, "\n")] = '\0';
	ret = asprintf(out, "network=%s\nboot=%s\n", network, boot) < 0 ? -ENOMEM : 0;
	free(boot);
	return ret;
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
