import FakeCanvas
import Foundation

/// `PassbackFakeCanvas --courses N [--port P] [--token-file FILE] [--per-page N]`: a fake Canvas
/// on 127.0.0.1 serving account 1, term `2026-S1`, with N generated courses (ids 10000...),
/// for the fetch benchmark (docs/PERFORMANCE.md) and for trying `passback fetch` by hand. It
/// prints `http://127.0.0.1:PORT` on standard output once it listens, and serves until killed;
/// with `--requests-to FILE` it writes a line per request (path, query, in flight) when stopped
/// by SIGTERM or SIGINT.
var courses = 10
var port = 0
var tokenFile: String?
var perPage = 100
var requestsFile: String?
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--courses": courses = Int(arguments.popFirst() ?? "") ?? courses
    case "--port": port = Int(arguments.popFirst() ?? "") ?? port
    case "--token-file": tokenFile = arguments.popFirst()
    case "--per-page": perPage = Int(arguments.popFirst() ?? "") ?? perPage
    case "--requests-to": requestsFile = arguments.popFirst()
    default:
        FileHandle.standardError.write(Data("usage: PassbackFakeCanvas --courses N [--port P] [--token-file FILE] [--per-page N] [--requests-to FILE]\n".utf8))
        exit(2)
    }
}
var token = "fake-canvas-token"
if let tokenFile {
    guard let text = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
        FileHandle.standardError.write(Data("cannot read \(tokenFile)\n".utf8))
        exit(2)
    }
    token = text.trimmingCharacters(in: .whitespacesAndNewlines)
}
var options = FakeCanvas.Options(token: token, courseIDs: Array(10_000..<(10_000 + courses)))
options.maximumPerPage = perPage
let server = try await FakeCanvas.start(options, port: port, keepingBodies: false)
FileHandle.standardOutput.write(Data((server.baseURL + "\n").utf8))

let stop = DispatchSemaphore(value: 0)
var sources: [any DispatchSourceSignal] = []
for number in [SIGTERM, SIGINT] {
    signal(number, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
    source.setEventHandler { stop.signal() }
    source.resume()
    sources.append(source)
}
await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
    DispatchQueue.global().async {
        stop.wait()
        continuation.resume()
    }
}
if let requestsFile {
    let lines = server.records.map { "\($0.inFlight) \($0.target)" }.joined(separator: "\n") + "\n"
    try? lines.write(toFile: requestsFile, atomically: true, encoding: .utf8)
}
await server.stop()
