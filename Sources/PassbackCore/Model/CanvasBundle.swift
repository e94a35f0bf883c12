import Foundation

/// The Canvas REST API responses of one course bundle (`<stem>.canvas.json`): what the rules need
/// about the course, its sections and its assignments. Unknown members are ignored.
package struct CanvasBundle: Sendable, Equatable {
    var course: CanvasCourse
    var sections: [CanvasSection]
    var assignmentGroups: [CanvasAssignmentGroup]
    /// Per (assignment, Canvas user): when it was graded, its score, whether it is excused and
    /// posted, when the bundle carries submissions.
    var submissions: [CanvasSubmission]
    /// Who is in which section, when the bundle carries `enrollments` (spec 2.2, v2); `nil` when
    /// it does not (an empty list is a course without students). When present it is the truth
    /// about section membership; the gradebook's `Section` names are only a cross-check.
    var enrollments: [CanvasEnrollment]?

    init(course: CanvasCourse, sections: [CanvasSection], assignmentGroups: [CanvasAssignmentGroup], submissions: [CanvasSubmission] = [], enrollments: [CanvasEnrollment]? = nil) {
        self.course = course
        self.sections = sections
        self.assignmentGroups = assignmentGroups
        self.submissions = submissions
        self.enrollments = enrollments
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

/// One assignment override, as canvas-lms's `Api::V1::AssignmentOverride#assignment_override_json`
/// writes it: for a list of students (`student_ids`), a section (`course_section_id`), a group
/// (`group_id`), the whole course (`course_id`, "Everyone" with its own dates) or nobody in
/// particular (`noop_id`, Mastery Paths), assigning them or, with `unassign_item: true`, taking
/// them out.
struct CanvasAssignmentOverride: Sendable, Equatable {
    /// Whom the override is for (its `set_type` in Canvas).
    enum Target: Sendable, Equatable {
        case students([String])
        case section(String)
        case group(String)
        /// `course_id`: everyone in the course.
        case course(String)
        /// `noop_id` (which may be `null`): Mastery Paths, released to students by a condition.
        case noop(String?)
        /// None of the kinds above: what the override names instead (its other members), for the
        /// report. The assignment is `differentiated`; the bundle is read all the same.
        case unknown(String)
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
    /// `unassign_item: true`: the target is taken out of the assignment, not given it.
    var unassign: Bool

    init(id: String? = nil, target: Target, dueAt: DueDate, unlockAt: Date? = nil, unassign: Bool = false) {
        self.id = id
        self.target = target
        self.dueAt = dueAt
        self.unlockAt = unlockAt
        self.unassign = unassign
    }
}

/// `GET /api/v1/courses/:id/students/submissions`: when a grade last changed, and what Canvas
/// holds of it beside the gradebook's cell.
struct CanvasSubmission: Sendable, Equatable {
    /// Whether the student can see the grade: Canvas sets `posted_at` when a grade is posted
    /// (at once under automatic posting, when the teacher posts under manual posting).
    enum Posting: Sendable, Equatable {
        /// The submission has no `posted_at` member (a bundle from before posting policies, or
        /// one made by hand): nothing is known, nothing is held.
        case unknown
        /// `posted_at: null`: not posted; a grade the student cannot see yet.
        case notPosted
        case posted(Date)
    }

    var assignmentID: String
    /// The Canvas user id (the gradebook's `ID` column).
    var userID: String
    var gradedAt: Date?
    /// `score`: the points Canvas holds, also for letter-graded assignments (whose cell is `A-`).
    var score: ExactDecimal?
    /// `excused: true`.
    var excused: Bool
    var posting: Posting
    /// `workflow_state`: `graded`, `submitted`, `pending_review`, `unsubmitted`; `nil` when absent.
    var workflowState: String?

    init(assignmentID: String, userID: String, gradedAt: Date?, score: ExactDecimal? = nil, excused: Bool = false, posting: Posting = .unknown, workflowState: String? = nil) {
        self.assignmentID = assignmentID
        self.userID = userID
        self.gradedAt = gradedAt
        self.score = score
        self.excused = excused
        self.posting = posting
        self.workflowState = workflowState
    }
}

/// `GET /api/v1/courses/:id/enrollments`: one student's membership of one section.
struct CanvasEnrollment: Sendable, Equatable {
    /// The Canvas user id (the gradebook's `ID` column).
    var userID: String
    var courseSectionID: String
    /// `sis_user_id`; `nil` when blank.
    var sisUserID: String?
    /// `StudentEnrollment`, `TeacherEnrollment`, `StudentViewEnrollment`, ...
    var type: String
    /// `active`, `completed`, `inactive`, `invited`, `deleted`, `rejected`, ...
    var enrollmentState: String

    init(userID: String, courseSectionID: String, sisUserID: String?, type: String = "StudentEnrollment", enrollmentState: String = "active") {
        self.userID = userID
        self.courseSectionID = courseSectionID
        self.sisUserID = sisUserID
        self.type = type
        self.enrollmentState = enrollmentState
    }

    /// Whether it makes the user a student of the section: a `StudentEnrollment` that is not
    /// `deleted` or `rejected` (the Test Student's is a `StudentViewEnrollment`).
    var makesStudent: Bool {
        type == "StudentEnrollment" && enrollmentState != "deleted" && enrollmentState != "rejected"
    }
}
