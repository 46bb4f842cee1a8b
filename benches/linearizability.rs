//! The checkers themselves: the linearizability checker on growing
//! histories recorded from real threads (two producers and two consumers on
//! a bounded queue), and loom's and shuttle's schedules per second on one
//! scenario (the correct lock's).

use std::hint::black_box;
use std::sync::Arc;
use std::thread;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use synclab::Queue;
use synclab::lab::linearizability::{Ending, History, Recorder, check};
use synclab::queue::spec::{QueueOp, QueueRet, QueueSpec};

/// A history of `ops` operations from 4 threads: 2 producers putting and 2
/// consumers getting `ops / 4` items each, on a queue of capacity 8.
fn queue_history(ops: usize) -> History<QueueOp, QueueRet> {
    let per_thread = ops / 4;
    let recorder = Arc::new(Recorder::<QueueSpec>::new());
    let queue = Arc::new(Queue::new(8));
    let threads: Vec<_> = (0..4)
        .map(|thread| {
            let (recorder, queue) = (Arc::clone(&recorder), Arc::clone(&queue));
            thread::spawn(move || {
                for i in 0..per_thread {
                    if thread < 2 {
                        let item = (thread * per_thread + i) as u32;
                        recorder.record(thread, QueueOp::Put(item), || {
                            queue.put(item);
                            QueueRet::Done
                        });
                    } else {
                        recorder.record(thread, QueueOp::Get, || QueueRet::Item(queue.get()));
                    }
                }
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    recorder.history()
}

fn checker(c: &mut Criterion) {
    let mut group = c.benchmark_group("linearizability/queue-history");
    for ops in [100, 250, 500, 1000] {
        let history = queue_history(ops);
        let spec = QueueSpec::bounded(8);
        assert!(
            check(&spec, &history, Ending::Open).is_ok(),
            "a correct queue's history"
        );
        group.throughput(Throughput::Elements(ops as u64));
        group.bench_with_input(BenchmarkId::from_parameter(ops), &history, |b, history| {
            b.iter(|| check(black_box(&spec), black_box(history), Ending::Open))
        });
    }
    group.finish();
}

/// Schedules per second: each iteration runs the checker over the correct
/// lock's scenario, whose schedule count is fixed by the budget.
fn throughput(c: &mut Criterion) {
    use synclab::catalogue::find;
    use synclab::lab::{Budget, checkers::Checker};
    let entry = find("lock-correct").expect("in the catalogue");
    let budget = Budget {
        shuttle_iterations: 100,
        ..Budget::default()
    };
    let mut group = c.benchmark_group("checkers/lock-correct");
    group.sample_size(10);
    for checker in [
        Checker::Loom,
        Checker::ShuttleRandom,
        Checker::ShuttlePct,
        Checker::Linearizability,
    ] {
        let schedules = entry.run(checker, &budget).expect("applies").schedules;
        group.throughput(Throughput::Elements(schedules as u64));
        group.bench_function(checker.name(), |b| {
            b.iter(|| entry.run(checker, black_box(&budget)))
        });
    }
    group.finish();
}

criterion_group!(benches, checker, throughput);
criterion_main!(benches);
