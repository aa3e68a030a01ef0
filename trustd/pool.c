/* Worker threads with per-loop completion queues (see pool.h). */
#include <errno.h>
#include <stdlib.h>

#include "pool.h"

struct pool_job {
	void (*work)(void *);
	void (*done)(void *arg, int ran);
	void *arg;			/* the caller's; not owned */
	struct pool_sink *sink;		/* not owned */
	int ran;
	struct pool_job *next;
};

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct pool_job *head, *tail;	/* owned: waiting jobs */
	size_t n, max;
	int stop;
	pthread_t *threads;		/* owned */
	int n_threads;
};

static void
push(struct pool_job **head, struct pool_job **tail, struct pool_job *j)
{
	j->next = NULL;
	if (*tail)
		(*tail)->next = j;
	else
		*head = j;
	*tail = j;
}

static void
sink_post(struct pool_job *j)
{
	struct pool_sink *k = j->sink;

	pthread_mutex_lock(&k->lock);
	push(&k->head, &k->tail, j);
	pthread_mutex_unlock(&k->lock);
	event_active(k->ev, EV_READ, 1);
}

static void
sink_run(struct pool_sink *k)
{
	struct pool_job *j;

	pthread_mutex_lock(&k->lock);
	j = k->head;
	k->head = k->tail = NULL;
	pthread_mutex_unlock(&k->lock);
	while (j) {
		struct pool_job *next = j->next;

		j->done(j->arg, j->ran);
		free(j);
		j = next;
	}
}

static void
sink_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	sink_run(arg);
}

int
pool_sink_init(struct pool_sink *k, struct event_base *base)
{
	pthread_mutex_init(&k->lock, NULL);
	k->head = k->tail = NULL;
	k->ev = event_new(base, -1, 0, sink_cb, k);
	return k->ev ? 0 : -ENOMEM;
}

void
pool_sink_stop(struct pool_sink *k)
{
	if (!k->ev)
		return;
	sink_run(k);
	event_free(k->ev);
	k->ev = NULL;
	pthread_mutex_destroy(&k->lock);
}

static void *
worker(void *arg)
{
	struct pool *p = arg;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct pool_job *j;

		while (!p->head && !p->stop)
			pthread_cond_wait(&p->cond, &p->lock);
		if (p->stop)
			break;
		j = p->head;
		p->head = j->next;
		if (!p->head)
			p->tail = NULL;
		p->n--;
		pthread_mutex_unlock(&p->lock);
		j->work(j->arg);
		j->ran = 1;
		sink_post(j);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct pool *
pool_new(int n_threads, size_t max_jobs)
{
	struct pool *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->max = max_jobs;
	p->threads = calloc((size_t)n_threads, sizeof(*p->threads));
	if (!p->threads)
		return pool_free(p);
	for (; p->n_threads < n_threads; p->n_threads++)
		if (pthread_create(&p->threads[p->n_threads], NULL, worker,
			p) != 0)
			return pool_free(p);
	return p;
}

struct pool *
pool_free(struct pool *p)
{
	struct pool_job *j;

	if (!p)
		return NULL;
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	for (int i = 0; i < p->n_threads; i++)
		pthread_join(p->threads[i], NULL);
	while ((j = p->head)) {
		p->head = j->next;
		sink_post(j);
	}
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p->threads);
	free(p);
	return NULL;
}

int
pool_submit(struct pool *p, struct pool_sink *k, void (*work)(void *),
	void (*done)(void *arg, int ran), void *arg)
{
	struct pool_job *j;

	pthread_mutex_lock(&p->lock);
	if (p->n >= p->max) {
		pthread_mutex_unlock(&p->lock);
		return -EAGAIN;
	}
	pthread_mutex_unlock(&p->lock);
	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->work = work;
	j->done = done;
	j->arg = arg;
	j->sink = k;
	pthread_mutex_lock(&p->lock);
	push(&p->head, &p->tail, j);
	p->n++;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
	return 0;
}
