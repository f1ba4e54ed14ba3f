/* status's DNS line: where the guests' names are answered, and how the host resolves them
 * (systemd-resolved told by netd, or the line to add to the host's own resolver). */
#include <stdio.h>
#include <string.h>

#include "ctl.h"

static const char *str(json_object *o, const char *key)
{
	json_object *v = NULL;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

void netd_fmt_dns(FILE *f, json_object *dns)
{
	const char *server = str(dns, "server"), *domain = str(dns, "domain"),
	           *resolver = str(dns, "host_resolver"), *line = str(dns, "resolver_line");
	json_object *on = NULL;

	if (!json_object_is_type(dns, json_type_object))
		return;
	fprintf(f, "dns:        ");
	if (json_object_object_get_ex(dns, "enabled", &on) && !json_object_get_boolean(on)) {
		fprintf(f, "off (Enable=no): guests get no DNS server from netd\n");
		return;
	}
	if (!domain) {
		fprintf(f, "served at %s\n", server ? server : "?");
		return;
	}
	fprintf(f, "%s served at %s\n", domain, server ? server : "?");
	if (resolver && strcmp(resolver, "systemd-resolved") == 0)
		fprintf(
		    f,
		    "            the host resolves it through systemd-resolved (netd told it)\n");
	else if (line)
		fprintf(
		    f,
		    "            systemd-resolved %s; for the host to resolve guests, add to its "
		    "resolver:\n            %s\n",
		    resolver && strcmp(resolver, "none") == 0 ? "does not run here"
		                                              : "was not reached",
		    line);
}
