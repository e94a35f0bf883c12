import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The access model of spec section 1 (v2), shown by real accounts: a service account that runs
/// passback, and a registrar in the registrars' group who is not it. Version 1 made the root
/// 0700 (the group could not reach its 0770 inbox) and reports and reasons 0600 (the README sent
/// registrars to files they could not open).
@Suite(.serialized, .enabled(if: SystemAccounts.available)) struct AccessModelTests {
    static let clock = "2025-10-01T09:00:00Z"
    static let runID = "20251001T090000Z-01"

    /// A workspace made by `init --group` as the service account, with the samples' settings.
    struct Place {
        let accounts = SystemAccounts()
        let base: URL
        let root: URL
        let service: String
        let registrar: String
        let group: String

        init() throws {
            group = try accounts.group("pbreg")
            service = try accounts.user("pbsvc", groups: [group])
            registrar = try accounts.user("pbclk", groups: [group])
            base = try CommandRunner.temporaryFolder("access")
            SystemAccounts.letOthersSearch(base)
            root = base.appendingPathComponent("ws")
            // The root's parent belongs to root (as /var/lib does): the installer makes the root
            // and gives it to the service account, which makes the rest.
            #expect(mkdir(root.path, 0o700) == 0)
            _ = try CommandRunner.runShell("chown \"$0:$0\" \"$1\"", arguments: [service, root.path])
        }

        func passback(_ arguments: [String]) throws -> CommandRunner.Result {
            try accounts.run(as: service, "exec \"$0\" \"$@\"", [CommandRunner.binary.path] + arguments)
        }

        func asRegistrar(_ script: String, _ arguments: [String] = []) throws -> CommandRunner.Result {
            try accounts.run(as: registrar, script, arguments)
        }

        /// How `account`'s processes name the user `name`: its name, or its number where they
        /// cannot read the user database (this sandbox's /etc/passwd is 0600).
        func name(of name: String, seenBy account: String) throws -> String {
            let uid = try CommandRunner.runShell("id -u \"$0\"", arguments: [name]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            return try accounts.run(as: account, "getent passwd \"$0\" | cut -d: -f1 | grep . || echo \"$0\"", [uid]).stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func cleanUp() {
            try? FileManager.default.removeItem(at: base)
            accounts.remove()
        }
    }

    @Test func aRegistrarDropsAndReadsReportsAndReasonsButNotTheLedgerOrTheOutbox() throws {
        let place = try Place()
        defer { place.cleanUp() }
        let made = try place.passback(["init", "--root", place.root.path, "--group", place.group])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(made.stdout.contains("made inbox/ (mode 3770, group \(place.group))"), "\(made.stdout)")
        #expect(
            made.stdout.hasSuffix(
                "made the workspace \(place.root.path): the group \(place.group) may drop files into inbox/ and read reports/ and quarantine/; state/, outbox/ and archive/ are private\n"
            ))
        let toml = try CommandRunner.runShell(
            "printf 'settle_seconds = 0\\nincomplete_bundle_wait_hours = 0\\n' > \"$0\" && chown \"$1\" \"$0\" && chmod 0640 \"$0\"",
            arguments: [place.root.appendingPathComponent("passback.toml").path, place.service])
        #expect(toml.status == 0)

        // The registrar drops the samples (as a cautious registrar's umask leaves them), and a
        // file only they can read.
        let samples = CommandRunner.repositoryRoot.appendingPathComponent("samples/inbox").path
        let drop = try place.asRegistrar(
            "umask 007 && cp \"$0\"/* \"$1\"/ && umask 077 && printf 'x' > \"$1\"/mine-only.categories.csv", [samples, place.root.appendingPathComponent("inbox").path])
        #expect(drop.status == 0, "a registrar cannot drop into the inbox: \(drop.stderr)")

        let run = try place.passback(["run", "--root", place.root.path, "--now", Self.clock])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("run \(Self.runID): 9 file(s) claimed, 4 rejected"), "\(run.stdout)")

        // What registrars may read.
        let q = "quarantine/\(Self.runID)"
        for path in ["reports/\(Self.runID).csv", "\(q)/aspire-702-Q2.categories.csv.reason.txt", "\(q)/chemistry.gradebook.csv", "\(q)/mine-only.categories.csv.reason.txt"] {
            let read = try place.asRegistrar("cat \"$0\" >/dev/null", [place.root.appendingPathComponent(path).path])
            #expect(read.status == 0, "a registrar cannot read \(path): \(read.stderr)")
        }
        let listed = try place.asRegistrar("ls \"$0\"", [place.root.appendingPathComponent(q).path])
        #expect(listed.stdout.contains("notes for the registrar.txt.reason.txt"))
        // A file passback may not read is refused with what to do, not a stopped run.
        let reason = try place.asRegistrar("cat \"$0\"", [place.root.appendingPathComponent("\(q)/mine-only.categories.csv.reason.txt").path])
        #expect(
            reason.stdout
                == "unknown-file: Refused: passback may not read the file (permission denied). Make it readable by the registrars' group (chmod g+r, or drop it with umask 007) and drop it again.\n"
        )

        // What they may not.
        for path in ["state/ledger.sqlite", "outbox/\(Self.runID)_MST0000009Bb56.xml", "archive/2025-10-01/\(Self.runID)/biology.gradebook.csv"] {
            let read = try place.asRegistrar("cat \"$0\" >/dev/null", [place.root.appendingPathComponent(path).path])
            #expect(read.status != 0, "a registrar can read \(path)")
            #expect(read.stderr.contains("Permission denied"), "\(read.stderr)")
        }
        for folder in ["state", "outbox", "archive", "work"] {
            let list = try place.asRegistrar("ls \"$0\"", [place.root.appendingPathComponent(folder).path])
            #expect(list.status != 0, "a registrar can list \(folder)/")
        }
        for folder in ["reports", q] {
            let write = try place.asRegistrar("touch \"$0\"/planted.csv", [place.root.appendingPathComponent(folder).path])
            #expect(write.status != 0, "a registrar can write into \(folder)/")
        }
        // Nothing anywhere is open to others: no other-permission bit on any entry.
        let open = try CommandRunner.runShell("find \"$0\" -perm /o=rwx -printf '%m %p\\n'", arguments: [place.root.path])
        #expect(open.status == 0)
        #expect(open.stdout.isEmpty, "open to others: \(open.stdout)")
        // And what the project wrote for registrars is the group's.
        let owners = try CommandRunner.runShell("stat -c '%a %G' \"$0\"/reports/*.csv \"$0\"/quarantine/*/*.reason.txt | sort -u", arguments: [place.root.path])
        #expect(owners.stdout == "640 \(place.group)\n", "\(owners.stdout)")
    }

    /// `init` on a workspace made before there was a group (or by version 1) gives the group its
    /// access, says what it changed, and leaves the registrars' own files alone.
    @Test func initRepairsAnExistingWorkspaceAndSaysWhatItChanged() throws {
        let place = try Place()
        defer { place.cleanUp() }
        #expect(try place.passback(["init", "--root", place.root.path]).status == 0)
        let toml = try CommandRunner.runShell(
            "printf 'settle_seconds = 0\\n' > \"$0\" && chown \"$1\" \"$0\" && chmod 0600 \"$0\"",
            arguments: [place.root.appendingPathComponent("passback.toml").path, place.service])
        #expect(toml.status == 0)
        // Dropped by the service account itself (the group had no way in yet): an unknown name.
        let drop = try place.accounts.run(as: place.service, "printf 'hello' > \"$0\"/note.txt && chmod 0604 \"$0\"/note.txt", [place.root.appendingPathComponent("inbox").path])
        #expect(drop.status == 0, "\(drop.stderr)")
        #expect(try place.passback(["run", "--root", place.root.path, "--now", Self.clock]).status == 1)
        let q = place.root.appendingPathComponent("quarantine/\(Self.runID)")
        #expect(try String(contentsOf: q.appendingPathComponent("note.txt.reason.txt"), encoding: .utf8).hasPrefix("unknown-file: "))

        // reports/ holds the run's CSV, its staff page and the runs' index: three files.
        let repaired = try place.passback(["init", "--root", place.root.path, "--group", place.group])
        #expect(repaired.status == 0, "\(repaired.stderr)")
        #expect(
            repaired.stdout == """
                \(place.root.path): group \(place.service) -> \(place.group), mode 0700 -> 0750
                inbox/: group \(place.service) -> \(place.group), mode 0700 -> 3770
                reports/: group \(place.service) -> \(place.group), mode 0700 -> 2750
                quarantine/: group \(place.service) -> \(place.group), mode 0700 -> 2750
                reports/: file(s) set to group \(place.group), mode 0640 (3)
                quarantine/: folder(s) made by runs set to group \(place.group), mode 2750 (1)
                quarantine/: reason file(s) set to group \(place.group), mode 0640 (1)
                repaired the workspace \(place.root.path): the group \(place.group) may drop files into inbox/ and read reports/ and quarantine/; state/, outbox/ and archive/ are private

                """)
        // The dropped file kept its mode (0604 as given: the project never changes a file it did
        // not create), and only the group can reach it.
        var info = stat()
        #expect(stat(q.appendingPathComponent("note.txt").path, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o604)
        let reason = try place.asRegistrar("cat \"$0\"", [q.appendingPathComponent("note.txt.reason.txt").path])
        #expect(reason.status == 0, "\(reason.stderr)")

        // Again: nothing to change, and without --group the workspace keeps its group.
        let again = try place.passback(["init", "--root", place.root.path])
        #expect(
            again.stdout
                == "the workspace \(place.root.path) was in order: the group \(place.group) may drop files into inbox/ and read reports/ and quarantine/; state/, outbox/ and archive/ are private\n"
        )
        // --private takes the group's access away.
        let closed = try place.passback(["init", "--root", place.root.path, "--private"])
        #expect(closed.stdout.contains("inbox/: mode 3770 -> 0700"), "\(closed.stdout)")
        #expect(closed.stdout.contains("reports/: file(s) set to mode 0600 (3)"), "\(closed.stdout)")
        let shut = try place.asRegistrar("cat \"$0\"", [q.appendingPathComponent("note.txt.reason.txt").path])
        #expect(shut.status != 0)
    }

    /// A group the service account is not in cannot be given; a group that does not exist is named.
    @Test func initRefusesAGroupItCannotGive() throws {
        let place = try Place()
        defer { place.cleanUp() }
        let other = try place.accounts.group("pbxx")
        let refused = try place.passback(["init", "--root", place.root.path, "--group", other])
        #expect(refused.status == 2)
        let service = try place.name(of: place.service, seenBy: place.service)
        #expect(
            refused.stderr
                == "passback: \(service) is not a member of the group \(other), so it cannot give the workspace to it; add it (usermod -aG \(other) \(service)) and log in again\n")
        let missing = try place.passback(["init", "--root", place.root.path, "--group", "nosuchgroup\(place.accounts.tag)"])
        #expect(missing.status == 2)
        #expect(
            missing.stderr
                == "passback: there is no group named 'nosuchgroup\(place.accounts.tag)'; make it first (groupadd nosuchgroup\(place.accounts.tag)) and add the registrars to it\n")
        // Another account's workspace: init says whose it is.
        let theirs = try place.accounts.run(as: place.registrar, "exec \"$0\" init --root \"$1\"", [CommandRunner.binary.path, place.root.path])
        #expect(theirs.status == 2)
        let owner = try place.name(of: place.service, seenBy: place.registrar)
        #expect(
            theirs.stderr
                == "passback: \(place.root.path) belongs to \(owner), not to the account running passback; run init as that account (sudo -u \(owner) passback init --root \(place.root.path))\n"
        )
    }
}
