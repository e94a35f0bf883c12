import Foundation

/// Runs the built `passback` binary, as argument-parser's `AssertExecuteCommand` does: the end
/// of the pipeline that users and schedulers see, exit statuses included.
enum CommandRunner {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// The signal that ended the process, if one did.
        var signal: Int32?
    }

    /// The folder SwiftPM built the products into (the test bundle sits beside them).
    static var productsDirectory: URL {
        let bundle = Bundle.main.bundleURL
        return bundle.lastPathComponent.hasSuffix(".xctest") ? bundle.deletingLastPathComponent() : bundle
    }

    static var binary: URL { productsDirectory.appendingPathComponent("passback") }

    /// Runs the binary to its end, or kills it with SIGKILL after `killAfter` seconds.
    static func run(_ arguments: [String], environment: [String: String] = [:], killAfter: Double? = nil) throws -> Result {
        try execute(binary, arguments, environment: environment, killAfter: killAfter)
    }

    /// Runs a `/bin/sh -c` script; `$0`, `$1`... are `arguments`.
    static func runShell(_ script: String, arguments: [String]) throws -> Result {
        try execute(URL(fileURLWithPath: "/bin/sh"), ["-c", script] + arguments)
    }

    /// Runs `executable` to its end with this process's environment plus `environment`, its
    /// output captured; killed with SIGKILL after `killAfter` seconds when given.
    static func execute(_ executable: URL, _ arguments: [String], environment: [String: String] = [:], killAfter: Double? = nil) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        if let killAfter {
            let pid = process.processIdentifier
            DispatchQueue.global().asyncAfter(deadline: .now() + killAfter) { kill(pid, SIGKILL) }
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let signal = process.terminationReason == .uncaughtSignal ? process.terminationStatus : nil
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self), signal: signal)
    }

    /// Starts `passback watch --root root --daily-at dailyAt` and returns once it has said when
    /// its next run is (or after 20 s), with what it wrote to standard error so far. The caller
    /// stops it (SIGTERM) and waits for it.
    static func startWatch(root: URL, dailyAt: String = "03:17") throws -> (process: Process, stderr: FileHandle, said: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["watch", "--root", root.path, "--daily-at", dailyAt]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        var said = ""
        let deadline = Date().addingTimeInterval(20)
        while !said.contains("next run"), Date() < deadline {
            said += String(decoding: err.fileHandleForReading.availableData, as: UTF8.self)
        }
        return (process, err.fileHandleForReading, said)
    }

    /// The repository's root, for `samples/` and `schemas/`.
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// A fresh temporary folder.
    static func temporaryFolder(_ name: String) throws -> URL {
        let url = TestScratch.root.appendingPathComponent("passback-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Copies `samples/` into a new folder and makes it a workspace (`passback init`).
    static func sampleWorkspace() throws -> URL {
        let root = try temporaryFolder("samples").appendingPathComponent("root")
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("samples"), to: root)
        try initWorkspace(root)
        return root
    }

    /// A workspace failed to be made.
    struct InitFailed: Error, CustomStringConvertible {
        var description: String
    }

    /// `passback init --root ROOT [--group GROUP]`, as every workspace is made.
    @discardableResult
    static func initWorkspace(_ root: URL, group: String? = nil) throws -> Result {
        let result = try run(["init", "--root", root.path] + (group.map { ["--group", $0] } ?? []))
        guard result.status == 0 else { throw InitFailed(description: "init --root \(root.path) exited \(result.status): \(result.stderr)") }
        return result
    }
}
