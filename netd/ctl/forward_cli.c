/*
 * netdctl's side of port forwards: `forward add|remove`'s arguments as the control request's
 * members, and forwards as text (the answer of forward, the "forwards" of status).
 *
 *   netdctl forward add NAME tcp|udp HOSTPORT GUESTADDRESS[:GUESTPORT] [HOSTADDRESS]
 *   netdctl forward remove NAME tcp|udp HOSTPORT [HOSTADDRESS]
 *
 * HOSTPORT and GUESTPORT are a port or a range N-M, as in [Forward]. Only the syntax is
 * checked here; the daemon checks the forward against the network and the others.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "netd/forward.h"

static int fail(struct netd_diag *diag, const char *what, const char *v)
{
	netd_diag_set(diag, "invalid %s '%s'", what, v);
	return -EINVAL;
}

/* GUESTADDRESS[:GUESTPORT] */
static int guest_arg(const char *v, struct netd_forward *f, struct netd_diag *diag)
{
	char addr[32];
	const char *colon = strchr(v, ':');
	size_t len = colon ? (size_t)(colon - v) : strlen(v);

	if (len >= sizeof(addr))
		return fail(diag, "guest address", v);
	memcpy(addr, v, len);
	addr[len] = '\0';
	if (netd_ipv4_parse(addr, &f->guest) < 0)
		return fail(diag, "guest address", addr);
	if (colon && netd_port_range_parse(colon + 1, &f->guest_port) < 0)
		return fail(diag, "guest port", colon + 1);
	return 0;
}

int netd_forward_cli_args(int argc, char **argv, json_object **args, struct netd_diag *diag)
{
	struct netd_forward f = {0};
	bool remove;
	int proto, want = 0;
	json_object *o;

	*args = NULL;
	/* argv: add|remove NAME PROTO HOSTPORT ... */
	if (argc < 4 || (strcmp(argv[0], "add") != 0 && strcmp(argv[0], "remove") != 0))
		return fail(diag, "forward command", argc ? argv[0] : "");
	remove = strcmp(argv[0], "remove") == 0;
	want = remove ? 4 : 5;
	if (argc != want && argc != want + 1) {
		netd_diag_set(diag, "%s takes %d or %d arguments", argv[0], want - 1, want);
		return -EINVAL;
	}
	proto = netd_forward_proto_from_string(argv[2]);
	if (proto < 0)
		return fail(diag, "protocol (tcp or udp)", argv[2]);
	f.proto = (uint8_t)proto;
	if (netd_port_range_parse(argv[3], &f.host_port) < 0)
		return fail(diag, "host port", argv[3]);
	if (!remove && guest_arg(argv[4], &f, diag) < 0)
		return -EINVAL;
	if (argc == want + 1 && netd_ipv4_parse(argv[want], &f.host_addr) < 0)
		return fail(diag, "host address", argv[want]);
	netd_forward_defaults(&f);
	o = json_object_new_object();
	if (!o)
		return -ENOMEM;
	json_object_object_add(o, "op", json_object_new_string(argv[0]));
	json_object_object_add(o, "forward", netd_forward_to_json(&f));
	*args = o;
	return 0;
}

/* The forward o (a netd_forward_to_json object) as its one line of text. */
static int forward_text(json_object *o, char *buf, size_t len)
{
	struct netd_forward f;
	char why[160];

	if (netd_forward_from_json(o, &f, why, sizeof(why)) < 0)
		return -EINVAL;
	netd_forward_format(&f, buf, len);
	return 0;
}

void netd_fmt_forwards(FILE *f, json_object *arr)
{
	size_t n = json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
	char text[96];

	if (n == 0)
		return;
	fprintf(f, "\nforwards:\n");
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(arr, i), *line = NULL, *live = NULL;

		if (forward_text(o, text, sizeof(text)) < 0)
			snprintf(text, sizeof(text), "?");
		json_object_object_get_ex(o, "line", &line);
		json_object_object_get_ex(o, "live", &live);
		if (json_object_get_boolean(live))
			fprintf(f, "  %-48s  forward add\n", text);
		else
			fprintf(f, "  %-48s  [Forward] line %d\n", text, json_object_get_int(line));
	}
}

int netd_fmt_forward(FILE *f, json_object *res)
{
	json_object *net = NULL, *op = NULL, *fw = NULL;
	char text[96];

	if (!json_object_object_get_ex(res, "network", &net) ||
	    !json_object_object_get_ex(res, "op", &op) ||
	    !json_object_object_get_ex(res, "forward", &fw) ||
	    forward_text(fw, text, sizeof(text)) < 0)
		return -EINVAL;
	fprintf(f, "%s: %s %s\n", json_object_get_string(net),
	        strcmp(json_object_get_string(op), "remove") == 0 ? "removed" : "added", text);
	return 0;
}
