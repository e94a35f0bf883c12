/// The fields of Canvas's API answers that the fetch stage reads: the course's id, and what the
/// gradebook export is built from. Everything else in an answer is copied to the bundle as Canvas
/// sent it and not decoded; a field read here with the wrong type makes the course fail with the
/// field named (``CanvasClient/decode(_:_:what:)``).
enum CanvasAPIJSON {
    /// `GET /api/v1/courses/:id`, and the elements of the account's course list.
    struct Course: Decodable {
        let id: CanvasIDJSON
    }

    /// `GET /api/v1/courses/:id/sections`.
    struct Section: Decodable {
        let id: CanvasIDJSON
        let name: String?
    }

    /// `GET /api/v1/courses/:id/assignment_groups?include[]=assignments&include[]=overrides`.
    struct AssignmentGroup: Decodable {
        let id: CanvasIDJSON
        let position: Int?
        let assignments: [Assignment]?
    }

    struct Assignment: Decodable {
        let id: CanvasIDJSON
        let name: String?
        let position: Int?
        let due_at: String?
        let points_possible: Double?
        let published: Bool?
        let grading_type: String?
        let submission_types: [String]?
        let post_manually: Bool?
    }

    /// `GET /api/v1/courses/:id/students/submissions?student_ids[]=all`.
    struct Submission: Decodable {
        let assignment_id: CanvasIDJSON
        let user_id: CanvasIDJSON
        let score: Double?
        let excused: Bool?
    }

    /// `GET /api/v1/courses/:id/enrollments?type[]=StudentEnrollment&...`.
    struct Enrollment: Decodable {
        let user_id: CanvasIDJSON
        let course_section_id: CanvasIDJSON?
        let sis_user_id: String?
        let user: User?
    }

    struct User: Decodable {
        let sortable_name: String?
        let name: String?
        let login_id: String?
        let sis_user_id: String?
    }
}
