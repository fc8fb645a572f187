/* The interactive wizard for one customer (the default command). */
#ifndef BEHALF_APP_SESSION_H
#define BEHALF_APP_SESSION_H

#include "app/config.h"

/* Runs the wizard until the customer quits; returns the exit status. */
int session_run(const struct config *cfg);

#endif
