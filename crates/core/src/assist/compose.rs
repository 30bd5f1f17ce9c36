//! Puts a reply together from what [`decide`](super::decide) chose: the reviewed text of the
//! source, the office's state for it ([`facts`](super::facts)), links into the portal and
//! the citations. Nothing here writes new content; each sentence is a source's own or a
//! fixed template.

use crate::assist::decide::{Candidate, Decision, NoticeDoc};
use crate::assist::facts;
use crate::assist::state::OfficeState;
use crate::assist::{Choice, Link, Reply, ReplyKind};
use crate::clock::jst_date;
use crate::inquiry::faq::FaqEntry;
use crate::inquiry::help_index::HelpDoc;
use crate::inquiry::manual::{self, ManualSection, ZIP_HINT};
use crate::inquiry::outside::{Contact, OutsideTopic};
use crate::inquiry::state_fact::StateFact;

/// What a reply may draw on besides the question.
pub struct Context<'a> {
    /// The logged-in office's state; `None` on the public pages.
    pub state: Option<&'a OfficeState>,
    /// The notices this office may see (empty on the public pages).
    pub notices: &'a [NoticeDoc],
    /// The deployment's hint on opening the password ZIP (manual section 4).
    pub zip_hint: &'a str,
}

/// The first characters of a notice's body shown in an answer.
const NOTICE_EXCERPT: usize = 160;

pub fn reply(decision: &Decision, cx: &Context) -> Reply {
    match decision {
        Decision::Answer(doc, related) => answer(*doc, related, cx),
        Decision::Notice(i) => match cx.notices.get(*i) {
            Some(n) => notice(n),
            None => hand_over(),
        },
        Decision::Choose(c) => choices(c, cx),
        Decision::Outside(t) => outside(t, cx),
        Decision::HandOver => hand_over(),
    }
}

/// The answer for a candidate the office picked from the choices.
pub fn picked(candidate: Candidate, cx: &Context) -> Reply {
    match candidate {
        Candidate::Help(HelpDoc::Outside(t)) => outside(t, cx),
        Candidate::Help(doc) => answer(doc, &[], cx),
        Candidate::Notice(i) => match cx.notices.get(i) {
            Some(n) => notice(n),
            None => hand_over(),
        },
    }
}

fn link(label: impl Into<String>, href: impl Into<String>) -> Link {
    Link {
        label: label.into(),
        href: href.into(),
    }
}

fn empty(kind: ReplyKind) -> Reply {
    Reply {
        kind,
        heading: String::new(),
        paragraphs: Vec::new(),
        facts: Vec::new(),
        links: Vec::new(),
        sources: Vec::new(),
        choices: Vec::new(),
        key: None,
    }
}

fn manual_source(s: &ManualSection) -> Link {
    link(format!("マニュアル「{}」", s.title), s.href())
}

fn notice_source(n: &NoticeDoc) -> Link {
    link(
        format!("お知らせ「{}」", n.title),
        format!("/notices/{}", n.id),
    )
}

fn add_facts(r: &mut Reply, wanted: &[StateFact], cx: &Context) {
    if let Some(state) = cx.state {
        let (lines, links) = facts::describe(wanted, state);
        r.facts = lines;
        r.links.extend(links);
    }
}

fn answer(doc: HelpDoc, related: &[usize], cx: &Context) -> Reply {
    let mut r = match doc {
        HelpDoc::Faq(e) => faq_answer(e, cx),
        HelpDoc::Manual(s) => manual_answer(s, cx),
        HelpDoc::Outside(t) => return outside(t, cx),
    };
    r.key = Some(doc.key());
    // Notices that match too are pointed to, not cited: no text was taken from them.
    for n in related.iter().filter_map(|i| cx.notices.get(*i)) {
        r.links.push(link(
            format!("関連するお知らせ「{}」", n.title),
            format!("/notices/{}", n.id),
        ));
    }
    r
}

fn faq_answer(e: &FaqEntry, cx: &Context) -> Reply {
    let mut r = empty(ReplyKind::Answer);
    r.heading = e.question.clone();
    r.paragraphs = e.paragraphs().map(str::to_owned).collect();
    r.links = e.links.iter().map(|(l, h)| link(l, h)).collect();
    r.sources
        .push(link(format!("FAQ「{}」", e.question), e.href()));
    r.sources.extend(
        e.manual
            .iter()
            .filter_map(|m| manual::section(m))
            .map(manual_source),
    );
    add_facts(&mut r, &e.state, cx);
    r
}

fn manual_answer(s: &ManualSection, cx: &Context) -> Reply {
    let mut r = empty(ReplyKind::Answer);
    r.heading = s.title.to_owned();
    r.paragraphs.extend(s.lead.iter().map(|p| (*p).to_owned()));
    for (n, step) in s.steps.iter().enumerate() {
        let mut text = format!("{}. {}", n + 1, step.text.replace(ZIP_HINT, cx.zip_hint));
        for c in step.checks {
            text.push_str(&format!("（{c}）"));
        }
        r.paragraphs.push(text);
    }
    r.paragraphs.extend(s.after.iter().map(|p| (*p).to_owned()));
    r.links = s.see.iter().map(|(l, h)| link(*l, *h)).collect();
    r.sources.push(manual_source(s));
    add_facts(&mut r, s.state, cx);
    r
}

fn notice(n: &NoticeDoc) -> Reply {
    let mut r = empty(ReplyKind::Answer);
    r.heading = n.title.clone();
    let excerpt: String = n.body.chars().take(NOTICE_EXCERPT).collect();
    let more = if n.body.chars().count() > NOTICE_EXCERPT {
        "…"
    } else {
        ""
    };
    r.paragraphs.push(format!(
        "{} に掲載したお知らせ「{}」に、次のとおり記載しています。",
        jst_date(n.created_at),
        n.title
    ));
    r.paragraphs.push(format!("{excerpt}{more}"));
    r.links
        .push(link("お知らせを開く", format!("/notices/{}", n.id)));
    r.sources.push(notice_source(n));
    r.key = Some(format!("notice:{}", n.id));
    r
}

fn choices(candidates: &[Candidate], cx: &Context) -> Reply {
    let mut r = empty(ReplyKind::Choices);
    r.choices = candidates
        .iter()
        .filter_map(|c| match c {
            Candidate::Help(d) => Some(Choice {
                key: d.key(),
                label: d.title(),
            }),
            Candidate::Notice(i) => cx.notices.get(*i).map(|n| Choice {
                key: format!("notice:{}", n.id),
                label: format!("お知らせ「{}」", n.title),
            }),
        })
        .collect();
    r.paragraphs.push(if r.choices.len() > 1 {
        "ご質問に近いものが複数あります。次のどれですか。".to_owned()
    } else {
        "ご質問は次の内容ですか。当てはまる場合は選んでください。".to_owned()
    });
    r
}

fn outside(t: &OutsideTopic, cx: &Context) -> Reply {
    let mut r = empty(ReplyKind::Outside);
    r.heading = format!("{}について", t.label);
    r.paragraphs.push(
        "このご質問は電子証明書の手続きの範囲外のため、AIチャットではお答えできません。".to_owned(),
    );
    r.paragraphs.push(match t.contact {
        Contact::Kokuhoren => match cx.state.and_then(|s| s.kokuhoren.as_deref()) {
            Some(name) => format!(
                "{}については、事業所の所在地の国保連合会（{name}）の介護保険担当へお問い合わせください。",
                t.label
            ),
            None => format!(
                "{}については、事業所の所在地の国保連合会の介護保険担当へお問い合わせください。",
                t.label
            ),
        },
        Contact::Insurer => format!(
            "{}については、保険者（市町村）または指定権者（都道府県・市町村）の介護保険担当窓口へお問い合わせください。",
            t.label
        ),
        Contact::Vendor => format!(
            "{}については、お使いのソフトの提供元（販売元）へお問い合わせください。",
            t.label
        ),
    });
    r.key = Some(format!("outside:{}", t.id));
    r
}

fn hand_over() -> Reply {
    let mut r = empty(ReplyKind::HandOver);
    r.paragraphs.push(
        "申し訳ありません。ご質問に合う回答が見つかりませんでした。言葉を変えてもう一度質問するか、フォームまたはお電話でお問い合わせください。"
            .to_owned(),
    );
    r
}
