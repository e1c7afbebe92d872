//! End-to-end tests against the real servers of `scripts/infra.sh up` (see `connect_tests` for where
//! they are and how a missing server is reported). Run them with `scripts/test.sh`.

// plugin ABI across versions: the pinned earlier commit's plugins run here; a 2.1 plugin degrades or is refused.
mod abi_compat;
// the bad-input catalogue: each bad record, document, request or plugin answered with the problem and the fix, nothing else lost.
mod bad_inputs;
// config providers: ${file:…}, ${dir:…} and a plugin provider resolved where used, never stored, shown or logged; TTL reloads.
mod config_providers;
// distributed mode: file sources → topic → file sinks while workers are bounced (SIGTERM, SIGKILL): no gap, no duplicate if clean.
mod distributed_bounce;
// distributed mode: connectors and tasks spread over 3 workers; a 4th joins; SIGTERM and SIGKILL move the work after the delay.
mod distributed_membership;
// distributed mode, two sides of a group (mixed: 2 of ours + the Java worker): both lead in turn, each takes over the other's work.
mod distributed_mixed;
// distributed mode under connect.protocol=eager: work shared; a sessioned worker joining speaks default.
mod distributed_protocols;
// distributed mode, 3 workers of a group: a write through a follower lands via the leader; internal requests signed (400/403).
mod distributed_rest;
// errors.tolerance none/all, dead-letter queue with context headers, a panicking plugin contained.
mod error_handling;
// file source → Kafka → file sink: byte-identical, restarts (graceful, kill -9), states restored, standalone.
mod file_pipeline;
// log lines carry Kafka Connect's [connector|task-N] context, in text and in JSON lines.
mod log_context;
// GET /metrics: every documented Kafka Connect metric under Strimzi's names, exact record counts, lag and latency; the same names as a Java worker with the JMX exporter.
mod metrics;
// every worker and connector key of the Java peer: implemented (with a test) or refused with "not supported yet".
mod nothing_silent;
// every plugin kind (all-kinds fixture) loaded and called in-process: listing, factories, metrics through the host context; no Kafka.
mod plugin_kinds;
// plugin.path: loading, refusals with reasons, panics contained, new plugins picked up at start.
mod plugin_loading;
// plugin transformations and predicates in sink and source chains beside built-ins: tolerance, DLQ, retries, fatal errors, validation.
mod plugin_transforms;
// `connect plugins new` (sink, source, transform) outside the workspace: build, test, package, install, list.
mod plugin_scaffold;
// admin.listeners (/admin on its own listener only) and response.http.headers.config on every response.
mod rest_options;
// REST over HTTPS (client certificates, admin listener) and basic authentication answering as the Java worker.
mod rest_security;
// every REST endpoint: shapes, codes and error texts; the same calls against the Java peer.
mod rest_contract;
// secrets stay secret: passwords never in logs, traces, REST answers (but GET config), dead letters or statuses; validate shows [hidden].
mod secrets;
// sink consumers as static members: a killed worker's sinks resume at once; a stopped sink leaves its group.
mod sink_restart;
// sink stop path: SIGTERM during an outage commits only what is durable; a poison record stops the restarts.
mod sink_stop;
// TLS and SASL to Kafka: a file pipeline over SASL_SSL (SCRAM), SSL (client certificate, PKCS12) and SASL_PLAINTEXT (PLAIN); JKS and GSSAPI refused.
mod secure_kafka;
// the seed: ES sink installed like confluent-hub, the seed JSON, documents in OpenSearch; kill -9.
mod seed_flow;
// ES sink with OpenSearch stopped or hung (fault proxy): SIGTERM commits only what was indexed; recovery.
mod stop_path;
// topics.regex: a full match, as validated (orders is not orders-dlq); new matching topics are read.
mod topics_regex;
// the same transformation chains through the Java peer and our worker: the records in Kafka compared byte for byte.
mod transforms_vs_java;
// transformations: RegexRouter in the seed flow, Filter + predicate, a routed source, refused classes.
mod transforms;
// Kafka broker: create a topic, produce 10,000 records, group-consume them with manual sync commits.
mod smoke_kafka;
// OpenSearch node: `_bulk`-index 1,000 documents, refresh, `_count` them back.
mod smoke_opensearch;
// file source → private broker killed mid-stream; host SIGTERMed, kill -9ed or riding it out: nothing lost.
mod source_outage;
// five workers starting at once on fresh topics all become ready; a taken REST port fails the start.
mod startup;
// starting: CONNECT_* variables alone (the seed's block); unknown or ill-typed settings refused.
mod worker_config;
