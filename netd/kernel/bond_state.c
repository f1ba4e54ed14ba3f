/*
 * <state>/<network>.bond: each slave's state before netd enslaved it (its uplink snapshot:
 * name, MAC, up, IPv4 and IPv6 addresses and routes, IPv6 sysctls; plus its MTU), as JSON in a
 * state file of kind "bond" (netd/util/state_file.h: envelope, atomic durable write, previous
 * copy). The only record of how to give the slaves back after a crash.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/kernel/bond.h"

int netd_bond_saved_to_json(const struct netd_bond_saved *sv, char **out)
{
	json_object *j = json_object_new_object(), *arr = json_object_new_array();
	int ret = 0;

	*out = NULL;
	json_object_object_add(j, "bond", json_object_new_string(sv->bond));
	for (size_t i = 0; i < sv->n && ret == 0; i++) {
		json_object *o;
		char *text = NULL;

		ret = netd_uplink_to_json(&sv->slaves[i].s, &text);
		if (ret < 0)
			break;
		o = json_tokener_parse(text);
		free(text);
		if (!o) {
			ret = -ENOMEM;
			break;
		}
		json_object_object_add(o, "mtu", json_object_new_int64(sv->slaves[i].mtu));
		json_object_array_add(arr, o);
	}
	json_object_object_add(j, "slaves", arr);
	if (ret == 0) {
		*out = strdup(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY));
		ret = *out ? 0 : -ENOMEM;
	}
	json_object_put(j);
	return ret;
}

int netd_bond_saved_from_json(const char *text, struct netd_bond_saved *sv)
{
	json_object *j = json_tokener_parse(text), *arr, *v;
	int ret = -EINVAL;

	memset(sv, 0, sizeof(*sv));
	if (!j || !json_object_is_type(j, json_type_object) ||
	    !json_object_object_get_ex(j, "bond", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    !netd_ifname_valid(json_object_get_string(v)) ||
	    !json_object_object_get_ex(j, "slaves", &arr) ||
	    !json_object_is_type(arr, json_type_array) ||
	    json_object_array_length(arr) > NETD_BOND_MAX_SLAVES)
		goto out;
	snprintf(sv->bond, sizeof(sv->bond), "%s", json_object_get_string(v));
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		struct netd_bond_slave_state *sl = &sv->slaves[sv->n];

		if (netd_uplink_from_json(json_object_to_json_string(o), &sl->s) < 0)
			goto out;
		sl->mtu = json_object_object_get_ex(o, "mtu", &v)
		              ? (unsigned)json_object_get_int64(v)
		              : 0;
		sv->n++;
	}
	ret = 0;
out:
	json_object_put(j);
	return ret;
}

int netd_bond_saved_v6_donor(const struct netd_bond_saved *sv)
{
	int first = -1;

	for (size_t i = 0; i < sv->n; i++) {
		const struct netd_uplink_v6 *v = &sv->slaves[i].s.v6;

		if (!v->present)
			continue;
		if (v->n_addrs || v->n_routes)
			return (int)i;
		if (first < 0)
			first = (int)i;
	}
	return first;
}

static int to_json(const void *sv, char **out)
{
	return netd_bond_saved_to_json(sv, out);
}

static int from_json(const char *text, void *sv)
{
	return netd_bond_saved_from_json(text, sv);
}

static const struct netd_state_record record = {
    NETD_BOND_KIND,
    to_json,
    from_json,
    "not the saved state of a bond's slaves",
};

int netd_bond_saved_write(const char *state_dir, const char *network,
                          const struct netd_bond_saved *sv)
{
	return netd_state_record_save(&record, state_dir, network, sv);
}

int netd_bond_saved_load(const char *state_dir, const char *network, enum netd_state_copy which,
                         struct netd_bond_saved *sv, struct netd_state_info *info)
{
	memset(sv, 0, sizeof(*sv));
	return netd_state_record_load(&record, state_dir, network, which, sv, info);
}

int netd_bond_saved_forget(const char *state_dir, const char *network, struct netd_diag *diag)
{
	return netd_state_record_forget(&record, state_dir, network, diag);
}
