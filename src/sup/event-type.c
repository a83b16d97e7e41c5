/*
 * supervisord's event types by name (events.py's EventTypes): each
 * concrete type is one bit, an abstract type the bits of every type
 * beneath it, so that subscribing to PROCESS_STATE takes every
 * PROCESS_STATE_*, and EVENT everything.  Pure: no supervisor here.
 */
#include <sys/types.h>

#include <stdint.h>
#include <string.h>

#include "../warden.h"
#include "sup.h"
#include "event.h"

#define EVM_STATE	(EVM(EVT_STATE_STOPPED) | EVM(EVT_STATE_EXITED) | \
	EVM(EVT_STATE_STARTING) | EVM(EVT_STATE_STOPPING) |		\
	EVM(EVT_STATE_BACKOFF) | EVM(EVT_STATE_FATAL) |			\
	EVM(EVT_STATE_RUNNING) | EVM(EVT_STATE_UNKNOWN))

/* Concrete types first, in enum ev_type's order; then the abstract. */
static const struct {
	const char	*name;
	uint32_t	 mask;
} ev_types[] = {
	{ "PROCESS_STATE_STOPPED",	EVM(EVT_STATE_STOPPED) },
	{ "PROCESS_STATE_EXITED",	EVM(EVT_STATE_EXITED) },
	{ "PROCESS_STATE_STARTING",	EVM(EVT_STATE_STARTING) },
	{ "PROCESS_STATE_STOPPING",	EVM(EVT_STATE_STOPPING) },
	{ "PROCESS_STATE_BACKOFF",	EVM(EVT_STATE_BACKOFF) },
	{ "PROCESS_STATE_FATAL",	EVM(EVT_STATE_FATAL) },
	{ "PROCESS_STATE_RUNNING",	EVM(EVT_STATE_RUNNING) },
	{ "PROCESS_STATE_UNKNOWN",	EVM(EVT_STATE_UNKNOWN) },
	{ "PROCESS_COMMUNICATION_STDOUT", EVM(EVT_COMM_STDOUT) },
	{ "PROCESS_COMMUNICATION_STDERR", EVM(EVT_COMM_STDERR) },
	{ "PROCESS_LOG_STDOUT",		EVM(EVT_LOG_STDOUT) },
	{ "PROCESS_LOG_STDERR",		EVM(EVT_LOG_STDERR) },
	{ "REMOTE_COMMUNICATION",	EVM(EVT_REMOTE_COMMUNICATION) },
	{ "SUPERVISOR_STATE_CHANGE_RUNNING", EVM(EVT_SUP_RUNNING) },
	{ "SUPERVISOR_STATE_CHANGE_STOPPING", EVM(EVT_SUP_STOPPING) },
	{ "TICK_5",			EVM(EVT_TICK_5) },
	{ "TICK_60",			EVM(EVT_TICK_60) },
	{ "TICK_3600",			EVM(EVT_TICK_3600) },
	{ "PROCESS_GROUP_ADDED",	EVM(EVT_GROUP_ADDED) },
	{ "PROCESS_GROUP_REMOVED",	EVM(EVT_GROUP_REMOVED) },
	{ "EVENT",			EVM_ALL },
	{ "PROCESS_STATE",		EVM_STATE },
	{ "PROCESS_COMMUNICATION",	EVM(EVT_COMM_STDOUT) |
					    EVM(EVT_COMM_STDERR) },
	{ "PROCESS_LOG",		EVM(EVT_LOG_STDOUT) |
					    EVM(EVT_LOG_STDERR) },
	{ "SUPERVISOR_STATE_CHANGE",	EVM(EVT_SUP_RUNNING) |
					    EVM(EVT_SUP_STOPPING) },
	{ "TICK",			EVM(EVT_TICK_5) | EVM(EVT_TICK_60) |
					    EVM(EVT_TICK_3600) },
	{ "PROCESS_GROUP",		EVM(EVT_GROUP_ADDED) |
					    EVM(EVT_GROUP_REMOVED) },
};

/* A service state's event type, by enum svc_state. */
static const int ev_states[] = {
	[SVC_STOPPED] = EVT_STATE_STOPPED,
	[SVC_STARTING] = EVT_STATE_STARTING,
	[SVC_RUNNING] = EVT_STATE_RUNNING,
	[SVC_BACKOFF] = EVT_STATE_BACKOFF,
	[SVC_STOPPING] = EVT_STATE_STOPPING,
	[SVC_EXITED] = EVT_STATE_EXITED,
	[SVC_FATAL] = EVT_STATE_FATAL,
};

/* The name of concrete type t, as a listener's header says it. */
const char *
ev_type_name(int t)
{
	if (t < 0 || t >= EVT_COUNT)
		return ("UNKNOWN");
	return (ev_types[t].name);
}

/* The types a name in events= stands for; 0 for no such name. */
uint32_t
ev_type_mask(const char *name)
{
	size_t	i;

	for (i = 0; i < nitems(ev_types); i++)
		if (strcmp(ev_types[i].name, name) == 0)
			return (ev_types[i].mask);
	return (0);
}

/* The PROCESS_STATE_* type of a service state. */
int
ev_state_type(int state)
{
	if (state < 0 || (size_t)state >= nitems(ev_states))
		return (EVT_STATE_UNKNOWN);
	return (ev_states[state]);
}

/* A service state's name in a payload's from_state. */
const char *
ev_state_name(int state)
{
	return (ev_type_name(ev_state_type(state)) + strlen("PROCESS_STATE_"));
}
