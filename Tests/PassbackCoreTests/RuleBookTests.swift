import Foundation
import Testing

@testable import PassbackCore

/// One case of the rule table: an assignment (and course, categories) and the codes it breaks.
struct RuleCase: Sendable, CustomTestStringConvertible {
    var name: String
    var course: CanvasCourse = Make.course()
    var group: CanvasAssignmentGroup = Make.group([])
    var assignment: CanvasAssignment = Make.assignment()
    var categories: [AspireCategory] = [Make.category()]
    var limit = 50
    var expected: [RuleCode]
    var testDescription: String { name }
}

@Suite struct RuleBookTests {
    static let cases: [RuleCase] = [
        RuleCase(name: "a clean assignment passes", expected: []),
        RuleCase(
            name: "not set to sync is skipped and nothing else is said", assignment: Make.assignment(name: String(repeating: "x", count: 80), published: false, sync: false),
            expected: [.notSetToSync]),
        RuleCase(name: "51 characters break the 50 limit", assignment: Make.assignment(name: String(repeating: "a", count: 51)), expected: [.nameTooLong]),
        RuleCase(name: "50 characters are fine", assignment: Make.assignment(name: String(repeating: "a", count: 50)), expected: []),
        RuleCase(name: "a 30-character account limit", assignment: Make.assignment(name: String(repeating: "a", count: 31)), limit: 30, expected: [.nameTooLong]),
        RuleCase(
            name: "names count Unicode scalars (e + combining accent is two)", assignment: Make.assignment(name: String(repeating: "e\u{301}", count: 25) + "x"),
            expected: [.nameTooLong]),
        RuleCase(name: "a group made in Canvas", group: Make.group(sis: nil, []), expected: [.categoryNotImported]),
        RuleCase(name: "an imported group matching nothing", group: Make.group(sis: "GCT-OTHER", name: "Labs", []), expected: [.categoryNotFound]),
        RuleCase(name: "an imported group matching by title", group: Make.group(sis: "GCT-OTHER", name: "  HOMEWORK ", []), expected: []),
        RuleCase(name: "no categories for the section", categories: [], expected: [.categoryNotFound]),
        RuleCase(name: "a category marked to be deleted", categories: [Make.category(status: .toBeDeleted)], expected: [.categoryNotFound]),
        RuleCase(name: "a course without an SIS term", course: Make.course(term: nil), expected: [.categoryNotFound]),
        RuleCase(name: "an unverified category holds the grades", categories: [Make.category(verified: nil)], expected: [.categoryPendingVerification]),
        RuleCase(
            name: "a category verified in the future holds them too", categories: [Make.category(verified: Make.date("2025-12-01T00:00:00Z"))],
            expected: [.categoryPendingVerification]),
        RuleCase(name: "an unpublished course", course: Make.course(published: false), expected: [.courseUnpublished]),
        RuleCase(name: "an unpublished assignment", assignment: Make.assignment(published: false), expected: [.assignmentUnpublished]),
        RuleCase(name: "no due date", assignment: Make.assignment(due: nil), expected: [.noDueDate]),
        RuleCase(name: "due after the term", assignment: Make.assignment(due: "2025-11-02T06:59:59Z"), expected: [.dueDateOutsideTerm]),
        RuleCase(name: "due on the term's last day in Denver (UTC says the next day)", assignment: Make.assignment(due: "2025-11-01T05:59:59Z"), expected: []),
        RuleCase(name: "due before the term", assignment: Make.assignment(due: "2025-08-19T18:00:00Z"), expected: [.dueDateOutsideTerm]),
        RuleCase(
            name: "only visible to a student override",
            assignment: Make.assignment(onlyOverrides: true, overrides: [CanvasAssignmentOverride(target: .students(["13"]), dueAt: .date(Make.date("2025-09-19T05:59:59Z")))]),
            expected: [.differentiated]
        ),
        RuleCase(
            name: "only visible to a group override",
            assignment: Make.assignment(onlyOverrides: true, overrides: [CanvasAssignmentOverride(target: .group("9"), dueAt: .inherited)]),
            expected: [.differentiated]
        ),
        RuleCase(
            name: "a student of the section with another due date",
            assignment: Make.assignment(overrides: [CanvasAssignmentOverride(target: .students(["13"]), dueAt: .date(Make.date("2025-09-20T05:59:59Z")))]),
            expected: [.dueDateDiffersInSection]
        ),
        RuleCase(
            name: "a student override on the same local day is the same due date",
            assignment: Make.assignment(overrides: [CanvasAssignmentOverride(target: .students(["13"]), dueAt: .date(Make.date("2025-09-11T20:00:00Z")))]),
            expected: []
        ),
        RuleCase(
            name: "a student of another section does not count",
            assignment: Make.assignment(overrides: [CanvasAssignmentOverride(target: .students(["99"]), dueAt: .date(Make.date("2025-09-20T05:59:59Z")))]),
            expected: []
        ),
        RuleCase(
            name: "a section override with its own due date is fine",
            assignment: Make.assignment(due: nil, overrides: [CanvasAssignmentOverride(target: .section("71"), dueAt: .date(Make.date("2025-09-13T05:59:59Z")))]),
            expected: []
        ),
        RuleCase(
            name: "a section override removing the due date",
            assignment: Make.assignment(overrides: [CanvasAssignmentOverride(target: .section("71"), dueAt: .none)]),
            expected: [.noDueDate]
        ),
        RuleCase(
            name: "visible to overrides only, assigned to everyone by a course override",
            assignment: Make.assignment(
                due: nil, onlyOverrides: true, overrides: [CanvasAssignmentOverride(target: .course("4242"), dueAt: .date(Make.date("2025-09-13T05:59:59Z")))]),
            expected: []
        ),
        RuleCase(
            name: "a student override beside a course override is a due date of its own, not differentiation",
            assignment: Make.assignment(
                onlyOverrides: true,
                overrides: [
                    CanvasAssignmentOverride(target: .course("4242"), dueAt: .inherited),
                    CanvasAssignmentOverride(target: .students(["13"]), dueAt: .date(Make.date("2025-09-20T05:59:59Z"))),
                ]),
            expected: [.dueDateDiffersInSection]
        ),
        RuleCase(
            name: "Mastery Paths (noop_id) is differentiated",
            assignment: Make.assignment(onlyOverrides: true, overrides: [CanvasAssignmentOverride(target: .noop("1"), dueAt: .inherited)]),
            expected: [.differentiated]
        ),
        RuleCase(
            name: "an override of an unknown kind is differentiated, for this assignment only",
            assignment: Make.assignment(overrides: [CanvasAssignmentOverride(target: .unknown("differentiation_tag_id"), dueAt: .inherited)]),
            expected: [.differentiated]
        ),
        RuleCase(
            name: "a student taken out (unassign_item) is not an individual assignment",
            assignment: Make.assignment(overrides: [CanvasAssignmentOverride(target: .students(["13"]), dueAt: .inherited, unassign: true)]),
            expected: []
        ),
        RuleCase(
            name: "several rules at once are all reported, in order",
            course: Make.course(published: false),
            group: Make.group(sis: nil, []),
            assignment: Make.assignment(name: String(repeating: "a", count: 60), published: false, due: nil),
            expected: [.nameTooLong, .categoryNotImported, .courseUnpublished, .assignmentUnpublished, .noDueDate]
        ),
    ]

    @Test(arguments: cases)
    func ruleTable(_ rule: RuleCase) {
        let matcher = CategoryMatcher(catalog: CategoryCatalog(rule.categories))
        let section = Make.period1
        let schedule = SectionSchedule.resolve(assignment: rule.assignment, section: section, sectionStudents: ["13", "14"], calendar: Make.denver)
        let context = RuleContext(
            course: rule.course, group: rule.group, assignment: rule.assignment, section: section,
            category: matcher.match(group: rule.group, termSourcedID: rule.course.sisTermID, classSourcedID: section.sisSectionID!),
            schedule: schedule, settings: Make.settings(limit: rule.limit), location: SourceLocation(file: "course.canvas.json")
        )
        let findings = RuleBook.standard.check(context)
        #expect(findings.map(\.code) == rule.expected)
        for finding in findings {
            #expect(!finding.message.isEmpty)
            #expect(finding.subject.canvasAssignmentID == rule.assignment.id)
            #expect(finding.subject.sectionSISID == "MST0000007Xy12")
        }
    }

    @Test func severities() {
        let codes: [RuleCode: Diagnostic.Severity] = [.notSetToSync: .skipped, .categoryPendingVerification: .warning, .nameTooLong: .error]
        for (code, severity) in codes {
            let rule = Self.cases.first { $0.expected == [code] }!
            let matcher = CategoryMatcher(catalog: CategoryCatalog(rule.categories))
            let context = RuleContext(
                course: rule.course, group: rule.group, assignment: rule.assignment, section: Make.period1,
                category: matcher.match(group: rule.group, termSourcedID: rule.course.sisTermID, classSourcedID: "MST0000007Xy12"),
                schedule: SectionSchedule.resolve(assignment: rule.assignment, section: Make.period1, sectionStudents: [], calendar: Make.denver),
                settings: Make.settings(limit: rule.limit), location: nil
            )
            #expect(RuleBook.standard.check(context).first?.severity == severity)
        }
    }

    @Test func nameTooLongMessageSaysWhatToDo() {
        let assignment = Make.assignment(name: String(repeating: "a", count: 57))
        let context = RuleContext(
            course: Make.course(), group: Make.group([]), assignment: assignment, section: Make.period1, category: .matched(Make.category()),
            schedule: SectionSchedule(isAssigned: true, dueAt: assignment.dueAt, unlockAt: nil), settings: Make.settings(), location: nil
        )
        #expect(NameLengthRule().check(context)?.message == "Shorten the name to 50 characters or fewer; it has 57.")
    }

    @Test func anOnlyVisibleAssignmentSkipsSectionsItDoesNotCover() {
        let assignment = Make.assignment(
            due: nil, onlyOverrides: true, overrides: [CanvasAssignmentOverride(target: .section("72"), dueAt: .date(Make.date("2025-09-13T05:59:59Z")))])
        let p1 = SectionSchedule.resolve(assignment: assignment, section: Make.period1, sectionStudents: ["13"], calendar: Make.denver)
        let p2 = SectionSchedule.resolve(assignment: assignment, section: Make.period2, sectionStudents: ["14"], calendar: Make.denver)
        #expect(!p1.isAssigned)
        #expect(p2.isAssigned)
        #expect(p2.dueAt == Make.date("2025-09-13T05:59:59Z"))
    }

    /// Every override kind Canvas writes, read as rule 5 says (canvas-lms
    /// `AssignmentOverrideApplicator`: the latest due date of the section's overrides wins).
    @Test func overrideKindsAssignDateAndTakeOut() {
        func schedule(_ overrides: [CanvasAssignmentOverride], onlyOverrides: Bool = false, section: CanvasSection = Make.period1) -> SectionSchedule {
            SectionSchedule.resolve(
                assignment: Make.assignment(onlyOverrides: onlyOverrides, overrides: overrides), section: section, sectionStudents: ["13", "14"], calendar: Make.denver)
        }
        let everyone = CanvasAssignmentOverride(target: .course("4242"), dueAt: .date(Make.date("2025-09-14T05:59:59Z")))
        let period1 = CanvasAssignmentOverride(target: .section("71"), dueAt: .date(Make.date("2025-09-16T05:59:59Z")))
        #expect(schedule([everyone], onlyOverrides: true).dueAt == Make.date("2025-09-14T05:59:59Z"))
        #expect(schedule([everyone, period1], onlyOverrides: true).dueAt == Make.date("2025-09-16T05:59:59Z"), "the later date wins")
        #expect(schedule([everyone, period1], onlyOverrides: true, section: Make.period2).dueAt == Make.date("2025-09-14T05:59:59Z"))
        let noDueDate = CanvasAssignmentOverride(target: .section("71"), dueAt: .none)
        #expect(schedule([everyone, noDueDate]).dueAt == nil, "an override without a due date wins over all")
        // Taken out: the section has no line item, and says nothing.
        let takenOut = CanvasAssignmentOverride(target: .section("71"), dueAt: .inherited, unassign: true)
        #expect(!schedule([takenOut]).isAssigned)
        #expect(schedule([takenOut], section: Make.period2).isAssigned)
        #expect(!schedule([everyone, takenOut], onlyOverrides: true).isAssigned)
        let everyoneOut = CanvasAssignmentOverride(target: .course("4242"), dueAt: .inherited, unassign: true)
        #expect(!schedule([everyoneOut]).isAssigned)
        // Students taken out do not have it (as an N/A cell); nobody is differentiated by it.
        let studentOut = CanvasAssignmentOverride(target: .students(["14"]), dueAt: .inherited, unassign: true)
        #expect(schedule([studentOut]).unassignedStudents == ["14"])
        #expect(schedule([studentOut]).differentiations.isEmpty)
        // Mastery Paths and unknown kinds make every section report, naming the kind.
        let paths = schedule([CanvasAssignmentOverride(target: .noop(nil), dueAt: .inherited)], onlyOverrides: true, section: Make.period2)
        #expect(paths.isAssigned)
        #expect(paths.differentiations == [.masteryPaths])
    }

    @Test func differentiatedNamesTheKind() {
        let assignment = Make.assignment(overrides: [
            CanvasAssignmentOverride(target: .unknown("differentiation_tag_id"), dueAt: .inherited), CanvasAssignmentOverride(target: .noop("1"), dueAt: .inherited),
        ])
        let context = RuleContext(
            course: Make.course(), group: Make.group([]), assignment: assignment, section: Make.period1, category: .matched(Make.category()),
            schedule: SectionSchedule.resolve(assignment: assignment, section: Make.period1, sectionStudents: [], calendar: Make.denver), settings: Make.settings(), location: nil
        )
        let message = DifferentiationRule().check(context)?.message ?? ""
        #expect(message.contains("Mastery Paths"))
        #expect(message.contains("(differentiation_tag_id)"))
    }

    @Test func everyCodeIsDistinct() {
        let codes = RuleBook.standard.codes
        #expect(Set(codes).count == codes.count)
        #expect(codes.count == 11)
    }
}
