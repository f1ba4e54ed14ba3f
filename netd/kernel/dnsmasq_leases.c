/* dnsmasq's lease file, read whole and handed to the pure parser (core/leases.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "netd/kernel/dnsmasq.h"

/* The whole file into *out (NULL, 0 when there is none). */
static int read_text(const struct netd_dnsmasq_paths *p, char **out)
{
	char *text = NULL;
	size_t len = 0, cap = 0;
	ssize_t r;
	int fd, ret;

	*out = NULL;
	fd = open(p->leases, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	for (;;) {
		if (cap - len < 4096) {
			char *t = realloc(text, cap + 65536);

			if (!t) {
				ret = -ENOMEM;
				goto out;
			}
			text = t;
			cap += 65536;
		}
		r = read(fd, text + len, cap - len - 1);
		if (r < 0) {
			ret = -errno;
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	text[len] = '\0';
	*out = text;
	text = NULL;
	ret = 0;
out:
	free(text);
	close(fd);
	return ret;
}

int netd_dnsmasq_leases_read(const struct netd_dnsmasq_paths *p, struct netd_lease **out, size_t *n)
{
	char *text = NULL;
	int ret = read_text(p, &text);

	*out = NULL;
	*n = 0;
	if (ret == 0 && text)
		ret = netd_dnsmasq_leases_parse(text, out, n);
	free(text);
	return ret;
}

int netd_dnsmasq_leases6_read(const struct netd_dnsmasq_paths *p, struct netd_lease6 **out,
                              size_t *n)
{
	char *text = NULL;
	int ret = read_text(p, &text);

	*out = NULL;
	*n = 0;
	if (ret == 0 && text)
		ret = netd_dnsmasq_leases6_parse(text, out, n);
	free(text);
	return ret;
}
