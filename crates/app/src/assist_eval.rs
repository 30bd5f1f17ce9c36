//! `kaigo-pki assist eval`: the AIチャット measured on its question set (help/eval.toml in
//! kaigo-core) against the goals; exits non-zero when a quality goal is missed.

use clap::{Subcommand, ValueEnum};
use kaigo_core::assist::eval::{self, GOALS, Split};

#[derive(Subcommand, Debug)]
pub enum AssistCommand {
    /// Measure the AIチャット: right answer first, in the top 3, questions outside the service
    /// handed over, the office's state shown, citations valid, and the time to answer.
    Eval {
        /// Which half of the question set: held-out (the measure) or tuning (for writing
        /// phrasings).
        #[arg(long, value_enum, default_value = "held-out")]
        split: SplitArg,
        /// Also list every miss with the hits behind it.
        #[arg(long)]
        verbose: bool,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum SplitArg {
    Tuning,
    HeldOut,
}

/// The report's text and whether every quality goal is met.
pub fn run(command: AssistCommand) -> (String, bool) {
    let AssistCommand::Eval { split, verbose } = command;
    let (split, name) = match split {
        SplitArg::Tuning => (Split::Tuning, "tuning"),
        SplitArg::HeldOut => (Split::HeldOut, "held-out"),
    };
    let r = eval::run(split);
    let mark = |ok: bool| if ok { "ok" } else { "MISSED" };
    let mut out = format!(
        "AIチャット question set, {name} half: {} questions in scope, {} outside the service; {} state scenarios\n\n",
        r.in_scope, r.out_of_scope, r.scenarios
    );
    let rows = [
        ("right answer first", r.top1_rate(), GOALS.top1),
        ("right answer in the top 3", r.top3_rate(), GOALS.top3),
        (
            "outside the service handed over",
            r.outside_rate(),
            GOALS.outside,
        ),
        ("state scenarios shown", r.state_rate(), GOALS.state),
        ("citations valid", r.citation_rate(), GOALS.citations),
    ];
    for (label, got, goal) in rows {
        out.push_str(&format!(
            "{label:<34}{got:>7.3}   goal ≥ {goal:.2}   {}\n",
            mark(got >= goal)
        ));
    }
    out.push_str(&format!(
        "{:<34}{:>7.3}   (the rest are choices or hand-overs)\n",
        "answered without choices",
        r.answered_rate()
    ));
    out.push_str(&format!(
        "{:<34}{:>7.3} ms p50, {:.3} ms p95   goal p95 ≤ {:.0} ms   {}\n",
        "time to answer (decide + compose)",
        r.p50_ms,
        r.p95_ms,
        GOALS.p95_ms,
        mark(r.p95_ms <= GOALS.p95_ms)
    ));
    out.push_str(&format!(
        "\nFAQ page search, {} questions whose answer is an FAQ entry:\n  ranked (this index): right entry first {}, no result {}\n  all-words substring (before): right entry first {}, no result {}\n",
        r.faq_questions, r.faq_first, r.faq_empty, r.substring_first, r.substring_empty
    ));
    if verbose && !r.misses.is_empty() {
        out.push_str("\nmisses:\n");
        for m in &r.misses {
            out.push_str(&format!("  {m}\n"));
        }
        out.push_str("\nhow each missed question was judged:\n");
        for q in eval::questions().iter().filter(|q| q.split == split) {
            if r.misses.iter().any(|m| m.contains(&q.q)) {
                out.push_str(&format!("  {} [{}]\n", q.q, q.expect.join(" ")));
                for line in eval::explain(&q.q) {
                    out.push_str(&format!("      {line}\n"));
                }
            }
        }
    }
    (out, r.shortfalls().is_empty())
}
