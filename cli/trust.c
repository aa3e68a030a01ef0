/* svopictl: enrolment, voice unlock codes and the trust store (enroll,
 * vuc, trust). */
#include "config.h"

#include <string.h>

#include "ctl.h"

int
verb_enroll(sd_bus *bus, int argc, char **argv)
{
	char fpbuf[FINGERPRINT_TEXT_SIZE];
	sd_bus_message *reply = NULL;
	const char *fp;

	if (ctl_simple_call(bus, "Enroll", "enroll", &reply, NULL) < 0)
		return 1;
	if (sd_bus_message_read(reply, "s", &fp) < 0) {
		sd_bus_message_unref(reply);
		return 1;
	}
	if (arg_json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "fingerprint",
			json_object_new_string(ctl_fp(fp, fpbuf)));
		ctl_json_print(o);
		json_object_put(o);
	} else {
		printf("enrolled, fingerprint %s\n", ctl_fp(fp, fpbuf));
	}
	sd_bus_message_unref(reply);
	return 0;
}

int
verb_vuc(sd_bus *bus, int argc, char **argv)
{
	sd_bus_message *reply = NULL;
	int r;

	if (strcmp(argv[1], "list") == 0 && argc == 2) {
		struct json_object *arr = json_object_new_array();
		const char *peer, *role, *code;
		uint64_t exp;

		if (ctl_simple_call(bus, "VucList", "vuc list", &reply,
		    NULL) < 0) {
			json_object_put(arr);
			return 1;
		}
		r = sd_bus_message_enter_container(reply, 'a', "(ssst)");
		while (r >= 0 && (r = sd_bus_message_read(reply, "(ssst)",
		    &peer, &role, &code, &exp)) > 0) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "peer",
				json_object_new_string(peer));
			json_object_object_add(o, "role",
				json_object_new_string(role));
			json_object_object_add(o, "code",
				json_object_new_string(code));
			json_object_object_add(o, "expires",
				json_object_new_uint64(exp));
			json_object_array_add(arr, o);
			if (!arg_json) {
				if (*code)
					printf("%s issued %s (tell %s this "
						"code)\n", peer, code, peer);
				else
					printf("%s requested (enter the code "
						"%s gives you)\n", peer, peer);
			}
		}
		if (arg_json)
			ctl_json_print(arr);
		json_object_put(arr);
		sd_bus_message_unref(reply);
		return r < 0 ? 1 : 0;
	}
	if (strcmp(argv[1], "enter") == 0 && argc == 4) {
		const char *result;
		int32_t left;

		if (ctl_simple_call(bus, "EnterVuc", "vuc enter", &reply,
		    "ss", argv[2], argv[3]) < 0)
			return 1;
		if (sd_bus_message_read(reply, "si", &result, &left) < 0) {
			sd_bus_message_unref(reply);
			return 1;
		}
		if (arg_json) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "result",
				json_object_new_string(result));
			json_object_object_add(o, "attempts_left",
				json_object_new_int(left));
			ctl_json_print(o);
			json_object_put(o);
		} else {
			printf("%s", result);
			if (left >= 0 && strcmp(result, "trusted") != 0)
				printf(" (%d attempts left)", left);
			putchar('\n');
		}
		r = strcmp(result, "trusted") == 0 ? 0 : 1;
		sd_bus_message_unref(reply);
		return r;
	}
	fprintf(stderr, "Usage: svopictl vuc list | vuc enter PEER CODE\n");
	return 2;
}

int
verb_trust(sd_bus *bus, int argc, char **argv)
{
	char fpbuf[FINGERPRINT_TEXT_SIZE];
	sd_bus_message *reply = NULL;
	int r;

	if (strcmp(argv[1], "list") == 0 && argc == 2) {
		struct json_object *arr = json_object_new_array();
		const char *peer, *fp, *st;
		int64_t va, ch;

		if (ctl_simple_call(bus, "TrustList", "trust list", &reply,
		    NULL) < 0) {
			json_object_put(arr);
			return 1;
		}
		r = sd_bus_message_enter_container(reply, 'a', "(sssxx)");
		while (r >= 0 && (r = sd_bus_message_read(reply, "(sssxx)",
		    &peer, &fp, &st, &va, &ch)) > 0) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "peer",
				json_object_new_string(peer));
			json_object_object_add(o, "fingerprint",
				json_object_new_string(ctl_fp(fp, fpbuf)));
			json_object_object_add(o, "status",
				json_object_new_string(st));
			json_object_object_add(o, "validated_at",
				json_object_new_int64(va));
			json_object_object_add(o, "checked_at",
				json_object_new_int64(ch));
			json_object_array_add(arr, o);
			if (!arg_json)
				printf("%s %s %s\n", peer, st,
					ctl_fp(fp, fpbuf));
		}
		if (arg_json)
			ctl_json_print(arr);
		json_object_put(arr);
		sd_bus_message_unref(reply);
		return r < 0 ? 1 : 0;
	}
	if (strcmp(argv[1], "forget") == 0 && argc == 3) {
		if (ctl_simple_call(bus, "TrustForget", "trust forget", &reply,
		    "s", argv[2]) < 0)
			return 1;
		sd_bus_message_unref(reply);
		return 0;
	}
	fprintf(stderr, "Usage: svopictl trust list | trust forget PEER\n");
	return 2;
}

