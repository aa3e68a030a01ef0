/* Tells the long polls of every event loop that a pair changed: the
 * loop that made the change directly, the others through a queue and
 * event_active() on their wake event; other processes on a shared
 * database (PostgreSQL) through its notices, read by loop 0 and handed
 * to every loop the same way. What a change means to a loop is
 * the business of the callback the API layer registered (on_change). */
#include <errno.h>
#include <stdlib.h>

#include "common/log.h"
#include "trustd.h"
#include "wake.h"

/* Longest queue of changes for another loop; past it, that loop looks at
 * all its waiters once. */
#define WAKE_QUEUE_MAX 1024
/* Seconds between attempts to listen again after the database left. */
#define WAKE_RETRY_S 1

/* Runs in the loop that owns the queue. */
static void
wake_cb(evutil_socket_t fd, short what, void *arg)
{
	struct trustd *td = arg;
	struct wake_msg *q;
	size_t n;
	int all;

	pthread_mutex_lock(&td->wake_lock);
	q = td->wake_q;
	n = td->wake_n;
	all = td->wake_all;
	td->wake_q = NULL;
	td->wake_n = td->wake_cap = 0;
	td->wake_all = 0;
	pthread_mutex_unlock(&td->wake_lock);
	if (all)
		td->on_change(td, 0, 0, 1);
	else
		for (size_t i = 0; i < n; i++)
			td->on_change(td, q[i].uid_a, q[i].uid_b, 0);
	free(q);
}

int
wake_init(struct trustd *td)
{
	pthread_mutex_init(&td->wake_lock, NULL);
	td->wake_ev = event_new(td->base, -1, 0, wake_cb, td);
	return td->wake_ev ? 0 : -ENOMEM;
}

void
wake_stop(struct trustd *td)
{
	if (td->wake_ev) {
		event_free(td->wake_ev);
		td->wake_ev = NULL;
		pthread_mutex_destroy(&td->wake_lock);
	}
	free(td->wake_q);
	td->wake_q = NULL;
}

static void
wake_post(struct trustd *to, int64_t uid_a, int64_t uid_b)
{
	pthread_mutex_lock(&to->wake_lock);
	if (to->wake_n == to->wake_cap && !to->wake_all) {
		size_t cap = to->wake_cap ? 2 * to->wake_cap : 16;
		struct wake_msg *q = cap <= WAKE_QUEUE_MAX ?
			realloc(to->wake_q, cap * sizeof(*q)) : NULL;

		if (q) {
			to->wake_q = q;
			to->wake_cap = cap;
		} else {
			to->wake_all = 1;
		}
	}
	if (!to->wake_all)
		to->wake_q[to->wake_n++] = (struct wake_msg){ uid_a, uid_b };
	pthread_mutex_unlock(&to->wake_lock);
	event_active(to->wake_ev, EV_READ, 1);
}

void
wake_changed(struct trustd *td, int64_t uid_a, int64_t uid_b)
{
	if (td->on_change)
		td->on_change(td, uid_a, uid_b, 0);
	for (int i = 0; i < td->n_loops; i++)
		if (td->loops[i] != td)
			wake_post(td->loops[i], uid_a, uid_b);
}

/* Every loop looks at all its long polls (notices may have been lost). */
static void
wake_everything(struct trustd *td)
{
	for (int i = 0; i < td->n_loops; i++) {
		struct trustd *to = td->loops[i];

		pthread_mutex_lock(&to->wake_lock);
		to->wake_all = 1;
		pthread_mutex_unlock(&to->wake_lock);
		event_active(to->wake_ev, EV_READ, 1);
	}
}

static void
notice_cb(void *ud, int64_t uid_a, int64_t uid_b)
{
	struct trustd *td = ud;

	for (int i = 0; i < td->n_loops; i++)
		wake_post(td->loops[i], uid_a, uid_b);
}

static void listen_retry(evutil_socket_t fd, short what, void *arg);

static void
listen_cb(evutil_socket_t fd, short what, void *arg)
{
	struct trustd *td = arg;

	(void)fd;
	(void)what;
	if (store_listen_read(td->store, notice_cb, td) == 0)
		return;
	/* The database went away: listen again once it is back. */
	event_free(td->listen_ev);
	td->listen_ev = evtimer_new(td->base, listen_retry, td);
	if (td->listen_ev)
		evtimer_add(td->listen_ev,
			&(struct timeval){ .tv_sec = WAKE_RETRY_S });
}

static void
listen_retry(evutil_socket_t fd, short what, void *arg)
{
	struct trustd *td = arg;
	int r;

	(void)fd;
	(void)what;
	event_free(td->listen_ev);
	td->listen_ev = NULL;
	if (store_listen_open(td->store, &r) == 0) {
		td->listen_ev = event_new(td->base, r, EV_READ | EV_PERSIST,
			listen_cb, td);
		if (td->listen_ev && event_add(td->listen_ev, NULL) == 0) {
			log_notice("listening for other instances' changes "
				"again");
			wake_everything(td);
			return;
		}
		if (td->listen_ev)
			event_free(td->listen_ev);
	}
	td->listen_ev = evtimer_new(td->base, listen_retry, td);
	if (td->listen_ev)
		evtimer_add(td->listen_ev,
			&(struct timeval){ .tv_sec = WAKE_RETRY_S });
}

int
wake_listen_start(struct trustd *td)
{
	int fd, r = store_listen_open(td->store, &fd);

	if (r == -EOPNOTSUPP)
		return 0;
	if (r < 0)
		return r;
	td->listen_ev = event_new(td->base, fd, EV_READ | EV_PERSIST,
		listen_cb, td);
	if (!td->listen_ev || event_add(td->listen_ev, NULL) < 0)
		return -ENOMEM;
	return 0;
}

void
wake_listen_stop(struct trustd *td)
{
	if (td->listen_ev)
		event_free(td->listen_ev);
	td->listen_ev = NULL;
}
