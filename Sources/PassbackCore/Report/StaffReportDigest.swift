import Foundation

/// What a run's report rows say to the staff who read them in the morning: counts per status and
/// per rule, every row that needs a person grouped by course, section and assignment, the files
/// that were rejected, the grades held, and the successes only as totals.
///
/// Built from the rows exactly as the CSV has them (``StaffReportDigest/add(csvRecords:)`` reads
/// the records the ledger stores for the report), so the page and the CSV cannot disagree. Rules
/// are treated generically: a code the project adds later lands in the counts and under "what to
/// fix" (an error or a warning) with the CSV's message, without this type knowing it.
struct StaffReportDigest: Sendable, Equatable {
    /// Rules whose rows are grades held back on purpose until something changes elsewhere
    /// (Aspire verifies a category, a teacher posts the grade, an operator runs `--bulk`): shown
    /// apart from what to fix, with the `count` column summed.
    static let heldRules: [String] = ["category-pending-verification", "grade-not-posted", "outside-window"]

    /// One row of the report, its cells as the CSV has them (a `'` the CSV put before
    /// formula-looking text included: the page shows what the CSV says).
    struct Record: Equatable, Sendable {
        var requestID = ""
        var status = ""
        var rule = ""
        var courseSISID = ""
        var sectionSISID = ""
        var canvasCourseID = ""
        var canvasAssignmentID = ""
        var assignmentName = ""
        var categorySourcedID = ""
        var studentSISID = ""
        var count = ""
        var sourceFile = ""
        var sourceLine = ""
        var message = ""

        /// An error about a file alone (no request, course, section, assignment or student):
        /// a file that went to quarantine (`malformed-file`, `unknown-file`, `too-large`, ...).
        var isFileRejection: Bool {
            status == "error" && requestID.isEmpty && courseSISID.isEmpty && canvasCourseID.isEmpty && sectionSISID.isEmpty
                && canvasAssignmentID.isEmpty && assignmentName.isEmpty && studentSISID.isEmpty && !sourceFile.isEmpty
        }
    }

    /// Rows per status word (`success`, `error`, `warning`, `skipped`).
    private(set) var statusCounts: [String: Int] = [:]
    private(set) var rowCount = 0
    /// Rows per rule and status, in the order first seen.
    private(set) var rules = OrderedGroups<RuleKey, RuleTotal>()
    /// Success rows: line items sent and the results in them (the `count` column).
    private(set) var lineItemsSent = 0
    private(set) var gradesSent = 0
    /// Errors and warnings that need a person, by course.
    private(set) var courses = OrderedGroups<String, CourseFixes>()
    /// Per course: line items and grades sent, to say what went out beside what to fix.
    private var sentPerCourse: [String: Sent] = [:]
    private(set) var rejectedFiles: [Record] = []
    /// Held grades per rule of ``heldRules``, by course.
    private(set) var held = OrderedGroups<String, HeldRule>()

    struct Sent: Sendable, Equatable {
        var lineItems = 0
        var grades = 0
    }

    func sent(inCourse key: String) -> Sent { sentPerCourse[key] ?? Sent() }

    struct RuleKey: Hashable, Sendable {
        var rule: String
        var status: String
    }

    struct RuleTotal: Sendable, Equatable {
        var rows = 0
        /// Rows with a number in `count`, and their sum.
        var countedRows = 0
        var countSum = 0
        var courses: Set<String> = []
    }

    /// A course's rows that need a person, by section then assignment.
    struct CourseFixes: Sendable, Equatable {
        var courseSISID: String
        var canvasCourseID: String
        var files: [String] = []
        var errors = 0
        var warnings = 0
        var sections = OrderedGroups<String, SectionFixes>()
    }

    struct SectionFixes: Sendable, Equatable {
        var sectionSISID: String
        var assignments = OrderedGroups<String, AssignmentFixes>()
    }

    struct AssignmentFixes: Sendable, Equatable {
        var canvasAssignmentID: String
        var name: String
        /// By rule, status and message: the rows that say the same thing, with whom they concern.
        var problems = OrderedGroups<ProblemKey, Problem>()
    }

    struct ProblemKey: Hashable, Sendable {
        var rule: String
        var status: String
        var message: String
    }

    struct Problem: Sendable, Equatable {
        var rows = 0
        /// Distinct student SIS ids, in the order of the report.
        var students: [String] = []
        var studentSet: Set<String> = []
        /// Lines of the source file where a row names no student (a student without an SIS id).
        var lines: [String] = []
        var countSum = 0
    }

    /// The held grades of one rule, by course.
    struct HeldRule: Sendable, Equatable {
        var rule: String
        var rows = 0
        var countedRows = 0
        var countSum = 0
        var courses = OrderedGroups<String, HeldCourse>()
    }

    struct HeldCourse: Sendable, Equatable {
        var courseSISID: String
        var canvasCourseID: String
        var rows = 0
        var countSum = 0
        var countedRows = 0
        var sections: Set<String> = []
        /// `section — assignment (count)` items, in report order.
        var items: [HeldItem] = []
    }

    struct HeldItem: Sendable, Equatable {
        var sectionSISID: String
        var assignmentName: String
        var canvasAssignmentID: String
        var count: Int?
        var message: String
    }

    /// The key a row is grouped under for its course: the course SIS id, else the Canvas course
    /// id (a course without one), else its source file.
    static func courseKey(_ record: Record) -> String {
        if !record.courseSISID.isEmpty { return "sis\u{0}" + record.courseSISID }
        if !record.canvasCourseID.isEmpty { return "canvas\u{0}" + record.canvasCourseID }
        return "file\u{0}" + record.sourceFile
    }

    mutating func add(_ record: Record) {
        rowCount += 1
        statusCounts[record.status, default: 0] += 1
        let courseKey = Self.courseKey(record)
        let count = Int(exactDigits: record.count)
        rules.update(RuleKey(rule: record.rule, status: record.status), default: RuleTotal()) { total in
            total.rows += 1
            if let count {
                total.countedRows += 1
                total.countSum += count
            }
            if !record.courseSISID.isEmpty || !record.canvasCourseID.isEmpty { total.courses.insert(courseKey) }
        }
        if record.status == "success" {
            lineItemsSent += 1
            gradesSent += count ?? 0
            sentPerCourse[courseKey, default: Sent()].lineItems += 1
            sentPerCourse[courseKey, default: Sent()].grades += count ?? 0
            return
        }
        if Self.heldRules.contains(record.rule) {
            addHeld(record, courseKey: courseKey, count: count)
            return
        }
        if record.isFileRejection {
            rejectedFiles.append(record)
            return
        }
        guard record.status == "error" || record.status == "warning" else { return }
        courses.update(courseKey, default: CourseFixes(courseSISID: record.courseSISID, canvasCourseID: record.canvasCourseID)) { course in
            if record.status == "error" { course.errors += 1 } else { course.warnings += 1 }
            if !record.sourceFile.isEmpty, !course.files.contains(record.sourceFile) { course.files.append(record.sourceFile) }
            course.sections.update(record.sectionSISID, default: SectionFixes(sectionSISID: record.sectionSISID)) { section in
                let assignmentKey = record.canvasAssignmentID + "\u{0}" + record.assignmentName
                section.assignments.update(assignmentKey, default: AssignmentFixes(canvasAssignmentID: record.canvasAssignmentID, name: record.assignmentName)) { assignment in
                    assignment.problems.update(ProblemKey(rule: record.rule, status: record.status, message: record.message), default: Problem()) { problem in
                        problem.rows += 1
                        problem.countSum += count ?? 0
                        if !record.studentSISID.isEmpty {
                            if problem.studentSet.insert(record.studentSISID).inserted { problem.students.append(record.studentSISID) }
                        } else if !record.sourceLine.isEmpty {
                            problem.lines.append(record.sourceLine)
                        }
                    }
                }
            }
        }
    }

    private mutating func addHeld(_ record: Record, courseKey: String, count: Int?) {
        held.update(record.rule, default: HeldRule(rule: record.rule)) { rule in
            rule.rows += 1
            if let count {
                rule.countedRows += 1
                rule.countSum += count
            }
            rule.courses.update(courseKey, default: HeldCourse(courseSISID: record.courseSISID, canvasCourseID: record.canvasCourseID)) { course in
                course.rows += 1
                if let count {
                    course.countedRows += 1
                    course.countSum += count
                }
                course.sections.insert(record.sectionSISID)
                course.items.append(
                    HeldItem(
                        sectionSISID: record.sectionSISID, assignmentName: record.assignmentName, canvasAssignmentID: record.canvasAssignmentID, count: count,
                        message: record.message))
            }
        }
    }

    /// Adds report records as the ledger stores them (``ReportRow/appendRecord(to:)``: CSV
    /// records without header or byte-order mark).
    /// - Throws: ``LedgerError`` (or the CSV reader's error) when the bytes are not such records:
    ///   a damaged ledger.
    ///
    /// Success rows (nine in ten) are only counted: read from their bytes, without making text
    /// of their cells but for the course, once per run of rows of the same course.
    mutating func add(csvRecords bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try add(csvRecords: $0) }
    }

    /// ``add(csvRecords:)`` on bytes in place (a chunk as the ledger hands it over), copied once.
    mutating func add(csvRecords bytes: UnsafeRawBufferPointer) throws {
        var reader = CSVReader(copying: bytes)
        var successes = SuccessRun()
        defer { finish(&successes) }
        while try reader.next() {
            guard reader.fieldCount == ReportRow.columns.count else {
                throw LedgerError("a stored report row has \(reader.fieldCount) cells, not \(ReportRow.columns.count)")
            }
            func cell(_ index: Int) throws -> String { try reader.string(at: index) }
            if Self.equal(reader.field(at: 2), Self.success), reader.field(at: 3).isEmpty {
                if !successes.isSameCourse(reader) {
                    finish(&successes)
                    var record = Record()
                    record.courseSISID = try cell(4)
                    record.canvasCourseID = try cell(6)
                    record.sourceFile = try cell(12)
                    successes.start(reader, courseKey: Self.courseKey(record))
                }
                successes.add(count: Int(exactDigits: reader.field(at: 11)))
                continue
            }
            var record = Record()
            record.requestID = try cell(1)
            record.status = try cell(2)
            record.rule = try cell(3)
            record.courseSISID = try cell(4)
            record.sectionSISID = try cell(5)
            record.canvasCourseID = try cell(6)
            record.canvasAssignmentID = try cell(7)
            record.assignmentName = try cell(8)
            record.categorySourcedID = try cell(9)
            record.studentSISID = try cell(10)
            record.count = try cell(11)
            record.sourceFile = try cell(12)
            record.sourceLine = try cell(13)
            record.message = try cell(14)
            add(record)
        }
    }

    /// An empty digest: rows are added to it.
    init() {}

    /// The digest of report records in chunks as the ledger stores them (each whole records),
    /// read in up to `workers` runs of chunks at once and put together in order: the digest that
    /// adding the chunks one after the other makes (``append(_:)``).
    /// - Throws: as ``add(csvRecords:)``, the first chunk's error.
    init(csvRecordChunks chunks: [Data], workers: Int) throws {
        let parts = max(1, min(workers, chunks.count / 64))
        guard parts > 1 else {
            for chunk in chunks { try chunk.withUnsafeBytes { try add(csvRecords: $0) } }
            return
        }
        let digests = DigestParts(count: parts)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            digests.set(
                part,
                Result {
                    var digest = StaffReportDigest()
                    for chunk in chunks[chunks.count * part / parts..<chunks.count * (part + 1) / parts] {
                        try chunk.withUnsafeBytes { try digest.add(csvRecords: $0) }
                    }
                    return digest
                })
        }
        for part in digests.all { append(try part.get()) }
    }

    /// Adds the digest of the rows that follow these in the report: the same as adding those
    /// rows here one by one (every group's first row comes first, counts add up, students are
    /// listed once). A group only `later` has is taken as it is. A property added to the digest
    /// is added here too: a test compares the digest of a report read in parts with the whole's.
    mutating func append(_ later: StaffReportDigest) {
        rowCount += later.rowCount
        for (status, rows) in later.statusCounts { statusCounts[status, default: 0] += rows }
        for (key, total) in later.rules.pairs {
            rules.merge(key, total) { mine, total in
                mine.rows += total.rows
                mine.countedRows += total.countedRows
                mine.countSum += total.countSum
                mine.courses.formUnion(total.courses)
            }
        }
        lineItemsSent += later.lineItemsSent
        gradesSent += later.gradesSent
        sentPerCourse.merge(later.sentPerCourse) { Sent(lineItems: $0.lineItems + $1.lineItems, grades: $0.grades + $1.grades) }
        for (key, course) in later.courses.pairs {
            courses.merge(key, course) { mine, course in
                mine.errors += course.errors
                mine.warnings += course.warnings
                for file in course.files where !mine.files.contains(file) { mine.files.append(file) }
                for (key, section) in course.sections.pairs {
                    mine.sections.merge(key, section) { mine, section in
                        for (key, assignment) in section.assignments.pairs {
                            mine.assignments.merge(key, assignment) { mine, assignment in
                                for (key, problem) in assignment.problems.pairs {
                                    mine.problems.merge(key, problem) { mine, problem in
                                        mine.rows += problem.rows
                                        mine.countSum += problem.countSum
                                        for student in problem.students where mine.studentSet.insert(student).inserted { mine.students.append(student) }
                                        mine.lines += problem.lines
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        rejectedFiles += later.rejectedFiles
        for (key, rule) in later.held.pairs {
            held.merge(key, rule) { mine, rule in
                mine.rows += rule.rows
                mine.countedRows += rule.countedRows
                mine.countSum += rule.countSum
                for (key, course) in rule.courses.pairs {
                    mine.courses.merge(key, course) { mine, course in
                        mine.rows += course.rows
                        mine.countSum += course.countSum
                        mine.countedRows += course.countedRows
                        mine.sections.formUnion(course.sections)
                        mine.items += course.items
                    }
                }
            }
        }
    }

    private static let success = Array("success".utf8)

    /// Whether a cell holds exactly `bytes`.
    static func equal(_ cell: UnsafeBufferPointer<UInt8>, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { kept in
            kept.count == cell.count && (kept.isEmpty || memcmp(kept.baseAddress!, cell.baseAddress!, kept.count) == 0)
        }
    }

    /// Success rows of one course in a row, counted until the course changes.
    private struct SuccessRun {
        var courseKey: String?
        /// The raw cells that make the course key: course SIS id, Canvas course id, file.
        var cells: [[UInt8]] = [[], [], []]
        var rows = 0
        var countedRows = 0
        var countSum = 0

        static let keyFields = [4, 6, 12]

        func isSameCourse(_ reader: borrowing CSVReader) -> Bool {
            guard courseKey != nil else { return false }
            for (position, field) in Self.keyFields.enumerated() where !StaffReportDigest.equal(reader.field(at: field), cells[position]) {
                return false
            }
            return true
        }

        mutating func start(_ reader: borrowing CSVReader, courseKey: String) {
            self.courseKey = courseKey
            cells = Self.keyFields.map { Array(reader.field(at: $0)) }
        }

        mutating func add(count: Int?) {
            rows += 1
            if let count {
                countedRows += 1
                countSum += count
            }
        }
    }

    /// Adds a run of success rows as ``add(_:)`` would one by one.
    private mutating func finish(_ run: inout SuccessRun) {
        guard let courseKey = run.courseKey, run.rows > 0 else { return }
        rowCount += run.rows
        statusCounts["success", default: 0] += run.rows
        rules.update(RuleKey(rule: "", status: "success"), default: RuleTotal()) { total in
            total.rows += run.rows
            total.countedRows += run.countedRows
            total.countSum += run.countSum
            if !courseKey.hasPrefix("file\u{0}") { total.courses.insert(courseKey) }
        }
        lineItemsSent += run.rows
        gradesSent += run.countSum
        sentPerCourse[courseKey, default: Sent()].lineItems += run.rows
        sentPerCourse[courseKey, default: Sent()].grades += run.countSum
        run = SuccessRun()
    }

}

/// Values by key in the order the keys were first seen: the report's order, which is the order
/// of the inputs, so the page reads like the CSV.
struct OrderedGroups<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private(set) var keys: [Key] = []
    private(set) var values: [Value] = []
    private var index: [Key: Int] = [:]

    var count: Int { keys.count }
    var isEmpty: Bool { keys.isEmpty }

    subscript(key: Key) -> Value? { index[key].map { values[$0] } }

    mutating func update(_ key: Key, default make: @autoclosure () -> Value, _ change: (inout Value) -> Void) {
        if let position = index[key] {
            change(&values[position])
        } else {
            index[key] = values.count
            keys.append(key)
            var value = make()
            change(&value)
            values.append(value)
        }
    }

    /// Adds `value` under `key`: after the others if `key` is new, else combined with the value
    /// there (that value first).
    mutating func merge(_ key: Key, _ value: Value, _ combine: (inout Value, Value) -> Void) {
        if let position = index[key] {
            combine(&values[position], value)
        } else {
            index[key] = values.count
            keys.append(key)
            values.append(value)
        }
    }

    var pairs: Zip2Sequence<[Key], [Value]> { zip(keys, values) }
}

extension Int {
    /// A count as the report writes it: ASCII digits only (no sign, spaces or separators).
    init?(exactDigits text: String) {
        self.init(exactDigits: Array(text.utf8))
    }

    init?(exactDigits bytes: some Collection<UInt8>) {
        guard !bytes.isEmpty, bytes.count <= 18, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        var value = 0
        for byte in bytes { value = value * 10 + Int(byte - 0x30) }
        self = value
    }
}

extension OrderedGroups: Equatable where Value: Equatable {
    static func == (a: Self, b: Self) -> Bool { a.keys == b.keys && a.values == b.values }
}

/// The digests of the parts of a report read at once, kept by part in order.
private final class DigestParts: @unchecked Sendable {
    // @unchecked: `parts` is touched only under `lock`.
    private let lock = NSLock()
    private var parts: [Result<StaffReportDigest, any Error>]

    init(count: Int) {
        parts = Array(repeating: .success(StaffReportDigest()), count: count)
    }

    func set(_ index: Int, _ digest: Result<StaffReportDigest, any Error>) {
        lock.withLock { parts[index] = digest }
    }

    var all: [Result<StaffReportDigest, any Error>] { lock.withLock { parts } }
}
