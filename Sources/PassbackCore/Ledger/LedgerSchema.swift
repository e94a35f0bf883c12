import GRDB

/// The ledger's schema, versioned from the first release: each change is a new named migration,
/// never an edit of an old one.
enum LedgerSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE run (
                      id TEXT PRIMARY KEY,
                      started_at TEXT NOT NULL,
                      finished_at TEXT,
                      clock TEXT NOT NULL,
                      mode TEXT NOT NULL,
                      status TEXT NOT NULL,
                      exit_code INTEGER,
                      report_file TEXT,
                      summary TEXT
                    );
                    CREATE TABLE sync_request (
                      id TEXT PRIMARY KEY,
                      run_id TEXT NOT NULL REFERENCES run(id),
                      bundle_stem TEXT NOT NULL,
                      course_sis_id TEXT,
                      canvas_course_id TEXT NOT NULL,
                      section_sis_id TEXT NOT NULL,
                      canvas_section_id TEXT NOT NULL,
                      status TEXT NOT NULL,
                      line_items INTEGER NOT NULL DEFAULT 0,
                      results_sent INTEGER NOT NULL DEFAULT 0,
                      errors INTEGER NOT NULL DEFAULT 0,
                      warnings INTEGER NOT NULL DEFAULT 0,
                      outbox_file TEXT,
                      created_at TEXT NOT NULL,
                      updated_at TEXT NOT NULL
                    );
                    CREATE INDEX sync_request_by_run ON sync_request(run_id);
                    CREATE INDEX sync_request_by_course ON sync_request(course_sis_id);
                    CREATE INDEX sync_request_by_section ON sync_request(section_sis_id);
                    CREATE TABLE sync_request_event (
                      request_id TEXT NOT NULL REFERENCES sync_request(id),
                      status TEXT NOT NULL,
                      at TEXT NOT NULL
                    );
                    CREATE INDEX sync_request_event_by_request ON sync_request_event(request_id);
                    CREATE TABLE request_student (
                      request_id TEXT NOT NULL REFERENCES sync_request(id),
                      student_sis_id TEXT NOT NULL,
                      PRIMARY KEY (request_id, student_sis_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX request_student_by_student ON request_student(student_sis_id);
                    CREATE TABLE category (
                      term_sourced_id TEXT NOT NULL,
                      class_sourced_id TEXT NOT NULL,
                      category_sourced_id TEXT NOT NULL,
                      title TEXT NOT NULL,
                      term_code TEXT NOT NULL,
                      term_start_date TEXT NOT NULL,
                      term_end_date TEXT NOT NULL,
                      school_id TEXT NOT NULL,
                      status TEXT NOT NULL,
                      verified_at TEXT,
                      weight TEXT,
                      date_last_modified TEXT,
                      source_file TEXT NOT NULL,
                      run_id TEXT NOT NULL,
                      position INTEGER NOT NULL,
                      PRIMARY KEY (term_sourced_id, class_sourced_id, category_sourced_id)
                    );
                    CREATE TABLE report_chunk (
                      run_id TEXT NOT NULL REFERENCES run(id),
                      seq INTEGER NOT NULL,
                      body BLOB NOT NULL,
                      successes INTEGER NOT NULL,
                      errors INTEGER NOT NULL,
                      warnings INTEGER NOT NULL,
                      skipped INTEGER NOT NULL,
                      PRIMARY KEY (run_id, seq)
                    );
                    CREATE TABLE processed_bundle (
                      run_id TEXT NOT NULL REFERENCES run(id),
                      stem TEXT NOT NULL,
                      outcome TEXT NOT NULL,
                      gradebook_sha256 TEXT,
                      json_sha256 TEXT,
                      clean INTEGER NOT NULL,
                      reject_file TEXT,
                      reject_code TEXT,
                      reject_message TEXT,
                      reject_line INTEGER,
                      PRIMARY KEY (run_id, stem)
                    );
                    CREATE INDEX processed_bundle_by_content ON processed_bundle(gradebook_sha256, json_sha256);
                    CREATE TABLE section_history (
                      class_sourced_id TEXT PRIMARY KEY,
                      history BLOB NOT NULL,
                      run_id TEXT NOT NULL
                    );
                    """)
        }
        // Issue 12: which ledger this is (state/ledger.id holds the same id, so a ledger from
        // elsewhere is refused), and how often a run stopped while a bundle was unfinished (a
        // bundle that stops two runs is quarantined: one file must not stop a district's nights).
        migrator.registerMigration("v2-identity-and-attempts") { db in
            try db.execute(
                sql: """
                    CREATE TABLE ledger_identity (
                      id TEXT NOT NULL
                    );
                    CREATE TABLE bundle_attempt (
                      run_id TEXT NOT NULL REFERENCES run(id),
                      stem TEXT NOT NULL,
                      stops INTEGER NOT NULL DEFAULT 0,
                      PRIMARY KEY (run_id, stem)
                    );
                    ALTER TABLE run ADD COLUMN stops INTEGER NOT NULL DEFAULT 0;
                    """)
        }
        // Operators (issue 13): which files runs rejected, by name, for `status --search`; and
        // when `prune` removed a run's report rows and files.
        migrator.registerMigration("v2-rejected-files-and-pruning") { db in
            try db.execute(
                sql: """
                    CREATE TABLE rejected_file (
                      run_id TEXT NOT NULL REFERENCES run(id),
                      file TEXT NOT NULL,
                      rule TEXT NOT NULL,
                      message TEXT NOT NULL,
                      line INTEGER,
                      PRIMARY KEY (run_id, file)
                    ) WITHOUT ROWID;
                    INSERT OR IGNORE INTO rejected_file (run_id, file, rule, message, line)
                      SELECT run_id, reject_file, reject_code, COALESCE(reject_message, ''), reject_line
                      FROM processed_bundle WHERE outcome = 'rejected' AND reject_file IS NOT NULL AND reject_code IS NOT NULL;
                    ALTER TABLE run ADD COLUMN pruned_at TEXT;
                    """)
        }
        // Issue 11: grades a request did not send because of the window alone, or because they
        // are not posted in Canvas yet, for `passback status`.
        migrator.registerMigration("v3-held-grades") { db in
            try db.execute(
                sql: """
                    ALTER TABLE sync_request ADD COLUMN outside_window INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE sync_request ADD COLUMN not_posted INTEGER NOT NULL DEFAULT 0;
                    """)
        }
        // The staff page (issue 15): what a run's page and the runs' index say of a run that its
        // report rows do not (files claimed, rejected and waiting), and its totals kept with it so
        // the index of every run is one read of this table. Runs before it show "not recorded"
        // for the files; their totals are filled in here from their requests and report rows.
        migrator.registerMigration("staff-report-run-tally") { db in
            try db.execute(
                sql: """
                    ALTER TABLE run ADD COLUMN files_claimed INTEGER;
                    ALTER TABLE run ADD COLUMN files_rejected INTEGER;
                    ALTER TABLE run ADD COLUMN files_waiting INTEGER;
                    ALTER TABLE run ADD COLUMN results_sent INTEGER;
                    ALTER TABLE run ADD COLUMN success_rows INTEGER;
                    ALTER TABLE run ADD COLUMN error_rows INTEGER;
                    ALTER TABLE run ADD COLUMN warning_rows INTEGER;
                    ALTER TABLE run ADD COLUMN skipped_rows INTEGER;
                    UPDATE run SET
                      results_sent = (SELECT COALESCE(SUM(results_sent), 0) FROM sync_request WHERE run_id = run.id),
                      success_rows = (SELECT COALESCE(SUM(successes), 0) FROM report_chunk WHERE run_id = run.id),
                      error_rows = (SELECT COALESCE(SUM(errors), 0) FROM report_chunk WHERE run_id = run.id),
                      warning_rows = (SELECT COALESCE(SUM(warnings), 0) FROM report_chunk WHERE run_id = run.id),
                      skipped_rows = (SELECT COALESCE(SUM(skipped), 0) FROM report_chunk WHERE run_id = run.id)
                    WHERE status = 'finished';
                    """)
        }
        return migrator
    }
}
