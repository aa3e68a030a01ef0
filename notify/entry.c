/* See entry.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "notify/entry.h"

extern char **environ;

struct entry {
	pid_t pid;			/* 0 once reaped */
	int fd;				/* read end of the child's stdout */
	sd_event_source *io;		/* owned */
	sd_event_source *child;		/* owned */
	char out[ENTRY_OUTPUT_MAX + 1];
	size_t len;
	bool too_long, eof, exited, done;
	int status;			/* from waitid */
	entry_fn cb;
	void *userdata;
};

static bool
entry_on_path(const char *name)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		if (n > 0 && snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path,
		    name) < (int)sizeof(buf) && access(buf, X_OK) == 0)
			return true;
		path += n;
		if (*path == ':')
			path++;
	}
	return false;
}

enum entry_tool
entry_find(void)
{
	if (entry_on_path("zenity"))
		return ENTRY_ZENITY;
	if (entry_on_path("kdialog"))
		return ENTRY_KDIALOG;
	return ENTRY_NONE;
}

const char *
entry_tool_name(enum entry_tool t)
{
	return t == ENTRY_ZENITY ? "zenity" : t == ENTRY_KDIALOG ? "kdialog" :
		"none";
}

static void
entry_finish(struct entry *e)
{
	if (e->done || !e->eof || !e->exited)
		return;
	e->done = true;
	if (e->status != 0 || e->too_long) {
		e->cb(e->userdata, e->too_long ? -E2BIG : -ECANCELED, NULL);
		return;
	}
	e->out[e->len] = '\0';
	e->out[strcspn(e->out, "\r\n")] = '\0';
	e->cb(e->userdata, 0, e->out);
}

static int
entry_on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct entry *e = userdata;
	char junk[256];
	ssize_t n;

	if (e->len < ENTRY_OUTPUT_MAX)
		n = read(fd, e->out + e->len, ENTRY_OUTPUT_MAX - e->len);
	else
		n = read(fd, junk, sizeof(junk));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n > 0) {
		if (e->len < ENTRY_OUTPUT_MAX)
			e->len += (size_t)n;
		else
			e->too_long = true;
		return 0;
	}
	e->eof = true;
	e->io = sd_event_source_disable_unref(e->io);
	entry_finish(e);
	return 0;
}

static int
entry_on_child(sd_event_source *s, const siginfo_t *si, void *userdata)
{
	struct entry *e = userdata;

	e->exited = true;
	e->pid = 0;
	e->status = si->si_code == CLD_EXITED ? si->si_status : -1;
	e->child = sd_event_source_disable_unref(e->child);
	entry_finish(e);
	return 0;
}

static int
entry_spawn(struct entry *e, enum entry_tool tool, const char *question)
{
	posix_spawn_file_actions_t fa;
	char *argv_z[] = { "zenity", "--entry", "--title=svopi",
		NULL, NULL };
	char *argv_k[] = { "kdialog", "--title", "svopi", "--inputbox",
		(char *)question, "", NULL };
	char text[512];
	int p[2], r;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	snprintf(text, sizeof(text), "--text=%s", question);
	argv_z[3] = text;
	r = posix_spawn_file_actions_init(&fa);
	if (r == 0)
		r = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null",
			O_RDONLY, 0);
	if (r == 0)
		r = posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	if (r == 0)
		r = posix_spawnp(&e->pid, tool == ENTRY_ZENITY ? "zenity" :
			"kdialog", &fa, NULL, tool == ENTRY_ZENITY ? argv_z :
			argv_k, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (r != 0) {
		close(p[0]);
		e->pid = 0;
		return -r;
	}
	e->fd = p[0];
	return 0;
}

int
entry_start(sd_event *ev, enum entry_tool tool, const char *question,
	entry_fn cb, void *userdata, struct entry **ret)
{
	struct entry *e;
	int r;

	if (tool == ENTRY_NONE)
		return -ENOENT;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->fd = -1;
	e->cb = cb;
	e->userdata = userdata;
	r = entry_spawn(e, tool, question);
	if (r >= 0)
		r = sd_event_add_io(ev, &e->io, e->fd, EPOLLIN, entry_on_io, e);
	if (r >= 0)
		r = sd_event_add_child(ev, &e->child, e->pid, WEXITED,
			entry_on_child, e);
	if (r < 0) {
		entry_free(e);
		return r;
	}
	*ret = e;
	return 0;
}

struct entry *
entry_free(struct entry *e)
{
	if (!e)
		return NULL;
	e->io = sd_event_source_disable_unref(e->io);
	e->child = sd_event_source_disable_unref(e->child);
	if (e->pid > 0) {
		kill(e->pid, SIGKILL);
		(void)waitpid(e->pid, NULL, 0);
	}
	if (e->fd >= 0)
		close(e->fd);
	free(e);
	return NULL;
}
