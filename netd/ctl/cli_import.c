/* netdctl import-libvirt FILE.xml [--output DIR] [--force] [--uplink IFACE] (README: "From
 * libvirt"): reads the XML, converts it (libvirt_import.c), checks the result with the parser
 * `netdctl check` uses, and prints it or writes DIR/NAME.conf. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "netd/config.h"
#include "ctl.h"
#include "libvirt_import.h"

struct import_args {
	const char *file, *dir, *uplink;
	bool force;
};

/* Whether this netd's parser takes a network's IPv6 address (a second Address=): without it
 * an <ip family='ipv6'> is noted and dropped, so the output still passes `check`. */
bool netd_lv_parser_takes_ipv6(void)
{
	static const char probe[] = "[Network]\nName=p\nMode=nat\nBridge=p\n"
	                            "Address=192.0.2.1/24\nAddress=fd00:1::1/64\n";
	struct netd_network *n = NULL;
	struct netd_diag diag = {{0}};
	bool ok = netd_config_parse_string(probe, "<probe>", &n, &diag) == 0;

	netd_network_free(n);
	return ok;
}

static void print_lines(const char *prefix, const char *s)
{
	while (s && *s) {
		size_t len = strcspn(s, "\n");

		fprintf(stderr, "netdctl: %s%.*s\n", prefix, (int)len, s);
		s += len + (s[len] == '\n');
	}
}

/* Write text to path: a new file, or with force a replacement (renamed over the old one). */
static int write_conf(const char *path, const char *text, bool force)
{
	char tmp[4200];
	int fd, ret = 0;
	size_t len = strlen(text);

	if (!force) {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0 && errno == EEXIST) {
			fprintf(stderr, "netdctl: %s exists; --force replaces it\n", path);
			return -EEXIST;
		}
	} else {
		if (access(path, F_OK) == 0)
			fprintf(stderr, "netdctl: replacing %s (--force)\n", path);
		if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= sizeof(tmp))
			errno = ENAMETOOLONG, fd = -1;
		else
			fd = mkstemp(tmp);
		if (fd >= 0 && fchmod(fd, 0644) < 0)
			ret = -errno;
	}
	if (fd < 0) {
		fprintf(stderr, "netdctl: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	if (!ret && write(fd, text, len) != (ssize_t)len)
		ret = -EIO;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	if (!ret && force && rename(tmp, path) < 0)
		ret = -errno;
	if (ret) {
		fprintf(stderr, "netdctl: %s: %s\n", path, strerror(-ret));
		unlink(force ? tmp : path);
	}
	return ret;
}

static int parse_args(int argc, char **argv, struct import_args *a)
{
	static const struct option opts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"uplink", required_argument, NULL, 'u'},
	    {"force", no_argument, NULL, 'f'},
	    {NULL, 0, NULL, 0},
	};
	int opt;

	optind = 0; /* 0: glibc starts afresh (main's getopt ran in '+' mode) */
	opterr = 1;
	while ((opt = getopt_long(argc, argv, "o:u:f", opts, NULL)) != -1) {
		if (opt == 'o')
			a->dir = optarg;
		else if (opt == 'u')
			a->uplink = optarg;
		else if (opt == 'f')
			a->force = true;
		else
			return -EINVAL;
	}
	if (optind != argc - 1)
		return -EINVAL;
	a->file = argv[optind];
	return 0;
}

/* The converted text, checked as `netdctl check` checks a file; 0 or 1 (the exit code). */
static int convert(const struct import_args *a, char **text, char **name)
{
	struct netd_lv_opts o = {
	    .source = a->file, .ipv6 = netd_lv_parser_takes_ipv6(), .uplink = a->uplink};
	struct netd_diag diag = {{0}};
	struct netd_network *net = NULL;
	char *notes = NULL;
	xmlDoc *doc;
	int ret = 1;

	if (access(a->file, R_OK) < 0) {
		fprintf(stderr, "netdctl: %s: %s\n", a->file, strerror(errno));
		return 1;
	}
	doc = xmlReadFile(a->file, NULL, XML_PARSE_NONET);
	if (!doc) {
		fprintf(stderr, "netdctl: %s: not a well-formed XML file\n", a->file);
		return 1;
	}
	if (netd_lv_import(doc, &o, text, &notes, &diag)) {
		fprintf(stderr, "netdctl: %s\n", diag.msg[0] ? diag.msg : strerror(ENOMEM));
		goto out;
	}
	print_lines("note: ", notes);
	if (netd_config_parse_string(*text, "<imported>", &net, &diag)) {
		fprintf(stderr, "netdctl: the imported network does not pass check: %s\n",
		        diag.msg);
		goto out;
	}
	print_lines("warning: ", net->warnings);
	*name = strdup(net->name);
	ret = *name ? 0 : 1;
out:
	if (ret) {
		free(*text);
		*text = NULL;
	}
	netd_network_free(net);
	free(notes);
	xmlFreeDoc(doc);
	return ret;
}

int netd_ctl_import_libvirt(int argc, char **argv)
{
	struct import_args a = {0};
	char *text = NULL, *name = NULL, path[4096];
	int ret;

	if (parse_args(argc, argv, &a)) {
		fprintf(stderr, "netdctl: usage: netdctl import-libvirt FILE.xml [--output DIR] "
		                "[--force] [--uplink IFACE]\n");
		return 2;
	}
	ret = convert(&a, &text, &name);
	if (ret)
		goto out;
	if (!a.dir) {
		fputs(text, stdout);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/%s.conf", a.dir, name);
	ret = write_conf(path, text, a.force) ? 1 : 0;
	if (!ret)
		fprintf(stderr, "netdctl: wrote %s\n", path);
out:
	free(text);
	free(name);
	return ret;
}
