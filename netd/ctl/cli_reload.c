/* `netdctl reload` for humans: the networks of the new config, then what the reload did to
 * each network that is up ("rules updated", "dnsmasq reread", "dnsmasq restarted",
 * "recreated", "unchanged"). */
#include <stdio.h>

#include "ctl.h"

static const char *field(json_object *o, const char *key)
{
	json_object *v = NULL;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

int netd_fmt_reload(FILE *f, json_object *list)
{
	size_t n;

	if (!json_object_is_type(list, json_type_array))
		return -1;
	n = json_object_array_length(list);
	fprintf(f, "reloaded: %zu network%s", n, n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++) {
		const char *name = field(json_object_array_get_idx(list, i), "name");

		fprintf(f, "%s%s", i ? ", " : " (", name ? name : "?");
	}
	fprintf(f, "%s\n", n ? ")" : "");
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(list, i);
		const char *what = field(e, "reload"), *name = field(e, "name");

		if (what)
			fprintf(f, "  %s: %s\n", name ? name : "?", what);
	}
	return 0;
}
