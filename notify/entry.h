/* Code entry outside the notification, for servers without inline
 * replies: a zenity or kdialog input box started as a child process,
 * whose standard output is the typed text. Which one is used is decided
 * when the prompt is shown (entry_find); without either, the prompt shows
 * the svopictl command instead. */
#ifndef SVOPI_NOTIFY_ENTRY_H
#define SVOPI_NOTIFY_ENTRY_H

#include <systemd/sd-event.h>

/* Bytes of dialog output read; a longer answer is not a code. */
#define ENTRY_OUTPUT_MAX 128

enum entry_tool {
	ENTRY_NONE,
	ENTRY_ZENITY,
	ENTRY_KDIALOG,
};

/* The first of zenity, kdialog found executable on PATH. */
enum entry_tool entry_find(void);
const char *entry_tool_name(enum entry_tool t);

/* The dialog's outcome: r = 0 and the text typed (NUL-terminated, at most
 * ENTRY_OUTPUT_MAX bytes), or r < 0 (cancelled, failed, too long). */
typedef void (*entry_fn)(void *userdata, int r, const char *text);

struct entry;

/* Starts tool with question as its label. cb runs once, from the event
 * loop, after the dialog exited; the entry then stays until entry_free.
 * Returns 0 and *ret, or a negative errno. SIGCHLD must be blocked. */
int entry_start(sd_event *ev, enum entry_tool tool, const char *question,
	entry_fn cb, void *userdata, struct entry **ret);

/* Stops the dialog if it still runs (SIGKILL to its pid: a dialog
 * has nothing to save) and frees. */
struct entry *entry_free(struct entry *e);

#endif
