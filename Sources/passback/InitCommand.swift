import ArgumentParser
import Foundation
import PassbackCore

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Make a workspace, or repair the modes of an existing one.",
        discussion: """
            Run it as the service account that will run passback. With --group, the registrars' \
            group may drop files into inbox/ and read reports/ and quarantine/; state/, outbox/ \
            and archive/ stay private. On an existing workspace it repairs the modes and says \
            what it changed (without --group it keeps the group the workspace has).

            Exit status: 0 done; 2 the folder cannot be a workspace or the group cannot be \
            given; 75 a run holds the workspace.
            """
    )

    @Option(name: .long, help: "The workspace folder (its parent must exist).")
    var root: String = "./passback-data"

    @Option(name: .long, help: "The registrars' group (it must exist, and the service account must be a member).")
    var group: String?

    @Flag(name: .long, help: "Take the registrars' group's access away: everything private to the service account.")
    var `private` = false

    func validate() throws {
        if group != nil, `private` { throw ValidationError("--group and --private cannot be used together") }
        if let group, group.isEmpty { throw ValidationError("--group needs a group name") }
    }

    func run() throws {
        let choice: WorkspaceInitializer.Group = `private` ? .none : group.map { .named($0) } ?? .keep
        let outcome: WorkspaceInitializer.Outcome
        do {
            outcome = try WorkspaceInitializer(root: URL(fileURLWithPath: root), group: choice).initialize()
        } catch {
            throw failure(error.exitStatus, error.message)
        }
        for line in outcome.changes { print(line) }
        print(outcome.summary)
    }
}
