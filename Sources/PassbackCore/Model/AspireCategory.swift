import Foundation

/// One Aspire grading category of one section and term, as an Aspire category export states it
/// (`*.categories.csv` or `*.categories.xml`).
public struct AspireCategory: Sendable, Equatable, Hashable {
    public enum Status: String, Sendable, Equatable, Hashable {
        case active
        case toBeDeleted = "tobedeleted"
    }

    public var categorySourcedID: String
    public var title: String
    public var classSourcedID: String
    public var termSourcedID: String
    public var termCode: String
    public var termStartDate: LocalDate
    public var termEndDate: LocalDate
    public var schoolID: String
    public var status: Status
    /// When Aspire verified the category for import; `nil` = not verified yet.
    public var verifiedAt: Date?
    /// The weight as written in the export (kept as text; the pipeline does not compute with it).
    public var weight: String?
    public var dateLastModified: Date?

    public init(
        categorySourcedID: String, title: String, classSourcedID: String, termSourcedID: String,
        termCode: String, termStartDate: LocalDate, termEndDate: LocalDate, schoolID: String,
        status: Status = .active, verifiedAt: Date? = nil, weight: String? = nil, dateLastModified: Date? = nil
    ) {
        self.categorySourcedID = categorySourcedID
        self.title = title
        self.classSourcedID = classSourcedID
        self.termSourcedID = termSourcedID
        self.termCode = termCode
        self.termStartDate = termStartDate
        self.termEndDate = termEndDate
        self.schoolID = schoolID
        self.status = status
        self.verifiedAt = verifiedAt
        self.weight = weight
        self.dateLastModified = dateLastModified
    }
}

/// The content of one category export file: categories of one or more sections of one school
/// and term. Replaces, per (term, section), what an older export said.
public struct AspireCategoryExport: Sendable, Equatable {
    public var categories: [AspireCategory]

    public init(categories: [AspireCategory]) {
        self.categories = categories
    }
}
