import ArgumentParser
import Foundation
import PassbackCanvasHTTP
import PassbackCore

struct FetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Read courses from Canvas's REST API and drop complete bundles into the inbox.",
        discussion: """
            Each course becomes inbox/canvas-<course id>.canvas.json and .gradebook.csv, written \
            elsewhere first and moved in whole; the next run claims them like any drop (after \
            settle_seconds). Without --canvas-url, --course, --account or --term, the [canvas] \
            table of passback.toml says (url, account, term, token_file). The token comes from \
            --token-file (mode 0600 or stricter), else CANVAS_API_TOKEN, else token_file; it is \
            sent only to the Canvas host and never logged or written.

            Exit status: 0 every course was written; 1 a course could not be read (each is \
            named), or the term has no published course; 2 the fetch could not start (no token, \
            a bad URL, an unusable workspace, a token Canvas refuses); 3 the workspace could not \
            be written; 75 another fetch is working in the workspace.
            """
    )

    @Option(name: .long, help: "The workspace folder.")
    var root: String = "./passback-data"

    @Option(name: .customLong("canvas-url"), help: "The Canvas address, https://school.instructure.com (http only for a loopback address).")
    var canvasURL: String?

    @Option(name: .customLong("course"), help: "A course to fetch: its Canvas id or sis_course_id:<SIS id> (repeatable).")
    var courses: [String] = []

    @Option(name: .long, help: "Fetch every published course of this account (Canvas id or sis_account_id:<id>) ...")
    var account: String?

    @Option(name: .long, help: "... in this term (the term's SIS id).")
    var term: String?

    @Option(name: .customLong("token-file"), help: "A file holding the Canvas API token, readable by its owner only.")
    var tokenFile: String?

    func run() throws {
        let workspace: Workspace
        let settings: Settings
        do {
            workspace = try Workspace.openExisting(root: URL(fileURLWithPath: root))
            settings = try Settings.load(root: workspace.root)
        } catch {
            throw failure(2, "\(error)")
        }
        let transport = AsyncHTTPCanvasTransport()
        defer { _ = try? blockingWait { try await transport.shutdown() } }
        let summary: FetchSummary
        do {
            let fetch = try CanvasFetch(
                workspace: workspace, settings: settings,
                arguments: FetchArguments(canvasURL: canvasURL, courses: courses, account: account, term: term, tokenFile: tokenFile),
                environment: ProcessInfo.processInfo.environment, transport: transport,
                progress: { print($0, to: &standardError) }
            )
            summary = try blockingWait { try await fetch.run() }
        } catch let error as SettingsError {
            throw failure(2, error.message)
        } catch let error as FetchFailure {
            throw failure(error.exitCode, error.description)
        } catch {
            throw failure(2, "\(error)")
        }
        print(summary.line)
        if let note = summary.claimNote { print(note) }
        if let reason = summary.failureReason {
            throw failure(summary.exitCode, reason)
        }
    }
}
