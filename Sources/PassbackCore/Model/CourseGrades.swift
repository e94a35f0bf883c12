import Foundation
import Synchronization

/// What the rules and matching stages make of one course bundle: per Aspire section, the line
/// items that may be sent with every student's current grade, and the rows to report. The diff
/// stage (``ResultSelector``) then picks what goes out in this run.
package struct CourseGrades: Sendable {
    /// Rows about the bundle as a whole (students in unknown sections, mismatched files).
    var diagnostics: [Diagnostic]
    package var sections: [SectionGrades]

    init(diagnostics: [Diagnostic] = [], sections: [SectionGrades] = []) {
        self.diagnostics = diagnostics
        self.sections = sections
    }
}

/// Identifies a sync request before it has an id: one course bundle, one Aspire section.
struct SyncRequestKey: Sendable, Hashable {
    var bundleStem: String
    var courseSISID: String?
    var canvasCourseID: String
    var sectionSISID: String
    var canvasSectionID: String

    init(bundleStem: String, courseSISID: String?, canvasCourseID: String, sectionSISID: String, canvasSectionID: String) {
        self.bundleStem = bundleStem
        self.courseSISID = courseSISID
        self.canvasCourseID = canvasCourseID
        self.sectionSISID = sectionSISID
        self.canvasSectionID = canvasSectionID
    }
}

/// One Aspire section of a course bundle: the future sync request.
package struct SectionGrades: Sendable {
    var request: SyncRequestKey
    var termSourcedID: String
    /// The school, from the section's Aspire categories; `nil` when none is known.
    var schoolID: String?
    var lineItems: [CandidateLineItem]
    /// Rule rows, bad cells, students without SIS ids: in the order found.
    var diagnostics: [Diagnostic]
    /// Line items (`canvas-<assignment id>`) held back here by a rule (an error, a category
    /// Aspire has not verified) or because the gradebook lacks their column: when one is sent
    /// again it carries every grade Aspire lacks, however old (spec section 6).
    var heldLineItems: [String]

    init(request: SyncRequestKey, termSourcedID: String, schoolID: String?, lineItems: [CandidateLineItem] = [], diagnostics: [Diagnostic] = [], heldLineItems: [String] = []) {
        self.request = request
        self.termSourcedID = termSourcedID
        self.schoolID = schoolID
        self.lineItems = lineItems
        self.diagnostics = diagnostics
        self.heldLineItems = heldLineItems
    }
}

/// A line item that passed every rule, with every student's current grade.
struct CandidateLineItem: Sendable {
    /// The line item as it would be written, with no results yet.
    var lineItem: PassbackLineItem
    var assignmentName: String
    var canvasAssignmentID: String
    var results: [CandidateResult]
    #if DEBUG
    /// Counts this line item among the live ones of its bundle, for tests (``LiveLineItems``).
    var liveness: LiveLineItems.Token?
    #endif

    init(lineItem: PassbackLineItem, assignmentName: String, canvasAssignmentID: String, results: [CandidateResult]) {
        self.lineItem = lineItem
        self.assignmentName = assignmentName
        self.canvasAssignmentID = canvasAssignmentID
        self.results = results
    }
}

/// How many candidate line items of a bundle are alive at once, at most (debug builds): the
/// test hook that shows a run never holds a section's candidates all at once (issue 12). A
/// ``CandidateLineItem`` made by ``SectionCandidates`` carries a ``Token``, counted while any copy
/// of the line item lives.
enum LiveLineItems {
    #if DEBUG
    private static let counts = Mutex<[String: (live: Int, most: Int)]>([:])

    /// One live line item of the bundle `stem`.
    final class Token: Sendable {
        let stem: String

        init(stem: String) {
            self.stem = stem
            LiveLineItems.counts.withLock {
                var count = $0[stem] ?? (0, 0)
                count.live += 1
                count.most = max(count.most, count.live)
                $0[stem] = count
            }
        }

        deinit {
            let stem = stem
            LiveLineItems.counts.withLock { $0[stem]?.live -= 1 }
        }
    }

    /// The most line items of the bundle `stem` that were alive at once.
    static func most(of stem: String) -> Int {
        counts.withLock { $0[stem]?.most ?? 0 }
    }
    #endif
}

/// One student's current grade for a line item. Students whose cell is `N/A` are not
/// candidates at all (nothing is sent or deleted for them); a grade kept back (unreadable, not
/// posted) is a candidate with a ``Hold``, so the ledger remembers to send it once the reason
/// is gone, however old its change.
///
/// The rules stage makes one per grade cell (millions a night) and most are not sent, so it
/// holds no id: a result's `sourcedId` (`<line item sourcedId>:<student SIS id>`) is made by
/// ``sourcedID(lineItem:)`` only for a result that goes out.
struct CandidateResult: Sendable, Equatable {
    /// Why a grade is not sent now.
    enum Hold: UInt8, Sendable, Equatable {
        case none
        /// The cell is not a grade (`invalid-score`): what Canvas holds is unknown, so nothing
        /// is sent or deleted.
        case unreadable
        /// Not posted to students yet (`grade-not-posted`); ``current`` is the grade kept back.
        case notPosted
    }

    var studentSISID: String
    /// The grade now; `nil` when the cell is blank or `-` (or unreadable).
    var current: GradeValue?
    /// When Canvas graded it (`graded_at`), when the bundle says.
    var gradedAt: Date?
    /// The date written as `ScoreDate`.
    var scoreDate: LocalDate
    var hold: Hold

    init(studentSISID: String, current: GradeValue?, gradedAt: Date?, scoreDate: LocalDate, hold: Hold = .none) {
        self.studentSISID = studentSISID
        self.current = current
        self.gradedAt = gradedAt
        self.scoreDate = scoreDate
        self.hold = hold
    }

    /// `canvas-<assignment id>:<student SIS id>`, given the line item's `canvas-<assignment id>`.
    func sourcedID(lineItem: String) -> String {
        // Built in one allocation: a bulk run makes millions of these.
        var lineItem = lineItem
        var student = studentSISID
        return lineItem.withUTF8 { prefix in
            student.withUTF8 { suffix in
                String(unsafeUninitializedCapacity: prefix.count + 1 + suffix.count) { buffer in
                    _ = buffer.initialize(fromContentsOf: prefix)
                    buffer[prefix.count] = UInt8(ascii: ":")
                    _ = UnsafeMutableBufferPointer(rebasing: buffer[(prefix.count + 1)...]).initialize(fromContentsOf: suffix)
                    return prefix.count + 1 + suffix.count
                }
            }
        }
    }
}
