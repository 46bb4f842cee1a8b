#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| synclab::catalogue::fuzz::operations("pool-correct", data));
