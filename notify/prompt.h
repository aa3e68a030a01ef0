/* What svopi-notify shows: turns svopid's events (watch.h) into
 * notifications (server.h), one per peer (VUC prompts, security alerts)
 * or per call (incoming call, call ended), replaced in place and closed
 * when their state ends; and turns the person's answers (actions, inline
 * replies, the entry dialog) into svopid method calls. docs/notify.md. */
#ifndef SVOPI_NOTIFY_PROMPT_H
#define SVOPI_NOTIFY_PROMPT_H

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

/* Calls followed; beyond that the oldest finished ones are dropped first
 * (a flood of events cannot grow memory). Notifications: SLOTS_MAX. */
#define PROMPT_CALLS_MAX 64

struct prompts;

/* Starts following svopid and the notification server on bus (attached
 * to ev; both borrowed). */
int prompts_new(sd_event *ev, sd_bus *bus, struct prompts **ret);
struct prompts *prompts_free(struct prompts *p);

#endif
