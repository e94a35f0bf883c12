import Foundation

/// What one Aspire passback XML file says (spec section 5.1), built by the pipeline and written by
/// ``PassbackXMLBuffer``. A file holds one or more ``PassbackSection``s (one per course bundle that
/// sends grades to that Aspire section in the run).
public struct PassbackHeader: Sendable, Equatable {
    public enum Mode: String, Sendable, Equatable {
        case incremental
        case bulk
    }

    var runID: String
    var mode: Mode
    var generatedAt: Date

    init(runID: String, mode: Mode, generatedAt: Date) {
        self.runID = runID
        self.mode = mode
        self.generatedAt = generatedAt
    }
}

/// `<Section>`: one Aspire section (class) and the Canvas course and section it comes from.
struct PassbackSection: Sendable, Equatable {
    var classSourcedID: String
    var termSourcedID: String
    var schoolID: String
    var canvasCourseID: String
    var canvasSectionID: String
    var lineItems: [PassbackLineItem]

    init(classSourcedID: String, termSourcedID: String, schoolID: String, canvasCourseID: String, canvasSectionID: String, lineItems: [PassbackLineItem]) {
        self.classSourcedID = classSourcedID
        self.termSourcedID = termSourcedID
        self.schoolID = schoolID
        self.canvasCourseID = canvasCourseID
        self.canvasSectionID = canvasSectionID
        self.lineItems = lineItems
    }
}

/// OneRoster's `status` of a line item or result.
enum PassbackStatus: String, Sendable, Equatable, Hashable {
    case active
    case toBeDeleted = "tobedeleted"
}

/// `<LineItem>`: one Canvas assignment in one Aspire section.
struct PassbackLineItem: Sendable, Equatable {
    /// `canvas-<assignment id>`.
    var sourcedID: String
    var status: PassbackStatus
    var title: String
    var categorySourcedID: String
    var assignDate: LocalDate
    var dueDate: LocalDate
    var resultValueMin: ExactDecimal
    var resultValueMax: ExactDecimal
    var results: [PassbackResult]

    init(
        sourcedID: String, status: PassbackStatus = .active, title: String, categorySourcedID: String, assignDate: LocalDate, dueDate: LocalDate,
        resultValueMin: ExactDecimal = .zero, resultValueMax: ExactDecimal, results: [PassbackResult]
    ) {
        self.sourcedID = sourcedID
        self.status = status
        self.title = title
        self.categorySourcedID = categorySourcedID
        self.assignDate = assignDate
        self.dueDate = dueDate
        self.resultValueMin = resultValueMin
        self.resultValueMax = resultValueMax
        self.results = results
    }
}

/// OneRoster's score statuses.
enum ScoreStatus: String, Sendable, Equatable, Hashable, CaseIterable {
    case exempt
    case fullyGraded = "fully graded"
    case notSubmitted = "not submitted"
    case partiallyGraded = "partially graded"
    case submitted
}

/// `<Result>`: one student's grade for a line item, or its deletion.
struct PassbackResult: Sendable, Equatable {
    /// `canvas-<assignment id>:<student SIS id>`.
    var sourcedID: String
    var status: PassbackStatus
    var studentSourcedID: String
    /// `nil` only for a deletion.
    var scoreStatus: ScoreStatus?
    /// `nil` for `exempt` and for a deletion.
    var score: ExactDecimal?
    /// `nil` only for a deletion.
    var scoreDate: LocalDate?

    init(sourcedID: String, status: PassbackStatus = .active, studentSourcedID: String, scoreStatus: ScoreStatus?, score: ExactDecimal?, scoreDate: LocalDate?) {
        self.sourcedID = sourcedID
        self.status = status
        self.studentSourcedID = studentSourcedID
        self.scoreStatus = scoreStatus
        self.score = score
        self.scoreDate = scoreDate
    }

    /// A deletion of a result sent before.
    static func deletion(sourcedID: String, studentSourcedID: String) -> PassbackResult {
        PassbackResult(sourcedID: sourcedID, status: .toBeDeleted, studentSourcedID: studentSourcedID, scoreStatus: nil, score: nil, scoreDate: nil)
    }
}
