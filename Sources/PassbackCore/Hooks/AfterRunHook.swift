import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Runs the `[hooks] after_run` command after a run (``HookSettings``), with what it needs to
/// know in its environment, bounded in time, its outcome logged.
///
/// The hook gets `PASSBACK_RUN_ID`, `PASSBACK_EXIT_STATUS` (the run's own: 0, 1, ...),
/// `PASSBACK_REPORT` (the report's path), `PASSBACK_ROOT` and `PASSBACK_OUTBOX`, in passback's
/// environment without the variables passback reads secrets from (``secretVariables``): the
/// hook's output goes to the log, and a hook that prints its environment must not log the Canvas
/// token. It runs with the
/// passback process's user and umask, standard input from `/dev/null` and its output on
/// passback's standard error (the log), in a process group of its own so that a timeout stops it
/// and whatever it started. Its exit status is logged and never changes passback's: the run's
/// outcome is what it is, and the hook can be retried by hand with the same variables.
public struct AfterRunHook: Sendable {
    let hooks: HookSettings
    let workspace: Workspace

    public init(settings: Settings, workspace: Workspace) {
        hooks = settings.hooks
        self.workspace = workspace
    }

    /// The environment variables passback reads secrets from, which the hook does not inherit.
    static let secretVariables = [CanvasToken.environmentVariable]

    /// Whether a command is configured.
    var isConfigured: Bool { !hooks.afterRun.isEmpty }

    /// How the hook ended.
    enum Outcome: Sendable, Equatable {
        case exited(Int32)
        case killedBySignal(Int32)
        /// It ran past its timeout and was stopped.
        case timedOut
        /// It could not be started (no such program, not executable).
        case notStarted(String)
    }

    /// Runs the hook once for each run the invocation recorded: runs it finished after a crash,
    /// then its own (none when there was nothing to do).
    public func run(after summary: RunSummary, logger: Logger) {
        for run in summary.resumed + [summary] {
            guard let runID = run.runID else { continue }
            _ = self.run(runID: runID, exitStatus: run.ownExitCode, reportPath: run.reportPath, logger: logger)
        }
    }

    /// Runs the hook for a run that stopped part-way (no report), with the exit status passback
    /// gives it (3); nothing for an error before a run started.
    public func run(afterStopped error: RunError, logger: Logger) {
        guard let runID = error.runID else { return }
        _ = run(runID: runID, exitStatus: error.exitStatus, reportPath: nil, logger: logger)
    }

    /// Runs the hook and waits for it (at most the timeout, then 5 s more after SIGTERM).
    @discardableResult
    func run(runID: String, exitStatus: Int32, reportPath: String?, logger: Logger) -> Outcome? {
        guard isConfigured else { return nil }
        let started = Date()
        let program = (hooks.afterRun[0] as NSString).lastPathComponent
        var environment = ProcessInfo.processInfo.environment
        for name in Self.secretVariables { environment[name] = nil }
        environment["PASSBACK_RUN_ID"] = runID
        environment["PASSBACK_EXIT_STATUS"] = String(exitStatus)
        environment["PASSBACK_REPORT"] = reportPath ?? ""
        environment["PASSBACK_ROOT"] = workspace.root.path
        environment["PASSBACK_OUTBOX"] = workspace.outbox.path
        logger.info("after_run hook started", metadata: ["run": "\(runID)", "program": "\(program)"])
        let outcome = Self.spawnAndWait(hooks.afterRun, environment: environment, timeout: TimeInterval(hooks.afterRunTimeoutSeconds))
        let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
        var metadata: Logger.Metadata = ["run": "\(runID)", "program": "\(program)", "seconds": "\(seconds)"]
        switch outcome {
        case .exited(0):
            logger.info("after_run hook finished", metadata: metadata.merging(["exit": "0"]) { $1 })
        case .exited(let code):
            metadata["exit"] = "\(code)"
            logger.error("after_run hook failed", metadata: metadata)
        case .killedBySignal(let signal):
            metadata["signal"] = "\(signal)"
            logger.error("after_run hook was killed", metadata: metadata)
        case .timedOut:
            metadata["timeout_seconds"] = "\(hooks.afterRunTimeoutSeconds)"
            logger.error("after_run hook timed out and was stopped", metadata: metadata)
        case .notStarted(let why):
            metadata["error"] = "\(why)"
            logger.error("after_run hook could not be started", metadata: metadata)
        }
        return outcome
    }

    /// `posix_spawnp` (the program is looked up on `PATH` when it has no `/`, as `execvp` does;
    /// no shell), in a new process group with default signal handling, then waits.
    static func spawnAndWait(_ arguments: [String], environment: [String: String], timeout: TimeInterval) -> Outcome {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, 2, 1)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard spawned == 0 else { return .notStarted("\(arguments[0]): \(String(cString: strerror(spawned)))") }

        let deadline = Date().addingTimeInterval(timeout)
        if let status = wait(for: pid, until: deadline) { return outcome(of: status) }
        kill(-pid, SIGTERM)
        if wait(for: pid, until: Date().addingTimeInterval(5)) == nil {
            kill(-pid, SIGKILL)
            _ = wait(for: pid, until: .distantFuture)
        }
        return .timedOut
    }

    /// The wait status of `pid` once it ends, or `nil` when `deadline` comes first.
    private static func wait(for pid: pid_t, until deadline: Date) -> Int32? {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { return status }
            if result < 0, errno != EINTR { return status }
            if Date() >= deadline { return nil }
            usleep(20_000)
        }
    }

    private static func outcome(of status: Int32) -> Outcome {
        let signal = status & 0x7f
        if signal == 0 { return .exited((status >> 8) & 0xff) }
        return .killedBySignal(signal)
    }
}
