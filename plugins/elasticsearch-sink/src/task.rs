//! The sink task: `put` converts records and queues them (creating indices, data streams and
//! mappings on first use); `pre_commit` returns only what Elasticsearch acknowledged.
//!
//! Errors from `put`:
//! - RETRIABLE when the buffer is full, when Elasticsearch keeps rejecting requests after
//!   `max.retries`, or when it cannot be reached to create an index: the host pauses the
//!   partitions, backs off and puts the same records again (already-accepted ones are skipped).
//! - INVALID_RECORD for a record that cannot be indexed (bad key, null value with `fail`,
//!   schemaless value without `schema.ignore`, a malformed document with `fail`): the host's
//!   error handling decides (fail, or skip and dead-letter it).
//! - FATAL for configuration problems and refusals retrying cannot fix (401/403, …).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use connect_plugin_api::prelude::*;
use connect_plugin_api::sdk::runtime::runtime;
use serde_json::Value;

use crate::batcher::{Batcher, Limits};
use crate::bulk::{self, Converted, Destination, SchemaCache};
use crate::client::{AdminError, EsClient};
use crate::config::{EsConfig, Malformed};

/// How long `put` waits for buffer space before asking the host to retry.
const PUT_SPACE_WAIT: Duration = Duration::from_secs(1);

/// What to do with one record after conversion.
enum Outcome {
    Write(bulk::DocAction),
    /// Handled without a write.
    Done,
    /// Handled; report it to the host's error handling.
    Report(String),
    /// INVALID_RECORD.
    Invalid(String),
    /// RETRIABLE.
    Retry(String),
    /// FATAL.
    Fatal(String),
}

/// `io.confluent.connect.elasticsearch.ElasticsearchSinkTask`.
pub struct ElasticsearchSinkTask {
    cfg: Arc<EsConfig>,
    ctx: TaskContext,
    client: Arc<EsClient>,
    batcher: Batcher,
    schemas: SchemaCache,
    /// Destinations known to exist.
    ready: HashSet<String>,
    /// Destinations known to have a mapping.
    mapped: HashSet<String>,
    /// Destination of each topic seen.
    destinations: HashMap<String, Arc<Destination>>,
}

impl ElasticsearchSinkTask {
    /// Builds a task from a parsed configuration (what `start` does after parsing).
    pub fn with_config(cfg: EsConfig, ctx: TaskContext) -> Result<Self, ConnectError> {
        if let Some(t) = &cfg.type_name {
            tracing::warn!(
                "'type.name' ({t}) is ignored: mapping types were removed in Elasticsearch 7 and OpenSearch, and `_type` is never sent (OpenSearch 2 and Elasticsearch 8 reject it)"
            );
        }
        let client = Arc::new(EsClient::new(&cfg).map_err(ConnectError::config)?);
        let probe = client.clone();
        let budget = (cfg.connect_timeout + cfg.read_timeout).max(Duration::from_secs(1));
        match runtime().block_on(async { tokio::time::timeout(budget, probe.info()).await }) {
            Ok(Ok(info)) => tracing::info!(
                distribution = %info.distribution, version = %info.number, urls = ?cfg.urls,
                "Elasticsearch sink task connected"
            ),
            Ok(Err(e)) => {
                tracing::warn!(urls = ?cfg.urls, "cannot read the server version (requests will be retried): {}", e.message)
            }
            Err(_) => {
                tracing::warn!(urls = ?cfg.urls, "cannot read the server version: timed out (requests will be retried)")
            }
        }
        let batcher = Batcher::start(Limits::from_config(&cfg), client.clone());
        batcher.report_metrics_to(ctx.clone());
        Ok(ElasticsearchSinkTask {
            cfg: Arc::new(cfg),
            ctx,
            client,
            batcher,
            schemas: SchemaCache::default(),
            ready: HashSet::new(),
            mapped: HashSet::new(),
            destinations: HashMap::new(),
        })
    }

    /// (records outstanding, requests in flight, records queued), for tests and logs.
    pub fn stats(&self) -> (usize, usize, usize) {
        self.batcher.stats()
    }

    fn admin<T>(
        &self,
        f: impl std::future::Future<Output = Result<T, AdminError>>,
    ) -> Result<T, AdminError> {
        let budget =
            (self.cfg.connect_timeout + self.cfg.read_timeout).max(Duration::from_secs(5)) * 2;
        runtime()
            .block_on(async { tokio::time::timeout(budget, f).await })
            .unwrap_or_else(|_| {
                Err(AdminError {
                    retriable: true,
                    message: "request to Elasticsearch timed out".into(),
                })
            })
    }

    /// Makes sure the destination exists (creating an index or data stream when allowed).
    fn ensure(&mut self, dest: &Destination) -> Result<(), Outcome> {
        if self.ready.contains(&dest.name) {
            return Ok(());
        }
        let client = self.client.clone();
        let name = dest.name.clone();
        let (create, data_stream) = (dest.create, dest.data_stream);
        let r = self.admin(async move {
            if client.exists(&name).await? {
                return Ok(true);
            }
            if !create {
                return Ok(false);
            }
            tracing::info!(index = %name, data_stream, "creating the destination");
            if data_stream {
                client.create_data_stream(&name).await?;
            } else {
                client.create_index(&name).await?;
            }
            Ok(true)
        });
        match r {
            Ok(true) => {
                self.ready.insert(dest.name.clone());
                Ok(())
            }
            Ok(false) => Err(Outcome::Fatal(format!(
                "The external resource '{}' does not exist in Elasticsearch: create it, or fix 'topic.to.external.resource.mapping'.",
                dest.name
            ))),
            Err(e) if e.retriable => Err(Outcome::Retry(format!(
                "Elasticsearch is not reachable or busy while preparing '{}': {}",
                dest.name, e.message
            ))),
            Err(e) if e.message.contains("invalid_index_name_exception") => Err(Outcome::Invalid(
                format!("{}. {}", e.message, crate::batcher::fix_for(&e.message)),
            )),
            Err(e) => Err(Outcome::Invalid(e.message)),
        }
    }

    /// With the schema not ignored: makes sure the destination has a mapping, creating it from
    /// the value's Connect schema (Confluent's `checkMapping`).
    fn ensure_mapping(
        &mut self,
        dest: &Destination,
        schema: Option<&Value>,
    ) -> Result<(), Outcome> {
        if self.mapped.contains(&dest.name) {
            return Ok(());
        }
        self.ensure(dest)?;
        let client = self.client.clone();
        let name = dest.name.clone();
        match self.admin(async move { client.has_mapping(&name).await }) {
            Ok(true) => {
                self.mapped.insert(dest.name.clone());
                return Ok(());
            }
            Ok(false) => {}
            Err(e) if e.retriable => return Err(Outcome::Retry(e.message)),
            Err(e) => return Err(Outcome::Fatal(e.message)),
        }
        let Some(schema) = schema else {
            return Err(Outcome::Invalid(format!(
                "Cannot infer mapping without schema. The value has no Connect schema (schemaless JSON or a plain string) and 'schema.ignore' is false, so no mapping can be created for index '{}'. Set 'schema.ignore=true' (or list the topic in 'topic.schema.ignore') to index schemaless JSON with dynamic mapping, or send values with schemas (JsonConverter with schemas.enable=true, Avro, …).",
                dest.name
            )));
        };
        let mapping = match bulk::mapping_for_schema(schema) {
            Ok(m) => m,
            Err(e) => {
                return Err(Outcome::Invalid(format!(
                    "{e} (index '{}'). Set 'schema.ignore=true' to index without a mapping derived from the schema.",
                    dest.name
                )));
            }
        };
        let client = self.client.clone();
        let name = dest.name.clone();
        match self.admin(async move { client.put_mapping(&name, &mapping).await }) {
            Ok(()) => {
                tracing::info!(index = %dest.name, "created the index mapping from the value schema");
                self.mapped.insert(dest.name.clone());
                Ok(())
            }
            Err(e) if e.retriable => Err(Outcome::Retry(e.message)),
            Err(e) => Err(Outcome::Fatal(e.message)),
        }
    }

    fn convert(&mut self, r: &RecordView<'_>) -> Outcome {
        let cfg = self.cfg.clone();
        let topic = r.topic();
        let dest = match self.destinations.get(topic) {
            Some(d) => d.clone(),
            None => match bulk::destination(&cfg, topic) {
                Ok(d) => {
                    let d = Arc::new(d);
                    self.destinations.insert(topic.to_owned(), d.clone());
                    d
                }
                Err(m) => return Outcome::Fatal(m),
            },
        };
        let value = r.value();
        let schema = if !value.is_null() && !cfg.ignore_schema(topic) {
            let schema = value.schema.and_then(|s| self.schemas.get(s));
            // A string schema from StringConverter says nothing about the document's fields.
            let schema = schema.filter(|s| {
                value.kind != DataKind::STRING
                    || s.get("type").and_then(Value::as_str) != Some("string")
            });
            if let Err(o) = self.ensure_mapping(&dest, schema.as_deref()) {
                return o;
            }
            schema
        } else {
            None
        };
        let reportable = cfg.errant_reporter && cfg.tolerate_all;
        match bulk::convert(&cfg, r, &dest, schema.as_deref()) {
            Converted::Write(action) => match self.ensure(&dest) {
                Ok(()) => Outcome::Write(action),
                Err(o) => o,
            },
            Converted::Skip { reason, report } => {
                tracing::trace!("Ignoring {}: {reason}", bulk::record_string(r));
                if report && reportable {
                    Outcome::Report(reason)
                } else {
                    Outcome::Done
                }
            }
            Converted::Invalid(m) if cfg.drop_invalid => {
                tracing::error!("Can't convert {}: {m}", bulk::record_string(r));
                if reportable {
                    Outcome::Report(m)
                } else {
                    Outcome::Done
                }
            }
            Converted::Invalid(m) => Outcome::Invalid(m),
            Converted::Malformed(m) => match cfg.malformed {
                Malformed::Ignore | Malformed::Warn => {
                    if cfg.malformed == Malformed::Warn {
                        tracing::warn!("Ignoring a document Elasticsearch would reject: {m}");
                    }
                    if reportable {
                        Outcome::Report(m)
                    } else {
                        Outcome::Done
                    }
                }
                Malformed::Fail => Outcome::Invalid(format!(
                    "{m} To ignore documents like this, set 'behavior.on.malformed.documents' to 'ignore' or 'warn'."
                )),
            },
            Converted::Fatal(m) => Outcome::Fatal(m),
        }
    }

    fn report_errant(&self) {
        let list = self.batcher.take_errant();
        if list.is_empty() {
            return;
        }
        for e in &list {
            self.ctx.report_errant(
                &e.topic,
                e.partition,
                e.offset,
                ConnectError::fatal(e.message.clone()),
            );
        }
        self.batcher.reported(&list);
    }

    fn check_fatal(&self) -> Result<(), ConnectError> {
        match self.batcher.fatal() {
            Some(m) => Err(ConnectError::fatal(m)),
            None => Ok(()),
        }
    }
}

impl SinkTask for ElasticsearchSinkTask {
    fn start(config: Config, context: TaskContext) -> Result<Self, ConnectError> {
        // The strict parse: a task configuration must be a complete connector configuration.
        let cfg = EsConfig::parse(config.as_map())?;
        Self::with_config(cfg, context)
    }

    fn open(&mut self, partitions: &[TopicPartition]) -> Result<(), ConnectError> {
        self.batcher.open(partitions);
        if !self.cfg.auto_create_indices_at_start {
            return Ok(());
        }
        let topics: HashSet<&str> = partitions.iter().map(|tp| tp.topic.as_str()).collect();
        for topic in topics {
            let Ok(dest) = bulk::destination(&self.cfg, topic) else {
                continue;
            };
            if !dest.create {
                continue;
            }
            if let Err(Outcome::Retry(m) | Outcome::Invalid(m) | Outcome::Fatal(m)) =
                self.ensure(&dest)
            {
                tracing::warn!(index = %dest.name, "could not create the index at start (it is created on first use): {m}");
            }
        }
        Ok(())
    }

    fn put(&mut self, batch: &RecordBatch) -> Result<(), ConnectError> {
        self.check_fatal()?;
        self.report_errant();
        if let Some(m) = self.batcher.stalled() {
            return Err(ConnectError::retriable(m));
        }
        let space_wait = PUT_SPACE_WAIT.min(self.cfg.flush_timeout);
        for (i, r) in batch.iter().enumerate() {
            let (slot, duplicate) = self.batcher.admit(r.topic(), r.partition(), r.offset());
            if duplicate {
                continue;
            }
            if !self.batcher.has_space() {
                self.batcher.wake();
                if !self.batcher.wait_space(space_wait) {
                    self.check_fatal()?;
                    return Err(ConnectError::retriable(format!(
                        "Could not make space in the internal buffer fast enough ({} records buffered, 'max.buffered.records'={}); the host will put these records again after a back-off. Consider increasing max.buffered.records or checking the Elasticsearch cluster's health.",
                        self.batcher.stats().0,
                        self.cfg.max_buffered
                    )));
                }
            }
            match self.convert(&r) {
                Outcome::Write(action) => {
                    self.batcher
                        .push(slot, r.topic(), r.partition(), r.offset(), Some(&action))
                }
                Outcome::Done => {
                    self.batcher
                        .push(slot, r.topic(), r.partition(), r.offset(), None)
                }
                Outcome::Report(m) => {
                    self.ctx.report_errant(
                        r.topic(),
                        r.partition(),
                        r.offset(),
                        ConnectError::fatal(m),
                    );
                    self.batcher
                        .push(slot, r.topic(), r.partition(), r.offset(), None)
                }
                Outcome::Invalid(m) => {
                    self.batcher.wake();
                    return Err(ConnectError::invalid_record(i as u32, m));
                }
                Outcome::Retry(m) => {
                    self.batcher.wake();
                    return Err(ConnectError::retriable(m));
                }
                Outcome::Fatal(m) => return Err(ConnectError::fatal(m)),
            }
        }
        self.batcher.wake();
        Ok(())
    }

    fn flush(&mut self, _offsets: &[TopicPartitionOffset]) -> Result<(), ConnectError> {
        self.check_fatal()?;
        self.batcher.flush();
        Ok(())
    }

    fn pre_commit(
        &mut self,
        offsets: &[TopicPartitionOffset],
    ) -> Result<Vec<TopicPartitionOffset>, ConnectError> {
        self.check_fatal()?;
        if self.cfg.flush_synchronously {
            let left = self.batcher.wait_idle(self.cfg.flush_timeout);
            if left > 0 {
                tracing::warn!(
                    records = left,
                    "Flush timeout expired with unflushed records: {left}; committing only what Elasticsearch acknowledged"
                );
            }
            self.check_fatal()?;
        } else {
            self.batcher.flush();
        }
        Ok(self.batcher.offsets(offsets))
    }

    fn close(&mut self, partitions: &[TopicPartition]) -> Result<(), ConnectError> {
        self.batcher.close(partitions);
        Ok(())
    }

    fn stop(&mut self) -> Result<(), ConnectError> {
        let left = self.batcher.wait_idle(self.cfg.flush_timeout);
        if left > 0 {
            tracing::warn!(
                records = left,
                "stopping with records not yet acknowledged by Elasticsearch (they were not committed and will be read again)"
            );
        }
        self.report_errant();
        self.batcher.shutdown();
        Ok(())
    }
}
