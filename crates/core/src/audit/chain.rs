//! The audit trail as a hash chain with signed checkpoints, and the walk that verifies it.
//!
//! Each record stores the previous record's hash and its own hash over that and its fields
//! ([`entry_hash`]). A checkpoint, signed with the audit key, names the newest record's id and
//! hash at the time: rewriting the chain up to a checkpoint needs the audit key, and cutting
//! records off after one leaves the checkpoint naming a record that is gone. docs/AUDIT.md
//! gives the same rules for an auditor's own script.

use sha2::{Digest, Sha256};

use crate::audit::AuditEvent;

/// The `prev_hash` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// Names the record serialization; change it if the format ever changes.
const FORMAT_TAG: &[u8] = b"kaigo-audit-v1";
/// The first line of every checkpoint message.
pub const CHECKPOINT_TAG: &str = "kaigo-audit-checkpoint-v1";

/// The hash of a record: lowercase hex SHA-256 of the previous record's hash (as its 64 hex
/// characters), then `kaigo-audit-v1`, then for each of `at` (decimal), `actor`, `action`,
/// `object`, `source` and `detail`: its byte length as 8 bytes big-endian followed by its
/// UTF-8 bytes. The length prefixes make the serialization unambiguous.
pub fn entry_hash(prev_hash: &str, event: &AuditEvent) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(FORMAT_TAG);
    let at = event.at.to_string();
    for field in [
        at.as_str(),
        &event.actor,
        &event.action,
        &event.object,
        &event.source,
        &event.detail,
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

/// A stored record of the trail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRecord {
    pub id: i64,
    pub event: AuditEvent,
    pub prev_hash: String,
    pub hash: String,
}

/// A signed statement that the trail reached record `last_id` with hash `last_hash`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    pub id: i64,
    pub at: i64,
    pub last_id: i64,
    pub last_hash: String,
    /// RSASSA-PKCS1-v1_5 with SHA-256 over [`checkpoint_message`], by the audit key.
    pub signature: Vec<u8>,
}

/// The exact bytes a checkpoint signs: four lines, each ending in `\n`.
pub fn checkpoint_message(last_id: i64, last_hash: &str, at: i64) -> Vec<u8> {
    format!("{CHECKPOINT_TAG}\nlast_id={last_id}\nlast_hash={last_hash}\nat={at}\n").into_bytes()
}

/// What the walk found first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Finding {
    /// The record's fields no longer give its hash: it was altered.
    Altered { id: i64 },
    /// The record does not follow the one before it: a record was deleted, inserted or
    /// reordered just before this one.
    Unlinked { id: i64 },
    /// A checkpoint's signature does not verify with the audit key.
    BadSignature { checkpoint: i64 },
    /// A checkpoint names a record whose hash is now different.
    CheckpointMismatch { checkpoint: i64, id: i64 },
    /// A checkpoint names a record that is gone from the middle of an unbroken chain (removed,
    /// and the next record re-linked).
    Missing { checkpoint: i64, id: i64 },
    /// A checkpoint names a record that is gone: the trail was cut off after `last_kept`.
    CutOff {
        checkpoint: i64,
        id: i64,
        last_kept: i64,
    },
}

impl Finding {
    /// One line for the operator.
    pub fn describe(&self) -> String {
        match self {
            Self::Altered { id } => {
                format!("record {id} was altered (its hash does not match its fields)")
            }
            Self::Unlinked { id } => format!(
                "record {id} does not follow the record before it: that record was rewritten, or a record was deleted, inserted or reordered just before it"
            ),
            Self::BadSignature { checkpoint } => {
                format!("checkpoint {checkpoint} has a signature the audit key did not make")
            }
            Self::CheckpointMismatch { checkpoint, id } => format!(
                "checkpoint {checkpoint} names record {id} with another hash: the records up to {id} were rewritten"
            ),
            Self::Missing { checkpoint, id } => format!(
                "checkpoint {checkpoint} names record {id}, which is gone (removed, and the record after it re-linked)"
            ),
            Self::CutOff {
                checkpoint,
                id,
                last_kept,
            } => format!(
                "the trail was cut off after record {last_kept}: checkpoint {checkpoint} names record {id}, which is gone"
            ),
        }
    }
}

/// The outcome of a whole walk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainReport {
    pub records: u64,
    pub checkpoints: u64,
    /// Records after the newest checkpoint (not yet anchored by a signature).
    pub unanchored: u64,
    pub finding: Option<Finding>,
}

/// Walks records in id order; feed every record, then [`ChainWalk::finish`].
pub struct ChainWalk {
    expected_prev: String,
    last_id: i64,
    records: u64,
    /// Checkpoints not yet reached, by ascending `last_id`.
    pending: std::collections::VecDeque<Checkpoint>,
    checkpoints: u64,
    anchored_up_to: i64,
    finding: Option<Finding>,
}

impl ChainWalk {
    /// Checkpoints whose signature `verifies` rejects are reported first.
    pub fn new(mut checkpoints: Vec<Checkpoint>, verifies: &dyn Fn(&Checkpoint) -> bool) -> Self {
        checkpoints.sort_by_key(|c| (c.last_id, c.id));
        let finding = checkpoints
            .iter()
            .find(|c| !verifies(c))
            .map(|c| Finding::BadSignature { checkpoint: c.id });
        Self {
            expected_prev: GENESIS.to_owned(),
            last_id: 0,
            records: 0,
            checkpoints: checkpoints.len() as u64,
            pending: checkpoints.into(),
            anchored_up_to: 0,
            finding,
        }
    }

    /// Whether the walk already found something (the caller may stop reading).
    pub fn done(&self) -> bool {
        self.finding.is_some()
    }

    pub fn step(&mut self, r: &AuditRecord) {
        if self.finding.is_some() {
            return;
        }
        let computed = entry_hash(&r.prev_hash, &r.event);
        if computed != r.hash {
            self.finding = Some(Finding::Altered { id: r.id });
            return;
        }
        if r.prev_hash != self.expected_prev {
            self.finding = Some(Finding::Unlinked { id: r.id });
            return;
        }
        // The chain holds, but a checkpoint names an id the walk skipped over: that record
        // was removed and its successor re-linked.
        if let Some(c) = self.pending.front()
            && c.last_id < r.id
        {
            self.finding = Some(Finding::Missing {
                checkpoint: c.id,
                id: c.last_id,
            });
            return;
        }
        while let Some(c) = self.pending.front()
            && c.last_id == r.id
        {
            if c.last_hash != r.hash {
                self.finding = Some(Finding::CheckpointMismatch {
                    checkpoint: c.id,
                    id: r.id,
                });
                return;
            }
            self.anchored_up_to = r.id;
            self.pending.pop_front();
        }
        self.expected_prev = r.hash.clone();
        self.last_id = r.id;
        self.records += 1;
    }

    pub fn finish(mut self, unanchored: u64) -> ChainReport {
        if self.finding.is_none()
            && let Some(c) = self.pending.front()
        {
            self.finding = Some(Finding::CutOff {
                checkpoint: c.id,
                id: c.last_id,
                last_kept: self.last_id,
            });
        }
        ChainReport {
            records: self.records,
            checkpoints: self.checkpoints,
            unanchored,
            finding: self.finding,
        }
    }

    /// The id up to which a checkpoint anchors the records walked so far.
    pub fn anchored_up_to(&self) -> i64 {
        self.anchored_up_to
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(actor: &str, action: &str) -> AuditEvent {
        AuditEvent {
            at: 1,
            actor: actor.into(),
            action: action.into(),
            object: String::new(),
            source: String::new(),
            detail: String::new(),
        }
    }

    #[test]
    fn field_boundaries_matter() {
        assert_ne!(
            entry_hash(GENESIS, &ev("ab", "c")),
            entry_hash(GENESIS, &ev("a", "bc"))
        );
    }

    #[test]
    fn chained_to_previous() {
        let e = ev("system", "login.success");
        assert_ne!(
            entry_hash(GENESIS, &e),
            entry_hash(&entry_hash(GENESIS, &e), &e)
        );
        assert_eq!(entry_hash(GENESIS, &e).len(), 64);
    }

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|id| {
                let event = ev("system", &format!("a{id}"));
                let hash = entry_hash(&prev, &event);
                let r = AuditRecord {
                    id,
                    event,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                r
            })
            .collect()
    }

    fn walk(records: &[AuditRecord], checkpoints: Vec<Checkpoint>) -> ChainReport {
        let mut w = ChainWalk::new(checkpoints, &|c| c.signature == b"ok");
        for r in records {
            w.step(r);
        }
        w.finish(0)
    }

    fn cp(id: i64, r: &AuditRecord) -> Checkpoint {
        Checkpoint {
            id,
            at: 0,
            last_id: r.id,
            last_hash: r.hash.clone(),
            signature: b"ok".to_vec(),
        }
    }

    #[test]
    fn each_kind_of_tampering_is_named() {
        let good = chain(6);
        let c = cp(1, &good[4]);
        assert_eq!(walk(&good, vec![c.clone()]).finding, None);

        let mut altered = good.clone();
        altered[2].event.detail = "x".into();
        assert_eq!(
            walk(&altered, vec![]).finding,
            Some(Finding::Altered { id: 3 })
        );

        let mut deleted = good.clone();
        deleted.remove(2);
        assert_eq!(
            walk(&deleted, vec![]).finding,
            Some(Finding::Unlinked { id: 4 })
        );

        let mut swapped = good.clone();
        swapped.swap(1, 2);
        swapped[1].id = 2;
        swapped[2].id = 3;
        assert_eq!(
            walk(&swapped, vec![]).finding,
            Some(Finding::Unlinked { id: 2 })
        );

        // The record a checkpoint names removed, its successor re-linked and re-hashed.
        let mut relinked = good.clone();
        relinked.remove(4);
        relinked[4].prev_hash = relinked[3].hash.clone();
        relinked[4].hash = entry_hash(&relinked[4].prev_hash, &relinked[4].event);
        assert_eq!(
            walk(&relinked, vec![c.clone()]).finding,
            Some(Finding::Missing {
                checkpoint: 1,
                id: 5
            })
        );
        // Removed without re-linking: the break is named first.
        let mut removed = good.clone();
        removed.remove(4);
        assert_eq!(
            walk(&removed, vec![c.clone()]).finding,
            Some(Finding::Unlinked { id: 6 })
        );

        let cut = &good[..3];
        assert_eq!(
            walk(cut, vec![c.clone()]).finding,
            Some(Finding::CutOff {
                checkpoint: 1,
                id: 5,
                last_kept: 3
            })
        );

        // Rewritten consistently from record 2 on: only the checkpoint tells.
        let mut rewritten = chain(6);
        let mut prev = rewritten[0].hash.clone();
        for r in rewritten.iter_mut().skip(1) {
            r.event.detail = "forged".into();
            r.prev_hash = prev.clone();
            r.hash = entry_hash(&prev, &r.event);
            prev = r.hash.clone();
        }
        assert_eq!(walk(&rewritten, vec![]).finding, None);
        assert_eq!(
            walk(&rewritten, vec![c.clone()]).finding,
            Some(Finding::CheckpointMismatch {
                checkpoint: 1,
                id: 5
            })
        );

        let mut forged = c;
        forged.signature = b"no".to_vec();
        assert_eq!(
            walk(&good, vec![forged]).finding,
            Some(Finding::BadSignature { checkpoint: 1 })
        );
    }
}
