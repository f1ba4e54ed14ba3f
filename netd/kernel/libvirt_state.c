/* libvirt's running networks, read from its network driver's status directory (one
 * NAME.xml per active network), for the message `up` gives on a collision. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/kernel/libvirt_state.h"
#include "netd/util/fsutil.h"

#define XML_MAX (1024 * 1024)

int netd_libvirt_networks_read(struct netd_libvirt_net **out, size_t *n)
{
	const char *dir = getenv("NETD_LIBVIRT_NETWORK_DIR");
	struct netd_libvirt_net *v = NULL, *bigger;
	struct dirent *de;
	char path[NETD_PATH_MAX], *xml;
	size_t k = 0;
	DIR *d;

	*out = NULL;
	*n = 0;
	d = opendir(dir && *dir ? dir : NETD_LIBVIRT_NETWORK_DIR);
	if (!d)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len < 5 || strcmp(de->d_name + len - 4, ".xml") != 0 ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s",
		                     dir && *dir ? dir : NETD_LIBVIRT_NETWORK_DIR,
		                     de->d_name) >= sizeof(path))
			continue;
		if (netd_file_read(path, XML_MAX, &xml) < 0)
			continue;
		bigger = realloc(v, (k + 1) * sizeof(*v));
		if (bigger) {
			v = bigger;
			if (netd_libvirt_net_parse(xml, &v[k]) == 0)
				k++;
		}
		free(xml);
		if (!bigger)
			break;
	}
	closedir(d);
	*out = v;
	*n = k;
	return 0;
}
