/* Change notices between the event loops (see wake.c). */
#ifndef TRUSTD_WAKE_H
#define TRUSTD_WAKE_H

#include <stdint.h>

struct trustd;

/* Sets up the loop's wake event; wake_stop() frees it and the queue. */
int wake_init(struct trustd *td);
void wake_stop(struct trustd *td);
/* Something changed for the pair (or for every pair of uid_a when uid_b
 * is 0): every loop's on_change callback runs, this loop's at once. */
void wake_changed(struct trustd *td, int64_t uid_a, int64_t uid_b);
/* On a shared store: td's loop listens for the changes other processes
 * make and wakes every loop's long polls (a no-op on sqlite). Retries by
 * itself after the database left. */
int wake_listen_start(struct trustd *td);
void wake_listen_stop(struct trustd *td);

#endif
