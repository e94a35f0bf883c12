import ArgumentParser
import Foundation
import Logging
import PassbackCanvasHTTP
import PassbackCore

#if canImport(Glibc)
import Glibc
#endif

struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Stay running and start an incremental batch every day at a given time.",
        discussion: """
            The time is in the workspace's time zone (time_zone in passback.toml, America/Denver by \
            default), and so is the next run's time in the log. Each run prints its summary line on \
            standard output and logs on standard error; the [hooks] after_run command runs after each. \
            SIGTERM or SIGINT stops the watch: between runs at once; during a run once the run has \
            recorded what it prepared (the next run finishes it); a second signal stops it at once. \
            A run that finds the lock held (another run) is skipped and logged. When passback.toml \
            has a [canvas] table (url, account, term, token_file), each run starts with a fetch of \
            the term's courses, then waits settle_seconds so the run claims them. A cron line or a \
            systemd timer with `passback run` does the same job without a resident process; see \
            docs/scheduling.md.
            """
    )

    @Option(name: .long, help: "The workspace folder (made by passback init).")
    var root: String = "./passback-data"

    @Option(name: .long, help: "When to run every day, HH:MM (24-hour clock, school time zone).")
    var dailyAt: String

    @OptionGroup var logging: LoggingOptions

    /// A time that is not HH:MM is a usage error, whatever the workspace.
    func validate() throws {
        do {
            _ = try DailySchedule(dailyAt, timeZone: TimeZone(identifier: "UTC")!)
        } catch let error as SettingsError {
            throw ValidationError(error.message)
        }
    }

    func run() throws {
        logging.bootstrap()
        let logger = Logger(label: "passback.watch")
        let workspace: Workspace
        let settings: Settings
        let schedule: DailySchedule
        let time: SchoolTime
        let fetch: ScheduledFetch?
        do {
            workspace = try Workspace.openExisting(root: URL(fileURLWithPath: root))
            settings = try Settings.load(root: workspace.root)
            let zone = try settings.calendar().timeZone
            schedule = try DailySchedule(dailyAt, timeZone: zone)
            time = SchoolTime(timeZone: zone)
            try workspace.prepare()
            fetch = try ScheduledFetch(workspace: workspace, settings: settings, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw failure(2, "\(error)")
        }
        let transport = fetch.map { _ in AsyncHTTPCanvasTransport() }
        let stop = StopRequest()
        stop.listenForSignals()
        let runLogger = Logger(label: "passback")
        let pipeline = RunPipeline(workspace: workspace, settings: settings, stages: .standard, logger: runLogger)
        let hook = AfterRunHook(settings: settings, workspace: workspace)
        logger.info("watching", metadata: ["root": "\(workspace.root.path)", "daily_at": "\(dailyAt)", "time_zone": "\(settings.timeZone)"])
        while !stop.isRequested {
            let next = schedule.nextRun(after: Date())
            logger.info("next run", metadata: ["at": "\(time.format(next))"])
            guard stop.wait(until: next) else { break }
            if let fetch, let transport {
                let fetched = fetch.run(transport: transport, progress: { logger.info("\($0)") })
                if fetched.succeeded { logger.info("\(fetched.line)") } else { logger.warning("\(fetched.line)") }
                if let claimable = fetched.claimableAt, !stop.wait(until: claimable) { break }
            }
            do {
                var options = RunOptions(mode: .incremental, stop: stop)
                options.apply(environment: ProcessInfo.processInfo.environment)
                let summary = try pipeline.run(options)
                for line in summary.lines { print(line) }
                logger.info("run done", metadata: ["exit": "\(summary.exitCode)"])
                hook.run(after: summary, logger: runLogger)
            } catch  where error.kind == .busy {
                logger.warning("run skipped: another run holds the workspace lock")
            } catch  where error.kind == .stoppedPartWay {
                logger.error("run failed", metadata: ["error": "\(error)"])
                hook.run(afterStopped: error, logger: runLogger)
            } catch {
                logger.error("run failed", metadata: ["error": "\(error)"])
            }
        }
        if let transport { _ = try? blockingWait { try await transport.shutdown() } }
        logger.info("stopped by signal")
    }
}
