/*
 * What `netdctl --json` prints: every document an object with "version": 1 first (the format's
 * version, bumped when a key changes meaning or goes), then the daemon's answer: its members
 * for an object, or under one key for a list (list: "networks", leases: "leases").
 */
#include <stdio.h>
#include <string.h>

#include "ctl.h"

static const char *list_key(const char *cmd)
{
	if (strcmp(cmd, "list") == 0)
		return "networks";
	if (strcmp(cmd, "leases") == 0)
		return "leases";
	return "result";
}

void netd_print_json_document(FILE *f, const char *cmd, json_object *result)
{
	json_object *doc = json_object_new_object();

	if (!doc)
		return;
	json_object_object_add(doc, "version", json_object_new_int(NETD_JSON_VERSION));
	if (json_object_is_type(result, json_type_object)) {
		json_object_object_foreach(result, k, v)
		{
			if (strcmp(k, "version") != 0)
				json_object_object_add(doc, k, json_object_get(v));
		}
	} else if (result) {
		json_object_object_add(doc, list_key(cmd), json_object_get(result));
	}
	fprintf(f, "%s\n",
	        json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
	                                                JSON_C_TO_STRING_SPACED |
	                                                JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(doc);
}
