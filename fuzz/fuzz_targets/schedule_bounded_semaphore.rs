#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| synclab::fuzzing::schedule("bounded-semaphore-correct", data));
