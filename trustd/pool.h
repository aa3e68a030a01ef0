/* Worker threads for slow, self-contained work (argon2id), so that the
 * event loops keep serving. A job's work runs on a worker; its done
 * callback then runs in the event loop of the sink it was queued with.
 * Jobs never run when the pool stops first: done gets ran = 0. */
#ifndef TRUSTD_POOL_H
#define TRUSTD_POOL_H

#include <pthread.h>
#include <stddef.h>

#include <event2/event.h>

struct pool;
struct pool_job;

/* One per event loop: where finished jobs come back. */
struct pool_sink {
	pthread_mutex_t lock;
	struct pool_job *head, *tail;	/* owned: finished jobs */
	struct event *ev;		/* owned: runs them in the loop */
};

int pool_sink_init(struct pool_sink *k, struct event_base *base);
/* Runs the done callbacks still queued, then frees the sink's event. */
void pool_sink_stop(struct pool_sink *k);

struct pool *pool_new(int n_threads, size_t max_jobs);
/* Joins the workers; queued jobs go back to their sinks unrun. */
struct pool *pool_free(struct pool *p);
/* -EAGAIN when max_jobs are waiting, -ENOMEM. */
int pool_submit(struct pool *p, struct pool_sink *k, void (*work)(void *),
	void (*done)(void *arg, int ran), void *arg);

#endif
