//! Per-record cost of handing records to a sink plugin across the ABI: the host fills a reused
//! batch (topic, partition, offset, timestamp, 16-byte key, 256-byte value, one header) and
//! calls `put` through the `#[sabi_trait]` object, and the plugin reads every key and value.
//!
//! Run: `cargo bench -p connect-plugin-api --bench batch`. Criterion's throughput line gives
//! records per second; ns per record = 1e9 / that.

use std::hint::black_box;

use abi_stable::std_types::RSlice;
use connect_plugin_api::{
    abi::types::TimestampType,
    batch::{Data, RecordPosition},
    prelude::*,
    sdk::export::sink_factory,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

struct Bench;
impl ConnectorDescription for Bench {
    const CLASS: &'static str = "bench.BenchSinkConnector";
    const VERSION: &'static str = "0";
    fn config_def() -> ConfigDef {
        ConfigDef::new()
    }
}
impl SinkConnector for Bench {
    type Task = BenchTask;
    fn start(_: Config, _: ConnectorContext) -> Result<Self, ConnectError> {
        Ok(Bench)
    }
}
struct BenchTask(u64);
impl SinkTask for BenchTask {
    fn start(
        _: Config,
        _: connect_plugin_api::sdk::context::TaskContext,
    ) -> Result<Self, ConnectError> {
        Ok(BenchTask(0))
    }
    fn put(&mut self, batch: &RecordBatch) -> Result<(), ConnectError> {
        for r in batch.iter() {
            self.0 = self.0.wrapping_add(
                r.value().bytes.len() as u64 + r.key().bytes.len() as u64 + r.offset() as u64,
            );
        }
        black_box(self.0);
        Ok(())
    }
}

fn boundary(c: &mut Criterion) {
    let factory = sink_factory::<Bench>();
    let ctx = connect_plugin_api::sdk::testing::noop_task_context();
    let mut task = factory
        .start_sink_task(RSlice::from_slice(&[]), ctx)
        .unwrap();
    let value = vec![b'v'; 256];
    let mut batch = RecordBatch::new();
    let mut group = c.benchmark_group("put_across_boundary");
    for size in [1usize, 100, 2000] {
        group.throughput(Throughput::Elements(size as u64));
        group.bench_function(format!("batch_{size}"), |b| {
            b.iter(|| {
                batch.clear();
                for i in 0..size {
                    let at = RecordPosition {
                        topic: "bench",
                        partition: 0,
                        offset: i as i64,
                        timestamp: Some((1, TimestampType::CREATE_TIME)),
                    };
                    batch
                        .push(
                            at,
                            Data::bytes(b"key-0123456789ab"),
                            Data::bytes(&value),
                            &[("h", Data::string("v"))],
                        )
                        .unwrap();
                }
                task.put(&batch).unwrap();
            })
        });
    }
    group.finish();
}

criterion_group!(benches, boundary);
criterion_main!(benches);
