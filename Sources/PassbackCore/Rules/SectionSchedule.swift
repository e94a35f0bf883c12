import Foundation

/// How an assignment is assigned and dated for one section, worked out from its overrides:
/// the input of the differentiation and due-date rules, and the dates of the line item.
///
/// Every override kind Canvas writes is read (spec section 3, rule 5): `course_id` (everyone, with
/// its own dates), `course_section_id`, `student_ids`, `group_id`, `noop_id` (Mastery Paths) and
/// any of them with `unassign_item: true`, which takes its target out rather than assigning it.
/// Where several overrides give the section a date, the one Canvas applies wins, as in canvas-lms
/// `AssignmentOverrideApplicator`: the latest due date (an override without one wins over all),
/// the earliest unlock date.
struct SectionSchedule: Sendable, Equatable {
    /// Why an assignment is not assigned to whole sections here, for the report.
    enum Differentiation: Sendable, Hashable, Comparable {
        /// `student_ids` (of students of this section, on an assignment visible to overrides only).
        case students
        /// `group_id`.
        case groups
        /// `noop_id`: Mastery Paths releases the assignment to students by a condition.
        case masteryPaths
        /// An override of a kind passback does not know; what it names.
        case unknownKind(String)
    }

    /// Whether anybody in the section has the assignment. `false` for an assignment visible to
    /// overrides alone that covers neither the section nor any of its students, and for a
    /// section taken out (`unassign_item`): the section simply gets no line item.
    var isAssigned: Bool
    /// Whether the whole section has the assignment (it is not visible to overrides alone, or a
    /// section or course override covers the section). Due dates are judged only then; otherwise
    /// the assignment is differentiated.
    var isSectionWide: Bool
    /// The section's due date: its section or course overrides', else the assignment's.
    var dueAt: Date?
    /// When the assignment opens for the section: its overrides' `unlock_at`, else the
    /// assignment's.
    var unlockAt: Date?
    /// Overrides that make the assignment differentiated here, and what kind they are.
    var differentiations: Set<Differentiation>
    /// Students of this section whose own override gives another due date (as a local date).
    var studentsWithOtherDueDate: Int
    /// Group overrides with another due date; their members cannot be placed in sections from
    /// the bundle, so they count against every section.
    var groupOverridesWithOtherDueDate: Int
    /// Canvas user ids taken out of the assignment by a student override with `unassign_item`:
    /// they do not have it, like an `N/A` cell.
    var unassignedStudents: Set<String>

    init(
        isAssigned: Bool, isSectionWide: Bool = true, dueAt: Date?, unlockAt: Date?, differentiations: Set<Differentiation> = [],
        studentsWithOtherDueDate: Int = 0, groupOverridesWithOtherDueDate: Int = 0, unassignedStudents: Set<String> = []
    ) {
        self.isAssigned = isAssigned
        self.isSectionWide = isSectionWide
        self.dueAt = dueAt
        self.unlockAt = unlockAt
        self.differentiations = differentiations
        self.studentsWithOtherDueDate = studentsWithOtherDueDate
        self.groupOverridesWithOtherDueDate = groupOverridesWithOtherDueDate
        self.unassignedStudents = unassignedStudents
    }

    /// - Parameters:
    ///   - sectionStudents: Canvas user ids of the section's students.
    static func resolve(assignment: CanvasAssignment, section: CanvasSection, sectionStudents: Set<String>, calendar: SchoolCalendar) -> SectionSchedule {
        // The common case: no overrides at all.
        guard !assignment.overrides.isEmpty else {
            return SectionSchedule(
                isAssigned: !assignment.onlyVisibleToOverrides, isSectionWide: !assignment.onlyVisibleToOverrides, dueAt: assignment.dueAt, unlockAt: assignment.unlockAt)
        }
        // Overrides that give the whole section the assignment, and whether it is taken out.
        var sectionWide: [CanvasAssignmentOverride] = []
        var takenOut = false
        var unassigned: Set<String> = []
        for override in assignment.overrides {
            switch override.target {
            case .course:
                if override.unassign { takenOut = true } else { sectionWide.append(override) }
            case .section(let id) where id == section.id:
                if override.unassign { takenOut = true } else { sectionWide.append(override) }
            case .students(let ids) where override.unassign:
                unassigned.formUnion(ids)
            default:
                continue
            }
        }
        // An "Everyone" override (`course_id`) makes the assignment visible to everyone, as if it
        // were not visible to overrides only.
        let overridesOnly = assignment.onlyVisibleToOverrides && !sectionWide.contains { if case .course = $0.target { return true } else { return false } }
        let isSectionWide = (!overridesOnly || !sectionWide.isEmpty) && !takenOut

        var dueAt = assignment.dueAt
        let dueOverrides = sectionWide.filter { $0.dueAt != .inherited }
        if !dueOverrides.isEmpty {
            dueAt = nil
            if !dueOverrides.contains(where: { $0.dueAt == .none }) {
                for override in dueOverrides {
                    if case .date(let date) = override.dueAt, dueAt.map({ date > $0 }) ?? true { dueAt = date }
                }
            }
        }
        let unlockAt = sectionWide.compactMap(\.unlockAt).min() ?? assignment.unlockAt

        let sectionDay = dueAt.map(calendar.localDate(of:))
        var differentiations: Set<Differentiation> = []
        var otherDueDates = 0
        var groupOthers = 0
        for override in assignment.overrides where !override.unassign {
            switch override.target {
            case .section, .course:
                continue
            case .students(let ids):
                let here = ids.filter(sectionStudents.contains)
                guard !here.isEmpty else { continue }
                // Spec rule 5: no student overrides on an assignment visible to overrides only
                // (nor for students of a section the assignment is taken out of).
                if overridesOnly || takenOut { differentiations.insert(.students) }
                if isSectionWide, Self.differs(override.dueAt, from: sectionDay, calendar: calendar) { otherDueDates += here.count }
            case .group:
                if overridesOnly { differentiations.insert(.groups) }
                if isSectionWide, Self.differs(override.dueAt, from: sectionDay, calendar: calendar) { groupOthers += 1 }
            case .noop:
                if !takenOut { differentiations.insert(.masteryPaths) }
            case .unknown(let kind):
                if !takenOut { differentiations.insert(.unknownKind(kind)) }
            }
        }
        return SectionSchedule(
            isAssigned: isSectionWide || !differentiations.isEmpty, isSectionWide: isSectionWide, dueAt: dueAt, unlockAt: unlockAt,
            differentiations: differentiations, studentsWithOtherDueDate: otherDueDates, groupOverridesWithOtherDueDate: groupOthers,
            unassignedStudents: unassigned
        )
    }

    private static func differs(_ due: CanvasAssignmentOverride.DueDate, from sectionDay: LocalDate?, calendar: SchoolCalendar) -> Bool {
        switch due {
        case .inherited: return false
        case .none: return sectionDay != nil
        case .date(let date): return calendar.localDate(of: date) != sectionDay
        }
    }
}
