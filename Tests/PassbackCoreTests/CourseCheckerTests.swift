import Foundation
import Testing

@testable import PassbackCore

/// The rules-and-matching stage on one hand-made course: students into sections, the rule book
/// per assignment and section, score cells, and what never reaches the XML writer.
@Suite struct CourseCheckerTests {
    let sources = CourseChecker.Sources(stem: "c", gradebookFile: "c.gradebook.csv", bundleFile: "c.canvas.json")

    func checker() -> CourseChecker {
        CourseChecker(
            matcher: CategoryMatcher(catalog: CategoryCatalog([Make.category(), Make.category("GCT0000003IjKl", section: "MST0000008Zz34")])),
            settings: Make.settings()
        )
    }

    func bundle(_ assignments: [CanvasAssignment], sections: [CanvasSection] = [Make.period1, Make.period2]) -> CanvasBundle {
        CanvasBundle(course: Make.course(), sections: sections, assignmentGroups: [Make.group(assignments)])
    }

    func gradebook(_ students: [GradebookStudent], columns: [String] = ["1001"]) -> Gradebook {
        Gradebook(separator: 44, hasByteOrderMark: false, assignmentColumns: columns.map { GradebookAssignmentColumn(name: "A \($0)", assignmentID: $0) }, students: students)
    }

    @Test func aStudentInTwoSectionsIsSentInBoth() {
        let grades = checker().check(
            bundle: bundle([Make.assignment()]),
            gradebook: gradebook([Make.student("13", sis: "604863", section: "Period 1 and Period 2", line: 4, ["9.00"])]),
            sources: sources
        )
        #expect(grades.diagnostics.isEmpty)
        #expect(grades.sections.map(\.request.sectionSISID) == ["MST0000007Xy12", "MST0000008Zz34"])
        for section in grades.sections {
            #expect(
                section.lineItems.first?.results == [CandidateResult(studentSISID: "604863", current: .score(ExactDecimal(9)), gradedAt: nil, scoreDate: Make.day("2025-10-01"))])
        }
        #expect(grades.sections[1].lineItems.first?.lineItem.categorySourcedID == "GCT0000003IjKl", "matched by title in Period 2")
    }

    @Test func cellsOfEveryKindBecomeCandidatesOrRows() {
        let students = [
            Make.student("1", sis: "A", line: 4, ["9.00"]), Make.student("2", sis: "B", line: 5, ["EX"]),
            Make.student("3", sis: "C", line: 6, ["N/A"]), Make.student("4", sis: "D", line: 7, [""]),
            Make.student("5", sis: "E", line: 8, ["nine"]), Make.student("6", sis: "F", line: 9, ["12"]),
            Make.student("7", sis: nil, line: 10, ["5"]), Make.student("8", sis: "", line: 11, test: true, [""]),
        ]
        let grades = checker().check(bundle: bundle([Make.assignment()], sections: [Make.period1]), gradebook: gradebook(students), sources: sources)
        let section = grades.sections[0]
        #expect(section.lineItems[0].results.map(\.studentSISID) == ["A", "B", "D", "E", "F"])
        #expect(section.lineItems[0].results.map(\.current) == [.score(ExactDecimal(9)), .exempt, nil, nil, .score(ExactDecimal(12))])
        #expect(section.lineItems[0].results.map(\.hold) == [.none, .none, .none, .unreadable, .none], "an unreadable cell is held: nothing sent or deleted")
        #expect(section.diagnostics.map(\.code) == [.studentWithoutSISID, .invalidScore, .extraCredit])
        #expect(section.diagnostics.map { $0.location?.line } == [10, 8, 9])
        #expect(grades.diagnostics.map(\.code) == [.testStudent])
    }

    @Test func unknownSectionsAndMismatchedFilesAreReported() {
        var sectionless = Make.period2
        sectionless.sisSectionID = nil
        let grades = checker().check(
            bundle: bundle([Make.assignment(), Make.assignment(id: "1002", name: "Not in the gradebook")], sections: [Make.period1, sectionless]),
            gradebook: gradebook([Make.student("13", sis: "604863", section: "Period 9", line: 4, ["9", "1"])], columns: ["1001", "9999"]),
            sources: sources
        )
        // Period 2 has no SIS id and no students: nothing to say about it.
        #expect(grades.diagnostics.map(\.code) == [.unknownSection, .bundleMismatch, .bundleMismatch])
        #expect(grades.diagnostics.map(\.severity) == [.error, .error, .warning])
        #expect(grades.sections.map(\.request.sectionSISID) == ["MST0000007Xy12"])
        #expect(grades.sections[0].lineItems.map(\.canvasAssignmentID) == ["1001"], "an assignment without a column sends nothing, deletes nothing")
    }

    @Test func controlCharactersNeverReachTheWriter() {
        var section = Make.period2
        section.sisSectionID = "MST\u{1}BAD"
        let grades = checker().check(
            bundle: bundle([Make.assignment(name: "Bell\u{7} work")], sections: [Make.period1, section]),
            gradebook: gradebook([
                Make.student("13", sis: "604\u{0}863", line: 4, ["9"]), Make.student("14", sis: "604874", line: 5, ["8"]),
            ]),
            sources: sources
        )
        #expect(grades.diagnostics.map(\.code) == [.unknownSection])
        #expect(grades.sections.count == 1)
        #expect(grades.sections[0].diagnostics.map(\.code) == [.studentWithoutSISID])
        #expect(grades.sections[0].lineItems[0].lineItem.title == "Bell\u{FFFD} work")
        #expect(grades.sections[0].lineItems[0].results.map(\.studentSISID) == ["604874"])
    }

    /// An id that a whitespace-collapsing reader would receive changed stops its own student
    /// or section, not the others; one inner space is an id like any other.
    @Test func idsThatWouldArriveChangedStopOnlyTheirStudentOrSection() {
        var section = Make.period2
        section.sisSectionID = "MST  0000008"
        let grades = checker().check(
            bundle: bundle([Make.assignment()], sections: [Make.period1, section]),
            gradebook: gradebook([
                Make.student("13", sis: "604\t863", line: 4, ["9"]), Make.student("14", sis: "604874", line: 5, ["8"]),
                Make.student("15", sis: "604  875", line: 6, ["7"]), Make.student("16", sis: "604 876", line: 7, ["6"]),
            ]),
            sources: sources
        )
        #expect(grades.diagnostics.map(\.code) == [.unknownSection])
        #expect(grades.diagnostics.first?.message.contains("two spaces in a row") == true)
        #expect(grades.sections.map(\.request.sectionSISID) == ["MST0000007Xy12"])
        #expect(grades.sections[0].diagnostics.map(\.code) == [.studentWithoutSISID, .studentWithoutSISID])
        #expect(grades.sections[0].diagnostics.map { $0.location?.line } == [4, 6])
        #expect(grades.sections[0].lineItems[0].results.map(\.studentSISID) == ["604874", "604 876"])
    }

    @Test func scoreDatesComeFromGradedAtInTheSchoolZone() {
        var canvas = bundle([Make.assignment()], sections: [Make.period1])
        canvas.submissions = [CanvasSubmission(assignmentID: "1001", userID: "13", gradedAt: Make.date("2025-09-13T04:00:00Z"))]
        let grades = checker().check(bundle: canvas, gradebook: gradebook([Make.student("13", sis: "A", line: 4, ["9"])]), sources: sources)
        #expect(grades.sections[0].lineItems[0].results[0].scoreDate == Make.day("2025-09-12"))
        #expect(grades.sections[0].lineItems[0].lineItem.dueDate == Make.day("2025-09-11"))
    }

    /// A Canvas section without an SIS id is not an Aspire section: one skipped row with its
    /// students' count, no error, and its students are passed back in their Aspire sections.
    @Test func aSectionWithoutAnSISIdIsSkippedWithACount() {
        var groupSection = Make.period2
        groupSection.sisSectionID = nil
        groupSection.name = "Reading Group"
        let grades = checker().check(
            bundle: bundle([Make.assignment()], sections: [Make.period1, groupSection]),
            gradebook: gradebook([
                Make.student("13", sis: "A", section: "Period 1 and Reading Group", line: 4, ["9"]),
                Make.student("14", sis: "B", section: "Reading Group", line: 5, ["8"]),
            ]),
            sources: sources
        )
        #expect(grades.diagnostics.map(\.code) == [.sectionNotInAspire])
        #expect(grades.diagnostics.first?.severity == .skipped)
        #expect(grades.diagnostics.first?.count == 2)
        #expect(grades.sections.map(\.request.sectionSISID) == ["MST0000007Xy12"])
        #expect(grades.sections[0].lineItems[0].results.map(\.studentSISID) == ["A"])
    }

    /// `Period 1 and Period 1` (two enrollments in sections of one name) is one section when
    /// only one section has the name, and the student's result is there once.
    @Test func aNameListedTwiceIsOneSection() {
        let grades = checker().check(
            bundle: bundle([Make.assignment()], sections: [Make.period1]),
            gradebook: gradebook([Make.student("13", sis: "A", section: "Period 1 and Period 1", line: 4, ["9"])]),
            sources: sources
        )
        #expect(grades.diagnostics.isEmpty)
        #expect(grades.sections[0].lineItems[0].results.map(\.studentSISID) == ["A"])
    }

    /// With enrollments, sections and missing SIS ids come from them; the gradebook's names are
    /// a cross-check.
    @Test func enrollmentsDecideSectionsAndFillSISIds() {
        var canvas = bundle([Make.assignment()])
        canvas.enrollments = [
            CanvasEnrollment(userID: "13", courseSectionID: "72", sisUserID: "604863"),
            CanvasEnrollment(userID: "14", courseSectionID: "71", sisUserID: "604874"),
            CanvasEnrollment(userID: "14", courseSectionID: "72", sisUserID: "604874", enrollmentState: "deleted"),
            CanvasEnrollment(userID: "15", courseSectionID: "71", sisUserID: nil, type: "ObserverEnrollment"),
        ]
        let grades = checker().check(
            bundle: canvas,
            gradebook: gradebook([
                Make.student("13", sis: "604863", section: "Period 1", line: 4, ["9"]),
                Make.student("14", sis: nil, section: "Period 1", line: 5, ["8"]),
                Make.student("15", sis: "604875", section: "Period 2", line: 6, ["7"]),
            ]),
            sources: sources
        )
        #expect(grades.diagnostics.map(\.code) == [.bundleMismatch], "the gradebook put 13 in Period 1; the enrollments in Period 2")
        #expect(grades.diagnostics.first?.severity == .warning)
        #expect(grades.sections.map { $0.lineItems[0].results.map(\.studentSISID) } == [["604874"], ["604863", "604875"]])
    }
}
