//! The queue's documented behaviour at its edges: capacity zero, zero and
//! enormous timeouts, task_done called too often, items given back.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use synclab::Queue;
use synclab::queue::{Full, TaskDoneError};

/// As in Python, `maxsize == 0` means unbounded.
#[test]
fn capacity_zero_means_unbounded() {
    let queue = Queue::new(0);
    assert_eq!(queue.capacity(), None);
    for item in 0..1000 {
        assert_eq!(queue.try_put(item), Ok(()));
    }
    assert!(!queue.is_full());
    assert_eq!(queue.len(), 1000);
    assert_eq!(Queue::<u8>::unbounded().capacity(), None);
    assert_eq!(Queue::<u8>::new(3).capacity(), Some(3));
}

/// A full queue refuses `try_put` and gives the item back: nothing lost.
#[test]
fn a_refused_put_gives_the_item_back() {
    let queue = Queue::new(1);
    queue.put(String::from("first"));
    assert_eq!(
        queue.try_put(String::from("second")),
        Err(Full(String::from("second")))
    );
    let start = Instant::now();
    assert_eq!(
        queue.put_for(String::from("third"), Duration::from_millis(20)),
        Err(Full(String::from("third")))
    );
    assert!(start.elapsed() >= Duration::from_millis(20));
    assert_eq!(queue.get(), "first");
}

/// Zero timeouts never sleep; enormous ones wait without overflow.
#[test]
fn zero_and_enormous_timeouts() {
    let queue = Arc::new(Queue::new(1));
    assert_eq!(queue.get_for(Duration::ZERO), None);
    assert_eq!(queue.put_for(1, Duration::MAX), Ok(()));
    assert_eq!(queue.put_for(2, Duration::ZERO), Err(Full(2)));
    assert!(!queue.join_for(Duration::ZERO));
    let consumer = {
        let queue = Arc::clone(&queue);
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(10));
            let item = queue.get();
            queue.task_done().unwrap();
            item
        })
    };
    assert_eq!(
        queue.put_for(3, Duration::MAX),
        Ok(()),
        "MAX waits for room"
    );
    assert_eq!(consumer.join().unwrap(), 1);
    assert_eq!(queue.get_for(Duration::MAX), Some(3));
    queue.task_done().unwrap();
    assert!(queue.join_for(Duration::MAX));
}

/// task_done called more often than items were put is an error (Python's
/// ValueError), and changes nothing.
#[test]
fn task_done_more_than_put_is_an_error() {
    let queue = Queue::new(0);
    assert_eq!(queue.task_done(), Err(TaskDoneError));
    queue.put('a');
    assert_eq!(queue.get(), 'a');
    assert_eq!(queue.task_done(), Ok(()));
    assert_eq!(queue.task_done(), Err(TaskDoneError));
    assert!(
        queue.join_for(Duration::ZERO),
        "join still sees every task done"
    );
    assert!(TaskDoneError.to_string().contains("more times"));
}

/// join waits for task_done, not for get.
#[test]
fn join_waits_for_every_task_to_be_marked_done() {
    let queue = Queue::new(0);
    queue.put(1);
    assert_eq!(queue.get(), 1);
    assert!(
        !queue.join_for(Duration::from_millis(10)),
        "taken but not marked done"
    );
    queue.task_done().unwrap();
    assert!(queue.join_for(Duration::ZERO));
}

/// Many producers and consumers on real threads: every item put is got
/// exactly once.
#[test]
fn nothing_lost_nothing_duplicated_on_real_threads() {
    let queue = Arc::new(Queue::new(4));
    let producers: Vec<_> = (0..3u32)
        .map(|p| {
            let queue = Arc::clone(&queue);
            thread::spawn(move || (0..500).for_each(|i| queue.put(p * 1000 + i)))
        })
        .collect();
    let consumers: Vec<_> = (0..3)
        .map(|_| {
            let queue = Arc::clone(&queue);
            thread::spawn(move || (0..500).map(|_| queue.get()).collect::<Vec<u32>>())
        })
        .collect();
    producers.into_iter().for_each(|p| p.join().unwrap());
    let mut got: Vec<u32> = consumers
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    got.sort_unstable();
    let expected: Vec<u32> = (0..3)
        .flat_map(|p| (0..500).map(move |i| p * 1000 + i))
        .collect();
    assert_eq!(got, expected);
    assert!(queue.is_empty());
}

/// A consumer that panics between `get` and `task_done` leaves the queue
/// unlocked, and its task unfinished: `join` waits for it, as in Python.
#[test]
fn a_panicking_consumer_leaves_its_task_unfinished() {
    let queue = Queue::new(1);
    queue.put(1);
    let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _item: i32 = queue.get();
        panic!("the consumer fails");
    }));
    assert!(unwound.is_err());
    assert_eq!(queue.try_put(2), Ok(()), "not left locked");
    assert!(
        !queue.join_for(Duration::from_millis(5)),
        "one task unfinished"
    );
    assert_eq!(queue.get(), 2);
    queue.task_done().unwrap();
    queue.task_done().unwrap();
    assert!(queue.join_for(Duration::ZERO));
}
