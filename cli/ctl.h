/* svopictl: what the verb files share. svopictl.c holds the verb table and
 * main; ctl-bus.c the bus and JSON helpers; status.c status, ping and
 * monitor; calls.c the call verbs; trust.c enroll, vuc and trust. The
 * setup verb is its own program, svopictl-setup (setup.h). */
#ifndef SVOPICTL_CTL_H
#define SVOPICTL_CTL_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>
#include <systemd/sd-bus.h>

#include "lib/fingerprint.h"

#define CTL_NAME "org.svopi.Daemon1"
#define CTL_PATH "/org/svopi/Daemon1"
#define CTL_IFACE "org.svopi.Daemon1"
#define CTL_CALL_IFACE "org.svopi.Call1"
/* OPTIONS runs at most 32 s (Timer F) plus DNS and connection setup; the
 * trust server's answers come within the same bound. */
#define CTL_LONG_USEC (40ULL * 1000000)

/* Exit statuses (svopictl(1)). */
#define CTL_EXIT_OK 0
#define CTL_EXIT_FAILURE 1
#define CTL_EXIT_USAGE 2
/* `call --wait` only. */
#define CTL_EXIT_REJECTED 3
#define CTL_EXIT_SECURITY 4
#define CTL_EXIT_TIMEOUT 5

/* Global options (set by main before a verb runs). */
extern bool arg_json;
extern bool arg_system;
extern const char *arg_address;

/* --- ctl-bus.c --- */
void ctl_error(const char *what, const sd_bus_error *e, int r);
/* Connects to the bus the global options name; prints why not. */
int ctl_connect(sd_bus **ret);
void ctl_json_print(struct json_object *o);
/* One value at the message cursor as JSON (containers too), or NULL. */
struct json_object *ctl_read_value(sd_bus_message *m);
/* a{sv} into obj, keyed by property name. */
int ctl_read_props(sd_bus_message *m, struct json_object *obj);
/* A string / boolean property of a props object ("" / false if absent). */
const char *ctl_str(struct json_object *props, const char *name);
/* A fingerprint in the one text form (lib/fingerprint.h), whatever form the
 * daemon sent; anything else as is. buf holds FINGERPRINT_TEXT_SIZE. */
const char *ctl_fp(const char *fp, char *buf);
bool ctl_bool(struct json_object *props, const char *name);
/* Calls a Daemon1 method; prints the error as "svopictl: what: ...". */
int ctl_simple_call(sd_bus *bus, const char *member, const char *what,
	sd_bus_message **reply, const char *sig, ...);
/* GetAll of iface at path into a new JSON object; NULL with the error in
 * e (may be NULL) on failure. */
struct json_object *ctl_get_all(sd_bus *bus, const char *path,
	const char *iface, sd_bus_error *e, int *ret_r);
/* The config files svopid reads by default (SPEC §5), in order. */
int ctl_user_config_path(char *out, size_t len);
const char *ctl_system_config_path(void);

/* Verbs: argv[0] is the verb. Each returns an exit status. */
int verb_status(sd_bus *bus, int argc, char **argv);
int verb_ping(sd_bus *bus, int argc, char **argv);
int verb_monitor(sd_bus *bus, int argc, char **argv);
int verb_call(sd_bus *bus, int argc, char **argv);
int verb_answer(sd_bus *bus, int argc, char **argv);
int verb_hangup(sd_bus *bus, int argc, char **argv);
int verb_calls(sd_bus *bus, int argc, char **argv);
int verb_dtmf(sd_bus *bus, int argc, char **argv);
int verb_enroll(sd_bus *bus, int argc, char **argv);
int verb_vuc(sd_bus *bus, int argc, char **argv);
int verb_trust(sd_bus *bus, int argc, char **argv);

#endif
