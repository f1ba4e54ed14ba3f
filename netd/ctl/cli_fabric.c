/* status's "fabric" section as text: a spanning network's VNI, its VXLAN port, FRR's state,
 * the BGP peers, the remote VTEPs and the MAC counts (engine/fabric.c fills it). */
#include <inttypes.h>
#include <stdio.h>

#include "ctl.h"

static const char *text_of(json_object *o, const char *key, const char *none)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : none;
}

void netd_fmt_fabric(FILE *f, json_object *fab)
{
	json_object *v, *peers, *vteps, *frr;

	if (!json_object_is_type(fab, json_type_object))
		return;
	json_object_object_get_ex(fab, "frr", &frr);
	fprintf(f, "\nfabric:     VNI %s, port %s %s; FRR %s, its configuration %s\n",
	        text_of(fab, "vni", "?"), text_of(fab, "vxlan_port", "?"),
	        json_object_object_get_ex(fab, "vxlan_port_ok", &v) && json_object_get_boolean(v)
	            ? "ok"
	            : "not as configured",
	        json_object_object_get_ex(frr, "running", &v) && json_object_get_boolean(v)
	            ? "running"
	            : "not running",
	        text_of(frr, "config", "?"));
	if (json_object_object_get_ex(frr, "problem", &v))
		fprintf(f, "  %s\n", json_object_get_string(v));
	/* netd never asks FRR for a status: what it said at the last change or reconcile */
	if (json_object_object_get_ex(frr, "age_s", &v)) {
		fprintf(f, "  as FRR answered %s s ago", json_object_get_string(v));
		if (json_object_object_get_ex(fab, "age_s", &v))
			fprintf(f, " (peers, VTEPs and MACs: %s s ago)", json_object_get_string(v));
		fputc('\n', f);
	}
	if (json_object_object_get_ex(fab, "peers", &peers) &&
	    json_object_is_type(peers, json_type_array))
		for (size_t i = 0; i < json_object_array_length(peers); i++) {
			json_object *p = json_object_array_get_idx(peers, i);

			fprintf(f, "  peer %-15s %-12s up %s\n", text_of(p, "address", "?"),
			        text_of(p, "state", "?"), text_of(p, "uptime", "?"));
		}
	if (json_object_object_get_ex(fab, "remote_vteps", &vteps) &&
	    json_object_is_type(vteps, json_type_array)) {
		fprintf(f, "  remote VTEPs:");
		for (size_t i = 0; i < json_object_array_length(vteps); i++)
			fprintf(f, " %s",
			        json_object_get_string(json_object_array_get_idx(vteps, i)));
		fprintf(f, "%s\n", json_object_array_length(vteps) ? "" : " none");
	}
	if (json_object_object_get_ex(fab, "local_macs", &v))
		fprintf(f, "  MACs: %s local, %s remote\n", json_object_get_string(v),
		        text_of(fab, "remote_macs", "?"));
}
