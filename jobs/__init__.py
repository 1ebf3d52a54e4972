"""The periodic work: the APScheduler scheduler with its job list (outreach sends, the
ambassador programs' tick, webhook deliveries) and the leader election that lets one
process of several on PostgreSQL run it. The jobs' logic lives in the services; this
package only schedules them."""
