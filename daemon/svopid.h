/* The daemon's shared state: one struct svopid per process, owned by main
 * and handed to every module. */
#ifndef SVOPID_SVOPID_H
#define SVOPID_SVOPID_H

#include <stdbool.h>
#include <event2/event.h>
#include <systemd/sd-bus.h>

enum svopid_reg {
	SVOPID_REG_UNREGISTERED,
	SVOPID_REG_REGISTERING,
	SVOPID_REG_REGISTERED,
	SVOPID_REG_FAILED,
};

struct conf;
struct identity;
struct busloop;
struct bus_state;
struct transport;
struct txn_layer;
struct ua;
struct reg;
struct calls;

struct svopid {
	struct event_base *base;
	struct conf *conf;
	struct identity *id;
	char *sip_password;
	sd_bus *bus;
	struct busloop *busloop;
	struct bus_state *bus_state;
	struct transport *tp;
	struct txn_layer *txl;
	struct ua *ua;
	struct reg *reg;
	struct calls *calls;
	enum svopid_reg reg_state;
	char *reg_detail;		/* why failed, for status */
	const char *trust_server_state;
	bool stopping;
};

const char *svopid_reg_name(enum svopid_reg s);
/* Sets the registration state and tells D-Bus listeners. */
void svopid_set_reg_state(struct svopid *d, enum svopid_reg s,
	const char *detail);
/* Starts a clean shutdown (as SIGTERM does). */
void svopid_stop(struct svopid *d);
/* Called by the registration module once un-REGISTER finished (or gave
 * up) during shutdown. */
void svopid_unregistered_for_exit(struct svopid *d);

#endif
