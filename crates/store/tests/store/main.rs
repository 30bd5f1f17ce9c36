//! The behavioural suite of kaigo-store. Every case runs twice: on a temporary SQLite file
//! and on a PostgreSQL database created for it (`KAIGO_TEST_PG_URL`, default
//! `postgres://postgres@127.0.0.1:5432/postgres`). An unreachable PostgreSQL fails the
//! PostgreSQL cases; nothing is skipped.

mod admin_fees_notices;
mod admins;
mod assist;
mod audit;
mod connect;
mod console;
mod fees_renewal;
mod harness;
mod issuance_password;
mod mail;
mod notices;
mod office_admin;
mod offices;
mod portal;
mod queue;
mod revocation;
mod security_mail;
mod sessions;
mod throttle;

/// Declares each case once per database: `sqlite::name` and `postgres::name`.
macro_rules! on_both {
    ($($schema:ident => [$($module:ident :: $case:ident),* $(,)?]),* $(,)?) => {
        mod sqlite {
            $($(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    crate::harness::run_sqlite(crate::harness::Schema::$schema, crate::$module::$case).await;
                }
            )*)*
        }
        mod postgres {
            $($(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    crate::harness::run_postgres(crate::harness::Schema::$schema, crate::$module::$case).await;
                }
            )*)*
        }
    };
}

on_both! {
    Empty => [
        connect::migrate_is_idempotent,
        connect::concurrent_migrations_agree,
    ],
    Migrated => [
        connect::backend_and_file_settings,
        offices::insert_and_find,
        offices::duplicates_conflict,
        offices::login_hash,
        assist::log_groups_counts_and_purges,
        throttle::counts_and_locks,
        throttle::concurrent_failures_all_count,
        throttle::expired_lock_restarts_once,
        throttle::purge_stale_counters,
        sessions::lifecycle_and_expiry,
        notices::targeting_and_period,
        notices::ordering_and_paging,
        notices::read_marks,
        queue::submit_is_idempotent,
        queue::concurrent_submits_make_one_application,
        queue::claim_order_lease_and_retry,
        queue::lease_renewal_keeps_a_running_job,
        queue::concurrent_claims_take_each_once,
        queue::complete_supersedes_and_notifies,
        queue::complete_is_all_or_nothing,
        queue::fail_paths,
        mail::outbox,
        audit::chain_verifies,
        audit::concurrent_appends_keep_one_chain,
        audit::two_nodes_keep_one_chain_with_their_checkpoints,
        audit::tampering_is_detected,
        audit::removal_is_detected,
        security_mail::addresses_and_codes,
        security_mail::concurrent_takes_succeed_once,
        security_mail::office_sessions_are_deleted,
        issuance_password::issuance_hash_is_replaced,
        portal::search_by_each_criterion,
        portal::attachments_follow_visibility,
        portal::office_documents_are_private,
        portal::inquiries_and_ack_mail,
        fees_renewal::ledger_charges_with_the_certificate,
        fees_renewal::renewal_keeps_the_current_certificate,
        fees_renewal::renewal_notice_marks,
        admins::insert_find_and_conflict,
        admins::totp_steps_are_accepted_once,
        admin_fees_notices::fee_records_and_balances,
        admin_fees_notices::notice_management,
        console::certificate_search_and_revoke,
        console::inquiries_answer_and_close,
        console::audit_search,
        office_admin::search_bulk_insert_and_edit,
        office_admin::status_close_and_login_reset,
        office_admin::letter_batches_expire,
        revocation::status_marker_and_entries,
        revocation::crl_numbers_grow_and_the_newest_is_served,
        revocation::responder_credentials,
        revocation::generations_are_kept_apart,
        revocation::server_key_check_is_recorded_once,
        revocation::crl_turns_are_taken_one_at_a_time,
    ],
}
