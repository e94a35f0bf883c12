import Foundation

/// The Canvas REST API responses of one course bundle (`<stem>.canvas.json`): what the rules need
/// about the course, its sections and its assignments. Unknown members are ignored.
public struct CanvasBundle: Sendable, Equatable {
    public var course: CanvasCourse
    public var sections: [CanvasSection]
    public var assignmentGroups: [CanvasAssignmentGroup]
    /// `graded_at` per (assignment, Canvas user), when the bundle carries submissions.
    public var submissions: [CanvasSubmission]

    public init(course: CanvasCourse, sections: [CanvasSection], assignmentGroups: [CanvasAssignmentGroup], submissions: [CanvasSubmission] = []) {
        self.course = course
        self.sections = sections
        self.assignmentGroups = assignmentGroups
        self.submissions = submissions
    }
}

extension CanvasBundle {
    /// What a run must know of every bundle before it processes any: the course and its
    /// sections (to create requests and to find newer bundles of the same course).
    public struct Outline: Sendable, Equatable {
        public var course: CanvasCourse
        public var sections: [CanvasSection]

        public init(course: CanvasCourse, sections: [CanvasSection]) {
            self.course = course
            self.sections = sections
        }
    }

    public var outline: Outline { Outline(course: course, sections: sections) }
}

/// `GET /api/v1/courses/:id?include[]=term`.
public struct CanvasCourse: Sendable, Equatable {
    public var id: String
    public var name: String?
    public var sisCourseID: String?
    public var workflowState: String
    public var sisTermID: String?

    public init(id: String, name: String? = nil, sisCourseID: String? = nil, workflowState: String, sisTermID: String?) {
        self.id = id
        self.name = name
        self.sisCourseID = sisCourseID
        self.workflowState = workflowState
        self.sisTermID = sisTermID
    }

    /// Canvas calls a course published when it is `available` (or `completed`, after its end).
    public var isPublished: Bool { workflowState == "available" || workflowState == "completed" }
}

/// `GET /api/v1/courses/:id/sections`.
public struct CanvasSection: Sendable, Equatable {
    public var id: String
    public var name: String
    /// The Aspire section (`classSourcedId`); `nil` when blank.
    public var sisSectionID: String?

    public init(id: String, name: String, sisSectionID: String?) {
        self.id = id
        self.name = name
        self.sisSectionID = sisSectionID
    }
}

/// `GET /api/v1/courses/:id/assignment_groups?include[]=assignments&include[]=overrides`.
public struct CanvasAssignmentGroup: Sendable, Equatable {
    public var id: String
    public var name: String
    /// Set when the group was imported from Aspire; `nil` when blank.
    public var sisSourceID: String?
    public var assignments: [CanvasAssignment]

    public init(id: String, name: String, sisSourceID: String?, assignments: [CanvasAssignment]) {
        self.id = id
        self.name = name
        self.sisSourceID = sisSourceID
        self.assignments = assignments
    }
}

public struct CanvasAssignment: Sendable, Equatable {
    public var id: String
    public var name: String
    public var published: Bool
    /// `post_to_sis`; Canvas writes `null` where SIS sync is off, read as `false`.
    public var postToSIS: Bool
    public var dueAt: Date?
    public var unlockAt: Date?
    public var pointsPossible: ExactDecimal?
    public var gradingType: String?
    public var onlyVisibleToOverrides: Bool
    public var overrides: [CanvasAssignmentOverride]

    public init(
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
public struct CanvasAssignmentOverride: Sendable, Equatable {
    /// Whom the override is for.
    public enum Target: Sendable, Equatable {
        case students([String])
        case section(String)
        case group(String)
    }

    /// Whether the override sets a due date, and which. Canvas omits `due_at` from an override
    /// that does not override the due date (the assignment's applies) and writes `null` for an
    /// override that removes it.
    public enum DueDate: Sendable, Equatable {
        case inherited
        case none
        case date(Date)
    }

    public var id: String?
    public var target: Target
    public var dueAt: DueDate
    public var unlockAt: Date?

    public init(id: String? = nil, target: Target, dueAt: DueDate, unlockAt: Date? = nil) {
        self.id = id
        self.target = target
        self.dueAt = dueAt
        self.unlockAt = unlockAt
    }
}

/// `GET /api/v1/courses/:id/students/submissions`: when a grade last changed.
public struct CanvasSubmission: Sendable, Equatable {
    public var assignmentID: String
    /// The Canvas user id (the gradebook's `ID` column).
    public var userID: String
    public var gradedAt: Date?

    public init(assignmentID: String, userID: String, gradedAt: Date?) {
        self.assignmentID = assignmentID
        self.userID = userID
        self.gradedAt = gradedAt
    }
}
