//! A primitive of any kind with its sequential spec: what the model test and
//! the linearizability checker's generated programs need to know of it.

use std::fmt::Debug;
use std::marker::PhantomData;
use std::sync::Arc;

use proptest::collection::vec;
use proptest::prelude::*;

use crate::backend::{Backend, Shuttle, Std, run_threads};
use crate::lab::Budget;
use crate::lab::checkers::{Sequential, SequentialTest};
use crate::lab::failure::Failure;
use crate::lab::linearizability::generated::{self, Program, Runs};
use crate::lab::linearizability::{Recorder, Spec};
use crate::lab::spec::{Timeout, check_sequence};

/// The operation type of `M`'s spec.
pub type OpOf<M> = <<M as Model>::Spec as Spec>::Op;
/// The return type of `M`'s spec.
pub type RetOf<M> = <<M as Model>::Spec as Spec>::Ret;

/// A primitive of any kind with its sequential [`Spec`]: how to make one in
/// each world, how to apply an operation to it, and which operations to
/// draw. From it the lab derives two checks:
///
/// - the **model test**: one thread applies up to [`Model::LENGTH`] drawn
///   operations to the primitive on real threads and to the spec, which
///   must agree at every step ([`check_sequence`]);
/// - the **linearizability** checker's **generated programs**: 2–3 threads
///   of 1–3 operations each, run under shuttle and on real threads, each
///   history checked against the spec.
///
/// The lab's own primitives implement it (a queue's `QueueModel`); for a
/// kind the lab does not list, see [`own`](crate::own).
pub trait Model: 'static {
    /// The spec the primitive must agree with.
    type Spec: Spec + Send + Sync + 'static;
    /// The primitive in world `B`.
    type Object<B: Backend>: Send + Sync + 'static;

    /// How many operations a sequential case has at most.
    const LENGTH: usize = 24;

    /// The primitive in world `B`, made with `parameter` (a capacity, a
    /// number of permits; see [`Model::parameters`]).
    fn new<B: Backend>(parameter: usize) -> Self::Object<B>;

    /// The spec's state for a primitive made with `parameter`.
    fn initial(parameter: usize) -> Self::Spec;

    /// Applies `op` to `object` and returns what it returned, as the spec
    /// says it.
    fn perform<B: Backend>(object: &Self::Object<B>, op: &OpOf<Self>) -> RetOf<Self>;

    /// The operations of the sequential cases.
    fn ops() -> impl Strategy<Value = OpOf<Self>> + Clone;

    /// The operations of the generated concurrent programs; by default the
    /// same. Timed operations with a timeout other than zero are left out
    /// whatever this returns (see [`Programs::strategy`]).
    fn concurrent_ops() -> impl Strategy<Value = OpOf<Self>> + Clone {
        Self::ops()
    }

    /// The parameters to draw; by default only 0.
    fn parameters() -> impl Strategy<Value = usize> + Clone {
        Just(0)
    }
}

/// The model test of `M`, for [`Subject::sequential`](crate::lab::checkers::Subject).
pub const fn sequential<M: Model>() -> SequentialTest {
    SequentialTest::of::<Cases<M>>()
}

/// The linearizability test of `M` over generated programs within
/// `budget` ([`generated::linearizability`]).
pub fn linearizability<M: Model>(budget: &Budget) -> (Option<Failure>, usize) {
    generated::linearizability::<Programs<M>>(Programs::<M>::strategy(), budget)
}

/// The sequential cases of `M`: a parameter and the operations of one
/// thread.
struct Cases<M>(PhantomData<M>);

impl<M: Model> Sequential for Cases<M> {
    type Case = (usize, Vec<OpOf<M>>);

    fn cases() -> impl Strategy<Value = Self::Case> {
        (M::parameters(), vec(M::ops(), 0..=M::LENGTH))
    }

    fn check((parameter, ops): &Self::Case) -> Result<(), String> {
        let object = M::new::<Std>(*parameter);
        check_sequence(M::initial(*parameter), ops, |op| M::perform(&object, op))
    }
}

/// The generated concurrent programs of `M`.
#[derive(Debug)]
pub struct Programs<M>(PhantomData<M>);

impl<M: Model> Programs<M> {
    /// The programs proptest draws from: 2–3 threads of 1–3
    /// [`concurrent_ops`](Model::concurrent_ops) each, with one of the
    /// [`parameters`](Model::parameters). Timed operations that could wait
    /// are left out (a zero timeout stays): time does not pass under
    /// shuttle.
    pub fn strategy() -> impl Strategy<Value = Program<OpOf<M>>> {
        let untimed = M::concurrent_ops().prop_filter("a timed wait", |op| {
            matches!(<M::Spec as Spec>::timeout(op), None | Some(Timeout::Zero))
        });
        generated::programs(M::parameters(), untimed)
    }

    fn run<B: Backend>(program: &Program<OpOf<M>>, recorder: Arc<Recorder<M::Spec>>) {
        let object = M::new::<B>(program.parameter);
        let shared = Arc::new((recorder, object, program.clone()));
        let threads = program.threads.len();
        run_threads::<B, _>(threads, &shared, |(recorder, object, program), thread| {
            for op in &program.threads[thread] {
                recorder.record(thread, op.clone(), || M::perform(object, op));
            }
        });
    }
}

impl<M: Model> Runs for Programs<M> {
    type Spec = M::Spec;

    fn initial(parameter: usize) -> M::Spec {
        M::initial(parameter)
    }

    fn on_shuttle(program: &Program<OpOf<M>>, recorder: Arc<Recorder<M::Spec>>) {
        Self::run::<Shuttle>(program, recorder);
    }

    fn on_std(program: &Program<OpOf<M>>, recorder: Arc<Recorder<M::Spec>>) {
        Self::run::<Std>(program, recorder);
    }
}
