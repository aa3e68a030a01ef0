/* The svopid side: follows org.svopi.Daemon1 (its owner, its signals
 * VucIssued, VucRequested, SecurityAlert, CallAdded, CallStateChanged and
 * the Call1 PropertiesChanged) and calls its methods (VucList, ListCalls,
 * Call1 properties, EnterVuc, Answer, Hangup). Signals count only from
 * the daemon that owns the name; every argument is checked and bounded
 * before the handler sees it. */
#ifndef SVOPI_NOTIFY_WATCH_H
#define SVOPI_NOTIFY_WATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

/* A call object path, "/org/svopi/Call/N" (svopid's path[64]). */
#define WATCH_PATH_MAX 63
/* VUC prompts and calls read back at a resync; more are ignored. */
#define WATCH_LIST_MAX 64

struct watch_handler {
	/* svopid appeared (true: resync now) or went away. */
	void (*daemon)(void *userdata, bool up);
	void (*vuc_issued)(void *userdata, const char *peer, const char *code,
		uint64_t expires);
	void (*vuc_requested)(void *userdata, const char *peer);
	void (*alert)(void *userdata, const char *peer, const char *reason);
	void (*call_added)(void *userdata, const char *path, const char *peer);
	/* state is one of the Call1 State names; reason sanitized. */
	void (*call_state)(void *userdata, const char *path, const char *state,
		const char *reason);
	/* From the call's properties (GetAll or PropertiesChanged): verified
	 * is -1 when not told. incoming -1 when not told. */
	void (*call_props)(void *userdata, const char *path, const char *peer,
		int incoming, int verified, const char *state);
	/* One entry of VucList at a resync (code "" when requested), then
	 * done with peer NULL. */
	void (*vuc_listed)(void *userdata, const char *peer, const char *code,
		uint64_t expires);
};

/* EnterVuc's answer for peer: result ("trusted", "wrong-code", ...) and
 * tries left, or r < 0 and a sanitized error message. */
typedef void (*watch_vuc_fn)(void *userdata, const char *peer, int r,
	const char *result, int attempts_left, const char *error);

struct watch;

int watch_new(sd_bus *bus, const struct watch_handler *h, void *userdata,
	struct watch **ret);
struct watch *watch_free(struct watch *w);

bool watch_up(const struct watch *w);

/* Asks VucList and ListCalls (then each call's properties); the answers
 * arrive through vuc_listed and call_props. */
void watch_resync(struct watch *w);
/* Asks a call's properties; the answer arrives through call_props. */
void watch_call_props(struct watch *w, const char *path);
/* Asks VucList only. */
void watch_vuc_list(struct watch *w);

/* EnterVuc(peer, code); cb once with userdata, which must live as long
 * as the bus connection. */
int watch_enter_vuc(struct watch *w, const char *peer, const char *code,
	watch_vuc_fn cb, void *userdata);
/* Call1.Answer({}) or Call1.Hangup() on path; errors are logged. */
int watch_call_method(struct watch *w, const char *path, const char *method);

#endif
