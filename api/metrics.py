"""Prometheus metrics of one application (``GET /metrics``, text exposition format).

Each app gets its own registry (tests build many apps). What is measured:

- ``creatormatch_http_request_duration_seconds{method, route, status}``: latency by route
  template (``/v1/creators/{creator_id}``, never the raw path);
- ``creatormatch_match_duration_seconds``: the matcher's share of ``POST /v1/match``;
- ``creatormatch_index_creators{organization}``: creators in each loaded index;
- ``creatormatch_scheduler_job_lag_seconds{job}``: how late the last run of each scheduler
  job started against its schedule, and ``creatormatch_scheduler_job_last_success_timestamp``;
- ``creatormatch_webhook_deliveries_total{outcome}``: webhook delivery attempts by outcome
  (succeeded, retry, failed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

__all__ = ["CONTENT_TYPE", "Metrics"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_BUCKETS = (0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class _IndexSizes(Collector):
    def __init__(self, sizes: Callable[[], dict[int, int]]) -> None:
        self.sizes = sizes

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "creatormatch_index_creators", "Creators in each loaded index", labels=["organization"]
        )
        for organization, count in sorted(self.sizes().items()):
            family.add_metric([str(organization)], count)
        yield family


class Metrics:
    def __init__(self, index_sizes: Callable[[], dict[int, int]]) -> None:
        self.registry = CollectorRegistry()
        self.requests = Histogram(
            "creatormatch_http_request_duration_seconds",
            "HTTP request latency by route template",
            ["method", "route", "status"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.match = Histogram(
            "creatormatch_match_duration_seconds",
            "Time the matcher spends on one match",
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.scheduler_lag = Gauge(
            "creatormatch_scheduler_job_lag_seconds",
            "How late the last run of a scheduler job started",
            ["job"],
            registry=self.registry,
        )
        self.scheduler_success = Gauge(
            "creatormatch_scheduler_job_last_success_timestamp",
            "Unix time of the last successful run of a scheduler job",
            ["job"],
            registry=self.registry,
        )
        self.webhooks = Counter(
            "creatormatch_webhook_deliveries",
            "Webhook delivery attempts by outcome",
            ["outcome"],
            registry=self.registry,
        )
        self.registry.register(_IndexSizes(index_sizes))

    def observe_job(self, event: Any) -> None:
        """An APScheduler job event: the lag of the run, and its success time."""
        ran_at = datetime.now(UTC)
        scheduled = getattr(event, "scheduled_run_time", None)
        if scheduled is not None:
            self.scheduler_lag.labels(event.job_id).set(
                max((ran_at - scheduled).total_seconds(), 0)
            )
        if getattr(event, "exception", None) is None:
            self.scheduler_success.labels(event.job_id).set(ran_at.timestamp())
        if event.job_id == "webhooks.deliver_due":
            summary = getattr(event, "retval", None)
            for outcome in ("succeeded", "retrying", "failed"):
                count = getattr(summary, outcome, 0)
                if count:
                    self.webhooks.labels(outcome).inc(count)

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).observe(seconds)

    def exposition(self) -> bytes:
        return bytes(generate_latest(self.registry))
