import Foundation
import PassbackCore

/// Throughput of passback's readers, one thread, on a folder of course bundles (for example an
/// inbox written by `../shared/bench/gen_inbox.py`): `PassbackStageBench FOLDER [ROUNDS]`.
/// Files are read into memory first, so the figures are parsing alone, without the disk.
/// A command for `docs/PERFORMANCE.md`, not a test.
@main
struct StageBench {
    static func main() throws {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2 else {
            FileHandle.standardError.write(Data("usage: PassbackStageBench FOLDER [ROUNDS]\n".utf8))
            exit(2)
        }
        let folder = arguments[1]
        let rounds = arguments.count > 2 ? Int(arguments[2]) ?? 3 : 3
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        let json = try names.filter { $0.hasSuffix(".canvas.json") }.map { try Data(contentsOf: URL(fileURLWithPath: folder + "/" + $0)) }
        let csv = try names.filter { $0.hasSuffix(".gradebook.csv") }.map { Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + $0))) }
        let bundleReader = CanvasBundleReader()
        let gradebookReader = GradebookReader()
        measure("bundle JSON", files: json.count, bytes: json.reduce(0) { $0 + $1.count }, rounds: rounds) {
            for data in json { _ = try bundleReader.read(data: data) }
        }
        measure("gradebook CSV", files: csv.count, bytes: csv.reduce(0) { $0 + $1.count }, rounds: rounds) {
            for bytes in csv { _ = try gradebookReader.read(bytes: bytes) }
        }

        // Rules and diff need the district's categories and the bundles read.
        var categories: [AspireCategory] = []
        for name in names where name.hasSuffix(".categories.csv") {
            categories += try CategoryCSVReader().read(fileAt: folder + "/" + name).categories
        }
        let now = Date(timeIntervalSince1970: 1_795_770_000)  // 2026-11-27T09:00:00Z
        let settings = RuleSettings(calendar: try SchoolCalendar(timeZoneIdentifier: "America/Denver"), now: now)
        let checker = CourseChecker(matcher: CategoryMatcher(catalog: CategoryCatalog(categories)), settings: settings)
        let bundles = try json.map { try bundleReader.read(data: $0) }
        let gradebooks = try csv.map { try gradebookReader.read(bytes: $0) }
        let sources = CourseChecker.Sources(stem: "course", gradebookFile: "course.gradebook.csv", bundleFile: "course.canvas.json")
        let cells = gradebooks.reduce(0) { $0 + $1.students.count * $1.assignmentColumns.count }
        var grades: [CourseGrades] = []
        measure("rules", files: bundles.count, bytes: 0, cells: cells, rounds: rounds) {
            grades = zip(bundles, gradebooks).map { checker.check(bundle: $0, gradebook: $1, sources: sources) }
        }
        let bulk = ResultSelector(mode: .bulk, now: now)
        let incremental = ResultSelector(mode: .incremental, now: now)
        var histories: [SectionHistory] = []
        measure("diff (first)", files: bundles.count, bytes: 0, cells: cells, rounds: rounds) {
            histories = grades.flatMap { $0.sections.map { bulk.select($0, history: .empty).history } }
        }
        measure("diff (same)", files: bundles.count, bytes: 0, cells: cells, rounds: rounds) {
            var index = 0
            for course in grades {
                for section in course.sections {
                    _ = incremental.select(section, history: histories[index])
                    index += 1
                }
            }
        }
    }

    /// Prints the best of `rounds` runs of `body`: seconds and MB/s.
    static func measure(_ name: String, files: Int, bytes: Int, cells: Int = 0, rounds: Int, _ body: () throws -> Void) {
        var best = Double.infinity
        for _ in 0..<rounds {
            let start = DispatchTime.now().uptimeNanoseconds
            do { try body() } catch {
                print("\(name): \(error)")
                return
            }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let megabytes = Double(bytes) / 1e6
        var line = name.padding(toLength: 14, withPad: " ", startingAt: 0)
        line += String(format: " %6d files  %7.3f s  %7.1f µs/file", files, best, best / Double(files) * 1e6)
        if bytes > 0 { line += String(format: "  %7.1f MB/s", megabytes / best) }
        if cells > 0 { line += String(format: "  %6.1f ns/cell", best / Double(cells) * 1e9) }
        print(line)
    }
}
