/*
 * Reading members of a JSON object that may be malformed (a state file from disk): each getter
 * checks the member's type first, as json-c asserts on, say, the length of a non-array.
 */
#ifndef NETD_JSON_GET_H
#define NETD_JSON_GET_H

#include <json-c/json.h>
#include <stddef.h>

/* The string member key of o, NULL when missing or not a string. */
const char *netd_json_str(json_object *o, const char *key);
/* The array member key of o with at most max elements, NULL otherwise. */
json_object *netd_json_array(json_object *o, const char *key, size_t max);

#endif
