import Foundation

@testable import PassbackCore

/// Small builders for hand-made test inputs.
enum Make {
    static let denver = try! SchoolCalendar(timeZoneIdentifier: "America/Denver")

    static func date(_ text: String) -> Date {
        guard let date = ISOTimestamp.parse(text) else { fatalError("bad test date \(text)") }
        return date
    }

    static func day(_ text: String) -> LocalDate { LocalDate(iso: text)! }

    static func decimal(_ text: String) -> ExactDecimal { ExactDecimal.parse(text)! }

    static let now = date("2025-10-01T09:00:00Z")

    static func settings(limit: Int = 50, now: Date = Make.now) -> RuleSettings {
        RuleSettings(nameLengthLimit: limit, calendar: denver, now: now)
    }

    static func course(published: Bool = true, term: String? = "GTM00000000Q1") -> CanvasCourse {
        CanvasCourse(id: "4242", name: "Algebra I", sisCourseID: "CRS-ALG1", workflowState: published ? "available" : "unpublished", sisTermID: term)
    }

    static let period1 = CanvasSection(id: "71", name: "Period 1", sisSectionID: "MST0000007Xy12")
    static let period2 = CanvasSection(id: "72", name: "Period 2", sisSectionID: "MST0000008Zz34")

    static func category(
        _ id: String = "GCT0000001AbCd", title: String = "Homework", section: String = "MST0000007Xy12",
        verified: Date? = Make.date("2025-08-25T03:00:00Z"), status: AspireCategory.Status = .active,
        start: String = "2025-08-20", end: String = "2025-10-31"
    ) -> AspireCategory {
        AspireCategory(
            categorySourcedID: id, title: title, classSourcedID: section, termSourcedID: "GTM00000000Q1", termCode: "Q1",
            termStartDate: day(start), termEndDate: day(end), schoolID: "702", status: status, verifiedAt: verified
        )
    }

    static func assignment(
        id: String = "1001", name: String = "Homework 1: Linear Equations", published: Bool = true, sync: Bool = true,
        due: String? = "2025-09-12T05:59:59Z", points: String = "10", onlyOverrides: Bool = false,
        overrides: [CanvasAssignmentOverride] = [], gradingType: String = "points"
    ) -> CanvasAssignment {
        CanvasAssignment(
            id: id, name: name, published: published, postToSIS: sync, dueAt: due.map(date), unlockAt: nil,
            pointsPossible: decimal(points), gradingType: gradingType, onlyVisibleToOverrides: onlyOverrides, overrides: overrides
        )
    }

    static func group(sis: String? = "GCT0000001AbCd", name: String = "Homework", _ assignments: [CanvasAssignment]) -> CanvasAssignmentGroup {
        CanvasAssignmentGroup(id: "501", name: name, sisSourceID: sis, assignments: assignments)
    }

    static func student(_ id: String, sis: String?, section: String = "Period 1", line: Int, test: Bool = false, _ cells: [String], separator: UInt8 = UInt8(ascii: ","))
        -> GradebookStudent
    {
        let parser = ScoreCellParser(fieldSeparator: separator)
        return GradebookStudent(canvasUserID: id, sisUserID: sis, sectionText: section, line: line, isTestStudent: test, cells: ScoreCells(cells.map { parser.parse($0) }))
    }
}

extension Workspace {
    /// A workspace made as `passback init` makes one (private, no group): runs refuse a folder
    /// that is not one.
    static func made(at root: URL) throws -> Workspace {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        _ = try WorkspaceInitializer(root: root, group: .none).initialize()
        return Workspace(root: root)
    }
}
