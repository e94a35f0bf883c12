import Foundation

/// What a run's report rows say to the staff who read them in the morning: counts per status and
/// per rule, every row that needs a person grouped by course, section and assignment, the files
/// that were rejected, the grades held, and the successes only as totals.
///
/// Built from the rows exactly as the CSV has them (``StaffReportDigest/add(csvRecords:)`` reads
/// the records the ledger stores for the report), so the page and the CSV cannot disagree. Rules
/// are treated generically: a code the project adds later lands in the counts and under "what to
/// fix" (an error or a warning) with the CSV's message, without this type knowing it.
struct StaffReportDigest: Sendable {
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

    struct Sent: Sendable {
        var lineItems = 0
        var grades = 0
    }

    func sent(inCourse key: String) -> Sent { sentPerCourse[key] ?? Sent() }

    struct RuleKey: Hashable, Sendable {
        var rule: String
        var status: String
    }

    struct RuleTotal: Sendable {
        var rows = 0
        /// Rows with a number in `count`, and their sum.
        var countedRows = 0
        var countSum = 0
        var courses: Set<String> = []
    }

    /// A course's rows that need a person, by section then assignment.
    struct CourseFixes: Sendable {
        var courseSISID: String
        var canvasCourseID: String
        var files: [String] = []
        var errors = 0
        var warnings = 0
        var sections = OrderedGroups<String, SectionFixes>()
    }

    struct SectionFixes: Sendable {
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
    struct HeldRule: Sendable {
        var rule: String
        var rows = 0
        var countedRows = 0
        var countSum = 0
        var courses = OrderedGroups<String, HeldCourse>()
    }

    struct HeldCourse: Sendable {
        var courseSISID: String
        var canvasCourseID: String
        var rows = 0
        var countSum = 0
        var countedRows = 0
        var sections: Set<String> = []
        /// `section — assignment (count)` items, in report order.
        var items: [HeldItem] = []
    }

    struct HeldItem: Sendable {
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
        var reader = CSVReader(bytes: bytes)
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
