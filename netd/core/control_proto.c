/* The control protocol, pure: the command table, request and response encoding. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netd/control.h"
#include "netd/forward.h"
#include "netd/tap.h"

static const struct netd_ctl_cmd_info cmd_table[NETD_CTL_MAX] = {
    [NETD_CTL_LIST] = {NETD_CTL_LIST, "list", false, false},
    [NETD_CTL_STATUS] = {NETD_CTL_STATUS, "status", true, false},
    [NETD_CTL_UP] = {NETD_CTL_UP, "up", true, true},
    [NETD_CTL_DOWN] = {NETD_CTL_DOWN, "down", true, true},
    [NETD_CTL_LEASES] = {NETD_CTL_LEASES, "leases", true, false},
    [NETD_CTL_RELOAD] = {NETD_CTL_RELOAD, "reload", false, true},
    [NETD_CTL_ATTACH] = {NETD_CTL_ATTACH, "attach", true, true},
    [NETD_CTL_DETACH] = {NETD_CTL_DETACH, "detach", true, true},
    [NETD_CTL_FORWARD] = {NETD_CTL_FORWARD, "forward", true, true},
};

const struct netd_ctl_cmd_info *netd_ctl_cmd_by_id(enum netd_ctl_cmd cmd)
{
	if ((unsigned)cmd >= NETD_CTL_MAX)
		return NULL;
	return &cmd_table[cmd];
}

const struct netd_ctl_cmd_info *netd_ctl_cmd_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < NETD_CTL_MAX; i++)
		if (strcmp(cmd_table[i].name, name) == 0)
			return &cmd_table[i];
	return NULL;
}

/* The object's text plus the newline that ends a message on the wire. */
static char *to_line(json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	size_t n;
	char *line;

	if (!s)
		return NULL;
	n = strlen(s);
	line = malloc(n + 2);
	if (!line)
		return NULL;
	memcpy(line, s, n);
	line[n] = '\n';
	line[n + 1] = '\0';
	return line;
}

int netd_ctl_request_encode(const char *cmd, const char *name, char **out)
{
	return netd_ctl_request_encode_args(cmd, name, NULL, out);
}

int netd_ctl_request_encode_args(const char *cmd, const char *name, json_object *args, char **out)
{
	json_object *o = json_object_new_object();
	int ret = -ENOMEM;

	*out = NULL;
	if (!o)
		goto out;
	if (json_object_object_add(o, "cmd", json_object_new_string(cmd)))
		goto out;
	if (name && json_object_object_add(o, "name", json_object_new_string(name)))
		goto out;
	if (args && json_object_is_type(args, json_type_object)) {
		json_object_object_foreach(args, k, v)
		{
			if (json_object_object_add(o, k, json_object_get(v)))
				goto out;
		}
	}
	*out = to_line(o);
	if (*out)
		ret = 0;
out:
	json_object_put(o);
	return ret;
}

/*
 * Strict: exactly one JSON value, then only whitespace. json-c alone would accept a prefix
 * ("{}garbage") and stop at an embedded NUL, so both are checked here.
 */
static int parse_one(const char *buf, size_t len, json_object **out, struct netd_diag *diag)
{
	struct json_tokener *tok = NULL;
	json_object *o = NULL;
	int ret = -EINVAL;
	size_t end;

	*out = NULL;
	if (len == 0 || memchr(buf, '\0', len)) {
		netd_diag_set(diag, len ? "malformed JSON: embedded NUL byte" : "empty message");
		goto out;
	}
	tok = json_tokener_new();
	if (!tok) {
		ret = -ENOMEM;
		goto out;
	}
	o = json_tokener_parse_ex(tok, buf, (int)len);
	/* A literal null parses to NULL with success: a value, just not an object. */
	if (!o && json_tokener_get_error(tok) != json_tokener_success) {
		enum json_tokener_error jerr = json_tokener_get_error(tok);

		netd_diag_set(diag, "malformed JSON: %s",
		              jerr == json_tokener_continue ? "unexpected end of input"
		                                            : json_tokener_error_desc(jerr));
		goto out;
	}
	end = json_tokener_get_parse_end(tok);
	for (; end < len; end++) {
		if (!strchr(" \t\r\n", buf[end])) {
			netd_diag_set(diag, "malformed JSON: trailing data after the object");
			goto out;
		}
	}
	*out = o;
	o = NULL;
	ret = 0;
out:
	json_object_put(o);
	if (tok)
		json_tokener_free(tok);
	return ret;
}

/* An optional string member: 0 absent (or null), 1 present, -EINVAL not a string. */
static int opt_string(json_object *o, const char *key, const char **out, struct netd_diag *diag)
{
	json_object *v;

	*out = NULL;
	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_string)) {
		netd_diag_set(diag, "malformed request: \"%s\" must be a string", key);
		return -EINVAL;
	}
	*out = json_object_get_string(v);
	return 1;
}

/* A tap name, or for attach a template the kernel numbers ("vm%d": one %d, no other %). */
static int tap_name(const char *s, bool template_ok, struct netd_diag *diag)
{
	const char *p = strchr(s, '%');

	if (!netd_ifname_valid(s)) {
		netd_diag_set(diag,
		              "invalid tap name '%.64s': 1-%d bytes without '/', ':' or "
		              "whitespace",
		              s, IFNAMSIZ - 1);
		return -EINVAL;
	}
	if (p && template_ok && (p[1] != 'd' || strchr(p + 2, '%'))) {
		netd_diag_set(diag,
		              "invalid tap name template '%s': one %%d, where the kernel puts "
		              "the lowest free number, and no other %%",
		              s);
		return -EINVAL;
	}
	return 0;
}

/* The options of one tap to attach, as attach's members or an element of "taps": syntax
 * only; the engine checks them against the network. */
static int decode_tap(json_object *o, struct netd_attach_req *a, struct netd_diag *diag)
{
	const char *s;
	json_object *v;
	int r;

	if ((r = opt_string(o, "tap", &s, diag)) < 0 || (r && tap_name(s, true, diag) < 0))
		return -EINVAL;
	if (r)
		strcpy(a->tap, s);
	if ((r = opt_string(o, "mac", &s, diag)) < 0)
		return r;
	if (r && netd_mac_parse(s, a->mac) < 0) {
		netd_diag_set(diag, "invalid MAC '%.64s': six hex bytes separated by ':'", s);
		return -EINVAL;
	}
	a->has_mac = r;
	if ((r = opt_string(o, "address", &s, diag)) < 0)
		return r;
	if (r && netd_ipv4_parse(s, &a->addr) < 0) {
		netd_diag_set(diag, "invalid address '%.64s': one IPv4 address", s);
		return -EINVAL;
	}
	a->has_addr = r;
	if ((r = opt_string(o, "address6", &s, diag)) < 0)
		return r;
	if (r && netd_ipv6_parse(s, &a->addr6) < 0) {
		netd_diag_set(diag, "invalid address6 '%.64s': one IPv6 address", s);
		return -EINVAL;
	}
	a->has_addr6 = r;
	if ((r = opt_string(o, "hostname", &s, diag)) < 0)
		return r;
	if (r && (!*s || strlen(s) >= sizeof(a->hostname))) {
		netd_diag_set(diag, "invalid host name: 1-%d characters", NETD_HOSTNAME_MAX - 1);
		return -EINVAL;
	}
	if (r)
		strcpy(a->hostname, s);
	for (int g = 0; g < 2; g++) {
		const char *key = g ? "group" : "owner";

		if ((r = opt_string(o, key, &s, diag)) < 0)
			return r;
		if (r && !netd_tap_id_valid(s)) {
			netd_diag_set(diag, "invalid %s '%.64s': a name or a number", key, s);
			return -EINVAL;
		}
		if (r)
			strcpy(g ? a->group : a->owner, s);
	}
	if (json_object_object_get_ex(o, "queues", &v) && !json_object_is_type(v, json_type_null)) {
		int64_t q = json_object_get_int64(v);

		if (!json_object_is_type(v, json_type_int) || q < 1 || q > NETD_TAP_QUEUES_MAX) {
			netd_diag_set(diag, "invalid queues: a number from 1 to %d",
			              NETD_TAP_QUEUES_MAX);
			return -EINVAL;
		}
		a->queues = (unsigned)q;
	}
	return 0;
}

/* down's "force": absent, null or a boolean. */
static int decode_force(json_object *o, struct netd_ctl_request *req, struct netd_diag *diag)
{
	json_object *v;

	if (!json_object_object_get_ex(o, "force", &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_boolean)) {
		netd_diag_set(diag, "malformed request: \"force\" must be true or false");
		return -EINVAL;
	}
	req->force = json_object_get_boolean(v);
	return 0;
}

/* The members a tap's options may have. */
static const char *const tap_keys[] = {"tap",      "mac",   "address", "address6",
                                       "hostname", "owner", "group",   "queues"};

static bool is_tap_key(const char *k)
{
	for (size_t i = 0; i < sizeof(tap_keys) / sizeof(tap_keys[0]); i++)
		if (strcmp(tap_keys[i], k) == 0)
			return true;
	return false;
}

/* One element of "taps": an object of tap options and nothing else. */
static int decode_element(json_object *el, size_t i, struct netd_attach_req *a,
                          struct netd_diag *diag)
{
	struct netd_diag why = {{0}};

	if (!json_object_is_type(el, json_type_object)) {
		netd_diag_set(diag, "malformed request: taps[%zu] must be an object", i);
		return -EINVAL;
	}
	json_object_object_foreach(el, key, val)
	{
		(void)val;
		if (!is_tap_key(key)) {
			netd_diag_set(
			    diag, "malformed request: taps[%zu]: unknown option \"%.64s\"", i, key);
			return -EINVAL;
		}
	}
	if (decode_tap(el, a, &why) < 0) {
		netd_diag_set(diag, "taps[%zu]: %s", i, why.msg);
		return -EINVAL;
	}
	return 0;
}

/* "taps" of attach or detach: an array of 1 to NETD_ATTACH_BATCH_MAX (what), no tap's
 * option beside it; req->taps gets room for them, *k their number. */
static int batch_start(json_object *o, json_object *arr, const char *what,
                       struct netd_ctl_request *req, size_t *k, struct netd_diag *diag)
{
	if (!json_object_is_type(arr, json_type_array)) {
		netd_diag_set(diag, "malformed request: \"taps\" must be an array of %s", what);
		return -EINVAL;
	}
	*k = json_object_array_length(arr);
	if (*k == 0 || *k > NETD_ATTACH_BATCH_MAX) {
		netd_diag_set(diag, "%zu taps in \"taps\": from 1 to %d (the ports of one bridge)",
		              *k, NETD_ATTACH_BATCH_MAX);
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(tap_keys) / sizeof(tap_keys[0]); i++)
		if (json_object_object_get_ex(o, tap_keys[i], NULL)) {
			netd_diag_set(
			    diag,
			    "malformed request: \"%s\" beside \"taps\": each tap's options "
			    "go in its element",
			    tap_keys[i]);
			return -EINVAL;
		}
	req->taps = calloc(*k, sizeof(*req->taps));
	return req->taps ? 0 : -ENOMEM;
}

/* attach's "taps": 1 to NETD_ATTACH_BATCH_MAX taps, their options in their elements only. */
static int decode_batch(json_object *o, json_object *arr, struct netd_ctl_request *req,
                        struct netd_diag *diag)
{
	size_t k;
	int ret = batch_start(o, arr, "tap objects", req, &k, diag);

	for (size_t i = 0; ret == 0 && i < k; i++)
		ret = decode_element(json_object_array_get_idx(arr, i), i, &req->taps[i], diag);
	if (ret == 0)
		req->n_taps = k;
	return ret;
}

/* One name of detach's "taps": a tap name, not one before it. */
static int decode_name(json_object *v, size_t i, const struct netd_attach_req *before,
                       char tap[IFNAMSIZ], struct netd_diag *diag)
{
	struct netd_diag why = {{0}};
	const char *s = json_object_get_string(v);

	if (!json_object_is_type(v, json_type_string)) {
		netd_diag_set(diag, "malformed request: taps[%zu] must be a tap name", i);
		return -EINVAL;
	}
	if (tap_name(s, false, &why) < 0) {
		netd_diag_set(diag, "taps[%zu]: %s", i, why.msg);
		return -EINVAL;
	}
	for (size_t j = 0; j < i; j++)
		if (strcmp(before[j].tap, s) == 0) {
			netd_diag_set(diag, "taps[%zu]: tap %s is named twice", i, s);
			return -EINVAL;
		}
	strcpy(tap, s);
	return 0;
}

/* detach's "taps": 1 to NETD_ATTACH_BATCH_MAX tap names, each once. */
static int decode_detach_batch(json_object *o, json_object *arr, struct netd_ctl_request *req,
                               struct netd_diag *diag)
{
	size_t k;
	int ret = batch_start(o, arr, "tap names", req, &k, diag);

	for (size_t i = 0; ret == 0 && i < k; i++)
		ret = decode_name(json_object_array_get_idx(arr, i), i, req->taps, req->taps[i].tap,
		                  diag);
	if (ret == 0)
		req->n_taps = k;
	return ret;
}

/* attach's and detach's arguments. */
static int decode_attach(json_object *o, struct netd_ctl_request *req, struct netd_diag *diag)
{
	json_object *taps;
	const char *s;
	int r;

	if (json_object_object_get_ex(o, "taps", &taps))
		return req->cmd->cmd == NETD_CTL_ATTACH ? decode_batch(o, taps, req, diag)
		                                        : decode_detach_batch(o, taps, req, diag);
	if (req->cmd->cmd == NETD_CTL_ATTACH)
		return decode_tap(o, &req->attach, diag);
	if ((r = opt_string(o, "tap", &s, diag)) < 0 || (r && tap_name(s, false, diag) < 0))
		return -EINVAL;
	if (!r) {
		netd_diag_set(diag, "'detach' needs a tap name");
		return -EINVAL;
	}
	strcpy(req->attach.tap, s);
	return 0;
}

void netd_ctl_request_clear(struct netd_ctl_request *req)
{
	free(req->taps);
	req->taps = NULL;
	req->n_taps = 0;
}

int netd_ctl_request_decode(const char *buf, size_t len, struct netd_ctl_request *req,
                            struct netd_diag *diag)
{
	json_object *o = NULL, *v;
	const char *s;
	int ret = -EINVAL;

	memset(req, 0, sizeof(*req));
	if (len > NETD_CTL_REQUEST_MAX) {
		netd_diag_set(diag, "request too large (more than %d bytes)", NETD_CTL_REQUEST_MAX);
		ret = -EMSGSIZE;
		goto out;
	}
	ret = parse_one(buf, len, &o, diag);
	if (ret)
		goto out;
	ret = -EINVAL;
	if (!json_object_is_type(o, json_type_object)) {
		netd_diag_set(diag, "malformed request: expected a JSON object");
		goto out;
	}
	if (!json_object_object_get_ex(o, "cmd", &v)) {
		netd_diag_set(diag, "malformed request: no \"cmd\"");
		goto out;
	}
	if (!json_object_is_type(v, json_type_string)) {
		netd_diag_set(diag, "malformed request: \"cmd\" must be a string");
		goto out;
	}
	s = json_object_get_string(v);
	req->cmd = netd_ctl_cmd_find(s);
	if (!req->cmd) {
		netd_diag_set(diag, "unknown command '%.64s'", s);
		goto out;
	}
	if (!json_object_object_get_ex(o, "name", &v) || json_object_is_type(v, json_type_null)) {
		if (req->cmd->needs_name) {
			netd_diag_set(diag, "'%s' needs a network name", req->cmd->name);
			goto out;
		}
	} else {
		if (!req->cmd->needs_name) {
			netd_diag_set(diag, "'%s' takes no network name", req->cmd->name);
			goto out;
		}
		if (!json_object_is_type(v, json_type_string)) {
			netd_diag_set(diag, "malformed request: \"name\" must be a string");
			goto out;
		}
		s = json_object_get_string(v);
		if (!netd_netname_valid(s)) {
			netd_diag_set(
			    diag,
			    "invalid network name '%.64s' (1-%d characters of A-Z a-z 0-9 _ -)", s,
			    NETD_NAME_MAX - 1);
			goto out;
		}
		strcpy(req->name, s); /* netd_netname_valid bounds it below NETD_NAME_MAX */
	}
	if (req->cmd->cmd == NETD_CTL_ATTACH || req->cmd->cmd == NETD_CTL_DETACH) {
		ret = decode_attach(o, req, diag);
		if (ret)
			goto out;
	}
	if (req->cmd->cmd == NETD_CTL_FORWARD) {
		ret = netd_forward_request_decode(o, &req->forward, &req->forward_remove, diag);
		if (ret)
			goto out;
	}
	if (req->cmd->cmd == NETD_CTL_DOWN) {
		ret = decode_force(o, req, diag);
		if (ret)
			goto out;
	}
	ret = 0;
out:
	if (ret) {
		req->cmd = NULL;
		netd_ctl_request_clear(req);
	}
	json_object_put(o);
	return ret;
}

int netd_ctl_check_permission(const struct netd_ctl_cmd_info *cmd, uid_t uid,
                              struct netd_diag *diag)
{
	if (!cmd->needs_root || uid == 0)
		return 0;
	netd_diag_set(diag,
	              "permission denied: '%s' changes the host's network and needs root "
	              "(you are uid %u)",
	              cmd->name, (unsigned)uid);
	return -EPERM;
}

char *netd_ctl_response_ok(json_object *result)
{
	json_object *o = json_object_new_object();
	char *line = NULL;

	if (!o) {
		json_object_put(result);
		return NULL;
	}
	if (json_object_object_add(o, "ok", json_object_new_boolean(1)))
		goto out;
	if (json_object_object_add(o, "result", result)) {
		json_object_put(result);
		goto out;
	}
	line = to_line(o);
out:
	json_object_put(o);
	return line;
}

char *netd_ctl_response_error(int err, const char *msg)
{
	json_object *o = json_object_new_object();
	char *line = NULL;

	if (!o)
		return NULL;
	if (json_object_object_add(o, "ok", json_object_new_boolean(0)) ||
	    json_object_object_add(o, "error", json_object_new_string(msg ? msg : "")) ||
	    json_object_object_add(o, "errno", json_object_new_int(err)))
		goto out;
	line = to_line(o);
out:
	json_object_put(o);
	return line;
}

int netd_ctl_response_decode(const char *buf, size_t len, json_object **result, bool *reply_err,
                             struct netd_diag *diag)
{
	json_object *o = NULL, *v;
	struct netd_diag perr = {{0}};
	int ret;

	*result = NULL;
	*reply_err = false;
	ret = parse_one(buf, len, &o, &perr);
	if (ret) {
		netd_diag_set(diag, "bad response from netd: %s", perr.msg);
		ret = ret == -ENOMEM ? ret : -EPROTO;
		goto out;
	}
	ret = -EPROTO;
	if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, "ok", &v) ||
	    !json_object_is_type(v, json_type_boolean)) {
		netd_diag_set(diag, "bad response from netd: no boolean \"ok\"");
		goto out;
	}
	if (json_object_get_boolean(v)) {
		if (json_object_object_get_ex(o, "result", &v))
			*result = json_object_get(v);
		ret = 0;
		goto out;
	}
	*reply_err = true;
	if (json_object_object_get_ex(o, "error", &v) && json_object_is_type(v, json_type_string))
		netd_diag_set(diag, "%s", json_object_get_string(v));
	else
		netd_diag_set(diag, "request failed (no message)");
	ret = -EIO;
	if (json_object_object_get_ex(o, "errno", &v) && json_object_is_type(v, json_type_int)) {
		int64_t e = json_object_get_int64(v);

		if (e > 0 && e < 4096)
			ret = -(int)e;
	}
out:
	json_object_put(o);
	return ret;
}
