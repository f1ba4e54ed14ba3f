/*
 * What FRR says about a spanning network, for `netdctl status`: the answer of one vtysh run
 * of netd_frr_status_cmds(), three JSON documents one after the other, read into the object
 * status shows (netd/fabric.h). FRR 8.4's field names, as measured in the namespace hosts:
 * in `show evpn vni N json` numRemoteVteps is the list of addresses (in `show evpn vni json`
 * a count).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "netd/fabric.h"

char *netd_frr_status_cmds(uint32_t vni, char *buf, size_t len)
{
	snprintf(buf, len,
	         "show bgp l2vpn evpn summary json\nshow evpn vni %u json\nshow evpn mac vni %u "
	         "json",
	         vni, vni);
	return buf;
}

/* The next JSON document of text from *off; NULL at the end or on text that is not JSON. */
static json_object *next_doc(json_tokener *tok, const char *text, size_t *off)
{
	size_t len = strlen(text);
	json_object *o;

	while (*off < len && text[*off] != '{')
		(*off)++;
	if (*off >= len)
		return NULL;
	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, text + *off, (int)(len - *off));
	if (!o)
		return NULL;
	*off += (size_t)json_tokener_get_parse_end(tok);
	return o;
}

static json_object *peers_of(json_object *summary)
{
	json_object *peers = NULL, *out = json_object_new_array(), *p, *v;

	if (!json_object_object_get_ex(summary, "peers", &peers))
		return out;
	json_object_object_foreach(peers, addr, info)
	{
		p = json_object_new_object();
		json_object_object_add(p, "address", json_object_new_string(addr));
		json_object_object_add(
		    p, "state",
		    json_object_new_string(json_object_object_get_ex(info, "state", &v)
		                               ? json_object_get_string(v)
		                               : "?"));
		json_object_object_add(
		    p, "uptime",
		    json_object_new_string(json_object_object_get_ex(info, "peerUptime", &v)
		                               ? json_object_get_string(v)
		                               : "?"));
		json_object_array_add(out, p);
	}
	return out;
}

static void count_macs(json_object *mac_doc, int64_t *local, int64_t *remote)
{
	json_object *macs = NULL, *type;

	*local = *remote = 0;
	if (!json_object_object_get_ex(mac_doc, "macs", &macs))
		return;
	json_object_object_foreach(macs, mac, info)
	{
		(void)mac;
		if (!json_object_object_get_ex(info, "type", &type))
			continue;
		*local += strcmp(json_object_get_string(type), "local") == 0;
		*remote += strcmp(json_object_get_string(type), "remote") == 0;
	}
}

int netd_frr_status_parse(const char *text, json_object **out)
{
	json_tokener *tok = json_tokener_new();
	json_object *doc[3] = {NULL, NULL, NULL}, *j, *vteps = NULL;
	int64_t local, remote;
	size_t off = 0;
	int ret = 0;

	if (!tok)
		return -ENOMEM;
	for (int i = 0; i < 3; i++)
		doc[i] = next_doc(tok, text, &off);
	if (!doc[0] || !doc[1] || !doc[2]) {
		ret = -EINVAL;
		goto out;
	}
	j = json_object_new_object();
	json_object_object_add(j, "peers", peers_of(doc[0]));
	if (json_object_object_get_ex(doc[1], "numRemoteVteps", &vteps) &&
	    json_object_is_type(vteps, json_type_array))
		json_object_object_add(j, "remote_vteps", json_object_get(vteps));
	else
		json_object_object_add(j, "remote_vteps", json_object_new_array());
	count_macs(doc[2], &local, &remote);
	json_object_object_add(j, "local_macs", json_object_new_int64(local));
	json_object_object_add(j, "remote_macs", json_object_new_int64(remote));
	*out = j;
out:
	for (int i = 0; i < 3; i++)
		json_object_put(doc[i]);
	json_tokener_free(tok);
	return ret;
}
