/* svopictl: the bus and JSON helpers every verb uses. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

bool arg_json;
bool arg_system;
const char *arg_address;

void
ctl_error(const char *what, const sd_bus_error *e, int r)
{
	if (e && sd_bus_error_is_set(e))
		fprintf(stderr, "svopictl: %s: %s\n", what, e->message ?
			e->message : e->name);
	else
		fprintf(stderr, "svopictl: %s: %s\n", what, strerror(-r));
}

int
ctl_connect(sd_bus **ret)
{
	sd_bus *bus = NULL;
	int r;

	if (arg_address) {
		r = sd_bus_new(&bus);
		if (r >= 0)
			r = sd_bus_set_address(bus, arg_address);
		if (r >= 0)
			r = sd_bus_set_bus_client(bus, 1);
		if (r >= 0)
			r = sd_bus_start(bus);
	} else if (arg_system) {
		r = sd_bus_open_system(&bus);
	} else {
		r = sd_bus_open_user(&bus);
	}
	if (r < 0) {
		sd_bus_unref(bus);
		ctl_error("cannot connect to the bus", NULL, r);
		return r;
	}
	*ret = bus;
	return 0;
}

void
ctl_json_print(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
		JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(stdout);
}

/* Reads one basic-typed variant/value at the cursor into JSON; containers
 * are skipped and shown as null. */
struct json_object *
ctl_read_value(sd_bus_message *m)
{
	char type;
	const char *contents;
	union {
		uint8_t y; int b; int16_t n; uint16_t q; int32_t i;
		uint32_t u; int64_t x; uint64_t t; double d; const char *s;
	} v;
	int r;

	r = sd_bus_message_peek_type(m, &type, &contents);
	if (r <= 0)
		return NULL;
	switch (type) {
	case 'y': sd_bus_message_read_basic(m, type, &v.y);
		return json_object_new_int(v.y);
	case 'b': sd_bus_message_read_basic(m, type, &v.b);
		return json_object_new_boolean(v.b);
	case 'n': sd_bus_message_read_basic(m, type, &v.n);
		return json_object_new_int(v.n);
	case 'q': sd_bus_message_read_basic(m, type, &v.q);
		return json_object_new_int(v.q);
	case 'i': sd_bus_message_read_basic(m, type, &v.i);
		return json_object_new_int(v.i);
	case 'u': sd_bus_message_read_basic(m, type, &v.u);
		return json_object_new_int64(v.u);
	case 'x': sd_bus_message_read_basic(m, type, &v.x);
		return json_object_new_int64(v.x);
	case 't': sd_bus_message_read_basic(m, type, &v.t);
		return json_object_new_uint64(v.t);
	case 'd': sd_bus_message_read_basic(m, type, &v.d);
		return json_object_new_double(v.d);
	case 's': case 'o': case 'g':
		sd_bus_message_read_basic(m, type, &v.s);
		return json_object_new_string(v.s);
	case 'v': {
		struct json_object *o;

		if (sd_bus_message_enter_container(m, 'v', contents) < 0)
			return NULL;
		o = ctl_read_value(m);
		sd_bus_message_exit_container(m);
		return o;
	}
	case 'a': case 'r': {
		struct json_object *o;
		bool dict = type == 'a' && contents[0] == '{';
		char ctype = type == 'a' ? 'a' : 'r';

		if (sd_bus_message_enter_container(m, ctype, contents) < 0)
			return NULL;
		o = dict ? json_object_new_object() : json_object_new_array();
		if (dict) {
			char inner[64];
			size_t l = strlen(contents);

			if (l < 2 || l - 2 >= sizeof(inner)) {
				sd_bus_message_exit_container(m);
				return o;
			}
			memcpy(inner, contents + 1, l - 2);
			inner[l - 2] = '\0';
			while (sd_bus_message_enter_container(m, 'e', inner) > 0) {
				struct json_object *k = ctl_read_value(m);
				struct json_object *v2 = ctl_read_value(m);

				if (k)
					json_object_object_add(o,
						json_object_get_string(k), v2);
				else
					json_object_put(v2);
				json_object_put(k);
				sd_bus_message_exit_container(m);
			}
		} else {
			for (;;) {
				struct json_object *v2;

				r = sd_bus_message_at_end(m, false);
				if (r != 0)
					break;
				v2 = ctl_read_value(m);
				if (!v2)
					break;
				json_object_array_add(o, v2);
			}
		}
		sd_bus_message_exit_container(m);
		return o;
	}
	default:
		sd_bus_message_skip(m, NULL);
		return NULL;
	}
}

/* Reads a{sv} into a JSON object keyed by property name. */
int
ctl_read_props(sd_bus_message *m, struct json_object *obj)
{
	int r;

	r = sd_bus_message_enter_container(m, 'a', "{sv}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		const char *name;

		r = sd_bus_message_read(m, "s", &name);
		if (r < 0)
			return r;
		json_object_object_add(obj, name, ctl_read_value(m));
		r = sd_bus_message_exit_container(m);
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

const char *
ctl_str(struct json_object *props, const char *name)
{
	struct json_object *o;

	if (!json_object_object_get_ex(props, name, &o) ||
	    !json_object_is_type(o, json_type_string))
		return "";
	return json_object_get_string(o);
}

int
ctl_simple_call(sd_bus *bus, const char *member, const char *what,
	sd_bus_message **reply, const char *sig, ...)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	va_list ap;
	int r;

	r = sd_bus_message_new_method_call(bus, &m, CTL_NAME, CTL_PATH,
		CTL_IFACE, member);
	if (r >= 0 && sig) {
		va_start(ap, sig);
		r = sd_bus_message_appendv(m, sig, ap);
		va_end(ap);
	}
	if (r >= 0)
		r = sd_bus_call(bus, m, CTL_LONG_USEC, &e, reply);
	sd_bus_message_unref(m);
	if (r < 0) {
		ctl_error(what, &e, r);
		sd_bus_error_free(&e);
	}
	return r;
}

bool
ctl_bool(struct json_object *props, const char *name)
{
	struct json_object *o;

	return json_object_object_get_ex(props, name, &o) &&
		json_object_get_boolean(o);
}

struct json_object *
ctl_get_all(sd_bus *bus, const char *path, const char *iface,
	sd_bus_error *e, int *ret_r)
{
	sd_bus_message *reply = NULL;
	struct json_object *props;
	int r;

	r = sd_bus_call_method(bus, CTL_NAME, path,
		"org.freedesktop.DBus.Properties", "GetAll", e, &reply, "s",
		iface);
	if (r >= 0) {
		props = json_object_new_object();
		r = ctl_read_props(reply, props);
		sd_bus_message_unref(reply);
		if (r >= 0) {
			if (ret_r)
				*ret_r = 0;
			return props;
		}
		json_object_put(props);
	}
	if (ret_r)
		*ret_r = r;
	return NULL;
}

int
ctl_user_config_path(char *out, size_t len)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	int n;

	if (xdg && xdg[0] == '/')
		n = snprintf(out, len, "%s/svopi/svopid.conf", xdg);
	else if (home && home[0] == '/')
		n = snprintf(out, len, "%s/.config/svopi/svopid.conf", home);
	else
		return -ENOENT;
	return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

const char *
ctl_system_config_path(void)
{
	return SYSCONFDIR "/svopi/svopid.conf";
}

const char *
ctl_fp(const char *fp, char *buf)
{
	return fingerprint_to_text(fp, buf) == 0 ? buf : fp;
}
