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
            default). Each run is logged on standard error. SIGTERM or SIGINT stops the watch: \
            between runs at once; during a run once the run has recorded what it prepared (the next \
            run finishes it); a second signal stops it at once. A run that finds the lock held \
            (another run) is skipped and logged. When passback.toml has a [canvas] table (url, \
            account, term, token_file), each run starts with a fetch of the term's courses, then \
            waits settle_seconds so the run claims them. A cron line or a systemd timer with `passback run` \
            does the same job without a resident process; see docs/scheduling.md.
            """
    )

    @Option(name: .long, help: "The workspace folder.")
    var root: String = "./passback-data"

    @Option(name: .long, help: "When to run every day, HH:MM (24-hour clock, school time zone).")
    var dailyAt: String

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        logging.bootstrap()
        let logger = Logger(label: "passback.watch")
        let workspace = Workspace(root: URL(fileURLWithPath: root))
        let settings: Settings
        let schedule: DailySchedule
        let fetch: ScheduledFetch?
        do {
            settings = try Settings.load(root: workspace.root)
            schedule = try DailySchedule(dailyAt, timeZone: try settings.calendar().timeZone)
            try workspace.prepare()
            fetch = try ScheduledFetch(workspace: workspace, settings: settings, environment: ProcessInfo.processInfo.environment)
        } catch {
            fail(2, "\(error)")
        }
        let transport = fetch.map { _ in AsyncHTTPCanvasTransport() }
        let stop = StopRequest()
        stop.listenForSignals()
        let pipeline = RunPipeline(workspace: workspace, settings: settings, stages: .standard, logger: Logger(label: "passback"))
        logger.info("watching", metadata: ["root": "\(workspace.root.path)", "daily_at": "\(dailyAt)", "time_zone": "\(settings.timeZone)"])
        while !stop.isRequested {
            let next = schedule.nextRun(after: Date())
            logger.info("next run", metadata: ["at": "\(ISOTimestamp.format(next))"])
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
                logger.info("run done", metadata: ["summary": "\(summary.line)", "exit": "\(summary.exitCode)"])
            } catch where error.kind == .busy {
                logger.warning("run skipped: another run holds the workspace lock")
            } catch {
                logger.error("run failed", metadata: ["error": "\(error)"])
            }
        }
        if let transport { _ = try? blockingWait { try await transport.shutdown() } }
        logger.info("stopped by signal")
    }
}
