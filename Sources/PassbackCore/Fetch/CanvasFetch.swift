import Foundation

/// `passback fetch` (spec section 8): reads courses from Canvas's REST API and drops complete
/// bundles into the inbox, for the next run to claim like any registrar's drop.
///
/// Which courses: those named, or every published course of an account in a term (the
/// account's course list, paginated like every list). Each course is a ``CourseFetch``; up to
/// ``FetchTuning/coursesInFlight`` run at once, their requests sharing the ``RequestGate`` (four
/// in flight at most, fewer on a low quota). One course's failure never stops the others: a
/// course that cannot be read is named with its reason and the fetch goes on; only a refused
/// token (`401`) or a workspace that cannot be written stops everything. A line per course goes
/// to `progress` as it finishes, and the summary says what was written.
///
/// One fetch at a time per workspace (`state/fetch.lock`); its staging folder `work/.fetch/` is
/// emptied when it starts, so a fetch that died leaves nothing behind for long, and nothing
/// half-written in the inbox.
public struct CanvasFetch: Sendable {
    let workspace: Workspace
    let plan: FetchPlan
    let transport: any CanvasTransport
    let tuning: FetchTuning
    let progress: @Sendable (String) -> Void
    let settleSeconds: Int

    /// Resolves what to fetch from the arguments, the environment (`CANVAS_API_TOKEN`) and the
    /// settings.
    /// - Throws: ``SettingsError`` (exit 2) when the fetch cannot start: no address, an address
    ///   that is not https, no course selection, no token, a token file others can read.
    public init(
        workspace: Workspace, settings: Settings, arguments: FetchArguments, environment: [String: String],
        transport: any CanvasTransport, tuning: FetchTuning = .standard, progress: @escaping @Sendable (String) -> Void
    ) throws {
        self.workspace = workspace
        plan = try FetchPlan.resolve(arguments, settings: settings, root: workspace.root, environment: environment)
        self.transport = transport
        self.tuning = tuning
        // Lines carry what Canvas said (its error messages): escaped before any terminal or
        // journal sees them, like everything that comes from outside.
        self.progress = { line in progress(TerminalText.escaping(line)) }
        settleSeconds = settings.settleSeconds
    }

    /// Opens the workspace for a fetch. The one place that decides whether `--root` is a usable
    /// workspace, so that `passback init`'s check (spec section 1: a folder that is not a
    /// workspace is refused) drops in here; today it prepares the folders as `run` does.
    static func openWorkspace(_ workspace: Workspace) throws {
        try workspace.prepare()
    }

    /// Fetches every course.
    /// - Throws: ``SettingsError`` (exit 2) when the workspace cannot be used or Canvas does not
    ///   know the account or term; ``FetchFailure`` when the fetch stopped (a refused token,
    ///   exit 2; the workspace could not be written, exit 3; another fetch holds the workspace,
    ///   exit 75; the course list could not be read, exit 1).
    public func run() async throws -> FetchSummary {
        let started = ContinuousClock.now
        try Self.openWorkspace(workspace)
        let lock: RunLock
        do {
            lock = try RunLock(path: workspace.state.appendingPathComponent("fetch.lock").path)
        } catch is RunLock.Busy {
            throw FetchFailure(75, "another passback fetch is working in \(workspace.root.path); try again when it has finished")
        }
        defer { lock.release() }
        let root = try FolderHandle.open(workspace.root.path)
        let work = try root.folder("work")
        work.removeTree(Self.stagingName)
        defer { work.removeTree(Self.stagingName) }
        _ = try work.folder(Self.stagingName, create: true, mode: 0o700)

        let client = CanvasClient(endpoint: plan.endpoint, token: plan.token, transport: transport, tuning: tuning)
        var summary = FetchSummary()
        summary.settleSeconds = settleSeconds
        var listStats = CallStats()
        let references: [CourseReference]
        switch plan.selection {
        case .courses(let named):
            references = named
        case .term(let account, let term):
            references = try await listCourses(account: account, term: term, client: client, stats: &listStats)
            progress("fetch: account \(account), term \(term): \(references.count) published course(s)")
            if references.isEmpty {
                summary.emptyTerm = (account, term)
            }
        }
        summary.coursesListed = references.count
        summary.stats = listStats

        try await fetchCourses(references, client: client, summary: &summary)
        summary.pauses = await client.gate.pauses
        summary.highestInFlight = await client.gate.highestInFlight
        summary.seconds = Self.seconds(ContinuousClock.now - started)
        return summary
    }

    static let stagingName = ".fetch"

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// `GET /api/v1/accounts/:id/courses?enrollment_term_id=sis_term_id:X&published=true`.
    private func listCourses(account: String, term: String, client: CanvasClient, stats: inout CallStats) async throws -> [CourseReference] {
        let url = client.endpoint.url(
            "accounts/\(account)/courses",
            [
                ("enrollment_term_id", "sis_term_id:" + term), ("published", "true"), ("per_page", String(tuning.perPage)),
            ])
        var references: [CourseReference] = []
        var seen: Set<String> = []
        do {
            try await client.list(url, what: "the courses of account \(account) in term \(term)", of: CanvasAPIJSON.Course.self, stats: &stats) { _, courses in
                for course in courses where seen.insert(course.id.value).inserted {
                    references.append(.canvasID(course.id.value))
                }
            }
        } catch let error as CanvasCallError {
            switch error.kind {
            case .tokenRefused:
                throw FetchFailure(2, error.message)
            case .notFound:
                throw SettingsError("Canvas knows no account \(account) with a term whose SIS id is \(term), or this token cannot see it (404); check --account and --term")
            case .forbidden:
                throw SettingsError("this token may not list the courses of account \(account): \(error.message)")
            case .failed:
                throw FetchFailure(1, "the course list could not be read: \(error.message)")
            }
        }
        return references
    }

    private struct Finished: Sendable {
        var index: Int
        var outcome: CourseFetch.Outcome
    }

    /// Runs the courses, a bounded window at a time, reporting each as it finishes.
    private func fetchCourses(_ references: [CourseReference], client: CanvasClient, summary: inout FetchSummary) async throws {
        let total = references.count
        let rootPath = workspace.root.path
        var finishedCount = 0
        var stop: Error?
        await withThrowingTaskGroup(of: Finished.self) { group in
            var next = 0
            func launch() {
                let index = next
                let reference = references[index]
                next += 1
                group.addTask {
                    let root = try FolderHandle.open(rootPath)
                    let course = CourseFetch(
                        client: client, staging: try root.folder("work/" + Self.stagingName),
                        inbox: try root.folder("inbox"), slot: index
                    )
                    return Finished(index: index, outcome: try await course.run(reference))
                }
            }
            while next < total, next < max(1, tuning.coursesInFlight) { launch() }
            while true {
                let result: Finished?
                do {
                    result = try await group.next()
                } catch {
                    if stop == nil { stop = error }
                    group.cancelAll()
                    continue
                }
                guard let done = result else { break }
                finishedCount += 1
                summary.record(done.outcome)
                progress(Self.line(done.outcome, number: finishedCount, total: total))
                if stop == nil, next < total { launch() }
            }
        }
        if let stop {
            let written = summary.written.count
            let before = written > 0 ? "; \(written) course(s) were written before it stopped" : ""
            switch stop {
            case let error as CanvasCallError:
                throw FetchFailure(2, error.message + before)
            case let error as FileSystemError:
                throw FetchFailure(3, "the workspace cannot be written (\(error.description))\(before); nothing half-written is in the inbox")
            case let error as FolderHandle.Failure:
                throw FetchFailure(3, "the workspace cannot be written (\(error))\(before)")
            default:
                throw stop
            }
        }
    }

    static func line(_ outcome: CourseFetch.Outcome, number: Int, total: Int) -> String {
        let name = "course \(outcome.courseID ?? outcome.reference.description)"
        let calls = "\(outcome.stats.requests) call(s)\(outcome.stats.retries > 0 ? ", \(outcome.stats.retries) retried" : "")"
        switch outcome.result {
        case .success(let stem):
            return "fetch: [\(number)/\(total)] \(name): written inbox/\(stem).canvas.json and .gradebook.csv (\(calls))"
        case .failure(let error):
            return "fetch: [\(number)/\(total)] \(name): not written: \(error.message) (\(calls))"
        }
    }
}

/// A fetch that stopped, with the exit status it means (spec section 7).
public struct FetchFailure: Error, Sendable, CustomStringConvertible {
    public var exitCode: Int32
    public var description: String

    init(_ exitCode: Int32, _ description: String) {
        self.exitCode = exitCode
        self.description = description
    }
}

/// What a fetch did, for the summary line and the exit status.
public struct FetchSummary: Sendable {
    var coursesListed = 0
    /// Stems written, in the order the courses finished.
    public var written: [String] = []
    /// Courses not written, with the reason.
    public var notWritten: [(course: String, reason: String)] = []
    var stats = CallStats()
    var pauses = 0
    var highestInFlight = 0
    var seconds = 0.0
    /// Set when the account's term had no published course.
    var emptyTerm: (account: String, term: String)?
    var settleSeconds = 60

    /// When a run will claim what was written, if anything was.
    public var claimNote: String? {
        written.isEmpty ? nil : "fetch: a run claims the files once they are \(settleSeconds) s old (settle_seconds in passback.toml)"
    }

    mutating func record(_ outcome: CourseFetch.Outcome) {
        stats += outcome.stats
        switch outcome.result {
        case .success(let stem): written.append(stem)
        case .failure(let error): notWritten.append((outcome.courseID ?? outcome.reference.description, error.message))
        }
    }

    /// 0 when every course was written; 1 when a course could not be, or there was none.
    public var exitCode: Int32 { notWritten.isEmpty && emptyTerm == nil && coursesListed > 0 ? 0 : 1 }

    /// The summary line.
    public var line: String {
        if let emptyTerm {
            return "fetch: no published course in term \(emptyTerm.term) of account \(emptyTerm.account); nothing written (check --term: it is the term's SIS id)"
        }
        let requests = "\(stats.requests) request(s), \(stats.retries) retried, \(String(format: "%.1f", seconds)) s"
        if notWritten.isEmpty {
            return "fetch: \(written.count) course(s) written to the inbox; \(requests)"
        }
        let named = notWritten.prefix(5).map { "course \($0.course)" }.joined(separator: ", ") + (notWritten.count > 5 ? ", ..." : "")
        return "fetch: \(written.count) of \(coursesListed) course(s) written to the inbox, \(notWritten.count) not (\(named): see above); \(requests)"
    }

    /// The one-line reason of a non-zero exit.
    public var failureReason: String? {
        guard exitCode != 0 else { return nil }
        if emptyTerm != nil { return line }
        if coursesListed == 0 { return "no course to fetch" }
        let first = notWritten[0]
        return "\(notWritten.count) course(s) could not be read, first course \(first.course): \(first.reason)"
    }
}
