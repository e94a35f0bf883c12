import Foundation

/// The Canvas REST API responses of one course bundle (`<stem>.canvas.json`): what the rules need
/// about the course, its sections and its assignments. Unknown members are ignored.
package struct CanvasBundle: Sendable, Equatable {
    var course: CanvasCourse
    var sections: [CanvasSection]
    var assignmentGroups: [CanvasAssignmentGroup]
    /// `graded_at` per (assignment, Canvas user), when the bundle carries submissions.
    var submissions: [CanvasSubmission]

    init(course: CanvasCourse, sections: [CanvasSection], assignmentGroups: [CanvasAssignmentGroup], submissions: [CanvasSubmission] = []) {
        self.course = course
        self.sections = sections
        self.assignmentGroups = assignmentGroups
        self.submissions = submissions
    }
}

extension CanvasBundle {
    /// What a run must know of every bundle before it processes any: the course and its
    /// sections (to create requests and to find newer bundles of the same course).
    struct Outline: Sendable, Equatable {
        var course: CanvasCourse
        var sections: [CanvasSection]

        init(course: CanvasCourse, sections: [CanvasSection]) {
            self.course = course
            self.sections = sections
        }
    }

    var outline: Outline { Outline(course: course, sections: sections) }
}

/// `GET /api/v1/courses/:id?include[]=term`.
struct CanvasCourse: Sendable, Equatable {
    var id: String
    var name: String?
    var sisCourseID: String?
    var workflowState: String
    var sisTermID: String?

    init(id: String, name: String? = nil, sisCourseID: String? = nil, workflowState: String, sisTermID: String?) {
        self.id = id
        self.name = name
        self.sisCourseID = sisCourseID
        self.workflowState = workflowState
        self.sisTermID = sisTermID
    }

    /// Canvas calls a course published when it is `available` (or `completed`, after its end).
    var isPublished: Bool { workflowState == "available" || workflowState == "completed" }
}

/// `GET /api/v1/courses/:id/sections`.
struct CanvasSection: Sendable, Equatable {
    var id: String
    var name: String
    /// The Aspire section (`classSourcedId`); `nil` when blank.
    var sisSectionID: String?

    init(id: String, name: String, sisSectionID: String?) {
        self.id = id
        self.name = name
        self.sisSectionID = sisSectionID
    }
}

/// `GET /api/v1/courses/:id/assignment_groups?include[]=assignments&include[]=overrides`.
struct CanvasAssignmentGroup: Sendable, Equatable {
    var id: String
    var name: String
    /// Set when the group was imported from Aspire; `nil` when blank.
    var sisSourceID: String?
    var assignments: [CanvasAssignment]

    init(id: String, name: String, sisSourceID: String?, assignments: [CanvasAssignment]) {
        self.id = id
        self.name = name
        self.sisSourceID = sisSourceID
        self.assignments = assignments
    }
}

struct CanvasAssignment: Sendable, Equatable {
    var id: String
    var name: String
    var published: Bool
    /// `post_to_sis`; Canvas writes `null` where SIS sync is off, read as `false`.
    var postToSIS: Bool
    var dueAt: Date?
    var unlockAt: Date?
    var pointsPossible: ExactDecimal?
    var gradingType: String?
    var onlyVisibleToOverrides: Bool
    var overrides: [CanvasAssignmentOverride]

    init(
        id: String, name: String, published: Bool = true, postToSIS: Bool = true, dueAt: Date? = nil,
        unlockAt: Date? = nil, pointsPossible: ExactDecimal? = nil, gradingType: String? = "points",
        onlyVisibleToOverrides: Bool = false, overrides: [CanvasAssignmentOverride] = []
    ) {
        self.id = id
        self.name = name
        self.published = published
        self.postToSIS = postToSIS
        self.dueAt = dueAt
        self.unlockAt = unlockAt
        self.pointsPossible = pointsPossible
        self.gradingType = gradingType
        self.onlyVisibleToOverrides = onlyVisibleToOverrides
        self.overrides = overrides
    }
}

/// One assignment override: for a list of students, a section or a group.
struct CanvasAssignmentOverride: Sendable, Equatable {
    /// Whom the override is for.
    enum Target: Sendable, Equatable {
        case students([String])
        case section(String)
        case group(String)
    }

    /// Whether the override sets a due date, and which. Canvas omits `due_at` from an override
    /// that does not override the due date (the assignment's applies) and writes `null` for an
    /// override that removes it.
    enum DueDate: Sendable, Equatable {
        case inherited
        case none
        case date(Date)
    }

    var id: String?
    var target: Target
    var dueAt: DueDate
    var unlockAt: Date?

    init(id: String? = nil, target: Target, dueAt: DueDate, unlockAt: Date? = nil) {
        self.id = id
        self.target = target
        self.dueAt = dueAt
        self.unlockAt = unlockAt
    }
}

/// `GET /api/v1/courses/:id/students/submissions`: when a grade last changed.
struct CanvasSubmission: Sendable, Equatable {
    var assignmentID: String
    /// The Canvas user id (the gradebook's `ID` column).
    var userID: String
    var gradedAt: Date?

    init(assignmentID: String, userID: String, gradedAt: Date?) {
        self.assignmentID = assignmentID
        self.userID = userID
        self.gradedAt = gradedAt
    }
}
