import Foundation

/// How an assignment is assigned and dated for one section, worked out from its overrides:
/// the input of the differentiation and due-date rules, and the dates of the line item.
struct SectionSchedule: Sendable, Equatable {
    /// Whether anybody in the section has the assignment. `false` only for an assignment visible
    /// to overrides alone that covers neither the section nor any of its students: the section
    /// simply gets no line item.
    var isAssigned: Bool
    /// Whether the whole section has the assignment (it is not visible to overrides alone, or a
    /// section override covers the section). Due dates are judged only then; otherwise the
    /// assignment is differentiated.
    var isSectionWide: Bool
    /// The section's due date: its override's `due_at`, else the assignment's.
    var dueAt: Date?
    /// When the assignment opens for the section: its override's `unlock_at`, else the
    /// assignment's.
    var unlockAt: Date?
    /// Student overrides (with students of this section) and group overrides that make an
    /// only-visible-to-overrides assignment differentiated here.
    var differentiatingOverrides: Int
    /// Students of this section whose own override gives another due date (as a local date).
    var studentsWithOtherDueDate: Int
    /// Group overrides with another due date; their members cannot be placed in sections from
    /// the bundle, so they count against every section.
    var groupOverridesWithOtherDueDate: Int

    init(isAssigned: Bool, isSectionWide: Bool = true, dueAt: Date?, unlockAt: Date?, differentiatingOverrides: Int = 0, studentsWithOtherDueDate: Int = 0, groupOverridesWithOtherDueDate: Int = 0) {
        self.isAssigned = isAssigned
        self.isSectionWide = isSectionWide
        self.dueAt = dueAt
        self.unlockAt = unlockAt
        self.differentiatingOverrides = differentiatingOverrides
        self.studentsWithOtherDueDate = studentsWithOtherDueDate
        self.groupOverridesWithOtherDueDate = groupOverridesWithOtherDueDate
    }

    /// - Parameters:
    ///   - sectionStudents: Canvas user ids of the section's students (from the gradebook).
    static func resolve(assignment: CanvasAssignment, section: CanvasSection, sectionStudents: Set<String>, calendar: SchoolCalendar) -> SectionSchedule {
        let sectionOverride = assignment.overrides.first {
            if case .section(let id) = $0.target { return id == section.id }
            return false
        }
        var dueAt = assignment.dueAt
        var unlockAt = assignment.unlockAt
        if let sectionOverride {
            switch sectionOverride.dueAt {
            case .inherited: break
            case .none: dueAt = nil
            case .date(let date): dueAt = date
            }
            unlockAt = sectionOverride.unlockAt ?? unlockAt
        }
        let sectionDay = dueAt.map(calendar.localDate(of:))
        let sectionWide = !assignment.onlyVisibleToOverrides || sectionOverride != nil
        var differentiating = 0
        var otherDueDates = 0
        var groupOthers = 0
        for override in assignment.overrides {
            switch override.target {
            case .section:
                continue
            case .students(let ids):
                let here = ids.filter(sectionStudents.contains)
                guard !here.isEmpty else { continue }
                if assignment.onlyVisibleToOverrides { differentiating += 1 }
                if sectionWide, Self.differs(override.dueAt, from: sectionDay, calendar: calendar) { otherDueDates += here.count }
            case .group:
                if assignment.onlyVisibleToOverrides { differentiating += 1 }
                if sectionWide, Self.differs(override.dueAt, from: sectionDay, calendar: calendar) { groupOthers += 1 }
            }
        }
        return SectionSchedule(
            isAssigned: sectionWide || differentiating > 0, isSectionWide: sectionWide, dueAt: dueAt, unlockAt: unlockAt, differentiatingOverrides: differentiating,
            studentsWithOtherDueDate: otherDueDates, groupOverridesWithOtherDueDate: groupOthers
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
