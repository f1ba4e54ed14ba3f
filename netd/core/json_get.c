/* Typed reads of JSON members (netd/json_get.h). */
#include "netd/json_get.h"

const char *netd_json_str(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
	           ? json_object_get_string(v)
	           : NULL;
}

json_object *netd_json_array(json_object *o, const char *key, size_t max)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_array) ||
	    json_object_array_length(v) > max)
		return NULL;
	return v;
}
