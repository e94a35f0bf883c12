import Foundation

/// What one Aspire passback XML file says (spec section 5.1), built by the pipeline and written by
/// ``PassbackWriter``. A file holds one or more ``PassbackSection``s (one per course bundle that
/// sends grades to that Aspire section in the run).
public struct PassbackHeader: Sendable, Equatable {
    public enum Mode: String, Sendable, Equatable {
        case incremental
        case bulk
    }

    public var runID: String
    public var mode: Mode
    public var generatedAt: Date

    public init(runID: String, mode: Mode, generatedAt: Date) {
        self.runID = runID
        self.mode = mode
        self.generatedAt = generatedAt
    }
}

/// `<Section>`: one Aspire section (class) and the Canvas course and section it comes from.
public struct PassbackSection: Sendable, Equatable {
    public var classSourcedID: String
    public var termSourcedID: String
    public var schoolID: String
    public var canvasCourseID: String
    public var canvasSectionID: String
    public var lineItems: [PassbackLineItem]

    public init(classSourcedID: String, termSourcedID: String, schoolID: String, canvasCourseID: String, canvasSectionID: String, lineItems: [PassbackLineItem]) {
        self.classSourcedID = classSourcedID
        self.termSourcedID = termSourcedID
        self.schoolID = schoolID
        self.canvasCourseID = canvasCourseID
        self.canvasSectionID = canvasSectionID
        self.lineItems = lineItems
    }
}

/// OneRoster's `status` of a line item or result.
public enum PassbackStatus: String, Sendable, Equatable, Hashable {
    case active
    case toBeDeleted = "tobedeleted"
}

/// `<LineItem>`: one Canvas assignment in one Aspire section.
public struct PassbackLineItem: Sendable, Equatable {
    /// `canvas-<assignment id>`.
    public var sourcedID: String
    public var status: PassbackStatus
    public var title: String
    public var categorySourcedID: String
    public var assignDate: LocalDate
    public var dueDate: LocalDate
    public var resultValueMin: ExactDecimal
    public var resultValueMax: ExactDecimal
    public var results: [PassbackResult]

    public init(sourcedID: String, status: PassbackStatus = .active, title: String, categorySourcedID: String, assignDate: LocalDate, dueDate: LocalDate, resultValueMin: ExactDecimal = .zero, resultValueMax: ExactDecimal, results: [PassbackResult]) {
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
public enum ScoreStatus: String, Sendable, Equatable, Hashable, CaseIterable {
    case exempt
    case fullyGraded = "fully graded"
    case notSubmitted = "not submitted"
    case partiallyGraded = "partially graded"
    case submitted
}

/// `<Result>`: one student's grade for a line item, or its deletion.
public struct PassbackResult: Sendable, Equatable {
    /// `canvas-<assignment id>:<student SIS id>`.
    public var sourcedID: String
    public var status: PassbackStatus
    public var studentSourcedID: String
    /// `nil` only for a deletion.
    public var scoreStatus: ScoreStatus?
    /// `nil` for `exempt` and for a deletion.
    public var score: ExactDecimal?
    /// `nil` only for a deletion.
    public var scoreDate: LocalDate?

    public init(sourcedID: String, status: PassbackStatus = .active, studentSourcedID: String, scoreStatus: ScoreStatus?, score: ExactDecimal?, scoreDate: LocalDate?) {
        self.sourcedID = sourcedID
        self.status = status
        self.studentSourcedID = studentSourcedID
        self.scoreStatus = scoreStatus
        self.score = score
        self.scoreDate = scoreDate
    }

    /// A deletion of a result sent before.
    public static func deletion(sourcedID: String, studentSourcedID: String) -> PassbackResult {
        PassbackResult(sourcedID: sourcedID, status: .toBeDeleted, studentSourcedID: studentSourcedID, scoreStatus: nil, score: nil, scoreDate: nil)
    }
}
