//! The lab's command line: runs the catalogue under every checker and prints
//! the matrix.

use std::process::ExitCode;

use synclab::catalogue::{CATALOGUE, Entry};
use synclab::checkers::{Budget, Checker, OK};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("list") => {
            list();
            ExitCode::SUCCESS
        }
        Some("run") => run(&args[1..]),
        None => run(&[]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("synclab: unknown command `{other}`\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

const USAGE: &str = "usage: synclab [list | run [FILTER]...]
  list            the catalogue: every variant and its bug
  run [FILTER]... run the variants whose id contains a FILTER (all without one)
                  under every checker and print the matrix";

fn list() {
    for entry in CATALOGUE {
        let bug = entry.bug.unwrap_or("correct");
        println!(
            "{:<24} {:<14} {:<18} {bug}",
            entry.id, entry.primitive, entry.variant
        );
    }
}

fn run(filters: &[String]) -> ExitCode {
    let selected: Vec<&Entry> = CATALOGUE
        .iter()
        .filter(|entry| filters.is_empty() || filters.iter().any(|f| entry.id.contains(f.as_str())))
        .collect();
    if selected.is_empty() {
        eprintln!("synclab: no variant matches {filters:?}; `synclab list` shows them");
        return ExitCode::from(2);
    }
    let budget = Budget::default();
    print!("{:<24}", "variant");
    for checker in Checker::ALL {
        print!(" | {:<28}", checker.name());
    }
    println!();
    let mut surprises = 0;
    for entry in selected {
        print!("{:<24}", entry.id);
        for checker in Checker::ALL {
            let cell = match entry.run(checker, &budget) {
                None => "n/a".to_owned(),
                Some(run) => {
                    let verdict = entry.verdict(&run);
                    surprises += usize::from(!verdict.is_expected());
                    let millis = run.elapsed.as_millis();
                    match &run.histogram {
                        // A stress cell says how often the bug showed.
                        Some(histogram) => {
                            let ok = histogram.get(OK).copied().unwrap_or(0);
                            let failed = run.schedules - ok;
                            format!("{verdict} {failed}/{} {millis}ms", run.schedules)
                        }
                        None => format!("{verdict} {}/{millis}ms", run.schedules),
                    }
                }
            };
            print!(" | {cell:<28}");
        }
        println!();
    }
    if surprises == 0 {
        println!("\nevery verdict as the catalogue expects");
        ExitCode::SUCCESS
    } else {
        println!("\n{surprises} verdict(s) differ from the catalogue");
        ExitCode::FAILURE
    }
}
