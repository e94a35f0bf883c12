import Foundation
import PassbackCore

#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer targets for the readers of untrusted input, and a replay mode.
///
/// **Fuzzing** (`scripts/fuzz`): built with `-sanitize=fuzzer,address -D PASSBACK_FUZZ`, `main`
/// hands over to libFuzzer's driver, which calls ``passbackFuzzOneInput(_:_:)`` with generated
/// bytes; `PASSBACK_FUZZ_TARGET` says which reader gets them (see ``FuzzTarget``).
///
/// **Replay** (a normal `swift build`): `PassbackFuzz TARGET FILE...` feeds each file to the same
/// code and prints what happened; this is how a crash file that libFuzzer wrote is reproduced
/// and, once fixed, checked.
///
/// What every target asserts, beyond "does not crash": a reader only ever throws
/// ``InputFileError`` for bytes in memory, and the result does not depend on the chunk size the
/// CSV readers read with (chunks of 1 to 70 bytes put record and field boundaries everywhere).
enum FuzzTarget: String, CaseIterable, Sendable {
    /// `CSVReader` with `,`, `;` and tab, every field also decoded as text.
    case csv
    /// `GradebookReader().read(bytes:)`.
    case gradebook
    /// `CanvasBundleReader().read(data:)`.
    case bundle
    /// `CategoryCSVReader().read(bytes:)`.
    case categoriesCSV = "categories-csv"
    /// `CategoryXMLReader().read(bytes:)` (libxml2 itself is not instrumented).
    case categoriesXML = "categories-xml"

    /// Reads one input, stopping the process on a finding; with `describing`, says what the
    /// input led to (the value read, or the error), which fuzzing has no use for.
    func run(_ bytes: [UInt8], describing: Bool = false) -> String {
        func describe<T>(_ outcome: Result<T, InputFileError>) -> String {
            describing ? Self.describe(outcome) : ""
        }
        switch self {
        case .csv:
            var summaries: [String] = []
            for separator in [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t")] {
                let whole = Self.outcome { try Self.readCSV(bytes, separator: separator, chunkSize: Self.wholeChunk(bytes)) }
                let chunked = Self.outcome { try Self.readCSV(bytes, separator: separator, chunkSize: Self.smallChunk(bytes)) }
                Self.requireSame(whole, chunked, "CSVReader", bytes)
                summaries.append(describe(whole))
            }
            return summaries.joined(separator: " | ")
        case .gradebook:
            let whole = Self.outcome { try GradebookReader(chunkSize: Self.wholeChunk(bytes)).read(bytes: bytes) }
            let chunked = Self.outcome { try GradebookReader(chunkSize: Self.smallChunk(bytes)).read(bytes: bytes) }
            Self.requireSame(whole, chunked, "GradebookReader", bytes)
            return describe(whole)
        case .bundle:
            if let disagreement = CanvasBundleReader.fastPathDisagreement(Data(bytes)) {
                Self.require(false, "CanvasBundleReader: \(disagreement)")
            }
            return describe(Self.outcome { try CanvasBundleReader().read(data: Data(bytes)) })
        case .categoriesCSV:
            let whole = Self.outcome { try CategoryCSVReader(chunkSize: Self.wholeChunk(bytes)).read(bytes: bytes) }
            let chunked = Self.outcome { try CategoryCSVReader(chunkSize: Self.smallChunk(bytes)).read(bytes: bytes) }
            Self.requireSame(whole, chunked, "CategoryCSVReader", bytes)
            return describe(whole)
        case .categoriesXML:
            return describe(Self.outcome { try CategoryXMLReader().read(bytes: bytes) })
        }
    }

    static func requireSame<T: Equatable>(_ whole: Result<T, InputFileError>, _ chunked: Result<T, InputFileError>, _ reader: String, _ bytes: [UInt8]) {
        require(whole == chunked, "\(reader): chunk size \(smallChunk(bytes)) gave \(describe(chunked)); the whole input at once gave \(describe(whole))")
    }

    static func describe<T>(_ outcome: Result<T, InputFileError>) -> String {
        switch outcome {
        case .success(let value): return "read: \(value)"
        case .failure(let error): return "rejected: \(error)"
        }
    }

    /// A chunk size of 1 to 7 bytes (8 to 70 for inputs over 512 bytes, where a record moved to
    /// the front of the buffer at every byte would cost more than it finds), varied with the input
    /// so that boundaries fall everywhere.
    static func smallChunk(_ bytes: [UInt8]) -> Int {
        let variation = bytes.count + Int(bytes.first ?? 0)
        return bytes.count <= 512 ? 1 + variation % 7 : 8 + variation % 63
    }

    /// One chunk for the whole input: what the default 1 MiB chunk does with a small file,
    /// without allocating 1 MiB (slow under AddressSanitizer) for every input.
    static func wholeChunk(_ bytes: [UInt8]) -> Int {
        bytes.count + 1
    }

    /// What a ``CSVReader`` made of an input, flat (few allocations: this runs six times per
    /// input): every field's bytes one after another, where each field and record ends, each
    /// record's line, and whether each field is valid UTF-8 (``CSVReader/string(at:)`` either way
    /// must not crash).
    struct CSVRecords: Equatable, CustomStringConvertible {
        var bytes: [UInt8] = []
        var fieldEnds: [Int] = []
        var recordEnds: [Int] = []
        var lines: [Int] = []
        var isText: [Bool] = []
        var blank: [Bool] = []
        var hasByteOrderMark = false

        var description: String {
            "\(lines.count) records on lines \(lines), \(fieldEnds.count) fields, \(bytes.count) bytes"
        }
    }

    static func readCSV(_ bytes: [UInt8], separator: UInt8, chunkSize: Int) throws -> CSVRecords {
        var reader = CSVReader(bytes: bytes, separator: separator, chunkSize: chunkSize)
        var records = CSVRecords()
        while try reader.next() {
            records.lines.append(reader.recordLine)
            for index in 0..<reader.fieldCount {
                records.bytes.append(contentsOf: reader.field(at: index))
                records.fieldEnds.append(records.bytes.count)
                records.isText.append((try? reader.string(at: index)) != nil)
            }
            records.recordEnds.append(records.fieldEnds.count)
            records.blank.append(reader.isBlank)
        }
        records.hasByteOrderMark = reader.hasByteOrderMark
        return records
    }

    /// `read()`'s value or its ``InputFileError``; any other error stops the process.
    static func outcome<T>(_ read: () throws -> T) -> Result<T, InputFileError> {
        do {
            return .success(try read())
        } catch let error as InputFileError {
            return .failure(error)
        } catch {
            require(false, "a reader threw \(type(of: error)), not InputFileError: \(error)")
            fatalError()
        }
    }

    /// Stops the process (which libFuzzer reports with the input) when `condition` is false.
    static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        guard !condition else { return }
        FileHandle.standardError.write(Data("PassbackFuzz: \(message())\n".utf8))
        abort()
    }

    /// The target named by `PASSBACK_FUZZ_TARGET`; the process stops when it is missing.
    static let fromEnvironment: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["PASSBACK_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(Data("PassbackFuzz: set PASSBACK_FUZZ_TARGET to one of \(names)\n".utf8))
            exit(2)
        }
        return target
    }()
}

/// libFuzzer's entry point: one generated input for the target in `PASSBACK_FUZZ_TARGET`.
@_cdecl("LLVMFuzzerTestOneInput")
public func passbackFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    _ = FuzzTarget.fromEnvironment.run(bytes)
    return 0
}

/// `PassbackFuzz TARGET PATH...` replays files (or every file in folders) through a target; in
/// a fuzzing build (`-D PASSBACK_FUZZ`) `main` hands over to libFuzzer's driver instead.
@main
struct PassbackFuzzMain {
    static func main() {
        #if PASSBACK_FUZZ
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        _ = FuzzTarget.fromEnvironment
        exit(LLVMFuzzerRunDriver(&argc, &argv, passbackFuzzOneInput))
        #else
        replay(Array(CommandLine.arguments.dropFirst()))
        #endif
    }

    static func replay(_ arguments: [String]) {
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name), arguments.count > 1 else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
            print("usage: PassbackFuzz \(names) FILE-OR-FOLDER...\n(fuzzing itself: scripts/fuzz)")
            exit(2)
        }
        for path in arguments.dropFirst() {
            for file in files(at: path) {
                guard let data = FileManager.default.contents(atPath: file) else {
                    print("\(file): cannot be read")
                    exit(2)
                }
                print("\(file): \(target.run(Array(data), describing: true).prefix(300))")
            }
        }
    }

    static func files(at path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.sorted().map { path + "/" + $0 }
    }
}

#if PASSBACK_FUZZ
/// libFuzzer's driver (`-sanitize=fuzzer` links it): parses libFuzzer's options from the command
/// line and calls `callback` with each input. SwiftPM gives an executable its own `main`, so
/// libFuzzer's `main` is not the one that runs.
@_extern(c, "LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt
#endif
