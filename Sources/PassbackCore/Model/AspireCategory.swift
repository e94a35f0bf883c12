import Foundation

/// One Aspire grading category of one section and term, as an Aspire category export states it
/// (`*.categories.csv` or `*.categories.xml`).
public struct AspireCategory: Sendable, Equatable, Hashable {
    enum Status: String, Sendable, Equatable, Hashable {
        case active
        case toBeDeleted = "tobedeleted"
    }

    var categorySourcedID: String
    var title: String
    var classSourcedID: String
    var termSourcedID: String
    var termCode: String
    var termStartDate: LocalDate
    var termEndDate: LocalDate
    var schoolID: String
    var status: Status
    /// When Aspire verified the category for import; `nil` = not verified yet.
    var verifiedAt: Date?
    /// The weight as written in the export (kept as text; the pipeline does not compute with it).
    var weight: String?
    var dateLastModified: Date?

    init(
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
package struct AspireCategoryExport: Sendable, Equatable {
    package var categories: [AspireCategory]

    init(categories: [AspireCategory]) {
        self.categories = categories
    }
}
